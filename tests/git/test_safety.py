"""The safety rule on real repositories: every kind of loss is found and listed."""

from __future__ import annotations

from pathlib import Path

import pytest

from fleetbot.git import Git, safety
from fleetbot.git.safety import Loss, LossKind, Operation, WouldDestroy
from tests.support.repo import Repo, make_repo


def _repo(tmp_path: Path) -> Repo:
    return make_repo(tmp_path, {"a.txt": "a\n", "cfg.ini": "x=1\n",
                                ".gitignore": ".env\nnode_modules/\n"})


def test_parse_status_v2_sorts_each_kind() -> None:
    text = "\0".join([
        "1 .M N... 100644 100644 100644 1111 1111 a",
        "1 A. N... 000000 100644 100644 0000 2222 b",
        "2 R. N... 100644 100644 100644 3333 3333 R100 new", "old",
        "u UU N... 100644 100644 100644 100644 4 5 6 c",
        "1 .M SC.. 160000 160000 160000 7777 7777 sub",
        "? u", "! .env", "! node_modules/", ""])
    assert safety.parse_status_v2(text) == safety.TreeState(
        staged=("b", "new"), modified=("a",), untracked=("u",),
        ignored=(".env", "node_modules/"), submodules=("sub (new commits)",),
        conflicted=("c",))


def test_parse_hidden_and_operations() -> None:
    assert safety.parse_hidden("H a\0S b\0h c\0s d\0") == ("b", "c", "d")
    assert safety.parse_operations(frozenset()) == ()
    assert safety.parse_operations(frozenset({"rebase-merge", "rebase-merge/interactive"})) \
        == (Operation.REBASE_INTERACTIVE,)
    assert safety.parse_operations(frozenset({"sequencer"}), "pick abc x\n") \
        == (Operation.CHERRY_PICK,)
    assert safety.parse_operations(frozenset({"sequencer"}), "revert abc x\n") \
        == (Operation.REVERT,)
    assert safety.parse_operations(frozenset({"MERGE_HEAD", "BISECT_LOG"})) \
        == (Operation.MERGE, Operation.BISECT)
    assert safety.parse_operations(frozenset({"rebase-apply", "rebase-apply/applying"})) \
        == (Operation.AM,)


