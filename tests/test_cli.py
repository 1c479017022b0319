from __future__ import annotations

import subprocess
import sys

from fleetbot.cli import run


def test_help_lists_start_here(capsys) -> None:  # type: ignore[no-untyped-def]
    assert run(["--help"]) == 0
    assert "fleetbot demo" in capsys.readouterr().out


def test_unknown_flag_is_usage_error(capsys) -> None:  # type: ignore[no-untyped-def]
    assert run(["--no-such-flag"]) == 2
    assert "no such option" in capsys.readouterr().err.lower()


def test_unknown_command_is_usage_error(capsys) -> None:  # type: ignore[no-untyped-def]
    assert run(["frobnicate"]) == 2


def test_help_imports_no_forge_library() -> None:
    code = (
        "import sys; from fleetbot.cli import run; run(['--help']);"
        "bad=[m for m in sys.modules if m.split('.')[0] in ('github','gitlab','requests')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
