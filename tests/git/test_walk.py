"""One history walk answers, for every head at once, what one `rev-list` per head
answers: ahead/behind counts and the branch's own commits in git's order."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetbot.git import Git
from fleetbot.git.facts import walk_branches
from fleetbot.git.landed import own_commits
from tests.support.examples import examples
from tests.support.repo import GIT_ENV

BRANCHES = ["main", "a", "b", "c"]
# (branch, what): commit at one of a few times (ties included), or merge another branch in
steps = st.lists(st.tuples(st.sampled_from(BRANCHES), st.one_of(
    st.tuples(st.just("commit"), st.sampled_from([100, 200, 200, 300])),
    st.tuples(st.just("merge"), st.sampled_from(BRANCHES)),
)), min_size=1, max_size=12)


def _git(repo: Path, *args: str, when: int = 100) -> str:
    env = {**os.environ, **GIT_ENV, "GIT_COMMITTER_DATE": f"{1_700_000_000 + when} +0000",
           "GIT_AUTHOR_DATE": f"{1_700_000_000 + when} +0000"}
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True,
                          check=True).stdout


def _build(repo: Path, history: list[tuple[str, tuple[str, object]]]) -> None:
    """The history as `checkout`, `commit` and `merge --no-ff` would make it, written by one
    `git fast-import`: a merge of a branch already in is git's "Already up to date" (no
    commit); a merge commit's tree is both sides' files (each commit adds its own file)."""
    _git(repo, "init", "-q", "-b", "main")
    tips = dict.fromkeys(BRANCHES, 1)
    files: dict[int, frozenset[str]] = {1: frozenset()}
    ancestors: dict[int, frozenset[int]] = {1: frozenset({1})}
    out = [_commit_block("main", 1, 100, "base", (), ())]
    for n, (branch, (what, arg)) in enumerate(history):
        mark, tip = n + 2, tips[branch]
        if what == "commit":
            out.append(_commit_block(branch, mark, int(str(arg)), f"c{n}", (tip,), (f"f{n}",)))
            files[mark] = files[tip] | {f"f{n}"}
            ancestors[mark] = ancestors[tip] | {mark}
        else:
            other = tips[str(arg)]
            if other in ancestors[tip]:
                continue  # already up to date
            new = sorted(files[other] - files[tip])
            out.append(_commit_block(branch, mark, 250, f"merge {arg}", (tip, other), new))
            files[mark] = files[tip] | files[other]
            ancestors[mark] = ancestors[tip] | ancestors[other] | {mark}
        tips[branch] = mark
    out += [f"reset refs/heads/{b}\nfrom :{tips[b]}\n\n" for b in BRANCHES]
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input="".join(out), text=True,
                   check=True, env={**os.environ, **GIT_ENV})


def _commit_block(branch: str, mark: int, when: int, message: str, parents: tuple[int, ...],
                  added: tuple[str, ...] | list[str]) -> str:
    who = f"Test Author <author@example.com> {1_700_000_000 + when} +0000"
    lines = [f"commit refs/heads/{branch}", f"mark :{mark}", f"author {who}",
             f"committer {who}", f"data {len(message)}", message]
    lines += [f"from :{parents[0]}"] if parents else []
    lines += [f"merge :{p}" for p in parents[1:]]
    for name in added:  # file fN holds "N\n", as the step-by-step build wrote it
        content = f"{name[1:]}\n"
        lines.append(f"M 100644 inline {name}\ndata {len(content)}\n{content}")
    return "\n".join(lines) + "\n\n"


@pytest.mark.property
@settings(max_examples=examples(25, 4), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_walk_equals_rev_list_per_head(history: list[tuple[str, tuple[str, object]]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        _build(repo, history)
        ids = {b: _git(repo, "rev-parse", b).strip() for b in BRANCHES}
        target, heads = ids["main"], [ids[b] for b in BRANCHES[1:]] + [ids["main"]]
        git = Git(repo)
        walk = walk_branches(git, target, heads)
        assert walk is not None
        for head in heads:
            # fewer heads are answered by the walk of all, as a walk of those alone answers
            assert walk_branches(git, target, [head]) is walk
            alone = walk_branches(Git(repo), target, [head])
            assert alone is not None and alone is not walk
            assert (alone.ahead_behind(head), alone.own(head)) == (
                walk.ahead_behind(head), walk.own(head))
            behind, ahead = _git(repo, "rev-list", "--left-right", "--count",
                                 f"{target}...{head}").split()
            assert walk.ahead_behind(head) == (int(ahead), int(behind))
            assert list(walk.own(head)) == _git(
                repo, "rev-list", "--no-merges", head, f"^{target}", "--").split()
        # heads that all contain the target: the target is the floor, as the octopus says
        on = [h for h in heads if subprocess.run(
            ["git", "merge-base", "--is-ancestor", target, h], cwd=repo).returncode == 0]
        given_floor = walk_branches(Git(repo), target, on, floor=(target,))
        asked = walk_branches(Git(repo), target, on)
        assert given_floor is not None and asked is not None
        assert [(given_floor.ahead_behind(h), given_floor.own(h)) for h in on] == [
            (asked.ahead_behind(h), asked.own(h)) for h in on]
        rows = {f"#{i}": h for i, h in enumerate(heads)}
        assert own_commits(Git(repo), target, rows) == {
            issue: tuple(_git(repo, "rev-list", "--no-merges", h, f"^{target}").split())
            for issue, h in rows.items()}


def test_no_common_ancestor_gives_no_walk(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "commit", "-q", "--allow-empty", "-m", "one")
    _git(tmp_path, "checkout", "-q", "--orphan", "other")
    _git(tmp_path, "commit", "-q", "--allow-empty", "-m", "two")
    assert walk_branches(Git(tmp_path), "main", ["other"]) is None
