"""The fleet dashboard's lines: pure, from row facts, predicted conflicts and PRs.

`collisions_of` / `describe_collision` group a row's two-row conflicts per other row so
one pair caught by several kinds (plan, diff, textual) reads as one collision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from fleetbot.analysis.collisions import pair_conflicts
from fleetbot.analysis.stack import Restack
from fleetbot.fleet.worktrees import RowFacts
from fleetbot.frozen import frozen
from fleetbot.model import Conflict, ConflictKind, Plan, PullFacts
from fleetbot.render.common import give_way

if TYPE_CHECKING:
    from rich.console import Group
    from rich.table import Table


@frozen
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
    merged: bool  # landed on the target, by any merge style
    missing: tuple[str, ...]  # "branch", "worktree"
    landed: str = ""  # how it landed: `squash-merged in 1a2b3c4`
    pr: str = ""
    ci: str = ""
    review: str = ""
    partners: tuple[str, ...] = ()  # "#44 (textual)": the other row, the strongest kind
    restack: str = ""  # the `git rebase --onto` that replays only what has not landed
    restack_why: str = ""  # `Restack.describe()`: why, ending in "restack it with"

    def as_json(self) -> dict[str, object]:
        return {
            "issue": self.issue, "branch": self.branch, "worktree": self.worktree or None,
            "ahead": self.ahead, "behind": self.behind, "dirty": self.dirty,
            "dirty_files": list(self.dirty_files), "last_commit_age": self.age_seconds,
            "drift": list(self.drift), "collisions": list(self.collisions),
            "merged": self.merged, "landed": self.landed or None,
            "missing": list(self.missing),
            "pr": self.pr or None, "ci": self.ci or None, "review": self.review or None,
            "restack": self.restack or None,
        }


def status_rows(
    plan: Plan,
    facts: Sequence[RowFacts],
    conflicts: Sequence[Conflict],
    *,
    now: int,
    pulls: Sequence[PullFacts] = (),
    restacks: Sequence[Restack] = (),
) -> tuple[StatusRow, ...]:
    """One dashboard line per row from git facts, predicted conflicts and PRs; a row
    that must be restacked (`analysis.stack`) says so instead of "rebase"."""
    by_issue = {f.issue: f for f in facts}
    again = {r.issue: r for r in restacks}
    out: list[StatusRow] = []
    for row in plan.rows:
        f = by_issue.get(row.issue) or RowFacts(row.issue, row.branch, False)
        drift = drift_of(conflicts, row.issue)
        fix = "restack" if row.issue in again else "rebase"
        onto_target = target_conflicts_of(conflicts, row.issue, fix)
        collisions = [*onto_target, *(describe_collision(other, group) for other, group
                                      in collisions_of(conflicts, row.issue).items())]
        restack = again.get(row.issue)
        partners = (*([f"target ({fix})"] if onto_target else []),
                    *(f"{c.rows[1] if c.rows[0] == row.issue else c.rows[0]} "
                      f"({c.kind.value})" for c in pair_conflicts(conflicts)
                      if row.issue in c.rows))
        missing = tuple(m for m, gone in (("branch", not f.branch_exists),
                                          ("worktree", not f.worktree)) if gone)
        pull = next((p for p in pulls if p.branch == row.branch), None)
        out.append(StatusRow(
            issue=row.issue, branch=row.branch, worktree=f.worktree,
            ahead=f.ahead, behind=f.behind,
            dirty=None if f.dirty is None else bool(f.dirty), dirty_files=f.dirty or (),
            age_seconds=None if f.last_commit is None else max(0, now - f.last_commit),
            drift=tuple(drift), collisions=tuple(dict.fromkeys(collisions)),
            merged=f.merged, missing=missing, landed=f.landed,
            pr=f"#{pull.number}" if pull else "", ci=pull.ci.value if pull else "",
            review=pull.review.value if pull else "", partners=partners,
            restack=restack.command if restack else "",
            restack_why=restack.describe() if restack else "",
        ))
    return tuple(out)


def drift_of(conflicts: Sequence[Conflict], me: str) -> list[str]:
    """The files `me` changed but does not own, whether no row owns them (`notes.txt`) or
    another row does (`README.md (#43's)`): drift is the drifting row's to fix, so it
    shows on that row, not only among the other row's collisions."""
    out: dict[str, None] = {}
    for c in conflicts:
        if c.kind is ConflictKind.DRIFT and c.rows and c.rows[0] == me:
            owners = "".join(f" ({o}'s)" for o in c.rows[1:])
            out.update((f"{p}{owners}", None) for p in c.files)
    return sorted(out)


