"""Restacking: a row whose branch carries commits the target holds only as new ones.

Either a row built on a dependency that has since landed by squash or rebase (its branch
still carries the dependency's old commits, `BranchFacts.stacked_on`, read by
`git.stack`), or a row squash-merged that went on (its own first commits,
`BranchFacts.landed_part`, read by `git.landed`). `git rebase --onto <target> <old head>
<branch>` replays just the commits after the old head onto the target; a plain `git
rebase` would replay the landed ones too, and stop on them. Pure: the Report in, the
exact command out, for the brief, the sticky comment, `check` and `status`.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from fleetbot.frozen import frozen
from fleetbot.model import BranchFacts, Landed, LandedHow, Report


@frozen
class Restack:
    """The restack one row needs: what landed (its dependency, or the row's own first
    commits), the old head it landed without, the command."""

    issue: str
    dependency: Landed  # the landed row: a dependency, or this row itself (`own`)
    old_head: str
    command: str
    after: int = 0  # own: the commits after `old_head` still to land

    @property
    def own(self) -> bool:
        """The row's own first commits landed (it was squash-merged and went on)."""
        return self.dependency.issue == self.issue

    def describe(self) -> str:
        """`#1 has landed (squash-merged in 1a2b3c4); this branch still carries its old
        commits (up to 9f8e7d6): restack it with`, or for the row's own first commits
        `this branch's commits up to 9f8e7d6 have landed (squash-merged in 1a2b3c4); the
        1 commit after them has not: restack it with` (the command follows)."""
        if self.own:
            many = self.after != 1
            return (f"this branch's commits up to {self.old_head[:7]} have landed "
                    f"({self.dependency.describe()}); the {self.after} "
                    f"commit{'s' if many else ''} after them {'have' if many else 'has'} "
                    f"not: restack {'them' if many else 'it'} with")
        return (f"{self.dependency.issue} has landed ({self.dependency.describe()}); this "
                f"branch still carries its old commits (up to {self.old_head[:7]}): restack "
                "it with")


def restack(report: Report, issue: str) -> Restack | None:
    """The restack `issue` needs (`restack_of`), or None."""
    facts = next((b for b in report.branches if b.issue == issue), None)
    if facts is None:
        return None
    return restack_of(facts, report.landed, report.target_ref or report.target)


def restack_of(facts: BranchFacts, landed: Sequence[Landed], target: str) -> Restack | None:
    """The restack a branch needs onto `target` (the ref git merges), or None: its own
    first commits have landed (a squash merge, then more commits), or the nearest
    dependency it is built on has landed without its head (a squash or rebase merge).
    While that one is still open the row waits for it, whatever else has landed."""
    part = facts.landed_part
    if part is not None:
        how = LandedHow.PR_MERGED if part.pull else LandedHow.PATCH
        return Restack(facts.issue, Landed(facts.issue, how, part.carrier, pull=part.pull),
                       part.through, rebase_onto(target, part.through, facts), part.after)
    if not facts.stacked_on:
        return None
    base = facts.stacked_on[0]
    dependency = next((la for la in landed if la.issue == base.issue), None)
    if dependency is None:
        return None
    return Restack(facts.issue, dependency, base.head, rebase_onto(target, base.head, facts))


def rebase_onto(target: str, old_head: str, facts: BranchFacts) -> str:
    """`git rebase --onto <target> <old head> <branch>`, for the commits git read: when
    that was origin's copy (no local branch, or an older one), the local branch is
    switched to (git makes it from origin's when there is none) and fast-forwarded to
    origin's first; `--ff-only` stops, losing nothing, where the two have diverged."""
    rebase = shlex.join(("git", "rebase", "--onto", target, old_head, facts.branch))
    if facts.ref == facts.branch:
        return rebase
    return " && ".join((shlex.join(("git", "switch", facts.branch)),
                        shlex.join(("git", "merge", "--ff-only", facts.ref)), rebase))


def restacks(report: Report) -> tuple[Restack, ...]:
    """Every row's restack, in the order of `report.branches` (plan order)."""
    return tuple(r for b in report.branches if (r := restack(report, b.issue)) is not None)
