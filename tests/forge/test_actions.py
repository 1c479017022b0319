"""The pure planner (fleetbot/writes): Report + forge state -> the writes, and nothing
needless."""

from __future__ import annotations

from dataclasses import replace

from fleetbot.forge import MARKER, ActionKind, ForgeState, StickyComment
from fleetbot.forge.types import IssueFacts
from fleetbot.model import (
    Blocker,
    BlockerKind,
    BranchFacts,
    Conflict,
    ConflictKind,
    FileChange,
    Landed,
    LandedHow,
    MergeStep,
    OwnedPath,
    Plan,
    PullFacts,
    PullState,
    Report,
    Row,
    Status,
)
from fleetbot.render.escape import md as escape
from fleetbot.writes import WriteOptions, plan_writes
from fleetbot.writes.comment import (
    closes_issue,
    comment_actions,
    dependency_merged_notes,
    link_line,
    unplanned_pulls,
)
from fleetbot.writes.labels import LabelTarget, desired_labels, label_actions
from fleetbot.writes.links import desired_dependencies, link_actions

A = Row("#1", "feat/a", files_owned=(OwnedPath("src/a/**"),))
B = Row("#2", "feat/b", files_owned=(OwnedPath("src/b.py"),), depends_on=("#1",))
C = Row("#3", "feat/c", status=Status.PLANNED)
PLAN = Plan(rows=(A, B, C))


def state(**kw: object) -> ForgeState:
    return ForgeState(**kw)  # type: ignore[arg-type]


def kinds(actions: list) -> list[tuple[str, int, str]]:  # type: ignore[type-arg]
    return [(a.kind.value, a.number, a.label or str(a.other)) for a in actions]


def test_new_comment_is_created_with_the_marker() -> None:
    (a,) = comment_actions([(5, "report")], state())
    assert a.kind is ActionKind.CREATE_COMMENT
    assert a.body.startswith(MARKER)


def test_present_comment_is_edited_not_created() -> None:
    current = state(comments=(StickyComment(5, 77, f"{MARKER}\nold"),))
    (a,) = comment_actions([(5, "new")], current)
    assert (a.kind, a.comment_id) == (ActionKind.EDIT_COMMENT, 77)


def test_unchanged_body_is_not_written() -> None:
    current = state(comments=(StickyComment(5, 77, f"{MARKER}\nsame\n"),))
    assert comment_actions([(5, "same")], current) == []


def test_label_drift_only_touches_fleet_labels() -> None:
    pull = PullFacts(5, "feat/a", labels=("fleet:running", "bug", "fleet:conflict"))
    current = state(pulls=(pull,), repo_labels=frozenset({"fleet:running", "fleet:conflict"}))
    want = (LabelTarget(5, frozenset({"fleet:review", "fleet:conflict"})),)
    assert kinds(label_actions(want, current)) == [
        ("create-label", 0, "fleet:review"),
        ("add-label", 5, "fleet:review"),
        ("remove-label", 5, "fleet:running"),
    ]


def test_label_prefix_is_configurable() -> None:
    pull = PullFacts(5, "feat/a", labels=("fleet:running", "ops/running"))
    want = (LabelTarget(5, frozenset({"ops/review"})),)
    acts = label_actions(want, state(pulls=(pull,), repo_labels=frozenset({"ops/review"})),
                         "ops/")
    assert kinds(acts) == [("add-label", 5, "ops/review"), ("remove-label", 5, "ops/running")]


def test_dependencies_added_and_removed_only_between_plan_issues() -> None:
    current = state(issues=(IssueFacts(2, id=1002, blocked_by=(3, 99)), IssueFacts(1, id=1001)))
    plan = Plan(rows=(Row("#1", "a"), Row("#2", "b", depends_on=("#1",)), Row("#3", "c")))
    acts = link_actions(plan, current)
    assert kinds(acts) == [("add-dependency", 2, "1"), ("remove-dependency", 2, "3")]
    assert acts[0].other_id == 1001


def report(**kw: object) -> Report:
    return Report(target="main", plan=PLAN, **kw)  # type: ignore[arg-type]


def test_labels_from_a_report() -> None:
    pa = PullFacts(10, "feat/a")
    pb = PullFacts(11, "feat/b", draft=True)
    rep = report(
        order=(MergeStep(1, "#1", "feat/a"), MergeStep(2, "#2", "feat/b", blocked_by=(Blocker(BlockerKind.DEPENDENCY, "#1"),))),
        conflicts=(Conflict(ConflictKind.TEXTUAL, ("#1", "#2"), ("x.py",)),),
    )
    issues = (IssueFacts(1), IssueFacts(2), IssueFacts(3))
    targets = desired_labels(rep, state(pulls=(pa, pb), issues=issues))
    labels = {(t.number, t.on_issue): set(t.labels) for t in targets}
    assert labels == {
        (10, False): {"fleet:review", "fleet:conflict", "fleet:next"},
        (11, False): {"fleet:blocked", "fleet:conflict"},
        (1, True): {"fleet:review"},
        (2, True): {"fleet:blocked"},
        (3, True): {"fleet:planned"},
    }
    deps, managed = desired_dependencies(PLAN)
    assert deps == ((1, frozenset()), (2, frozenset({1})), (3, frozenset()))
    assert managed == frozenset({1, 2, 3})


