"""The example fleet (examples/orchestration-plan.md) on a real temporary repo.

#42 and #44 both add a command to the dispatch in tasks/cli.py, at the same line, so
landing both conflicts; #43 only touches docs.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from fleetbot.fleet.demo import build_example
from fleetbot.model import Plan, Status
from fleetbot.plan.parse import parse_plan
from tests.support.repo import Repo, from_template, make_repo

CLI = '''"""The tasks command line."""


def add(args):
    return "added"


COMMANDS = {
    "add": add,
}
'''


def cli_with(name: str) -> str:
    return CLI.replace('    "add": add,\n', f'    "add": add,\n    "{name}": {name},\n').replace(
        "\n\nCOMMANDS", f"\n\ndef {name}(args):\n    return {name!r}\n\n\nCOMMANDS")


BASE = {
    "tasks/__init__.py": "",
    "tasks/cli.py": CLI,
    "README.md": "# tasks\n",
    "docs/index.md": "# docs\n",
}

BRANCHES = {
    "feature/42-count": {"tasks/cli.py": cli_with("count"), "tasks/count.py": "N = 1\n"},
    "feature/43-docs": {"docs/guide.md": "# guide\n", "README.md": "# tasks\n\nSee docs.\n"},
    "feature/44-clear": {"tasks/cli.py": cli_with("clear"), "tasks/clear.py": "X = 0\n"},
}

EXAMPLE = Path(__file__).parent.parent / "examples" / "orchestration-plan.md"


def example_plan(**status: Status) -> Plan:
    """The example plan, parsed; `s44=Status.MERGED` overrides a row's status."""
    plan = parse_plan(EXAMPLE.read_text(), "orchestration-plan.md")
    rows = tuple(replace(r, status=status.get("s" + r.issue.lstrip("#"), r.status))
                 for r in plan.rows)
    return replace(plan, rows=rows)


def tasks_repo(root: Path, *, branches: bool = True) -> Repo:
    """A repo named `tasks` (so the plan's ../tasks-42-count is its sibling) with the plan
    committed on main and, unless told not to, the three rows' branches with their work."""
    plan = EXAMPLE.read_text()
    from_template(("tasks", branches, plan), root / "tasks", lambda path: make_repo(
        path.parent, {**BASE, "orchestration-plan.md": plan}, BRANCHES if branches else None,
        name=path.name))
    return Repo(root / "tasks")


def demo_repo(root: Path) -> Repo:
    """`fleetbot demo`'s fleet (fleetbot/fleet/demo.py, on main) at root/tasks: built once
    per test process and copied."""
    from_template("demo", root / "tasks", build_example)
    return Repo(root / "tasks")
