"""Atomic, faithful rewrites: `plan lint --fix` and `plan init` on real files."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from fleetbot import files
from tests.support.cli import Invocation

Invoke = Callable[..., Invocation]

EXAMPLE = Path(__file__).parent.parent.parent / "examples" / "orchestration-plan.md"
ROOT = Path(__file__).parent.parent.parent


def test_lint_fix_keeps_crlf_and_the_bom(tmp_path: Path, cli_invoke: Invoke) -> None:
    plan = tmp_path / "p.md"
    original = files.BOM + EXAMPLE.read_text().replace("\n", "\r\n").encode()
    plan.write_bytes(original)
    cli_invoke(["plan", "lint", "--plan", str(plan), "--fix"])
    lf = tmp_path / "lf.md"
    lf.write_text(EXAMPLE.read_text())
    cli_invoke(["plan", "lint", "--plan", str(lf), "--fix"])
    assert b"| #42 | running |" in lf.read_bytes()
    assert plan.read_bytes() == files.BOM + lf.read_bytes().replace(b"\n", b"\r\n")
    cli_invoke(["plan", "lint", "--plan", str(plan), "--strict"])


def test_a_write_refuses_when_the_file_changed_since_it_was_read(tmp_path: Path) -> None:
    plan = tmp_path / "p.md"
    plan.write_text("old\n")
    seen = files.snapshot(plan)
    plan.write_text("someone saved this\n")
    with pytest.raises(files.FileChanged, match="changed on disk since fleetbot read it"):
        files.write_like(plan, "new\n", seen)
    assert plan.read_text() == "someone saved this\n"
    files.write_like(plan, "new\n", files.snapshot(plan))
    assert plan.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["p.md"]  # no temp file left


def test_a_symlink_is_followed_or_replaced_as_asked(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("real\n")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    assert files.write_like(link, "via link\n", files.snapshot(link)) == ""
    assert real.read_text() == "via link\n" and link.is_symlink()
    note = files.write_like(link, "brief\n", None, symlinks=files.Symlinks.REPLACE)
    assert note == (f"{link} was a symlink to {real}; replaced the link with a file (the "
                    "file it pointed to is untouched)")
    assert not link.is_symlink() and link.read_text() == "brief\n"
    assert real.read_text() == "via link\n"


FULL_DISK = """
import resource, sys
from fleetbot.cli import run
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), int(sys.argv[1])))
sys.exit(run(sys.argv[2:]))
"""


@pytest.mark.parametrize("command", ["lint", "init"])
def test_a_full_disk_leaves_the_old_plan_whole_and_exits_2(tmp_path: Path,
                                                           command: str) -> None:
    plan = tmp_path / "p.md"
    original = EXAMPLE.read_bytes()
    plan.write_bytes(original)
    args = (["plan", "lint", "--plan", str(plan), "--fix"] if command == "lint" else
            ["plan", "init", "--plan", str(plan), "--force", "--issue", "1:a", "--issue",
             "2:b", "--issue", "3:c", "--issue", "4:d", "--issue", "5:e", "--issue", "6:f"])
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    limit = len(original) // 2
    proc = subprocess.run([sys.executable, "-c", FULL_DISK, str(limit), *args], cwd=ROOT,
                          capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "could not write it" in proc.stderr and "the old file is unchanged" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert plan.read_bytes() == original
    assert [p.name for p in tmp_path.iterdir()] == ["p.md"]
