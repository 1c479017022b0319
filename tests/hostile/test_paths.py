"""Issue 12 item 5 and issue 14 item 9: Worktree cells stay beside the repository.

`fan-out` runs `git worktree add` on the cell: a branch's `post-checkout` hook runs at
once and its files land there. A cell must stay inside the worktree root (the folder that
holds the repository), out of every `.git` and out of the main worktree.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import pytest

from fleetbot.errors import PlanError
from fleetbot.fleet import worktrees as fleet
from fleetbot.fleet.paths import cell_problem, path_problem, place
from fleetbot.model import Row
from tests.support.cli import Invocation
from tests.support.fleetrepo import EXAMPLE, tasks_repo
from tests.support.repo import Repo

ROOT = PurePosixPath("/w")
MAIN = ROOT / "tasks"


def with_cell(repo: Repo, cell: str) -> None:
    """Commit the example plan with #42's Worktree cell replaced."""
    text = EXAMPLE.read_text().replace("| ../tasks-42-count |", f"| {cell} |")
    repo.commit({"orchestration-plan.md": text}, "hostile cell")


@pytest.mark.parametrize("cell", [
    ".git/hooks", "~/.local/bin", "../../../../elsewhere", "../tasks/.git/hooks",
    "inside/../../../x",
])
def test_fan_out_refuses_cells_outside_the_root(
    tmp_path: Path, cli_invoke: Callable[..., Invocation], cell: str,
) -> None:
    repo = tasks_repo(tmp_path)
    with_cell(repo, cell)
    before = sorted(p.name for p in tmp_path.iterdir())
    got = cli_invoke(["fan-out", "--repo", str(repo.path)], code=2)
    assert got.err.startswith(f"error: row #42 (plan line 8): the Worktree `{cell}`"), got.err
    assert got.out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing made
    assert not (repo.path / ".git" / "hooks" / "post-checkout").exists()
    assert repo.git("worktree", "list").count("\n") == 1


def test_a_bare_name_is_a_sibling_not_a_folder_inside_the_repo(
    tmp_path: Path, cli_invoke: Callable[..., Invocation],
) -> None:
    # the course lab's plan: `tasks-42-count` means ../tasks-42-count, as its fan-out.sh
    repo = tasks_repo(tmp_path)
    with_cell(repo, "tasks-42-count")
    cli_invoke(["fan-out", "--repo", str(repo.path), "--rows", "#42"])
    assert (tmp_path / "tasks-42-count" / "tasks" / "count.py").is_file()
    assert not (repo.path / "tasks-42-count").exists()
    assert repo.git("status", "--porcelain") == ""


def test_a_symlink_out_of_the_root_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "bin").mkdir(parents=True)
    root = tmp_path / "root"
    (root / "tasks").mkdir(parents=True)
    os.symlink(outside, root / "link")
    row = Row(issue="#1", branch="b", worktree="link/bin", line=3)
    with pytest.raises(PlanError, match=r"row #1 \(plan line 3\).*outside the worktree root"):
        fleet.worktree_path(row, root / "tasks")


def test_an_existing_non_empty_folder_is_refused_by_fan_out(tmp_path: Path) -> None:
    from fleetbot.fleet.worktrees import FanOut
    from fleetbot.git import Git

    repo = tasks_repo(tmp_path)
    (tmp_path / "tasks-42-count").mkdir()
    (tmp_path / "tasks-42-count" / "notes.txt").write_text("mine\n")
    row = Row(issue="#42", branch="feature/42-count", worktree="../tasks-42-count")
    (step,) = fleet.gather_fan_out(Git(repo.path), (row,), "main")
    assert step.action is FanOut.REFUSE and "exists and is not a worktree" in step.reason


def test_the_default_and_a_configured_root(tmp_path: Path) -> None:
    main = tmp_path / "tasks"
    main.mkdir()
    row = Row(issue="#7", branch="x", title="Clear all!")
    assert fleet.worktree_path(row, main) == tmp_path / "tasks-7-clear-all"
    other = tmp_path / "trees"
    assert fleet.worktree_path(row, main, root=other) == other / "tasks-7-clear-all"
    named = Row(issue="#7", branch="x", worktree="seven")
    assert fleet.worktree_path(named, main, root=other) == other / "seven"
    with pytest.raises(PlanError, match="outside the worktree root"):
        fleet.worktree_path(Row(issue="#7", branch="x", worktree=str(tmp_path / "x")), main,
                            root=other)


# ---------------------------------------------------------------- the pure rules


@pytest.mark.parametrize(("cell", "problem"), [
    ("tasks-42", None), ("../tasks-42", None), ("/abs/x", None),
    ("~/.local/bin", "starts with `~`"), ("~x", "starts with `~`"),
    (".git/hooks", ".git folder"), ("a/.GIT/x", ".git folder"), ("a\\.git\\x", ".git folder"),
])
def test_cell_problem(cell: str, problem: str | None) -> None:
    got = cell_problem(cell)
    assert (got is None) if problem is None else (got is not None and problem in got)


@pytest.mark.parametrize(("cell", "where"), [
    ("tasks-42", "/w/tasks-42"), ("./t", "/w/t"), ("../tasks-42", "/w/tasks/../tasks-42"),
    ("/abs/x", "/abs/x"),
])
def test_place(cell: str, where: str) -> None:
    assert str(place(cell, main_root=Path(MAIN), root=Path(ROOT))) == where


@pytest.mark.parametrize(("resolved", "problem"), [
    ("/w/tasks-42", None), ("/w/deep/er", None),
    ("/w", "worktree root /w itself"), ("/elsewhere", "outside the worktree root"),
    ("/w/tasks", "inside the main worktree"), ("/w/tasks/sub", "inside the main worktree"),
    ("/w/x/.git/hooks", "inside a .git folder"),
])
def test_path_problem(resolved: str, problem: str | None) -> None:
    got = path_problem(PurePosixPath(resolved), root=ROOT, main_root=MAIN)
    assert (got is None) if problem is None else (got is not None and problem in got)
