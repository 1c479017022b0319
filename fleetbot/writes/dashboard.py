"""The fleet dashboard: one issue per plan that shows the whole fleet, kept live. Pure.

Rendered from the same Report and ForgeState as the sticky comments (no read of its own),
decision first: the verdict, the merge order, what landed, what has not started, unplanned
PRs, plan findings, the graph. Its task-list boxes (`Ask`) are how a person acts from it;
the Action handles a tick on `issues: edited` (action/events.py) and the next body has
every box unticked again, with one line saying who asked and what happened.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import Enum
from pathlib import PurePosixPath

from fleetbot.forge.types import DASHBOARD_MARKER, Action, ActionKind, ForgeState
from fleetbot.frozen import frozen
from fleetbot.model import Plan, PlanFormat, PullFacts, PullState, Report, ReviewState, Row
from fleetbot.render import common
from fleetbot.render.escape import code, md
from fleetbot.render.markdown import COMMENT_LIMIT, fit
from fleetbot.render.markdown import _graph as mermaid_graph
from fleetbot.writes.comment import unplanned_pulls
from fleetbot.writes.links import issue_number

LABEL = "dashboard"  # after the prefix: `fleet:dashboard`


class Ask(str, Enum):
    """What a box on the dashboard asks for; the value is its hidden marker's name."""

    REFRESH = "refresh"
    VERIFY = "verify"

    @property
    def marker(self) -> str:
        return f"<!-- fleetbot:ask:{self.value} -->"

    @property
    def text(self) -> str:
        return "refresh now" if self is Ask.REFRESH else "verify the fan-in"


@frozen
class DashboardContext:
    """What the dashboard shows beside the Report, passed in as data (no clock here)."""

    refreshed_at: str = ""  # e.g. "2026-12-01 17:40 UTC"
    run_url: str = ""  # this run; the fold's link to the full job summary
    repo_url: str = ""  # https://github.com/owner/name, for issue and PR links
    asked: tuple[str, ...] = ()  # lines: who ticked a box and what happened
    files: Mapping[int, tuple[str, ...]] | None = None  # unplanned PRs' files
    pull_sigil: str = "#"  # how the forge writes a PR's number: GitLab writes an MR `!12`


def title(plan: Plan) -> str:
    """`Fleet: <the plan's first `# ` heading>`, else `Fleet: <the plan file's name>`."""
    if plan.format is PlanFormat.MARKDOWN:
        for line in plan.text.splitlines():
            if line.startswith("# ") and line[2:].strip():
                return f"Fleet: {line[2:].strip()}"
    return f"Fleet: {PurePosixPath(plan.source).name}"


def ticked(body: str) -> tuple[Ask, ...]:
    """The boxes ticked in a dashboard body (found by their hidden markers)."""
    return tuple(a for a in Ask if re.search(
        rf"^\s*[-*] \[[xX]\][^\n]*{re.escape(a.marker)}", body, re.M))


def untick(body: str, lines: Iterable[str]) -> str:
    """`body` with every box unticked and `lines` in its "Asked" section: what a tick
    that is not acted on (a reader's) leaves, without a refresh."""
    out = re.sub(r"^(\s*[-*] )\[[xX]\]", r"\1[ ]", body, flags=re.M)
    said = "".join(f"- {md(line)}\n" for line in lines)
    if not said:
        return out
    head, sep, tail = out.partition(_ASKED)
    return f"{head}{sep}{said}{tail}" if sep else out.rstrip() + f"\n\n{_ASKED}{said}"


_ASKED = "**Asked from here:**\n"
MAX_ASKED = 5  # the latest requests the dashboard keeps


def asked_lines(body: str) -> list[str]:
    """The "Asked from here" lines of an earlier body (already Markdown), kept so the
    next refresh does not edit the dashboard only to drop them."""
    _, sep, tail = body.partition(_ASKED)
    if not sep:
        return []
    lines = []
    for line in tail.splitlines():
        if not line.startswith("- "):
            break
        lines.append(line)
    return lines


