from __future__ import annotations

import pytest

from fleetbot.analysis.order import recommend_order
from fleetbot.errors import PlanError
from fleetbot.model import (
    Blocker,
    BlockerKind,
    CIState,
    Conflict,
    ConflictKind,
    PullFacts,
    ReviewState,
    Status,
)
from tests.support.factories import conflict, plan, row

collide = conflict


def issues(steps) -> list[str]:  # type: ignore[no-untyped-def]
    return [s.issue for s in steps]


EXAMPLE = plan(row("#42", "feature/42-count", line=7), row("#43", "feature/43-docs", line=8),
               row("#44", "feature/44-clear", line=9))


def test_example_puts_44_after_42_and_leaves_43_free() -> None:
    steps = recommend_order(EXAMPLE, [collide("#42", "#44"),
                                      collide("#42", "#44", ConflictKind.PLAN)])
    order = issues(steps)
    assert order.index("#44") > order.index("#42")
    by = {s.issue: s for s in steps}
    assert "collides with #42 on tasks/cli.py: merge after it and rebase" in by["#44"].reasons
    assert by["#43"].reasons == ("no dependencies or collisions: can merge any time",)
    assert [s.position for s in steps] == [1, 2, 3]
    assert all(s.blocked_by == () for s in steps)


def test_chain_through_a_branch_name_comes_out_in_dependency_order() -> None:
    p = plan(row("#1", deps=("#2",)), row("#2", deps=("feature/three",)),
             row("#3", "feature/three"))
    steps = recommend_order(p)
    assert issues(steps) == ["#3", "#2", "#1"]
    assert steps[2].reasons == ("depends on #2",)
    assert steps[2].blocked_by == (Blocker(BlockerKind.DEPENDENCY, "#2"),)
    assert steps[1].blocked_by == (Blocker(BlockerKind.DEPENDENCY, "#3"),)


def test_cycle_names_every_row_with_file_and_line() -> None:
    p = plan(row("#1", deps=("#2",), line=5), row("#2", deps=("#3",), line=6),
             row("#3", deps=("#1",), line=7), row("#4", line=8))
    with pytest.raises(PlanError) as err:
        recommend_order(p)
    text = str(err.value)
    assert "orchestration-plan.md:" in text
    for issue, line in (("#1", 5), ("#2", 6), ("#3", 7)):
        assert f"{issue} at orchestration-plan.md:{line}" in text
    assert "#4" not in text
    cycle = text.split("dependency cycle: ")[1].split(" (")[0]
    nodes = cycle.split(" -> ")
    assert nodes[0] == nodes[-1]
    assert sorted(nodes[:-1]) == ["#1", "#2", "#3"]


def test_two_row_cycle_is_spelled_out() -> None:
    p = plan(row("#1", deps=("#2",), line=3), row("#2", deps=("#1",), line=4))
    with pytest.raises(PlanError, match=r"#(1|2) -> #(1|2) -> #(1|2)"):
        recommend_order(p)


def test_stale_row_goes_after_clean_rows_with_rebase_reason() -> None:
    p = plan(row("#1"), row("#2"), row("#3"))
    stale = Conflict(kind=ConflictKind.TARGET, rows=("#1",), files=("a.py",))
    steps = recommend_order(p, [stale], target="develop")
    assert issues(steps) == ["#2", "#3", "#1"]
    assert "rebase onto develop first" in steps[2].reasons


def test_stale_row_still_precedes_its_dependents() -> None:
    p = plan(row("#1"), row("#2", deps=("#1",)), row("#3"))
    steps = recommend_order(p, [Conflict(kind=ConflictKind.TARGET, rows=("#1",))])
    assert issues(steps) == ["#3", "#1", "#2"]


def test_merged_rows_left_out_and_their_dependents_unblocked() -> None:
    p = plan(row("#1", status=Status.MERGED), row("#2", deps=("#1",)))
    steps = recommend_order(p)
    assert issues(steps) == ["#2"]
    assert steps[0].blocked_by == ()
    assert steps[0].reasons == ("depends on #1 (merged)",)


