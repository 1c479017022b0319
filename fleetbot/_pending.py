"""TEMPORARY stand-ins for the lead's `fleetbot.lint.joints`, `fleetbot.globs.owners`,
`fleetbot.globs.row_owns` and `fleetbot.plan.dependency_path` (issue 2), so conflict
prediction can be built and tested before they land. Delete after merging main.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pathspec

from fleetbot.model import Plan, Row


@dataclass(frozen=True)
class Joint:
    a: Row
    b: Row
    patterns: tuple[str, str]
    example: str


@lru_cache(maxsize=1024)
def _spec(pattern: str) -> Any:
    return pathspec.GitIgnoreSpec.from_lines([pattern])


def _sample(pattern: str) -> str:
    return pattern.strip("/").replace("**", "x").replace("*", "x").replace("?", "x")


def patterns_overlap(a: str, b: str) -> bool:
    return a == b or _spec(a).match_file(_sample(b)) or _spec(b).match_file(_sample(a))


def row_owns(row: Row, path: str) -> bool:
    return any(_spec(p).match_file(path) for p in row.patterns)


def owners(plan: Plan, path: str) -> tuple[Row, ...]:
    return tuple(r for r in plan.rows if row_owns(r, path))


def dependency_path(plan: Plan, a: Row, b: Row) -> bool:
    def reaches(src: Row, dst: Row) -> bool:
        seen: set[str] = set()
        stack = [src]
        while stack:
            row = stack.pop()
            for dep in plan.dependencies(row):
                if dep.issue == dst.issue:
                    return True
                if dep.issue not in seen:
                    seen.add(dep.issue)
                    stack.append(dep)
        return False

    return reaches(a, b) or reaches(b, a)


def joints(plan: Plan) -> list[Joint]:
    out: list[Joint] = []
    rows = plan.rows
    for i, a in enumerate(rows):
        for b in rows[i + 1:]:
            if dependency_path(plan, a, b):
                continue
            for pa in a.patterns:
                hit = next((pb for pb in b.patterns if patterns_overlap(pa, pb)), None)
                if hit is not None:
                    example = pa if "*" not in pa else hit if "*" not in hit else _sample(pa)
                    out.append(Joint(a, b, (pa, hit), example))
                    break
    return out