def render_dashboard(report: Report, state: ForgeState, ctx: DashboardContext, *,
                     limit: int = COMMENT_LIMIT) -> str:
    """The dashboard body: always within `limit` (the folded details go first, then the
    head is cut at a line, with a link to the run's job summary)."""
    v = common.verdict(report)
    head = [DASHBOARD_MARKER, f"### {common.ICON[v.level]} {md(v.summary)}", ""]
    when = f"Refreshed {ctx.refreshed_at}" if ctx.refreshed_at else "Refreshed"
    head += [f"*{when}" + (f" by [this run]({ctx.run_url})" if ctx.run_url else "")
             + f" from {code(report.plan.source, table=False)} on "
             f"{code(report.target, table=False)}.*", ""]
    head += [*(f"- [ ] {a.text} {a.marker}" for a in Ask), ""]
    asked = [f"- {md(line)}" for line in ctx.asked]
    asked += asked_lines(state.dashboard.body if state.dashboard is not None else "")
    if asked:
        head += [_ASKED.rstrip("\n"), *asked[:MAX_ASKED], ""]
    head += _order_table(report, state, ctx)
    head += _landed(report, state, ctx)
    head += _not_started(report, state, ctx)
    details = [*_unplanned(report, state, ctx), *_findings(report), *_notes(report)]
    graph = mermaid_graph(report)
    if graph:
        details += ["<details><summary>Graph</summary>", "", *graph, "", "</details>"]
    return fit("\n".join(head).rstrip() + "\n", "\n".join(details).rstrip() + "\n"
               if details else "", limit=limit, more_url=ctx.run_url)


def _issue_link(issue: str, ctx: DashboardContext) -> str:
    n = issue_number(issue)
    if n is None or not ctx.repo_url or "/" in issue.split("#")[0]:
        return md(issue)
    return f"[{md(issue)}]({ctx.repo_url}/issues/{n})"


def _pull_link(pull: PullFacts | None, ctx: DashboardContext) -> str:
    if pull is None:
        return "no PR"
    url = pull.url or (f"{ctx.repo_url}/pull/{pull.number}" if ctx.repo_url else "")
    number = f"{ctx.pull_sigil}{pull.number}"
    ref = f"[{number}]({url})" if url else number
    return f"{ref} {'draft' if pull.draft else 'ready'}"


_REVIEW = {ReviewState.APPROVED: "approved", ReviewState.CHANGES_REQUESTED: "changes asked",
           ReviewState.REVIEW_REQUIRED: "waiting", ReviewState.NONE: "–"}


def _pull_of(report: Report, state: ForgeState, row: Row | None) -> PullFacts | None:
    return common.pull_for(report, row) or (state.pull_for_branch(row.branch) if row else None)


def _order_table(report: Report, state: ForgeState, ctx: DashboardContext) -> list[str]:
    if not report.order:
        return ["Nothing left to merge.", ""]
    lines = ["| # | Issue | PR | CI | Review | Conflicts | Why here | Blocked by |",
             "|---|---|---|---|---|---|---|---|"]
    for s in report.order:
        row = report.plan.by_issue(s.issue)
        pull = _pull_of(report, state, row)
        label = f"{_issue_link(s.issue, ctx)} {md(row.title)}" if row and row.title \
            else _issue_link(s.issue, ctx)
        lines.append(
            f"| {s.position} | {label} | {_pull_link(pull, ctx)} | "
            f"{common.ci_mark(report, row)} | {_REVIEW[pull.review] if pull else '–'} | "
            f"{md(_cap(common.conflict_mark(report, s.issue).split(', '), CELL, ', '))} | "
            f"{'<br>'.join(md(r) for r in _capped(s.reasons, 2))} | "
            f"{md(_cap([b.describe() for b in s.blocked_by], CELL, ', '))} |")
    return [*lines, ""]


CELL = 8  # items a table cell lists before it counts the rest: a row stays a row at any size


def _capped(items: Iterable[str], n: int) -> list[str]:
    items = list(items)
    return items if len(items) <= n else [*items[:n], f"(+{len(items) - n} more)"]


