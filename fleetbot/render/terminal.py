"""The terminal rendering: rich tables, colour only on a tty, NO_COLOR honoured.

Every string from the plan or git goes in as `rich.text.Text`, never as markup, so a
branch called `[bold]x` prints as written, and through `escape.terminal` first, so a path
with terminal escapes or a `::error::` line prints as harmless text.

Everything fits the console's width (80 columns, more when there is room): cells wrap at
whole words (rich's `ellipsis` overflow never folds a word; a word longer than its cell
ends in `…`), branch names are shortened in the middle, and the evidence commands are
listed under the conflicts table rather than squeezed into a column.
"""

from __future__ import annotations

import io

from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from fleetbot.model import Report, Severity
from fleetbot.render import common
from fleetbot.render.escape import terminal

STYLE = {common.OK: "green", common.WARNING: "yellow", common.ERROR: "red"}


def _t(text: str, style: str = "") -> Text:
    """Untrusted text as a rich Text on one line: a newline in it is shown as `\\n`."""
    return Text(terminal(text), style=style)


def _lines(lines: list[str], style: str = "") -> Text:
    """Several untrusted texts as one Text, one per line."""
    return Text("\n".join(terminal(line) for line in lines), style=style)


ROOMY = 110  # from this width on, cells get the room of a wide terminal


def renderables(report: Report, width: int = 100) -> list[RenderableType]:
    """The report as rich renderables for a console `width` wide: verdict, your branch,
    order, replay, details."""
    v = common.verdict(report)
    out: list[RenderableType] = [
        Text.assemble((f"{common.ICON[v.level]} fleetbot: ", "bold"),
                      (terminal(v.summary), STYLE[v.level]))
    ]
    if report.current_issue is not None:
        row = report.plan.by_issue(report.current_issue)
        who = row.label if row is not None else report.current_issue
        out.append(_lines(["", f"Your branch ({who}):"], style="bold"))
        for m in common.current_messages(report):
            out.append(_t(f"  • {m.text}"))
            if m.command:  # on a line of its own, never wrapped: it is copied whole
                out.append(Text(f"      {terminal(m.command)}", no_wrap=True,
                                overflow="ignore"))
    out.append(Text(""))
    out.append(_order_table(report, width))
    if report.landed:
        out.append(Text("Landed: " + "; ".join(common.landed_lines(report)), style="green"))
    if report.replay is not None:
        r = report.replay
        if r.clean:
            out.append(_t(common.clean_replay_line(report, report.target), style="green"))
        else:
            stops = common.stop_lines(report)
            out.append(_t(
                f"Replay: the fan-in onto {report.target} needs "
                f"{common.plural(len(stops), 'resolution')}: {'; '.join(stops)}.",
                style="red"))
    if report.conflicts:
        out += _conflicts_table(report)
    if report.findings:
        out.append(_findings_table(report))
    for issue in report.missing_branches:
        out.append(_t(f"note: branch missing for {issue}", style="dim"))
    for note in report.notes:
        out.append(_t(f"note: {note}", style="dim"))
    return out


def render_text(report: Report, *, width: int = 100, color: bool = False) -> str:
    """The terminal rendering as a string (plain unless `color`), for tests and pipes."""
    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=color, no_color=not color,
                      highlight=False, color_system="standard" if color else None)
    print_report(report, console)
    return buf.getvalue()


def print_report(report: Report, console: Console) -> None:
    """Wrapped to the console's width by rich itself (never left to the terminal), so a
    pipe or a log gets the same lines as the screen; a command to copy is never wrapped
    nor cut (`crop=False`): it stays whole on its own line, however long."""
    console.print(Group(*renderables(report, console.width)), soft_wrap=False, crop=False)


def _width(cells: list[Text], header: str) -> int:
    """The widest line among `cells` and the header, in terminal cells."""
    return max([cell_len(header), *(cell_len(line) for c in cells
                                    for line in c.plain.splitlines() or [""])])


