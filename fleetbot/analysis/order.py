"""The recommended merge order: pure, from the plan, the predicted conflicts and the PRs.

`Depends on` edges are hard. A collision between two rows the plan leaves independent
becomes a soft edge, so colliding rows are never placed as if they were independent:
the row more others depend on goes first, then the readier one (CI green, approved),
then the one earlier in the plan. A soft edge that would close a cycle with the hard
ones is turned around instead. A stale row (it no longer merges onto the target) waits
until every row that lands cleanly has landed. Cycles in `Depends on` are plan errors.
"""

from __future__ import annotations

import graphlib
from collections.abc import Callable, Collection, Iterable, Mapping

from fleetbot.analysis.collisions import PAIR_KINDS, strength
from fleetbot.frozen import frozen
from fleetbot.model import (
    Blocker,
    BlockerKind,
    CIState,
    Conflict,
    ConflictKind,
    MergeStep,
    Plan,
    PullFacts,
    ReviewState,
    Row,
    Status,
)
from fleetbot.plan.graph import check_cycles

# Two-row conflicts that make a soft edge, strongest first.


FREE = "no dependencies or collisions: can merge any time"
_LEFT = frozenset({Status.MERGED, Status.DROPPED})  # rows no longer in the order


@frozen
class _Soft:
    """A colliding pair: `first` merges before `then`, on `files`. `why_first` says what
    placed it first; `by_dependency` when Depends on already orders the pair (then the
    reasons speak of the dependency, not of a collision edge)."""

    first: str
    then: str
    kind: ConflictKind
    files: tuple[str, ...]
    why_first: str
    regenerable: bool = False
    by_dependency: bool = False


def recommend_order(
    plan: Plan,
    conflicts: Iterable[Conflict] = (),
    pulls: Mapping[str, PullFacts] | None = None,
    *,
    target: str = "main",
    missing: Collection[str] = (),
    restacked: Collection[str] = (),
) -> tuple[MergeStep, ...]:
    """The rows still to merge, in the order to merge them, each with reasons and blockers.

    `pulls` maps an issue ref to its PR; `missing` lists issue refs whose branch does not
    exist; `target` names the branch stale rows must be rebased onto; `restacked` the
    rows that must be restacked there instead (`analysis.stack`: a plain rebase would
    replay commits the target holds already). Raises PlanError spelling out the cycle
    when `Depends on` loops.
    """
    pulls = pulls or {}
    conflicts = tuple(conflicts)
    check_cycles(plan)
    index = {row.issue: i for i, row in enumerate(plan.rows)}
    merged = {row.issue for row in plan.rows if row.status in _LEFT}
    todo = [row for row in plan.rows if row.issue not in merged]
    hard = {row.issue: [d.issue for d in plan.dependencies(row) if d.issue not in merged]
            for row in todo}
    dependents = _dependents_count(hard)
    stale = {c.rows[0] for c in conflicts if c.kind is ConflictKind.TARGET and c.rows}

    def rank(issue: str) -> tuple[int, int, int]:
        """Smaller goes first: more dependents, then readier, then earlier in the plan."""
        return (-dependents.get(issue, 0), -_readiness(pulls.get(issue)), index[issue])

    graph: dict[str, set[str]] = {issue: set(deps) for issue, deps in hard.items()}
    softs = _soft_edges(plan, conflicts, graph, rank, dependents, pulls)

    def own_blockers(row: Row) -> list[Blocker]:
        out = []
        if row.status is Status.BLOCKED:
            out.append(Blocker(BlockerKind.PLAN_BLOCKED, row.issue, row.status_raw))
        if row.issue in missing:
            out.append(Blocker(BlockerKind.NO_BRANCH, row.branch))
        pull = pulls.get(row.issue)
        if pull is not None and pull.ci is CIState.FAILURE:
            out.append(Blocker(BlockerKind.CI_FAILING, f"#{pull.number}"))
        return out

    sorter = graphlib.TopologicalSorter(graph)
    sorter.prepare()
    pool: list[str] = []
    sequence: list[str] = []
    rows = {row.issue: row for row in todo}
    while sorter.is_active():
        pool.extend(sorter.get_ready())
        pick = min(pool, key=lambda i: (i in stale, bool(own_blockers(rows[i])), index[i]))
        pool.remove(pick)
        sequence.append(pick)
        sorter.done(pick)

    involving: dict[str, list[_Soft]] = {}  # each row's collisions, in soft order
    for soft in softs:
        for issue in dict.fromkeys((soft.first, soft.then)):
            involving.setdefault(issue, []).append(soft)
    steps = []
    for position, issue in enumerate(sequence, start=1):
        row = rows[issue]
        reasons = _reasons(plan, row, merged, involving.get(issue, []), stale, target,
                           issue in restacked)
        blocked = [*(Blocker(BlockerKind.DEPENDENCY, d) for d in hard[issue]),
                   *own_blockers(row)]
        steps.append(MergeStep(position, issue, row.branch, tuple(reasons), tuple(blocked)))
    return tuple(steps)


