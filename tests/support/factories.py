"""One factory per model type, with defaults: each test spells out only what it is about.

    plan(row("#42", owned=["tasks/cli.py"]), row("#44", deps=["#42"]))
    report(conflicts=(conflict("#42", "#44"),), order=(step(1, "#42"),))

A row's branch defaults to `feature/<number>`; rows default to running (work under way),
the common case of every analysis test. Everything else is the model's own default.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fleetbot.model import (
    Blocker,
    BlockerKind,
    BranchFacts,
    Conflict,
    ConflictKind,
    FileChange,
    Finding,
    FindingCode,
    Landed,
    LandedHow,
    MergeStep,
    OwnedPath,
    Plan,
    PullFacts,
    PullState,
    Report,
    Row,
    Severity,
    Status,
)


def row(issue: str = "#1", branch: str = "", owned: Sequence[str] = (),
        deps: Sequence[str] = (), status: Status = Status.RUNNING, title: str = "",
        **kw: Any) -> Row:
    """A plan row; `owned` are Files-owned patterns, `deps` its Depends on."""
    return Row(issue=issue, branch=branch or f"feature/{issue.lstrip('#')}", title=title,
               files_owned=tuple(OwnedPath(p) for p in owned), depends_on=tuple(deps),
               status=status, **kw)


def plan(*rows: Row, regenerable: Sequence[str] = (), **kw: Any) -> Plan:
    return Plan(rows=rows, regenerable=tuple(regenerable), **kw)


def finding(code: FindingCode = FindingCode.SCHEMA, message: str = "a finding", *,
            severity: Severity = Severity.WARNING, **kw: Any) -> Finding:
    return Finding(severity=severity, code=code, message=message, **kw)


def conflict(a: str = "#1", b: str = "#2", kind: ConflictKind = ConflictKind.TEXTUAL,
             files: Sequence[str] = ("tasks/cli.py",), **kw: Any) -> Conflict:
    """A conflict between rows `a` and `b` (b "" for a one-row kind: drift, target)."""
    return Conflict(kind=kind, rows=(a, b) if b else (a,), files=tuple(files), **kw)


def blocker(ref: str = "#1", kind: BlockerKind = BlockerKind.DEPENDENCY, **kw: Any) -> Blocker:
    return Blocker(kind=kind, ref=ref, **kw)


def step(position: int = 1, issue: str = "#1", branch: str = "", *,
         reasons: Sequence[str] = (), blocked_by: Sequence[Blocker] = ()) -> MergeStep:
    return MergeStep(position=position, issue=issue,
                     branch=branch or f"feature/{issue.lstrip('#')}", reasons=tuple(reasons),
                     blocked_by=tuple(blocked_by))


def pull(number: int = 1, branch: str = "feature/1", *,
         state: PullState = PullState.OPEN, **kw: Any) -> PullFacts:
    """A PR/MR as the forge shows it; open, no CI, no review unless told."""
    return PullFacts(number=number, branch=branch, state=state, **kw)


def landed(issue: str = "#1", how: LandedHow = LandedHow.ANCESTOR, **kw: Any) -> Landed:
    return Landed(issue=issue, how=how, **kw)


def branch_facts(issue: str = "#1", branch: str = "", *, changed: Sequence[str] = (),
                 head: str = "b" * 40, merge_base: str = "a" * 40, **kw: Any) -> BranchFacts:
    """What git knows of a row's branch; `changed` are modified paths."""
    name = branch or f"feature/{issue.lstrip('#')}"
    return BranchFacts(issue=issue, branch=name, ref=f"refs/heads/{name}", head=head,
                       merge_base=merge_base,
                       changes=tuple(FileChange(p) for p in changed), **kw)


def report(target: str = "main", plan_: Plan | None = None, **kw: Any) -> Report:
    """A Report on `plan_` (default: one row, #1) against `target`."""
    return Report(target=target, plan=plan_ or plan(row()), **kw)
