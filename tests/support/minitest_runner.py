"""A tiny `pytest -x` for the verify tests' scratch projects (see tests/support/fleetkit.py):
run in the project's folder, it imports `tests/test_*.py` in name order, calls each
module-level `test_*` function in file order, stops at the first failure with its
traceback and `FAILED path::name`, and exits 1 then, else 0. Stdlib only."""

from __future__ import annotations

import importlib
import sys
import traceback
from pathlib import Path


def main() -> int:
    root = Path.cwd()
    sys.path.insert(0, str(root))
    passed = 0
    for path in sorted((root / "tests").glob("test_*.py")):
        name = f"tests/{path.name}"
        try:
            module = importlib.import_module(f"tests.{path.stem}")
        except BaseException:
            traceback.print_exc(file=sys.stdout)
            print(f"ERROR {name}\n1 error, {passed} passed")
            return 1
        tests = [(k, f) for k, f in vars(module).items()
                 if k.startswith("test_") and callable(f)]
        for test, function in tests:
            try:
                function()
            except BaseException:
                traceback.print_exc(file=sys.stdout)
                print(f"FAILED {name}::{test}\n1 failed, {passed} passed")
                return 1
            passed += 1
    print(f"{passed} passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
