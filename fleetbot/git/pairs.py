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

from collections.abc import Iterable, Sequence

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
