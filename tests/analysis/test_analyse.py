from __future__ import annotations

from fleetbot.analysis.analyse import analyse
from fleetbot.model import (
    Blocker,
    BlockerKind,
    BranchFacts,
    CIState,
    FileChange,
    GitFacts,
    PullFacts,
)
from tests.support.reports import example_plan


def facts(**over) -> GitFacts:  # type: ignore[no-untyped-def]
    branches = tuple(
        BranchFacts(r.issue, r.branch, r.branch, f"{i}" * 40, "0" * 40,
                    (FileChange("tasks/cli.py"),) if r.issue != "#43" else ())
        for i, r in enumerate(example_plan().rows, start=1)
    )
    return GitFacts(**{"target": "main", "target_sha": "0" * 40, "branches": branches, **over})


def test_analyse_predicts_orders_and_finds_the_current_row() -> None:
    plan = example_plan()
    pulls = (PullFacts(number=7, branch="feature/44-clear", ci=CIState.FAILURE),)
    report = analyse(plan, facts(), pulls=pulls, current_branch="feature/44-clear")
    assert report.current_issue == "#44"
    assert report.replay is None  # the shell replays
    kinds = {(c.kind.value, c.rows) for c in report.conflicts}
    assert ("diff", ("#42", "#44")) in kinds
    order = [s.issue for s in report.order]
    assert order.index("#42") < order.index("#44")
    step = next(s for s in report.order if s.issue == "#44")
    assert Blocker(BlockerKind.CI_FAILING, "#7") in step.blocked_by


def test_analyse_notes_a_branch_outside_the_plan_and_missing_branches() -> None:
    report = analyse(example_plan(), facts(missing=("#43",)), current_branch="main")
    assert report.current_issue is None
    assert report.notes == ("the current branch main is not a row of the plan",)
    assert report.missing_branches == ("#43",)
    step = next(s for s in report.order if s.issue == "#43")
    assert step.blocked_by == (Blocker(BlockerKind.NO_BRANCH, "feature/43-docs"),)
