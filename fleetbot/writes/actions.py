"""Decisions, then actions: what the forge should show, compared with what it shows.

Pure: a `Desired` (comment bodies already rendered, fleet labels, blocked-by links) and a
`ForgeState` in, a list of `Action`s out. An unchanged body, label or link gives no action,
labels outside the fleet prefix are never touched, and dependencies are only removed
between two plan issues, so a second run with nothing changed plans nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from fleetbot.forge.types import MARKER, Action, ActionKind, ForgeState
from fleetbot.model import BranchFacts, MergeStep, Plan, PullFacts, Report, Row, Status

DEFAULT_PREFIX = "fleet:"
STATUS_LABELS = ("planned", "running", "review", "blocked", "merged")
EXTRA_LABELS = ("conflict", "next")
COLORS = {
    "planned": "c5def5",
    "running": "fbca04",
    "review": "0075ca",
    "blocked": "b60205",
    "merged": "6f42c1",
    "conflict": "d93f0b",
    "next": "0e8a16",
}


@dataclass(frozen=True)
class LabelTarget:
    """The complete set of fleet labels one PR (or, without a PR, one issue) should carry."""

    number: int
    labels: frozenset[str]
    on_issue: bool = False


@dataclass(frozen=True)
class Desired:
    """What fleetbot wants the forge to show. Numbers are PR/issue numbers."""

    comments: tuple[tuple[int, str], ...] = ()  # (PR, rendered body)
    labels: tuple[LabelTarget, ...] = ()
    dependencies: tuple[tuple[int, frozenset[int]], ...] = ()  # (issue, blocked-by issues)
    managed: frozenset[int] = frozenset()  # plan issues: links among these are fleetbot's
    label_prefix: str = DEFAULT_PREFIX


def with_marker(body: str) -> str:
    """The body with the hidden marker first, so the comment can be found again."""
    return body if MARKER in body else f"{MARKER}\n{body}"


def label_color(name: str, prefix: str = DEFAULT_PREFIX) -> str:
    return COLORS.get(name[len(prefix):] if name.startswith(prefix) else name, "ededed")


def plan_actions(desired: Desired, current: ForgeState) -> list[Action]:
    """The writes that turn `current` into `desired`; empty when nothing differs."""
    actions: list[Action] = []
    for number, body in desired.comments:
        body = with_marker(body)
        existing = current.comment_for(number)
        if existing is None:
            actions.append(Action(ActionKind.CREATE_COMMENT, number, body=body))
        elif existing.body.strip() != body.strip():
            actions.append(
                Action(ActionKind.EDIT_COMMENT, number, body=body, comment_id=existing.id)
            )
    prefix = desired.label_prefix
    created: set[str] = set()
    for target in desired.labels:
        number, wanted, on_issue = target.number, target.labels, target.on_issue
        have = {n for n in current.labels_of(number, on_issue) if n.startswith(prefix)}
        for name in sorted(wanted - have):
            if name not in current.repo_labels and name not in created:
                created.add(name)
                actions.append(
                    Action(ActionKind.CREATE_LABEL, label=name, color=label_color(name, prefix))
                )
            actions.append(Action(ActionKind.ADD_LABEL, number, label=name, on_issue=on_issue))
        actions.extend(
            Action(ActionKind.REMOVE_LABEL, number, label=name, on_issue=on_issue)
            for name in sorted(have - wanted)
        )
    for number, blockers in desired.dependencies:
        issue = current.issue(number)
        have_deps = set(issue.blocked_by) if issue is not None else set()
        for other in sorted(blockers - have_deps):
            blocker = current.issue(other)
            actions.append(
                Action(ActionKind.ADD_DEPENDENCY, number, other=other,
                       other_id=blocker.id if blocker is not None else 0)
            )
        links = dict(issue.link_ids) if issue is not None else {}
        for other in sorted((have_deps & desired.managed) - blockers):
            blocker = current.issue(other)
            actions.append(
                Action(ActionKind.REMOVE_DEPENDENCY, number, other=other,
                       other_id=links.get(other) or (blocker.id if blocker is not None else 0))
            )
    return actions


# ---------------------------------------------------------------- from a Report


def issue_number(ref: str) -> int | None:
    """`#42` / `42` -> 42; refs to another repo (`o/r#42`) or MRs (`!7`) -> None."""
    ref = ref.strip()
    if ref.isdigit():
        return int(ref)
    if ref.startswith("#") and ref[1:].isdigit():
        return int(ref[1:])
    return None


def status_label(
    row: Row, pull: PullFacts | None, merged: PullFacts | None, blocked: bool, started: bool
) -> str:
    """planned | running | review | blocked | merged, from the plan and the forge.

    A row that has not started (no branch, no PR) is `planned` whatever it waits on; a
    started row is `blocked` while its merge step has blockers (an unmerged dependency,
    failing CI), else `review` once its PR is ready, else `running`.
    """
    if merged is not None or row.status is Status.MERGED:
        return "merged"
    if row.status is Status.BLOCKED:
        return "blocked"
    if pull is None and not started and row.status in (Status.PLANNED, Status.QUEUED):
        return "planned"
    if blocked:
        return "blocked"
    if (pull is not None and not pull.draft) or row.status is Status.REVIEW:
        return "review"
    if pull is not None or started or row.status is Status.RUNNING:
        return "running"
    return "planned"


def step_blocked(step: MergeStep | None) -> bool:
    """Blockers that hold a started row back (a missing branch is not one of them)."""
    return step is not None and step.waits


def label_target(
    row: Row, pull: PullFacts | None, merged: PullFacts | None
) -> tuple[int, bool] | None:
    """(number, on_issue): labels go on the row's PR when there is one, else on its issue."""
    if pull is not None:
        return pull.number, False
    if merged is not None:
        return merged.number, False
    number = issue_number(row.issue)
    return (number, True) if number is not None else None


