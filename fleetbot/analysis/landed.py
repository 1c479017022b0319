"""Landed rows, everywhere the same: the plan as git and the forge say it is. Pure.

The plan's Status is a claim. A row whose work is in the target counts as merged whatever
the plan says; a row marked merged whose work is not there counts as not merged. Either
contradiction is a `status-contradiction` warning naming the evidence, and every command
follows git: landed rows leave the order, the joints and the collisions, and their
dependents are unblocked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from fleetbot.model import (
    Conflict,
    Finding,
    FindingCode,
    Landed,
    LandedHow,
    Plan,
    PullFacts,
    PullState,
    Severity,
    Status,
)

CONTRADICTION = FindingCode.STATUS_CONTRADICTION


def forge_landed(plan: Plan, pulls: Iterable[PullFacts]) -> tuple[Landed, ...]:
    """Rows whose PR the forge shows merged."""
    merged = {p.branch: p for p in pulls if p.state is PullState.MERGED}
    return tuple(
        Landed(row.issue, LandedHow.PR_MERGED, merged[row.branch].merged_as,
               pull=merged[row.branch].number, head=merged[row.branch].head_sha,
               into=merged[row.branch].base)
        for row in plan.rows if row.branch in merged
    )


def as_landed(plan: Plan, landed: Sequence[Landed]) -> Plan:
    """The plan with each row's status as git says: landed rows merged, and rows the plan
    calls merged that have not landed back to running."""
    done = {la.issue for la in landed}

    def status(row_status: Status, issue: str) -> Status:
        if issue in done:
            return Status.MERGED
        return Status.RUNNING if row_status is Status.MERGED else row_status

    rows = tuple(replace(r, status=status(r.status, r.issue)) for r in plan.rows)
    return replace(plan, rows=rows)


def contradictions(plan: Plan, landed: Sequence[Landed]) -> tuple[Finding, ...]:
    """A warning for each Status word that git contradicts, naming the evidence."""
    by_issue = {la.issue: la for la in landed}
    out: list[Finding] = []
    for row in plan.rows:
        la = by_issue.get(row.issue)
        word = row.status_raw or row.status.value
        if row.status is Status.MERGED and la is None:
            out.append(Finding(
                Severity.WARNING, CONTRADICTION,
                f"{row.issue} is marked {word!r} but its changes are not in the target: "
                "fleetbot keeps it in the merge order",
                line=row.line, rows=(row.issue,), file=plan.source,
                hint="merge it, or correct its Status",
            ))
        elif la is not None and row.status is not Status.MERGED and la.how is not LandedHow.PLAN:
            out.append(Finding(
                Severity.WARNING, CONTRADICTION,
                f"{row.issue} is marked {word!r} but it has landed ({la.describe()})",
                line=row.line, rows=(row.issue,), file=plan.source,
                hint="set its Status to merged",
            ))
    return tuple(out)


def without_landed(conflicts: Iterable[Conflict], landed: Sequence[Landed]) -> tuple[Conflict, ...]:
    """The conflicts that still matter: none that involves a landed row."""
    done = {la.issue for la in landed}
    return tuple(c for c in conflicts if not done & set(c.rows))


PAIR_FINDINGS = frozenset({FindingCode.JOINT})


def findings_without_landed(
    findings: Iterable[Finding], landed: Sequence[Landed],
    codes: frozenset[FindingCode] = PAIR_FINDINGS,
) -> tuple[Finding, ...]:
    """Lint findings about pairs (joints) of which one row has landed are history."""
    done = {la.issue for la in landed}
    return tuple(f for f in findings if not (f.code in codes and done & set(f.rows)))
