"""The local fleet commands: fan-out, brief, status, cleanup, integrate, score.

Each parses options, gathers facts through `fleetbot.fleet.worktrees` (and friends), prints, and
returns an exit code: 0 fine, 1 something stopped or was refused, 2 bad input.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING

import click

from fleetbot.cli import (
    dry_run_option,
    fleet_options,
    format_option,
)
from fleetbot.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from fleetbot.fleet.integrate import Outcome
    from fleetbot.fleet.status import StatusRow
    from fleetbot.fleet.worktrees import FanOutStep
    from fleetbot.git import Git
    from fleetbot.git.refs import Target
    from fleetbot.model import Conflict, Plan, PullFacts


def _setup(plan_path: Path | None, repo: Path | None, target: str | None,
           ) -> tuple[Git, Plan, Target]:
    """The repo, its plan and the target: `.ref` is what git reads, `.name` what every
    command shows (`main` where `origin/main` is read), as the Report names it."""
    from fleetbot.cli.common import find_repo
    from fleetbot.git.refs import read_refs, resolve_target
    from fleetbot.pipeline import load_fleet_plan

    git = find_repo(repo)
    fleet = load_fleet_plan(git, plan_path, target)
    for note in fleet.notes:
        _say(f"note: {note}")
    return git, fleet.plan, resolve_target(git, read_refs(git), target or fleet.plan.target or None)


def _say(text: str) -> None:
    """A line on stderr; what it quotes of the repository or the forge is neutralised."""
    from fleetbot.render.escape import terminal_lines

    click.echo(terminal_lines(text), err=True)


# ---------------------------------------------------------------- fan-out


@click.command("fan-out")
@fleet_options
@click.option("--rows", metavar="#42,#43", help="Only these rows (issues or branches).")
@click.option("--brief", "write_brief", is_flag=True,
              help="Also write each agent's brief into its worktree's git dir.")
@format_option
@dry_run_option
def fan_out(plan_path: Path | None, repo: Path | None, target: str | None, rows: str | None,
            write_brief: bool, fmt: str, dry_run: bool) -> int:
    """Make one linked worktree per plan row that is not merged, on its branch.

    A missing branch is created from the target. Worktrees go where the row's Worktree
    cell says, else beside the repo as <repo>-<issue>-<name>. Existing worktrees are
    skipped; the main worktree is never touched.
    """
    from dataclasses import asdict

    from fleetbot.cli.common import emit_json
    from fleetbot.fleet import worktrees as fleet

    git, plan, tgt = _setup(plan_path, repo, target)
    steps = fleet.gather_fan_out(git, fleet.select_rows(plan, rows), tgt.ref)
    echo = _say if fmt == "json" else click.echo  # JSON alone on stdout
    would = "would " if dry_run else ""
    for s in steps:
        verb = {fleet.FanOut.CREATE: "create", fleet.FanOut.CHECKOUT: "check out",
                fleet.FanOut.TRACK: "check out",
                fleet.FanOut.SKIP: "skip", fleet.FanOut.REFUSE: "refuse"}[s.action]
        doing = would if s.action in (fleet.FanOut.CREATE, fleet.FanOut.CHECKOUT,
                                      fleet.FanOut.TRACK) else ""
        echo(f"{doing}{verb} {s.issue} {s.branch or '(no branch)'} -> {s.path}"
             + (f"  ({s.reason})" if s.reason else ""))
    if not dry_run:
        fleet.apply_fan_out(git, steps)
    briefs = _write_briefs(git, plan, tgt, steps, dry_run, echo) if write_brief else {}
    if fmt == "json":
        emit_json({"dry_run": dry_run, "rows": [
            {**asdict(s), "action": s.action.value, "brief": briefs.get(s.issue)}
            for s in steps]})
    refused = [s for s in steps if s.action is fleet.FanOut.REFUSE]
    return ExitCode.FINDINGS if refused else ExitCode.OK


def _write_briefs(git: Git, plan: Plan, target: Target, steps: Sequence[FanOutStep],
                  dry_run: bool, echo: Callable[[str], None]) -> dict[str, str]:
    """Write each row's brief into its worktree's git dir; issue -> the file's path."""
    from fleetbot import files
    from fleetbot.fleet import brief as briefing
    from fleetbot.fleet import worktrees as fleet
    from fleetbot.git import Git as GitRunner
    from fleetbot.git import worktrees as wt

    predictions = fleet.predict(git, plan, target.ref)
    merged = predictions.landed
    written: dict[str, str] = {}
    for s in steps:
        if s.action is fleet.FanOut.REFUSE or s.landed or not s.branch:
            continue  # no worktree is made for it
        row = fleet.find_row(plan, s.issue)
        tree = fleet.worktree_of(wt.list_worktrees(git), row.branch)
        path = tree.path if tree else s.path
        if dry_run and not Path(path).is_dir():
            echo(f"would write the brief for {s.issue} into {path}'s git dir")
            continue
        if not Path(path).is_dir():
            echo(f"no brief for {s.issue}: its worktree {path} is gone (deleted by hand?); "
                 f"`{shlex.join(['git', 'worktree', 'remove', str(path)])}` forgets it, then "
                 "fan-out again")
            continue
        where = wt.git_dir(GitRunner(path)) / briefing.BRIEF_FILE
        if dry_run:
            echo(f"would write {where}")
            continue
        b = briefing.build_brief(plan, row, target=target.name, merge_ref=target.ref,
                                 worktree=path,
                                 merged=merged,
                                 conflicts=predictions.conflicts, order=predictions.order,
                                 restacks=predictions.restacks)
        note = files.write_like(where, briefing.render_markdown(b), None,
                                symlinks=files.Symlinks.REPLACE)
        if note:
            echo(note)
        written[s.issue] = str(where)
        echo(f"wrote {where}")
    return written


