"""A row's real names are never taken for "not decided yet", and a row with no branch yet
is never reported landed.

Two bugs, seen together on one fleet: a branch called `feature/todo-list` (and owned
files such as `docs/TODO.md`, `etc/nginx.conf`) matched the placeholder word search
(`todo`, `etc`), so the row was read as having no branch; and a row with no branch was
then said to have landed in whatever target commit came first, because an empty branch
name matched every commit message (`git log --grep=` with nothing matches all)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from fleetbot.git.landed import names_row
from fleetbot.plan.cells import is_placeholder, owned_paths
from tests.support.cli import Invocation
from tests.support.factories import row
from tests.support.repo import make_repo

Invoke = Callable[..., Invocation]

PLAN = """\
| Issue | Branch | Worktree | Files owned | Depends on | Status |
|---|---|---|---|---|---|
| #1 | feature/todo-list | ../wt-1 | docs/TODO.md, etc/nginx.conf | | |
| #2 | TBD | | src/b.py | | |
"""


@pytest.mark.parametrize("name", ["docs/TODO.md", "etc/nginx.conf", "/etc/passwd",
                                  "feature/todo-list", "todo-list", "src/fixme.py",
                                  "xxx-large.css", "tbd_later", "unknown.py"])
def test_a_name_holding_a_placeholder_word_is_a_name(name: str) -> None:
    assert not is_placeholder(name)
    assert owned_paths(name) == (((_owned(name)),), ())


@pytest.mark.parametrize("word", ["TBD", "TBD?", "TODO:", "todo!", "**TBD**", "`TBD`",
                                  "etc.", "??", "to be decided", "TBD after #12",
                                  "(tests TBD)", "unknown"])
def test_placeholders_stay_undecided(word: str) -> None:
    assert is_placeholder(word)


@pytest.mark.parametrize(("cell", "path"), [("`my docs/TODO list.md`", "my docs/TODO list.md"),
                                           ("`notes TODO.md`", "notes TODO.md"),
                                           ("`etc files/x`", "etc files/x")])
def test_a_path_with_spaces_in_a_code_span_is_a_path(cell: str, path: str) -> None:
    assert owned_paths(cell) == ((_owned(path),), ())


@pytest.mark.parametrize("cell", ["`TBD`", "`to be decided`", "`etc.`"])
def test_a_placeholder_in_a_code_span_is_still_undecided(cell: str) -> None:
    assert owned_paths(cell) == ((), (cell.strip("`"),))


def test_a_row_without_a_branch_is_named_by_its_issue_only() -> None:
    undecided = row("#2", branch="")
    assert not names_row("squash #1", undecided)
    assert not names_row("anything at all", undecided)
    assert names_row("Count\n\nCloses #2", undecided)


def test_every_command_checks_the_todo_branch_and_lands_no_undecided_row(
    tmp_path: Path, cli_invoke: Invoke,
) -> None:
    repo = make_repo(tmp_path, {"README.md": "x\n", "orchestration-plan.md": PLAN},
                     branches={"feature/todo-list": {"docs/TODO.md": "- one\n"}})
    repo.commit({"src/a.py": "a\n"}, "squash #3 (an older row)")
    at = ["--repo", str(repo.path)]
    conflicts = json.loads(cli_invoke(["conflicts", *at, "--format", "json"]).out)
    assert conflicts["landed"] == []
    assert conflicts["missing_branches"] == ["#2"]
    order = json.loads(cli_invoke(["order", *at, "--format", "json"]).out)
    assert [s["issue"] for s in order["order"]] == ["#1", "#2"]
    assert order["landed"] == [] and order["missing_branches"] == ["#2"]
    lint = cli_invoke(["plan", "lint", *at])
    assert "not decided yet ('feature/todo-list')" not in lint.out
    assert "not decided yet ('docs/TODO.md')" not in lint.out
    assert "#2: the branch is not decided yet ('TBD')" in lint.out
    assert "#2 (branch not decided yet)" in cli_invoke(["conflicts", *at]).out
    status = cli_invoke(["status", *at]).out.splitlines()
    assert status[2].split()[:2] == ["#1", "feature/todo-list"]
    assert status[3].split()[:4] == ["#2", "(not", "decided", "yet)"]


def _owned(name: str) -> object:
    from fleetbot.model import OwnedPath

    return OwnedPath(name.removeprefix("./"), "")


def test_a_row_without_a_branch_gets_no_worktree_and_a_brief_that_says_decide_it(
    tmp_path: Path, cli_invoke: Invoke,
) -> None:
    """`fan-out` used to try `git worktree add -b ''` and the brief said
    `git push -u origin ''`."""
    repo = make_repo(tmp_path, {"README.md": "x\n", "orchestration-plan.md": PLAN},
                     branches={"feature/todo-list": {"docs/TODO.md": "- one\n"}})
    at = ["--repo", str(repo.path)]
    out = cli_invoke(["fan-out", *at, "--brief"]).out.splitlines()
    assert out[1].startswith("skip #2 (no branch) -> ")
    assert out[1].endswith("  (no branch decided yet: write one in the plan's Branch cell)")
    assert not any("brief for #2" in line for line in out)
    brief = cli_invoke(["brief", "#2", *at]).out
    assert "Branch not decided yet (the plan's Branch cell), into main" in brief
    assert brief.endswith(
        "When you are done\n  - the branch is not decided yet: choose one, write it in the "
        "plan's Branch cell of #2, then run `fleetbot brief '#2'` again\n")
    assert "git push" not in brief


def test_integrate_dry_run_lists_what_the_run_merges(tmp_path: Path, cli_invoke: Invoke) -> None:
    """The dry run printed the recommended order, rows without a branch included, where the
    run skips them: now both come from the one step chooser."""
    from tests.support.fleetrepo import tasks_repo

    repo = tasks_repo(tmp_path)
    plan = tmp_path / "plan.md"
    plan.write_text("| Issue | Branch | Files owned |\n|---|---|---|\n"
                    "| #41 | TBD | x.py |\n| #42 count | feature/42-count | tasks/count.py |\n"
                    "| #45 | feature/45-gone | y.py |\n| #43 docs | feature/43-docs | docs/ |\n")
    at = ["integrate", "--repo", str(repo.path), "--plan", str(plan)]
    dry = cli_invoke([*at, "--dry-run"]).out.splitlines()
    assert [line for line in dry if line.startswith("  ")] == [
        "  1. #42 feature/42-count  (no dependencies or collisions: can merge any time)",
        "  2. #43 feature/43-docs  (no dependencies or collisions: can merge any time)",
        "  #41: no branch decided yet; skipped",
        "  #45: branch feature/45-gone does not exist; skipped",
    ]
    cli_invoke(at)
    merged = repo.git("log", "--format=%s", "--first-parent", "main..fleet/integration")
    assert merged.splitlines() == ["Merge #43 docs (feature/43-docs) [fleetbot integrate]",
                                   "Merge #42 count (feature/42-count) [fleetbot integrate]"]


def test_cleanup_keeps_a_row_without_a_branch_and_says_why(
    tmp_path: Path, cli_invoke: Invoke,
) -> None:
    repo = make_repo(tmp_path, {"README.md": "x\n", "orchestration-plan.md": PLAN},
                     branches={"feature/todo-list": {"docs/TODO.md": "- one\n"}})
    out = cli_invoke(["cleanup", "--repo", str(repo.path), "--dry-run"]).out
    assert "keep #2 (no branch)  (no branch decided yet)\n" in out


def test_a_detached_worktree_is_no_rows_and_check_branch_needs_a_name(
    tmp_path: Path, cli_invoke: Invoke,
) -> None:
    repo = make_repo(tmp_path, {"README.md": "x\n", "orchestration-plan.md": PLAN},
                     branches={"feature/todo-list": {"docs/TODO.md": "- one\n"}})
    repo.git("worktree", "add", "-q", "--detach", str(tmp_path / "loose"), "HEAD")
    status = cli_invoke(["status", "--repo", str(repo.path)]).out.splitlines()
    assert status[3].split()[:5] == ["#2", "(not", "decided", "yet)", "no"]
    got = cli_invoke(["check", "--repo", str(repo.path), "--branch", ""], code=2)
    assert got.err == "error: --branch: give a branch name\n"
