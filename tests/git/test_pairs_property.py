"""The pair filter is sound: fleetbot's textual pairs are exactly the pairs on which plain
`git merge` of B onto (target + A) stops, on random small fleets of real repos."""

from __future__ import annotations

import itertools
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from fleetbot.git import Git
from fleetbot.git.mergetree import gather
from tests.fleet import plan_of, row
from tests.support.examples import examples
from tests.support.randfleet import Op, build_fleet, fleets
from tests.support.repo import GIT_ENV, Repo


def _git_stops(repo: Repo, a: str, b: str) -> bool | None:
    """Plain git: merge A onto main, then B onto that. None when A alone does not land."""
    repo.git("checkout", "-q", "--detach", "main")
    if subprocess.run(["git", "merge", "-q", "--no-ff", "--no-edit", a], cwd=repo.path,
                      capture_output=True, env={**GIT_ENV, "PATH": "/usr/bin:/bin"},
                      check=False).returncode != 0:
        repo.git("merge", "--abort", check=False)
        return None
    stopped = subprocess.run(["git", "merge", "-q", "--no-ff", "--no-edit", b], cwd=repo.path,
                             capture_output=True, env={**GIT_ENV, "PATH": "/usr/bin:/bin"},
                             check=False).returncode != 0
    repo.git("merge", "--abort", check=False)
    repo.git("reset", "-q", "--hard")
    return stopped


@pytest.mark.property
@settings(max_examples=examples(50, 2), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(fleets())
def test_textual_pairs_equal_the_pairs_git_stops_on(fleet: list[list[Op]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo, branches = build_fleet(Path(tmp), fleet)
        plan = plan_of(*(row(f"#{i}", b) for i, b in enumerate(branches)))
        facts = gather(Git(repo.path), plan)
        clean = {la.issue for la in facts.landings if la.result.clean}
        predicted = {frozenset(pm.rows) for pm in facts.pairs if not pm.result.clean}
        stops = set()
        for (i, a), (j, b) in itertools.combinations(enumerate(branches), 2):
            if f"#{i}" not in clean or f"#{j}" not in clean:
                continue
            if _git_stops(repo, a, b):
                stops.add(frozenset((f"#{i}", f"#{j}")))
        assert predicted == stops


def test_a_directory_rename_collides_without_a_shared_path(tmp_path: Path) -> None:
    """Row A moves d1 to d2 and adds d2/new.txt; row B adds d1/new.txt: git stops with
    CONFLICT (file location) ... add/add on d2/new.txt."""
    repo = Repo(tmp_path)
    repo.git("init", "-q", "-b", "main")
    repo.commit({"d1/a.txt": "a\n", "d1/b.txt": "b\n"}, "base")
    repo.git("checkout", "-q", "-b", "A")
    repo.git("mv", "d1", "d2")
    repo.commit({"d2/new.txt": "from A\n"}, "A")
    repo.git("checkout", "-q", "-b", "B", "main")
    repo.commit({"d1/new.txt": "from B\n"}, "B")
    repo.git("checkout", "-q", "main")
    facts = gather(Git(repo.path), plan_of(row("#1", "A"), row("#2", "B")))
    (pair,) = facts.pairs
    assert not pair.result.clean
    assert pair.result.files == ("d2/new.txt",)
    assert _git_stops(repo, "A", "B") is True