# ---------------------------------------------------------------- brief


@click.command()
@click.argument("row_ref", metavar="ROW")
@fleet_options
@format_option
def brief(row_ref: str, plan_path: Path | None, repo: Path | None, target: str | None,
          fmt: str) -> int:
    """Print the brief for the agent working ROW (an issue like #42, or a branch)."""
    from fleetbot.cli.common import emit_json, emit_text
    from fleetbot.fleet import brief as briefing
    from fleetbot.fleet import worktrees as fleet
    from fleetbot.git import worktrees as wt

    git, plan, tgt = _setup(plan_path, repo, target)
    row = fleet.find_row(plan, row_ref)
    trees = wt.list_worktrees(git)
    tree = fleet.worktree_of(trees, row.branch)
    path = tree.path if tree else str(fleet.worktree_path(row, fleet.main_root(trees)))
    predictions = fleet.predict(git, plan, tgt.ref)
    b = briefing.build_brief(plan, row, target=tgt.name, merge_ref=tgt.ref, worktree=path,
                             merged=predictions.landed,
                             conflicts=predictions.conflicts, order=predictions.order,
                             restacks=predictions.restacks)
    if fmt == "json":
        emit_json(b.as_json())
    elif fmt == "markdown":
        emit_text(briefing.render_markdown(b).rstrip("\n"))
    else:
        emit_text(briefing.render_text(b).rstrip("\n"))
    return ExitCode.OK


# ---------------------------------------------------------------- status


@click.command()
@fleet_options
@format_option
@click.option("--watch", type=click.FloatRange(min=0.2), default=None, metavar="N",
              help="Redraw every N seconds until interrupted (text only).")
@click.option("--forge", "forge_kind", type=click.Choice(["auto", "github", "gitlab", "local"]),
              default="auto", show_default=True,
              help="Where PRs live; auto reads PR/CI/review only when a token is set.")
