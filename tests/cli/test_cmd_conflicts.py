from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from fleetbot.cli.conflicts import parse_kinds, run_conflicts
from fleetbot.errors import UsageError
from tests.fleet import git_of, plan_of, row
from tests.support.cli import Invocation
from tests.support.fleetrepo import example_plan, tasks_repo
from tests.support.repo import Repo

Invoke = Callable[..., Invocation]

# the example fleet (fleetbot/fleet/demo.py's, through tests/support/fleetrepo.py)
EXAMPLE_PLAN = example_plan()


@pytest.fixture
def example(tmp_path: Path) -> Repo:
    return tasks_repo(tmp_path)


def test_json_shape(example, capsys) -> None:  # type: ignore[no-untyped-def]
    assert run_conflicts(EXAMPLE_PLAN, git_of(example), fmt="json") == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"target", "conflicts", "missing_branches", "landed", "notes"}
    assert data["notes"] == []
    assert data["landed"] == []
    assert data["target"] == "main"
    assert data["missing_branches"] == []
    kinds = {(c["kind"], tuple(c["rows"]), tuple(c["files"])) for c in data["conflicts"]}
    assert ("plan", ("#42", "#44"), ("tasks/cli.py",)) in kinds
    assert ("textual", ("#42", "#44"), ("tasks/cli.py",)) in kinds
    for c in data["conflicts"]:
        assert set(c) == {"kind", "rows", "files", "detail", "expected", "regenerable",
                          "evidence"}
        assert "#43" not in c["rows"]


def test_kinds_filter_and_strict(example, capsys) -> None:  # type: ignore[no-untyped-def]
    git = git_of(example)
    code = run_conflicts(EXAMPLE_PLAN, git, fmt="json", strict=True, kinds=frozenset({"plan"}))
    assert code == 0
    assert {c["kind"] for c in json.loads(capsys.readouterr().out)["conflicts"]} == {"plan"}
    assert run_conflicts(EXAMPLE_PLAN, git, fmt="json", strict=True) == 1
    assert run_conflicts(EXAMPLE_PLAN, git, fmt="json", strict=False) == 0


def test_text_puts_the_decision_first(example, capsys) -> None:  # type: ignore[no-untyped-def]
    run_conflicts(EXAMPLE_PLAN, git_of(example))
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert first.startswith("1 collision on main: #42 count × #44 clear (textual")
    assert "evidence:" in out


def test_clean_fleet_is_one_line(repo_factory, capsys) -> None:  # type: ignore[no-untyped-def]
    repo = repo_factory({"a.txt": "a\n"}, {"x": {"b.txt": "b\n"}, "y": {"c.txt": "c\n"}})
    plan = plan_of(row("#1", "x", ["b.txt"]), row("#2", "y", ["c.txt"]))
    assert run_conflicts(plan, git_of(repo), strict=True) == 0
    out = capsys.readouterr().out
    assert out.strip().splitlines() == ["No conflicts: 2 branches land cleanly on main."]


def test_missing_branches_listed(repo_factory, capsys) -> None:  # type: ignore[no-untyped-def]
    repo = repo_factory({"a.txt": "a\n"})
    plan = plan_of(row("#9", "feature/gone"))
    run_conflicts(plan, git_of(repo), fmt="json")
    assert json.loads(capsys.readouterr().out)["missing_branches"] == ["#9"]
    run_conflicts(plan, git_of(repo))
    assert "#9 (feature/gone)" in capsys.readouterr().out


def test_markdown_escapes_text_from_branches(repo_factory, capsys) -> None:  # type: ignore[no-untyped-def]
    repo = repo_factory({"a.txt": "1\n"}, {"x": {"a.txt": "x\n"}, "y": {"a.txt": "y\n"}})
    plan = plan_of(row("#1", "x", title="@octocat <b>"), row("#2", "y"))
    run_conflicts(plan, git_of(repo), fmt="markdown")
    out = capsys.readouterr().out
    assert out.startswith("**1 collision on main")
    assert "@octocat" not in out
    assert "<b>" not in out
    assert "&lt;b&gt;" in out


def test_parse_kinds() -> None:
    from fleetbot.model import ConflictKind

    assert parse_kinds(None) is None
    assert parse_kinds("textual, Target") == {ConflictKind.TEXTUAL, ConflictKind.TARGET}
    with pytest.raises(UsageError, match="unknown kind bogus"):
        parse_kinds("textual,bogus")
    with pytest.raises(UsageError, match="unknown kind semantic"):  # `verify` finds those
        parse_kinds("semantic")
    with pytest.raises(UsageError, match="name at least one kind of plan, diff"):
        parse_kinds(" , ")


