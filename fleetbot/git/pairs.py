"""Which pairs of landings could git stop on? A sound filter, pure.

Two landings (each branch merged onto the target tip) are merged with the target as their
base, so only what each changed against the target matters. git can stop on a pair when
both sides change one path; when one side has a file where the other has a folder; and
when one side empties a folder (deletes or renames its files away) while the other adds
or edits under it: git's directory-rename detection then moves the other side's file and
it can collide there (`CONFLICT (file location)`). "No shared file" alone is not enough.
Every pair this lets through is merged for real; every pair it drops cannot conflict.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from fleetbot.model import ChangeStatus, FileChange

_GONE = (ChangeStatus.DELETED, ChangeStatus.RENAMED)


def touched(changes: Sequence[FileChange]) -> frozenset[str]:
    """Every path a side touched, old names of renames and copies included."""
    out = {c.path for c in changes}
    out.update(c.old_path for c in changes if c.old_path)
    return frozenset(out)


def vacated_dirs(changes: Sequence[FileChange]) -> frozenset[str]:
    """Folders a side removed a file from (deleted or renamed away): candidates for git's
    directory-rename detection."""
    gone = [c.old_path or c.path for c in changes if c.status in _GONE]
    return frozenset(parents(gone))


def parents(paths: Iterable[str]) -> set[str]:
    """Every folder above each path: `a/b/c.py` -> {`a`, `a/b`}."""
    out: set[str] = set()
    for p in paths:
        parts = p.split("/")[:-1]
        out.update("/".join(parts[:i]) for i in range(1, len(parts) + 1))
    return out


def may_collide(a: Sequence[FileChange], b: Sequence[FileChange]) -> bool:
    """Could merging the two sides stop? False only when git cannot stop on them."""
    pa, pb = touched(a), touched(b)
    if pa & pb:
        return True
    da, db = parents(pa), parents(pb)
    if da & pb or db & pa:  # a file on one side, a folder on the other
        return True
    return bool(vacated_dirs(a) & db or vacated_dirs(b) & da)


def candidate_pairs(
    sides: Sequence[Sequence[FileChange]],
    kept: Sequence[Collection[str]] | None = None,
) -> list[tuple[int, int]]:
    """The (i, j), i < j, of every pair `may_collide` lets through, found through an index
    by path instead of trying all pairs: a 200-branch fleet has 19,900 pairs and only the
    ones sharing a path (or a folder) are looked at. `kept[i]` are folders side i emptied
    that still exist in its tree: git renames a folder only when it is gone, so they are
    no candidates for directory-rename detection."""
    touches: dict[str, list[int]] = {}
    under: dict[str, list[int]] = {}  # folder -> sides with a path below it
    tops: list[set[str]] = []
    moved: list[frozenset[str]] = []
    for i, changes in enumerate(sides):
        paths = touched(changes)
        dirs = parents(paths)
        for p in paths:
            touches.setdefault(p, []).append(i)
        for d in dirs:
            under.setdefault(d, []).append(i)
        tops.append(dirs)
        gone = vacated_dirs(changes)
        moved.append(gone - set(kept[i]) if kept is not None else gone)
    found: set[tuple[int, int]] = set()

    def link(i: int, others: Iterable[int]) -> None:
        found.update((min(i, j), max(i, j)) for j in others if j != i)

    for group in touches.values():  # a shared path
        for k, i in enumerate(group):
            link(i, group[k + 1:])
    for i, dirs in enumerate(tops):  # a file on one side, a folder on the other
        for d in dirs:
            link(i, touches.get(d, ()))
    for i, gone in enumerate(moved):  # a folder emptied on one side, used on the other
        for d in gone:
            link(i, under.get(d, ()))
    return sorted(found)