def _dependents_count(hard: Mapping[str, list[str]]) -> dict[str, int]:
    """How many rows depend on each row, directly or through others."""
    children: dict[str, list[str]] = {issue: [] for issue in hard}
    for issue, deps in hard.items():
        for dep in deps:
            children.setdefault(dep, []).append(issue)
    out = {}
    for issue in hard:
        seen: set[str] = set()
        stack = list(children.get(issue, []))
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(children.get(node, []))
        out[issue] = len(seen)
    return out


def _readiness(pull: PullFacts | None) -> int:
    if pull is None:
        return 0
    return int(pull.ci is CIState.SUCCESS) + int(pull.review is ReviewState.APPROVED)


class _Before:
    """What must come before each node of `graph` (which maps a node to its
    predecessors), as bit masks kept up to date while collision edges are added: asking
    for a pair is one `&`, not a walk of the graph (a fleet of 200 rows asks thousands)."""

    def __init__(self, graph: Mapping[str, set[str]]) -> None:
        names = dict.fromkeys([*graph, *(p for ps in graph.values() for p in ps)])
        self.bit = {name: 1 << i for i, name in enumerate(names)}
        self.mask = {node: sum(self.bit[x] for x in _before(graph, node)) for node in graph}

    def reaches(self, start: str, goal: str) -> bool:
        """Whether `goal` must come after `start` (or is it)."""
        return start == goal or bool(self.mask.get(goal, 0) & self.bit.get(start, 0))

    def add(self, first: str, then: str) -> None:
        """`first` now comes before `then`, and so before everything after `then`."""
        gain = self.mask.get(first, 0) | self.bit[first]
        bit = self.bit[then]
        for node, mask in self.mask.items():
            if node == then or mask & bit:
                self.mask[node] = mask | gain


def _before(graph: Mapping[str, set[str]], goal: str) -> set[str]:
    """Every node that must come before `goal` (graph maps a node to its predecessors):
    every x for which `goal` must come after x, in one walk."""
    seen: set[str] = set()
    stack = list(graph.get(goal, ()))
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(graph.get(node, ()))
    return seen


def _soft_edges(
    plan: Plan,
    conflicts: tuple[Conflict, ...],
    graph: dict[str, set[str]],
    rank: Callable[[str], tuple[int, int, int]],
    dependents: Mapping[str, int],
    pulls: Mapping[str, PullFacts],
) -> list[_Soft]:
    """Add one edge per colliding pair that the graph does not already order."""
    strongest: dict[frozenset[str], Conflict] = {}
    for conflict in conflicts:
        if conflict.kind not in PAIR_KINDS or len(conflict.rows) != 2:
            continue
        a, b = conflict.rows
        if a == b or a not in graph or b not in graph:
            continue
        key = frozenset((a, b))
        have = strongest.get(key)
        if have is None or strength(conflict) < strength(have):
            strongest[key] = conflict
    index = {row.issue: i for i, row in enumerate(plan.rows)}
    pairs = sorted(
        strongest.values(),
        key=lambda c: (PAIR_KINDS.index(c.kind), sorted(index[r] for r in c.rows)),
    )
    hard = {issue: set(deps) for issue, deps in graph.items()}
    before_hard: dict[str, set[str]] = {}  # node -> what Depends on puts before it
    before = _Before(graph)
    softs = []
    for conflict in pairs:
        a, b = sorted(conflict.rows, key=rank)
        if conflict.kind is ConflictKind.SEMANTIC:
            a, b = conflict.rows  # the partner first: the failing row adapts to it
        if before.reaches(b, a):
            a, b = b, a  # already ordered, through dependencies or an earlier collision
        if b not in before_hard:  # the dependencies do not change: one walk per row
            before_hard[b] = _before(hard, b)
        by_dependency = a in before_hard[b]
        if by_dependency:
            why = " → ".join(_path(hard, a, b))
        elif before.reaches(a, b):
            why = "earlier collisions already place it first: " + " → ".join(
                _path(graph, a, b))
        else:
            why = _why_first(a, b, dependents, pulls, index)
            graph[b].add(a)
            before.add(a, b)
        softs.append(_Soft(a, b, conflict.kind, conflict.files, why, conflict.regenerable,
                           by_dependency))
    return softs


