"""Restacking: a row built on a dependency that has since landed by squash or rebase.

Its branch still carries the dependency's old commits (`BranchFacts.stacked_on`, read by
`git.stack`), which the target holds only as new commits; `git rebase --onto <target>
<old dependency head> <branch>` replays just the row's own commits onto the target. Pure:
the Report in, the exact command out, for the brief, the sticky comment and `check`.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from fleetbot.model import Landed, Report


@dataclass(frozen=True)
class Restack:
    """The restack one row needs: its landed dependency, that row's old head, the command."""

    issue: str
    dependency: Landed
    old_head: str
    command: str

    def describe(self) -> str:
        """`#1 has landed (squash-merged in 1a2b3c4); this branch still carries its old
        commits (up to 9f8e7d6): restack it with` (the command follows)."""
        return (f"{self.dependency.issue} has landed ({self.dependency.describe()}); this "
                f"branch still carries its old commits (up to {self.old_head[:7]}): restack "
                "it with")


def restack(report: Report, issue: str) -> Restack | None:
    """The restack `issue` needs, or None: the nearest dependency its branch is built on
    has landed without its head (a squash or rebase merge). While that one is still open
    the row waits for it, whatever else has landed."""
    facts = next((b for b in report.branches if b.issue == issue), None)
    if facts is None or not facts.stacked_on:
        return None
    base = facts.stacked_on[0]
    landed = report.landed_row(base.issue)
    if landed is None:
        return None
    target = report.target_ref or report.target
    command = " ".join(shlex.quote(w) for w in (
        "git", "rebase", "--onto", target, base.head, facts.branch))
    return Restack(issue, landed, base.head, command)


def restacks(report: Report) -> tuple[Restack, ...]:
    """Every row's restack, in the order of `report.branches` (plan order)."""
    return tuple(r for b in report.branches if (r := restack(report, b.issue)) is not None)
