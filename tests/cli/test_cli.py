from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

import pytest

from fleetbot.cli import run
from tests.support.cli import Invocation, invoke


def test_help_lists_start_here(cli_invoke: Callable[..., Invocation]) -> None:
    assert "fleetbot demo" in cli_invoke(["--help"]).out


def test_unknown_flag_is_usage_error(cli_invoke: Callable[..., Invocation]) -> None:
    assert "no such option" in cli_invoke(["--no-such-flag"], code=2).err.lower()


def test_unknown_command_is_usage_error(cli_invoke: Callable[..., Invocation]) -> None:
    def error(*argv: str) -> str:
        return cli_invoke(list(argv), code=2).err.splitlines()[-1]

    assert error("frobnicate") == \
        "Error: No such command 'frobnicate'. (`fleetbot --help` lists them.)"
    # a subcommand of `plan` is named with its group; a slip gets the nearest command
    assert error("lint") == "Error: No such command 'lint': it is `fleetbot plan lint`."
    assert error("init", "--issue", "#1") == \
        "Error: No such command 'init': it is `fleetbot plan init`."
    assert error("stauts") == \
        "Error: No such command 'stauts'. Did you mean 'status'? (`fleetbot --help` lists them.)"
    # a control character in the name is shown escaped, never sent to the terminal
    assert error("a\x1b[2Jb") == \
        "Error: No such command 'a\\x1b[2Jb'. (`fleetbot --help` lists them.)"
    assert error("plan-lint") == \
        "Error: No such command 'plan-lint'. Did you mean 'plan'? (`fleetbot --help` lists them.)"


def test_the_cli_fixture_shows_output_and_traceback_of_a_crash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import fleetbot.fleet.demo as demo

    monkeypatch.setattr(demo, "build_example", _boom(RuntimeError("kaboom")))
    with pytest.raises(pytest.fail.Exception) as failed:
        invoke(["demo"])
    shown = str(failed.value)
    assert "`fleetbot demo` exited 1, expected 0" in shown
    assert "RuntimeError: kaboom" in shown and "Traceback" in shown


def test_help_imports_no_forge_library() -> None:
    code = (
        "import sys; from fleetbot.cli import run; run(['--help']);"
        "bad=[m for m in sys.modules if m.split('.')[0] in ('github','gitlab','requests')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _boom(exc: BaseException):  # type: ignore[no-untyped-def]
    def raiser(*_args: object, **_kwargs: object) -> None:
        raise exc

    return raiser


def test_unexpected_error_exits_3_with_a_pointer(monkeypatch, cli_invoke) -> None:  # type: ignore[no-untyped-def]
    import fleetbot.plan.parse

    monkeypatch.setattr(fleetbot.plan.parse, "read_text", _boom(RuntimeError("kaput")))
    err = cli_invoke(["plan", "lint", "--plan", "x.md"], code=3, debug=False).err
    assert "internal error: RuntimeError: kaput" in err
    assert "FLEETBOT_DEBUG=1" in err
    assert "Traceback" not in err


def test_debug_shows_the_traceback(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pytest

    import fleetbot.plan.parse

    monkeypatch.setattr(fleetbot.plan.parse, "read_text", _boom(RuntimeError("kaput")))
    monkeypatch.setenv("FLEETBOT_DEBUG", "1")
    with pytest.raises(RuntimeError, match="kaput"):
        run(["plan", "lint", "--plan", "x.md"])


def test_interrupt_exits_130(monkeypatch, cli_invoke) -> None:  # type: ignore[no-untyped-def]
    import fleetbot.plan.parse

    monkeypatch.setattr(fleetbot.plan.parse, "read_text", _boom(KeyboardInterrupt()))
    got = cli_invoke(["plan", "lint", "--plan", "x.md"], code=130)
    assert (got.out, got.err) == ("", "\ninterrupted\n")  # the new line ends the ^C line


def test_completion_after_an_unknown_word_stays_quiet() -> None:
    """Pressing TAB after a mistyped command completes what it can, with no usage error
    printed into the shell (click's resilient parsing)."""
    env = {**os.environ, "_FLEETBOT_COMPLETE": "bash_complete",
           "COMP_WORDS": "fleetbot lint --", "COMP_CWORD": "2"}
    proc = subprocess.run([sys.executable, "-m", "fleetbot"], env=env, capture_output=True,
                          text=True, check=False)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.splitlines() == ["plain,--version", "plain,--help"]