def test_kinds_make_the_headline_speak_of_those_kinds_only(example, cli_invoke) -> None:  # type: ignore[no-untyped-def]
    """The demo fleet has a textual conflict: asked for interface or diff only, fleetbot
    must not say that the branches land cleanly or that nothing blocks."""
    at = ["conflicts", "--repo", str(example.path)]
    assert cli_invoke([*at, "--kinds", "interface"]).out == (
        "No interface conflicts among 3 branches on main; the other kinds are not shown "
        "(--kinds).\n")
    assert cli_invoke([*at, "--kinds", "diff,drift"]).out.splitlines()[0] == (
        "1 to review on main (diff 1); the other kinds are not shown (--kinds).")
    assert cli_invoke([*at, "--kinds", "textual", "--format", "markdown"]).out.startswith(
        "**1 collision on main: #42 count × #44 clear (textual: tasks/cli.py)**")
    assert cli_invoke(at).out.startswith("1 collision on main:")


def test_markdown_neutralises_hostile_paths(repo_factory, capsys) -> None:  # type: ignore[no-untyped-def]
    """A path pushed by anyone must not ping a team, inject HTML or break the table."""
    evil = "docs/<img src=x>@org|team.md"
    repo = repo_factory({evil: "a\n"}, {"x": {evil: "b\n"}, "y": {evil: "c\n"}})
    plan = plan_of(row("#1", "x", ["docs/**"]), row("#2", "y", ["docs/**"]))
    run_conflicts(plan, git_of(repo), fmt="markdown")
    out = capsys.readouterr().out
    fenced = re.findall(r"```sh\n(.*?)\n  ```", out, flags=re.S)
    assert fenced  # evidence commands stay inert inside a code fence, one line each
    assert all("\n" not in f.strip() for f in fenced)
    out = re.sub(r"```sh\n.*?\n  ```", "", out, flags=re.S)
    assert "<img" not in out
    assert "@org" not in out  # a zero-width joiner follows every @
    assert "&lt;img src=x&gt;" in out
    for line in out.splitlines():
        if line.startswith("| ") and "textual" in line:
            assert line.count(" | ") == 3  # the pipe in the path did not add a cell


def test_cli_outside_a_repo_exits_2(tmp_path: Path, cli_invoke: Invoke) -> None:
    err = cli_invoke(["conflicts", "--repo", str(tmp_path)], code=2).err
    lines = err.splitlines()
    # the git command and its words are git's business (its version's, and the file
    # system's: on a tmpfs git adds "Stopping at filesystem boundary"): their shape here
    assert [lines[0], lines[-1]] == [f"error: {tmp_path} is not inside a git repository",
                                     "  fix: run fleetbot inside a git checkout or pass "
                                     "--repo DIR"]
    assert lines[1].startswith("  command: git rev-parse") and lines[1].endswith("(exit 128)")
    assert lines[2].startswith("  fatal: not a git repository")


def test_cli_bad_kinds_exits_2(example: Repo, cli_invoke: Invoke) -> None:
    err = cli_invoke(["conflicts", "--repo", str(example.path), "--kinds", "nope"], code=2).err
    assert err == ("error: --kinds: unknown kind nope; choose from plan, diff, drift, target, "
                   "textual, interface\n")


def test_cli_end_to_end_on_the_example_plan(tmp_path: Path, cli_invoke: Invoke) -> None:
    repo = tasks_repo(tmp_path)
    data = json.loads(cli_invoke(["conflicts", "--repo", str(repo.path), "--format", "json"]).out)
    found = {(c["kind"], tuple(c["rows"]), tuple(c["files"])) for c in data["conflicts"]}
    assert ("plan", ("#42", "#44"), ("tasks/cli.py",)) in found
    assert ("textual", ("#42", "#44"), ("tasks/cli.py",)) in found
    assert all("#43" not in rows for _, rows, _ in found)
    out = cli_invoke(["conflicts", "--repo", str(repo.path), "--strict", "--kinds", "textual"],
                     code=1).out
    assert out.startswith("1 collision on main: #42 count × #44 clear")


def test_cli_unknown_target_exits_2(tmp_path: Path, cli_invoke: Invoke) -> None:
    repo = tasks_repo(tmp_path, branches=False)
    err = cli_invoke(["conflicts", "--repo", str(repo.path), "--target", "nope"], code=2).err
    assert err == (
        "error: unknown target 'nope': no branch, origin/nope or commit of that name\n"
        "  fix: pass --target with an existing branch (fetch it first if it is remote)\n")
