"""The replay run ahead (`ChainAhead`): whatever the guess, the replay says what a replay
of the real order alone says; a right guess leaves the replay nothing to merge, and no
thread outlives the context."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from fleetbot.errors import GitError
from fleetbot.git import Git
from fleetbot.git.cache import Cache
from fleetbot.git.chain import ChainAhead, Steps, build_chain, replay, replayed
from tests.git.test_chain import BASE, BRANCHES, ORDER
from tests.support.repo import Repo, make_repo


def _steps(repo: Repo, order: list[tuple[str, str]]) -> Steps:
    return Steps("main", tuple(order), (repo.head("main"), *(repo.head(ref) for _, ref in order)))


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return make_repo(tmp_path, BASE, BRANCHES)


def test_a_right_guess_leaves_the_replay_nothing_to_merge(repo: Repo, tmp_path: Path) -> None:
    steps = _steps(repo, ORDER)
    with ChainAhead(Git(repo.path)) as ahead:
        ahead.start(lambda: steps)
        memo = ahead.settle(steps)
        assert len(memo) == len(ORDER)
        # every step answered from the memo: a Git with no repository behind it will do
        nowhere = Git(tmp_path / "nowhere")
        served = build_chain(nowhere, "main", ORDER, keep_both=True, commits=steps.commits,
                             memo=memo)
    alone = build_chain(Git(repo.path), "main", ORDER, keep_both=True)
    assert served == alone
    assert replay(Git(repo.path), "main", ORDER, memo=memo) == replay(Git(repo.path), "main",
                                                                      ORDER)


def test_a_wrong_guess_changes_nothing_the_replay_says(repo: Repo, tmp_path: Path) -> None:
    real = [ORDER[0], ORDER[2], ORDER[1], *ORDER[3:]]  # parts from the guess at step 2
    with ChainAhead(Git(repo.path)) as ahead:
        ahead.start(lambda: _steps(repo, ORDER))
        memo = ahead.settle(_steps(repo, real))
        first = f"{repo.head('main')} {repo.head('f1')}"
        assert first in memo  # the step both orders share was merged ahead
        got = replay(Git(repo.path), "main", real, memo=memo)
    assert got == replay(Git(repo.path), "main", real)
    assert [s.issue for s in got.stops] == ["#3", "#5"]


@pytest.mark.parametrize("guess", ["raises", "none", "other target"])
def test_a_failed_or_missing_guess_is_only_time_lost(repo: Repo, guess: str) -> None:
    def failing() -> Steps | None:
        if guess == "raises":
            raise GitError("git merge-tree failed")
        if guess == "none":
            return None
        return Steps("f6", tuple(ORDER), _steps(repo, ORDER).commits)

    with ChainAhead(Git(repo.path)) as ahead:
        ahead.start(failing)
        memo = ahead.settle(_steps(repo, ORDER))
        assert replay(Git(repo.path), "main", ORDER, memo=memo) == replay(
            Git(repo.path), "main", ORDER)


def test_no_thread_outlives_the_context(repo: Repo) -> None:
    with ChainAhead(Git(repo.path)) as ahead:
        ahead.start(lambda: _steps(repo, ORDER))
    assert [t for t in threading.enumerate() if t.name == "fleetbot-replay-ahead"] == []


def test_a_fleet_replayed_before_is_left_to_the_cache(repo: Repo) -> None:
    git = Git(repo.path)
    heads = [repo.head(ref) for _, ref in ORDER]
    assert not replayed(Cache.of(git), heads)  # nothing remembered yet
    replay(git, "main", ORDER)
    assert replayed(Cache.of(git), heads)
    repo.branch("f7", {"g.txt": "seven\n"})
    assert not replayed(Cache.of(git), [*heads, repo.head("f7")])  # a new head: run ahead
    assert not replayed(Cache.disabled(), heads)
