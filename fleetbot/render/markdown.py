"""The Markdown renderings: the full report (job summary, docs) and the sticky PR comment.

Both open with the verdict, keep the scannable part short, and fold the rest into
`<details>`. Every piece of text from a branch, path, title or plan cell is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from fleetbot.analysis.collisions import pair_conflicts
from fleetbot.analysis.order import FREE
from fleetbot.analysis.stack import restack
from fleetbot.model import ConflictKind, Report, Row, Status
from fleetbot.render import common
from fleetbot.render.escape import code, md, mermaid

MARKER = "<!-- fleetbot -->"


SUMMARY_LIMIT = 1_000_000  # the runner drops a job summary over 1 MiB whole


def render_report(report: Report) -> str:
    """The whole report: verdict, order table, replay, Mermaid graph, folded details."""
    v = common.verdict(report)
    parts = [f"### {common.ICON[v.level]} fleetbot: {md(v.summary)}", ""]
    if report.current_issue is not None:
        parts += [*_current(report), ""]
    parts += _order_section(report)
    parts += _landed(report)
    parts += ["", *_graph(report), "", *_details(report)]
    return "\n".join(parts).rstrip() + "\n"


COMMENT_LIMIT = 65_536  # GitHub rejects a longer comment body (422)


def render_pr_comment(report: Report, issue: str, *, extra: Sequence[str] = (),
                      limit: int = COMMENT_LIMIT, more_url: str = "") -> str:
    """The sticky comment for one PR: its own collisions first (and `extra` lines: the
    issue link, what a merged dependency means), then the fleet order, then the fleet's
    details folded; always within `limit` characters (see `fit`)."""
    head = "\n\n".join(x.rstrip() for x in (pr_comment_head(report, issue), *extra) if x)
    return fit(head, pr_comment_details(report), limit=limit, more_url=more_url)


def pr_comment_head(report: Report, issue: str) -> str:
    """This PR's part: its verdict, collisions, blockers, the inline order, the replay."""
    row = report.plan.by_issue(issue)
    step = common.step_of(report, issue)
    label = md(row.label) if row is not None else md(issue)
    where = f"merge {step.position} of {len(report.order)}" if step is not None else (
        "merged" if row is not None and row.status is Status.MERGED else "not in the order")
    lines = [MARKER, f"### {common.ICON[_level(report, issue)]} fleetbot: {label}: {where}", ""]
    mine = common.row_conflicts(report, issue)
    for c in mine:
        icon = "❌" if c.blocking else "⚠️"
        lines.append(f"- {icon} {md(common.describe(c, report.target))}")
    again = restack(report, issue)
    if again is not None:
        lines.append(f"- 🔁 {md(again.describe())} {code(again.command, table=False)}")
    if step is not None:
        lines += [f"- ⛔ blocked by {md(b.describe())}" for b in step.blocked_by]
        lines += [f"- {md(r)}" for r in step.reasons if r != FREE]
    if not mine:
        lines.append("- ✅ no collisions predicted for this branch")
    lines += ["", f"**Fleet order into {code(report.target, table=False)}:** "
              + _inline_order(report, issue)]
    if report.replay is not None:
        lines.append("")
        lines.append(_replay_line(report))
    return "\n".join(lines).rstrip() + "\n"


@lru_cache(maxsize=2)
def pr_comment_details(report: Report) -> str:
    """The fleet's part, folded: the order table, the graph, conflicts and findings. The
    same for every PR of one refresh, so rendered once per report (comments for N PRs
    would otherwise render it N times)."""
    v = common.verdict(report)
    lines = [f"<details><summary>Fleet details: {md(v.summary)}</summary>", ""]
    lines += _order_section(report, with_replay=False)
    lines += _landed(report)
    lines += ["", *_graph(report), "", *_details(report, folded=False), "</details>"]
    return "\n".join(lines).rstrip() + "\n"


def fit(head: str, details: str, *, limit: int = COMMENT_LIMIT, more_url: str = "") -> str:
    """`head` then `details` within `limit` characters: the details go first, then the
    head is cut at a line, each time with one line that points at the full report."""
    whole = head.rstrip() + "\n\n" + details if details else head
    if len(whole) <= limit:
        return whole
    where = f"[the run's job summary]({more_url})" if more_url else "the run's job summary"
    more = f"\n\n*The full fleet report is too long for a comment: see {where}.*\n"
    if len(head.rstrip()) + len(more) <= limit:
        return head.rstrip() + more
    cut = head[: limit - len(more)]
    cut = cut[: cut.rfind("\n")] if "\n" in cut else cut
    return cut.rstrip() + more