def _order_table(report: Report, width: int) -> Table | Text:
    """The order, each column as wide as it needs up to a cap; when the console is too
    narrow, the reasons, labels, conflict marks and branch names give way in that order
    (rich then wraps each cell at whole words within its width)."""
    if not report.order:
        return Text("Nothing left to merge.")
    roomy = width >= ROOMY
    # a narrow console says the blockers under the reasons rather than in a column
    with_blocked = roomy and any(s.blocked_by for s in report.order)
    stops = {x.position for x in report.replay.stops} if report.replay is not None else set()
    cols: dict[str, list[Text]] = {"#": [], "Row": [], "Branch": []}
    if report.pulls:
        cols["CI"] = []
    cols["Conflicts"], cols["Why here"] = [], []
    if with_blocked:
        cols["Blocked by"] = []
    for s in report.order:
        row = report.plan.by_issue(s.issue)
        label = row.label if row is not None else s.issue
        you = s.issue == report.current_issue
        cols["#"].append(Text(f"{s.position}{' ⛔' if s.position in stops else ''}"))
        cols["Row"].append(_t(label + (" (you)" if you else ""), style="bold" if you else ""))
        cols["Branch"].append(_t(s.branch or "(not decided)"))
        if "CI" in cols:
            cols["CI"].append(_t(common.ci_mark(report, row)))
        cols["Conflicts"].append(_t(common.conflict_mark(report, s.issue), style="yellow"))
        blocked = ", ".join(b.describe() for b in s.blocked_by)
        why = _lines(list(s.reasons))
        if blocked and not with_blocked:
            why.append("\n")
            why.append_text(_t(f"blocked by {blocked}", style="red"))
        cols["Why here"].append(why)
        if with_blocked:
            cols["Blocked by"].append(_t(blocked, style="red"))
    names = list(cols)
    cap = {"Row": 32 if roomy else 16, "Branch": 40 if roomy else 22,
           "Conflicts": 32 if roomy else 18, "Why here": 72, "Blocked by": 24}
    want = [min(_width(cols[n], n), cap.get(n, width)) for n in names]
    floors = [("Why here", 24), ("Row", 10), ("Why here", 18), ("Conflicts", 10),
              ("Branch", 16), ("Why here", 16)]
    room = width - 3 * len(names) - 1  # borders and padding
    sizes = common.give_way(want, [(names.index(n), min(f, want[names.index(n)]))
                                   for n, f in floors if n in names], room)
    table = Table(title=terminal(f"Merge order into {report.target}"), title_justify="left")
    for name, size in zip(names, sizes, strict=True):
        table.add_column(name, width=size, no_wrap=name in ("#", "Branch", "CI"),
                         overflow="ellipsis")
    at = names.index("Branch")
    for k in range(len(report.order)):
        cells = [cols[n][k] for n in names]
        cells[at] = Text(common.middle(cells[at].plain, sizes[at]))
        table.add_row(*cells)
    return table


def _conflicts_table(report: Report) -> list[RenderableType]:
    """The conflicts, then the command that shows each one, numbered, under the table:
    a command is copied whole, so it is never cut into a narrow column."""
    table = Table(title="Conflicts", title_justify="left")
    table.add_column("Kind", no_wrap=True)
    table.add_column("What", overflow="ellipsis")
    table.add_column("Check", no_wrap=True)
    numbers: dict[str, int] = {}  # a command shared by several conflicts is listed once
    for c in report.conflicts:
        style = "red" if c.blocking else "yellow"
        what = common.explain(c, report.target)
        ref = f"[{numbers.setdefault(c.evidence, len(numbers) + 1)}]" if c.evidence else ""
        table.add_row(Text(c.kind.value, style=style), _t(what), Text(ref, style="dim"))
    out: list[RenderableType] = [table]
    if numbers:
        out.append(Text("Check with:", style="dim"))
        # commands to copy: each whole on its line, never wrapped (`print_report`: no crop)
        out += [Text(terminal(f"[{n}] {cmd}"), style="dim", no_wrap=True, overflow="ignore")
                for cmd, n in numbers.items()]
    return out


def _findings_table(report: Report) -> Table:
    table = Table(title="Plan findings", title_justify="left")
    table.add_column("", no_wrap=True)
    table.add_column("Where", overflow="ellipsis", max_width=28)
    table.add_column("Finding", overflow="ellipsis")
    for f in report.findings:
        style = "red" if f.severity is Severity.ERROR else "yellow"
        where = f"{f.file or report.plan.source}:{f.line}" if f.line else (
            f.file or report.plan.source)
        text = [f.message, *([f"fix: {f.hint}"] if f.hint else [])]
        table.add_row(Text(f.severity.value, style=style), _t(where), _lines(text))
    return table