def test_gather_tree_finds_every_kind_of_file(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (repo.path / ".env").write_text("SECRET=1\n")
    (repo.path / "node_modules/pkg").mkdir(parents=True)
    (repo.path / "node_modules/pkg/index.js").write_text("x" * 2000)
    (repo.path / "a.txt").write_text("edited\n")
    (repo.path / "new.txt").write_text("n\n")
    repo.git("add", "new.txt")
    (repo.path / "scratch.txt").write_text("s\n")
    repo.git("update-index", "--skip-worktree", "cfg.ini")
    (repo.path / "cfg.ini").write_text("x=2\n")
    losses = safety.gather_tree(Git(repo.path))
    assert losses == (
        Loss(LossKind.STAGED, "new.txt"), Loss(LossKind.MODIFIED, "a.txt"),
        Loss(LossKind.UNTRACKED, "scratch.txt", 2), Loss(LossKind.IGNORED, ".env", 9),
        Loss(LossKind.IGNORED, "node_modules/", 2000), Loss(LossKind.HIDDEN, "cfg.ini"))


def test_an_unchanged_skip_worktree_entry_is_not_a_loss(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    repo.git("update-index", "--skip-worktree", "cfg.ini")
    assert safety.gather_tree(Git(repo.path)) == ()


def test_operations_in_progress_interactive_rebase_and_cherry_pick_sequence(
        tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    repo.commit({"a.txt": "1\n"}, "one")
    repo.commit({"a.txt": "2\n"}, "two")
    git = Git(repo.path)
    repo.git("-c", "sequence.editor=sed -i s/^pick/edit/", "rebase", "-q", "-i", "HEAD~2")
    assert safety.gather_operations(safety_git_dir(git)) == (Operation.REBASE_INTERACTIVE,)
    repo.git("rebase", "--abort")
    repo.git("checkout", "-q", "-b", "other", "HEAD~2")
    repo.commit({"a.txt": "other\n"}, "other")
    repo.git("cherry-pick", "main~1", "main", check=False)  # stops at the first
    assert safety.gather_operations(safety_git_dir(git)) == (Operation.CHERRY_PICK,)
    repo.git("add", "a.txt")
    repo.git("commit", "-q", "--no-edit")  # the user commits by hand: the sequence stays
    assert safety.gather_operations(safety_git_dir(git)) == (Operation.CHERRY_PICK,)


def safety_git_dir(git: Git) -> Path:
    from fleetbot.git.worktrees import git_dir

    return git_dir(git)


def test_a_submodule_with_an_unpushed_commit_is_listed(tmp_path: Path) -> None:
    sub = make_repo(tmp_path, {"f": "1\n"}, name="sub")
    repo = _repo(tmp_path)
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub.path), "sub")
    repo.git("commit", "-qm", "add sub")
    inner = Repo(repo.path / "sub")
    inner.commit({"f": "2\n"}, "sub work")
    losses = safety.gather_tree(Git(repo.path))
    sha = inner.head()[:7]
    assert losses == (Loss(LossKind.SUBMODULE, "sub (new commits)"),
                      Loss(LossKind.SUBMODULE, f"sub: 1 unpushed commit(s) ({sha} sub work)"))


def test_a_detached_head_commit_in_a_worktree_is_lost_only_with_that_worktree(
        tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    other = tmp_path / "other"
    repo.git("worktree", "add", "-q", "--detach", str(other))
    side = Repo(other).commit({"a.txt": "side\n"}, "side work")
    git = Git(repo.path)
    refs = safety.read_refs(git)
    assert safety.lost_commits(git, refs, [side]) == ()
    assert safety.lost_commits(git, refs, [side], leaving=[str(other)]) == (
        Loss(LossKind.COMMIT, f"{side[:7]} side work"),)


def test_gather_ref_move_lists_commits_only_that_branch_has(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    work = repo.branch("wip", {"a.txt": "wip\n"}, message="wip fix")
    git = Git(repo.path)
    would = safety.gather_ref_move(git, "refs/heads/wip", repo.head("main"), step="reset")
    assert would.losses == (Loss(LossKind.COMMIT, f"{work[:7]} wip fix"),)
    assert would.keep == (f"git branch keep/wip {work[:7]}   # or push them",)
    repo.git("branch", "backup", "wip")
    assert safety.gather_ref_move(git, "refs/heads/wip", repo.head("main"), step="x").empty


def test_guard_refuses_forces_with_the_list_and_never_forces_a_lock() -> None:
    would = WouldDestroy("git worktree remove", "/w", (Loss(LossKind.IGNORED, ".env", 9),),
                         ("copy it",))
    said: list[str] = []
    with pytest.raises(safety.Unsafe) as refused:
        safety.guard([would], force=False, say=said.append)
    assert str(refused.value) == (
        "git worktree remove would lose, in /w:\n  ignored: .env (9 B)\n  to keep them:\n"
        "    copy it\nrefused: nothing was changed; keep them as shown, or pass --force to "
        "go on anyway")
    safety.guard([would], force=True, say=said.append)
    assert said == ["git worktree remove would lose, in /w:\n  ignored: .env (9 B)\n"
                    "  to keep them:\n    copy it\n--force: going on; the above is lost"]
    locked = WouldDestroy("git worktree remove", "/w", (Loss(LossKind.LOCK, "on usb"),))
    with pytest.raises(safety.Unsafe, match=r"/w is locked \(on usb\); `git worktree unlock "
                                            r"/w` first if it may go \(--force does not"):
        safety.guard([locked], force=True, say=said.append)
    safety.guard([WouldDestroy("x", "/w")], force=False, say=said.append)  # nothing to lose


def test_many_ignored_paths_show_the_biggest() -> None:
    losses = tuple(Loss(LossKind.IGNORED, f"f{i}", i * 100) for i in range(8))
    assert safety.loss_lines(WouldDestroy("s", "w", losses)) == (
        "ignored: 8 paths, 2.7 KB (biggest: f7 (700 B), f6 (600 B), f5 (500 B), f4 (400 B), "
        "f3 (300 B))",)


def test_git_in_a_folder_deleted_by_hand_says_so_not_that_git_is_missing(
        tmp_path: Path) -> None:
    from fleetbot.errors import GitError

    with pytest.raises(GitError, match=r"gone: no such folder \(was it deleted by hand\?\)"):
        Git(tmp_path / "gone").run("status")


def test_a_subject_with_a_carriage_return_or_a_line_separator_is_one_lost_commit(
        tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    subject = "wip\rfix\u2028more\x0cend"
    work = repo.branch("wip", {"a.txt": "wip\n"}, message=subject)
    would = safety.gather_ref_move(Git(repo.path), "refs/heads/wip", repo.head("main"),
                                   step="reset")
    assert would.losses == (Loss(LossKind.COMMIT, f"{work[:7]} {subject}"),)