def _cap(items: list[str], n: int, sep: str) -> str:
    return sep.join(_capped([i for i in items if i], n))


def _landed(report: Report, state: ForgeState, ctx: DashboardContext) -> list[str]:
    if not report.landed:
        return []
    lines = ["**Landed:**", ""]
    for la in report.landed:
        merged = next((p for p in state.merged if p.number == la.pull), None) if la.pull \
            else None
        row = report.plan.by_issue(la.issue)
        pull = f" ({_pull_link(merged, ctx).rsplit(' ', 1)[0]})" if merged else ""
        name = md(row.title) if row is not None and row.title else ""
        lines.append(f"- {_issue_link(la.issue, ctx)} {name}: {md(la.describe())}{pull}"
                     .replace("  ", " "))
    return [*lines, ""]


def _not_started(report: Report, state: ForgeState, ctx: DashboardContext) -> list[str]:
    landed = {la.issue for la in report.landed}
    waiting = []
    for row in report.plan.rows:
        if row.issue in landed:
            continue
        pull = _pull_of(report, state, row)
        if row.issue in report.missing_branches:
            waiting.append(f"- {_issue_link(row.issue, ctx)}: no branch "
                           f"{code(row.branch, table=False)} yet")
        elif pull is None or pull.state is not PullState.OPEN:
            waiting.append(f"- {_issue_link(row.issue, ctx)}: branch "
                           f"{code(row.branch, table=False)} has no open PR")
    return ["**Not started or without a PR:**", "", *waiting, ""] if waiting else []


def _unplanned(report: Report, state: ForgeState, ctx: DashboardContext) -> list[str]:
    found = [u for u in unplanned_pulls(report.plan, state.pulls, ctx.files or {}) if u.rows]
    if not found:
        return []
    lines = ["**Unplanned PRs touching owned files:**", ""]
    lines += [f"- {_pull_link(u.pull, ctx)} ({code(u.pull.branch, table=False)}) touches "
              f"files of {', '.join(_issue_link(r, ctx) for r in u.rows)}" for u in found]
    return [*lines, ""]


def _findings(report: Report) -> list[str]:
    if not report.findings:
        return []
    lines = [f"<details><summary>Plan findings ({len(report.findings)})</summary>", ""]
    lines += [f"- {f.severity.value}: {md(f.message)}"
              + (f" (line {f.line})" if f.line else "") for f in report.findings[:200]]
    if len(report.findings) > 200:
        lines.append(f"- … and {len(report.findings) - 200} more")
    return [*lines, "", "</details>", ""]


def _notes(report: Report) -> list[str]:
    """What git says beside the rows (a landing reverted since, a PR merged elsewhere, a
    misspelt branch), as the PR comment folds them."""
    if not report.notes:
        return []
    lines = [f"<details><summary>Notes ({len(report.notes)})</summary>", ""]
    lines += [f"- {md(n)}" for n in report.notes[:MAX_NOTES]]
    if len(report.notes) > MAX_NOTES:
        lines.append(f"- … and {len(report.notes) - MAX_NOTES} more")
    return [*lines, "", "</details>", ""]


MAX_NOTES = 50


def dashboard_actions(body: str, title_text: str, state: ForgeState,
                      label: str) -> list[Action]:
    """Create the dashboard once, labelled; edit it only when its body or title changed
    (a new run link alone is no change)."""
    from fleetbot.writes.comment import same_body

    current = state.dashboard
    if current is None:
        return [Action(ActionKind.CREATE_ISSUE, body=body, title=title_text, label=label)]
    if same_body(_unstamped(current.body), _unstamped(body)) and current.title == title_text:
        return []
    return [Action(ActionKind.EDIT_ISSUE, current.number, body=body, title=title_text)]


_STAMP = re.compile(r"^\*Refreshed [^\n]*\*$", re.M)


def _unstamped(body: str) -> str:
    """The body without its refresh line: a refresh that changed nothing writes nothing."""
    return _STAMP.sub("", body)
