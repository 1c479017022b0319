"""Lint: joints, warnings, and --fix editing the plan minimally in every format."""

from __future__ import annotations

from pathlib import Path

from fleetbot.model import Severity
from fleetbot.plan.lint import fix_joints, joints, lint_plan
from fleetbot.plan.parse import load_plan, parse_plan

EXAMPLE = Path(__file__).parents[2] / "examples" / "orchestration-plan.md"
HEADER = "| Issue | Branch | Worktree | Files owned | Depends on | Status |\n|---|---|---|---|---|---|\n"


def md(*rows: str) -> str:
    return "# Plan\n\n" + HEADER + "".join(r + "\n" for r in rows) + "\nafter\n"


def test_example_has_exactly_the_42_44_joint() -> None:
    findings = lint_plan(load_plan(EXAMPLE))
    assert [(f.code, f.rows, f.severity) for f in findings] == [
        ("joint", ("#42", "#44"), Severity.WARNING)
    ]
    assert "tasks/cli.py" in findings[0].message
    assert findings[0].line == 10


def test_dependency_path_removes_joint_even_transitively() -> None:
    plan = parse_plan(md(
        "| #1 | f/a | | cli.py | | |",
        "| #2 | f/b | | x.py | #1 | |",
        "| #3 | f/c | | cli.py | f/b | |",
    ))
    assert joints(plan) == []


def test_glob_joint_names_example_path() -> None:
    plan = parse_plan(md("| #1 | f/a | | src/** | | |", "| #2 | f/b | | src/api/*.py | | |"))
    (joint,) = joints(plan)
    assert joint.patterns == ("src/**", "src/api/*.py")
    assert joint.example.startswith("src/api/") and joint.example.endswith(".py")


def test_unknown_status_is_a_warning() -> None:
    assert lint_plan(parse_plan(md("| #1 | f/a | | a | | running |"))) == []
    findings = lint_plan(parse_plan(md("| #1 | f/a | | a | | sleeping |")))
    assert [f.code for f in findings] == ["unknown-status"]


def test_owned_paths_no_file_can_have_are_named_with_the_fix() -> None:
    plan = parse_plan(md(
        "| #1 | f/a | | src/a.py, ../outside.py, !../x | | |",
        "| #2 | f/b | | `src\\b.py`, src/../c.py, docs/..md | | |",
    ))
    found = [(f.line, f.message.split(": ", 1)[1], f.hint) for f in lint_plan(plan)
             if f.code == "unmatchable-path"]
    assert found == [
        (5, "Files owned `../outside.py` matches no file of the repository: it climbs out "
         "of the repository", "name the path from the repo root"),
        (5, "Files owned `!../x` matches no file of the repository: it climbs out of the "
         "repository", "name the path from the repo root"),
        (6, "Files owned `src\\b.py` matches no file of the repository: git paths use `/`, "
         "and a glob reads `\\` as an escape", "write it `src/b.py`"),
        (6, "Files owned `src/../c.py` matches no file of the repository: git's paths hold "
         "no `..`", "write it `c.py`"),
    ]
    assert all(f.severity is Severity.WARNING for f in lint_plan(plan)
               if f.code == "unmatchable-path")


def test_lint_shows_a_cells_control_characters_as_escapes(tmp_path: Path) -> None:
    from tests.support.cli import invoke

    plan = tmp_path / "plan.md"
    plan.write_text(HEADER + "| #1 | f/a | | ../a\x1b[2J\x07.py | | |\n")
    out = invoke(["plan", "lint", "--plan", str(plan)]).out
    assert "\x1b" not in out and "\x07" not in out
    assert "Files owned `../a\\x1b[2J\\x07.py` matches no file" in out


def test_fix_markdown_changes_only_the_cell() -> None:
    plan = load_plan(EXAMPLE)
    text, added = fix_joints(plan)
    assert added == {"#44": ["#42"]}
    old_lines, new_lines = plan.text.split("\n"), text.split("\n")
    changed = [i for i, (o, n) in enumerate(zip(old_lines, new_lines)) if o != n]
    assert changed == [9]
    assert new_lines[9].replace("| #42 |", "| none |") == old_lines[9]
    assert lint_plan(parse_plan(text)) == []


def test_fix_appends_to_existing_dependencies() -> None:
    plan = parse_plan(md(
        "| #1 | f/a | | cli.py | | |",
        "| #2 | f/b | | x.py | | |",
        "| #3 | f/c | | cli.py | #2 | |",
    ))
    text, _ = fix_joints(plan)
    assert "| #3 | f/c | | cli.py | #2, #1 | |" in text


def test_fix_yaml_keeps_comments_and_other_rows() -> None:
    text = (
        "# our plan\nrows:\n"
        "  - issue: 1\n    branch: f/a  # first\n    files_owned: [cli.py]\n"
        "  - issue: 2\n    branch: f/b\n    files_owned:\n      - cli.py\n"
        "    depends_on:\n      - f/x\n"
        "  - issue: 3\n    branch: f/x\n"
    )
    plan = parse_plan(text, "p.yml", "yaml")
    new, fixed = fix_joints(plan)
    assert len(fixed) == 1
    assert new == text.replace("      - f/x\n", '      - f/x\n      - "#1"\n')
    assert joints(parse_plan(new, "p.yml", "yaml")) == []


def test_fix_yaml_adds_missing_key_and_replaces_none() -> None:
    text = (
        "rows:\n  - issue: 1\n    branch: f/a\n    files_owned: cli.py\n"
        "  - issue: 2\n    branch: f/b\n    files_owned: cli.py\n"
        "  - issue: 3\n    branch: f/c\n    files_owned: [cli.py]\n    depends_on: none\n"
    )
    new, _ = fix_joints(parse_plan(text, "p.yml", "yaml"))
    assert '    branch: f/b\n    depends_on: ["#1"]\n' in new
    assert 'depends_on: ["#2"]' in new  # #2 already waits for #1: the fewest edges
    assert joints(parse_plan(new, "p.yml", "yaml")) == []


def test_fix_json() -> None:
    text = (
        '{\n  "rows": [\n    {"issue": 1, "branch": "f/a", "files_owned": ["cli.py"]},\n'
        '    {"issue": 2, "branch": "f/b", "files_owned": ["cli.py"], "depends_on": []}\n  ]\n}\n'
    )
    new, _ = fix_joints(parse_plan(text, "p.json", "json"))
    assert new == text.replace('"depends_on": []', '"depends_on": ["#1"]')


def test_round_trip_unchanged_is_byte_for_byte() -> None:
    from fleetbot.plan.source import read_markdown, write_markdown

    text = EXAMPLE.read_text()
    src = read_markdown(text, "p.md")
    assert write_markdown(text, src, {}) == text
    same = {(i, "status"): cells["status"].text for i, cells in src.cells.items()}
    assert write_markdown(text, src, same) == text
    padded = text.replace("| none | running |", "|   none   | running |", 1)
    src = read_markdown(padded, "p.md")
    assert write_markdown(padded, src, {(0, "depends_on"): "none"}) == padded
