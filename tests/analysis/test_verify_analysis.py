"""The pure decisions of `verify`, from answer tables: no git, no process."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from fleetbot.analysis.order import recommend_order
from fleetbot.analysis.verify import blocks, semantic_conflicts, verify_steps, with_verify
from fleetbot.model import (
    ConflictKind,
    Phase,
    Plan,
    Probe,
    Report,
    Row,
    RunOutcome,
    VerifyResult,
    VerifyVerdict,
)

Rule = Callable[[frozenset[str]], bool]  # the set of landed rows -> the tests fail


def table(fails: Rule, *, flaky_once: bool = False, timeout: frozenset[str] | None = None):  # type: ignore[no-untyped-def]
    """A tester answering from `fails`; `flaky_once`: every tree's first failure is
    followed by a pass on the second run."""
    asked: list[tuple[Phase, tuple[str, ...], int]] = []

    def test(phase: Phase, steps: tuple[str, ...], attempt: int) -> Probe:
        asked.append((phase, steps, attempt))
        if timeout is not None and frozenset(steps) == timeout:
            return Probe(phase, steps, RunOutcome.TIMEOUT, tail="slow")
        bad = fails(frozenset(steps)) and not (flaky_once and attempt == 1)
        return Probe(phase, steps, RunOutcome.FAIL if bad else RunOutcome.PASS,
                     tail=f"failed with {'+'.join(steps)}" if bad else "")

    return test, asked


ROWS = tuple(f"#{i}" for i in range(1, 9))


def test_passing_tip_costs_two_runs() -> None:
    test, asked = table(lambda s: False)
    got = verify_steps(ROWS, test)
    assert got.verdict is VerifyVerdict.PASSED
    assert asked == [(Phase.TARGET, (), 0), (Phase.TIP, ROWS, 0)]


def test_semantic_pair_is_bisected_and_named() -> None:
    test, asked = table(lambda s: {"#3", "#6"} <= s)
    got = verify_steps(ROWS, test)
    assert (got.verdict, got.rows) == (VerifyVerdict.SEMANTIC, ("#3", "#6"))
    assert got.tail == "failed with #3+#6"
    assert got.notes == ("rows after #6 were not verified: resolve this conflict and run "
                         "verify again",)
    assert [(p, s) for p, s, _ in asked] == [
        (Phase.TARGET, ()), (Phase.TIP, ROWS),
        (Phase.BISECT, ROWS[:4]), (Phase.BISECT, ROWS[:6]), (Phase.BISECT, ROWS[:5]),
        (Phase.CONFIRM, ROWS[:6]), (Phase.ALONE, ("#6",)),
        (Phase.PARTNER, ("#1", "#2", "#6")), (Phase.PARTNER, ("#1", "#2", "#3", "#6")),
        (Phase.PARTNER, ("#3", "#6")),
    ]
    assert asked[5][2] == 1  # the confirmation is a second run of the same tree


@pytest.mark.parametrize("n", [2, 3, 8, 20, 50])
def test_run_budget_for_every_pair_position(n: int) -> None:
    rows = tuple(f"#{i}" for i in range(1, n + 1))
    for a in range(n):
        for b in range(a + 1, n):
            test, asked = table(lambda s, a=a, b=b: {rows[a], rows[b]} <= s)
            got = verify_steps(rows, test)
            assert got.rows == (rows[a], rows[b])
            naming = sum(1 for p, _, _ in asked
                         if p in (Phase.CONFIRM, Phase.ALONE, Phase.PARTNER))
            assert len(asked) <= 2 + math.ceil(math.log2(n)) + naming
            # naming: confirm + alone + a bisection over the rows before it + the pair
            assert naming <= 3 + math.ceil(math.log2(max(b, 1)))


def test_three_way_conflict_names_both_partners() -> None:
    test, _ = table(lambda s: {"#2", "#5", "#7"} <= s)
    got = verify_steps(ROWS, test)
    assert (got.verdict, got.rows) == (VerifyVerdict.SEMANTIC, ("#2", "#5", "#7"))


def test_row_failing_alone_is_not_a_semantic_conflict() -> None:
    test, asked = table(lambda s: "#4" in s)
    got = verify_steps(ROWS, test)
    assert (got.verdict, got.rows) == (VerifyVerdict.ROW_FAILS, ("#4",))
    assert asked[-1][:2] == (Phase.ALONE, ("#4",))


def test_first_row_failing_needs_no_extra_alone_run() -> None:
    test, asked = table(lambda s: "#1" in s)
    got = verify_steps(ROWS, test)
    assert (got.verdict, got.rows) == (VerifyVerdict.ROW_FAILS, ("#1",))
    assert [p for p, _, _ in asked].count(Phase.ALONE) == 0  # ("#1",) was the bisection's


def test_failing_target_blames_no_row() -> None:
    test, asked = table(lambda s: True)
    got = verify_steps(ROWS, test)
    assert (got.verdict, got.rows) == (VerifyVerdict.TARGET_FAILS, ())
    assert asked == [(Phase.TARGET, (), 0), (Phase.CONFIRM, (), 1)]


def test_flaky_failure_is_flaky() -> None:
    test, _ = table(lambda s: {"#3", "#6"} <= s, flaky_once=True)
    got = verify_steps(ROWS, test)
    assert (got.verdict, got.flaky, got.rows) == (VerifyVerdict.FLAKY, True, ())
    assert got.notes == ("the fan-in up to #6 failed once and passed on a second run",)


def test_flaky_target() -> None:
    test, _ = table(lambda s: True, flaky_once=True)
    assert verify_steps(ROWS, test).verdict is VerifyVerdict.FLAKY


def test_timeout_stops_the_search() -> None:
    test, asked = table(lambda s: {"#3", "#6"} <= s, timeout=frozenset(ROWS[:4]))
    got = verify_steps(ROWS, test)
    assert got.verdict is VerifyVerdict.TIMEOUT
    assert len(asked) == 3
    assert got.notes == ("the run of #1 + #2 + #3 + #4 timed out: raise --timeout or speed "
                         "the tests up",)


def test_no_rows_tests_the_target_only() -> None:
    test, asked = table(lambda s: False)
    assert verify_steps((), test).verdict is VerifyVerdict.NOTHING
    assert len(asked) == 1


# ---------------------------------------------------------------- into the report


def _result(verdict: VerifyVerdict = VerifyVerdict.SEMANTIC,
            rows: tuple[str, ...] = ("#1", "#3")) -> VerifyResult:
    return VerifyResult(verdict=verdict, target="main", target_sha="a" * 40,
                        command="pytest -q", rows=rows)


def test_semantic_conflicts_one_per_partner() -> None:
    got = semantic_conflicts(_result(rows=("#1", "#2", "#3")))
    assert [(c.kind, c.rows) for c in got] == [
        (ConflictKind.SEMANTIC, ("#1", "#3")), (ConflictKind.SEMANTIC, ("#2", "#3")),
    ]
    assert got[0].blocking
    assert got[0].evidence == "fleetbot verify --test 'pytest -q'"
    assert semantic_conflicts(_result(VerifyVerdict.ROW_FAILS, ("#3",))) == ()
    assert blocks(_result()) and not blocks(_result(VerifyVerdict.FLAKY, ()))


def test_order_moves_the_failing_row_after_its_partner() -> None:
    plan = Plan(rows=(Row("#1", "a"), Row("#2", "b"), Row("#3", "c")))
    report = Report(target="main", plan=plan, order=recommend_order(plan))
    # the failing row comes first in the plan: the semantic edge puts it after #3
    got = with_verify(report, _result(rows=("#3", "#1")))
    assert [s.issue for s in got.order] == ["#2", "#3", "#1"]
    step = got.order[2]
    assert step.reasons == ("collides with #3: the tests fail once both land (verify): "
                            "merge after it and fix them",)
    assert got.conflicts[-1].rows == ("#3", "#1")
    assert with_verify(got, _result(rows=("#3", "#1"))) is got  # already in: unchanged


def test_semantic_conflicts_fit_the_report_schema() -> None:
    from fleetbot.render.json import report_to_json
    from tests.support.reports import validate_report_json

    plan = Plan(rows=(Row("#1", "a"), Row("#3", "c")))
    report = with_verify(Report(target="main", plan=plan, order=recommend_order(plan)),
                         _result())
    data = report_to_json(report)
    validate_report_json(data)
    assert data["conflicts"][0]["kind"] == "semantic"
    assert data["conflicts"][0]["blocking"] is True
