"""The pure pipeline: plan + git facts + PRs + lint findings -> Report.

No I/O: `pipeline.build_report` gathers the facts and hands them here, so a local
`fleetbot check` and the bot's PR comment always say the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from fleetbot.analysis.conflicts import predict
from fleetbot.analysis.landed import (
    as_landed,
    contradictions,
    findings_without_landed,
    without_landed,
)
from fleetbot.analysis.order import recommend_order
from fleetbot.analysis.stack import restack_of
from fleetbot.model import Finding, GitFacts, Plan, PullFacts, Report

if TYPE_CHECKING:
    from fleetbot.analysis.pyapi import ApiReader


def analyse(
    plan: Plan,
    facts: GitFacts,
    *,
    pulls: Iterable[PullFacts] = (),
    findings: Iterable[Finding] = (),
    current_branch: str | None = None,
    api: ApiReader | None = None,
) -> Report:
    """Predict the conflicts, recommend the order, find the current row; replay is the
    shell's job (it needs git), so `Report.replay` is left None here.

    Landed rows (`facts.landed`, git's and the forge's word) are merged in the Report's
    plan whatever its Status says, and leave the conflicts, the joints and the order."""
    pulls = tuple(pulls)
    landed = facts.landed
    claims = contradictions(plan, landed)
    plan = as_landed(plan, landed)
    conflicts = without_landed(predict(plan, facts, api), landed)
    by_branch = {p.branch: p for p in pulls}
    pull_map = {row.issue: by_branch[row.branch] for row in plan.rows if row.branch in by_branch}
    missing = tuple(facts.missing)
    restacked = {b.issue for b in facts.branches
                 if restack_of(b, landed, facts.target_ref or facts.target) is not None}
    order = recommend_order(plan, conflicts, pull_map, target=facts.target, missing=missing,
                            restacked=restacked)
    notes: list[str] = list(facts.notes)
    big = [f"{s.path} ({s.issue})" for s in facts.sources if s.too_large]
    if big:
        notes.append(f"interface: skipped {len(big)} Python file{'s' if len(big) != 1 else ''}"
                     f" too large to read: {', '.join(big)}")
    current_issue = None
    if current_branch is not None:
        row = next((r for r in plan.rows if r.branch == current_branch), None)
        if row is None:
            notes.append(f"the current branch {current_branch} is not a row of the plan")
        else:
            current_issue = row.issue
    return Report(
        target=facts.target,
        plan=plan,
        findings=(*findings_without_landed(findings, landed), *claims),
        conflicts=conflicts,
        missing_branches=missing,
        branches=tuple(facts.branches),
        order=order,
        pulls=pulls,
        current_issue=current_issue,
        notes=tuple(notes),
        landed=landed,
        target_ref=facts.target_ref,
    )
