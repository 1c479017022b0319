"""Plan lint: cross-row checks (duplicates, branch names, dependencies, cycles, shared
worktrees), joints, and what parsing read but did not use. Pure: the branches a row may
not name (the target, the default branch) come in as data.
"""

from __future__ import annotations

import posixpath
from collections.abc import Collection

from fleetbot.errors import PlanError
from fleetbot.model import Finding, FindingCode, Plan, Row, Severity
from fleetbot.plan.cells import normalise_status
from fleetbot.plan.graph import cycle_error, find_cycle
from fleetbot.plan.joints import Joint, fix_joints, joint_groups, joints
from fleetbot.plan.refname import branch_name_problem

__all__ = ["Joint", "fix_joints", "joints", "lint_error", "lint_plan", "structural_findings"]


def _error(code: FindingCode, message: str, line: int, rows: tuple[str, ...],
           hint: str) -> Finding:
    return Finding(Severity.ERROR, code, message, line=line, rows=rows, hint=hint)


def structural_findings(plan: Plan, protected: Collection[str] = ()) -> list[Finding]:
    """Errors that make the plan unusable: duplicates, branch names git refuses or that
    name the target (`plan.target` and `protected`), bad dependencies, cycles."""
    out: list[Finding] = []
    seen_issue: dict[str, Row] = {}
    seen_branch: dict[str, Row] = {}
    refused = {b for b in (plan.target, *protected) if b}
    by_ref = {row.issue: row for row in plan.rows} | {row.branch: row for row in plan.rows
                                                       if row.branch}
    for row in plan.rows:
        if row.issue in seen_issue:
            first = seen_issue[row.issue]
            out.append(_error(
                FindingCode.DUPLICATE_ISSUE,
                f"issue {row.issue} is already planned on line {first.line}",
                row.line, (row.issue,), "give each issue one row (merge the two rows)",
            ))
        seen_issue.setdefault(row.issue, row)
        out.extend(_branch_findings(row, seen_branch, refused))
        for ref in row.depends_on:
            target = by_ref.get(ref) or plan.find(ref)
            if target is None:
                known = ", ".join(r.issue for r in plan.rows[:10])
                out.append(_error(
                    FindingCode.UNKNOWN_DEPENDENCY,
                    f"{row.issue} depends on {ref!r}, which no row has",
                    row.line, (row.issue,),
                    f"name another row by issue or branch ({known}), or write `none`",
                ))
            elif target is row:
                out.append(_error(
                    FindingCode.SELF_DEPENDENCY, f"{row.issue} depends on itself ({ref})",
                    row.line, (row.issue,), "remove it from its own Depends on",
                ))
    cycle = find_cycle(plan)
    if cycle:
        exc = cycle_error(plan, cycle)
        out.append(_error(FindingCode.CYCLE, exc.message, exc.line,
                          tuple(dict.fromkeys(cycle)), exc.hint))
    # by line, as `plan lint` lists them: every command refusing the plan says it alike
    return sorted(out, key=lambda f: (f.line, f.code))


def _branch_findings(row: Row, seen: dict[str, Row], refused: set[str]) -> list[Finding]:
    if not row.branch:
        return []  # undecided: parsing already said so
    out = []
    if row.branch in seen:
        first = seen[row.branch]
        out.append(_error(
            FindingCode.DUPLICATE_BRANCH,
            f"branch {row.branch!r} is already used by {first.issue} on line {first.line}",
            row.line, (first.issue, row.issue), "give each row its own branch",
        ))
    seen.setdefault(row.branch, row)
    problem = branch_name_problem(row.branch)
    if problem:
        out.append(_error(
            FindingCode.BAD_BRANCH, f"{row.issue}: {row.branch!r} is not a branch name git "
            f"accepts: {problem}", row.line, (row.issue,),
            "use a name `git check-ref-format --branch` accepts, like `feature/42-count`",
        ))
    if row.branch in refused:
        out.append(_error(
            FindingCode.TARGET_BRANCH, f"{row.issue}: the row's branch {row.branch!r} is the "
            "branch the fleet merges into", row.line, (row.issue,),
            "give the row its own branch (cleanup could otherwise delete the target)",
        ))
    return out


