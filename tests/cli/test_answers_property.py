"""Kept answers over a fleet's life (cli/answers.py): after any sequence of branches
moving and moving back, plan edits and checkouts, what `conflicts` and `check` print is
what they print with nothing remembered."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.cli import invoke
from tests.support.examples import examples
from tests.support.fleetrepo import tasks_repo
from tests.support.repo import Repo

BRANCHES = ("feature/42-count", "feature/43-docs", "feature/44-clear")
FILES = ("tasks/cli.py", "docs/usage.md", "tasks/count.py")

Step = tuple[str, int, int]
steps = st.lists(st.tuples(st.sampled_from(["commit", "back", "plan", "head"]),
                           st.integers(0, 2), st.integers(0, 2)), min_size=1, max_size=5)


def _apply(repo: Repo, step: Step, first: dict[str, str]) -> None:
    kind, b, f = step
    branch = BRANCHES[b]
    if kind == "commit":  # one more commit on the branch, the work tree left alone
        repo.branch(branch, {FILES[f]: f"line {f} of {branch}\n"}, start=branch)
    elif kind == "back":  # the branch reset to where it started (a force-push undone)
        repo.git("update-ref", f"refs/heads/{branch}", first[branch])
    elif kind == "plan":
        plan = repo.path / "orchestration-plan.md"
        plan.write_text(plan.read_text() + f"\nnote {f}\n")
    else:
        repo.git("checkout", "-q", "-f", branch)


def _outputs(repo: Repo, nothing_kept: bool) -> list[tuple[int, str, str]]:
    out = []
    for args in (["conflicts", "--format", "json"], ["check", "--format", "json"]):
        with pytest.MonkeyPatch.context() as mp:
            if nothing_kept:
                mp.setenv("FLEETBOT_NO_CACHE", "1")
            got = invoke([*args, "--repo", str(repo.path)], code=None)
        out.append((got.code, got.out, got.err))
    return out


@pytest.mark.property
@settings(max_examples=examples(50, 2), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_what_is_printed_is_what_a_run_with_nothing_kept_prints(plan: list[Step]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = tasks_repo(Path(tmp))
        first = {b: repo.head(b) for b in BRANCHES}
        _outputs(repo, nothing_kept=False)  # answers kept for the fleet as built
        for step in plan:
            _apply(repo, step, first)
            fresh = _outputs(repo, nothing_kept=True)
            assert _outputs(repo, nothing_kept=False) == fresh  # kept now, or kept before
            assert _outputs(repo, nothing_kept=False) == fresh  # answered from what is kept
