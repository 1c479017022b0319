"""Choosing the plan table, column synonyms, front matter and near misses."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from fleetbot.errors import PlanError
from fleetbot.model import FindingCode, Severity
from fleetbot.plan.lint import lint_plan
from fleetbot.plan.parse import parse_plan
from tests.support.cli import Invocation

ROW = "| #1 | f/a | a.py |"
TABLE = "| Issue | Branch | Files owned |\n|---|---|---|\n"


def codes(text: str) -> list[tuple[str, int]]:
    return [(f.code.value, f.line) for f in parse_plan(text).notices]


@pytest.mark.parametrize("header", [
    "Files owned", "files", "Owned files", "Files touched", "Paths", "scope", "**Files-owned**",
])
def test_files_owned_synonyms(header: str) -> None:
    plan = parse_plan(f"| Issue | Branch | {header} |\n|---|---|---|\n{ROW}\n")
    assert plan.rows[0].patterns == ("a.py",)
    assert plan.notices == ()


@pytest.mark.parametrize(("header", "cell", "attr", "value"), [
    ("Blocked by", "f/b", "depends_on", ("f/b",)), ("Deps", "f/b", "depends_on", ("f/b",)),
    ("After", "f/b", "depends_on", ("f/b",)), ("Needs", "f/b", "depends_on", ("f/b",)),
    ("Worktree path", "../x", "worktree", "../x"), ("Folder", "../x", "worktree", "../x"),
    ("dir", "../x", "worktree", "../x"),
])
def test_other_synonyms(header: str, cell: str, attr: str, value: object) -> None:
    text = (f"| Issue | Branch | {header} |\n|---|---|---|\n| #1 | f/a | {cell} |\n"
            "| #2 | f/b | |\n")
    assert getattr(parse_plan(text).rows[0], attr) == value


@pytest.mark.parametrize("header", ["State", "Progress", "status"])
def test_status_synonyms(header: str) -> None:
    text = f"| Issue | Branch | {header} |\n|---|---|---|\n| #1 | f/a | done |\n"
    assert parse_plan(text).rows[0].status.value == "merged"


def test_unused_column_is_a_notice_naming_the_closest_column() -> None:
    text = "| Issue | Branch | Statuss | Notes |\n|---|---|---|---|\n| #1 | f/a | x | y |\n"
    notes = parse_plan(text).notices
    assert [(f.code, f.severity, f.line) for f in notes] == [
        (FindingCode.UNUSED_COLUMN, Severity.NOTICE, 1)] * 2
    assert "'Statuss'" in notes[0].message and "`Status`" in notes[0].hint
    assert "'Notes'" in notes[1].message and notes[1].hint.startswith("fine for notes")


def test_second_synonym_of_a_column_is_reported() -> None:
    text = "| Issue | Branch | Files | Paths |\n|---|---|---|---|\n| #1 | f/a | a.py | b.py |\n"
    plan = parse_plan(text)
    assert plan.rows[0].patterns == ("a.py",)
    (note,) = plan.notices
    assert "'Paths'" in note.message and "'Files'" in note.message


def test_extra_cells_are_reported() -> None:
    plan = parse_plan(TABLE + "| #1 | f/a | a.py | stray |\n")
    assert [(f.code, f.severity) for f in plan.notices] == [
        (FindingCode.UNUSED_COLUMN, Severity.WARNING)]
    assert "'stray'" in plan.notices[0].message


def test_front_matter_of_another_tool_is_a_notice() -> None:
    text = ("---\ntracking_issue: '#72'\nfeature_branch: f/72\nowner: paul\ntarget: dev\n---\n"
            + TABLE + ROW + "\n")
    plan = parse_plan(text)
    assert plan.target == "dev"
    assert codes(text) == [("unknown-front-matter", 2)]
    assert plan.notices[0].message == (
        "front matter keys fleetbot does not use (another tool's?): 'tracking_issue', "
        "'feature_branch', 'owner'")


def test_fleetbot_key_wins_and_its_unknown_keys_are_named() -> None:
    text = ("---\ntarget: main\nfleetbot:\n  target: develop\n  colour: red\n---\n" + TABLE
            + ROW + "\n")
    plan = parse_plan(text)
    assert plan.target == "develop"
    assert "'fleetbot.colour'" in plan.notices[0].message


def test_front_matter_type_errors_say_front_matter() -> None:
    with pytest.raises(PlanError) as info:
        parse_plan("---\nfleetbot: 3\n---\n" + TABLE + ROW + "\n")
    assert "front matter" in str(info.value) and "rows" not in info.value.hint


def test_quoted_fenced_and_commented_tables_are_not_the_plan() -> None:
    text = ("> | Issue | Branch |\n> |---|---|\n> | #9 | f/quoted |\n\n"
            "```\n| Issue | Branch |\n|---|---|\n| #8 | f/fenced |\n```\n\n"
            "<!--\n| Issue | Branch |\n|---|---|\n| #7 | f/comment |\n-->\n\n"
            + TABLE + ROW + "\n")
    plan = parse_plan(text)
    assert [r.branch for r in plan.rows] == ["f/a"]
    assert plan.notices == ()


def test_a_heading_naming_the_plan_beats_an_earlier_done_table() -> None:
    text = ("## Done\n\n" + TABLE + "| #0 | f/old | x.py |\n\n## Plan\n\n" + TABLE + ROW + "\n")
    plan = parse_plan(text)
    assert [r.issue for r in plan.rows] == ["#1"]
    (note,) = plan.notices
    assert (note.code, note.severity, note.line) == (
        FindingCode.MULTIPLE_PLAN_TABLES, Severity.WARNING, 9)
    assert "line 3" in note.message


def test_without_headings_the_table_with_most_plan_columns_wins() -> None:
    text = ("| Issue | Branch |\n|---|---|\n| #0 | f/old |\n\n"
            + TABLE + ROW + "\n")
    assert [r.issue for r in parse_plan(text).rows] == ["#1"]


def test_near_misses_are_named() -> None:
    text = ("intro\n\n| Task | Branch and worktree |\n|---|---|\n| x | f/x ../x |\n")
    with pytest.raises(PlanError) as info:
        parse_plan(text)
    assert info.value.code == "no-plan-table"
    assert ("line 3: a table with 'Task', 'Branch and worktree' but no Issue or Branch column "
            "(a column mentions Branch)") in str(info.value)


def test_a_table_without_issue_column_is_named() -> None:
    with pytest.raises(PlanError) as info:
        parse_plan("| Task | Branch |\n|---|---|\n| x | f/x |\n")
    assert info.value.code == "missing-column"
    assert "line 1: a table with 'Task', 'Branch' but no Issue column" in str(info.value)


def test_lint_reports_notices_after_warnings() -> None:
    text = "| Issue | Branch | Notes |\n|---|---|---|\n| #1 | f/a | x |\n"
    assert [(f.code.value, f.severity.value) for f in lint_plan(parse_plan(text))] == [
        ("no-files-owned", "warning"), ("unused-column", "notice")]


def test_yaml_row_keys_accept_the_column_synonyms() -> None:
    plan = parse_plan("rows:\n  - issue: 1\n    branch: f/a\n    files: [a.py]\n"
                      "  - issue: 2\n    branch: f/b\n    blocked_by: '#1'\n    state: done\n",
                      "p.yml", "yaml")
    assert [(r.patterns, r.depends_on, r.status.value) for r in plan.rows] == [
        (("a.py",), (), "planned"), ((), ("#1",), "merged")]


def test_fleetbot_key_that_is_not_a_mapping_is_a_front_matter_error() -> None:
    with pytest.raises(PlanError) as info:
        parse_plan("---\nfleetbot: 3\n---\n" + TABLE + ROW + "\n")
    assert str(info.value).startswith(
        "orchestration-plan.md:2: front matter `fleetbot`: a number is not accepted here; "
        "expected object")


def test_an_issue_cell_naming_two_issues_is_reported() -> None:
    plan = parse_plan("| Issue | Branch | Files |\n|---|---|---|\n| #42, #45 | f/a | a.py |\n")
    assert [(r.issue, r.title) for r in plan.rows] == [("#42", "")]
    (note,) = plan.notices
    assert note.message == ("#42: the Issue cell names several issues (#42, #45); fleetbot "
                            "tracks the row as #42")


def test_lint_json_shows_notices(tmp_path: Path, cli_invoke: Callable[..., Invocation]) -> None:
    path = tmp_path / "p.md"
    path.write_text("| Issue | Branch | Files | Notes |\n|---|---|---|---|\n| #1 | f/a | a.py | x |\n")
    out = json.loads(cli_invoke(["plan", "lint", "--plan", str(path), "--format", "json"]).out)
    assert [(f["severity"], f["code"], f["line"]) for f in out["findings"]] == [
        ("notice", "unused-column", 1)]
    cli_invoke(["plan", "lint", "--plan", str(path), "--strict"], code=1)
