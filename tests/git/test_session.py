"""Merges asked of one long-lived `merge-tree --stdin` give what one process per merge
gives, clean and conflicted, one after another."""

from __future__ import annotations

from pathlib import Path

from fleetbot.git import Git
from fleetbot.git.mergetree import commit_tree, merge_trees
from fleetbot.git.session import MergeSession, record_length
from tests.support.fleetrepo import tasks_repo


def test_record_length_needs_the_closing_nul() -> None:
    clean = b"1\0tree\0\0\0".split(b"\0")
    assert record_length(clean) == 4
    assert record_length(b"1\0tree\0\0".split(b"\0")) == 0  # git writes the end later
    conflicted = b"0\0t\0a.py\0\0" b"1\0a.py\0CONFLICT (contents)\0CONFLICT (content): a.py\n\0\0"
    assert record_length(conflicted.split(b"\0")) == 9
    assert record_length(conflicted[:-1].split(b"\0")) == 0
    assert record_length(b"0\0t\0a.py".split(b"\0")) == 0


def test_session_answers_like_one_process_per_merge(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    git = Git(repo.path)
    ids = {b: repo.git("rev-parse", b).strip()
           for b in ("main", "feature/42-count", "feature/43-docs", "feature/44-clear")}
    one = merge_trees(git, ids["main"], ids["feature/42-count"])
    tip = commit_tree(git, one.tree, (ids["main"], ids["feature/42-count"]), "step")
    asks = [(ids["main"], ids["feature/42-count"]), (tip, ids["feature/44-clear"]),
            (tip, ids["feature/43-docs"]), (ids["feature/42-count"], ids["feature/44-clear"])]
    with MergeSession(git) as session:
        got = [session.merge(a, b) for a, b in asks]
        made = session.commit(one.tree, (ids["main"], ids["feature/42-count"]), "step")
    assert got == [merge_trees(git, a, b) for a, b in asks]
    assert [r.clean for r in got] == [True, False, True, False]
    assert made == tip


def test_a_merge_git_refuses_is_a_git_error(tmp_path: Path) -> None:
    import pytest

    from fleetbot.errors import GitError

    repo = tasks_repo(tmp_path)
    with MergeSession(Git(repo.path)) as session, pytest.raises(GitError) as caught:
        session.merge("main", "0" * 40)
    assert "could not merge" in str(caught.value)


def test_commits_one_after_another_are_commit_tree_s_whatever_their_length(
        tmp_path: Path) -> None:
    # the commit file is rewritten in place: a shorter text after a longer one must not
    # keep the longer one's tail
    repo = tasks_repo(tmp_path)
    git = Git(repo.path)
    main = repo.git("rev-parse", "main").strip()
    tree = repo.git("rev-parse", "main^{tree}").strip()
    messages = ["a much longer message than the next one, " * 3, "short", "é ünïcode", "x"]
    with MergeSession(git) as session:
        made = [session.commit(tree, (main,), m) for m in messages]
    assert made == [commit_tree(git, tree, (main,), m) for m in messages]
    assert len(set(made)) == len(messages)
