"""`check --strict` gates the current branch's own landing (issue #14, item 4), on the demo
fleet: #42 and #44 both add a command to tasks/cli.py, #42 lands first, so the replay
stops at #44; #43 writes docs. `--branch` / `--row` pick the row on CI's detached HEAD."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.cli import Invocation
from tests.support.fleetrepo import demo_repo
from tests.support.repo import Repo

ROWS = "rows: #42 (feature/42-count); #43 (feature/43-docs); #44 (feature/44-clear)"


@pytest.fixture
def demo(tmp_path: Path) -> Repo:
    return demo_repo(tmp_path)


@pytest.fixture
def check(demo: Repo, cli_invoke: Callable[..., Invocation]) -> Callable[..., Invocation]:
    """`check(*args, code=0)`: `fleetbot check --repo DEMO --strict *args`, exiting `code`."""
    def run_check(*args: str, code: int = 0) -> Invocation:
        return cli_invoke(["check", "--repo", str(demo.path), "--strict", *args], code=code)
    return run_check


Check = Callable[..., Invocation]


@pytest.mark.parametrize(("branch", "code"), [
    ("feature/42-count", 0),  # "merge this first, #44 rebases after it": not its business
    ("feature/43-docs", 0),
    ("feature/44-clear", 1),  # the replay stops at its step
])
def test_strict_on_each_branch_of_the_demo(demo: Repo, check: Check, branch: str,
                                           code: int) -> None:
    demo.git("checkout", "-q", branch)
    got = check(code=code)
    if branch == "feature/42-count":
        assert "your branch collides with #44 on tasks/cli.py: merge first, #44 rebases " \
               "after" in " ".join(got.out.split())  # the report wraps at the console's width
    assert got.err == ("check --strict: the replayed fan-in stops at #44 (step 3) on "
                       "tasks/cli.py\n" if code else "")
    assert json.loads(check("--format", "json", code=code).out)["current"]["blocks"] \
        is bool(code)


def test_a_detached_head_says_so_and_branch_or_row_pick_the_row(
    demo: Repo, check: Check,
) -> None:
    demo.git("checkout", "-q", "--detach", "feature/44-clear")
    data = json.loads(check("--format", "json").out)
    assert data["current"] is None
    assert ("HEAD is detached, so no row is yours: pass --branch BRANCH or --row ISSUE to "
            "check one (CI checks out a detached HEAD)") in data["notes"]
    assert "note: HEAD is detached, so no row is yours" in check().out
    check("--branch", "feature/44-clear", code=1)
    check("--row", "#44", code=1)
    check("--row", "44", code=1)
    check("--row", "#42")
    out = check("--branch", "feature/43-docs").out
    assert "Your branch (#43 docs):" in out
    assert "HEAD is detached" not in out


@pytest.mark.parametrize(("args", "message"), [
    (("--row", "#9"), f"--row #9: no such row in the plan ({ROWS})"),
    (("--branch", "feature/nope"),
     f"--branch feature/nope: no row of the plan works on that branch ({ROWS})"),
    (("--row", "#42", "--branch", "feature/42-count"), "pass --branch or --row, not both"),
])
def test_an_unknown_row_or_branch_is_exit_2_with_the_rows_listed(
    check: Check, args: tuple[str, ...], message: str,
) -> None:
    got = check(*args, code=2)
    assert got.out == ""
    assert got.err == f"error: {message}\n"


def test_a_stale_branch_and_drift_block_their_own_row(demo: Repo, check: Check) -> None:
    demo.git("checkout", "-q", "feature/43-docs")
    demo.commit({"tasks/store.py": "S = 1\n"}, "#43 strays into code")
    assert check(code=1).err == ("check --strict: #43 changed files its row does not "
                                 "own: tasks/store.py\n")
    assert check("--row", "#42").err == ""  # someone else's drift is not #42's
    demo.git("checkout", "-q", "main")
    demo.commit({"README.md": "# tasks, rewritten on main\n"}, "main moves on")
    assert check("--row", "#43", code=1).err == (
        "check --strict: #43 changed files its row does not own: tasks/store.py\n"
        "check --strict: #43 no longer merges onto main (README.md): rebase it\n"
        "check --strict: the replayed fan-in stops at #43 (step 2) on README.md\n")


def test_a_missing_branch_blocks_only_its_own_row(demo: Repo, check: Check) -> None:
    demo.git("branch", "-q", "-D", "feature/43-docs")
    assert check("--row", "#43", code=1).err == (
        "check --strict: #43: branch feature/43-docs does not exist, so nothing about it "
        "was checked\n")
    assert check("--row", "#42").err == ""
