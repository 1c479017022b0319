"""The fleet dashboard's lines: pure, from row facts, predicted conflicts and PRs.

`collisions_of` / `describe_collision` group a row's two-row conflicts per other row so
one pair caught by several kinds (plan, diff, textual) reads as one collision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fleetbot.fleet.worktrees import RowFacts
from fleetbot.model import Conflict, ConflictKind, Plan, PullFacts

if TYPE_CHECKING:
    from rich.table import Table


@dataclass(frozen=True)
class StatusRow:
    issue: str
    branch: str
    worktree: str
    ahead: int | None
    behind: int | None
    dirty: bool | None
    dirty_files: tuple[str, ...]
    age_seconds: int | None
    drift: tuple[str, ...]
    collisions: tuple[str, ...]  # "#44 tasks/cli.py (plan)"
    merged: bool
    missing: tuple[str, ...]  # "branch", "worktree"
    pr: str = ""
    ci: str = ""
    review: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "issue": self.issue, "branch": self.branch, "worktree": self.worktree or None,
            "ahead": self.ahead, "behind": self.behind, "dirty": self.dirty,
            "dirty_files": list(self.dirty_files), "last_commit_age": self.age_seconds,
            "drift": list(self.drift), "collisions": list(self.collisions),
            "merged": self.merged, "missing": list(self.missing),
            "pr": self.pr or None, "ci": self.ci or None, "review": self.review or None,
        }


def status_rows(
    plan: Plan,
    facts: Sequence[RowFacts],
    conflicts: Sequence[Conflict],
    *,
    now: int,
    pulls: Sequence[PullFacts] = (),
) -> tuple[StatusRow, ...]:
    """One dashboard line per row from git facts, predicted conflicts and PRs."""
    by_issue = {f.issue: f for f in facts}
    out: list[StatusRow] = []
    for row in plan.rows:
        f = by_issue.get(row.issue) or RowFacts(row.issue, row.branch, False)
        drift = sorted({p for c in conflicts if c.kind is ConflictKind.DRIFT
                        and c.rows == (row.issue,) for p in c.files})
        collisions = [describe_collision(other, group) for other, group
                      in collisions_of(conflicts, row.issue).items()]
        missing = tuple(m for m, gone in (("branch", not f.branch_exists),
                                          ("worktree", not f.worktree)) if gone)
        pull = next((p for p in pulls if p.branch == row.branch), None)
        out.append(StatusRow(
            issue=row.issue, branch=row.branch, worktree=f.worktree,
            ahead=f.ahead, behind=f.behind,
            dirty=None if f.dirty is None else bool(f.dirty), dirty_files=f.dirty or (),
            age_seconds=None if f.last_commit is None else max(0, now - f.last_commit),
            drift=tuple(drift), collisions=tuple(dict.fromkeys(collisions)),
            merged=f.merged, missing=missing,
            pr=f"#{pull.number}" if pull else "", ci=pull.ci.value if pull else "",
            review=pull.review.value if pull else "",
        ))
    return tuple(out)


def collisions_of(conflicts: Sequence[Conflict], me: str) -> dict[str, list[Conflict]]:
    """The two-row conflicts involving `me`, grouped by the other row, in first-seen order."""
    out: dict[str, list[Conflict]] = {}
    for c in conflicts:
        if len(c.rows) > 1 and me in c.rows:
            for other in c.rows:
                if other != me:
                    out.setdefault(other, []).append(c)
    return out


def describe_collision(other: str, group: Sequence[Conflict]) -> str:
    """`#44 tasks/cli.py (plan, textual)`: the other row, the files, the kinds."""
    files = list(dict.fromkeys(f for c in group for f in c.files))
    shown = ",".join(files[:3]) + ("..." if len(files) > 3 else "")
    kinds = ", ".join(dict.fromkeys(c.kind.value for c in group))
    if all(c.expected for c in group):
        kinds += ", expected"
    return f"{other} {shown} ({kinds})".replace("  ", " ")


def format_age(seconds: int | None) -> str:
    if seconds is None:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


# ---------------------------------------------------------------- rendering

HEAD = ("row", "branch", "worktree", "ahead/behind", "tree", "age", "drift", "collisions")
FORGE_HEAD = ("PR", "CI", "review")


def headers(rows: Sequence[StatusRow]) -> tuple[str, ...]:
    """The columns; PR/CI/review only when some row has a PR."""
    return HEAD + (FORGE_HEAD if any(r.pr for r in rows) else ())


def cells(r: StatusRow, *, forge: bool = False) -> list[str]:
    """One row's cells as plain text (renderers escape them)."""
    extra = [r.pr or "-", r.ci or "-", r.review or "-"] if forge else []
    worktree = Path(r.worktree).name if r.worktree else "no worktree"
    if "branch" in r.missing:
        return [r.issue, f"{r.branch} (no branch)", worktree, "-", "-", "-", "-",
                ", ".join(r.collisions) or "-", *extra]
    dirty = "-" if r.dirty is None else (f"dirty ({len(r.dirty_files)})" if r.dirty else "clean")
    state = "merged" if r.merged else f"+{r.ahead}/-{r.behind}"
    return [r.issue, r.branch, worktree, state, dirty, format_age(r.age_seconds),
            ", ".join(r.drift) or "-", ", ".join(r.collisions) or "-", *extra]


def render_plain(rows: Sequence[StatusRow], target: str) -> str:
    """Aligned columns for a pipe or a log: never wrapped."""
    from fleetbot.render.escape import terminal

    head = headers(rows)
    table = [list(head), *([terminal(c) for c in cells(r, forge=len(head) > len(HEAD))]
                           for r in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(head))]
    lines = [f"fleet status (target {terminal(target)})"]
    lines += ["  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in table]
    return "\n".join(lines)


def render_markdown(rows: Sequence[StatusRow], target: str) -> str:
    from fleetbot.render.escape import code, md

    head = headers(rows)
    lines = [f"### Fleet status (target {code(target)})", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        lines.append("| " + " | ".join(md(c) for c in cells(r, forge=len(head) > len(HEAD)))
                     + " |")
    return "\n".join(lines)


def render_table(rows: Sequence[StatusRow], target: str) -> Table:
    """A rich Table for a terminal (and `--watch`)."""
    from rich.markup import escape
    from rich.table import Table

    from fleetbot.render.escape import terminal

    head = headers(rows)
    table = Table(title=f"fleet status (target {escape(terminal(target))})",
                  title_justify="left")
    for name in head:
        table.add_column(name)
    for r in rows:
        table.add_row(*(escape(terminal(c)) for c in cells(r, forge=len(head) > len(HEAD))))
    return table
