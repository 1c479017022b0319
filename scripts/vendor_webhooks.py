#!/usr/bin/env python3
"""Vendor the extra GitHub webhook examples the Action's tests use.

scripts/refresh_fixtures.py vendors the forge's set (pull_request opened/synchronize/
closed, push, check_suite completed, status, workflow_run completed, issue_comment
created, merge_group); this adds the other events and actions `fleetbot action` handles,
in the same folder and the same naming.

The payloads come from the npm package `@octokit/webhooks-examples` (installed into a
temporary folder with npm, nothing kept but the JSON we use). Each file is the first
example of its event and action: `<event>.<action>.json`, or `<event>.json` for events
without an action. A later example of the same kind is kept as `<name>.<n>.json` (its
1-based position in the package) when a test needs that particular one.

    python scripts/vendor_webhooks.py            # writes the files, prints what it wrote
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGE = "@octokit/webhooks-examples@7.6.1"
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "github" / "webhooks"

# (event, action or None) -> first example of it
WANTED: list[tuple[str, str | None]] = [
    ("pull_request", "reopened"),
    ("pull_request", "ready_for_review"),
    ("pull_request", "labeled"),
    ("check_suite", "requested"),
    ("check_run", "completed"),
    ("issues", "opened"),
    ("workflow_dispatch", None),
]
# (event, 1-based index among that event's examples): a particular later example
EXTRA: list[tuple[str, int]] = [
    ("push", 5),  # a push to refs/heads/master (the first one pushes a tag)
]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", tmp, PACKAGE],
            check=True,
        )
        index = Path(tmp, "node_modules", "@octokit", "webhooks-examples", "api.github.com",
                     "index.json")
        events = {e["name"]: e["examples"] for e in json.loads(index.read_text())}
    OUT.mkdir(parents=True, exist_ok=True)
    for event, action in WANTED:
        example = next(x for x in events[event] if x.get("action") == action)
        _write(f"{event}.{action}.json" if action else f"{event}.json", example)
    for event, position in EXTRA:
        example = events[event][position - 1]
        action = example.get("action")
        _write(f"{event}.{action}.{position}.json" if action else f"{event}.{position}.json",
               example)
    return 0


def _write(name: str, payload: object) -> None:
    path = OUT / name
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    print(path.relative_to(ROOT))


if __name__ == "__main__":
    sys.exit(main())
