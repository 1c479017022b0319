"""The terminal rendering: rich tables, colour only on a tty, NO_COLOR honoured.

Every string from the plan or git goes in as `rich.text.Text`, never as markup, so a
branch called `[bold]x` prints as written, and through `escape.terminal` first, so a path
with terminal escapes or a `::error::` line prints as harmless text.
"""

from __future__ import annotations

import io

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


def renderables(report: Report) -> list[RenderableType]:
    """The report as rich renderables: verdict, your branch, order, replay, details."""
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
            out.append(_t(f"  • {m}"))
    out.append(Text(""))
    out.append(_order_table(report))
    if report.landed:
        out.append(Text("Landed: " + "; ".join(common.landed_lines(report)), style="green"))
    if report.replay is not None:
        r = report.replay
        if r.clean:
            out.append(_t(f"Replay: the whole fan-in merges cleanly onto {report.target}.",
                            style="green"))
        else:
            stops = common.stop_lines(report)
            out.append(_t(
                f"Replay: the fan-in onto {report.target} needs "
                f"{common.plural(len(stops), 'resolution')}: {'; '.join(stops)}.",
                style="red"))
    if report.conflicts:
        out.append(_conflicts_table(report))
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
    console.print(Group(*renderables(report)))


def _order_table(report: Report) -> Table | Text:
    if not report.order:
        return Text("Nothing left to merge.")
    table = Table(title=terminal(f"Merge order into {report.target}"), title_justify="left")
    with_ci = bool(report.pulls)
    with_blocked = any(s.blocked_by for s in report.order)
    table.add_column("#", no_wrap=True)
    rows = [report.plan.by_issue(s.issue) for s in report.order]
    you = 6 if report.current_issue is not None else 0
    widest_label = max((len(r.label) + you for r in rows if r is not None), default=4)
    widest_mark = max(len(common.conflict_mark(report, s.issue)) for s in report.order)
    widest_branch = max(len(s.branch) for s in report.order)
    table.add_column("Row", overflow="fold", min_width=min(widest_label, 16), max_width=24)
    table.add_column("Branch", overflow="fold", min_width=min(widest_branch, 16),
                     max_width=30)
    if with_ci:
        table.add_column("CI", no_wrap=True)
    table.add_column("Conflicts", overflow="fold", min_width=min(widest_mark, 12),
                     max_width=24)
    table.add_column("Why here", overflow="fold", min_width=16)
    if with_blocked:
        table.add_column("Blocked by", overflow="fold", max_width=24)
    for s in report.order:
        row = report.plan.by_issue(s.issue)
        label = row.label if row is not None else s.issue
        you = s.issue == report.current_issue
        stop = report.replay is not None and s.position in {
            x.position for x in report.replay.stops}
        cells = [
            Text(f"{s.position}{' ⛔' if stop else ''}"),
            _t(label + (" (you)" if you else ""), style="bold" if you else ""),
            _t(s.branch),
        ]
        if with_ci:
            cells.append(_t(common.ci_mark(report, row)))
        cells += [
            _t(common.conflict_mark(report, s.issue), style="yellow"),
            _lines(list(s.reasons)),
        ]
        if with_blocked:
            cells.append(_t(", ".join(b.describe() for b in s.blocked_by), style="red"))
        table.add_row(*cells)
    return table


def _conflicts_table(report: Report) -> Table:
    table = Table(title="Conflicts", title_justify="left")
    for name in ("Kind", "What", "Check with"):
        table.add_column(name, overflow="fold")
    for c in report.conflicts:
        style = "red" if c.blocking else "yellow"
        what = common.explain(c, report.target)
        table.add_row(Text(c.kind.value, style=style), _t(what), _t(c.evidence, style="dim"))
    return table


def _findings_table(report: Report) -> Table:
    table = Table(title="Plan findings", title_justify="left")
    for name in ("", "Where", "Finding"):
        table.add_column(name, overflow="fold")
    for f in report.findings:
        style = "red" if f.severity is Severity.ERROR else "yellow"
        where = f"{f.file or report.plan.source}:{f.line}" if f.line else (
            f.file or report.plan.source)
        text = [f.message, *([f"fix: {f.hint}"] if f.hint else [])]
        table.add_row(Text(f.severity.value, style=style), _t(where), _lines(text))
    return table
