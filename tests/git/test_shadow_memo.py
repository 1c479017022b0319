"""A second shadow repository for the same target asks git nothing: the git dir's place
and the target tree's `.gitattributes` are asked once per process (git/mergetree.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from fleetbot.git import Git
from fleetbot.git.mergetree import merge_trees, target_attributes
from tests.support.repo import Repo


class CountingGit(Git):
    def __init__(self, repo: Path) -> None:
        super().__init__(repo)
        self.calls: list[str] = []

    def run_full(self, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
        self.calls.append(args[0])
        return super().run_full(*args, **kw)

    def run_bytes(self, *args: str, **kw: Any) -> bytes:
        self.calls.append(args[0])
        return super().run_bytes(*args, **kw)


def test_the_second_shadow_for_a_target_starts_no_git(repo_factory) -> None:  # type: ignore[no-untyped-def]
    repo: Repo = repo_factory(
        {"a.txt": "one\n", "sub/.gitattributes": "*.txt merge=union\n", "sub/b.txt": "b\n"},
        {"feature/a": {"sub/b.txt": "A\n"}, "feature/b": {"sub/b.txt": "B\n"}},
    )
    target = repo.head("main")
    git = CountingGit(repo.path)
    git.version()  # asked once per git executable anyway
    results = []
    for _ in range(2):
        git.calls.clear()
        with target_attributes(git, target) as shadow:
            results.append(merge_trees(shadow, repo.head("feature/a"), repo.head("feature/b")))
        asked = list(git.calls)
    assert asked == []  # the second one: nothing asked again
    assert results[0] == results[1]
    assert results[0].clean  # the target's union driver still applies in the second shadow


def test_another_target_reads_its_own_attributes(repo_factory) -> None:  # type: ignore[no-untyped-def]
    repo: Repo = repo_factory(
        {"a.txt": "one\n"}, {"feature/a": {"a.txt": "A\n"}, "feature/b": {"a.txt": "B\n"}},
    )
    git = Git(repo.path)
    first = repo.head("main")
    with target_attributes(git, first) as shadow:
        assert not merge_trees(shadow, repo.head("feature/a"), repo.head("feature/b")).clean
    repo.checkout("main")
    second = repo.commit({".gitattributes": "* merge=union\n"}, "union")
    with target_attributes(git, second) as shadow:
        assert merge_trees(shadow, repo.head("feature/a"), repo.head("feature/b")).clean
    with target_attributes(git, first) as shadow:
        assert not merge_trees(shadow, repo.head("feature/a"), repo.head("feature/b")).clean
