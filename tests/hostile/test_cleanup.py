"""Issue 12 item 6, cleanup: `--delete-branches` never deletes the default branch (the
target is tests/fleet/test_cleanup_safety.py's), nor a landed row's branch holding
work whose content is not in the target unless --force (which lists the commits lost)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.support.cli import Invocation
from tests.support.fleetrepo import tasks_repo
from tests.support.repo import Repo

Invoke = Callable[..., Invocation]


def cleanup(cli_invoke: Invoke, repo: Repo, *args: str) -> str:
    """`fleetbot cleanup --delete-branches ARGS`, which must exit 0: stdout, then stderr."""
    done = cli_invoke(["cleanup", "--repo", str(repo.path), "--delete-branches", *args])
    return done.out + done.err


def squash_landed_43(tmp_path: Path) -> Repo:
    """The demo fleet with #43 squash-merged: landed by content, not by its commits."""
    repo = tasks_repo(tmp_path)
    repo.git("merge", "-q", "--squash", "feature/43-docs")
    repo.git("commit", "-qm", "#43 (squashed)")
    return repo


def test_the_default_branch_is_never_deleted(tmp_path: Path,
                                             cli_invoke: Invoke) -> None:
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
    out = cleanup(cli_invoke, repo, "--target", "release", "--force")
    assert "keep #43 branch main  (main is the default branch; never deleted)\n" in out
    assert repo.git("branch", "--list", "main").strip() == "main"


def test_a_squash_landed_branch_whose_content_is_in_the_target_is_deleted(
        tmp_path: Path, cli_invoke: Invoke) -> None:
    repo = squash_landed_43(tmp_path)
    out = cleanup(cli_invoke, repo)
    assert "delete #43 branch feature/43-docs\n" in out
    assert repo.git("branch", "--list", "feature/43-docs").strip() == ""


def test_a_squash_landed_branch_with_later_work_is_kept(
        tmp_path: Path, cli_invoke: Invoke) -> None:
    """Work after the squash is not in the target: the row is open again, nothing goes."""
    repo = squash_landed_43(tmp_path)
    repo.git("checkout", "-q", "feature/43-docs")
    repo.commit({"docs/later.md": "written after the squash\n"}, "later docs")
    repo.git("checkout", "-q", "main")
    head = repo.head("feature/43-docs")
    for force in ((), ("--force",)):
        out = cleanup(cli_invoke, repo, *force)
        assert "keep #43 feature/43-docs  (not landed on the target)\n" in out
        assert repo.head("feature/43-docs") == head
