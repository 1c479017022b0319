"""What every rendering says, decided once: the verdict, per-row marks, the messages
for the current branch. Plain strings here; each renderer escapes them its own way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from fleetbot.analysis.collisions import pair_conflicts
from fleetbot.analysis.gate import current_blockers
from fleetbot.analysis.stack import restack
from fleetbot.frozen import frozen
from fleetbot.model import (
    CIState,
    Conflict,
    ConflictKind,
    MergeStep,
    PullFacts,
    Report,
    Row,
    Severity,
    Status,
)

OK, WARNING, ERROR = "ok", "warning", "error"
ICON = {OK: "✅", WARNING: "⚠️", ERROR: "❌"}
CI_MARK = {
    CIState.SUCCESS: "✅",
    CIState.PENDING: "⏳",
    CIState.FAILURE: "❌",
    CIState.NONE: "–",
}


@frozen
class Verdict:
    """The one line a busy reviewer reads: `level` is ok / warning / error."""

    level: str
    summary: str


def _files(files: Iterable[str], limit: int = 3) -> str:
    files = list(files)
    shown = ", ".join(files[:limit])
    return shown + (f" (+{len(files) - limit} more)" if len(files) > limit else "")


def verdict(report: Report) -> Verdict:
    """Errors in the plan, then a stopping replay, then blocking conflicts, else clean."""
    errors = [f for f in report.findings if f.severity is Severity.ERROR]
    n = len(report.order)
    into = f"into {report.target}"
    if errors:
        return Verdict(ERROR, f"the plan has {plural(len(errors), 'error')}: "
                       f"{errors[0].message}")
    replay = report.replay
    if replay is not None and not replay.clean:
        where = f" on {_files(replay.files)}" if replay.files else ""
        who = replay.stops_at_issue or f"step {replay.stops_at}"
        return Verdict(ERROR, f"the fan-in {into} stops at {who}{where}: "
                       "merge in the order below and rebase")
    blocking = [c for c in report.conflicts if c.blocking]
    if blocking:
        return Verdict(WARNING, f"{plural(len(blocking), 'blocking conflict')} "
                       f"{into}: merge in the order below")
    missing = len(report.missing_branches)
    have = n - missing
    if n and have == 0:
        return Verdict(WARNING, f"none of the {plural(n, 'row')} left to merge {into} has "
                       "a branch yet: nothing was checked")
    counted = (f"{have} of {n} rows {'has' if have == 1 else 'have'} a branch; "
               f"{'it' if have == 1 else 'they'}") if missing else plural(n, "branch", "branches")
    live = {s.issue for s in report.order}  # a landed row has nothing left to serialise
    serialised = [c for c in pair_conflicts(report.conflicts)
                  if not c.expected and set(c.rows) <= live]
    if serialised:
        return Verdict(WARNING, f"{counted} {_merges(have)} cleanly {into} if merged in the "
                       f"order below ({plural(len(serialised), 'collision')} to serialise)")
    if n == 0:
        return Verdict(OK, f"nothing left to merge {into}")
    if missing:
        return Verdict(WARNING, f"{counted} {_merges(have)} cleanly {into}")
    return Verdict(OK, f"{plural(n, 'branch', 'branches')} {_merges(n)} cleanly {into}")


def _merges(n: int) -> str:
    return "merges" if n == 1 else "merge"


def plural(n: int, word: str, many: str = "") -> str:
    """`1 row`, `2 rows`, `0 rows`; `many` for a word that does not just take an s
    (`plural(n, "branch", "branches")`). Every count fleetbot prints goes through it."""
    return f"{n} {word if n == 1 else many or word + 's'}"


def middle(text: str, width: int) -> str:
    """`text` cut to `width` with an ellipsis in the middle, so both the start and the
    end of a long branch name stay (`feature/42-…-command`); short text as it is."""
    if len(text) <= width:
        return text
    if width < 3:
        return text[:width]
    tail = (width - 1) // 2
    return text[:width - 1 - tail] + "…" + text[len(text) - tail:]


def give_way(widths: Sequence[int], cuts: Iterable[tuple[int, int]], room: int) -> list[int]:
    """Column widths cut to fit `room`: each (column, floor) of `cuts` in turn gives up
    what is still too much, never below its floor; what cannot fit stays as it is."""
    out = list(widths)
    for at, floor in cuts:
        excess = sum(out) - room
        if excess <= 0:
            break
        out[at] -= min(excess, max(0, out[at] - floor))
    return out


def row_conflicts(report: Report, issue: str) -> list[Conflict]:
    """The conflicts that name `issue`, strongest pair per partner plus its own ones."""
    own = [c for c in report.conflicts if c.rows == (issue,)]
    pairs = [c for c in pair_conflicts(report.conflicts) if issue in c.rows]
    return own + pairs


def conflict_mark(report: Report, issue: str) -> str:
    """A short plain mark for the order table: `❌ #42`, `⚠️ #44`, or empty."""
    marks = []
    for c in row_conflicts(report, issue):
        icon = "❌" if c.blocking else "⚠️"
        if len(c.rows) == 1:
            marks.append(f"{icon} {c.kind.value}")
        else:
            other = c.rows[0] if c.rows[1] == issue else c.rows[1]
            marks.append(f"{icon} {other} ({c.kind.value})")
    return ", ".join(marks)


def pull_for(report: Report, row: Row | None) -> PullFacts | None:
    if row is None:
        return None
    return next((p for p in report.pulls if p.branch == row.branch), None)


def ci_mark(report: Report, row: Row | None) -> str:
    pull = pull_for(report, row)
    return CI_MARK[pull.ci] if pull is not None else CI_MARK[CIState.NONE]


def step_of(report: Report, issue: str) -> MergeStep | None:
    return next((s for s in report.order if s.issue == issue), None)


def describe(conflict: Conflict, target: str) -> str:
    """One sentence for a conflict, as the details list shows it."""
    files = f" on {_files(conflict.files)}" if conflict.files else ""
    rows = " and ".join(conflict.rows)
    text = {
        ConflictKind.PLAN: f"{rows} own overlapping files{files}",
        ConflictKind.DIFF: f"{rows} both changed{files.replace(' on', '', 1)}",
        ConflictKind.DRIFT: f"{rows} changed files it does not own{files.replace(' on', ':')}",
        ConflictKind.TARGET: f"{rows} no longer merges onto {target}{files}",
        ConflictKind.TEXTUAL: f"{rows} collide when both land{files}",
        ConflictKind.INTERFACE: f"{rows}: a changed interface another uses{files}",
        ConflictKind.SEMANTIC: f"{rows} merge cleanly but the tests fail once both land",
    }[conflict.kind]
    tags = []
    if conflict.expected:
        tags.append("expected: the plan orders them")
    if conflict.regenerable:
        tags.append("regenerable: regenerate after merging")
    return text + (f" ({'; '.join(tags)})" if tags else "")


def explain(conflict: Conflict, target: str) -> str:
    """The longer sentence for the details: the predictor's own detail when it gave one."""
    if not conflict.detail:
        return describe(conflict, target)
    tags = []
    if conflict.expected:
        tags.append("expected: the plan orders them")
    if conflict.regenerable:
        tags.append("regenerable: regenerate after merging")
    return conflict.detail + (f" ({'; '.join(tags)})" if tags else "")


