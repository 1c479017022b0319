#!/usr/bin/env python3
"""What the release workflow needs from this repository, checked before anything is built.

    python scripts/release.py check vX.Y.Z   # the tag is the package version; prints its major tag
    python scripts/release.py notes vX.Y.Z   # the CHANGELOG section of that version (Markdown)

The version lives in one place, `fleetbot/__init__.py` (hatch reads it from there). A
release is a `vX.Y.Z` tag on a commit whose `__version__` is `X.Y.Z` and whose CHANGELOG.md
has a `## [X.Y.Z] - YYYY-MM-DD` section; the workflow then moves the major tag `vX` (`v0`)
to it, which is what `uses: fleetbot/fleetbot@v0` resolves to.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def version() -> str:
    text = (ROOT / "fleetbot" / "__init__.py").read_text()
    m = re.search(r'^__version__ = "([^"]+)"$', text, re.M)
    if not m:
        raise SystemExit("fleetbot/__init__.py has no __version__ line")
    return m.group(1)


def major_tag(ver: str) -> str:
    return "v" + ver.split(".", 1)[0]


def notes(ver: str, changelog: str | None = None) -> str:
    """The body of `## [ver] - date` in CHANGELOG.md, up to the next `## ` heading."""
    text = changelog if changelog is not None else (ROOT / "CHANGELOG.md").read_text()
    m = re.search(rf"^## \[{re.escape(ver)}\] - \d{{4}}-\d{{2}}-\d{{2}}\n(.*?)(?=^## |^\[|\Z)",
                  text, re.M | re.S)
    if not m or not m.group(1).strip():
        raise SystemExit(f"CHANGELOG.md has no section '## [{ver}] - YYYY-MM-DD' with notes")
    return m.group(1).strip() + "\n"


def check(tag: str) -> str:
    """The major tag for release `tag`, after checking tag, version and changelog agree."""
    ver = version()
    if tag != f"v{ver}":
        raise SystemExit(f"tag {tag} is not the package version v{ver} (fleetbot/__init__.py)")
    notes(ver)
    return major_tag(ver)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in {"check", "notes"}:
        print(__doc__, file=sys.stderr)
        return 2
    command, tag = argv
    if command == "check":
        print(check(tag))
    else:
        check(tag)
        sys.stdout.write(notes(tag.removeprefix("v")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
