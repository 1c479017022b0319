"""Hostile plans fail fast with exit 2 and file:line: aliases, depth, huge numbers,
bytes that are not UTF-8, symlinks out of the repo, globs built to backtrack."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from fleetbot.errors import PlanError
from fleetbot.plan.globs import matches, overlap_example
from fleetbot.plan.lint import lint_plan
from fleetbot.plan.parse import parse_plan
from fleetbot.plan.structured import MAX_DEPTH
from tests.support.cli import Invocation

BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "rows: [*e]\n"
)

HOSTILE: dict[str, tuple[str, str, int]] = {
    "bomb.yml": (BOMB, "anchors and aliases", 1),
    "recursive.yml": ("rows: &r\n  - *r\n", "anchors and aliases", 1),
    "alias.yml": ("rows:\n  - &row {issue: 1, branch: f/a}\n  - *row\n", "anchors", 2),
    "deep.yml": ("rows: " + "[" * 5000 + "]" * 5000 + "\n", "nested more than", 1),
    "deep-block.yml": ("rows:\n" + "".join("  " * i + "- \n" for i in range(1, 200)),
                       "nested more than", 65),
    "deep.json": ('{"rows": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested more than", 1),
    "big.json": ('{"rows": [{"issue": ' + "9" * 4300 + ', "branch": "f/a"}]}',
                 "a number of 4300 digits", 1),
    "big.yml": ("rows:\n  - issue: " + "9" * 4300 + "\n    branch: f/a\n",
                "a number of 4300 digits", 2),
    "front.md": ("---\nx: &a [*a]\n---\n| Issue | Branch |\n|---|---|\n| #1 | f/a |\n",
                 "anchors and aliases", 2),
}


def test_bomb_is_small() -> None:
    assert len(BOMB.encode()) <= 287


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_plan_exits_2_with_file_line(
    tmp_path: Path, cli_invoke: Callable[..., Invocation], name: str,
) -> None:
    text, expected, line = HOSTILE[name]
    path = tmp_path / name
    path.write_text(text)
    captured = cli_invoke(["plan", "lint", "--plan", str(path)], code=2)
    output = captured.out + captured.err
    assert f"{path}:{line}:" in output
    assert expected in output
    assert "Traceback" not in output


def test_depth_just_under_the_bound_is_a_schema_error_not_a_crash() -> None:
    with pytest.raises(PlanError, match="not accepted here"):
        parse_plan('{"rows": ' + "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2) + "}",
                   "p.json", "json")


def test_latin1_byte_in_a_plan_file(tmp_path: Path,
                                    cli_invoke: Callable[..., Invocation]) -> None:
    path = tmp_path / "p.md"
    path.write_bytes(b"| Issue | Branch |\n|---|---|\n| #1 | f/caf\xe9 |\n")
    captured = cli_invoke(["plan", "lint", "--plan", str(path)], code=2)
    assert (captured.out, captured.err) == (
        f"{path}:3: error invalid-file: the plan is not UTF-8 text (byte 0xe9 on this line)\n"
        "  fix: save the plan as UTF-8 (a Latin-1 editor? `iconv -f latin1 -t utf-8`)\n"
        "1 error, 0 warnings\n", "")


def test_latin1_byte_read_from_git_is_a_plan_error() -> None:
    """git output decoded with surrogateescape keeps a bad byte as a surrogate."""
    text = b"| Issue | Branch |\n|---|---|\n| #1 | f/caf\xe9 |\n".decode("utf-8", "surrogateescape")
    with pytest.raises(PlanError) as info:
        parse_plan(text, "orchestration-plan.md")
    assert (info.value.line, info.value.message) == (3, "the plan is not UTF-8 text")


def test_symlinked_plan_outside_the_repo_is_refused(
    tmp_path: Path, cli_invoke: Callable[..., Invocation],
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    secret = tmp_path / "secret.yml"
    secret.write_text("rows:\n  - issue: 1\n    branch: [token-abc123]\n")
    (repo / "orchestration-plan.yml").symlink_to(secret)
    captured = cli_invoke(["plan", "lint", "--plan", str(repo / "orchestration-plan.yml")],
                          code=2)
    err = captured.out + captured.err
    assert "symlink to a file outside the repository" in err
    assert "token-abc123" not in err


def test_symlink_inside_the_repo_is_fine(tmp_path: Path,
                                         cli_invoke: Callable[..., Invocation]) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "p.md").write_text("| Issue | Branch |\n|---|---|\n| #1 | f/a |\n")
    os.symlink("plans/p.md", tmp_path / "orchestration-plan.md")
    cli_invoke(["plan", "show", "--plan", str(tmp_path / "orchestration-plan.md")])


def test_schema_errors_quote_no_values(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as info:
        parse_plan("rows:\n  - issue: 1\n    branch: {secret: hunter2}\n", "p.yml", "yaml")
    assert str(info.value).startswith("p.yml:3: row 1 `branch`: a mapping is not accepted here")
    assert "hunter2" not in str(info.value)


def test_backtracking_glob_is_linear() -> None:
    path = "a" * 100
    assert matches(["**/*a*a*a*a*a*b"], path) is False
    assert matches(["**/*a*a*a*a*a*b"], path + "b") is True
    assert overlap_example("**/*a*a*a*a*a*b", "a" * 60 + ".txt") is None


def test_negated_class_beside_a_star_does_not_raise() -> None:
    assert overlap_example("src/[!a-z0-9_-]*.py", "src/*.py") is not None
    plan = parse_plan("| Issue | Branch | Files owned |\n|---|---|---|\n"
                      "| #1 | f/a | src/[!a-z0-9_-]*.py |\n| #2 | f/b | src/*.py |\n")
    assert [f.code.value for f in lint_plan(plan)] == ["joint"]
