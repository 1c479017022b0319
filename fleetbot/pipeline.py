"""The shell every command calls: gather git facts, lint, analyse, replay -> Report."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from fleetbot.analysis.analyse import analyse
from fleetbot.git import Git
from fleetbot.git.mergetree import gather
from fleetbot.git.mergetree import replay as replay_chain
from fleetbot.model import Plan, PullFacts, Replay, Report
from fleetbot.plan.lint import lint_plan


def build_report(
    git: Git,
    plan: Plan,
    *,
    target: str | None = None,
    pulls: Iterable[PullFacts] = (),
    current_branch: str | None = None,
) -> Report:
    """The whole report for `plan` in the repository of `git`, replay included."""
    facts = gather(git, plan, target)
    findings = [f if f.file else replace(f, file=plan.source)
                for f in lint_plan(plan, protected=(facts.target,))]
    report = analyse(plan, facts, pulls=pulls, findings=findings,
                     current_branch=current_branch)
    return replace(report, replay=_replay(git, facts.target_ref or facts.target, report))


def _replay(git: Git, target_ref: str, report: Report) -> Replay:
    """Replay the order over the branches that exist; positions are the order's own."""
    refs = {b.issue: b.ref for b in report.branches}
    steps = [(s.issue, refs[s.issue]) for s in report.order if s.issue in refs]
    if not steps:
        return Replay(clean=True)
    result = replay_chain(git, target_ref, steps)
    if result.clean or result.stops_at_issue is None:
        return result
    position = next(
        (s.position for s in report.order if s.issue == result.stops_at_issue), result.stops_at
    )
    return replace(result, stops_at=position)