def status(plan_path: Path | None, repo: Path | None, target: str | None, fmt: str,
           watch: float | None, forge_kind: str) -> int:
    """The fleet dashboard: one line per row with its worktree, ahead/behind, dirt,
    last commit age, drift and predicted collisions. Missing branches or worktrees
    are said, not fatal."""
    from fleetbot.cli.common import emit_json, emit_text

    if watch is not None and fmt != "text":
        raise UsageError("--watch redraws a terminal table; use it with --format text")
    from fleetbot.fleet import status as dashboard

    git, plan, tgt = _setup(plan_path, repo, target)
    if watch is not None:
        return _watch(git, plan, tgt, forge_kind, watch)
    rows, notes = _status_rows(git, plan, tgt.ref, forge_kind)
    if fmt == "json":
        emit_json({"target": tgt.name, "rows": [r.as_json() for r in rows],
                   "notes": list(notes)})
        return ExitCode.OK
    for note in notes:  # what git says beside the rows, as every report command says it
        _say(f"note: {note}")
    if fmt == "markdown":
        emit_text(dashboard.render_markdown(rows, tgt.name))
    else:
        from fleetbot.cli.common import out_console

        console = out_console()
        if console.is_terminal:
            console.print(dashboard.render_table(rows, tgt.name, console.width), crop=False)
        else:  # piped: plain aligned lines, never wrapped, within COLUMNS when it is set
            emit_text(dashboard.render_plain(rows, tgt.name, _columns()))
    return ExitCode.OK


def _columns() -> int | None:
    """COLUMNS when it is a number (a pipe has no width of its own), else None."""
    import os

    value = os.environ.get("COLUMNS", "")
    return int(value) if value.isdigit() and int(value) > 0 else None


def _status_rows(git: Git, plan: Plan, target: str, forge_kind: str,
                 ) -> tuple[tuple[StatusRow, ...], tuple[str, ...]]:
    """The dashboard's rows, and the Report's notes (a diverged branch, a misspelt one)."""
    import time

    from fleetbot.fleet import worktrees as fleet
    from fleetbot.fleet.status import status_rows

    pulls = _pulls(git, forge_kind)
    predictions = fleet.predict(git, plan, target, pulls=pulls)
    facts = fleet.gather_row_facts(git, plan, target, predictions)
    return (status_rows(plan, facts, predictions.conflicts, now=int(time.time()), pulls=pulls,
                        restacks=predictions.restacks), predictions.notes)


def _pulls(git: Git, forge_kind: str) -> tuple[PullFacts, ...]:
    """Open PRs when a forge is asked for (--forge github|gitlab) or, with auto, when a
    token for the detected forge is in the environment; none otherwise."""
    if forge_kind == "local":
        return ()
    from fleetbot.forge import pick_forge, read_state

    forge = pick_forge(forge_kind, git=git)
    if forge.kind == "local" or (forge_kind == "auto" and not forge.can_write):
        return ()
    state = read_state(forge)
    for note in state.notes:
        _say(note)
    return state.pulls


def _watch(git: Git, plan: Plan, target: Target, forge_kind: str, every: float) -> int:
    import itertools
    import time

    from rich.live import Live

    from fleetbot.cli.common import emit_text, out_console
    from fleetbot.fleet.status import render_plain, render_table
    from fleetbot.git import forget

    console = out_console()
    said: set[str] = set()

    def rows_of() -> tuple[StatusRow, ...]:
        """One round's rows; a note is said once, the first round it appears in."""
        rows, notes = _status_rows(git, plan, target.ref, forge_kind)
        for note in notes:
            if note not in said:
                said.add(note)
                _say(f"note: {note}")
        return rows

    try:
        if not console.is_terminal:  # piped: each refresh printed whole, then flushed
            for n in itertools.count():
                forget()  # the fleet moves between rounds: read it afresh
                rows = rows_of()
                emit_text(("\n" if n else "") + render_plain(rows, target.name, _columns()))
                emit_text(f"-- refreshed; next in {every:g}s (Ctrl-C stops) --")
                time.sleep(every)
        with Live(console=console, auto_refresh=False) as live:
            while True:
                forget()
                rows = rows_of()
                live.update(render_table(rows, target.name, console.width), refresh=True)
                time.sleep(every)
    except KeyboardInterrupt:
        return ExitCode.OK


# ---------------------------------------------------------------- cleanup


@click.command()
@fleet_options
@click.option("--force", is_flag=True,
              help="Also remove worktrees holding work (lists what is lost); never a locked "
                   "one.")
@click.option("--delete-branches", is_flag=True,
              help="Also delete the landed rows' local branches whose content is in the "
                   "target (never the target or the default branch; --force: the others "
                   "too, listing their commits).")
