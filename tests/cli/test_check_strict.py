"""`check --strict` gates the current branch's own landing (issue #14, item 4), on the demo
fleet: #42 and #44 both add a command to tasks/cli.py, #42 lands first, so the replay
stops at #44; #43 writes docs. `--branch` / `--row` pick the row on CI's detached HEAD."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fleetbot.cli import run
from fleetbot.fleet.demo import build_example
from tests.gitrepo import Repo

ROWS = "rows: #42 (feature/42-count); #43 (feature/43-docs); #44 (feature/44-clear)"


@pytest.fixture
def demo(tmp_path: Path) -> Repo:
    build_example(tmp_path / "tasks")
    return Repo(tmp_path / "tasks")


def check(repo: Repo, *args: str) -> int:
    return run(["check", "--repo", str(repo.path), "--strict", *args])


@pytest.mark.parametrize(("branch", "code"), [
    ("feature/42-count", 0),  # "merge this first, #44 rebases after it": not its business
    ("feature/43-docs", 0),
    ("feature/44-clear", 1),  # the replay stops at its step
])
def test_strict_on_each_branch_of_the_demo(demo: Repo, branch: str, code: int,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    demo.git("checkout", "-q", branch)
    assert check(demo) == code
    out, err = capsys.readouterr()
    if branch == "feature/42-count":
        assert "your branch collides with #44 on tasks/cli.py: merge first, #44 rebases " \
               "after" in out
    assert err == ("check --strict: the replayed fan-in stops at #44 (step 3) on "
                   "tasks/cli.py\n" if code else "")
    assert check(demo, "--format", "json") == code
    assert json.loads(capsys.readouterr().out)["current"]["blocks"] is bool(code)


def test_a_detached_head_says_so_and_branch_or_row_pick_the_row(
    demo: Repo, capsys: pytest.CaptureFixture[str],
) -> None:
    demo.git("checkout", "-q", "--detach", "feature/44-clear")
    assert check(demo, "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["current"] is None
    assert ("HEAD is detached, so no row is yours: pass --branch BRANCH or --row ISSUE to "
            "check one (CI checks out a detached HEAD)") in data["notes"]
    assert check(demo) == 0
    assert "note: HEAD is detached, so no row is yours" in capsys.readouterr().out
    assert check(demo, "--branch", "feature/44-clear") == 1
    assert check(demo, "--row", "#44") == 1
    assert check(demo, "--row", "44") == 1
    assert check(demo, "--row", "#42") == 0
    assert check(demo, "--branch", "feature/43-docs") == 0
    out = capsys.readouterr().out
    assert "Your branch (#43 docs):" in out
    assert "HEAD is detached" not in out


@pytest.mark.parametrize(("args", "message"), [
    (("--row", "#9"), f"--row #9: no such row in the plan ({ROWS})"),
    (("--branch", "feature/nope"),
     f"--branch feature/nope: no row of the plan works on that branch ({ROWS})"),
    (("--row", "#42", "--branch", "feature/42-count"), "pass --branch or --row, not both"),
])
def test_an_unknown_row_or_branch_is_exit_2_with_the_rows_listed(
    demo: Repo, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str,
) -> None:
    assert check(demo, *args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert message in err
    assert "Traceback" not in err


def test_a_stale_branch_and_drift_block_their_own_row(
    demo: Repo, capsys: pytest.CaptureFixture[str],
) -> None:
    demo.git("checkout", "-q", "feature/43-docs")
    demo.commit({"tasks/store.py": "S = 1\n"}, "#43 strays into code")
    assert check(demo) == 1
    assert capsys.readouterr().err == ("check --strict: #43 changed files its row does not "
                                       "own: tasks/store.py\n")
    assert check(demo, "--row", "#42") == 0  # someone else's drift is not #42's
    capsys.readouterr()
    demo.git("checkout", "-q", "main")
    demo.commit({"README.md": "# tasks, rewritten on main\n"}, "main moves on")
    assert check(demo, "--row", "#43") == 1
    err = capsys.readouterr().err
    assert "check --strict: #43 no longer merges onto main (README.md): rebase it\n" in err


def test_a_missing_branch_blocks_only_its_own_row(
    demo: Repo, capsys: pytest.CaptureFixture[str],
) -> None:
    demo.git("branch", "-q", "-D", "feature/43-docs")
    assert check(demo, "--row", "#43") == 1
    assert capsys.readouterr().err == ("check --strict: #43: branch feature/43-docs does not "
                                       "exist, so nothing about it was checked\n")
    assert check(demo, "--row", "#42") == 0
