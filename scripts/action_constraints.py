#!/usr/bin/env python3
"""action-constraints.txt: the exact versions the Action installs, on every runner.

    python scripts/action_constraints.py --write   # regenerate (uv, universal resolution)
    python scripts/action_constraints.py --check   # each Python 3.10-3.13 x Linux/macOS/Windows

One universal resolution (`uv pip compile --universal`) pins fleetbot's dependencies, the
installer (uv) and the build backend (hatchling, from action-constraints.in) for every
Python that `requires-python` admits; where a pin needs a newer Python (rpds-py 2026 needs
3.11) it forks with an environment marker, so one file serves 3.10 to 3.13. `--check`
resolves the package again for each Python and runner OS with the file as constraints and
fails if anything is unpinned or unsatisfiable. Both ask the package index (PyPI).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "action-constraints.txt"
SOURCES = ["pyproject.toml", "action-constraints.in"]
PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
PLATFORMS = ["x86_64-unknown-linux-gnu", "aarch64-apple-darwin", "x86_64-pc-windows-msvc"]
HEADER = """\
# Exact versions the Action installs (uv pip install -c), so a run today and a run next month
# get the same code, on Linux, macOS and Windows runners and on Python 3.10 to 3.13 (markers
# fork the few pins that need a newer Python). Also pins uv and hatchling
# (action-constraints.in). Do not edit: python scripts/action_constraints.py --write
"""


def uv() -> list[str]:
    return [sys.executable, "-m", "uv"]


def write() -> int:
    proc = subprocess.run(
        [*uv(), "pip", "compile", *SOURCES, "--universal", "--python-version", PYTHONS[0],
         "--no-annotate", "--no-header", "-q", "-o", str(OUT)],
        cwd=ROOT, check=False)
    if proc.returncode:
        return proc.returncode
    OUT.write_text(HEADER + OUT.read_text())
    return 0


def pins(text: str) -> set[str]:
    """`name==version` of each line (markers dropped), names normalised."""
    out = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            req = line.split(";", 1)[0].strip()
            name, version = req.split("==")
            out.add(f"{re.sub(r'[-_.]+', '-', name).lower()}=={version}")
    return out


def resolve(python: str, platform: str) -> subprocess.CompletedProcess[str]:
    """Resolve from uv's cache first (exact pins: their metadata never changes), else PyPI."""
    args = [*uv(), "pip", "compile", *SOURCES, "-c", str(OUT), "--python-version", python,
            "--python-platform", platform, "--no-annotate", "--no-header", "-q"]
    proc = subprocess.run([*args, "--offline"], cwd=ROOT, capture_output=True, text=True,
                          check=False)
    if proc.returncode:
        proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)
    return proc


def check() -> int:
    pinned = pins(OUT.read_text())
    combos = [(py, platform) for py in PYTHONS for platform in PLATFORMS]
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda c: resolve(*c), combos))
    failed = 0
    for (python, platform), proc in zip(combos, results):
        if proc.returncode:
            print(f"python {python} on {platform}: does not resolve\n{proc.stderr}")
            failed += 1
            continue
        loose = pins(proc.stdout) - pinned
        if loose:
            print(f"python {python} on {platform}: not pinned: {sorted(loose)}")
            failed += 1
    print(f"action-constraints.txt: {len(combos) - failed} of {len(combos)} Python x OS "
          "resolutions pinned")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", action="store_true")
    group.add_argument("--check", action="store_true")
    args = parser.parse_args()
    return write() if args.write else check()


if __name__ == "__main__":
    sys.exit(main())
