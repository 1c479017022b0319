"""The JSON Schemas in `schemas/`, found both in a wheel and in a source checkout, and
the record of what earlier runs learnt about plan texts.

jsonschema costs about 80 ms to import and markdown-it about 20 ms; a plan that has not
changed since it was last read need not pay either. The record, in the plan's git dir,
holds hashes of (schema text, data) known valid — the schema stays the one source of
truth — and, by a hash of fleetbot's version and a Markdown body, where its tables are.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fleetbot import remembering
from fleetbot.files import WriteError, write_atomic

if TYPE_CHECKING:
    from fleetbot.plan.tables import TableSpan


@lru_cache(maxsize=8)
def load_schema(name: str) -> dict[str, Any]:
    """`load_schema("plan")` -> the parsed `schemas/plan.schema.json`."""
    data: dict[str, Any] = json.loads(schema_text(name))
    return data


@lru_cache(maxsize=8)
def schema_text(name: str) -> str:
    """The schema's text: beside the installed package (`fleetbot/schemas/`), else in a
    source checkout's `schemas/`, else through importlib.resources (a zipped install;
    asked last: it imports zipfile and its readers, 8 ms of every warm run)."""
    filename = f"{name}.schema.json"
    here = Path(__file__).resolve().parents
    for folder in (here[1] / "schemas", here[2] / "schemas"):
        if (folder / filename).is_file():
            return (folder / filename).read_text("utf-8")
    from importlib import resources

    return resources.files("fleetbot").joinpath("schemas").joinpath(filename).read_text(
        encoding="utf-8")


MAX_VALIDATED = 1000


def validation_key(schema: str, data: Any) -> str:
    """The hash naming "this data against this schema"; data is JSON-shaped."""
    digest = hashlib.sha256(schema_text(schema).encode())
    digest.update(json.dumps(data, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def git_dir_near(path: Path) -> Path | None:
    """The git dir of the checkout holding `path`, found by walking up (no git process):
    `.git` itself, or the folder a worktree's `.git` file points at."""
    for folder in [path.resolve().parent, *path.resolve().parents]:
        dot = folder / ".git"
        if dot.is_dir():
            return dot
        if dot.is_file():
            text = dot.read_text("utf-8", "replace").strip()
            if text.startswith("gitdir:"):
                target = Path(text[len("gitdir:"):].strip())
                return target if target.is_absolute() else folder / target
            return None
    return None


class PlanRecord:
    """Validation keys known valid and the table spans of Markdown bodies read before,
    kept in `<git dir>/fleetbot/cache/plans.json` (the last MAX_VALIDATED entries)."""

    def __init__(self, file: Path | None) -> None:
        self.file = file
        self._keys: list[str] | None = None

    @classmethod
    def near(cls, plan: Path) -> PlanRecord:
        git_dir = git_dir_near(plan) if remembering() else None
        return cls(git_dir / "fleetbot" / "cache" / "plans.json" if git_dir else None)

    def _load(self) -> list[str]:
        if self._keys is None:
            self._keys = []
            if self.file is not None:
                try:
                    raw = json.loads(self.file.read_text("utf-8"))
                    if isinstance(raw, list):
                        self._keys = [k for k in raw if isinstance(k, str)]
                except (OSError, ValueError):
                    pass
        return self._keys

    def __contains__(self, key: str) -> bool:
        return key in self._load()

    def add(self, key: str) -> None:
        """Remember `key` (atomically; a read-only git dir only means no record)."""
        if self.file is None:
            return
        keys = [*[k for k in self._load() if k != key][-(MAX_VALIDATED - 1):], key]
        self._keys = keys
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.file, json.dumps(keys).encode("utf-8"), durable=False)
        except (OSError, WriteError):
            return

    def table_spans(self, body: str) -> tuple[TableSpan, ...]:
        """Where `body`'s tables are (`source.table_spans`), remembered by the body and
        fleetbot's version so an unchanged plan is read without markdown-it."""
        from fleetbot import __version__
        from fleetbot.plan.source import table_spans

        key = "tables " + hashlib.sha256(f"{__version__}\0{body}".encode(
            "utf-8", "surrogatepass")).hexdigest() + " "
        for kept in self._load():
            if kept.startswith(key):
                spans = _spans(kept[len(key):])
                lines = body.count("\n") + 1
                if spans is not None and all(0 <= first < last <= lines and named in (-1, 0, 1)
                                             for first, last, named in spans):
                    return spans
        found = table_spans(body)
        self.add(key + ";".join(",".join(map(str, span)) for span in found))
        return found


def _spans(text: str) -> tuple[TableSpan, ...] | None:
    """"0,5,1;9,12,0" -> the spans it records (None if it is not such a record)."""
    out = []
    for part in filter(None, text.split(";")):
        fields = part.split(",")
        if len(fields) != 3 or not all(f.lstrip("-").isdigit() for f in fields):
            return None
        first, last, named = map(int, fields)
        out.append((first, last, named))
    return tuple(out)
