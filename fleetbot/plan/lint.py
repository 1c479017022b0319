"""Plan lint: cross-row checks (duplicates, dependencies, cycles) and joints.

A *joint* is two rows whose owned globs can match a common path with no dependency
path between them: they will collide at merge unless the plan serialises them.
`fix_joints` writes the smallest fix: the later row depends on the earlier one.
"""

from __future__ import annotations

import graphlib
from dataclasses import dataclass
from itertools import combinations

from fleetbot.errors import PlanError
from fleetbot.model import Finding, Plan, Row, Severity
from fleetbot.plan.globs import may_overlap, overlap_example
from fleetbot.plan.parse import (
    NONE_WORDS,
    ancestors,
    dependency_graph,
    normalise_status,
    parse_plan,
    read_source,
)
from fleetbot.plan.source import write_markdown


@dataclass(frozen=True)
class Joint:
    """Two independent rows that own a common path."""

    a: Row  # the earlier row in the plan
    b: Row
    patterns: tuple[str, str]  # the pattern of a and of b that overlap
    example: str  # a path both can match


def _error(code: str, message: str, line: int, rows: tuple[str, ...], hint: str) -> Finding:
    return Finding(Severity.ERROR, code, message, line=line, rows=rows, hint=hint)


def structural_findings(plan: Plan) -> list[Finding]:
    """Errors that make the plan unusable: duplicates, bad dependencies, cycles."""
    out: list[Finding] = []
    seen_issue: dict[str, Row] = {}
    seen_branch: dict[str, Row] = {}
    for row in plan.rows:
        if row.issue in seen_issue:
            first = seen_issue[row.issue]
            out.append(_error(
                "duplicate-issue", f"issue {row.issue} is already planned on line {first.line}",
                row.line, (row.issue,), "give each issue one row (merge the two rows)",
            ))
        seen_issue.setdefault(row.issue, row)
        if row.branch in seen_branch:
            first = seen_branch[row.branch]
            out.append(_error(
                "duplicate-branch",
                f"branch {row.branch!r} is already used by {first.issue} on line {first.line}",
                row.line, (first.issue, row.issue), "give each row its own branch",
            ))
        seen_branch.setdefault(row.branch, row)
        for ref in row.depends_on:
            target = plan.find(ref)
            if target is None:
                known = ", ".join(r.issue for r in plan.rows)
                out.append(_error(
                    "unknown-dependency", f"{row.issue} depends on {ref!r}, which no row has",
                    row.line, (row.issue,),
                    f"name another row by issue or branch ({known}), or write `none`",
                ))
            elif target is row:
                out.append(_error(
                    "self-dependency", f"{row.issue} depends on itself ({ref})",
                    row.line, (row.issue,), "remove it from its own Depends on",
                ))
    out.extend(_cycles(plan))
    return out


def _cycles(plan: Plan) -> list[Finding]:
    graph = {k: v - {k} for k, v in dependency_graph(plan).items()}
    sorter = graphlib.TopologicalSorter(graph)
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        cycle: list[str] = list(exc.args[1])
        lines = {r.issue: r.line for r in plan.rows}
        first = min(cycle, key=lambda i: lines.get(i, 0))
        start = cycle.index(first)
        loop = cycle[start:-1] + cycle[:start] + [first]
        # graphlib lists a cycle along "is depended on by"; print it as "depends on"
        loop.reverse()
        spelled = " -> ".join(loop)
        return [_error(
            "cycle", f"dependency cycle: {spelled} (each depends on the next)",
            lines.get(first, 0), tuple(dict.fromkeys(loop)),
            "remove one of these dependencies so the rows can be merged in some order",
        )]
    return []


def joints(plan: Plan) -> list[Joint]:
    """Pairs of independent rows whose owned globs can match a common path."""
    graph = dependency_graph(plan)
    closure = {row.issue: ancestors(graph, row.issue) for row in plan.rows}
    out = []
    for a, b in combinations(plan.rows, 2):
        if a.issue in closure[b.issue] or b.issue in closure[a.issue] or a.issue == b.issue:
            continue
        if not may_overlap(a.patterns, b.patterns):
            continue
        for pa in a.patterns:
            hit = next(
                ((pb, ex) for pb in b.patterns if (ex := overlap_example(pa, pb)) is not None),
                None,
            )
            if hit is not None:
                out.append(Joint(a, b, (pa, hit[0]), hit[1]))
                break
    return out


def lint_plan(plan: Plan) -> list[Finding]:
    """Every finding: structural errors, joints and unknown status words (warnings)."""
    findings = structural_findings(plan)
    for row in plan.rows:
        if row.status_raw and normalise_status(row.status_raw) is None:
            findings.append(Finding(
                Severity.WARNING, "unknown-status",
                f"{row.issue}: status {row.status_raw!r} is not a known word; read as planned",
                line=row.line, rows=(row.issue,),
                hint="use planned, queued, running, review, merged or blocked",
            ))
    for joint in joints(plan):
        a, b = joint.a, joint.b
        shared = joint.example if joint.patterns[0] == joint.patterns[1] else (
            f"{joint.example} ({joint.patterns[0]} / {joint.patterns[1]})"
        )
        findings.append(Finding(
            Severity.WARNING, "joint",
            f"{a.issue} and {b.issue} both own {shared} with no dependency between them: "
            "they will collide at merge",
            line=b.line, rows=(a.issue, b.issue),
            hint=f"make {b.issue} depend on {a.issue} (`fleetbot plan lint --fix`), "
            "or split the file between them",
        ))
    return sorted(findings, key=lambda f: (f.severity is not Severity.ERROR, f.line, f.code))


def lint_error(exc: PlanError) -> list[Finding]:
    """A plan that failed to parse, as findings (one per error)."""
    errors = getattr(exc, "errors", None) or [exc]
    return [
        Finding(Severity.ERROR, e.code, e.message, line=e.line, hint=e.hint, file=e.file)
        for e in errors
    ]


def fix_joints(plan: Plan) -> tuple[str, list[Joint]]:
    """The plan text with each joint resolved (later row depends on earlier), and the
    joints fixed. Every byte not in an edited cell or node is kept."""
    found = joints(plan)
    if not found:
        return plan.text, []
    wanted: dict[str, list[str]] = {}
    for joint in found:
        deps = wanted.setdefault(joint.b.issue, [])
        if joint.a.issue not in deps:
            deps.append(joint.a.issue)
    index = {row.issue: i for i, row in enumerate(plan.rows)}
    if plan.format == "markdown":
        src = read_source(plan.text, plan.source, "markdown")
        changes = {}
        for issue, deps in wanted.items():
            i = index[issue]
            if "depends_on" not in src.cells[i]:
                raise PlanError(
                    "the plan table has no Depends on column to write the fix into",
                    file=plan.source, line=src.row_lines[i],
                    hint="add a `Depends on` column to the table, then run --fix again",
                )
            raw = src.cells[i]["depends_on"].text
            kept = [] if raw.strip().lower() in NONE_WORDS else [raw]
            changes[(i, "depends_on")] = ", ".join([*kept, *deps])
        text = write_markdown(plan.text, src, changes)
    else:
        from fleetbot.plan.edit import add_dependencies

        text = add_dependencies(plan, {index[k]: v for k, v in wanted.items()})
    parse_plan(text, plan.source, plan.format)  # the fix must itself parse
    return text, found
