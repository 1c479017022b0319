"""The one sticky-comment composer: the Action, `sync` and `comment` all call it, so the
same repo gives the same body whoever writes it (and no run edits another's back). Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from fleetbot.forge.types import MARKER, Action, ActionKind, ForgeState
from fleetbot.frozen import frozen
from fleetbot.model import BranchFacts, Plan, PullFacts, Report, Row
from fleetbot.render.escape import code, md
from fleetbot.render.markdown import COMMENT_LIMIT, fit, render_pr_comment
from fleetbot.writes.links import issue_number

_CLOSING = r"(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)"


def with_marker(body: str) -> str:
    """The body with the hidden marker first, so the comment can be found again."""
    return body if MARKER in body else f"{MARKER}\n{body}"


def compose_comment(
    report: Report, state: ForgeState, pull: PullFacts, *,
    files: tuple[str, ...] = (), more_url: str = "", limit: int = COMMENT_LIMIT,
) -> str:
    """The sticky comment for `pull`: for a plan row, the report for its row, the link to
    its issue and what a merged dependency means for it; for an unplanned PR, the rows
    whose files (`files`) it touches. Always within `limit` characters."""
    row = next((r for r in report.plan.rows if r.branch == pull.branch), None)
    if row is None:
        return unplanned_body(report.plan, pull, files, limit=limit)
    extra = (link_line(row, pull), *dependency_merged_notes(report, state).get(row.issue, ()),
             dashboard_line(state))
    return with_marker(render_pr_comment(report, row.issue, extra=extra, limit=limit,
                                         more_url=more_url))


def dashboard_line(state: ForgeState) -> str:
    """The comment's link to the fleet dashboard, when there is one ("" otherwise)."""
    board = state.dashboard
    if board is None:
        return ""
    where = f"[#{board.number}]({board.url})" if board.url else f"#{board.number}"
    return f"The whole fleet: {where} (fleet dashboard)."


def unplanned_body(plan: Plan, pull: PullFacts, files: tuple[str, ...], *,
                   limit: int = COMMENT_LIMIT) -> str:
    found = unplanned_pulls(plan, [pull], {pull.number: files})
    rows = found[0].rows if found else ()
    touched = ", ".join(md(r) for r in rows) or "no row's files"
    head = (f"{MARKER}\n### fleetbot\n\nThis PR's branch {code(pull.branch)} is in no row "
            f"of {code(plan.source)}: it is unplanned.\n\nIt touches files owned by: "
            f"{touched}.\n")
    return fit(head, "", limit=limit)


_RUN_LINK = re.compile(r"\]\(https?://[^)\s]*/actions/runs/\d+[^)\s]*\)")


def same_body(a: str, b: str) -> bool:
    """Equal bodies, ignoring which run's summary a folded comment links to (a new run
    id alone is no reason to edit a comment)."""
    return _RUN_LINK.sub("]()", a.strip()) == _RUN_LINK.sub("]()", b.strip())


def comment_actions(bodies: Iterable[tuple[int, str]], current: ForgeState) -> list[Action]:
    """Create or edit each PR's sticky comment; an unchanged body gives no action."""
    actions: list[Action] = []
    for number, body in bodies:
        body = with_marker(body)
        existing = current.comment_for(number)
        if existing is None:
            actions.append(Action(ActionKind.CREATE_COMMENT, number, body=body))
        elif not same_body(existing.body, body):
            actions.append(
                Action(ActionKind.EDIT_COMMENT, number, body=body, comment_id=existing.id))
    return actions


def closes_issue(body: str, number: int) -> bool:
    """Does a PR body close issue `number` with a GitHub closing keyword?"""
    return re.search(rf"(?i)\b{_CLOSING}:?\s+#{number}\b", body or "") is not None


def link_line(row: Row, pull: PullFacts) -> str:
    """The sticky comment's line tying the PR to its issue, and whether it closes it."""
    number = issue_number(row.issue)
    if number is None:
        return f"Plan row: {md(row.issue)} (branch {code(row.branch)})."
    if closes_issue(pull.body, number):
        return f"Plan row: #{number}; this PR closes #{number} when merged."
    return (
        f"Plan row: #{number}; the PR description does not close it: "
        f"add `Closes #{number}` to link them."
    )


@frozen
class Unplanned:
    """An open PR whose head branch is in no plan row, and the rows whose files it touches."""

    pull: PullFacts
    rows: tuple[str, ...] = ()  # issue refs
    files: tuple[str, ...] = ()


def unplanned_pulls(
    plan: Plan, pulls: Iterable[PullFacts], files: Mapping[int, tuple[str, ...]]
) -> tuple[Unplanned, ...]:
    """Open PRs outside the plan, each with the rows whose owned files it changes."""
    from fleetbot.plan.globs import row_owns

    branches = {r.branch for r in plan.rows}
    out = []
    for pull in pulls:
        if pull.branch in branches:
            continue
        changed = files.get(pull.number, ())
        rows = tuple(r.issue for r in plan.rows if any(row_owns(r, p) for p in changed))
        out.append(Unplanned(pull, rows, tuple(changed)))
    return tuple(out)


def dependency_merged_notes(report: Report, state: ForgeState) -> dict[str, tuple[str, ...]]:
    """Rows whose dependency just merged: what it means for them against the new base."""
    branches: dict[str, BranchFacts] = {b.issue: b for b in report.branches}
    notes: dict[str, tuple[str, ...]] = {}
    for row in report.plan.rows:
        lines = []
        for dep in report.plan.dependencies(row):
            merged = state.merged_for_branch(dep.branch)
            if merged is None:
                continue
            mine, theirs = branches.get(row.issue), branches.get(dep.issue)
            shared = sorted(mine.paths & theirs.paths) if mine and theirs else []
            expect = (
                f"expect to reconcile {', '.join(md(p) for p in shared[:5])}"
                + (f" and {len(shared) - 5} more" if len(shared) > 5 else "")
                if shared else "no file of this branch was touched by it"
            )
            lines.append(
                f"Dependency {md(dep.issue)} was merged (PR #{merged.number}): update this "
                f"branch onto {md(report.target)}; {expect}."
            )
        if lines:
            notes[row.issue] = tuple(lines)
    return notes
