"""The `fleetbot` command: a lazy click group, shared options, and the one place
where errors become exit codes.

Commands live in `fleetbot/cli/` and are imported only when run, so
`fleetbot --help` never loads PyGithub, python-gitlab or the analysis code.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

# the collector tuned for a command's life before click's imports (see `main`): the
# imports alone made the default threshold collect 13 times (2-3 ms of a cold `conflicts`)
gc.set_threshold(50_000, 20, 20)

import click  # noqa: E402

from fleetbot import __version__  # noqa: E402
from fleetbot.errors import ExitCode, FleetbotError  # noqa: E402

F = TypeVar("F", bound=Callable[..., Any])

ISSUES_URL = "https://github.com/fleetbot/fleetbot/issues"

# name -> (module:attribute, one-line help). The help is here so listing the
# commands imports nothing.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("fleetbot.cli.report:demo", "Run fleetbot on a built-in example fleet."),
    "check": ("fleetbot.cli.report:check", "Lint + conflicts + order for your branch."),
    "plan": ("fleetbot.cli.plan:plan", "Read, lint, fix and start the plan."),
    "conflicts": ("fleetbot.cli.conflicts:conflicts", "Predict which branches collide."),
    "order": ("fleetbot.cli.report:order", "Recommend a merge order, replayed."),
    "verify": ("fleetbot.cli.verify:verify", "Run the tests on the replayed fan-in."),
    "sync": ("fleetbot.cli.forge:sync", "Sync labels and issue links on the forge."),
    "comment": ("fleetbot.cli.forge:comment", "Post the sticky report on one PR."),
    "action": ("fleetbot.cli.action:action", "Run as the GitHub Action."),
    "ci": ("fleetbot.cli.ci:ci", "Run in a GitLab CI job (MR, push, schedule)."),
    "fan-out": ("fleetbot.cli.fleet:fan_out", "Make one worktree per plan row."),
    "brief": ("fleetbot.cli.fleet:brief", "Print the brief for one row's agent."),
    "status": ("fleetbot.cli.fleet:status", "The fleet dashboard."),
    "cleanup": ("fleetbot.cli.fleet:cleanup", "Remove worktrees of merged rows."),
    "integrate": ("fleetbot.cli.fleet:integrate", "Fan-in locally on an integration branch."),
    "score": ("fleetbot.cli.fleet:score", "Was the fan-out worth it? From history."),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        target, _ = COMMANDS[cmd_name]
        module_name, attr = target.split(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str],
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """As click's, but an unknown name says where it lives (`lint` is `plan lint`) or
        which command is near it (`stauts`): click's own message names neither."""
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in COMMANDS \
                and not ctx.resilient_parsing:  # shell completion: click's quiet way
            ctx.fail(unknown_command(name))
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)




def unknown_command(name: str) -> str:
    """The usage error of `fleetbot NAME` for a NAME that is no command: a subcommand of
    the `plan` group is named with it, else the nearest commands are offered (difflib)."""
    import difflib

    from fleetbot.cli.plan import plan  # the one group; loaded only on this error

    if name in plan.commands:
        return f"No such command {name!r}: it is `fleetbot plan {name}`."
    near = difflib.get_close_matches(name, COMMANDS, n=2)
    hint = f" Did you mean {' or '.join(repr(n) for n in near)}?" if near else ""
    return f"No such command {name!r}.{hint} (`fleetbot --help` lists them.)"


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fleetbot")
def cli() -> None:
    """fleetbot keeps the fan-in of a fleet of parallel branches honest.

    It reads the coordination plan (orchestration-plan.md: Issue | Branch | Worktree |
    Files owned | Depends on | Status), predicts which branches will collide, and says
    in which order to merge them and why.

    \b
    Start here:
      fleetbot demo            the whole thing on a built-in example
      fleetbot plan lint       check your plan
      fleetbot check           before you open a PR
    """


# ---------------------------------------------------------------- shared options


def plan_option(f: F) -> F:
    from pathlib import Path  # here, not at the top: `--help` never needs pathlib (~8 ms)

    return click.option(
        "--plan", "plan_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
        help="The plan file (.md, .yml, .json). Default: orchestration-plan.md in the repo.",
    )(f)


def repo_option(f: F) -> F:
    from pathlib import Path

    return click.option(
        "--repo", "repo", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="The git repository. Default: the one around the current folder.",
    )(f)


def target_option(f: F) -> F:
    return click.option(
        "--target", default=None, metavar="BRANCH",
        help="The branch the fleet merges into. Default: origin/HEAD, else main/master.",
    )(f)


def fleet_options(f: F) -> F:
    """--plan, --repo, --target: which fleet, in which repository, merging into what."""
    return plan_option(repo_option(target_option(f)))


def format_option(f: F) -> F:
    return click.option(
        "--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text",
        show_default=True, help="Output format. JSON goes to stdout alone.",
    )(f)


