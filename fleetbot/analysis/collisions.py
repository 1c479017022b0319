"""The strongest conflict per pair of rows, decided in one place. Pure.

A pair that collides by plan, diff and merge-tree is one collision, named by its most exact
kind; the order's soft edges, the verdict, the annotations and the outputs all count it so.
"""

from __future__ import annotations

from collections.abc import Iterable

from fleetbot.model import Conflict, ConflictKind

# two-row kinds, strongest (most exact) first
PAIR_KINDS = (
    ConflictKind.SEMANTIC,  # the tests fail once both land (verify)
    ConflictKind.TEXTUAL,
    ConflictKind.DIFF,
    ConflictKind.PLAN,
    ConflictKind.INTERFACE,
)


def strength(conflict: Conflict) -> tuple[int, bool]:
    """Smaller is stronger: the kind, then a real conflict before a regenerable one."""
    return (PAIR_KINDS.index(conflict.kind), conflict.regenerable)


def pair_conflicts(conflicts: Iterable[Conflict]) -> list[Conflict]:
    """Two-row collisions, one per pair (the strongest kind), in first-seen pair order."""
    best: dict[frozenset[str], Conflict] = {}
    for c in conflicts:
        if len(c.rows) != 2 or c.kind not in PAIR_KINDS or c.rows[0] == c.rows[1]:
            continue
        key = frozenset(c.rows)
        have = best.get(key)
        if have is None or strength(c) < strength(have):
            best[key] = c
    return list(best.values())


def strongest(conflicts: Iterable[Conflict]) -> list[Conflict]:
    """Every one-row conflict (drift, target) and the strongest conflict of each pair."""
    conflicts = list(conflicts)
    singles = [c for c in conflicts if len(c.rows) != 2 or c.kind not in PAIR_KINDS]
    return singles + pair_conflicts(conflicts)
