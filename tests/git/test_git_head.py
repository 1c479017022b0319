from __future__ import annotations

from fleetbot.git import Git
from fleetbot.git.worktrees import current_branch


def test_current_branch_and_detached_head(repo_factory) -> None:  # type: ignore[no-untyped-def]
    repo = repo_factory({"a.txt": "a\n"}, {"feature/x": {"a.txt": "b\n"}})
    git = Git(repo.path)
    assert current_branch(git) == "main"
    repo.checkout("feature/x")
    assert current_branch(git) == "feature/x"
    repo.git("checkout", "-q", "--detach", "HEAD")
    assert current_branch(git) is None
