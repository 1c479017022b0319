"""`fleetbot order`, `fleetbot check` and `fleetbot demo`: one Report, printed.

`order` is the fleet view; `check` is what a person runs before opening a PR (their
branch's row first); `demo` builds the example fleet in a temporary folder and checks it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from fleetbot.cli import (
    fleet_options,
    format_option,
    strict_option,
)
from fleetbot.cli.answers import remembered
from fleetbot.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from fleetbot.model import Plan, Report

F = TypeVar("F", bound=Callable[..., int])


def print_report(report: Report, fmt: str) -> None:
    """The report on stdout in the chosen format (JSON alone on stdout)."""
    from fleetbot.cli.common import emit_json, emit_text, out_console

    if fmt == "json":
        from fleetbot.render.json import report_to_json

        emit_json(report_to_json(report))
    elif fmt == "markdown":
        from fleetbot.render.markdown import render_report

        emit_text(render_report(report).rstrip("\n"))
    else:
        from fleetbot.render.terminal import print_report as print_rich

        print_rich(report, out_console())


def _build(repo: Path | None, plan_path: Path | None, target: str | None,
           *, current: bool, branch: str | None = None, row_ref: str | None = None,
           ) -> Report:
    """The Report; with `current`, the row of `branch`, of `row_ref`, else of HEAD's
    branch is the current row (a detached HEAD without either gets a note)."""
    from fleetbot.cli.common import find_repo
    from fleetbot.git.worktrees import current_branch
    from fleetbot.pipeline import build_report, load_fleet_plan

    git = find_repo(repo)
    fleet = load_fleet_plan(git, plan_path, target)
    notes = fleet.notes
    here = None
    if branch is not None or row_ref is not None:
        here = chosen_branch(fleet.plan, branch, row_ref)
    elif current:
        here = current_branch(git)
        if here is None:
            notes = (*notes, "HEAD is detached, so no row is yours: pass --branch BRANCH or "
                     "--row ISSUE to check one (CI checks out a detached HEAD)")
    return build_report(git, fleet.plan, target=target, current_branch=here, notes=notes)


def chosen_branch(plan: Plan, branch: str | None, row_ref: str | None) -> str:
    """The branch of `--branch` or `--row`, or a UsageError listing the plan's rows."""
    if branch is not None and row_ref is not None:
        raise UsageError("pass --branch or --row, not both")
    known = "; ".join(f"{r.issue} ({r.branch})" for r in plan.rows) or "none"
    if branch is not None:
        if not branch.strip():
            raise UsageError("--branch: give a branch name")
        if not any(r.branch == branch for r in plan.rows):
            raise UsageError(f"--branch {branch}: no row of the plan works on that branch "
                             f"(rows: {known})")
        return branch
    row = plan.find(row_ref or "")
    if row is None:
        raise UsageError(f"--row {row_ref}: no such row in the plan (rows: {known})")
    return row.branch


@click.command()
@fleet_options
@format_option
@remembered("order")
def order(plan_path: Path | None, repo: Path | None, target: str | None, fmt: str) -> int:
    """Recommend a merge order with reasons, and replay it onto the target.

    The replay merges the branches one after another with `git merge-tree` (no
    checkout, no index, no ref touched) and says where, if anywhere, the fan-in stops.
    """
    print_report(_build(repo, plan_path, target, current=False), fmt)
    return ExitCode.OK


def uncommitted_note(run: F) -> F:
    """After `check` has printed (its own answer or a kept one), a note on stderr when this
    worktree holds uncommitted changes: check reads commits, so they are not in it. Asked
    every run, outside the kept answer (which would carry a stale one), and only for a
    text check of HEAD (not --branch/--row, JSON or Markdown: CI's)."""

    @functools.wraps(run)
    def wrapped(**options: Any) -> int:
        code = run(**options)
        if options.get("fmt") == "text" and options.get("branch") is None \
                and options.get("row_ref") is None:
            from fleetbot.cli.common import find_repo
            from fleetbot.git.worktrees import dirty_files
            from fleetbot.render.common import plural
            from fleetbot.render.escape import terminal

            files = dirty_files(find_repo(options.get("repo")))
            if files:
                shown = ", ".join(files[:3]) + (", …" if len(files) > 3 else "")
                click.echo(terminal(
                    f"note: {plural(len(files), 'uncommitted change')} in this worktree "
                    f"({shown}) {'is' if len(files) == 1 else 'are'} not in this check: it "
                    f"reads commits; commit to include {'it' if len(files) == 1 else 'them'}"),
                    err=True)
        return code

    return cast(F, wrapped)


@click.command()
@fleet_options
@format_option
@strict_option
@click.option("--branch", "branch", default=None, metavar="BRANCH",
              help="Check the row of BRANCH instead of the checked-out branch (CI).")
@click.option("--row", "row_ref", default=None, metavar="ISSUE",
              help="Check this row (#44, or its branch) instead of the checked-out branch.")
