"""Issue 12 item 6, cleanup: `--delete-branches` never deletes the default branch (the
target is tests/fleet/test_cleanup_safety.py's), nor a landed row's branch holding
commits the target does not have, with or without --force."""

from __future__ import annotations

from pathlib import Path

import pytest

from fleetbot.cli import run
from tests.fleetrepo import tasks_repo
from tests.gitrepo import Repo


def cleanup(repo: Repo, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = run(["cleanup", "--repo", str(repo.path), "--delete-branches", *args])
    out, err = capsys.readouterr()
    return code, out + err


def test_the_default_branch_is_never_deleted(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    # the fleet merges into `release`; a row names `main`, the remote's default branch
    upstream = tasks_repo(tmp_path / "up")
    plan = (upstream.path / "orchestration-plan.md").read_text()
    (upstream.path / "orchestration-plan.md").write_text(
        "---\ntarget: release\n---\n" + plan.replace("feature/43-docs", "main"))
    upstream.git("commit", "-qam", "row 43 on main, fleet on release")
    upstream.git("branch", "release")
    repo = Repo(tmp_path / "clone")
    upstream.git("clone", "-q", str(upstream.path), str(repo.path))
    repo.git("branch", "release", "origin/release")
    repo.git("checkout", "-q", "--detach")  # main is checked out nowhere
    code, out = cleanup(repo, capsys, "--target", "release", "--force")
    assert code == 0, out
    assert "keep #43 branch main  (main is the default branch; never deleted)\n" in out
    assert repo.git("branch", "--list", "main").strip() == "main"


def test_a_squash_landed_branch_with_its_own_commits_is_kept(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tasks_repo(tmp_path)
    head = repo.head("feature/43-docs")
    repo.git("merge", "-q", "--squash", "feature/43-docs")
    repo.git("commit", "-qm", "#43 (squashed)")  # landed by content, not by its commits
    for force in ((), ("--force",)):
        code, out = cleanup(repo, capsys, *force)
        assert code == 0, out
        assert "keep #43 branch feature/43-docs  (1 commit(s) the target does not have" in out
        assert repo.head("feature/43-docs") == head