def target_conflicts_of(conflicts: Sequence[Conflict], me: str, fix: str = "rebase",
                        ) -> list[str]:
    """`target tasks/cli.py (rebase)`: `me` no longer merges onto the target, as `order`
    and `check` say; the row's to fix (`fix` it), so it shows on that row."""
    files = [f for c in conflicts if c.kind is ConflictKind.TARGET and c.rows == (me,)
             for f in c.files]
    if not files:
        return []
    unique = list(dict.fromkeys(files))
    return [f"target {','.join(unique[:3])}{'...' if len(unique) > 3 else ''} ({fix})"]


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


def cells(r: StatusRow, *, forge: bool = False, compact: bool = False) -> list[str]:
    """One row's cells as plain text (renderers escape them); `compact` for a narrow
    console: each collision as its row and strongest kind, without the files."""
    extra = [r.pr or "-", r.ci or "-", r.review or "-"] if forge else []
    worktree = Path(r.worktree).name if r.worktree else ("none" if compact else "no worktree")
    if compact:
        r = replace(r, collisions=r.partners)
    if r.merged and "branch" in r.missing:  # landed, branch deleted since
        return [r.issue, f"{r.branch} (deleted)", worktree, "landed", "-", "-", "-", "-",
                *extra]
    if "branch" in r.missing:
        shown = f"{r.branch} (no branch)" if r.branch else "(not decided yet)"
        return [r.issue, shown, worktree, "-", "-", "-", "-",
                ", ".join(r.collisions) or "-", *extra]
    dirty = "-" if r.dirty is None else (f"dirty ({len(r.dirty_files)})" if r.dirty else "clean")
    state = "landed" if r.merged else f"+{r.ahead}/-{r.behind}"
    return [r.issue, r.branch, worktree, state, dirty, format_age(r.age_seconds),
            ", ".join(r.drift) or "-", ", ".join(r.collisions) or "-", *extra]


# When the table is wider than the console: compact cells first, then these columns go,
# then these give way down to a floor; the useful parts (row, branch, state, drift) stay.
_DROP = ("worktree", "age", "tree", "review")
_GIVE = (("collisions", 16), ("branch", 24), ("drift", 14), ("branch", 16))


def _widths(grid: Sequence[Sequence[str]]) -> list[int]:
    from rich.cells import cell_len

    return [max(cell_len(line[i]) for line in grid) for i in range(len(grid[0]))]


def fit_grid(rows: Sequence[StatusRow], width: int | None, gap: int = 2,
             ) -> tuple[list[list[str]], list[int]]:
    """The header and cells (escaped) and each column's width, within `width` cells
    (None: as wide as the cells) when columns are `gap` apart."""
    from fleetbot.render.escape import terminal

    head = headers(rows)
    forge = len(head) > len(HEAD)

    def grid_of(compact: bool) -> list[list[str]]:
        return [list(head), *([terminal(c) for c in cells(r, forge=forge, compact=compact)]
                              for r in rows)]

    def over(grid: Sequence[Sequence[str]], widths: Sequence[int]) -> int:
        return sum(widths) + gap * (len(widths) - 1) - (width or 0)

    grid = grid_of(False)
    if width is None or over(grid, _widths(grid)) <= 0:
        return grid, _widths(grid)
    grid = grid_of(True)
    for name in _DROP:
        if over(grid, _widths(grid)) <= 0:
            break
        if name in grid[0]:
            at = grid[0].index(name)
            grid = [line[:at] + line[at + 1:] for line in grid]
    room = width - gap * (len(grid[0]) - 1)
    return grid, give_way(_widths(grid), [(grid[0].index(n), f) for n, f in _GIVE
                                          if n in grid[0]], room)


