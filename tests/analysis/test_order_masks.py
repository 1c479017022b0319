"""`order._Before` (bit masks of what must come before each row, kept up to date as
collision edges are added) answers as a walk of the graph would, on random acyclic graphs."""

from __future__ import annotations

import random

from fleetbot.analysis.order import _Before


def walk_reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    """The plain answer: walk the predecessors of `goal` looking for `start`."""
    seen: set[str] = set()
    stack = [goal]
    while stack:
        node = stack.pop()
        if node == start:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(graph.get(node, ()))
    return False


def test_masks_agree_with_a_walk_while_edges_are_added() -> None:
    rng = random.Random(18)
    for _ in range(30):
        names = [f"#{i}" for i in range(rng.randint(2, 12))]
        # edges only from an earlier name to a later one: acyclic, as the order's graph is
        graph = {n: {m for m in names[:i] if rng.random() < 0.2} for i, n in enumerate(names)}
        graph[names[0]].add("#gone")  # a predecessor that is no row of its own
        before = _Before(graph)
        for _ in range(15):
            a, b = sorted(rng.sample(range(len(names)), 2))
            first, then = names[a], names[b]
            if rng.random() < 0.5:
                graph[then].add(first)
                before.add(first, then)
            for x in [*names, "#gone"]:
                for y in names:
                    assert before.reaches(x, y) == walk_reaches(graph, x, y), (x, y)
