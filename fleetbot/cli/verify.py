"""`fleetbot verify`: run the project's tests on the replayed fan-in and name what breaks.

The report goes to stdout (JSON alone with --format json: the file the CI job uploads);
progress goes to stderr, a live line on a terminal and plain lines when piped.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from fleetbot.cli import (
    fleet_options,
    format_option,
    strict_option,
)
from fleetbot.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from rich.status import Status

    from fleetbot.model import Phase, Report, VerifyResult

NO_COMMAND = (
    "no test command: pass --test 'CMD' (for example --test 'python -m pytest -q') or add "
    "`test: CMD` to the plan's front matter"
)


class _Display:
    """Which step, how many runs so far, elapsed: live on a terminal, lines when piped."""

    def __init__(self, live: bool) -> None:
        self.live = live
        self.status: Status | None = None

    def __call__(self, phase: Phase, steps: tuple[str, ...], runs: int, elapsed: float) -> None:
        what = " + ".join(steps) if len(steps) <= 3 else f"{len(steps)} rows up to {steps[-1]}"
        text = (f"verify: {phase.value}: {what or 'the target alone'} "
                f"(run {runs + 1}, {elapsed:.1f}s)")
        if not self.live:
            click.echo(text, err=True)
            return
        if self.status is None:
            from fleetbot.cli.common import err_console

            self.status = err_console().status(text)
            self.status.start()
        else:
            self.status.update(text)

    def stop(self) -> None:
        if self.status is not None:
            self.status.stop()
            self.status = None


@click.command()
@fleet_options
@click.option("--test", "test_cmd", default=None, metavar="CMD",
              help="The test command (run through the shell). Default: `test:` in the "
              "plan's front matter.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=600.0,
              show_default=True, metavar="SECONDS", help="Limit for one test run.")
@click.option("--keep", type=click.Path(file_okay=False, path_type=Path), default=None,
              metavar="DIR", help="Leave the last failing tree (else the tip) checked out "
              "in DIR, a detached worktree: `git worktree remove DIR` when done.")
@format_option
@strict_option
def verify(plan_path: Path | None, repo: Path | None, target: str | None,
           test_cmd: str | None, timeout: float, keep: Path | None, fmt: str,
           strict: bool) -> int:
    """Test the replayed fan-in: semantic conflicts, before anyone merges.

    Lands the recommended order on the target (rows that do not merge are set aside),
    checks the tip out in a throw-away worktree and runs the tests there. When it
    fails: the target alone, a bisection to the first failing row, that row alone, and
    the partner rows that make it fail. Answers are cached by tree. Never run it where
    a write token is (it runs the branches' code): not on pull_request_target.
    """
    from fleetbot.analysis.verify import blocks, with_verify
    from fleetbot.cli.common import emit_json, emit_text, find_repo
    from fleetbot.fleet.verify import run_verify, spec_for
    from fleetbot.pipeline import build_report, load_fleet_plan
    from fleetbot.render.verify import render_markdown, render_text, verify_to_json

    if os.environ.get("GITHUB_EVENT_NAME") == "pull_request_target":
        raise UsageError(
            "verify runs the branches' code and must not run on pull_request_target, where "
            "the job holds a write token: run it in a `pull_request` job with "
            "`permissions: contents: read` (see examples/workflows/fleetbot-with-verify.yml)"
        )
    git = find_repo(repo)
    fleet = load_fleet_plan(git, plan_path, target)
    plan = fleet.plan
    command = (test_cmd if test_cmd is not None else plan.test).strip()
    if not command:
        raise UsageError(NO_COMMAND)
    target = target or plan.target or None
    report = build_report(git, plan, target=target, notes=fleet.notes)
    spec = spec_for(git, report, command, target=target, timeout=timeout)
    display = _Display(live=sys.stderr.isatty() and fmt == "text")
    try:
        result = run_verify(git, spec, keep=keep, progress=display)
    finally:
        display.stop()
    if fmt == "json":
        emit_json(verify_to_json(result))
    elif fmt == "markdown":
        emit_text(render_markdown(result).rstrip("\n"))
    else:
        emit_text(render_text(result))
        for line in _order_lines(with_verify(report, result), result):
            emit_text(line)
    return ExitCode.FINDINGS if strict and blocks(result) else ExitCode.OK


def _order_lines(report: Report, result: VerifyResult) -> list[str]:
    """Where the failing row of a semantic conflict now goes in the order, and why."""
    step = next((s for s in report.order if s.issue == result.culprit), None)
    if step is None or not result.partners:
        return []
    sequence = " -> ".join(s.issue for s in report.order)
    return [f"  order: {sequence}",
            *(f"  {step.issue}: {r}" for r in step.reasons if "(verify)" in r)]