def strict_option(f: F) -> F:
    return click.option(
        "--strict", is_flag=True, help="Exit 1 when there are findings that should block.",
    )(f)


def label_prefix_option(envvar: str | None = None,
                        help: str = "The namespace of fleetbot's labels.") -> Callable[[F], F]:
    """--label-prefix, checked where it is parsed (exit 2): one rule for every command."""
    def check(ctx: click.Context, param: click.Parameter, value: str) -> str:
        from fleetbot.writes.labels import prefix_problem

        problem = prefix_problem(value)
        if problem:
            raise click.BadParameter(f"{value!r}: {problem}; a shorter or open-ended prefix "
                                     "would claim people's labels", ctx=ctx, param=param)
        return value

    return click.option("--label-prefix", envvar=envvar, default="fleet:", show_default=True,
                        metavar="PREFIX", callback=check, help=help)


def dry_run_option(f: F) -> F:
    return click.option(
        "--dry-run", is_flag=True, help="Print every write it would make and make none.",
    )(f)


# ---------------------------------------------------------------- entry point


def main(argv: list[str] | None = None) -> None:
    """Run the CLI and map every outcome to an exit code (see errors.ExitCode).

    Python's cyclic collector is tuned for a command's life (a gc.callbacks timer and
    `strace -tt` on a cold `conflicts` of the 20-branch benchmark fleet): its imports make
    ~20,000 objects and no garbage, over which the default threshold (700) collected
    42-48 times (8-12 ms), so a collection waits for 50,000 new objects (none in that run; a
    report build pauses it outright, `pipeline.collector_paused`); and what a run made lives
    until the process ends, so it is frozen out of the collector (`gc.freeze`) before the
    interpreter shuts down, whose last full collection took 20-30 ms after the output
    (5 ms frozen). Exit hooks, finalizers and flushes run as ever. (The threshold is set
    when this module is imported, before click is.)"""
    code = run(argv)
    gc.freeze()
    sys.exit(code)


def run(argv: list[str] | None = None) -> int:
    """The CLI as a function returning the exit code; used by `main` and tests.

    Messages quote repository text (paths, branch names, git's stderr), so they are
    escaped like every other output. Output that cannot be written (a closed pipe, a full
    disk) is bad input from the outside: exit 2 with one line on stderr, no traceback.
    The escaping is imported only when a message needs it: `--help` stays lean.
    """
    try:
        result = cli.main(args=argv, prog_name="fleetbot", standalone_mode=False,
                          terminal_width=_help_width())
        sys.stdout.flush()
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        return ExitCode.INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        return ExitCode.BAD_INPUT
    except FleetbotError as exc:
        from fleetbot.cli.common import OutputClosed
        from fleetbot.render.escape import terminal_lines

        if isinstance(exc, OutputClosed):
            _drop_stdout()
        click.echo(f"error: {terminal_lines(str(exc))}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return ExitCode.INTERRUPTED
    except OSError as exc:
        return _os_error(exc)
    except Exception as exc:  # the last line of defence
        if os.environ.get("FLEETBOT_DEBUG"):
            raise
        from fleetbot.render.escape import terminal_lines

        click.echo(
            f"fleetbot: internal error: {type(exc).__name__}: {terminal_lines(str(exc))}\n"
            "This is a bug in fleetbot. Re-run with FLEETBOT_DEBUG=1 for the traceback and "
            f"report it at {ISSUES_URL} (leave out tokens).",
            err=True,
        )
        return ExitCode.BUG
    return int(result) if isinstance(result, int) else ExitCode.OK


def _help_width() -> int | None:
    """The width click's help formatter would pick, `max(min(columns, 80) - 2, 50)` with
    columns as `shutil.get_terminal_size` finds them (COLUMNS, else the terminal, else
    80), without importing shutil (and zlib, bz2, lzma with it) on every `--help`.
    None (click decides) when a test runner forces a width."""
    if click.formatting.FORCED_WIDTH is not None:
        return None
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return max(min(columns or 80, 80) - 2, 50)


def _os_error(exc: OSError) -> int:
    """A write that failed (EPIPE, ENOSPC, EIO ...) or a file that could not be used."""
    from fleetbot.render.escape import terminal

    what = exc.strerror or type(exc).__name__
    where = f"{terminal(str(exc.filename))}: " if exc.filename else ""
    if isinstance(exc, BrokenPipeError):
        what = "the output was closed before fleetbot finished writing (broken pipe)"
    _drop_stdout()
    with contextlib.suppress(OSError):  # stderr gone too: the exit code is all that is left
        click.echo(f"error: {where}{what}", err=True)
    return ExitCode.BAD_INPUT


def _drop_stdout() -> None:
    """Send what is still buffered for stdout to /dev/null, so the interpreter's final
    flush cannot fail again and print a traceback of its own."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file (a test's capture)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
