"""Plan loading: every form becomes the same Plan; every bad input names file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from fleetbot.errors import PlanError
from fleetbot.model import OwnedPath, Status
from fleetbot.plan.cells import parse_issue, split_items
from fleetbot.plan.parse import load_plan, normalise_status, parse_plan

EXAMPLE = Path(__file__).parents[2] / "examples" / "orchestration-plan.md"

HEADER = "| Issue | Branch | Worktree | Files owned | Depends on | Status |\n|---|---|---|---|---|---|\n"


def md(*rows: str, header: str = HEADER, before: str = "# Plan\n\n") -> str:
    return before + header + "".join(r + "\n" for r in rows)


def test_example_plan_rows() -> None:
    plan = load_plan(EXAMPLE)
    assert [r.issue for r in plan.rows] == ["#42", "#43", "#44"]
    count = plan.rows[0]
    assert count.title == "count"
    assert count.branch == "feature/42-count"
    assert count.files_owned[0] == OwnedPath("tasks/cli.py", "dispatch + new fn")
    assert count.status is Status.RUNNING
    assert count.line == 8


def test_columns_any_order_and_case_and_optional() -> None:
    text = md("| feature/a | #1 |", header="| BRANCH | issue |\n|--|--|\n")
    plan = parse_plan(text)
    assert plan.rows[0].issue == "#1"
    assert plan.rows[0].branch == "feature/a"
    assert plan.rows[0].files_owned == ()
    assert plan.rows[0].status is Status.PLANNED


def test_first_matching_table_wins_and_prose_kept() -> None:
    other = "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
    text = md("| #1 | f/one | | x.py | none | running |", before="intro\n\n" + other)
    plan = parse_plan(text)
    assert [r.branch for r in plan.rows] == ["f/one"]
    assert plan.rows[0].line == 9
    assert plan.text == text


@pytest.mark.parametrize(
    ("cell", "ref", "title"),
    [("#42", "#42", ""), ("42", "#42", ""), ("#42 count", "#42", "count"),
     ("owner/repo#7 fix", "owner/repo#7", "fix"), ("!12", "!12", ""),
     ("[#42](https://x/42) count", "#42", "count"), ("**#42**: count", "#42", "count")],
)
def test_issue_refs(cell: str, ref: str, title: str) -> None:
    assert parse_issue(cell) == (ref, title)


def test_files_owned_notes_backticks_and_commas_in_notes() -> None:
    plan = parse_plan(md("| #1 | f/a | | `a.py` (x, y), src/**/*.ts, docs/ | none | |"))
    assert plan.rows[0].files_owned == (
        OwnedPath("a.py", "x, y"), OwnedPath("src/**/*.ts"), OwnedPath("docs/"),
    )


@pytest.mark.parametrize("word", ["none", "-", "—", "", "None"])
def test_depends_on_none_words(word: str) -> None:
    plan = parse_plan(md(f"| #1 | f/a | | a.py | {word} | |"))
    assert plan.rows[0].depends_on == ()


def test_depends_on_by_issue_and_branch() -> None:
    plan = parse_plan(md(
        "| #1 | f/a | | a.py | none | |",
        "| #2 | f/b | | b.py | 1, `f/a` | |",
    ))
    b = plan.rows[1]
    assert b.depends_on == ("#1", "f/a")
    assert plan.dependencies(b) == (plan.rows[0], plan.rows[0])


@pytest.mark.parametrize(
    ("word", "status"),
    [("running", Status.RUNNING), ("In progress", Status.RUNNING), ("✅ merged", Status.MERGED),
     ("done", Status.MERGED), ("", Status.PLANNED), ("Review", Status.REVIEW),
     ("blocked on #3", Status.BLOCKED), ("zzz", None)],
)
def test_status_words(word: str, status: Status | None) -> None:
    assert normalise_status(word) is status


def test_split_items_keeps_backticked_commas() -> None:
    assert split_items("`a,b.py`, c").items == (("a,b.py", ""), ("c", ""))


def test_yaml_and_json_plans_match_markdown(tmp_path: Path) -> None:
    yml = tmp_path / "plan.yml"
    yml.write_text(
        "regenerable: [poetry.lock]\nrows:\n"
        "  - issue: '#42 count'\n    branch: feature/42-count\n"
        "    files_owned: ['tasks/cli.py (dispatch + new fn)', tasks/count.py]\n"
        "    status: running\n"
        "  - issue: 43\n    branch: feature/43\n    depends_on: ['#42']\n"
    )
    js = tmp_path / "plan.json"
    js.write_text(
        '{"rows": [{"issue": "#42 count", "branch": "feature/42-count",\n'
        ' "files_owned": ["tasks/cli.py (dispatch + new fn)", "tasks/count.py"],'
        ' "status": "running"},\n'
        ' {"issue": 43, "branch": "feature/43", "depends_on": ["#42"]}]}'
    )
    a, b = load_plan(yml), load_plan(js)
    assert [(r.issue, r.branch, r.files_owned, r.depends_on) for r in a.rows] == [
        (r.issue, r.branch, r.files_owned, r.depends_on) for r in b.rows
    ]
    assert a.rows[0].files_owned[0] == OwnedPath("tasks/cli.py", "dispatch + new fn")
    assert a.regenerable == ("poetry.lock",)
    assert a.rows[1].line == 7 and b.rows[1].line == 3


def test_front_matter_regenerable() -> None:
    text = "---\nregenerable: [uv.lock, 'gen/**']\n---\n" + md("| #1 | f/a | | a.py | | |")
    plan = parse_plan(text)
    assert plan.regenerable == ("uv.lock", "gen/**")
    assert plan.rows[0].line == 8


# ------------------------------------------------------------------ bad inputs


def err(text: str, fmt: str = "markdown", name: str = "plan.md") -> PlanError:
    with pytest.raises(PlanError) as info:
        parse_plan(text, name, fmt)
    return info.value


def test_no_table() -> None:
    e = err("# just prose\n\n| a | b |\n|--|--|\n| 1 | 2 |\n")
    assert e.code == "no-plan-table"
    assert "plan.md:1:" in str(e) and "Issue | Branch" in str(e)


def test_missing_required_column() -> None:
    e = err("intro\n\n| Issue | Files owned |\n|---|---|\n| #1 | a.py |\n")
    assert e.code == "missing-column"
    assert e.line == 3
    assert "no Branch column" in str(e)


def test_too_few_cells() -> None:
    e = err(md("| #1 | f/a | | a.py |"))
    assert e.code == "malformed-row" and e.line == 5
    assert "4 cells but the header has 6" in str(e)


@pytest.mark.parametrize(("row", "what"), [("|  | f/a | | | | |", "no issue"),
                                           ("| #1 |  | | | | |", "no branch")])
def test_empty_fields(row: str, what: str) -> None:
    e = err(md(row))
    assert e.code == "empty-field" and e.line == 5 and what in str(e)


def test_bad_issue_ref() -> None:
    e = err(md("| fix things | f/a | | | | |"))
    assert e.line == 5 and "not an issue reference" in str(e) and "#42" in e.hint


def test_invalid_yaml_names_line() -> None:
    e = err("rows:\n  - issue: 1\n    branch: [unclosed\n", "yaml", "p.yml")
    assert e.code == "invalid-file" and e.line >= 3 and str(e).startswith("p.yml:")


def test_invalid_json_names_line() -> None:
    e = err('{"rows": [\n {"issue": 1 "branch": "x"}]}', "json", "p.json")
    assert e.line == 2 and e.message == "invalid JSON: Expecting ',' delimiter (column 14)"


def test_invalid_yaml_names_the_column() -> None:
    e = err('rows:\n  - issue: "#1"\n   branch: x\n', "yaml", "p.yml")
    assert (e.line, e.message) == (
        3, "invalid YAML: expected <block end>, but found '<block mapping start>' (column 4)")


def test_wrong_types_map_to_line() -> None:
    e = err("rows:\n  - issue: 1\n    branch: a\n  - issue: 2\n    branch: {x: 1}\n", "yaml")
    assert e.code == "schema" and e.line == 5 and "row 2 `branch`" in str(e)


def test_unknown_field_is_named_with_fix() -> None:
    e = err("rows:\n  - issue: 1\n    brnach: a\n    branch: a\n", "yaml")
    assert "'brnach'" in str(e) and e.line == 3 and "use only" in e.hint


def test_missing_required_field_yaml() -> None:
    e = err("rows:\n  - issue: 1\n", "yaml")
    assert "'branch' is a required property" in str(e) and e.line == 2


def test_top_level_not_mapping() -> None:
    assert "mapping" in str(err("- a\n- b\n", "yaml"))


@pytest.mark.parametrize(
    ("rows", "code", "line"),
    [
        (["| #1 | f/a | | | | |", "| #1 | f/b | | | | |"], "duplicate-issue", 6),
        (["| #1 | f/a | | | | |", "| #2 | f/a | | | | |"], "duplicate-branch", 6),
        (["| #1 | f/a | | | #9 | |"], "unknown-dependency", 5),
        (["| #1 | f/a | | | #1 | |"], "self-dependency", 5),
        (["| #1 | f/a | | | #2 | |", "| #2 | f/b | | | f/a | |"], "cycle", 5),
    ],
)
def test_structural_errors_on_load(tmp_path: Path, rows: list[str], code: str, line: int) -> None:
    path = tmp_path / "orchestration-plan.md"
    path.write_text(md(*rows))
    with pytest.raises(PlanError) as info:
        load_plan(path)
    assert info.value.code == code
    assert info.value.line == line
    assert str(info.value).startswith(f"{path}:{line}:")
    assert info.value.hint


def test_cycle_is_spelled_out(tmp_path: Path) -> None:
    path = tmp_path / "p.md"
    path.write_text(md("| #1 | f/a | | | #3 | |", "| #2 | f/b | | | #1 | |",
                       "| #3 | f/c | | | f/b | |"))
    with pytest.raises(PlanError) as info:
        load_plan(path)
    assert "#1 -> #3 -> #2 -> #1" in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="plan file not found"):
        load_plan(tmp_path / "nope.md")


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "p.md"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    with pytest.raises(PlanError, match=r"p.md:1: .*(binary|UTF-8)"):
        load_plan(path)


def test_folder_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="is a folder"):
        load_plan(tmp_path)


def test_a_worktree_written_as_on_windows_is_the_same_folder() -> None:
    plan = parse_plan("| Issue | Branch | Worktree |\n|---|---|---|\n"
                      "| #9 | f/nine | ..\\wt-nine |\n| #10 | f/ten | `..\\a\\b` |\n")
    assert [r.worktree for r in plan.rows] == ["../wt-nine", "../a/b"]
