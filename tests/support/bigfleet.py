"""A fleet of N rows in real git, for the scale tests and the request benchmark: an origin
with one branch and `refs/pull/N/head` per row, a full clone, and a fake GitHub that knows
every PR and plan issue (#100 + i for row i, PR i + 1)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from tests.actionkit import API
from tests.fakegithub import FakeGithub
from tests.gitrepo import Repo, make_repo


def big_fleet(root: Path, n: int, plan: str, base: Mapping[str, str],
              change: Callable[[int], dict[str, str]]) -> tuple[Repo, Repo, FakeGithub]:
    """(origin, checkout, fake GitHub); row i's branch `feat/i` commits `change(i)`."""
    origin = make_repo(root, {"orchestration-plan.md": plan, **base}, name="origin")
    gh = FakeGithub("octo/tasks", base=API)
    for i in range(n):
        head = origin.branch(f"feat/{i}", change(i))
        origin.git("update-ref", f"refs/pull/{i + 1}/head", head)
        gh.add_pull(i + 1, f"feat/{i}", sha=head, body=f"Closes #{100 + i}")
        gh.issues.add(100 + i)
    checkout = Repo(root / "checkout")
    origin.git("clone", "-q", str(origin.path), str(checkout.path))
    return origin, checkout, gh