def clean_replay_line(report: Report, target: str) -> str:
    """A replay without stops: the fan-in merges cleanly, or there was nothing to replay
    (no row has a branch yet), which is no news that it merges."""
    if not report.branches:
        return f"Replay: no row has a branch yet, so nothing was replayed onto {target}."
    return f"Replay: the whole fan-in merges cleanly onto {target}."


def stop_lines(report: Report) -> list[str]:
    """Every step of the replayed fan-in that will need a resolution: `step 2 (#44) on
    tasks/cli.py`. The replay keeps both sides and goes on, as the fan-in will."""
    r = report.replay
    if r is None or r.clean:
        return []
    stops = r.stops or ()
    return [f"step {s.position} ({s.issue}) on {_files(s.files) or 'unknown files'}"
            for s in stops]


def landed_lines(report: Report) -> list[str]:
    """`#42 count: squash-merged in 1a2b3c4`, one per landed row, in plan order."""
    out = []
    for la in report.landed:
        row = report.plan.by_issue(la.issue)
        out.append(f"{row.label if row is not None else la.issue}: {la.describe()}")
    return out


@frozen
class Message:
    """One thing `check` tells the person on the current branch: words, and the command
    they end in (each renderer formats it: a code span in Markdown, escaped words)."""

    text: str
    command: str = ""

    def __str__(self) -> str:
        """`words `command``: as JSON and a terminal show it."""
        return f"{self.text} `{self.command}`" if self.command else self.text


def current_messages(report: Report) -> list[Message]:
    """What `check` tells the person on the current branch, most urgent first."""
    issue = report.current_issue
    if issue is None:
        return []
    step = step_of(report, issue)
    row = report.plan.by_issue(issue)
    out: list[Message] = []

    def say(text: str, command: str = "") -> None:
        out.append(Message(text, command))

    again = restack(report, issue)
    for c in row_conflicts(report, issue):
        files = f" on {_files(c.files)}" if c.files else ""
        if c.kind is ConflictKind.TARGET:
            fix = "restack it first (below)" if again else f"rebase onto {report.target} first"
            say(f"your branch no longer merges onto {report.target}{files}: {fix}")
        elif c.kind is ConflictKind.DRIFT:
            say(f"your branch changed files its row does not own: {_files(c.files)}")
        elif len(c.rows) == 2:
            other = c.rows[0] if c.rows[1] == issue else c.rows[1]
            other_step = step_of(report, other)
            after = step is not None and other_step is not None and \
                other_step.position < step.position
            verb = "collides with" if c.kind is ConflictKind.TEXTUAL else "overlaps"
            if c.kind is ConflictKind.INTERFACE:
                verb = "changes an interface shared with"
            elif c.kind is ConflictKind.SEMANTIC:
                verb = "fails the tests together with"
            tail = "merge after it" if after else f"merge first, {other} rebases after"
            if c.expected:
                tail = "expected: the plan orders them"
            say(f"your branch {verb} {other}{files}: {tail}")
    if again is not None:
        say(again.describe(), again.command)
    for stop in report.replay.stops if report.replay is not None else ():
        if stop.issue == issue:
            say(f"the replayed fan-in stops at your branch on {_files(stop.files)}")
    if step is not None:
        for b in step.blocked_by:
            say(f"your branch is blocked by {b.describe()}")
        say(f"merge position {step.position} of {len(report.order)}")
    elif (landed := report.landed_row(issue)) is not None:
        say(f"your row has landed ({landed.describe()})")
    elif row is not None and row.status is Status.MERGED:
        say("your row is merged")
    if not out:
        say("your branch is clear")
    return out


def current_blocks(report: Report) -> bool:
    """`check --strict` fails (`analysis.gate.current_blockers`)."""
    return bool(current_blockers(report))
