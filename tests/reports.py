"""Hand-built Reports for renderer tests: the classic example, and a hostile one."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema

from fleetbot.analysis.order import recommend_order
from fleetbot.model import (
    CIState,
    Conflict,
    ConflictKind,
    Finding,
    OwnedPath,
    Plan,
    PullFacts,
    Replay,
    ReplayStop,
    Report,
    Row,
    Severity,
    Status,
)

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "report.schema.json"


def validate_report_json(data: Any) -> None:
    """Fail the test unless `data` validates against schemas/report.schema.json."""
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(data)


def _row(issue: str, title: str, branch: str, files: tuple[str, ...], line: int,
         deps: tuple[str, ...] = (), status: Status = Status.RUNNING) -> Row:
    return Row(issue=issue, title=title, branch=branch, line=line, depends_on=deps,
               files_owned=tuple(OwnedPath(f) for f in files), status=status)


def example_plan() -> Plan:
    return Plan(rows=(
        _row("#42", "count", "feature/42-count", ("tasks/cli.py", "tasks/count.py"), 7),
        _row("#43", "docs", "feature/43-docs", ("docs/**", "README.md"), 8),
        _row("#44", "clear", "feature/44-clear", ("tasks/cli.py", "tasks/clear.py"), 9),
    ))


def example_report(**over: Any) -> Report:
    plan = example_plan()
    conflicts = (
        Conflict(ConflictKind.PLAN, ("#42", "#44"), ("tasks/cli.py",), expected=False),
        Conflict(ConflictKind.TEXTUAL, ("#42", "#44"), ("tasks/cli.py",),
                 evidence="git merge-tree --write-tree main feature/44-clear"),
    )
    order = recommend_order(plan, conflicts)
    report = Report(
        target="main", plan=plan, conflicts=conflicts, order=order,
        replay=Replay(clean=False, stops_at=3, stops_at_issue="#44", files=("tasks/cli.py",),
                      stops=(ReplayStop(3, "#44", ("tasks/cli.py",)),)),
        pulls=(PullFacts(number=1, branch="feature/42-count", ci=CIState.SUCCESS),),
    )
    return replace(report, **over)


EVIL = "@octocat <script>alert(1)</script> | x `y` </details>\nnext"


def hostile_report() -> Report:
    """Every text a pusher controls carries mentions, HTML, pipes, backticks, newlines."""
    plan = Plan(rows=(
        _row("#1", EVIL, "evil/@octocat|</details>`x`", (f"{EVIL}.py",), 3),
        _row("#2", "@org/team", "fix/<img src=x onerror=alert(1)>", ("a|b.py",), 4,
             deps=("#1",)),
        _row("#3", "ok", "ok", ("c.py",), 5, status=Status.MERGED),
    ))
    conflicts = (
        Conflict(ConflictKind.TEXTUAL, ("#1", "#2"), (f"{EVIL}.py",), detail=EVIL,
                 evidence=f"git merge-tree {EVIL}"),
        Conflict(ConflictKind.DRIFT, ("#2",), ("@octocat.py",)),
    )
    return Report(
        target="main", plan=plan, conflicts=conflicts, order=recommend_order(plan, conflicts),
        findings=(Finding(Severity.WARNING, "joint", EVIL, line=3, hint=EVIL),),
        replay=Replay(clean=False, stops_at=2, stops_at_issue="#2", files=(f"{EVIL}.py",)),
        notes=(EVIL,), missing_branches=("#2",), current_issue="#2",
    )
