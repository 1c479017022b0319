"""The `fleetbot/order` commit status decision."""

from __future__ import annotations

from fleetbot.forge.types import ActionKind, ForgeState
from fleetbot.model import (
    CommitStatus,
    Conflict,
    ConflictKind,
    Landed,
    LandedHow,
    MergeStep,
    OrderStatus,
    Plan,
    PullFacts,
    PullState,
    Report,
    Row,
    Status,
    StatusState,
)
from fleetbot.writes.statuses import (
    MAX_DESCRIPTION,
    OUTSIDE,
    QueueHead,
    describe,
    order_statuses,
    status_actions,
    wanted_statuses,
)

A = Row("#41", "feature/41-base")
B = Row("#42", "feature/42-count", depends_on=("#41",))
C = Row("#44", "feature/44-clear")
PLAN = Plan(rows=(A, B, C))
ORDER = (
    MergeStep(1, "#41", A.branch), MergeStep(2, "#42", B.branch), MergeStep(3, "#44", C.branch)
)
CLASH = Conflict(ConflictKind.TEXTUAL, ("#42", "#44"), files=("tasks/cli.py",))


def pr(n: int, row: Row, state: str = "open") -> PullFacts:
    return PullFacts(number=n, branch=row.branch, head_sha=f"{n:040d}", state=PullState(state))


def by_issue(statuses: tuple[OrderStatus, ...]) -> dict[str, tuple[str, str]]:
    return {s.issue: (s.state, s.description) for s in statuses}


def test_first_in_line_is_success_and_the_rest_wait_with_reasons() -> None:
    got = by_issue(order_statuses(PLAN, [pr(1, A), pr(2, B), pr(3, C)], [CLASH], ORDER))
    assert got["#41"][0] == "success"
    assert got["#42"] == ("pending", "waiting for #41 (depends on it)")
    assert got["#44"] == ("pending", "waiting for #42 (collides on tasks/cli.py)")


def test_merged_pr_releases_the_rows_behind_it() -> None:
    pulls = [pr(1, A, "merged"), pr(2, B), pr(3, C)]
    got = by_issue(order_statuses(PLAN, pulls, [CLASH], ORDER))
    assert "#41" not in got  # merged: no status
    assert got["#42"][0] == "success"
    assert got["#44"][0] == "pending"


def test_merged_in_the_plan_counts_too() -> None:
    plan = Plan(rows=(Row("#41", A.branch, status=Status.MERGED), B, C))
    got = by_issue(order_statuses(plan, [pr(2, B), pr(3, C)], [CLASH], ORDER))
    assert got["#42"][0] == "success"


def test_dependencies_are_transitive() -> None:
    d = Row("#45", "feature/45", depends_on=("#42",))
    plan = Plan(rows=(A, B, C, d))
    got = by_issue(order_statuses(plan, [pr(2, B, "merged"), pr(5, d)], [], ORDER))
    assert got["#45"] == ("pending", "waiting for #41 (depends on it)")


def test_later_row_in_the_order_does_not_hold_an_earlier_one() -> None:
    got = by_issue(order_statuses(PLAN, [pr(3, C)], [CLASH], ORDER))
    assert got["#44"][0] == "pending"  # #42 not merged, ahead of it
    got = by_issue(order_statuses(Plan(rows=(C, B)), [pr(3, C)], [CLASH], ()))
    assert got["#44"][0] == "success"  # no order: plan order puts #44 first


def test_drift_and_regenerable_collisions_do_not_hold() -> None:
    conflicts = [
        Conflict(ConflictKind.DRIFT, ("#44",), files=("x",)),
        Conflict(ConflictKind.TEXTUAL, ("#42", "#44"), files=("uv.lock",), regenerable=True),
    ]
    assert by_issue(order_statuses(PLAN, [pr(3, C)], conflicts, ORDER))["#44"][0] == "success"


def test_rows_without_an_open_pr_get_no_status() -> None:
    assert order_statuses(PLAN, [], [CLASH], ORDER) == ()
    assert order_statuses(PLAN, [PullFacts(9, C.branch)], [], ORDER) == ()  # no head sha


def test_long_description_is_cut_to_githubs_limit() -> None:
    state, text = describe([f"#{n} (collides on some/long/path/file{n}.py)" for n in range(10)])
    assert state == "pending"
    assert len(text) <= MAX_DESCRIPTION
    assert text.endswith("…")


def test_only_changed_statuses_are_written() -> None:
    wanted = order_statuses(PLAN, [pr(1, A), pr(2, B)], [], ORDER)
    shown = ForgeState(statuses=tuple(CommitStatus(s.sha, s.context, s.state, s.description,
                                                   "https://old/run")
                                      for s in wanted))
    assert status_actions(wanted, shown, target_url="https://new/run") == []
    stale = ForgeState(statuses=(CommitStatus(wanted[1].sha, wanted[1].context,
                                              StatusState.SUCCESS, "old"),))
    (changed, fresh) = status_actions(wanted, stale, target_url="https://new/run")
    assert (changed.kind, changed.number, changed.sha, changed.state, changed.target_url) == (
        ActionKind.SET_STATUS, 1, wanted[0].sha, StatusState.SUCCESS, "https://new/run")
    assert (fresh.number, fresh.state, fresh.description) == (
        2, StatusState.PENDING, "waiting for #41 (depends on it)")


def test_a_landed_row_counts_as_merged() -> None:
    landed = frozenset({"#41"})
    got = by_issue(order_statuses(PLAN, [pr(2, B)], [], ORDER, landed))
    assert got["#42"] == (StatusState.SUCCESS,
                          "in order: dependencies merged, no earlier collision open")


def _report(pulls: tuple[PullFacts, ...], **kw: object) -> Report:
    return Report(target="main", plan=PLAN, order=ORDER, pulls=pulls, **kw)  # type: ignore[arg-type]


def test_prs_outside_the_plan_get_success_so_the_check_is_safe_to_require() -> None:
    stray = PullFacts(77, "hotfix/x", head_sha="7" * 40)
    report = _report((pr(1, A),))
    got = wanted_statuses(report, ForgeState(pulls=(pr(1, A), stray)))
    assert [(s.pull, s.state, s.description) for s in got] == [
        (1, StatusState.SUCCESS, "in order: dependencies merged, no earlier collision open"),
        (77, StatusState.SUCCESS, OUTSIDE)]
    assert [s.pull for s in wanted_statuses(report, ForgeState(pulls=(pr(1, A), stray)),
                                            outside_fleet=False)] == [1]


def test_a_merge_queue_head_gets_the_queued_prs_verdict() -> None:
    report = _report((pr(1, A), pr(2, B)), landed=(Landed("#99", LandedHow.ANCESTOR),))
    state = ForgeState(pulls=(pr(1, A), pr(2, B)))
    queue = (QueueHead("a" * 40, 1), QueueHead("b" * 40, 2), QueueHead("c" * 40, 55))
    got = {s.sha[0]: (s.state, s.description)
           for s in wanted_statuses(report, state, queue=queue) if s.pull == 0}
    assert got == {
        "a": (StatusState.SUCCESS, "in order: dependencies merged, no earlier collision open"),
        "b": (StatusState.FAILURE, "waiting for #41 (depends on it)"),
        "c": (StatusState.SUCCESS, OUTSIDE),
    }
