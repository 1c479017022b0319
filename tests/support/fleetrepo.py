"""The example fleet (examples/orchestration-plan.md) on a real temporary repo: the files
and branches of `fleetbot demo` (fleetbot/fleet/demo.py, the one copy of the fleet's data).

#42 and #44 both add a command to the dispatch in tasks/cli.py, at the same line, so
landing both conflicts; #43 only writes docs.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from fleetbot.fleet import demo
from fleetbot.fleet.demo import build_example
from fleetbot.model import Plan, Status
from fleetbot.plan.parse import parse_plan
from tests.support.repo import Repo, from_template, make_repo

CLI = demo.CLI
cli_with = demo.cli_with  # tasks/cli.py with one more command in its dispatch

# the demo's main without the plan (tasks_repo commits it), and each row's files
BASE = {name: text for name, text in demo.BASE.items() if name != "orchestration-plan.md"}
BRANCHES = {branch: files for branch, (_, files) in demo.BRANCHES.items()}

# the plan as a file, for --plan; the same text as demo.PLAN (tests/fleet/test_demo_repo.py)
EXAMPLE = Path(__file__).parents[2] / "examples" / "orchestration-plan.md"


def example_plan(**status: Status) -> Plan:
    """The example plan, parsed; `s44=Status.MERGED` overrides a row's status."""
    plan = parse_plan(demo.PLAN, "orchestration-plan.md")
    rows = tuple(replace(r, status=status.get("s" + r.issue.lstrip("#"), r.status))
                 for r in plan.rows)
    return replace(plan, rows=rows)


def tasks_repo(root: Path, *, branches: bool = True) -> Repo:
    """A repo named `tasks` (so the plan's ../tasks-42-count is its sibling) with the plan
    committed on main and, unless told not to, the three rows' branches with their work
    (one commit each, pinned identity and dates: the same ids in every run)."""
    from_template(("tasks", branches), root / "tasks", lambda path: make_repo(
        path.parent, {**BASE, "orchestration-plan.md": demo.PLAN},
        BRANCHES if branches else None, name=path.name))
    return Repo(root / "tasks")


def _warm_demo(path: Path) -> None:
    from tests.support.cli import invoke

    build_example(path)
    invoke(["order", "--repo", str(path), "--format", "json"])  # fills the git-dir cache


def demo_repo(root: Path) -> Repo:
    """`fleetbot demo`'s own repository (demo.build_example, on main) at root/tasks: built
    once per test process, its git-dir cache filled by one `order`, and copied."""
    from_template("demo-warm", root / "tasks", _warm_demo)
    return Repo(root / "tasks")
