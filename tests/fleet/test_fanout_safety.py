"""`fan-out --brief` never writes through a symlink and says what a deleted worktree is."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from tests.support.cli import Invocation, invoke
from tests.support.fleetkit import fanned_copy
from tests.support.fleetrepo import tasks_repo
from tests.support.repo import Repo

Invoke = Callable[..., Invocation]


def _fan_out(root: Path) -> None:
    invoke(["fan-out", "--repo", str(tasks_repo(root, branches=False).path)])


def fanned_out(root: Path) -> Repo:
    """The example plan fanned out without briefs (built once per process, copied)."""
    fanned_copy("fanned-out-plain", root, _fan_out)
    return Repo(root / "tasks")


def test_a_symlinked_brief_is_replaced_and_its_target_untouched(
        tmp_path: Path, cli_invoke: Invoke) -> None:
    repo = fanned_out(tmp_path)
    admin = Path(repo.git("rev-parse", "--git-common-dir").strip())
    admin = (repo.path / admin).resolve() / "worktrees" / "tasks-42-count"
    precious = tmp_path / "precious.txt"
    precious.write_text("mine\n")
    (admin / "fleetbot-brief.md").symlink_to(precious)
    out = cli_invoke(["fan-out", "--brief", "--repo", str(repo.path)]).out
    assert precious.read_text() == "mine\n"
    brief = admin / "fleetbot-brief.md"
    assert not brief.is_symlink() and "#42" in brief.read_text()
    assert (f"{brief} was a symlink to {precious}; replaced the link with a file (the file "
            "it pointed to is untouched)") in out


def test_a_worktree_deleted_by_hand_is_said_not_git_missing(
        tmp_path: Path, cli_invoke: Invoke) -> None:
    repo = fanned_out(tmp_path)
    gone = tmp_path / "tasks-43-docs"
    shutil.rmtree(gone)
    done = cli_invoke(["fan-out", "--brief", "--repo", str(repo.path)], code=1)
    out, err = done.out, done.err
    assert (f"refuse #43 feature/43-docs -> {gone}  (its worktree {gone} is gone (deleted by "
            f"hand?); `git worktree remove {gone}` forgets it, then fan-out again)") in out
    assert "not installed" not in out + err
    assert (tmp_path / "tasks-42-count").is_dir()
    repo.git("worktree", "remove", str(gone))
    cli_invoke(["fan-out", "--brief", "--repo", str(repo.path)])
    assert gone.is_dir()


def test_a_git_failure_mid_fan_out_says_what_is_done(
        tmp_path: Path, cli_invoke: Invoke) -> None:
    repo = tasks_repo(tmp_path, branches=False)
    # a valid name that git still cannot create: a branch `feature/43` is in the way
    plan = (repo.path / "orchestration-plan.md").read_text()
    (repo.path / "orchestration-plan.md").write_text(plan.replace("feature/43-docs",
                                                                  "feature/43/docs"))
    repo.git("commit", "-qam", "a branch git cannot create next to feature/43")
    repo.git("branch", "feature/43")
    err = cli_invoke(["fan-out", "--repo", str(repo.path)], code=2).err
    assert "command: git worktree add --quiet --no-track -b feature/43/docs" in err
    assert (f"now: fan-out had done #42 at {tmp_path / 'tasks-42-count'}; nothing else was "
            "changed — fix the cause and run `fleetbot fan-out` again") in err
    assert "Traceback" not in err
