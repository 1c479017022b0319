"""Lint: files are not folders, --fix adds the fewest edges and only between rows that
overlap, branch names git refuses or that name the target, dropped rows."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from fleetbot.analysis.order import recommend_order
from fleetbot.errors import PlanError
from fleetbot.model import FindingCode, Plan, Row, Status
from fleetbot.plan.globs import overlap_example
from fleetbot.plan.graph import find_cycle
from fleetbot.plan.joints import fix_edges, fix_joints, joints
from fleetbot.plan.lint import lint_plan, structural_findings
from fleetbot.plan.parse import parse_plan
from tests.support.cli import Invocation

HEADER = "| Issue | Branch | Files owned | Depends on | Status |\n|---|---|---|---|---|\n"


def md(*rows: str) -> str:
    return HEADER + "".join(r + "\n" for r in rows)


@pytest.mark.parametrize(("a", "b", "example"), [
    ("src/app.py", "**/README.md", None),
    ("**/*.md", "src/app.py", None),
    ("src/app.py", "src/app.py/x", None),
    ("src", "**/README.md", "src/README.md"),
    ("src/", "src/x.py", "src/x.py"),
    ("docs/", "docs", "docs/x"),
    ("**/*.md", "docs/**", "docs/.md"),
])
def test_a_file_is_not_a_folder(a: str, b: str, example: str | None) -> None:
    assert overlap_example(a, b) == example
    assert overlap_example(b, a) == example


def test_fix_adds_the_fewest_edges() -> None:
    plan = parse_plan(md("| #1 | f/a | cli.py | | |", "| #2 | f/b | cli.py | #1 | |",
                         "| #3 | f/c | cli.py | | |"))
    assert [(j.a.issue, j.b.issue) for j in joints(plan)] == [("#1", "#3"), ("#2", "#3")]
    assert fix_edges(plan, joints(plan)) == {"#3": ["#2"]}


def test_fix_chains_many_rows_on_one_folder() -> None:
    rows = [f"| #{i} | f/{i} | docs/** | | |" for i in range(1, 6)]
    plan = parse_plan(md(*rows))
    assert fix_edges(plan, joints(plan)) == {f"#{i}": [f"#{i - 1}"] for i in range(2, 6)}
    text, _ = fix_joints(plan)
    assert lint_plan(parse_plan(text)) == []


def test_fix_never_serialises_rows_that_do_not_overlap() -> None:
    plan = parse_plan(md("| #1 | f/a | a.py, shared.py | | |", "| #2 | f/b | b.py | | |",
                         "| #3 | f/c | shared.py | | |", "| #4 | f/d | d/** | | |"))
    assert fix_edges(plan, joints(plan)) == {"#3": ["#1"]}


def test_fix_output_says_the_direction_in_words(tmp_path: Path,
                                                cli_invoke: Callable[..., Invocation]) -> None:
    path = tmp_path / "p.md"
    path.write_text(md("| #42 | f/a | cli.py | | |", "| #44 | f/b | cli.py | | |"))
    err = cli_invoke(["plan", "lint", "--plan", str(path), "--fix"]).err
    assert err == f"fixed {path}: #44 now depends on #42 (lands after it)\n"
    assert "| #44 | f/b | cli.py | #42 |" in path.read_text()


@pytest.mark.parametrize("branch", ["feature/42..count", "feature//42", "x.lock", "x~1", "x:y"])
def test_branch_names_git_refuses_are_errors(branch: str) -> None:
    (finding,) = structural_findings(parse_plan(md(f"| #1 | {branch} | a.py | | |")))
    assert (finding.code, finding.line) == (FindingCode.BAD_BRANCH, 3)
    assert repr(branch) in finding.message


def test_the_target_is_refused_as_a_row_branch() -> None:
    plan = parse_plan("---\ntarget: develop\n---\n" + md("| #1 | develop | a.py | | |",
                                                          "| #2 | main | b.py | | |"))
    found = [(f.code, f.rows) for f in structural_findings(plan, protected=("main",))]
    assert found == [(FindingCode.TARGET_BRANCH, ("#1",)), (FindingCode.TARGET_BRANCH, ("#2",))]


def test_plan_lint_refuses_the_default_branch(tmp_path: Path,
                                              cli_invoke: Callable[..., Invocation]) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t",
                    "commit", "-q", "--allow-empty", "-m", "init"], check=True)
    path = tmp_path / "orchestration-plan.md"
    path.write_text(md("| #1 | main | a.py | | |"))
    got = cli_invoke(["plan", "lint", "--plan", str(path), "--repo", str(tmp_path)], code=2)
    assert (got.out, got.err) == (
        f"{path}:3: error target-branch: #1: the row's branch 'main' is the branch the fleet "
        "merges into\n"
        "  fix: give the row its own branch (cleanup could otherwise delete the target)\n"
        "1 error, 0 warnings\n", "")


def test_empty_files_owned_is_a_warning() -> None:
    findings = lint_plan(parse_plan(md("| #1 | f/a | | | |")))
    assert [(f.code, f.rows) for f in findings] == [(FindingCode.NO_FILES_OWNED, ("#1",))]


def test_dropped_rows_leave_the_order_and_the_joints() -> None:
    plan = parse_plan(md("| #1 | f/a | cli.py | | cancelled |", "| #2 | f/b | cli.py | #1 | |",
                         "| #3 | f/c | x.py | | abandoned |"))
    assert [r.status for r in plan.rows] == [Status.DROPPED, Status.PLANNED, Status.DROPPED]
    assert joints(plan) == []
    steps = recommend_order(plan)
    assert [(s.issue, s.blocked_by) for s in steps] == [("#2", ())]


def test_one_cycle_check_spells_the_cycle() -> None:
    plan = Plan(rows=(Row("#1", "a", line=3, depends_on=("#3",)),
                      Row("#2", "b", line=4, depends_on=("#1",)),
                      Row("#3", "c", line=5, depends_on=("#2",))))
    assert find_cycle(plan) == ("#1", "#3", "#2", "#1")
    with pytest.raises(PlanError, match=r"dependency cycle: #1 -> #3 -> #2 -> #1 \(each"):
        recommend_order(plan)


def test_a_dropped_dependency_is_named_dropped() -> None:
    plan = parse_plan(md("| #1 | f/a | a.py | | dropped |", "| #2 | f/b | b.py | #1 | |"))
    (step,) = recommend_order(plan)
    assert step.reasons == ("depends on #1 (dropped)",)


def test_every_command_refuses_the_target_as_a_row_branch(tmp_path: Path) -> None:
    from fleetbot.git import Git
    from fleetbot.pipeline import build_report

    subprocess.run(["git", "init", "-q", "-b", "main", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t",
                    "commit", "-q", "--allow-empty", "-m", "init"], check=True)
    import pytest

    from fleetbot.errors import PlanErrors
    from tests.support.cli import invoke

    plan = parse_plan(md("| #1 | main | a.py | | |"))
    with pytest.raises(PlanErrors) as raised:
        build_report(Git.discover(tmp_path), plan)
    assert [(e.code, e.line) for e in raised.value.errors] == [
        (str(FindingCode.TARGET_BRANCH), 3)]
    (tmp_path / "orchestration-plan.md").write_text(md("| #1 | main | a.py | | |"))
    said = ("error: orchestration-plan.md:3: #1: the row's branch 'main' is the branch the "
            "fleet merges into\n")
    for command in ("check", "order", "conflicts", "status", "score", "brief #1"):
        got = invoke([*command.split(), "--repo", str(tmp_path)], code=2)
        assert said in got.err, command
