"""`fleetbot plan lint|show` end to end: exit codes, JSON shape, clean errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.cli import Invocation, invoke
from tests.support.examples import examples

Invoke = Callable[..., Invocation]

EXAMPLE = Path(__file__).parents[2] / "examples" / "orchestration-plan.md"
HEADER = "| Issue | Branch | Worktree | Files owned | Depends on | Status |\n|---|---|---|---|---|---|\n"


def test_lint_example_json(cli_invoke: Invoke) -> None:
    out = json.loads(cli_invoke(["plan", "lint", "--plan", str(EXAMPLE), "--format", "json"]).out)
    assert [(f["severity"], f["code"], f["line"], f["rows"]) for f in out["findings"]] == [
        ("warning", "joint", 10, ["#42", "#44"])
    ]
    assert set(out["findings"][0]) >= {"severity", "code", "line", "message", "rows"}


def test_lint_strict_exits_1_on_warnings(cli_invoke: Invoke) -> None:
    cli_invoke(["plan", "lint", "--plan", str(EXAMPLE), "--strict"], code=1)


def test_lint_default_plan_in_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   cli_invoke: Invoke) -> None:
    (tmp_path / "orchestration-plan.md").write_text(EXAMPLE.read_text())
    monkeypatch.chdir(tmp_path)
    assert cli_invoke(["plan", "lint"]).out == (
        f"{tmp_path / 'orchestration-plan.md'}:10: warning joint: #42 and #44 both own "
        "tasks/cli.py with no dependency between them: they will collide at merge\n"
        "  fix: make #44 depend on #42 (`fleetbot plan lint --fix`), or split the file "
        "between them\n"
        "0 errors, 1 warning\n")


def test_lint_fix_writes_and_then_is_clean(tmp_path: Path, cli_invoke: Invoke) -> None:
    plan = tmp_path / "p.md"
    plan.write_text(EXAMPLE.read_text())
    cli_invoke(["plan", "lint", "--plan", str(plan), "--fix", "--dry-run"])
    assert plan.read_text() == EXAMPLE.read_text()
    cli_invoke(["plan", "lint", "--plan", str(plan), "--fix"])
    assert "| #42 | running |" in plan.read_text()
    cli_invoke(["plan", "lint", "--plan", str(plan), "--strict"])


def test_show_json(cli_invoke: Invoke) -> None:
    out = json.loads(cli_invoke(["plan", "show", "--plan", str(EXAMPLE), "--format", "json"]).out)
    assert [r["issue"] for r in out["rows"]] == ["#42", "#43", "#44"]
    assert out["rows"][0]["files_owned"][0] == {"pattern": "tasks/cli.py",
                                                 "note": "dispatch + new fn"}


def test_show_text_and_markdown(cli_invoke: Invoke) -> None:
    assert "feature/44-clear" in cli_invoke(["plan", "show", "--plan", str(EXAMPLE)]).out
    md = cli_invoke(["plan", "show", "--plan", str(EXAMPLE), "--format", "markdown"]).out
    assert "| #43 docs | `feature/43-docs` |" in md


BAD_PLANS = {
    "no-table.md": ("just prose\n", "no plan table"),
    "few-cells.md": (HEADER + "| #1 | f/a |\n", "cells but the header has"),
    "empty-branch.md": (HEADER + "| #1 | | | | | |\n", "no branch"),
    "dup.md": (HEADER + "| #1 | f/a | | | | |\n| #1 | f/b | | | | |\n", "already planned"),
    "unknown.md": (HEADER + "| #1 | f/a | | | #5 | |\n", "which no row has"),
    "self.md": (HEADER + "| #1 | f/a | | | f/a | |\n", "depends on itself"),
    "cycle.md": (HEADER + "| #1 | f/a | | | #2 | |\n| #2 | f/b | | | #1 | |\n", "cycle"),
    "bad.yml": ("rows:\n  - issue: 1\n    branch: [x\n", "invalid YAML"),
    "bad.json": ('{"rows": [}', "invalid JSON"),
    "types.yml": ("rows:\n  - issue: 1\n    branch: 3\n", "a number is not accepted here"),
}


@pytest.mark.parametrize("name", sorted(BAD_PLANS))
@pytest.mark.parametrize("command", ["lint", "show"])
def test_bad_plans_exit_2_with_file_line(
    tmp_path: Path, cli_invoke: Invoke, name: str, command: str
) -> None:
    text, expected = BAD_PLANS[name]
    path = tmp_path / name
    path.write_text(text)
    captured = cli_invoke(["plan", command, "--plan", str(path)], code=2)
    output = captured.out + captured.err
    assert f"{path}:" in output
    assert expected in output
    assert "fix:" in output
    assert "Traceback" not in output


def test_every_error_of_a_broken_plan_says_error(tmp_path: Path, cli_invoke: Invoke) -> None:
    path = tmp_path / "two.md"
    path.write_text(HEADER + "| #1 | f/a | | | #9 | |\n| #2 | f/a | | | | |\n")
    err = cli_invoke(["plan", "show", "--plan", str(path)], code=2).err
    lines = [ln for ln in err.splitlines() if not ln.startswith("  fix:")]
    assert lines == [f"error: {path}:3: #1 depends on '#9', which no row has",
                     f"error: {path}:4: branch 'f/a' is already used by #1 on line 3"]


def test_binary_and_missing_plan(tmp_path: Path, cli_invoke: Invoke) -> None:
    binary = tmp_path / "p.md"
    binary.write_bytes(b"\x00\x01\x02\xff")
    assert cli_invoke(["plan", "show", "--plan", str(binary)], code=2).err.startswith(
        f"error: {binary}:1: ")
    missing = tmp_path / "missing.md"
    assert cli_invoke(["plan", "show", "--plan", str(missing)], code=2).err == (
        f"error: {missing}: plan file not found\n"
        "  fix: create it (`fleetbot plan init`) or pass --plan PATH\n")


def test_wrong_format_value_is_usage_error(cli_invoke: Invoke) -> None:
    err = cli_invoke(["plan", "lint", "--plan", str(EXAMPLE), "--format", "xml"], code=2).err
    assert "Invalid value for '--format'" in err


EDIT = st.tuples(st.integers(min_value=0, max_value=10_000),
                 st.integers(min_value=0, max_value=12),
                 st.text(alphabet="|#-`*,()\n abc12/:[]{}\\!", max_size=6))


@pytest.mark.property
@settings(max_examples=examples(150, 15), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(EDIT, min_size=1, max_size=4), st.sampled_from(["md", "yml", "json"]))
def test_random_edits_never_traceback(
    tmp_path: Path, edits: list[tuple[int, int, str]], suffix: str
) -> None:
    base = {
        "md": EXAMPLE.read_text(),
        "yml": "rows:\n  - issue: '#1 a'\n    branch: f/a\n    files_owned: [a.py]\n"
               "  - issue: 2\n    branch: f/b\n    depends_on: ['#1']\n",
        "json": '{"rows": [{"issue": 1, "branch": "f/a", "files_owned": ["a.py"]},'
                ' {"issue": 2, "branch": "f/b", "depends_on": ["#1"]}]}',
    }[suffix]
    text = base
    for pos, cut, insert in edits:
        at = pos % (len(text) + 1)
        text = text[:at] + insert + text[at + cut:]
    path = tmp_path / f"plan.{suffix}"
    path.write_text(text)
    # invoke fails the test on a traceback (FLEETBOT_DEBUG lets an internal error through)
    assert invoke(["plan", "lint", "--plan", str(path), "--format", "json"], None).code in (0, 2)
    assert invoke(["plan", "show", "--plan", str(path), "--format", "json"], None).code in (0, 2)
