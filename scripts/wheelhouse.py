#!/usr/bin/env python3
"""A folder of wheels for everything action-constraints.txt pins, for one Python.

    python scripts/wheelhouse.py [--python PATH]     # prints the folder

With it the Action's install step runs with no index at all (PIP_NO_INDEX, UV_NO_INDEX,
UV_OFFLINE and --find-links): tests/action/test_act.py runs the composite that way under act, and
`benchmarks/action_install.py --find-links` can too. The folder is
.ci/cache/wheelhouse/<python>-<hash of the constraints> (gitignored) and is made once, by
pip download from the package index; .ci/run makes it before the tests, and a test that
finds it missing makes it the same way.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "action-constraints.txt"


def folder(python: str) -> Path:
    tag = subprocess.run(
        [python, "-c", "import sys; print('py%d.%d' % sys.version_info[:2])"],
        capture_output=True, text=True, check=True).stdout.strip()
    digest = hashlib.sha256(CONSTRAINTS.read_bytes()).hexdigest()[:12]
    return ROOT / ".ci" / "cache" / "wheelhouse" / f"{tag}-{digest}"


def ensure(python: str = sys.executable) -> Path:
    """The wheelhouse for `python`, downloaded first if it is not complete."""
    where = folder(python)
    done = where / ".complete"
    if not done.exists():
        where.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [python, "-m", "pip", "download", "-q", "--disable-pip-version-check",
             "--only-binary=:all:", "-d", str(where), "-r", str(CONSTRAINTS)],
            check=True)
        done.write_text("")
    return where


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable)
    print(ensure(parser.parse_args().python))
    return 0


if __name__ == "__main__":
    sys.exit(main())
