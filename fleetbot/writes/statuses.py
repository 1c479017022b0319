"""The `fleetbot/order` commit status: the merge order, enforced by the forge. Pure.

Each open fleet PR's head gets `success` when everything its row depends on has merged and
no row ahead of it in the recommended order that it collides with is still open, and
`pending` otherwise, with the reason ("waiting for #42 (collides on cli.py)"). Made a
required check, it lets the forge itself refuse an out-of-order merge; so that requiring it
blocks nothing else, every other open PR gets `success` "not part of the fleet", and a
merge queue's head gets the queued PR's verdict. A status is written only when its state
or description would change, so a refresh with nothing new is silent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from fleetbot.forge.types import Action, ActionKind, ForgeState
from fleetbot.frozen import frozen
from fleetbot.model import (
    ORDER_CONTEXT,
    Conflict,
    ConflictKind,
    MergeStep,
    OrderStatus,
    Plan,
    PullFacts,
    PullState,
    Report,
    Row,
    Status,
    StatusState,
)

CONTEXT = ORDER_CONTEXT
MAX_DESCRIPTION = 140  # GitHub truncates a status description longer than this

# kinds that mean "these two rows touch the same lines/files": wait for the earlier one
# a semantic pair (verify: their tests fail together) holds the later row like a collision
_COLLIDING = frozenset({ConflictKind.PLAN, ConflictKind.DIFF, ConflictKind.TEXTUAL,
                        ConflictKind.SEMANTIC})


OUTSIDE = "not part of the fleet"
IN_ORDER = "in order: dependencies merged, no earlier collision open"


def merged_issues(plan: Plan, pulls: Iterable[PullFacts]) -> frozenset[str]:
    """Rows that have landed: merged in the plan, or their PR merged (the plan may lag)."""
    merged_branches = {p.branch for p in pulls if p.state is PullState.MERGED}
    return frozenset(
        r.issue for r in plan.rows if r.status is Status.MERGED or r.branch in merged_branches
    )


def _all_dependencies(plan: Plan, row: Row) -> list[Row]:
    """Everything `row` depends on, transitively, nearest first (cycles are lint's job)."""
    seen: dict[str, Row] = {}
    todo = list(plan.dependencies(row))
    while todo:
        dep = todo.pop(0)
        if dep.issue in seen or dep.issue == row.issue:
            continue
        seen[dep.issue] = dep
        todo.extend(plan.dependencies(dep))
    return list(seen.values())


def _positions(plan: Plan, order: Sequence[MergeStep]) -> dict[str, tuple[int, int]]:
    """issue -> sort key: the recommended position first, then plan order for the rest."""
    pos = {step.issue: step.position for step in order}
    big = len(order) + 1
    return {row.issue: (pos.get(row.issue, big), i) for i, row in enumerate(plan.rows)}


def _files(files: Sequence[str], limit: int = 2) -> str:
    shown = ", ".join(files[:limit])
    return shown + (f" +{len(files) - limit}" if len(files) > limit else "")


def waiting_reasons(
    plan: Plan, row: Row, merged: frozenset[str], conflicts: Sequence[Conflict],
    order: Sequence[MergeStep],
) -> list[str]:
    """Why `row` must not merge yet, one phrase per row it waits for ([] = in order)."""
    reasons: dict[str, str] = {}
    for dep in _all_dependencies(plan, row):
        if dep.issue not in merged:
            reasons[dep.issue] = f"{dep.issue} (depends on it)"
    key = _positions(plan, order)
    mine = key.get(row.issue)
    # a semantic pair first: it is the reason a reviewer cannot see in the diff
    for c in sorted(conflicts, key=lambda c: c.kind is not ConflictKind.SEMANTIC):
        if c.kind not in _COLLIDING or c.regenerable or len(c.rows) != 2 or row.issue not in c.rows:
            continue
        other = c.rows[1] if c.rows[0] == row.issue else c.rows[0]
        if other in merged or other in reasons or other == row.issue:
            continue
        theirs = key.get(other)
        if mine is not None and theirs is not None and theirs < mine:
            on = f" on {_files(c.files)}" if c.files else ""
            reasons[other] = (f"{other} (tests fail together: verify)"
                              if c.kind is ConflictKind.SEMANTIC else f"{other} (collides{on})")
    return list(reasons.values())


def describe(reasons: Sequence[str]) -> tuple[StatusState, str]:
    """(state, description) for a list of waiting reasons, within GitHub's length limit."""
    if not reasons:
        return StatusState.SUCCESS, IN_ORDER
    text = "waiting for " + ", ".join(reasons)
    if len(text) > MAX_DESCRIPTION:
        text = text[: MAX_DESCRIPTION - 1].rstrip(", ") + "…"
    return StatusState.PENDING, text


def order_statuses(
    plan: Plan, pulls: Sequence[PullFacts], conflicts: Sequence[Conflict],
    order: Sequence[MergeStep], landed: frozenset[str] = frozenset(),
) -> tuple[OrderStatus, ...]:
    """The status every open fleet PR's head should carry, in plan order."""
    merged = merged_issues(plan, pulls) | landed
    by_branch = {p.branch: p for p in pulls if p.state is PullState.OPEN and p.head_sha}
    out = []
    for row in plan.rows:
        pr = by_branch.get(row.branch)
        if pr is None or row.issue in merged:
            continue
        state, text = describe(waiting_reasons(plan, row, merged, conflicts, order))
        out.append(OrderStatus(row.issue, pr.number, pr.head_sha, state, text))
    return tuple(out)


@frozen
class QueueHead:
    """A merge queue's commit (`merge_group`) and the PR it was made for."""

    sha: str
    pull: int


def wanted_statuses(
    report: Report, state: ForgeState, *, outside_fleet: bool = True,
    queue: Sequence[QueueHead] = (),
) -> tuple[OrderStatus, ...]:
    """Every status this refresh should see: the fleet's PRs in order, with
    `outside_fleet` the other open PRs ("not part of the fleet"), and each queue head."""
    landed = frozenset(la.issue for la in report.landed)
    fleet = order_statuses(report.plan, report.pulls, report.conflicts, report.order, landed)
    out = list(fleet)
    branches = {r.branch for r in report.plan.rows}
    if outside_fleet:
        out += [OrderStatus("", p.number, p.head_sha, StatusState.SUCCESS, OUTSIDE)
                for p in state.pulls if p.branch not in branches and p.head_sha]
    by_pull = {s.pull: s for s in fleet}
    fleet_pulls = {p.number for p in report.pulls}
    for head in queue:
        verdict = by_pull.get(head.pull)
        if verdict is not None:  # in the queue, out of order: fail fast, not time out
            state_ = StatusState.SUCCESS if verdict.state is StatusState.SUCCESS \
                else StatusState.FAILURE
            out.append(OrderStatus(verdict.issue, 0, head.sha, state_, verdict.description))
        elif head.pull not in fleet_pulls or not head.pull:
            out.append(OrderStatus("", 0, head.sha, StatusState.SUCCESS, OUTSIDE))
    return tuple(out)


def status_actions(
    wanted: Iterable[OrderStatus], current: ForgeState, *, target_url: str = ""
) -> list[Action]:
    """A SET_STATUS for each head whose (state, description) differs from what it shows;
    `target_url` (the run) goes with every status written, and is not compared."""
    actions = []
    for s in wanted:
        have = current.status_of(s.sha, s.context)
        if have is not None and (have.state, have.description) == (s.state, s.description):
            continue
        actions.append(Action(ActionKind.SET_STATUS, s.pull, sha=s.sha, context=s.context,
                              state=s.state, description=s.description[:MAX_DESCRIPTION],
                              target_url=target_url))
    return actions
