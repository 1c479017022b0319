"""`--strict` for one row's own landing: what stops *this* branch, and nothing else.

A pre-push hook or a PR's required check must stop the branch that has to act, not both
sides of every collision. A row blocks when its branch is stale against the target, when
the replayed fan-in stops at its step (it lands after something it collides with), when
it drifts into files it does not own, or when `verify` found the tests break at its step.
Colliding with a row that lands *after* it is that row's business ("merge first, #44
rebases after"). Pure: the Report in, the reasons out.
"""

from __future__ import annotations

from fleetbot.analysis.conflicts import is_regenerable, regenerable_patterns
from fleetbot.analysis.stack import restack
from fleetbot.model import ConflictKind, Report


def own_blockers(report: Report, issue: str) -> tuple[str, ...]:
    """Why `issue`'s own landing is blocked, one reason per line (empty: it is not).

    A row whose branch does not exist blocks: nothing about it could be checked."""
    if issue in report.missing_branches:
        row = report.plan.by_issue(issue)
        branch = row.branch if row is not None else issue
        return (f"{issue}: branch {branch} does not exist, so nothing about it was checked",)
    out: list[str] = []
    # restacked, not rebased: a plain rebase replays commits the target holds already
    fix = "restack it" if restack(report, issue) is not None else "rebase it"
    for c in report.conflicts:
        if c.expected or c.regenerable or issue not in c.rows:
            continue
        files = ", ".join(c.files)
        if c.kind is ConflictKind.TARGET and c.rows == (issue,):
            out.append(f"{issue} no longer merges onto {report.target} ({files}): {fix}")
        elif c.kind is ConflictKind.DRIFT and c.rows[0] == issue:
            out.append(f"{issue} changed files its row does not own: {files}")
        elif c.kind is ConflictKind.SEMANTIC and len(c.rows) == 2 and c.rows[1] == issue:
            out.append(f"the tests fail once {issue} lands after {c.rows[0]} (verify)")
    regen = regenerable_patterns(report.plan)
    for stop in report.replay.stops if report.replay is not None else ():
        if stop.issue != issue:
            continue
        if stop.files and all(is_regenerable(f, regen) for f in stop.files):
            continue  # only regenerated files: regenerate them, nothing to resolve by hand
        out.append(f"the replayed fan-in stops at {issue} (step {stop.position}) on "
                   f"{', '.join(stop.files) or 'unknown files'}")
    return tuple(out)


def current_blockers(report: Report) -> tuple[str, ...]:
    """What `check --strict` fails on: the current row's own blockers; and a report where
    no row of the order has a branch (a gate that checked nothing must not pass)."""
    out = own_blockers(report, report.current_issue) if report.current_issue else ()
    if report.order and len(report.missing_branches) == len(report.order):
        out = ("no row of the plan has a branch: nothing was checked", *out)
    return out
