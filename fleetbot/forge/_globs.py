"""Does a row own a path? Uses the lead's `fleetbot.globs.row_owns` when present,
else the same gitignore-style matching through pathspec."""

from __future__ import annotations

from functools import lru_cache

from fleetbot.model import Row


@lru_cache(maxsize=512)
def _spec(patterns: tuple[str, ...]):  # type: ignore[no-untyped-def]
    import pathspec

    return pathspec.PathSpec.from_lines("gitignore", patterns)


def row_owns(row: Row, path: str) -> bool:
    try:
        from fleetbot.globs import row_owns as owns  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return bool(_spec(row.patterns).match_file(path))
    return bool(owns(row, path))
