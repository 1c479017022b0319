"""Synthetic commits (landings, replay steps) are dated after every real commit, so git's
merge-base walks meet them first (git/mergetree.py, SYNTHETIC): dated 2000 they made
every walk go down the branch's whole history first."""

from __future__ import annotations

from pathlib import Path

from fleetbot.git import Git
from fleetbot.git.chain import build_chain
from fleetbot.git.mergetree import SYNTHETIC, commit_tree, land_all
from tests.support.fleetrepo import tasks_repo


def _date(repo_git: Git, commit: str) -> int:
    return int(repo_git.run("log", "-1", "--format=%ct", commit).strip())


def test_landings_and_replay_steps_are_dated_after_their_parents(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    git = Git(repo.path)
    main = repo.head("main")
    branches = ("feature/42-count", "feature/43-docs", "feature/44-clear")
    found = [(f"#{i}", b, b, repo.head(b)) for i, b in enumerate(branches)]
    landings = land_all(git, main, found)
    chain = build_chain(git, "main", [(f"#{i}", b) for i, b in enumerate(branches)],
                        keep_both=True)
    made = [la.commit for la in landings if la.commit] + [s.tip for s in chain.steps]
    assert made
    newest_real = max(_date(git, c) for c in (main, *(f[3] for f in found)))
    for commit in made:
        assert _date(git, commit) > newest_real
        assert git.run("log", "-1", "--format=%an <%ae> %ad", "--date=iso-strict",
                       commit).strip() == (f"{SYNTHETIC['GIT_AUTHOR_NAME']} "
                                           f"<{SYNTHETIC['GIT_AUTHOR_EMAIL']}> "
                                           "2099-01-01T00:00:00+00:00")


def test_the_same_fleet_gives_the_same_ids(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    git = Git(repo.path)
    tree = git.run("rev-parse", "main^{tree}").strip()
    one = commit_tree(git, tree, (repo.head("main"),), "step")
    assert commit_tree(git, tree, (repo.head("main"),), "step") == one