def next_issue(report: Report, state: ForgeState) -> str | None:
    """The row that should merge next: the first unblocked step with a ready (non-draft) PR."""
    for step in report.order:
        pull = state.pull_for_branch(step.branch)
        if not step.blocked_by and pull is not None and not pull.draft:
            return step.issue
    return None


def desired_labels(
    report: Report, state: ForgeState, prefix: str = DEFAULT_PREFIX
) -> tuple[LabelTarget, ...]:
    """Every plan row's fleet labels: one status, plus `conflict` and `next` where due."""
    steps = {s.issue: s for s in report.order}
    started = {b.issue for b in report.branches}
    conflicted = {i for c in report.conflicts if c.blocking for i in c.rows}
    nxt = next_issue(report, state)
    out: list[LabelTarget] = []
    seen: set[tuple[int, bool]] = set()
    for row in report.plan.rows:
        pull = state.pull_for_branch(row.branch)
        merged = state.merged_for_branch(row.branch) if pull is None else None
        target = label_target(row, pull, merged)
        if target is None or target in seen:
            continue
        seen.add(target)
        step = steps.get(row.issue)
        names = {status_label(row, pull, merged, step_blocked(step), row.issue in started)}
        if row.issue in conflicted and merged is None:
            names.add("conflict")
        if row.issue == nxt:
            names.add("next")
        out.append(LabelTarget(target[0], frozenset(prefix + n for n in names), target[1]))
    return tuple(out)


Dependencies = tuple[tuple[int, frozenset[int]], ...]


def desired_dependencies(plan: Plan) -> tuple[Dependencies, frozenset[int]]:
    """`Depends on` as blocked-by links between plan issues, and the issues fleetbot manages."""
    managed = frozenset(n for r in plan.rows if (n := issue_number(r.issue)) is not None)
    deps: list[tuple[int, frozenset[int]]] = []
    for row in plan.rows:
        number = issue_number(row.issue)
        if number is None:
            continue
        blockers = frozenset(
            n for d in plan.dependencies(row) if (n := issue_number(d.issue)) is not None
        )
        deps.append((number, blockers))
    return tuple(deps), managed


def desired_from_report(
    report: Report,
    state: ForgeState,
    comments: Mapping[int, str] | None = None,
    *,
    prefix: str = DEFAULT_PREFIX,
    labels: bool = True,
    links: bool = True,
) -> Desired:
    """The whole desired state for a plan: labels, links and any rendered comments."""
    deps, managed = desired_dependencies(report.plan) if links else ((), frozenset())
    return Desired(
        comments=tuple(sorted((comments or {}).items())),
        labels=desired_labels(report, state, prefix) if labels else (),
        dependencies=deps,
        managed=managed,
        label_prefix=prefix,
    )


# ---------------------------------------------------------------- links and notes


def escape(text: str) -> str:
    """Text from branches, paths and titles made inert in Markdown (the renderer's rules:
    no @mention, no HTML, no table cell broken open)."""
    from fleetbot.render.escape import md

    return md(text)


_CLOSING = r"(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)"


def closes_issue(body: str, number: int) -> bool:
    """Does a PR body close issue `number` with a GitHub closing keyword?"""
    return re.search(rf"(?i)\b{_CLOSING}:?\s+#{number}\b", body or "") is not None


def link_line(row: Row, pull: PullFacts) -> str:
    """The sticky comment's line tying the PR to its issue, and whether it closes it."""
    number = issue_number(row.issue)
    if number is None:
        from fleetbot.render.escape import code

        return f"Plan row: {escape(row.issue)} (branch {code(row.branch)})."
    if closes_issue(pull.body, number):
        return f"Plan row: #{number}; this PR closes #{number} when merged."
    return (
        f"Plan row: #{number}; the PR description does not close it: "
        f"add `Closes #{number}` to link them."
    )


@dataclass(frozen=True)
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


def dependency_merged_notes(
    report: Report, state: ForgeState
) -> dict[str, tuple[str, ...]]:
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
                f"expect to reconcile {', '.join(escape(p) for p in shared[:5])}"
                + (f" and {len(shared) - 5} more" if len(shared) > 5 else "")
                if shared else "no file of this branch was touched by it"
            )
            lines.append(
                f"Dependency {escape(dep.issue)} was merged (PR #{merged.number}): update this "
                f"branch onto {escape(report.target)}; {expect}."
            )
        if lines:
            notes[row.issue] = tuple(lines)
    return notes