def _path(graph: Mapping[str, set[str]], start: str, goal: str) -> list[str]:
    """The chain `start → … → goal` of edges that orders them (graph maps a node to its
    predecessors); callers know that `goal` reaches `start`."""
    came: dict[str, str] = {}
    stack = [goal]
    while stack:
        node = stack.pop()
        if node == start:
            break
        for before in sorted(graph.get(node, ())):
            if before not in came and before != goal:
                came[before] = node
                stack.append(before)
    path = [start]
    while path[-1] != goal:
        path.append(came[path[-1]])
    return path


def _why_first(
    a: str, b: str, dependents: Mapping[str, int], pulls: Mapping[str, PullFacts],
    index: Mapping[str, int],
) -> str:
    if dependents.get(a, 0) > dependents.get(b, 0):
        n = dependents[a]
        return f"{n} row{'s depend' if n != 1 else ' depends'} on it"
    if _readiness(pulls.get(a)) > _readiness(pulls.get(b)):
        return "it is readier (CI green or approved)"
    return "it comes first in the plan" if index[a] < index[b] else "it ranks first"


def _dependency_words(issue: str, soft: _Soft, reasons: list[str],
                      deps: Mapping[str, int]) -> None:
    """A collision that Depends on already orders is said as the dependency it is:
    `depends on #42 (they also collide on a.py: rebase after it lands)` on the later
    row, `#44 depends on it (they collide on a.py)` on the earlier one."""
    files = _files(soft.files)
    if soft.then == issue:
        also = f"they also collide{files}: rebase after it lands"
        if soft.first in deps:
            at = deps[soft.first]
            reasons[at] = f"{reasons[at]} ({also})"
        else:
            reasons.append(f"comes after {soft.first} through its dependencies "
                           f"({soft.why_first}); {also}")
    elif soft.first == issue:
        direct = soft.why_first.count("→") == 1
        how = "depends on it" if direct else f"depends on it through {soft.why_first}"
        reasons.append(f"{soft.then} {how} (they collide{files})")


def _files(files: tuple[str, ...]) -> str:
    if not files:
        return ""
    shown = ", ".join(files[:3])
    more = f" (+{len(files) - 3} more)" if len(files) > 3 else ""
    return f" on {shown}{more}"


def _reasons(
    plan: Plan, row: Row, merged: set[str], softs: list[_Soft], stale: set[str], target: str,
    restack: bool = False,
) -> list[str]:
    """Why `row` is where it is; `softs` are the collisions it is in (the others say
    nothing about it), so a fleet's reasons cost one pass over the collisions."""
    reasons: list[str] = []
    deps: dict[str, int] = {}  # a dependency -> the index of its reason
    for dep in plan.dependencies(row):
        done = f" ({dep.status.value if dep.status is Status.DROPPED else 'merged'})" if (
            dep.issue in merged) else ""
        deps[dep.issue] = len(reasons)
        reasons.append(f"depends on {dep.issue}{done}")
    for soft in softs:
        if soft.by_dependency:
            _dependency_words(row.issue, soft, reasons, deps)
        elif soft.then == row.issue:
            if soft.regenerable:
                tail = "merge after it and regenerate" + _files(soft.files).replace(" on", "", 1)
            elif soft.kind is ConflictKind.TEXTUAL:
                tail = "merge after it and rebase"
            elif soft.kind is ConflictKind.INTERFACE:
                tail = "merge after it and re-run the tests"
            elif soft.kind is ConflictKind.SEMANTIC:
                tail = "the tests fail once both land (verify): merge after it and fix them"
            else:
                tail = "merge after it"
            reasons.append(f"collides with {soft.first}{_files(soft.files)}: {tail}")
        elif soft.first == row.issue:
            reasons.append(
                f"collides with {soft.then}{_files(soft.files)}: merge this first "
                f"({soft.why_first})"
            )
    if row.issue in stale:
        reasons.append(f"{'restack' if restack else 'rebase'} onto {target} first")
    if not reasons:
        reasons.append(FREE)
    return reasons