def fit_cell(text: str, width: int, *, name: str = "") -> str:
    """`text` within `width` cells: a branch keeps its start and end (`feature/…-clear`),
    anything else keeps whole words and ends in `…`; never a word cut in two."""
    from rich.cells import cell_len

    from fleetbot.render.common import middle

    if cell_len(text) <= width:
        return text
    if name == "branch":
        return middle(text, width)
    kept = ""
    for word in text.split(" "):
        longer = f"{kept} {word}" if kept else word
        if cell_len(longer.rstrip(",")) + 1 > width:
            break
        kept = longer
    return (kept.rstrip(",") + "…") if kept else middle(text, width)


def restack_lines(rows: Sequence[StatusRow]) -> list[tuple[str, str]]:
    """(`#42: this branch's commits up to 4cd3222 have landed (...): restack it with`,
    the command), one per row to restack: what the table has no room for. Each renderer
    escapes both and keeps the command whole."""
    return [(f"{r.issue}: {r.restack_why}", r.restack) for r in rows if r.restack]


def render_plain(rows: Sequence[StatusRow], target: str, width: int | None = None) -> str:
    """Aligned columns for a pipe or a log, within `width` (None: never cut); below
    them, each restack, wrapped at `width` (a command kept whole on its own line)."""
    import textwrap

    from rich.cells import cell_len

    from fleetbot.render.escape import terminal

    grid, widths = fit_grid(rows, width)
    lines = [f"fleet status (target {terminal(target)})"]
    for line in grid:
        shown = [fit_cell(c, w, name=n) for c, w, n in zip(line, widths, grid[0], strict=True)]
        lines.append("  ".join(c + " " * (w - cell_len(c))
                               for c, w in zip(shown, widths, strict=True)).rstrip())
    for why, command in restack_lines(rows):
        lines += [*(textwrap.wrap(terminal(why), width) if width else [terminal(why)]),
                  f"  {terminal(command)}"]
    return "\n".join(lines)


def render_markdown(rows: Sequence[StatusRow], target: str) -> str:
    from fleetbot.render.escape import code, md

    head = headers(rows)
    lines = [f"### Fleet status (target {code(target)})", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        lines.append("| " + " | ".join(md(c) for c in cells(r, forge=len(head) > len(HEAD)))
                     + " |")
    again = restack_lines(rows)
    if again:
        lines += ["", *(f"- {md(why)} {code(command, table=False)}" for why, command in again)]
    return "\n".join(lines)


def render_table(rows: Sequence[StatusRow], target: str, width: int | None = None,
                 ) -> Table | Group:
    """A rich Table for a terminal (and `--watch`), within `width`: the same cells as
    `render_plain`, fitted the same way (cut at whole words, a branch in the middle);
    each restack below it."""
    from rich.console import Group
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    from fleetbot.render.escape import terminal

    # each column costs its border and padding (3 cells) besides its text, plus 1 edge
    grid, widths = fit_grid(rows, None if width is None else width - 4, gap=3)
    table = Table(title=f"fleet status (target {escape(terminal(target))})",
                  title_justify="left")
    for name, w in zip(grid[0], widths, strict=True):
        table.add_column(name, overflow="ellipsis", no_wrap=True, max_width=w)
    for line in grid[1:]:
        table.add_row(*(escape(fit_cell(c, w, name=n))
                        for c, w, n in zip(line, widths, grid[0], strict=True)))
    again = [text for why, command in restack_lines(rows) for text in (
        Text(terminal(why)),
        # a command to copy: never wrapped (print it with crop=False, never cut either)
        Text(f"  {terminal(command)}", no_wrap=True, overflow="ignore"))]
    return Group(table, *again) if again else table
