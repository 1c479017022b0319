"""The Depends-on graph: one implementation of edges, closures and cycles.

Every module that orders rows (lint, order, score) asks here, so a cycle is found and
spelled out the same way everywhere.
"""

from __future__ import annotations

import graphlib

from fleetbot.errors import PlanError
from fleetbot.model import Plan, Row

Graph = dict[str, set[str]]  # issue -> the issues it depends on


def dependency_graph(plan: Plan) -> Graph:
    """issue -> issues it depends on (known rows only, never itself)."""
    return {row.issue: {d.issue for d in plan.dependencies(row)} - {row.issue}
            for row in plan.rows}


def ancestors(graph: Graph, issue: str) -> set[str]:
    """Everything `issue` depends on, transitively."""
    seen: set[str] = set()
    todo = list(graph.get(issue, ()))
    while todo:
        cur = todo.pop()
        if cur not in seen:
            seen.add(cur)
            todo.extend(graph.get(cur, ()))
    return seen


def dependency_path(plan: Plan, a: Row, b: Row) -> bool:
    """True when one row depends on the other, directly or transitively."""
    graph = dependency_graph(plan)
    return b.issue in ancestors(graph, a.issue) or a.issue in ancestors(graph, b.issue)


def find_cycle(plan: Plan) -> tuple[str, ...]:
    """A Depends-on cycle as `(a, b, ..., a)`, each depending on the next, starting at
    the row earliest in the plan; `()` when there is none."""
    try:
        graphlib.TopologicalSorter(dependency_graph(plan)).prepare()
    except graphlib.CycleError as exc:
        # graphlib walks against the edges: reversed, each entry depends on the next
        loop = list(reversed(exc.args[1]))[:-1]
        lines = {r.issue: (r.line, i) for i, r in enumerate(plan.rows)}
        first = min(loop, key=lambda issue: lines.get(issue, (0, 0)))
        start = loop.index(first)
        ordered = loop[start:] + loop[:start]
        return (*ordered, first)
    return ()


def cycle_error(plan: Plan, cycle: tuple[str, ...]) -> PlanError:
    """The PlanError that spells `cycle` out with each row's file:line."""
    by_issue = {row.issue: row for row in plan.rows}
    where = ", ".join(f"{i} at {plan.source}:{by_issue[i].line}" for i in cycle[:-1])
    return PlanError(
        f"dependency cycle: {' -> '.join(cycle)} (each depends on the next; {where})",
        file=plan.source, line=by_issue[cycle[0]].line, code="cycle",
        hint="remove one of these `Depends on` entries so the rows can merge in some order",
    )


def check_cycles(plan: Plan) -> None:
    """Raise the spelled-out PlanError when Depends-on loops."""
    cycle = find_cycle(plan)
    if cycle:
        raise cycle_error(plan, cycle)


def topological_levels(plan: Plan) -> dict[str, int]:
    """issue -> 1 + the longest Depends-on chain below it (raises on a cycle)."""
    check_cycles(plan)
    graph = dependency_graph(plan)
    level: dict[str, int] = {}
    for issue in graphlib.TopologicalSorter(graph).static_order():
        level[issue] = 1 + max((level[d] for d in graph.get(issue, ())), default=0)
    return level


