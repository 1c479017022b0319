"""What a workflow run shows: annotations, step outputs, the summary's frame. Pure.

The report itself is rendered by `fleetbot.render.markdown`; this module adds what only
the Action needs around it: `::warning file=...::` lines for the PR's drift and predicted
conflicts, the step outputs (verdict, conflicts, next, order), and the short notes a run
leaves when it cannot or need not write (a fork's read-only token, a PR outside the plan,
a plan that does not parse).
"""

from __future__ import annotations

from collections.abc import Sequence

from fleetbot.analysis.collisions import strongest
from fleetbot.analysis.gate import own_blockers
from fleetbot.errors import PlanError
from fleetbot.model import Conflict, ConflictKind, Report, Status
from fleetbot.render.common import plural
from fleetbot.render.escape import controls, json_text, mentions, terminal, terminal_lines

# ---------------------------------------------------------------- workflow commands
# the runner reads these from stdout (`fleetbot.action.runner.emit` writes them)


def escape_data(text: str) -> str:
    """A workflow command's message: %, CR and LF are percent-encoded (runner's rules)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: as data, plus `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str = "", **properties: str | int | None) -> str:
    """`::name key=value,...::message`, escaped; properties that are None or "" are left out."""
    props = ",".join(
        f"{key}={escape_property(controls(str(value)))}"
        for key, value in properties.items() if value is not None and value != ""
    )
    data = escape_data(controls(message, keep="\r\n"))  # CR/LF are percent-encoded
    return f"::{name}{' ' + props if props else ''}::{data}"


def annotation(
    level: str, message: str, *, file: str = "", line: int = 0, title: str = ""
) -> str:
    """A `::warning`/`::error`/`::notice` annotation, optionally pinned to file:line."""
    if level not in ("notice", "warning", "error"):
        raise ValueError(f"unknown annotation level {level!r}")
    return command(level, message, file=file or None, line=line or None, title=title or None)


def mask_command(secret: str) -> str:
    """`::add-mask::` for a secret, so the runner blanks it in every later log line."""
    return command("add-mask", secret)


# ---------------------------------------------------------------- annotations

MAX_ANNOTATIONS = 10  # GitHub shows 10 warnings (and 10 errors) per step, drops the rest

def _other(conflict: Conflict, issue: str) -> str:
    return conflict.rows[1] if conflict.rows[0] == issue else conflict.rows[0]


def conflict_annotations(report: Report, issues: Sequence[str], limit: int = MAX_ANNOTATIONS,
                         kinds: frozenset[ConflictKind] = frozenset(ConflictKind)) -> list[str]:
    """`::warning file=...::` for each file of the rows' drift and predicted collisions.

    Drift names the file the branch should not have touched; a collision names the file
    both rows change, so the annotation lands on the line of the PR's diff view.
    """
    out: list[str] = []
    seen: set[tuple[str, str]] = set()
    for c in strongest(report.conflicts):
        mine = [i for i in issues if i in c.rows]
        if not mine or c.regenerable or c.kind not in kinds:
            continue
        issue = mine[0]
        for path in c.files or ("",):
            if c.kind is ConflictKind.DRIFT:
                text = (f"{issue} changed {path or 'files'}, which its plan row does not own: "
                        "move the change to the owning row or add the path to Files owned")
                title = "fleetbot: scope drift"
            elif c.kind is ConflictKind.TARGET:
                text = f"{issue} no longer merges onto {report.target}: rebase it"
                title = "fleetbot: stale branch"
            elif len(c.rows) == 2:
                other = _other(c, issue)
                how = {
                    ConflictKind.TEXTUAL: "collides when both land",
                    ConflictKind.DIFF: "both branches change this file",
                    ConflictKind.PLAN: "both rows own this file",
                    ConflictKind.INTERFACE: "changes an interface the other uses",
                    ConflictKind.SEMANTIC: "the tests fail once both land (verify)",
                }.get(c.kind, c.kind.value)
                extra = " (expected: the plan orders them)" if c.expected else ""
                text = f"{issue} and {other}: {how}{extra}"
                title = f"fleetbot: {c.kind.value} conflict with {other}"
            else:
                continue
            key = (path, text)
            if key in seen:
                continue
            seen.add(key)
            out.append(annotation("warning", text, file=path, title=title))
    return out[:limit]


def finding_annotations(report: Report, limit: int = 5) -> list[str]:
    """The plan's lint warnings (joints, unknown status words) pinned to their row."""
    out = []
    for f in report.findings:
        message = f.message + (f" (fix: {f.hint})" if f.hint else "")
        out.append(annotation("warning", message, file=f.file or report.plan.source,
                              line=f.line, title=f"fleetbot: plan {f.code}"))
    return out[:limit]


def capped_annotations(report: Report, issues: Sequence[str],
                       limit: int = MAX_ANNOTATIONS) -> list[str]:
    """The warnings GitHub will show, most important first (collisions that block, then
    the plan's findings, then the rest), and one notice counting what did not fit."""
    every = 10_000
    first = frozenset({ConflictKind.TEXTUAL, ConflictKind.TARGET})
    ordered = [*conflict_annotations(report, issues, every, kinds=first),
               *finding_annotations(report, limit=every),
               *conflict_annotations(report, issues, every, kinds=frozenset(ConflictKind) - first)]
    shown = ordered[:limit]
    if len(ordered) > limit:
        shown.append(annotation("notice", f"{plural(len(ordered) - limit, 'more warning')} "
                                f"{'is' if len(ordered) - limit == 1 else 'are'} in the job "
                                "summary", title="fleetbot"))
    return shown