# ------------------------------------------------------------------ pieces


def _landed(report: Report) -> list[str]:
    if not report.landed:
        return []
    return ["", "**Landed:** " + "; ".join(md(line) for line in common.landed_lines(report))]


def _level(report: Report, issue: str) -> str:
    """The PR's own level: error if it blocks, warning if it collides, else ok."""
    mine = common.row_conflicts(report, issue)
    step = common.step_of(report, issue)
    if any(c.blocking for c in mine) or (report.replay and report.replay.stops_at_issue == issue):
        return common.ERROR
    if mine or (step is not None and step.blocked_by):
        return common.WARNING
    return common.OK


def _current(report: Report) -> list[str]:
    issue = report.current_issue or ""
    row = report.plan.by_issue(issue)
    who = md(row.label) if row is not None else md(issue)
    msgs = common.current_messages(report)
    return [f"**Your branch ({who}):**",
            *(f"- {md(m.text)}" + (f" {code(m.command, table=False)}" if m.command else "")
              for m in msgs)]


def _inline_order(report: Report, issue: str) -> str:
    if not report.order:
        return "nothing left to merge"
    out = []
    for s in report.order:
        text = f"{s.position}. {md(s.issue)}"
        out.append(f"**{text} (this PR)**" if s.issue == issue else text)
    return " → ".join(out)


def _replay_line(report: Report) -> str:
    r = report.replay
    assert r is not None
    target = code(report.target, table=False)
    if r.clean:
        return common.clean_replay_line(report, target)
    stops = [f"step {s.position} ({md(s.issue)}) on "
             f"{', '.join(code(f, table=False) for f in s.files) or 'unknown files'}"
             for s in r.stops]
    n = len(stops)
    return (f"Replay: the fan-in onto {target} needs {common.plural(n, 'resolution')} "
            f"(each resolved keeping both sides, the rest go on): {'; '.join(stops)}.")


