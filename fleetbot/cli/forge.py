"""`fleetbot sync` and `fleetbot comment`: write the report back where reviewers read it.

Both read the forge once, plan their writes with the pure `forge.actions` planner, then
either print them (`--dry-run`) or apply them. A second run with nothing changed plans,
prints and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from fleetbot.cli import dry_run_option, format_option, plan_option, repo_option, target_option

if TYPE_CHECKING:
    from fleetbot.forge import Action, Forge, ForgeState
    from fleetbot.git import Git
    from fleetbot.model import Plan, PullFacts, Report

F = TypeVar("F", bound=Callable[..., Any])


def forge_options(f: F) -> F:
    """--forge, --gitlab-url, --label-prefix: shared by every command that talks to a forge."""
    f = click.option(
        "--label-prefix", default="fleet:", show_default=True, metavar="PREFIX",
        help="Namespace of the labels fleetbot manages; other labels are never touched.",
    )(f)
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
@plan_option
@repo_option
@target_option
@forge_options
@format_option
@dry_run_option
@click.option("--no-links", is_flag=True, help="Only labels: leave issue dependencies alone.")
def sync(
    plan_path: Path | None, repo: Path | None, target: str | None, forge_kind: str,
    gitlab_url: str | None, label_prefix: str, fmt: str, dry_run: bool, no_links: bool,
) -> int:
    """Sync fleet labels and `Depends on` links for every row of the plan.

    Each row's PR (or its issue, before a PR exists) gets one status label
    (planned/running/review/blocked/merged), plus `conflict` and `next` where due;
    `Depends on` becomes "blocked by" on the issues. Other labels are never touched.
    """
    from fleetbot.writes.actions import desired_from_report, issue_number, plan_actions

    git, plan, forge = _setup(plan_path, repo, forge_kind, gitlab_url)
    if forge.kind == "local":
        return _finish(forge, [], dry_run, fmt, list(forge.state().notes))
    issues = [] if no_links else [n for r in plan.rows if (n := issue_number(r.issue))]
    state = forge.state(issues, label_prefix=label_prefix)
    report = build_report(git, plan, target, state)
    desired = desired_from_report(report, state, prefix=label_prefix, links=not no_links)
    actions = plan_actions(desired, state)
    extra = _unplanned_lines(forge, plan, state)
    return _finish(forge, actions, dry_run, fmt, extra + list(state.notes))


@click.command()
@click.option("--pr", "number", type=int, required=True, help="The PR/MR number.")
@plan_option
@repo_option
@target_option
@forge_options
@format_option
@dry_run_option
def comment(
    number: int, plan_path: Path | None, repo: Path | None, target: str | None,
    forge_kind: str, gitlab_url: str | None, label_prefix: str, fmt: str, dry_run: bool,
) -> int:
    """Post (or update in place) the sticky fleetbot comment on one PR.

    The comment holds the report for that PR: its collisions first, then the fleet's
    order with its position marked. It is not touched when nothing changed.
    """
    from fleetbot.forge import ForgeError
    from fleetbot.writes.actions import Desired, plan_actions

    git, plan, forge = _setup(plan_path, repo, forge_kind, gitlab_url)
    if forge.kind == "local":
        raise ForgeError("`comment` needs a forge: pass --forge github|gitlab or run in CI")
    state = forge.state(label_prefix=label_prefix)
    pull = next((p for p in state.pulls if p.number == number), None) or forge.pull(number)
    report = build_report(git, plan, target, state)
    body = comment_body(report, state, pull, forge)
    actions = plan_actions(Desired(comments=((number, body),), label_prefix=label_prefix), state)
    return _finish(forge, actions, dry_run, fmt, list(state.notes))


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
    """The shared pipeline's Report (conflicts, order, replay) with the forge's PRs in it."""
    from fleetbot.pipeline import build_report as build

    return build(git, plan, target=target, forge=state)


def comment_body(report: Report, state: ForgeState, pull: PullFacts, forge: Forge) -> str:
    """The sticky comment: the rendered report for the PR's row, its issue link, what a
    merged dependency means for it; for an unplanned PR, the rows whose files it touches."""
    from fleetbot.forge import MARKER
    from fleetbot.render.escape import code
    from fleetbot.writes.actions import dependency_merged_notes, escape, link_line, unplanned_pulls

    branch = pull.branch
    row = next((r for r in report.plan.rows if r.branch == branch), None)
    if row is None:
        found = unplanned_pulls(report.plan, [pull], {pull.number: forge.pull_files(pull.number)})
        rows = found[0].rows if found else ()
        touched = ", ".join(escape(r) for r in rows) or "no row's files"
        return (f"{MARKER}\n### fleetbot\n\nThis PR's branch {code(branch)} is in no row "
                f"of {code(report.plan.source)}: it is unplanned.\n\nIt touches files "
                f"owned by: {touched}.\n")
    from fleetbot.render.markdown import render_pr_comment

    lines = [render_pr_comment(report, row.issue), link_line(row, pull)]
    lines.extend(dependency_merged_notes(report, state).get(row.issue, ()))
    body = "\n\n".join(x.rstrip() for x in lines if x) + "\n"
    return body if MARKER in body else f"{MARKER}\n{body}"


def _unplanned_lines(forge: Forge, plan: Plan, state: ForgeState) -> list[str]:
    from fleetbot.writes.actions import unplanned_pulls

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
    from fleetbot.cli.common import emit_json, emit_text

    if fmt == "json":
        emit_json({"forge": forge.kind, "repo": forge.repo, "dry_run": dry_run,
                   "actions": [_as_dict(a) for a in actions], "notes": list(notes)})
        if not dry_run:
            forge.apply(actions)
        return 0
    for note in notes:
        click.echo(note, err=True)
    if not actions:
        emit_text("nothing to change")
        return 0
    if dry_run:
        for a in actions:
            emit_text(f"would {a.describe()}")
            if a.body:
                emit_text("    " + a.body.replace("\n", "\n    "))
        return 0
    for a in forge.apply(actions):
        emit_text(f"done: {a.describe()}")
    return 0


def _as_dict(a: Action) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": a.kind.value, "number": a.number, "describe": a.describe()}
    for key in ("body", "comment_id", "label", "color", "other", "on_issue"):
        value = getattr(a, key)
        if value:
            out[key] = value
    return out
