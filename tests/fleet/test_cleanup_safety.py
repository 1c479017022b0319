"""`fleetbot cleanup` removes only what holds nothing: each reproduction of issue 13."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.cli import Invocation, invoke
from tests.support.fleetkit import fanned_copy
from tests.support.fleetrepo import tasks_repo
from tests.support.repo import Repo

Invoke = Callable[..., Invocation]


def _cleanup(cli_invoke: Invoke, repo: Repo, *args: str, code: int) -> str:
    """`fleetbot cleanup ARGS` on `repo`, which must exit `code`: its stdout then stderr."""
    done = cli_invoke(["cleanup", "--repo", str(repo.path), *args], code=code)
    return done.out + done.err


def _fan_out_and_land_43(root: Path) -> None:
    repo = tasks_repo(root)
    invoke(["fan-out", "--repo", str(repo.path)])
    repo.git("merge", "-q", "--no-ff", "-m", "merge 43", "feature/43-docs")


@pytest.fixture
def landed(tmp_path: Path) -> Repo:
    """The example fleet fanned out, with #43 merged into main: its worktree may go
    (built once per process, copied with its worktrees repointed)."""
    fanned_copy("cleanup-landed-43", tmp_path, _fan_out_and_land_43)
    return Repo(tmp_path / "tasks")


def test_ignored_files_are_listed_biggest_first_and_kept(
        landed: Repo, tmp_path: Path, cli_invoke: Invoke) -> None:
    tree = tmp_path / "tasks-43-docs"
    (tree / ".gitignore").write_text(".env\nnode_modules/\n")
    Repo(tree).git("add", ".gitignore")
    Repo(tree).git("commit", "-qm", "ignore")
    landed.git("merge", "-q", "--no-ff", "-m", "merge 43 again", "feature/43-docs")
    (tree / ".env").write_text("SECRET=1\n")
    (tree / "node_modules/pkg").mkdir(parents=True)
    (tree / "node_modules/pkg/index.js").write_text("x" * 3000)
    for args in (("--dry-run", "--delete-branches"), ("--delete-branches",)):
        out = _cleanup(cli_invoke, landed, *args, code=1)
        assert (f"refuse #43 {tree}  (it holds ignored work (listed below); keep it, or pass "
                "--force to throw it away)\n  would lose: ignored: node_modules/ (2.9 KB)\n"
                "  would lose: ignored: .env (9 B)\n"
                f"  keep with: copy the ignored files out of {tree} (or `git -C {tree} stash "
                "push --all`)\n") in out
        assert "delete #43" not in out
    assert (tree / ".env").read_text() == "SECRET=1\n"
    assert landed.git("branch", "--list", "feature/43-docs").strip()


def test_a_skip_worktree_edit_is_listed_and_kept(
        landed: Repo, tmp_path: Path, cli_invoke: Invoke) -> None:
    tree = tmp_path / "tasks-43-docs"
    Repo(tree).git("update-index", "--skip-worktree", "README.md")
    (tree / "README.md").write_text("my local settings\n")
    out = _cleanup(cli_invoke, landed, code=1)
    assert "  would lose: hidden: README.md\n" in out
    assert (tree / "README.md").read_text() == "my local settings\n"


def test_a_locked_worktree_stays_even_with_force(
        landed: Repo, tmp_path: Path, cli_invoke: Invoke) -> None:
    tree = tmp_path / "tasks-43-docs"
    landed.git("worktree", "lock", "--reason", "on a usb disk", str(tree))
    out = _cleanup(cli_invoke, landed, "--force", "--delete-branches", code=1)
    assert (f"refuse #43 {tree}  (locked (on a usb disk); `git worktree unlock {tree}` first "
            "if it may go (--force does not override this))") in out
    assert tree.is_dir()
    assert landed.git("branch", "--list", "feature/43-docs").strip()


def test_other_worktrees_are_never_pruned(
        landed: Repo, tmp_path: Path, cli_invoke: Invoke) -> None:
    other = tmp_path / "mine"
    landed.git("worktree", "add", "-q", "--detach", str(other))
    side = Repo(other).commit({"side.txt": "detached work\n"}, "detached work")
    other.rename(tmp_path / "moved")  # moved, or on a disk that is not mounted now
    out = _cleanup(cli_invoke, landed, "--delete-branches", code=0)
    assert f"remove #43 {tmp_path / 'tasks-43-docs'}\n" in out
    listed = landed.git("worktree", "list", "--porcelain")
    assert f"worktree {other}\nHEAD {side}\n" in listed
    assert landed.git("cat-file", "-t", side).strip() == "commit"
    landed.git("worktree", "repair", str(tmp_path / "moved"))  # still repairable
    assert Repo(tmp_path / "moved").head() == side


def test_a_row_naming_the_target_never_deletes_it(
        tmp_path: Path, cli_invoke: Invoke) -> None:
    repo = tasks_repo(tmp_path)
    plan = (repo.path / "orchestration-plan.md").read_text()
    plan = plan.replace("feature/43-docs", "main")
    (repo.path / "orchestration-plan.md").write_text(plan)
    repo.git("commit", "-qam", "row 43 on main")
    repo.git("commit", "-q", "--allow-empty", "-m", "main moves on")
    repo.git("checkout", "-q", "--detach")  # main is checked out nowhere
    out = _cleanup(cli_invoke, repo, "--delete-branches", code=0)
    assert "keep #43 branch main  (main is the target; never deleted)\n" in out
    assert "delete #43" not in out
    assert repo.git("branch", "--list", "main").strip() == "main"


def test_cleanup_refuses_the_worktree_it_runs_in_also_with_repo_dotdot(
        landed: Repo, tmp_path: Path, cli_invoke: Invoke,
        monkeypatch: pytest.MonkeyPatch) -> None:
    tree = tmp_path / "tasks-43-docs"
    (tree / "docs").mkdir(exist_ok=True)
    monkeypatch.chdir(tree / "docs")
    out = cli_invoke(["cleanup", "--repo", "../../tasks", "--delete-branches"], code=1).out
    assert (f"refuse #43 {tree}  (fleetbot runs in this worktree; run cleanup from another "
            "one (e.g. the main worktree))") in out
    assert tree.is_dir()


def test_a_submodule_with_an_unpushed_commit_is_listed_and_force_says_so(
        tmp_path: Path, cli_invoke: Invoke) -> None:
    from tests.support.repo import make_repo

    sub = make_repo(tmp_path, {"f": "1\n"}, name="sublib")
    repo = tasks_repo(tmp_path)
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub.path), "lib")
    repo.git("commit", "-qm", "add lib")
    repo.git("branch", "-f", "feature/43-docs", "main")
    repo.git("checkout", "-q", "feature/43-docs")
    repo.commit({"docs/guide.md": "# guide\n"}, "docs")
    repo.git("checkout", "-q", "main")
    cli_invoke(["fan-out", "--repo", str(repo.path), "--rows", "#43"])
    repo.git("merge", "-q", "--no-ff", "-m", "merge 43", "feature/43-docs")
    tree = tmp_path / "tasks-43-docs"
    Repo(tree).git("-c", "protocol.file.allow=always", "submodule", "update", "-q", "--init")
    inner = Repo(tree / "lib")
    inner.git("checkout", "-q", "-b", "work")
    work = inner.commit({"f": "2\n"}, "lib work")
    done = cli_invoke(["cleanup", "--repo", str(repo.path), "--format", "json"], code=1)
    rows = {r["issue"]: r for r in json.loads(done.out)["rows"]}
    assert rows["#43"]["loses"] == ["submodule: lib (new commits)",
                                    f"submodule: lib: 1 unpushed commit(s) ({work[:7]} "
                                    "lib work)"]
    out = _cleanup(cli_invoke, repo, "--force", code=0)
    assert f"  loses: submodule: lib: 1 unpushed commit(s) ({work[:7]} lib work)\n" in out
    assert not tree.exists()


def test_a_new_row_that_only_fast_forwarded_keeps_its_fresh_work(
        tmp_path: Path, cli_invoke: Invoke) -> None:
    repo = tasks_repo(tmp_path, branches=False)
    cli_invoke(["fan-out", "--repo", str(repo.path)])
    repo.commit({"CHANGELOG.md": "1\n"}, "main moves on")
    tree = tmp_path / "tasks-43-docs"
    Repo(tree).git("merge", "-q", "--ff-only", "main")  # no commit of its own: not landed
    (tree / "docs").mkdir(exist_ok=True)
    (tree / "docs/guide.md").write_text("a first draft, not committed yet\n")
    out = _cleanup(cli_invoke, repo, "--delete-branches", code=0)
    assert "keep #43 feature/43-docs  (not landed on the target)\n" in out
    assert (tree / "docs/guide.md").is_file()


def test_integrate_dry_run_lists_what_the_reset_would_lose(
        tmp_path: Path, cli_invoke: Invoke) -> None:
    repo = tasks_repo(tmp_path)
    fix = repo.branch("fleet/integration", {"fix.txt": "mine\n"}, message="hand fix")
    out = cli_invoke(["integrate", "--dry-run", "--repo", str(repo.path)]).out
    assert out.startswith(
        "resetting fleet/integration to main would lose, in fleet/integration:\n"
        f"  commit: {fix[:7]} hand fix\n")
    assert "(refused without --force)\nwould reset fleet/integration to main" in out
    assert repo.head("fleet/integration") == fix
