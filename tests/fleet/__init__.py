"""Small builders for conflict tests: plan rows in one line, facts from a real repo."""

from __future__ import annotations

from collections.abc import Sequence

from fleetbot.git import Git
from fleetbot.model import Conflict, ConflictKind, GitFacts, Plan
from tests.support.factories import plan, row
from tests.support.repo import Repo

plan_of = plan  # the factories' names, as the conflict tests have long called them


def facts(repo: Repo, plan: Plan, target: str | None = None, **kw: object) -> GitFacts:
    from fleetbot.git.mergetree import gather

    return gather(Git(repo.path), plan, target, **kw)  # type: ignore[arg-type]


def predict(repo: Repo, plan: Plan, target: str | None = None) -> tuple[Conflict, ...]:
    from fleetbot.analysis.conflicts import predict as _predict

    return _predict(plan, facts(repo, plan, target))


def of_kind(found: Sequence[Conflict], kind: str) -> list[Conflict]:
    return [c for c in found if c.kind is ConflictKind(kind)]


# The example fleet of the README: #42 count and #44 clear both add a command to the
# dispatch in tasks/cli.py; #43 writes docs.
CLI = (
    "import sys\n\n\n"
    "def main(argv):\n"
    "    cmd = argv[0]\n"
    "    if cmd == 'add':\n"
    "        return add(argv[1:])\n"
    "    return 1\n"
)
EXAMPLE_BASE = {
    "tasks/cli.py": CLI,
    "tasks/__init__.py": "",
    "README.md": "# tasks\n",
}
EXAMPLE_BRANCHES = {
    "feature/42-count": {
        "tasks/cli.py": CLI.replace(
            "    return 1\n", "    if cmd == 'count':\n        return count()\n    return 1\n"
        ),
        "tasks/count.py": "def count():\n    return 0\n",
        "tests/test_count.py": "def test_count():\n    pass\n",
    },
    "feature/43-docs": {"docs/usage.md": "# usage\n", "README.md": "# tasks\n\nSee docs.\n"},
    "feature/44-clear": {
        "tasks/cli.py": CLI.replace(
            "    return 1\n", "    if cmd == 'clear':\n        return clear()\n    return 1\n"
        ),
        "tasks/clear.py": "def clear():\n    return 0\n",
        "tests/test_clear.py": "def test_clear():\n    pass\n",
    },
}
EXAMPLE_PLAN = plan_of(
    row("#42", "feature/42-count", ["tasks/cli.py", "tasks/count.py", "tests/test_count.py"],
        title="count"),
    row("#43", "feature/43-docs", ["docs/**", "README.md"], title="docs"),
    row("#44", "feature/44-clear", ["tasks/cli.py", "tasks/clear.py", "tests/test_clear.py"],
        title="clear"),
)


def heads(repo: Repo) -> str:
    """Every ref and the worktree state: what a read-only operation must leave alone."""
    return repo.git("for-each-ref") + repo.git("status", "--porcelain") + repo.git(
        "rev-parse", "HEAD"
    )


def git_of(repo: Repo) -> Git:
    return Git(repo.path)
