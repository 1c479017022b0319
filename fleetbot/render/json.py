"""The JSON rendering: everything the other renderings show, as plain data.

Documented by `schemas/report.schema.json` (JSON Schema 2020-12); the tests validate
every JSON output of fleetbot against it. Keys are only ever added.
"""

from __future__ import annotations

from typing import Any

from fleetbot.model import (
    BranchFacts,
    Conflict,
    Finding,
    MergeStep,
    PullFacts,
    Replay,
    Report,
    Row,
)
from fleetbot.render import common

SCHEMA_VERSION = 1


def report_to_json(report: Report) -> dict[str, Any]:
    """The whole report as JSON-ready data (only str, int, bool, None, list, dict)."""
    v = common.verdict(report)
    return {
        "version": SCHEMA_VERSION,
        "target": report.target,
        "verdict": {"level": v.level, "summary": v.summary},
        "plan": {
            "source": report.plan.source,
            "format": report.plan.format,
            "rows": [row_to_json(r) for r in report.plan.rows],
        },
        "findings": [finding_to_json(f) for f in report.findings],
        "conflicts": [conflict_to_json(c) for c in report.conflicts],
        "missing_branches": list(report.missing_branches),
        "branches": [branch_to_json(b) for b in report.branches],
        "order": [step_to_json(s) for s in report.order],
        "replay": replay_to_json(report.replay),
        "pulls": [pull_to_json(p) for p in report.pulls],
        "current": _current(report),
        "notes": list(report.notes),
        "landed": [
            {"issue": la.issue, "how": la.how.value, "commit": la.commit or None,
             "pull": la.pull or None, "at": la.at or None, "detail": la.describe()}
            for la in report.landed
        ],
    }


def row_to_json(row: Row) -> dict[str, Any]:
    return {
        "issue": row.issue,
        "branch": row.branch,
        "title": row.title,
        "line": row.line,
        "worktree": row.worktree,
        "status": row.status.value,
        "files_owned": [{"pattern": p.pattern, "note": p.note} for p in row.files_owned],
        "depends_on": list(row.depends_on),
    }


def finding_to_json(f: Finding) -> dict[str, Any]:
    return {
        "severity": f.severity.value, "code": f.code, "message": f.message, "file": f.file,
        "line": f.line, "rows": list(f.rows), "hint": f.hint,
    }


def conflict_to_json(c: Conflict) -> dict[str, Any]:
    return {
        "kind": c.kind.value, "rows": list(c.rows), "files": list(c.files), "detail": c.detail,
        "expected": c.expected, "regenerable": c.regenerable, "blocking": c.blocking,
        "evidence": c.evidence,
    }


def branch_to_json(b: BranchFacts) -> dict[str, Any]:
    return {
        "issue": b.issue, "branch": b.branch, "ref": b.ref, "head": b.head,
        "merge_base": b.merge_base, "ahead": b.ahead, "behind": b.behind,
        "changes": [{"path": c.path, "status": c.status, "old_path": c.old_path}
                    for c in b.changes],
        "stacked_on": [{"issue": s.issue, "ref": s.ref, "head": s.head} for s in b.stacked_on],
        "landed_part": None if b.landed_part is None else {
            "carrier": b.landed_part.carrier, "through": b.landed_part.through,
            "after": b.landed_part.after},
    }


def step_to_json(s: MergeStep) -> dict[str, Any]:
    return {
        "position": s.position, "issue": s.issue, "branch": s.branch,
        "reasons": list(s.reasons), "blocked_by": [b.describe() for b in s.blocked_by],
        "blockers": [{"kind": b.kind.value, "ref": b.ref, "detail": b.detail}
                     for b in s.blocked_by],
    }


def replay_to_json(r: Replay | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "clean": r.clean, "stops_at": r.stops_at, "stops_at_issue": r.stops_at_issue,
        "files": list(r.files), "detail": r.detail,
        "stops": [{"position": s.position, "issue": s.issue, "files": list(s.files),
                   "detail": s.detail} for s in r.stops],
    }


def pull_to_json(p: PullFacts) -> dict[str, Any]:
    return {
        "number": p.number, "branch": p.branch, "title": p.title, "url": p.url,
        "state": p.state, "draft": p.draft, "review": p.review.value, "ci": p.ci.value,
        "head_sha": p.head_sha, "base": p.base, "labels": list(p.labels),
    }


def _current(report: Report) -> dict[str, Any] | None:
    issue = report.current_issue
    if issue is None:
        return None
    step = common.step_of(report, issue)
    return {
        "issue": issue,
        "position": step.position if step is not None else None,
        "messages": [str(m) for m in common.current_messages(report)],
        "blocks": common.current_blocks(report),
    }
