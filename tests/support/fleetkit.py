"""Helpers of the fleet-command tests (tests/fleet, the verify tests).

`MINITEST` is a test command for `fleetbot verify` tests whose subject is the bisection,
not pytest: it runs a scratch project's `tests/test_*.py` the way `pytest -x` does for
plain functions (each module imported, each `test_*` function called in file order, the
first failure printed with its traceback and the run stopped, exit 1) in one bare Python
start (~20 ms instead of pytest's ~200 ms). Only plain module-level test functions, no
fixtures, no classes: what those scratch projects hold. A test that runs real pytest end
to end stays in tests/fleet/test_verify.py.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

RUNNER = Path(__file__).with_name("minitest_runner.py")

# -S: no site packages to import (the runner is stdlib only); -B: no __pycache__ in the
# scratch tree (pytest's -p no:cacheprovider leaves none either)
MINITEST = f"{shlex.quote(sys.executable)} -S -B {shlex.quote(str(RUNNER))}"
