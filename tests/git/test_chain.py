"""The speculative chain against plain git: `git merge` of the same sequence in a scratch
clone stops at the same steps, and the clean tips have the same trees."""

from __future__ import annotations

from pathlib import Path

import pytest

from fleetbot.git import Git
from fleetbot.git.chain import build_chain
from fleetbot.model import ChainStep
from tests.support.repo import Repo, make_repo

BASE = {"a.txt": "1\n2\n3\n", "b.txt": "x\n", "c.txt": "c\n"}
BRANCHES = {
    "f1": {"a.txt": "1 one\n2\n3\n"},
    "f2": {"b.txt": "x two\n"},
    "f3": {"a.txt": "1 three\n2\n3\n"},  # collides with f1 on a.txt
    "f4": {"c.txt": "c four\n", "d.txt": "new\n"},
    "f5": {"b.txt": None},  # deletes what f2 modified: modify/delete
    "f6": {"e.txt": "six\n"},
}
ORDER = [(f"#{i}", f"f{i}") for i in range(1, 7)]


def _plain_merge(root: Path, origin: Repo, order: list[tuple[str, str]]) -> list[str | None]:
    """Merge each branch in a scratch clone with `git merge`; abort the ones that stop.
    Returns the tree after each clean step, None where git stopped."""
    clone = Repo(root / "scratch")
    origin.git("clone", "-q", str(origin.path), str(clone.path))
    out: list[str | None] = []
    for _, branch in order:
        clone.git("merge", "-q", "--no-ff", "--no-edit", f"origin/{branch}", check=False)
        if clone.git("ls-files", "-u"):
            clone.git("merge", "--abort")
            out.append(None)
        else:
            out.append(clone.head("HEAD^{tree}"))
    return out


def test_chain_meets_the_stops_plain_git_meets(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, BASE, BRANCHES)
    chain = build_chain(Git(repo.path), "main", ORDER)
    plain = _plain_merge(tmp_path, repo, ORDER)
    assert [s.issue for s in chain.set_aside] == ["#3", "#5"]
    assert [s.result.tree if s.landed else None for s in chain.steps] == plain
    assert chain.base == repo.head("main")
    assert chain.tip == chain.steps[5].tip


def test_set_aside_steps_keep_their_files_and_sorts(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, BASE, BRANCHES)
    chain = build_chain(Git(repo.path), "main", ORDER)
    by = {s.issue: s for s in chain.steps}
    assert by["#3"].files == ("a.txt",)
    assert by["#3"].result.sorts_of("a.txt") == ("content",)
    assert by["#5"].files == ("b.txt",)
    assert by["#5"].result.sorts_of("b.txt") == ("modify/delete",)
    assert by["#3"].tip == "" and not by["#3"].landed
    # the step after a set-aside one lands on the tip before it
    parents = repo.git("rev-list", "--parents", "-n1", by["#4"].tip).split()
    assert parents[1:] == [by["#2"].tip, repo.head("f4")]


def test_chain_writes_no_ref_and_same_fleet_gives_same_commits(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, BASE, BRANCHES)
    refs = repo.git("for-each-ref")
    status = repo.git("status", "--porcelain")
    first = build_chain(Git(repo.path), "main", ORDER)
    second = build_chain(Git(repo.path), "main", ORDER)
    assert [s.tip for s in first.steps] == [s.tip for s in second.steps]
    assert repo.git("for-each-ref") == refs
    assert repo.git("status", "--porcelain") == status


def test_empty_and_all_set_aside_chains(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, BASE, {"g": {"a.txt": "g\n"}, "h": {"a.txt": "h\n"}})
    git = Git(repo.path)
    assert build_chain(git, "main", []).tip == repo.head("main")
    chain = build_chain(git, "main", [("#1", "g"), ("#2", "h")])
    assert [s.landed for s in chain.steps] == [True, False]
    assert isinstance(chain.steps[1], ChainStep)
    assert chain.tip == chain.steps[0].tip


def test_given_commits_are_merged_whatever_the_refs_say_now(tmp_path: Path) -> None:
    # the pipeline passes the ids its facts were read from: a branch moved since (here f1
    # now collides with f3 no more) does not change what the replay speaks of
    repo = make_repo(tmp_path, BASE, BRANCHES)
    ids = [repo.head("main"), *(repo.head(ref) for _, ref in ORDER)]
    repo.git("branch", "-f", "f1", "main")
    chain = build_chain(Git(repo.path), "main", ORDER, commits=ids)
    assert [s.head for s in chain.steps] == ids[1:]
    assert [s.issue for s in chain.set_aside] == ["#3", "#5"]
    assert [s.issue for s in build_chain(Git(repo.path), "main", ORDER).set_aside] == ["#5"]
    with pytest.raises(ValueError, match="2 commits for 6 steps"):
        build_chain(Git(repo.path), "main", ORDER, commits=ids[:3])