def test_foundation_goes_first_in_a_collision() -> None:
    # #2 collides with #1, but #3 depends on #2: the foundation lands first.
    p = plan(row("#1"), row("#2"), row("#3", deps=("#2",)))
    steps = recommend_order(p, [collide("#1", "#2")])
    assert issues(steps).index("#2") < issues(steps).index("#1")
    first = next(s for s in steps if s.issue == "#2")
    assert any("merge this first (1 row depends on it)" in r for r in first.reasons)


def test_green_ci_breaks_a_collision_tie() -> None:
    p = plan(row("#1"), row("#2"))
    pulls = {"#2": PullFacts(number=2, branch="feature/2", ci=CIState.SUCCESS,
                             review=ReviewState.APPROVED)}
    steps = recommend_order(p, [collide("#1", "#2")], pulls)
    assert issues(steps) == ["#2", "#1"]


def test_blocked_by_red_ci_and_missing_branch() -> None:
    p = plan(row("#1"), row("#2"), row("#3"))
    pulls = {"#1": PullFacts(number=1, branch="feature/1", ci=CIState.FAILURE)}
    steps = recommend_order(p, pulls=pulls, missing={"#2"})
    by = {s.issue: s for s in steps}
    assert by["#1"].blocked_by == (Blocker(BlockerKind.CI_FAILING, "#1"),)
    assert by["#2"].blocked_by == (Blocker(BlockerKind.NO_BRANCH, "feature/2"),)
    assert issues(steps) == ["#3", "#1", "#2"]


def test_collision_never_placed_as_independent_even_against_dependencies() -> None:
    # rank prefers #3 before #1 (green CI) but #1 <- #2 <- ... make sure no cycle arises.
    p = plan(row("#1"), row("#2", deps=("#1",)), row("#3", deps=("#2",)))
    pulls = {"#3": PullFacts(number=3, branch="feature/3", ci=CIState.SUCCESS)}
    steps = recommend_order(p, [collide("#1", "#3")], pulls)
    assert issues(steps) == ["#1", "#2", "#3"]


def test_soft_edges_that_would_cycle_are_turned_around() -> None:
    # B depends on A; C collides with both; C ranks first against A (green CI) and
    # against B; adding both is consistent. Then D collides with C ...
    p = plan(row("#a"), row("#b", deps=("#a",)), row("#c"))
    pulls = {"#b": PullFacts(number=2, branch="feature/b", ci=CIState.SUCCESS)}
    conflicts = [collide("#b", "#c"), collide("#c", "#a", ConflictKind.DIFF)]
    steps = recommend_order(p, conflicts, pulls)
    order = issues(steps)
    assert order.index("#a") < order.index("#b")
    # #c is ordered relative to both, never left free
    by = {s.issue: s for s in steps}
    assert any("collides" in r for r in by["#c"].reasons)


def test_empty_plan_gives_empty_order() -> None:
    assert recommend_order(plan()) == ()


def test_regenerable_collision_says_regenerate() -> None:
    p = plan(row("#1"), row("#2"))
    lock = Conflict(ConflictKind.TEXTUAL, ("#1", "#2"), ("uv.lock",), regenerable=True)
    steps = recommend_order(p, [lock])
    assert steps[1].reasons == ("collides with #1 on uv.lock: merge after it and regenerate "
                                "uv.lock",)


def test_collision_between_dependent_rows_keeps_the_dependency_order() -> None:
    p = plan(row("#1", deps=("#2",)), row("#2"))
    steps = recommend_order(p, [Conflict(ConflictKind.TEXTUAL, ("#1", "#2"), ("a.py",),
                                         expected=True)])
    assert issues(steps) == ["#2", "#1"]
    assert "collides with #1 on a.py: merge this first (the dependencies already order them)" \
        in steps[0].reasons
    assert steps[1].reasons == ("depends on #2",
                                "collides with #2 on a.py: merge after it and rebase")
