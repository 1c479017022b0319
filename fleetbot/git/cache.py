"""fleetbot's answers from git, remembered in the git dir and keyed by object ids.

A merge of two commits, the files changed between two commits, the ahead/behind of a
head against a target tip, the landings found for a set of heads: each depends only on
the objects named in its key, so a repeated run on an unchanged fleet (a pre-push hook,
`status --watch`) asks git almost nothing. One JSON file per kind under
`<git-common-dir>/fleetbot/cache/`, written atomically (a temporary file renamed over the
old one); a cache that cannot be read is ignored and one that cannot be written is
skipped: it is never needed for a right answer.
`FLEETBOT_NO_CACHE=1` turns it off.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fleetbot import remembering
from fleetbot.files import WriteError, write_atomic
from fleetbot.model import MergeConflict, MergeResult

if TYPE_CHECKING:
    from fleetbot.git import Git

VERSION = 1
MAX_ENTRIES = 50_000  # per kind; the oldest go first


class Cache:
    """Key-value stores by kind, loaded lazily and saved by `save`."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._data: dict[str, dict[str, Any]] = {}
        self._dirty: set[str] = set()
        self._lock = threading.Lock()

    @classmethod
    def disabled(cls) -> Cache:
        return cls(None)

    @classmethod
    def of(cls, git: Git) -> Cache:
        """The cache of `git`'s repository (one `rev-parse` to find its git dir)."""
        if not remembering():
            return cls.disabled()
        return cls(Path(git.repo, git.layout().common_dir, "fleetbot", "cache"))

    def _kind(self, kind: str) -> dict[str, Any]:
        with self._lock:  # gather's threads share one Cache: a kind is loaded once
            return self._load(kind)

    def _load(self, kind: str) -> dict[str, Any]:
        if kind not in self._data:
            data: dict[str, Any] = {}
            if self.directory is not None:
                try:
                    raw = json.loads((self.directory / f"{kind}.json").read_text("utf-8"))
                    if isinstance(raw, dict) and raw.get("version") == VERSION:
                        entries = raw.get("entries")
                        data = entries if isinstance(entries, dict) else {}
                except (OSError, ValueError):
                    data = {}
            self._data[kind] = data
        return self._data[kind]

    def get(self, kind: str, key: str) -> Any:
        """The remembered value, or None."""
        return self._kind(kind).get(key) if self.directory is not None else None

    def keys(self, kind: str) -> list[str]:
        """Every key remembered of `kind` (none when the cache is off)."""
        return list(self._kind(kind)) if self.directory is not None else []

    def put(self, kind: str, key: str, value: Any) -> None:
        if self.directory is None:
            return
        with self._lock:
            entries = self._load(kind)
            entries.pop(key, None)
            entries[key] = value
            while len(entries) > MAX_ENTRIES:
                del entries[next(iter(entries))]
            self._dirty.add(kind)

    def save(self) -> None:
        """Write every changed kind atomically; a read-only git dir is not an error."""
        if self.directory is None:
            return
        for kind in sorted(self._dirty):
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                data = json.dumps({"version": VERSION, "entries": self._data[kind]},
                                  separators=(",", ":"))
                write_atomic(self.directory / f"{kind}.json", data.encode("utf-8"),
                             durable=False)
            except (OSError, WriteError):
                continue
        self._dirty.clear()


def result_to_json(result: MergeResult) -> list[Any]:
    return [result.clean, result.tree, list(result.files),
            [[c.sort, list(c.paths), c.message] for c in result.conflicts]]


def result_from_json(value: Any) -> MergeResult | None:
    """A cached MergeResult, or None when the entry is not one (then it is recomputed)."""
    try:
        clean, tree, files, conflicts = value
        return MergeResult(
            clean=bool(clean), tree=str(tree), files=tuple(str(f) for f in files),
            conflicts=tuple(MergeConflict(sort=str(s), paths=tuple(str(p) for p in ps),
                                          message=str(m)) for s, ps, m in conflicts),
        )
    except (TypeError, ValueError):
        return None
