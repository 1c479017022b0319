"""Joints: two rows whose owned globs can match a common path with no dependency path
between them. They will collide at merge unless the plan serialises them.

Rows are indexed by the folder every match of a glob lies in (its literal scope), so a
plan of thousands of disjoint rows is checked in near-linear time: only globs whose
scopes nest are ever compared. `fix_joints` adds the fewest Depends-on edges.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import lru_cache

from fleetbot.errors import PlanError
from fleetbot.frozen import frozen
from fleetbot.model import Plan, Row, Status
from fleetbot.plan.globs import overlap_example, scope
from fleetbot.plan.graph import Graph, ancestors, dependency_graph


@frozen
class Joint:
    """Two independent rows that own a common path."""

    a: Row  # the earlier row in the plan
    b: Row
    patterns: tuple[str, str]  # the pattern of a and of b that overlap
    example: str  # a path both can match


def _folders_above(folder: str) -> Iterator[str]:
    """"" and each proper ancestor folder of `folder`."""
    yield ""
    parts = folder.split("/") if folder else []
    for i in range(1, len(parts)):
        yield "/".join(parts[:i])


class _ScopeIndex:
    """Rows by the scope of each pattern they own, grouped by pattern, to find the globs
    that may overlap one (only scopes that nest can)."""

    def __init__(self) -> None:
        self.exact: dict[str, dict[str, list[int]]] = defaultdict(dict)
        self.below: dict[str, dict[str, list[int]]] = defaultdict(dict)

    def add(self, index: int, pattern: str) -> None:
        s = scope(pattern)
        self.exact[s].setdefault(pattern, []).append(index)
        for folder in (*_folders_above(s), s) if s else ("",):
            self.below[folder].setdefault(pattern, []).append(index)

    def candidates(self, pattern: str) -> Iterator[tuple[str, list[int]]]:
        s = scope(pattern)
        if s:
            for folder in _folders_above(s):
                yield from self.exact.get(folder, {}).items()
        yield from self.below.get(s, {}).items()


Hit = tuple[int, str, str, str]  # (earlier row's index, its pattern, this row's, example)


def joint_groups(plan: Plan) -> tuple[tuple[int, tuple[Hit, ...]], ...]:
    """For each row (by index), the earlier independent rows it shares a path with, in
    plan order: the joints, grouped so a plan of many rows on one folder stays fast.
    Worked out once per plan: the lint, the plan conflicts and the order guessed ahead
    of the replay all ask (a plan is frozen, so the answer cannot go stale)."""
    return _joint_groups(plan)


@lru_cache(maxsize=4)
def _joint_groups(plan: Plan) -> tuple[tuple[int, tuple[Hit, ...]], ...]:
    return tuple((j, tuple(hits)) for j, hits in _walk(plan))


def _walk(plan: Plan) -> Iterator[tuple[int, list[Hit]]]:
    graph = dependency_graph(plan)
    position = {row.issue: i for i, row in enumerate(plan.rows)}
    anc = [{position[a] for a in ancestors(graph, row.issue)} for row in plan.rows]
    index = _ScopeIndex()
    for j, b in enumerate(plan.rows):
        if b.status is Status.DROPPED:
            continue  # a dropped row will never land: it collides with nothing
        hits: dict[int, Hit] = {}
        mine = anc[j]
        for pb in b.patterns:
            for pa, rows in index.candidates(pb):
                fresh = [i for i in rows if i not in hits and i not in mine
                         and j not in anc[i] and plan.rows[i].issue != b.issue]
                if not fresh:
                    continue
                example = overlap_example(pa, pb)
                if example is not None:
                    hits.update((i, (i, pa, pb, example)) for i in fresh)
        if hits:
            yield j, [hits[i] for i in sorted(hits)]
        for pb in b.patterns:
            index.add(j, pb)


def joints(plan: Plan) -> list[Joint]:
    """Pairs of independent rows whose owned globs can match a common path, in plan
    order of the later row, then of the earlier one."""
    return [Joint(plan.rows[i], plan.rows[j], (pa, pb), example)
            for j, hits in joint_groups(plan) for i, pa, pb, example in hits]


def fix_edges(plan: Plan, found: Iterable[Joint] | None = None) -> dict[str, list[str]]:
    """issue -> the issues it must now depend on: for each joint the later row waits for
    the earlier one, unless the edges so far already order them (a transitive reduction
    of what is added: never `#3 -> #1, #2` when #2 already depends on #1)."""
    graph: Graph = dependency_graph(plan)
    partners: dict[str, list[str]] = defaultdict(list)
    if found is None:
        for j, hits in joint_groups(plan):
            partners[plan.rows[j].issue] = [plan.rows[h[0]].issue for h in hits]
    else:
        for joint in found:
            partners[joint.b.issue].append(joint.a.issue)
    position = {row.issue: i for i, row in enumerate(plan.rows)}
    wanted: dict[str, list[str]] = {}
    cache: dict[str, set[str]] = {}  # ancestors, valid until the next edge is added

    def above(issue: str) -> set[str]:
        if issue not in cache:
            cache[issue] = ancestors(graph, issue)
        return cache[issue]

    for row in plan.rows:
        mine = sorted(set(partners.get(row.issue, ())), key=position.__getitem__,
                      reverse=True)
        waits = set(above(row.issue)) if mine else set()
        for a in mine:  # the latest partner first: it may already wait for the others
            if a in waits or row.issue in above(a):
                continue
            waits |= {a} | above(a)
            graph.setdefault(row.issue, set()).add(a)
            wanted.setdefault(row.issue, []).append(a)
            cache.clear()
    return {issue: sorted(deps, key=lambda i: position[i]) for issue, deps in wanted.items()}


def fix_joints(plan: Plan) -> tuple[str, dict[str, list[str]]]:
    """The plan text with every joint resolved, and the edges added (issue -> its new
    dependencies, fewest first). Every byte not in an edited cell or node is kept."""
    from fleetbot.plan.cells import is_none
    from fleetbot.plan.parse import parse_plan, read_source
    from fleetbot.plan.source import write_markdown

    wanted = fix_edges(plan)
    if not wanted:
        return plan.text, {}
    index = {row.issue: i for i, row in enumerate(plan.rows)}
    if plan.format == "markdown":
        src = read_source(plan.text, plan.source, "markdown")
        changes = {}
        for issue, deps in wanted.items():
            i = index[issue]
            if "depends_on" not in src.cells[i]:
                raise PlanError(
                    "the plan table has no Depends on column to write the fix into",
                    file=plan.source, line=src.row_lines[i],
                    hint="add a `Depends on` column to the table, then run --fix again",
                )
            raw = src.cells[i]["depends_on"].text
            kept = [] if is_none(raw) else [raw]
            changes[(i, "depends_on")] = ", ".join([*kept, *deps])
        text = write_markdown(plan.text, src, changes)
    else:
        from fleetbot.plan.edit import add_dependencies

        text = add_dependencies(plan, {index[k]: v for k, v in wanted.items()})
    parse_plan(text, plan.source, plan.format)  # the fix must itself parse
    return text, wanted