def test_a_merged_pr_whose_row_is_open_again_keeps_merged_but_its_issue_does_not() -> None:
    """The report's word decides the row: a merged PR the target reverted (or whose
    branch went on) leaves its row in the order; only the PR itself stays merged."""
    merged = PullFacts(10, "feat/a", state=PullState.MERGED)
    rep = report(order=(MergeStep(1, "#1", "feat/a"),),
                 branches=(BranchFacts("#1", "feat/a", "feat/a", "a" * 40, "b" * 40),),
                 conflicts=(Conflict(ConflictKind.TEXTUAL, ("#1", "#2"), ("x.py",)),))
    targets = desired_labels(rep, state(merged=(merged,), issues=(IssueFacts(1),)))
    assert {(t.number, t.on_issue): set(t.labels) for t in targets} == {
        (10, False): {"fleet:merged"}, (1, True): {"fleet:running"}}
    landed = replace(rep, order=(), landed=(Landed("#1", LandedHow.PR_MERGED, pull=10),))
    targets = desired_labels(landed, state(merged=(merged,), issues=(IssueFacts(1),)))
    assert {(t.number, t.on_issue): set(t.labels) for t in targets} == {
        (10, False): {"fleet:merged"}, (1, True): {"fleet:merged"}}


def test_an_issue_the_forge_did_not_read_gets_no_label() -> None:
    """A missing (or unread) issue is a finding, not a write that fails every run."""
    rep = report(order=(MergeStep(1, "#1", "feat/a"),))
    targets = desired_labels(rep, state(pulls=(PullFacts(10, "feat/a"),)))
    assert [(t.number, t.on_issue) for t in targets] == [(10, False)]


def test_a_stale_status_label_leaves_the_issue() -> None:
    rep = report(order=(MergeStep(1, "#1", "feat/a"),))
    current = state(pulls=(PullFacts(10, "feat/a"),),
                    issues=(IssueFacts(1, labels=("fleet:running", "bug")),),
                    repo_labels=frozenset({"fleet:review", "fleet:next"}))
    acts = label_actions(desired_labels(rep, current), current)
    assert kinds(acts) == [("add-label", 10, "fleet:next"), ("add-label", 10, "fleet:review"),
                           ("add-label", 1, "fleet:review"), ("remove-label", 1, "fleet:running")]
    assert [a.on_issue for a in acts] == [False, False, True, True]


def test_second_run_with_nothing_changed_plans_nothing() -> None:
    pa = PullFacts(10, "feat/a", labels=("fleet:review", "fleet:next"))
    rep = report(order=(MergeStep(1, "#1", "feat/a"),))
    current = state(
        pulls=(pa,), comments=(StickyComment(10, 1, f"{MARKER}\nbody"),),
        repo_labels=frozenset({"fleet:review", "fleet:next", "fleet:planned"}),
        issues=(IssueFacts(1, labels=("fleet:review",)),
                IssueFacts(2, blocked_by=(1,), labels=("fleet:planned",)),
                IssueFacts(3, labels=("fleet:planned",))),
    )
    options = WriteOptions(comments=False)
    assert plan_writes(rep, current, options) == []
    first = plan_writes(rep, state(pulls=(pa,)), WriteOptions())
    assert [a.kind for a in first][:1] == [ActionKind.CREATE_COMMENT]
    again = state(pulls=(pa,), comments=(StickyComment(10, 1, first[0].body),),
                  repo_labels=current.repo_labels, issues=current.issues)
    assert plan_writes(rep, again, WriteOptions()) == []


def test_merged_dependency_is_told() -> None:
    merged = PullFacts(10, "feat/a", state=PullState.MERGED)
    rep = report(branches=(
        BranchFacts("#1", "feat/a", "feat/a", "h1", "m", (FileChange("src/a/x.py"),)),
        BranchFacts("#2", "feat/b", "feat/b", "h2", "m", (FileChange("src/a/x.py"),)),
    ))
    notes = dependency_merged_notes(rep, state(merged=(merged,)))
    assert list(notes) == ["#2"]
    assert "was merged (PR #10)" in notes["#2"][0]
    assert "src/a/x.py" in notes["#2"][0]


def test_unplanned_pull_lists_the_rows_it_touches() -> None:
    stray = PullFacts(20, "hotfix/x")
    (u,) = unplanned_pulls(PLAN, [PullFacts(10, "feat/a"), stray],
                           {20: ("src/a/deep/y.py", "README.md")})
    assert (u.pull.number, u.rows) == (20, ("#1",))


def test_closing_keyword_checked() -> None:
    assert closes_issue("This Fixes #1.", 1)
    assert not closes_issue("see #1", 1)
    assert "does not close" in link_line(A, PullFacts(10, "feat/a", body="refs #1"))


def test_escape_defuses_mentions_html_and_tables() -> None:
    text = escape("@team <img src=x> a|b `x`")
    assert "@team" not in text
    assert "<img" not in text
    assert "a\\|b" in text
    assert "\\`x\\`" in text