@format_option
@dry_run_option
def cleanup(plan_path: Path | None, repo: Path | None, target: str | None, force: bool,
            delete_branches: bool, fmt: str, dry_run: bool) -> int:
    """Remove the worktrees of rows that have landed on the target.

    A worktree holding anything that would be lost (uncommitted, untracked or ignored
    files, hidden edits, submodule work, commits nothing else has) is refused and listed,
    unless --force; a locked one always stays. Other worktrees are never pruned.
    """
    import os
    from dataclasses import asdict

    from fleetbot.cli.common import emit_json
    from fleetbot.fleet import cleanup as clean
    from fleetbot.fleet import worktrees as fleet

    git, plan, tgt = _setup(plan_path, repo, target)
    facts = fleet.gather_row_facts(git, plan, tgt.ref)
    steps = clean.plan_cleanup(
        facts, force=force, delete_branches=delete_branches, here=os.getcwd(),
        guards=clean.gather_guards(git, plan, facts, tgt.ref),
        protected=clean.protected_branches(git, tgt.ref))
    echo = _say if fmt == "json" else click.echo  # JSON alone on stdout
    would = "would " if dry_run else ""
    for s in steps:
        if s.kept:
            echo(f"keep {s.issue} {s.branch or '(no branch)'}  ({s.kept})")
            continue
        if s.refused:
            echo(f"refuse {s.issue} {s.worktree}  ({s.refused})")
        if s.remove_worktree:
            echo(f"{would}remove {s.issue} {s.worktree}")
        if s.forget_worktree:
            echo(f"{would}forget {s.issue} {s.worktree}  (its folder is gone)")
        if s.delete_branch:
            echo(f"{would}delete {s.issue} branch {s.branch}")
        if s.branch_kept:
            echo(f"keep {s.issue} branch {s.branch}  ({s.branch_kept})")
        label = "would lose" if s.refused or dry_run else "loses"
        for lost in s.loses:
            echo(f"  {label}: {lost}")
        for lost in s.branch_loses:  # only with --force: commits whose content is not landed
            echo(f"  {'would lose' if dry_run else 'loses'} commit: {lost}")
        if s.branch_loses:
            echo("  bring it back with: "
                 + shlex.join(["git", "branch", s.branch, s.branch_loses[0].split()[0]]))
        if s.refused:
            for cmd in s.keep:
                echo(f"  keep with: {cmd}")
    if not dry_run:
        clean.apply_cleanup(git, steps)
    if fmt == "json":
        emit_json({"dry_run": dry_run, "rows": [asdict(s) for s in steps]})
    return ExitCode.FINDINGS if any(s.refused for s in steps) else ExitCode.OK


# ---------------------------------------------------------------- integrate


@click.command()
@fleet_options
@click.option("--into", default=None, metavar="BRANCH",
              help="The integration branch, reset to the target tip. [default: fleet/integration]")
@click.option("--continue", "resume", is_flag=True, help="Go on after resolving a conflict.")
@click.option("--abort", is_flag=True, help="Give up: restore the branch and checkout as before.")
@click.option("--force", is_flag=True,
              help="Reset --into although it holds commits nothing else has (lists them).")
