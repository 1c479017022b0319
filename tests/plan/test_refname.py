"""The pure branch-name check agrees with `git check-ref-format --branch`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from fleetbot.plan.refname import branch_name_problem
from tests.support.examples import examples

PIECES = st.sampled_from([
    "a", "feature", "42", "-", ".", "..", "/", "//", ".lock", "lock", "@", "@{", "{", "~",
    "^", ":", "?", "*", "[", "\\", " ", "\t", "\x7f", "é", "x", "HEAD", "_", "}", "!", "#",
])
NAMES = st.lists(PIECES, min_size=1, max_size=6).map("".join)


def git_accepts(name: str, cwd: Path) -> bool:
    """git's verdict; `@` alone is git's shorthand for the current branch (which it
    expands rather than checks), never a name to plan, so fleetbot refuses it."""
    if name == "@":
        return False
    done = subprocess.run(["git", "check-ref-format", "--branch", name], cwd=cwd,
                          capture_output=True, check=False)
    return done.returncode == 0


@pytest.mark.parametrize("name", [
    "feature/42-count", "feature/42..count", "feature//42", "x.lock", "x~1", "x:y", "HEAD",
    "-x", "a/.b", "a.", "@", "a@{b", "a b", "a\\b", "é/ü", "a/b.lock/c", "@x", "a.lock.b",
])
def test_known_names(name: str, tmp_path: Path) -> None:
    assert (branch_name_problem(name) == "") is git_accepts(name, tmp_path)


@pytest.mark.property
@settings(max_examples=examples(300, 40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(NAMES)
@example("feature/42-count")
def test_agrees_with_git(tmp_path: Path, name: str) -> None:
    assert (branch_name_problem(name) == "") is git_accepts(name, tmp_path), name
