"""`Depends on` mirrored as blocked-by links between plan issues. Pure.

Only links between two plan issues are fleetbot's: a link to an issue outside the plan
is never removed, so a person's own links survive every refresh.
"""

from __future__ import annotations

from fleetbot.forge.types import Action, ActionKind, ForgeState
from fleetbot.model import Plan

Dependencies = tuple[tuple[int, frozenset[int]], ...]


def issue_number(ref: str) -> int | None:
    """`#42` / `42` -> 42; refs to another repo (`o/r#42`) or MRs (`!7`) -> None."""
    ref = ref.strip()
    if ref.isdigit():
        return int(ref)
    if ref.startswith("#") and ref[1:].isdigit():
        return int(ref[1:])
    return None


def plan_issues(plan: Plan) -> list[int]:
    """The issue numbers of the plan's rows, in plan order (refs elsewhere are skipped)."""
    return [n for r in plan.rows if (n := issue_number(r.issue)) is not None]


def desired_dependencies(plan: Plan) -> tuple[Dependencies, frozenset[int]]:
    """`Depends on` as blocked-by links between plan issues, and the issues fleetbot manages."""
    managed = frozenset(plan_issues(plan))
    deps: list[tuple[int, frozenset[int]]] = []
    for row in plan.rows:
        number = issue_number(row.issue)
        if number is None:
            continue
        blockers = frozenset(
            n for d in plan.dependencies(row) if (n := issue_number(d.issue)) is not None
        )
        deps.append((number, blockers))
    return tuple(deps), managed


def link_actions(plan: Plan, current: ForgeState) -> list[Action]:
    """The link writes that make the issues' blocked-by match the plan; [] when they do,
    and [] on a forge without issue dependencies (said once, in the state's notes)."""
    if not current.links_supported:
        return []
    deps, managed = desired_dependencies(plan)
    missing = set(current.missing_issues)
    actions: list[Action] = []
    for number, blockers in deps:
        if number in missing:
            continue
        issue = current.issue(number)
        have = set(issue.blocked_by) if issue is not None else set()
        for other in sorted(blockers - have - missing):
            blocker = current.issue(other)
            actions.append(Action(ActionKind.ADD_DEPENDENCY, number, other=other,
                                  other_id=blocker.id if blocker is not None else 0))
        links = dict(issue.link_ids) if issue is not None else {}
        for other in sorted((have & managed) - blockers):
            blocker = current.issue(other)
            actions.append(Action(
                ActionKind.REMOVE_DEPENDENCY, number, other=other,
                other_id=links.get(other) or (blocker.id if blocker is not None else 0)))
    return actions
