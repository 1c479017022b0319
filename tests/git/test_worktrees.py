from __future__ import annotations

from pathlib import Path

from fleetbot.git import Git
from fleetbot.git import worktrees as wt
from fleetbot.git.facts import commit_times
from tests.support.repo import make_repo


def test_parse_worktree_list_main_linked_detached() -> None:
    text = ("worktree /r\0HEAD aaa\0branch refs/heads/main\0\0"
            "worktree /w1\0HEAD bbb\0branch refs/heads/feature/x\0locked\0\0"
            "worktree /w2\0HEAD ccc\0detached\0prunable gitdir file points nowhere\0\0")
    trees = wt.parse_worktree_list(text)
    assert [t.path for t in trees] == ["/r", "/w1", "/w2"]
    assert trees[0].main
    assert not trees[1].main
    assert trees[1].branch == "feature/x"
    assert trees[1].locked
    assert trees[2].detached
    assert trees[2].prunable
    assert trees[2].branch == ""


def test_parse_worktree_list_bare_and_empty() -> None:
    assert wt.parse_worktree_list("") == ()
    (t,) = wt.parse_worktree_list("worktree /r.git\0bare\0\0")
    assert t.bare
    assert t.main


def test_parse_status_rename_and_untracked() -> None:
    text = " M a.py\0R  new.py\0old.py\0?? notes.txt\0UU both.py\0"
    entries = wt.parse_status(text)
    assert [(e.code, e.path, e.old_path) for e in entries] == [
        (" M", "a.py", ""), ("R ", "new.py", "old.py"), ("??", "notes.txt", ""),
        ("UU", "both.py", "")]
    assert entries[2].untracked
    assert entries[3].conflicted


def test_worktree_functions_on_a_real_repo(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"a.txt": "a\n"}, {"feature/x": {"b.txt": "b\n"}})
    git = Git(repo.path)
    assert wt.current_branch(git) == "main"
    wt.add_worktree(git, tmp_path / "x", "feature/x")
    wt.add_worktree(git, tmp_path / "y", "feature/y", start="main")
    trees = wt.list_worktrees(git)
    assert [t.branch for t in trees] == ["main", "feature/x", "feature/y"]
    assert wt.branch_exists(git, "feature/y")
    assert not wt.branch_exists(git, "nope")
    assert not wt.is_ancestor(git, "feature/x", "main")
    x = Git(tmp_path / "x")
    assert wt.dirty_files(x) == ()
    (tmp_path / "x" / "b.txt").write_text("changed\n")
    (tmp_path / "x" / "new.txt").write_text("new\n")
    assert wt.dirty_files(x) == ("b.txt", "new.txt")
    assert wt.dirty_files(x, untracked=False) == ("b.txt",)
    assert wt.git_dir(x).parent.name == "worktrees"
    x_head, main_head = repo.head("feature/x"), repo.head("main")
    assert commit_times(git, [x_head, main_head, x_head, ""]) == {
        x_head: 1767268800, main_head: 1767268800}  # tests/support/repo.py's pinned date
    assert commit_times(git, []) == {}
    wt.remove_worktree(git, str(tmp_path / "x"), force=True)
    (tmp_path / "y").rename(tmp_path / "gone")
    assert [t.prunable for t in wt.list_worktrees(git)] == [False, True]
    wt.remove_worktree(git, str(tmp_path / "y"))  # a missing folder: drops only its entry
    assert [t.branch for t in wt.list_worktrees(git)] == ["main"]
    repo.git("checkout", "-q", "--detach")
    assert wt.current_branch(git) is None


def test_current_branch_and_detached_head(repo_factory) -> None:  # type: ignore[no-untyped-def]
    repo = repo_factory({"a.txt": "a\n"}, {"feature/x": {"a.txt": "b\n"}})
    git = Git(repo.path)
    assert wt.current_branch(git) == "main"
    repo.checkout("feature/x")
    assert wt.current_branch(git) == "feature/x"
    repo.git("checkout", "-q", "--detach", "HEAD")
    assert wt.current_branch(git) is None
