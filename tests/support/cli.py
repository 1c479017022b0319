"""The one way tests run the CLI: `cli_invoke(args, code=0)` (a pytest fixture, like
scriv's). It runs `fleetbot.cli.run` under click's CliRunner, so output is captured per call
and exit codes are fleetbot's own (errors.ExitCode). An exit code other than the one
expected fails the test with the command, its stdout, its stderr and, for an internal
error, the traceback (FLEETBOT_DEBUG=1 lets it through instead of the bug message)."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import click
import pytest
from click.testing import CliRunner

from fleetbot.cli import run


@dataclass(frozen=True)
class Invocation:
    code: int
    out: str
    err: str


@click.command(context_settings={"ignore_unknown_options": True, "help_option_names": []})
@click.argument("argv", nargs=-1, type=click.UNPROCESSED)
def _fleetbot(argv: tuple[str, ...]) -> None:
    sys.exit(run(list(argv)))


def invoke(args: Sequence[str], code: int | None = 0, *, debug: bool = True) -> Invocation:
    """Run `fleetbot *args`; `code` None accepts any exit code. `debug=False` runs it as a
    user would, where a bug is the one-line message and exit 3 instead of a traceback."""
    result = CliRunner().invoke(_fleetbot, list(args),
                                env={"FLEETBOT_DEBUG": "1" if debug else None},
                                catch_exceptions=True)
    got = Invocation(result.exit_code, result.stdout, result.stderr)
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    if crashed or (code is not None and got.code != code):
        trace = "".join(traceback.format_exception(*result.exc_info)) \
            if crashed and result.exc_info else ""
        pytest.fail(f"`fleetbot {' '.join(args)}` exited {got.code}, expected {code}\n"
                    f"--- stdout\n{got.out}--- stderr\n{got.err}{trace}", pytrace=False)
    return got


@pytest.fixture
def cli_invoke() -> Callable[..., Invocation]:
    return invoke
