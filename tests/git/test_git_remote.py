"""Fetching PR heads as refs/pull/N/head and reading the plan from the target, on real repos."""

from __future__ import annotations

from pathlib import Path

import pytest

from fleetbot.errors import GitError, PlanError
from fleetbot.git import Git
from fleetbot.git.remote import (
    check_branch_name,
    fetch_pulls,
    fetch_target,
    has_remote,
    pin_heads,
    pull_ref,
    read_plan_text,
    show_file,
)
from tests.support.repo import Repo, make_repo


def _origin_and_clone(tmp_path: Path) -> tuple[Repo, Repo]:
    origin = make_repo(tmp_path, {"plan.md": "on main\n"}, {"feature/x": {"plan.md": "evil\n"}},
                       name="origin")
    # what GitHub keeps for PR 7: a ref outside refs/heads
    origin.git("update-ref", "refs/pull/7/head", origin.head("feature/x"))
    clone = Repo(tmp_path / "clone")
    origin.git("clone", "-q", str(origin.path), str(clone.path))
    return origin, clone


def test_fetch_pulls_reads_refs_pull_n_head(tmp_path: Path) -> None:
    origin, clone = _origin_and_clone(tmp_path)
    git = Git(clone.path)
    assert has_remote(git)
    assert not has_remote(git, "upstream")
    heads = fetch_pulls(git, [7, 8])  # 8 does not exist: left out, no error
    assert heads == {7: origin.head("feature/x")}
    assert clone.head(pull_ref(7)) == heads[7]
    assert fetch_pulls(git, []) == {}


def test_plan_is_read_from_the_target_not_the_worktree(tmp_path: Path) -> None:
    origin, clone = _origin_and_clone(tmp_path)
    git = Git(clone.path)
    clone.checkout("origin/feature/x")  # a PR checkout: its plan.md says "evil"
    origin.commit({"plan.md": "newer main\n"})
    ref = fetch_target(git, "main")
    assert ref == "origin/main"
    assert read_plan_text(git, ref, "plan.md") == "newer main\n"
    assert show_file(git, ref, "missing.md") is None


def test_missing_plan_and_missing_target_are_clear_errors(tmp_path: Path) -> None:
    _, clone = _origin_and_clone(tmp_path)
    git = Git(clone.path)
    with pytest.raises(PlanError, match=r"no plan at nope\.md on origin/main"):
        read_plan_text(git, "origin/main", "nope.md")
    with pytest.raises(GitError, match="not in this clone"):
        read_plan_text(git, "origin/gone", "plan.md")
    with pytest.raises(GitError, match="could not fetch"):
        fetch_target(git, "gone")


def test_show_file_reads_as_git_show_does_in_one_process(tmp_path: Path) -> None:
    """Undecodable bytes as `git show` prints them, any line ending read as a newline
    (`Git.run` keeps git's bytes as they are); a folder, a path with a newline or a missing
    ref is no file."""
    repo = make_repo(tmp_path, {"crlf.md": "a\r\nb\rc\n", "docs/x.md": "x\n"})
    (repo.path / "latin.md").write_bytes(b"caf\xe9\n")
    repo.git("add", "latin.md")
    repo.git("commit", "-q", "-m", "latin")
    git = Git(repo.path)
    def shown(spec: str) -> str:  # git show's text as fleetbot decodes a process's output
        return git.run("show", "--no-textconv", spec)

    assert show_file(git, "main", "latin.md") == shown("main:latin.md") == "caf\udce9\n"
    assert show_file(git, "main", "crlf.md") == "a\nb\nc\n"
    assert shown("main:crlf.md") == "a\r\nb\rc\n"
    assert show_file(git, "main", "/docs/x.md") == "x\n"
    assert show_file(git, "main", "docs") is None
    assert show_file(git, "main", "docs/x.md\nmain:crlf.md") is None
    assert show_file(git, "gone", "crlf.md") is None


@pytest.mark.parametrize("name", ["-x", "", "a..b", "--upload-pack=sh", "a b", "x.lock"])
def test_bad_branch_names_never_reach_git_as_options(name: str) -> None:
    with pytest.raises(GitError, match="branch name"):
        check_branch_name(name)


def test_a_good_branch_name_is_returned() -> None:
    assert check_branch_name("feature/42-count") == "feature/42-count"


def test_pin_heads_points_the_rows_branch_at_the_fetched_pr(tmp_path: Path) -> None:
    origin, clone = _origin_and_clone(tmp_path)
    git = Git(clone.path)
    origin.git("branch", "-D", "feature/x")  # a fork's PR: only refs/pull/7/head is left
    heads = fetch_pulls(git, [7])
    clone.git("update-ref", "-d", "refs/remotes/origin/feature/x")
    pin_heads(git, {"feature/x": heads[7]})
    assert clone.head("origin/feature/x") == heads[7]
    with pytest.raises(GitError):
        pin_heads(git, {"-bad": heads[7]})
