"""The shell every command calls: gather git facts, lint, analyse, replay -> Report.

One pipeline, one truth (DESIGN.md): `check`, `order`, `status`, `sync`, `comment` and the
Action all get their Report from `build_report`, so no two of them can disagree about
which rows have landed, what the target is, or what collides.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from fleetbot.analysis.analyse import analyse
from fleetbot.analysis.landed import forge_landed
from fleetbot.git import Git
from fleetbot.git.mergetree import gather
from fleetbot.git.mergetree import replay as replay_chain
from fleetbot.model import Plan, PullFacts, Replay, Report, Status
from fleetbot.plan.lint import lint_plan

if TYPE_CHECKING:
    from fleetbot.forge.types import ForgeState


def build_report(
    git: Git,
    plan: Plan,
    *,
    target: str | None = None,
    forge: ForgeState | None = None,
    pulls: Iterable[PullFacts] = (),
    current_branch: str | None = None,
) -> Report:
    """The whole report for `plan` in the repository of `git`, replay included.

    `forge` is what the forge shows (open and merged PRs); without it `pulls` may name the
    PRs directly. A row whose PR merged has landed, whatever the plan file still says.
    """
    found = fleet_pulls(plan, forge.pulls, forge.merged) if forge is not None else tuple(pulls)
    facts = gather(git, plan, target or plan.target or None, known=forge_landed(plan, found))
    findings = [f if f.file else replace(f, file=plan.source) for f in lint_plan(plan)]
    report = analyse(plan, facts, pulls=found, findings=findings,
                     current_branch=current_branch)
    return replace(report, replay=_replay(git, facts.target_ref or facts.target, report))


def fleet_pulls(
    plan: Plan, open_pulls: Sequence[PullFacts], merged: Sequence[PullFacts] = ()
) -> tuple[PullFacts, ...]:
    """The PRs of plan rows: the open one of each branch, else its merged one. Pure."""
    branches = {r.branch for r in plan.rows}
    out = [p for p in open_pulls if p.branch in branches]
    have = {p.branch for p in out}
    for p in merged:
        if p.branch in branches and p.branch not in have:
            out.append(p)
            have.add(p.branch)
    return tuple(out)


def mark_merged(plan: Plan, branches: tuple[str, ...]) -> Plan:
    """The plan with the rows of merged branches set to merged (the plan file may lag)."""
    if not branches:
        return plan
    rows = tuple(
        replace(row, status=Status.MERGED) if row.branch in branches else row
        for row in plan.rows
    )
    return replace(plan, rows=rows)


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