def plan_error_annotations(exc: PlanError) -> list[str]:
    """One `::error file=plan,line=N::` per plan error, so the run points at the row."""
    errors = getattr(exc, "errors", None) or [exc]
    out = []
    for e in errors:
        message = e.message + (f" (fix: {e.hint})" if e.hint else "")
        out.append(annotation("error", message, file=e.file, line=e.line,
                              title="fleetbot: invalid plan"))
    return out


def blocks_strictly(report: Report, issue: str) -> bool:
    """`strict`: this PR's own landing is blocked (`analysis.gate`, as `check --strict`)."""
    return bool(own_blockers(report, issue))


def verdict_word(report: Report) -> str:
    """clean | warnings | conflicts: blocking conflicts, other collisions, or neither."""
    if any(c.blocking for c in report.conflicts):
        return "conflicts"
    if any(not c.expected for c in report.conflicts):
        return "warnings"
    return "clean"


def order_json(report: Report, numbers: dict[str, int]) -> str:
    """The recommended order as JSON: position, issue, branch, PR, blocked_by, reasons."""
    return json_text([
        {
            "position": s.position, "issue": s.issue, "branch": s.branch,
            "pull": numbers.get(s.issue), "blocked_by": [b.describe() for b in s.blocked_by],
            "reasons": list(s.reasons),
        }
        for s in report.order
    ], indent=None)


def next_up(report: Report, numbers: dict[str, int]) -> str:
    """The PR that should merge next (`#12`), else its issue, else ""."""
    for step in report.order:
        if step.blocked_by:
            continue
        row = report.plan.by_issue(step.issue)
        if row is not None and row.status is Status.MERGED:
            continue
        number = numbers.get(step.issue)
        return f"#{number}" if number is not None else step.issue
    return ""


def outputs(verdict: str, report: Report | None = None,
            numbers: dict[str, int] | None = None) -> dict[str, str]:
    """The step outputs action.yml declares: verdict, conflicts, next, order.

    `conflicts` counts collisions, not evidence: one per pair of rows, one per drifting or
    stale branch, leaving out the ones the plan already orders.
    """
    if report is None:
        return {"verdict": verdict, "conflicts": "0", "next": "", "order": "[]"}
    nums = numbers or {}
    counted = [c for c in strongest(report.conflicts) if not c.expected and not c.regenerable]
    return {
        "verdict": verdict,
        "conflicts": str(len(counted)),
        "next": next_up(report, nums),
        "order": order_json(report, nums),
    }


# ---------------------------------------------------------------- summary notes


def read_only_note(event: str) -> str:
    """Why nothing was written on a fork's PR, and how to enable comments safely."""
    return (
        "> [!NOTE]\n"
        f"> This `{event}` run has a read-only token (a PR from a fork), so fleetbot wrote "
        "this summary and the annotations instead of a comment, labels and the "
        "`fleetbot/order` status.\n"
        "> To comment on fork PRs too, trigger the workflow on `pull_request_target`: it runs "
        "the workflow from the base branch with a write token. That is safe with fleetbot "
        "because it never checks out or runs PR code (it fetches `refs/pull/N/head` as git "
        "objects only); keep `actions/checkout` without a `ref:` so the base is checked out.\n"
    )


def not_in_fleet_note(number: int | None, branch: str, plan: str) -> str:
    who = f"PR #{number}" if number else "This PR"
    return (f"{who} (branch `{_code(branch)}`) is not part of the fleet: no row of {plan} "
            "names its branch. fleetbot leaves it alone.")


def plan_error_summary(exc: PlanError, ref: str) -> str:
    errors = getattr(exc, "errors", None) or [exc]
    lines = [
        "## fleetbot: the plan on the target does not parse",
        "",
        f"Read from `{_code(ref)}`. Nothing was written to any PR until it is fixed.",
        "",
    ]
    for e in errors:
        where = f"{e.file}:{e.line}" if e.line else e.file
        hint = f" (fix: {e.hint})" if e.hint else ""
        lines.append(f"- `{_code(where)}`: {inline(e.message)}{inline(hint)}")
    return "\n".join(lines) + "\n"


def failure_summary(exc: Exception) -> str:
    """The job summary of a run that could not finish (git, forge or usage error)."""
    text = terminal_lines(str(exc)).replace("```", "'''")
    return (
        "## fleetbot could not finish this run\n\n"
        f"```text\n{text}\n```\n\n"
        "Nothing more was written after this error.\n"
    )


def _code(text: str) -> str:
    """Text inside a code span: no backtick can close it, no newline can break it."""
    return terminal(text).replace("`", "'")


def inline(text: str) -> str:
    """Plan text in Markdown prose: no HTML, no @mention."""
    return mentions(terminal(text).replace("&", "&amp;").replace("<", "&lt;")
                    .replace(">", "&gt;"))
