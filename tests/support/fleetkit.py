"""Helpers of the fleet-command tests (tests/fleet, the verify tests).

`MINITEST` is a test command for `fleetbot verify` tests whose subject is the bisection,
not pytest: it runs a scratch project's `tests/test_*.py` the way `pytest -x` does for
plain functions (each module imported, each `test_*` function called in file order, the
first failure printed with its traceback and the run stopped, exit 1) in one bare Python
start (~20 ms instead of pytest's ~200 ms). Only plain module-level test functions, no
fixtures, no classes: what those scratch projects hold. A test that runs real pytest end
to end stays in tests/fleet/test_verify.py.

`fanned_copy` builds a fanned-out fleet (a repo and its worktrees) once per test process
and copies it, repointing the worktrees' links at the copy.
"""

from __future__ import annotations

import atexit
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Hashable
from pathlib import Path

RUNNER = Path(__file__).with_name("minitest_runner.py")

# -S: no site packages to import (the runner is stdlib only); -B: no __pycache__ in the
# scratch tree (pytest's -p no:cacheprovider leaves none either)
MINITEST = f"{shlex.quote(sys.executable)} -S -B {shlex.quote(str(RUNNER))}"


# ---------------------------------------------------------------- a fanned fleet, copied

_FLEETS: dict[Hashable, Path] = {}


def fanned_copy(key: Hashable, root: Path, build: Callable[[Path], object]) -> None:
    """Fill the folder `root` (it may exist, empty) with what `build(root)` makes there: a
    main repo and its linked worktrees side by side (a fanned-out fleet). Built once per
    test process in a private folder, then copied; the links between each worktree and
    its main repo (`WORKTREE/.git`, `.git/worktrees/NAME/gitdir`) and the briefs beside
    them, which hold absolute paths, are repointed at the copy, and each tree's index is
    refreshed (the copied files have new inodes and ctimes): one git process a tree."""
    src = _FLEETS.get(key)
    if src is None:
        top = Path(tempfile.mkdtemp(prefix="fleetbot-fleet-"))
        atexit.register(shutil.rmtree, top, True)
        src = top / root.name
        src.mkdir()
        build(src)
        _FLEETS[key] = src
    shutil.copytree(src, root, symlinks=True, dirs_exist_ok=True)
    old, new = os.fsencode(src), os.fsencode(root)
    links = [d / ".git" for d in root.iterdir() if (d / ".git").is_file()]
    links += [f for d in root.glob("*/.git/worktrees/*") for f in d.iterdir()
              if f.is_file() and f.name != "index"]
    for link in links:
        data = link.read_bytes()
        if old in data:
            link.write_bytes(data.replace(old, new))
    for tree in sorted(d for d in root.iterdir() if (d / ".git").exists()):
        subprocess.run(["git", "update-index", "-q", "--refresh"], cwd=tree,
                       capture_output=True, check=False)
