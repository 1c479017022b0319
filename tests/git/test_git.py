"""Git.version() asks each git executable once per process."""

from __future__ import annotations

import os
from pathlib import Path

from fleetbot.git import Git, parse_version


def test_version_is_asked_once_per_git_executable(tmp_path: Path) -> None:
    shim = tmp_path / "bin"
    shim.mkdir()
    fake = shim / "git"
    fake.write_text("#!/bin/sh\necho 'git version 9.1.0'\n")
    fake.chmod(0o755)
    path = f"{shim}{os.pathsep}{os.environ.get('PATH', '')}"
    assert Git(tmp_path, env={"PATH": path}).version() == (9, 1)
    fake.write_text("#!/bin/sh\necho 'git version 8.0.0'\n")  # not asked again
    assert Git(tmp_path, env={"PATH": path}).version() == (9, 1)
    real = Git(tmp_path).run("version")
    assert Git(tmp_path).version() == parse_version(real) != (9, 1)  # another executable
