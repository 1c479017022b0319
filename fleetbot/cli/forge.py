"""`fleetbot sync` and `fleetbot comment`: write the report back where reviewers read it.

Both read the forge once, build the Report through the one pipeline call, plan their
writes with the one planner the Action uses (`writes.plan_writes`), then either print them
(`--dry-run`) or apply them. A second run with nothing changed plans, prints and writes
nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from fleetbot.cli import (
    dry_run_option,
    fleet_options,
    format_option,
    label_prefix_option,
)

if TYPE_CHECKING:
    from fleetbot.forge import Action, Forge, ForgeState
    from fleetbot.git import Git
    from fleetbot.model import Plan, Report

F = TypeVar("F", bound=Callable[..., Any])


def forge_options(f: F) -> F:
    """--forge, --gitlab-url, --label-prefix: shared by every command that talks to a forge."""
    f = label_prefix_option(
        help="Namespace of the labels fleetbot manages; other labels are never touched.")(f)
    f = click.option(
        "--gitlab-url", default=None, metavar="URL",
        help="GitLab base URL (default: CI_SERVER_URL, the origin host, or gitlab.com).",
    )(f)
    return click.option(
        "--forge", "forge_kind", type=click.Choice(["auto", "github", "gitlab", "local"]),
        default="auto", show_default=True,
        help="Where PRs live. auto: GITHUB_REPOSITORY / CI_PROJECT_PATH, else the origin remote.",
    )(f)


# ---------------------------------------------------------------- commands


@click.command()
@fleet_options
@forge_options
@format_option
@dry_run_option
@click.option("--no-links", is_flag=True, help="Only labels: leave issue dependencies alone.")
@click.option("--dashboard", is_flag=True,
              help="Also keep the fleet dashboard issue current (GitHub, GitLab).")
def sync(
    plan_path: Path | None, repo: Path | None, target: str | None, forge_kind: str,
    gitlab_url: str | None, label_prefix: str, fmt: str, dry_run: bool, no_links: bool,
    dashboard: bool,
) -> int:
    """Sync fleet labels and `Depends on` links for every row of the plan.

    Each row's PR (or its issue, before a PR exists) gets one status label
    (planned/running/review/blocked/merged), plus `conflict` and `next` where due;
    `Depends on` becomes "blocked by" on the issues. Other labels are never touched.
    """
    from dataclasses import replace
    from datetime import datetime, timezone

    from fleetbot.errors import ForgeError
    from fleetbot.writes import DashboardContext, WriteOptions, plan_writes
    from fleetbot.writes.dashboard import LABEL
    from fleetbot.writes.links import plan_issues

    git, plan, forge = _setup(plan_path, repo, forge_kind, gitlab_url)
    if forge.kind == "local":
        if forge_kind != "local":  # found none: saying "nothing to change" would mislead
            raise ForgeError("`sync` needs a forge to write labels and links to: set "
                             "GITHUB_TOKEN (or GITLAB_TOKEN), or pass --forge github|gitlab")
        return _finish(forge, [], dry_run, fmt, list(forge.state().notes))
    # the issues are read with or without links: each carries its row's status label
    state = forge.state(plan_issues(plan), label_prefix=label_prefix,
                        branches=[r.branch for r in plan.rows], links=not no_links)
    board: DashboardContext | None = None
    if dashboard:  # GitHub or GitLab (local returned above)
        state = replace(state, dashboard=forge.find_dashboard(label_prefix + LABEL))
        board = DashboardContext(refreshed_at=datetime.now(timezone.utc).strftime(
            "%Y-%m-%d %H:%M UTC"), repo_url=forge.web_url,
            pull_sigil="!" if forge.kind == "gitlab" else "#")
    report = build_report(git, plan, target, state)
    options = WriteOptions(comments=False, links=not no_links, label_prefix=label_prefix,
                           pulls_are_issues=forge.kind == "github", dashboard=board)
    actions = plan_writes(report, state, options)
    extra = _unplanned_lines(forge, plan, state)
    return _finish(forge, actions, dry_run, fmt, extra + list(state.notes))


@click.command()
@click.option("--pr", "number", type=int, required=True, help="The PR/MR number.")
@fleet_options
@forge_options
@format_option
@dry_run_option
def comment(
    number: int, plan_path: Path | None, repo: Path | None, target: str | None,
    forge_kind: str, gitlab_url: str | None, label_prefix: str, fmt: str, dry_run: bool,
) -> int:
    """Post (or update in place) the sticky fleetbot comment on one PR.

    The comment holds the report for that PR: its collisions first, then the fleet's
    order with its position marked. It is the body the Action writes, so neither edits
    the other's back; it is not touched when nothing changed.
    """
    from dataclasses import replace

    from fleetbot.forge import ForgeError
    from fleetbot.writes import WriteOptions, plan_writes

    git, plan, forge = _setup(plan_path, repo, forge_kind, gitlab_url)
    if forge.kind == "local":
        raise ForgeError("`comment` needs a forge: pass --forge github|gitlab or run in CI")
    from fleetbot.writes.dashboard import LABEL

    state = forge.state(label_prefix=label_prefix, branches=[r.branch for r in plan.rows])
    # the body links the fleet dashboard when there is one, as the Action's does (GitHub:
    # one read; other forges have none), so neither edits the other's comment back
    state = replace(state, dashboard=forge.find_dashboard(label_prefix + LABEL))
    pull = next((p for p in state.pulls if p.number == number), None) or forge.pull(number)
    if all(p.number != number for p in state.pulls):
        state = replace(state, pulls=(*state.pulls, pull))
    if forge.kind == "gitlab" and state.comment_for(number) is None and (
            found := forge.find_comment(number)):  # an MR outside the fleet: not read yet
        state = replace(state, comments=(*state.comments, found))
    report = build_report(git, plan, target, state)
    files = {} if plan.find(pull.branch) else {number: forge.pull_files(number)}
    options = WriteOptions(comment_on=(number,), labels=False, links=False,
                           label_prefix=label_prefix, files=files)
    return _finish(forge, plan_writes(report, state, options), dry_run, fmt,
                   list(state.notes))


# ---------------------------------------------------------------- pieces


def _setup(
    plan_path: Path | None, repo: Path | None, forge_kind: str, gitlab_url: str | None
) -> tuple[Git, Plan, Forge]:
    from fleetbot.cli.common import find_repo
    from fleetbot.forge import pick_forge
    from fleetbot.pipeline import load_fleet_plan

    git = find_repo(repo)
    fleet = load_fleet_plan(git, plan_path)
    for note in fleet.notes:
        click.echo(f"note: {note}", err=True)
    plan = fleet.plan
    return git, plan, pick_forge(forge_kind, git=git, gitlab_url=gitlab_url)


def build_report(git: Git, plan: Plan, target: str | None, state: ForgeState) -> Report:
    """The shared pipeline's Report: the same target the Action reads (the remote-tracking
    branch where there is one), so both write the same comment."""
    from fleetbot.pipeline import build_report as build

    return build(git, plan, target=target, forge=state)


def _unplanned_lines(forge: Forge, plan: Plan, state: ForgeState) -> list[str]:
    from fleetbot.writes.comment import unplanned_pulls

    branches = {r.branch for r in plan.rows}
    stray = [p for p in state.pulls if p.branch not in branches]
    files = {p.number: forge.pull_files(p.number) for p in stray}
    return [
        f"unplanned: PR #{u.pull.number} ({u.pull.branch}) is in no plan row"
        + (f"; it touches files owned by {', '.join(u.rows)}" if u.rows else "")
        for u in unplanned_pulls(plan, stray, files)
    ]


def _finish(forge: Forge, actions: Sequence[Action], dry_run: bool, fmt: str,
            notes: Sequence[str]) -> int:
    """Print or apply `actions`; a refused write is an error (exit 2) that says what was
    and was not written, after the independent writes were made."""
    from fleetbot.cli.common import emit_json, emit_text
    from fleetbot.errors import ForgeError

    if fmt == "json":
        emit_json({"forge": forge.kind, "repo": forge.repo, "dry_run": dry_run,
                   "actions": [_as_dict(a) for a in actions], "notes": list(notes)})
    else:
        for note in notes:
            click.echo(note, err=True)
        if not actions:
            emit_text("nothing to change")
        elif dry_run:
            for a in actions:
                emit_text(f"would {a.describe()}")
                if a.body:
                    emit_text("    " + a.body.replace("\n", "\n    "))
    if dry_run or not actions:
        return 0
    applied = forge.apply(actions)
    for note in applied.notes:
        click.echo(f"note: {note}", err=True)
    if fmt != "json":
        for a in applied.written:
            emit_text(f"done: {a.describe()}")
    if applied.refused:
        raise ForgeError(applied.report(), cause=applied.refused[0].cause)
    return 0


def _as_dict(a: Action) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": a.kind.value, "number": a.number, "describe": a.describe()}
    for key in ("body", "comment_id", "label", "color", "other", "on_issue", "sha", "context",
                "description", "target_url"):
        value = getattr(a, key)
        if value:
            out[key] = value
    return out