def _order_section(report: Report, *, with_replay: bool = True) -> list[str]:
    if not report.order:
        return ["Nothing left to merge."]
    lines = [
        "| # | Row | Branch | CI | Conflicts | Why here | Blocked by |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in report.order:
        row = report.plan.by_issue(s.issue)
        label = md(row.label) if row is not None else md(s.issue)
        if s.issue == report.current_issue:
            label = f"**{label}** (you)"
        stop = " ⛔" if report.replay is not None and s.position in {
            x.position for x in report.replay.stops} \
            else ""
        lines.append(
            f"| {s.position}{stop} | {label} | {code(s.branch) or '_not decided_'} "
            f"| {common.ci_mark(report, row)} "
            f"| {md(common.conflict_mark(report, s.issue))} "
            f"| {'<br>'.join(md(r) for r in s.reasons)} "
            f"| {', '.join(md(b.describe()) for b in s.blocked_by)} |"
        )
    if with_replay and report.replay is not None:
        lines += ["", _replay_line(report)]
    return lines


def _node(index: dict[str, int], issue: str) -> str:
    return f"r{index[issue]}"


def _graph(report: Report) -> list[str]:
    """A Mermaid flowchart: dependencies solid, collisions dashed; merged rows grey."""
    rows = report.plan.rows
    if not rows:
        return []
    index = {row.issue: i for i, row in enumerate(rows)}
    lines = ["```mermaid", "flowchart LR"]
    steps = {step.issue: step.position for step in report.order}
    for row in rows:
        label = _node_label(row)
        if row.issue in steps:  # the order, readable in the graph
            label = f"step {steps[row.issue]} · {label}"
        lines.append(f'  {_node(index, row.issue)}["{mermaid(label)}"]')
    for row in rows:
        for dep in report.plan.dependencies(row):
            lines.append(f"  {_node(index, dep.issue)} --> {_node(index, row.issue)}")
    pairs = sorted(pair_conflicts(report.conflicts),
                   key=lambda c: c.kind is not ConflictKind.TEXTUAL)
    for c in pairs[:MAX_EDGES]:
        if not all(r in index for r in c.rows):
            continue
        a, b = (_node(index, r) for r in c.rows)
        files = ", ".join(c.files[:2]) + (" …" if len(c.files) > 2 else "")
        label = f"{c.kind.value}: {files}" if files else c.kind.value
        lines.append(f'  {a} -.-|"{mermaid(label)}"| {b}')
    stale = {c.rows[0] for c in report.conflicts if c.kind is ConflictKind.TARGET and c.rows}
    merged = [_node(index, r.issue) for r in rows if r.status is Status.MERGED]
    stale_nodes = [_node(index, i) for i in stale if i in index]
    if merged:
        lines += ["  classDef merged fill:#eee,stroke:#999,color:#666",
                  f"  class {','.join(merged)} merged"]
    if stale_nodes:
        lines += ["  classDef stale stroke:#d73a49,stroke-width:2px",
                  f"  class {','.join(sorted(stale_nodes))} stale"]
    if len(pairs) > MAX_EDGES:
        lines.append(f"  %% {len(pairs) - MAX_EDGES} more collisions: see Conflicts")
    lines.append("```")
    return lines


def _node_label(row: Row) -> str:
    suffix = " (merged)" if row.status is Status.MERGED else ""
    return f"{row.label}{suffix}"


HOT = 4  # a file more rows than this touch is said once, not pair by pair
MAX_LISTED = 30  # conflicts listed one by one in a fold; the rest are counted
MAX_EDGES = 60  # collision edges drawn in the graph


def hot_files(report: Report) -> dict[str, frozenset[str]]:
    """file -> the rows whose plan or diff conflicts name it, for files more than HOT
    rows touch: reports grow with rows, not with pairs."""
    rows: dict[str, set[str]] = {}
    for c in report.conflicts:
        if c.kind in (ConflictKind.PLAN, ConflictKind.DIFF) and len(c.rows) == 2:
            for f in c.files:
                rows.setdefault(f, set()).update(c.rows)
    return {f: frozenset(r) for f, r in rows.items() if len(r) > HOT}


def _hot_lines(report: Report, hot: dict[str, frozenset[str]]) -> list[str]:
    out = []
    for path, rows in sorted(hot.items()):
        textual = sorted({tuple(c.rows) for c in report.conflicts
                          if c.kind is ConflictKind.TEXTUAL and path in c.files})
        shown = ", ".join(f"{md(a)}/{md(b)}" for a, b in textual[:8])
        more = f" and {len(textual) - 8} more" if len(textual) > 8 else ""
        collide = (f"; {common.plural(len(textual), 'pair')} "
                   f"{'collides' if len(textual) == 1 else 'collide'} textually: {shown}{more}"
                   if textual
                   else "; none collides textually")
        who = common.plural(len(rows), "row")
        verb = "edits or owns" if len(rows) == 1 else "edit or own"
        out.append(f"- **hot file** {code(path, table=False)}: {who} {verb} it{collide}")
    return out


def _details(report: Report, *, folded: bool = True) -> list[str]:
    """Conflicts with evidence, lint findings and notes; each in its own fold. A file
    many rows touch is one line, not one per pair."""
    out: list[str] = []
    if report.conflicts:
        hot = hot_files(report)
        body = _hot_lines(report, hot)
        listed = [c for c in report.conflicts
                  if not (c.kind in (ConflictKind.PLAN, ConflictKind.DIFF) and c.files
                          and all(f in hot for f in c.files))]
        for c in listed[:MAX_LISTED]:
            line = f"- **{c.kind.value}** {md(common.explain(c, report.target))}"
            if c.evidence:
                line += f" (check: {code(c.evidence, table=False)})"
            body.append(line)
        if len(listed) > MAX_LISTED:
            body.append(f"- … and {len(listed) - MAX_LISTED} more: `fleetbot conflicts` "
                        "lists every one")
        out += _fold(f"Conflicts ({len(report.conflicts)})", body, folded)
    if report.findings:
        body = []
        for f in report.findings[:MAX_LISTED]:
            where = f"{f.file or report.plan.source}:{f.line}" if f.line else \
                (f.file or report.plan.source)
            line = f"- {f.severity.value} {code(f.code, table=False)} {code(where, table=False)}:"
            line += f" {md(f.message)}"
            if f.hint:
                line += f" (fix: {md(f.hint)})"
            body.append(line)
        if len(report.findings) > MAX_LISTED:
            body.append(f"- … and {len(report.findings) - MAX_LISTED} more: "
                        "`fleetbot plan lint` lists every one")
        out += _fold(f"Plan findings ({len(report.findings)})", body, folded)
    notes = [*(f"- branch missing for {md(i)}" for i in report.missing_branches),
             *(f"- {md(n)}" for n in report.notes)]
    if notes:
        out += _fold("Notes", notes, folded)
    return out


def _fold(summary: str, body: list[str], folded: bool) -> list[str]:
    if not folded:
        return [f"**{summary}**", "", *body, ""]
    return [f"<details><summary>{summary}</summary>", "", *body, "", "</details>", ""]
