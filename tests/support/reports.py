"""Hand-built Reports for renderer tests: the classic example, and a hostile one."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fleetbot.analysis.order import recommend_order
from fleetbot.model import (
    CIState,
    Conflict,
    ConflictKind,
    Finding,
    FindingCode,
    Plan,
    Replay,
    ReplayStop,
    Report,
    Severity,
    Status,
)
from tests.support import factories as f
from tests.support import schemas


def validate_report_json(data: Any) -> None:
    """Fail the test unless `data` validates against schemas/report.schema.json."""
    schemas.validate("report", data)


def example_plan() -> Plan:
    return f.plan(
        f.row("#42", "feature/42-count", ("tasks/cli.py", "tasks/count.py"), title="count",
              line=7),
        f.row("#43", "feature/43-docs", ("docs/**", "README.md"), title="docs", line=8),
        f.row("#44", "feature/44-clear", ("tasks/cli.py", "tasks/clear.py"), title="clear",
              line=9),
    )


def example_report(**over: Any) -> Report:
    plan = example_plan()
    conflicts = (
        f.conflict("#42", "#44", ConflictKind.PLAN),
        f.conflict("#42", "#44", evidence="git merge-tree --write-tree main feature/44-clear"),
    )
    order = recommend_order(plan, conflicts)
    report = f.report(
        "main", plan, conflicts=conflicts, order=order,
        replay=Replay(clean=False, stops_at=3, stops_at_issue="#44", files=("tasks/cli.py",),
                      stops=(ReplayStop(3, "#44", ("tasks/cli.py",)),)),
        pulls=(f.pull(1, "feature/42-count", ci=CIState.SUCCESS),),
    )
    return replace(report, **over)


EVIL = "@octocat <script>alert(1)</script> | x `y` </details>\nnext"


def hostile_report() -> Report:
    """Every text a pusher controls carries mentions, HTML, pipes, backticks, newlines."""
    plan = f.plan(
        f.row("#1", "evil/@octocat|</details>`x`", (f"{EVIL}.py",), title=EVIL, line=3),
        f.row("#2", "fix/<img src=x onerror=alert(1)>", ("a|b.py",), ("#1",),
              title="@org/team", line=4),
        f.row("#3", "ok", ("c.py",), title="ok", line=5, status=Status.MERGED),
    )
    conflicts = (
        Conflict(ConflictKind.TEXTUAL, ("#1", "#2"), (f"{EVIL}.py",), detail=EVIL,
                 evidence=f"git merge-tree {EVIL}"),
        Conflict(ConflictKind.DRIFT, ("#2",), ("@octocat.py",)),
    )
    return Report(
        target="main", plan=plan, conflicts=conflicts, order=recommend_order(plan, conflicts),
        findings=(Finding(Severity.WARNING, FindingCode.JOINT, EVIL, line=3, hint=EVIL),),
        replay=Replay(clean=False, stops_at=2, stops_at_issue="#2", files=(f"{EVIL}.py",)),
        notes=(EVIL,), missing_branches=("#2",), current_issue="#2",
    )
