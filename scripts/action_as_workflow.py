#!/usr/bin/env python3
"""Print action.yml's composite steps as a reusable workflow, so actionlint checks them.

actionlint lints workflows, not action metadata; wrapped as a `workflow_call` workflow
whose inputs are the action's, every `${{ inputs.x }}`, `${{ steps.y.outputs.z }}` and
`uses:` in the action is checked like any workflow's. Used by .ci/run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def action_as_workflow(action: dict) -> dict:  # type: ignore[type-arg]
    inputs = {
        name: {"type": "string", "required": False, "default": str(spec.get("default", ""))}
        for name, spec in (action.get("inputs") or {}).items()
    }
    return {
        "name": f"action.yml ({action.get('name', 'action')})",
        "on": {"workflow_call": {"inputs": inputs}},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
    }


def main() -> int:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    sys.stdout.write(yaml.safe_dump(action_as_workflow(action), sort_keys=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