def _worktree_findings(row: Row, seen: dict[str, Row]) -> list[Finding]:
    """Two rows in one worktree folder: `fan-out` makes only the first's (and refuses the
    other). A warning, not an error: a folder reused once its row has landed is fine."""
    if not row.worktree:
        return []
    where = posixpath.normpath(row.worktree)  # parsing turned backslashes into slashes
    first = seen.setdefault(where, row)
    if first is row:
        return []
    return [Finding(
        Severity.WARNING, FindingCode.DUPLICATE_WORKTREE,
        f"worktree {row.worktree!r} is also {first.issue}'s (line {first.line}): fan-out "
        "makes one worktree per folder", line=row.line, rows=(first.issue, row.issue),
        hint="give each row its own Worktree folder",
    )]


def _unmatchable_paths(row: Row) -> list[Finding]:
    """Owned paths no file of the repository can have: outside it (`../x.py`: git's
    paths never climb), or written with backslashes (`src\\a.py`: a glob reads `\\a`
    as an escaped `a`, so it would own `srca.py`). Their collisions would be invented or
    missed, so each is named."""
    out = []
    for pattern in row.patterns:
        path = pattern.removeprefix("!")
        if ".." in path.split("/"):
            inside = posixpath.normpath(path)
            why, hint = (("it climbs out of the repository", "name the path from the repo root")
                         if inside.split("/")[0] == ".." else
                         ("git's paths hold no `..`", f"write it `{inside}`"))
        elif "\\" in path:
            why, hint = ("git paths use `/`, and a glob reads `\\` as an escape",
                         f"write it `{path.replace(chr(92), '/')}`")
        else:
            continue
        out.append(Finding(
            Severity.WARNING, FindingCode.UNMATCHABLE_PATH,
            f"{row.issue}: Files owned `{pattern}` matches no file of the repository: {why}",
            line=row.line, rows=(row.issue,), hint=hint,
        ))
    return out


def _joint_findings(plan: Plan) -> list[Finding]:
    """One warning per later row, naming every earlier row it collides with."""
    out = []
    for j, hits in joint_groups(plan):
        b = plan.rows[j]
        _, pa, pb, example = hits[0]
        shared = example if pa == pb else f"{example} ({pa} / {pb})"
        names = [plan.rows[h[0]].issue for h in hits]
        if len(hits) == 1:
            who = f"{names[0]} and {b.issue} both own {shared}"
        else:
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5
                                           else "")
            who = f"{b.issue} shares files with {shown} (with {names[0]}: {shared})"
        out.append(Finding(
            Severity.WARNING, FindingCode.JOINT,
            f"{who} with no dependency between them: they will collide at merge",
            line=b.line, rows=(*names, b.issue),
            hint=f"make {b.issue} depend on {names[0]} (`fleetbot plan lint --fix`), "
            "or split the file between them" if len(names) == 1 else
            f"make {b.issue} depend on them (`fleetbot plan lint --fix` adds the fewest "
            "edges), or split the files between them",
        ))
    return out


def lint_plan(plan: Plan, protected: Collection[str] = ()) -> list[Finding]:
    """Every finding: structural errors, joints, parsing notices (unused columns and
    keys, undecided cells), shared worktrees, unknown status words, owned paths no file
    can have and rows that own no file."""
    findings = structural_findings(plan, protected) + list(plan.notices)
    worktrees: dict[str, Row] = {}
    for row in plan.rows:
        findings.extend(_worktree_findings(row, worktrees))
        if row.status_raw and normalise_status(row.status_raw) is None:
            findings.append(Finding(
                Severity.WARNING, FindingCode.UNKNOWN_STATUS,
                f"{row.issue}: status {row.status_raw!r} is not a known word; read as planned",
                line=row.line, rows=(row.issue,),
                hint="use planned, queued, running, review, merged, blocked or dropped "
                "(see docs/plan-format.md for the words and emoji understood)",
            ))
        findings.extend(_unmatchable_paths(row))
        if not row.files_owned:
            findings.append(Finding(
                Severity.WARNING, FindingCode.NO_FILES_OWNED,
                f"{row.issue} owns no files: no collision with it can be predicted",
                line=row.line, rows=(row.issue,),
                hint="list the files or globs the row will change in Files owned",
            ))
    findings.extend(_joint_findings(plan))
    rank = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTICE: 2}
    return sorted(findings, key=lambda f: (rank[f.severity], f.line, f.code))


def lint_error(exc: PlanError) -> list[Finding]:
    """A plan that failed to parse, as findings (one per error)."""
    errors = getattr(exc, "errors", None) or [exc]
    return [
        Finding(Severity.ERROR, _code(e.code), e.message, line=e.line, hint=e.hint,
                file=e.file)
        for e in errors
    ]


def _code(code: str) -> FindingCode:
    try:
        return FindingCode(code)
    except ValueError:
        return FindingCode.INVALID_FILE
