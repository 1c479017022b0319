"""One history walk answers, for every head at once, what one `rev-list` per head
answers: ahead/behind counts and the branch's own commits in git's order."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetbot.git import Git
from fleetbot.git.facts import walk_branches
from fleetbot.git.landed import own_commits
from tests.gitrepo import GIT_ENV

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
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "commit", "-q", "--allow-empty", "-m", "base")
    for name in BRANCHES[1:]:
        _git(repo, "branch", name)
    for n, (branch, (what, arg)) in enumerate(history):
        _git(repo, "checkout", "-q", branch)
        if what == "commit":
            (repo / f"f{n}").write_text(f"{n}\n")
            _git(repo, "add", "-A")
            _git(repo, "commit", "-q", "-m", f"c{n}", when=int(str(arg)))
        elif arg != branch:
            _git(repo, "merge", "-q", "--no-ff", "--no-edit", str(arg), when=250)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_walk_equals_rev_list_per_head(history: list[tuple[str, tuple[str, object]]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        _build(repo, history)
        ids = {b: _git(repo, "rev-parse", b).strip() for b in BRANCHES}
        target, heads = ids["main"], [ids[b] for b in BRANCHES[1:]] + [ids["main"]]
        walk = walk_branches(Git(repo), target, heads)
        assert walk is not None
        for head in heads:
            behind, ahead = _git(repo, "rev-list", "--left-right", "--count",
                                 f"{target}...{head}").split()
            assert walk.ahead_behind(head) == (int(ahead), int(behind))
            assert list(walk.own(head)) == _git(
                repo, "rev-list", "--no-merges", head, f"^{target}", "--").split()
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
