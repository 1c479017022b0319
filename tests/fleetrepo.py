"""The example fleet (examples/orchestration-plan.md) on a real temporary repo.

#42 and #44 both add a command to the dispatch in tasks/cli.py, at the same line, so
landing both conflicts; #43 only touches docs.
"""

from __future__ import annotations

from pathlib import Path

from fleetbot.model import OwnedPath, Plan, Row, Status
from tests.gitrepo import Repo, make_repo

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
    """The example plan's three rows (built directly, as the plan file says)."""
    cli = OwnedPath("tasks/cli.py", "dispatch + new fn")

    def row(n: int, title: str, files: tuple[OwnedPath, ...], line: int) -> Row:
        issue = f"#{n}"
        return Row(issue=issue, branch=f"feature/{n}-{title}", line=line, title=title,
                   worktree=f"../tasks-{n}-{title}", files_owned=files,
                   status=status.get(f"s{n}", Status.RUNNING), status_raw="running")

    return Plan(rows=(
        row(42, "count", (cli, OwnedPath("tasks/count.py"), OwnedPath("tests/test_count.py")), 7),
        row(43, "docs", (OwnedPath("docs/**"), OwnedPath("README.md")), 8),
        row(44, "clear", (cli, OwnedPath("tasks/clear.py"), OwnedPath("tests/test_clear.py")), 9),
    ), source="orchestration-plan.md", text=EXAMPLE.read_text())


def tasks_repo(root: Path, *, branches: bool = True) -> Repo:
    """A repo named `tasks` (so the plan's ../tasks-42-count is its sibling) with the plan
    committed on main and, unless told not to, the three rows' branches with their work."""
    repo = make_repo(root, {**BASE, "orchestration-plan.md": EXAMPLE.read_text()},
                     BRANCHES if branches else None, name="tasks")
    return repo