@dry_run_option
def integrate(plan_path: Path | None, repo: Path | None, target: str | None, into: str | None,
              resume: bool, abort: bool, force: bool, dry_run: bool) -> int:
    """Fan-in locally: merge the rows in the recommended order onto an integration branch.

    Runs in the current worktree, which must be clean. Stops at the first conflict in
    git's ordinary conflicted-merge state: resolve, `git add`, then
    `fleetbot integrate --continue`. The target branch itself is never touched.
    """
    from fleetbot.cli.common import find_repo
    from fleetbot.fleet import integrate as fan_in

    if resume and abort:
        raise UsageError("--continue and --abort do not go together")
    if abort:
        from fleetbot.fleet.integrate_abort import abort as abort_integration

        _say(abort_integration(find_repo(repo)))
        return ExitCode.OK
    if resume:
        return _outcome(fan_in.resume(find_repo(repo)))
    from fleetbot.fleet import worktrees as fleet
    from fleetbot.fleet.status import describe_collision

    git, plan, tgt = _setup(plan_path, repo, target)
    target_ref = tgt.ref  # integrate resets to and merges what is read: say that ref
    predictions = fleet.predict(git, plan, target_ref, replay=dry_run)  # a dry run shows it
    into_branch = into or fan_in.DEFAULT_INTO
    if dry_run:
        from fleetbot.git import safety
        from fleetbot.git.worktrees import rev

        would = safety.gather_ref_move(git, f"refs/heads/{into_branch}", rev(git, target_ref),
                                       step=f"resetting {into_branch} to {target_ref}")
        if not would.empty:
            click.echo(safety.describe(would) + "\n(refused without --force)")
        landed = {la.issue for la in predictions.landed}
        steps, skipped = fan_in.planned_steps(git, plan, predictions.order, target=target_ref,
                                              landed=landed)
        reasons = {s.issue: s.reasons for s in predictions.order}
        click.echo(f"would reset {into_branch} to {target_ref}, check it out here, and merge:")
        for n, step in enumerate(steps, start=1):  # what the run merges, as it would
            why = f"  ({'; '.join(reasons[step.issue])})" if reasons.get(step.issue) else ""
            click.echo(f"  {n}. {step.issue} {step.branch}{why}")
        if not steps:
            click.echo("  nothing: no row has a branch to merge that is not in the target")
        for note in skipped:
            click.echo(f"  {note}")
        at = {step.issue: n for n, step in enumerate(steps, start=1)}
        groups: dict[tuple[str, ...], list[Conflict]] = {}
        for c in predictions.conflicts:
            if len(c.rows) > 1:
                groups.setdefault(tuple(sorted(c.rows)), []).append(c)
        for rows, group in groups.items():
            click.echo(f"  predicted: {describe_collision(' and '.join(rows), group)}")
        from fleetbot.render.escape import terminal

        replay = predictions.replay
        again = {r.issue: r.command for r in predictions.restacks}
        for stop in replay.stops if replay is not None else ():
            fix = (f"restack it first: `{again[stop.issue]}`" if stop.issue in again else
                   "resolve it, then `fleetbot integrate --continue`")
            click.echo(terminal(f"  the replay stops at step {at.get(stop.issue, stop.position)}"
                                f" ({stop.issue}) on {', '.join(stop.files)}: {fix}"))
        return ExitCode.OK
    return _outcome(fan_in.start(git, plan, predictions.order, target=target_ref,
                                 into=into_branch, conflicts=predictions.conflicts,
                                 force=force, say=_say,
                                 landed={la.issue for la in predictions.landed},
                                 restacks={r.issue: r.command for r in predictions.restacks}))


def _outcome(out: Outcome) -> int:
    for note in out.notes:
        _say(note)
    _say(out.message)
    return ExitCode.FINDINGS if out.stopped else ExitCode.OK


# ---------------------------------------------------------------- score


@click.command()
@fleet_options
@format_option
def score(plan_path: Path | None, repo: Path | None, target: str | None, fmt: str) -> int:
    """Was the fan-out worth it? Critical path, width, predicted vs met conflicts,
    serialised rows and the speed-up, from the target's history."""
    from fleetbot import DEFAULT_PLAN
    from fleetbot.cli.common import emit_json, emit_text
    from fleetbot.fleet import score as scoring
    from fleetbot.fleet import worktrees as fleet

    git, plan, tgt = _setup(plan_path, repo, target)
    now = fleet.predict(git, plan, tgt.ref).landed
    landings = scoring.with_landed(git, plan, scoring.find_landings(git, plan, tgt.ref), now,
                                   target=tgt.ref)
    earlier = scoring.plans_before(git, landings, DEFAULT_PLAN) if plan_path is None else ()
    predicted = scoring.predicted_pairs((plan, *earlier))
    result = scoring.compute_score(plan, landings, predicted,
                                   landed_now={la.issue for la in now})
    if fmt == "json":
        emit_json({"target": tgt.name, **result.as_json()})
    else:
        render = scoring.render_markdown if fmt == "markdown" else scoring.render_text
        emit_text(render(result, target=tgt.name).rstrip("\n"))
    return ExitCode.OK
