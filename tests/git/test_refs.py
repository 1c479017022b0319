"""`git.refs.resolve_target`: the name every command shows and the ref git reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from fleetbot.errors import GitError
from fleetbot.git import Git
from fleetbot.git.refs import read_refs, resolve_target
from tests.support.fleetrepo import tasks_repo


def test_a_repo_without_a_remote_reads_and_names_its_own_branch(tmp_path: Path) -> None:
    git = Git(tasks_repo(tmp_path, branches=False).path)
    tgt = resolve_target(git, read_refs(git), None)
    assert (tgt.name, tgt.ref, tgt.sha) == ("main", "main", git.run("rev-parse", "main").strip())
    with pytest.raises(GitError, match="unknown target 'nope'"):
        resolve_target(git, read_refs(git), "nope")


@pytest.mark.parametrize("given", [None, "main", "origin/main", "refs/heads/main"])
def test_a_clone_reads_origin_and_names_the_branch(tmp_path: Path, given: str | None) -> None:
    up = tasks_repo(tmp_path)
    up.git("clone", "-q", str(up.path), str(tmp_path / "clone"))
    git = Git(tmp_path / "clone")
    tgt = resolve_target(git, read_refs(git), given)
    assert (tgt.name, tgt.ref, tgt.sha) == ("main", "origin/main", up.head("main"))
