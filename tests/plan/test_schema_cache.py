"""Schema validation remembered by hash, and a valid plan never imports jsonschema (the
validator generated from the schema judges it: plan/validator_gen.py); an invalid one is
checked every time and keeps its `file:line` message, worded by jsonschema. A Markdown
plan read before is read again without markdown-it (its table spans are recorded)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fleetbot.errors import PlanErrors
from fleetbot.plan.parse import load_plan
from fleetbot.plan.schemas import PlanRecord, git_dir_near, validation_key
from tests.support.repo import make_repo

VALID = "rows:\n  - issue: 1\n    branch: a\n  - issue: 2\n    branch: b\n"
INVALID = "rows:\n  - issue: 1\n    branch: a\n  - issue: 2\n    branch: {x: 1}\n"

PROBE = """
import sys
from pathlib import Path
from fleetbot.errors import PlanErrors
from fleetbot.plan.parse import load_plan
try:
    load_plan(Path(sys.argv[1]))
except PlanErrors:
    pass
print("jsonschema" in sys.modules, "markdown_it" in sys.modules)
"""


def imports(plan: Path) -> tuple[bool, bool]:
    """Whether reading `plan` imported (jsonschema, markdown-it)."""
    proc = subprocess.run([sys.executable, "-c", PROBE, str(plan)], capture_output=True,
                          text=True, check=True)
    schema, markdown = proc.stdout.split()
    return schema == "True", markdown == "True"


def imports_jsonschema(plan: Path) -> bool:
    return imports(plan)[0]


def test_valid_plans_skip_jsonschema_and_are_remembered(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"README.md": "x\n"})
    plan = repo.path / "plan.yml"
    record = repo.path / ".git" / "fleetbot" / "cache" / "plans.json"
    plan.write_text(VALID)
    assert not imports_jsonschema(plan)
    keys = json.loads(record.read_text())
    assert len(keys) == 1
    assert not imports_jsonschema(plan)
    assert json.loads(record.read_text()) == keys  # unchanged: the same record
    plan.write_text(VALID.replace("branch: b", "branch: c"))
    assert not imports_jsonschema(plan)
    assert json.loads(record.read_text())[:1] == keys  # new data: validated again, added
    assert len(json.loads(record.read_text())) == 2
    plan.write_text(INVALID)
    assert imports_jsonschema(plan)  # an invalid plan's errors are jsonschema's words
    assert len(json.loads(record.read_text())) == 2


def test_invalid_plan_keeps_its_message_every_time(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"README.md": "x\n"})
    plan = repo.path / "plan.yml"
    plan.write_text(INVALID)
    messages = []
    for _ in range(2):
        with pytest.raises(PlanErrors) as info:
            load_plan(plan)
        (e,) = info.value.errors
        assert (e.code, e.line) == ("schema", 5)
        messages.append(str(e))
    assert messages[0] == messages[1]
    assert messages[0].startswith(f"{plan}:5:")


def test_keys_depend_on_data_and_the_record_lives_in_the_git_dir(tmp_path: Path) -> None:
    assert validation_key("plan", {"rows": []}) == validation_key("plan", {"rows": []})
    assert validation_key("plan", {"rows": []}) != validation_key("plan", {"rows": [{}]})
    repo = make_repo(tmp_path, {"README.md": "x\n"})
    wt = tmp_path / "wt"
    repo.git("worktree", "add", "-q", "--detach", str(wt))
    assert git_dir_near(repo.path / "plan.md") == repo.path / ".git"
    assert git_dir_near(wt / "sub" / "plan.md") == (repo.path / ".git" / "worktrees" / "wt")
    assert PlanRecord.near(tmp_path / "elsewhere" / "plan.md").file is None
    outside = PlanRecord(None)
    outside.add("k")
    assert "k" not in outside


TABLES = """# Fleet

> | Issue | Branch |
> |---|---|
> | #9 | quoted |

## Plan

| Issue | Branch |
|---|---|
| #1 | a |

## Done

| Issue | Branch |
|---|---|
| #0 | old |
"""


def test_a_markdown_plan_read_before_skips_markdown_it_and_reads_the_same(
        tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"README.md": "x\n"})
    plan = repo.path / "plan.md"
    plan.write_text(TABLES)
    assert imports(plan) == (False, True)
    first = load_plan(plan)
    assert imports(plan) == (False, False)  # the spans and the validation are recorded
    assert load_plan(plan) == first
    assert [r.branch for r in first.rows] == ["a"]
    plan.write_text(TABLES.replace("| #1 | a |", "| #1 | a |\n| #2 | b |"))
    assert imports(plan) == (False, True)  # a new body is read by markdown-it again


def test_recorded_spans_are_markdown_its_and_a_bad_record_is_read_again(
        tmp_path: Path) -> None:
    from fleetbot.plan.source import table_spans

    body = TABLES
    spans = table_spans(body)
    assert spans == ((8, 11, 1), (14, 17, -1))  # 0-based; the quoted table is none
    record = PlanRecord(tmp_path / "plans.json")
    assert record.table_spans(body) == spans
    assert PlanRecord(tmp_path / "plans.json").table_spans(body) == spans
    kept = json.loads((tmp_path / "plans.json").read_text())
    (entry,) = [k for k in kept if k.startswith("tables ")]
    assert entry.endswith(" 8,11,1;14,17,-1")
    for bad in ("x,11", "8,999,1", "11,8,1", "8,11,7"):  # not spans of this body: read again
        (tmp_path / "plans.json").write_text(json.dumps([entry.replace("8,11,1", bad)]))
        assert PlanRecord(tmp_path / "plans.json").table_spans(body) == spans