@uncommitted_note
@remembered("check")
def check(plan_path: Path | None, repo: Path | None, target: str | None, fmt: str,
          strict: bool, branch: str | None, row_ref: str | None) -> int:
    """Lint + conflicts + order in one report, your branch's row first.

    Run it before you open a PR (or as a pre-push hook). With --strict it exits 1 only
    when your branch's own landing is blocked: it no longer merges onto the target, the
    replayed fan-in stops at its step, or it changed files its row does not own; or its
    branch does not exist. Colliding with a row that lands after it does not block.
    """
    from fleetbot.analysis.gate import current_blockers

    report = _build(repo, plan_path, target, current=True, branch=branch, row_ref=row_ref)
    print_report(report, fmt)
    if not strict:
        return ExitCode.OK
    why = current_blockers(report)
    for reason in why:
        click.echo(f"check --strict: {reason}", err=True)
    return ExitCode.FINDINGS if why else ExitCode.OK


@click.command()
@format_option
@click.option("--keep", type=click.Path(file_okay=False, path_type=Path), default=None,
              metavar="DIR", help="Build the example in DIR and leave it there to explore.")
@click.option("--after", type=click.Choice(["squash", "merge", "rebase"]), default=None,
              help="Land #42 first that way (squash, merge commit + branch deleted, "
              "rebase), then report: #42 has landed, #44 rebases onto main.")
@click.option("--semantic", is_flag=True,
              help="The fleet that merges cleanly but breaks its tests, then `verify`.")
def demo(fmt: str, keep: Path | None, after: str | None, semantic: bool) -> int:
    """Build an example fleet (a tasks app, three branches) and check it.

    #42 and #44 both add a command to the dispatch in tasks/cli.py; #43 writes docs.
    With --semantic: #51 renames a function #52's new code calls; both merge cleanly, the
    report warns, and `verify` runs the tests to confirm it. Nothing is left behind
    unless --keep DIR.
    """
    if keep is not None:
        if keep.exists() and any(keep.iterdir()):
            raise UsageError(f"--keep {keep}: the folder is not empty; name a new one")
        _run_demo(keep, fmt, after, semantic)
        if fmt == "text" and not semantic:
            click.echo(
                f"\nThe example is in {keep}. Try:\n  cd {keep} && git checkout "
                "feature/44-clear && fleetbot check", err=True,
            )
        return ExitCode.OK
    import tempfile  # the demo's alone: a kept answer of `check` needs none of it

    with tempfile.TemporaryDirectory(prefix="fleetbot-demo-") as tmp:
        _run_demo(Path(tmp) / "tasks", fmt, after, semantic)
    return ExitCode.OK


def demo_report(path: Path, after: str | None = None) -> Report:
    """Build the example fleet at `path` and return its report (what `demo` prints);
    `after` lands #42 first in that merge style."""
    from fleetbot.fleet.demo import build_example, land_first
    from fleetbot.pipeline import build_report, load_fleet_plan

    git = build_example(path)
    if after is not None:
        land_first(git, after)
    return build_report(git, load_fleet_plan(git).plan, target="main")


def _run_demo(path: Path, fmt: str, after: str | None = None, semantic: bool = False) -> None:
    if semantic:
        _run_semantic_demo(path, fmt)
        return
    if fmt == "text":
        click.echo(
            "fleetbot demo: three branches of a small tasks app, built in a temporary git "
            "repository.\n#42 and #44 both add a command to tasks/cli.py; #43 writes docs.\n"
            + (f"#42 has just been landed on main ({after}).\n" if after else ""),
            err=True,
        )
    print_report(demo_report(path, after), fmt)


def _run_semantic_demo(path: Path, fmt: str) -> None:
    """The report (an `interface` warning), then `verify` confirming it with the tests."""
    import shlex
    import sys

    from fleetbot.cli.common import emit_json, emit_text
    from fleetbot.fleet.demo import build_semantic_example
    from fleetbot.fleet.verify import run_verify, spec_for
    from fleetbot.pipeline import build_report, load_fleet_plan
    from fleetbot.render.verify import render_markdown, render_text, verify_to_json

    git = build_semantic_example(path)
    report = build_report(git, load_fleet_plan(git).plan, target="main")
    # the plan says `python -m unittest ...`; this Python runs it, wherever `python` is
    command = f"{shlex.quote(sys.executable)} -m unittest discover -s tests -t ."
    result = run_verify(git, spec_for(git, report, command, target="main", timeout=120))
    if fmt == "json":
        from fleetbot.render.json import report_to_json

        emit_json({"report": report_to_json(report), "verify": verify_to_json(result)})
        return
    if fmt == "text":
        click.echo(
            "fleetbot demo --semantic: three rows of a small tasks app that all merge "
            "cleanly.\n#51 renames store.load to read_tasks; #52's new stats command calls "
            "load.\n", err=True,
        )
    print_report(report, fmt)
    emit_text("")
    emit_text(render_markdown(result).rstrip("\n") if fmt == "markdown" else render_text(result))
