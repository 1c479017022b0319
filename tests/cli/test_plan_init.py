from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from fleetbot.cli.plan_init import parse_issue_option, starter_plan
from fleetbot.errors import UsageError
from fleetbot.plan.parse import parse_plan
from tests.support.cli import Invocation


def test_parse_issue_option_forms() -> None:
    assert parse_issue_option("42:count") == ("#42", "count")
    assert parse_issue_option("#42: Count things!") == ("#42", "count-things")
    assert parse_issue_option("owner/repo#7:fix") == ("owner/repo#7", "fix")
    assert parse_issue_option("!7") == ("!7", "")
    with pytest.raises(UsageError, match="NUMBER:short-name"):
        parse_issue_option("count")


def test_starter_plan_loads_and_leaves_files_owned_empty() -> None:
    text = starter_plan([("#42", "count"), ("#43", "docs")])
    plan = parse_plan(text)
    assert [(r.issue, r.title, r.branch) for r in plan.rows] == [
        ("#42", "count", "feature/42-count"), ("#43", "docs", "feature/43-docs")]
    assert all(r.files_owned == () and r.status.value == "planned" for r in plan.rows)
    with pytest.raises(UsageError, match="twice"):
        starter_plan([("#42", "a"), ("#42", "b")])
    with pytest.raises(UsageError, match="at least one"):
        starter_plan([])


def test_plan_init_writes_refuses_to_overwrite_and_dry_runs(
        tmp_path: Path, cli_invoke: Callable[..., Invocation]) -> None:
    path = tmp_path / "orchestration-plan.md"
    args = ["plan", "init", "--plan", str(path), "--issue", "42:count", "--issue", "44:clear"]
    shown = cli_invoke([*args, "--dry-run"]).out
    assert "| #44 clear | feature/44-clear |" in shown
    assert not path.exists()
    cli_invoke(args)
    assert path.read_text() == shown  # the dry run shows what it writes
    assert "| #42 count | feature/42-count |" in path.read_text()
    path.write_text("mine\n")
    assert cli_invoke(args, code=2).err == (
        f"error: {path} exists; pass --force to overwrite it, or --plan another path\n")
    assert path.read_text() == "mine\n"
    cli_invoke([*args, "--force"])
    assert path.read_text() == shown
    cli_invoke(["plan", "lint", "--plan", str(path)])


def test_plan_init_without_issues_names_both_ways_to_give_them() -> None:
    with pytest.raises(UsageError) as raised:
        starter_plan([])
    assert str(raised.value) == ("name at least one issue: --issue 42:count (repeatable), or "
                                 "take the open issues of GitHub/GitLab with --from-forge")
