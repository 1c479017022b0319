"""`fleetbot score`: was the fan-out worth it? Answered from git history, honestly.

`find_landings` walks the target's first-parent merges and, for each row, finds the
merge that landed it, replays that merge (and any merge of the target into the branch
before it landed, where PR conflicts are usually resolved) with `git merge-tree` to see
whether it met a conflict, and notes its first commit and merge times; `with_landed` adds
the rows the one landed detector finds without a merge commit (squash, rebase), replayed
the same way. A pair counts as predicted when any plan before the merge said so
(`predicted_pairs`): rows owning a common path, whether or not Depends on orders them,
so following `plan lint --fix` is not punished. `compute_score` is pure: plan shape
(critical path, width), predicted vs met conflicts (precision/recall), rows serialised,
and the wall-clock span against the sum of branch spans.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, replace
from pathlib import Path

from fleetbot.errors import PlanError, UsageError
from fleetbot.fleet.worktrees import row_refs
from fleetbot.frozen import frozen
from fleetbot.git import Git, output_lines
from fleetbot.git.chain import resolve_commit
from fleetbot.git.mergetree import merge_trees, target_attributes
from fleetbot.git.refs import read_refs
from fleetbot.model import Landed, Plan
from fleetbot.plan.graph import find_cycle, topological_levels
from fleetbot.plan.joints import joints

Pair = tuple[str, str]


@frozen
class Landing:
    """One row's merge into the target, as history shows it."""

    issue: str
    merge: str
    first_commit: int  # author time (unix) of the oldest commit the merge brought in
    merged_at: int  # committer time of the merge
    conflicted: tuple[str, ...] = ()  # files that conflict when the merge is replayed
    conflicted_with: tuple[str, ...] = ()  # rows landed before that changed those files


@frozen
class Score:
    rows: int
    depth: int  # rows on the longest Depends-on chain (the critical path)
    width: int  # most rows that could run at once (one level of the plan)
    predicted: tuple[Pair, ...]  # pairs the plan said would collide
    met: tuple[Pair, ...]  # pairs that did collide at merge
    hits: tuple[Pair, ...]
    precision: float | None  # hits / predicted pairs whose rows have both merged
    recall: float | None  # hits / met
    serialised: tuple[str, ...]
    spans: tuple[tuple[str, int], ...]  # (issue, seconds from first commit to merge)
    span_sum: int
    wall_clock: int  # first commit of any row to the last merge
    speedup: float | None  # span_sum / wall_clock
    unmerged: tuple[str, ...]  # rows with no landing found

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        for key in ("predicted", "met", "hits"):
            data[key] = [list(p) for p in data[key]]
        data["spans"] = [{"issue": i, "seconds": s} for i, s in self.spans]
        return data


def pair(a: str, b: str) -> Pair:
    x, y = sorted((a, b))
    return (x, y)


def predicted_pairs(plans: Iterable[Plan]) -> tuple[Pair, ...]:
    """Every pair any of `plans` said would collide: rows that own a common path, whether
    or not Depends on orders them. A joint that `plan lint --fix` resolved is an expected
    collision, ordered, but still a prediction that the pair meets at merge."""
    out: set[Pair] = set()
    for plan in plans:
        unordered = replace(plan, rows=tuple(replace(r, depends_on=()) for r in plan.rows))
        out.update(pair(j.a.issue, j.b.issue) for j in joints(unordered))
    return tuple(sorted(out))


def plans_before(git: Git, landings: Sequence[Landing], path: str) -> tuple[Plan, ...]:
    """The plan at `path` as committed on the target just before each landing: what every
    report made before that merge read. A version that is missing or does not parse
    predicted nothing."""
    from fleetbot.git.remote import show_file
    from fleetbot.plan.parse import detect_format, parse_plan

    out = []
    for text in dict.fromkeys(show_file(git, f"{x.merge}^1", path) for x in landings if x.merge):
        if text is None:
            continue
        try:
            out.append(parse_plan(text, path, detect_format(Path(path))))
        except PlanError:
            continue
    return tuple(out)


def plan_shape(plan: Plan) -> tuple[int, int]:
    """(critical path depth, parallel width) of the Depends-on graph."""
    cycle = find_cycle(plan)
    if cycle:
        raise UsageError(f"the plan's dependencies form a cycle: {' -> '.join(cycle)}; "
                         "run `fleetbot plan lint`")
    level = topological_levels(plan)
    if not level:
        return 0, 0
    counts: dict[int, int] = {}
    for value in level.values():
        counts[value] = counts.get(value, 0) + 1
    return max(level.values()), max(counts.values())


def compute_score(
    plan: Plan, landings: Sequence[Landing], predicted: Iterable[Pair], *,
    landed_now: Collection[str] | None = None,
) -> Score:
    """The score from the plan, the landings found, and the pairs predicted at plan time.
    `landed_now`: the rows on the target today (the pipeline's word): a landing in the
    history that was reverted since, or a row that went on after it, is not merged yet."""
    depth, width = plan_shape(plan)
    pred = sorted({pair(*p) for p in predicted})
    met = sorted({pair(x.issue, o) for x in landings for o in x.conflicted_with})
    hits = sorted(set(pred) & set(met))
    serial = {r.issue for r in plan.rows if plan.dependencies(r)}
    serial.update(x.issue for x in landings if x.conflicted_with)
    spans = tuple((x.issue, max(0, x.merged_at - x.first_commit)) for x in landings)
    wall = (max(x.merged_at for x in landings) - min(x.first_commit for x in landings)
            if landings else 0)
    total = sum(s for _, s in spans)
    landed = {x.issue for x in landings}
    # a prediction is judged once both its rows have merged: before, it was neither met
    # nor missed (`integrate` stopped at it, or the rows wait), so precision leaves it out
    judged = [p for p in pred if set(p) <= landed]
    return Score(
        rows=len(plan.rows), depth=depth, width=width,
        predicted=tuple(pred), met=tuple(met), hits=tuple(hits),
        precision=len(hits) / len(judged) if judged else None,
        recall=len(hits) / len(met) if met else None,
        serialised=tuple(r.issue for r in plan.rows if r.issue in serial),
        spans=spans, span_sum=total, wall_clock=max(0, wall),
        speedup=round(total / wall, 2) if wall > 0 else None,
        unmerged=tuple(r.issue for r in plan.rows
                       if r.issue not in (landed if landed_now is None else landed_now)),
    )


# ---------------------------------------------------------------- history


@frozen
class _Merge:
    sha: str
    first: str
    second: str
    time: int
    subject: str


def parse_merges(text: str) -> tuple[_Merge, ...]:
    """`git log --format=%H%x1f%P%x1f%ct%x1f%s` lines -> merges (two or more parents)."""
    out: list[_Merge] = []
    for line in output_lines(text):
        parts = line.split("\x1f")
        if len(parts) != 4:
            continue
        parents = parts[1].split()
        if len(parents) < 2:
            continue
        out.append(_Merge(parts[0], parents[0], parents[1], int(parts[2] or 0), parts[3]))
    return tuple(out)


def find_landings(git: Git, plan: Plan, target: str) -> tuple[Landing, ...]:
    """For each row, the first-parent merge on `target` that brought its branch in."""
    log = git.run("log", "--first-parent", "--merges", "--reverse",
                  "--format=%H%x1f%P%x1f%ct%x1f%s", target, "--")
    shas = read_refs(git).shas
    tips = {issue: shas[ref] for issue, ref in row_refs(git, plan).items()}
    # merge rules from the target's tree only, as every other merge (git/mergetree.py)
    with target_attributes(git, resolve_commit(git, target)) as mgit:
        return _landings(git, mgit, plan, parse_merges(log), tips)


def _landings(git: Git, mgit: Git, plan: Plan, merges: Sequence[_Merge],
              tips: dict[str, str]) -> tuple[Landing, ...]:
    """The landings of `merges`; `mgit` replays them with the target's attributes."""
    landings: list[Landing] = []
    for m in merges:
        commits = git.run("rev-list", f"{m.first}..{m.second}", "--").split()
        issue = _which_row(plan, tips, set(commits), m.subject,
                           {x.issue for x in landings})
        if issue is None:
            continue
        times = git.run("log", "--format=%at", f"{m.first}..{m.second}", "--").split()
        landings.append(Landing(issue, m.sha, min((int(t) for t in times), default=m.time),
                                m.time, _met(git, mgit, m.first, m.second)))
    return _blame(git, landings)


def _met(git: Git, mgit: Git, base: str, head: str) -> tuple[str, ...]:
    """Files that conflicted when `head` landed on `base`: the landing itself replayed,
    and every merge of the target into the branch before it landed (the usual way a
    conflict is resolved on a PR), since those merges met the conflict. `mgit` replays
    with the target's attributes."""
    conflicted = set(_replay(mgit, base, head))
    inner = git.run("rev-list", "--merges", "--parents", f"{base}..{head}", "--")
    for line in output_lines(inner):
        parents = line.split()[1:]
        if len(parents) >= 2:
            conflicted.update(_replay(mgit, parents[0], parents[1]))
    return tuple(sorted(conflicted))


def _blame(git: Git, landings: Sequence[Landing]) -> tuple[Landing, ...]:
    """Each landing's `conflicted_with`: the rows landed before it (in this order) whose
    landing brought in a file it conflicted on."""
    brought: dict[str, set[str]] = {}
    out: list[Landing] = []
    for x in landings:
        changed = git.run("diff", "--name-only", "-z", f"{x.merge}^1", x.merge,
                          "--") if x.merge else ""
        brought[x.issue] = {p for p in changed.split("\0") if p}
        culprits = tuple(o.issue for o in out if brought[o.issue] & set(x.conflicted))
        out.append(replace(x, conflicted_with=culprits))
    return tuple(out)


def with_landed(git: Git, plan: Plan, landings: Sequence[Landing],
                landed: Sequence[Landed], *, target: str) -> tuple[Landing, ...]:
    """The history's merges plus every row the landed detector found that they miss
    (squash and rebase merges make no merge commit): counted at the landing commit's
    time, from the branch's first commit when the branch is still there, and replayed
    onto the commit before the landing to see whether it met a conflict."""
    have = {x.issue for x in landings}
    refs = row_refs(git, plan)
    extra = []
    for la in landed:
        if la.issue in have or not la.at:
            continue
        first = la.at
        met: tuple[str, ...] = ()
        if la.issue in refs and la.commit:
            times = git.run("log", "--format=%at", refs[la.issue], f"^{la.commit}^@",
                            "--").split()
            first = min((int(t) for t in times), default=la.at)
            base, head = (resolve_commit(git, r) for r in (f"{la.commit}^1", refs[la.issue]))
            with target_attributes(git, resolve_commit(git, target)) as mgit:  # no refs there
                met = _met(git, mgit, base, head)
        extra.append(Landing(la.issue, la.commit, first, la.at, met))
    if not extra:
        return tuple(landings)
    order = {r.issue: i for i, r in enumerate(plan.rows)}
    return _blame(git, sorted((*landings, *extra),
                              key=lambda x: (x.merged_at, order.get(x.issue, 0))))


def _which_row(plan: Plan, tips: dict[str, str], commits: set[str], subject: str,
               landed: set[str]) -> str | None:
    for row in plan.rows:
        if row.issue not in landed and tips.get(row.issue) in commits:
            return row.issue
    for row in plan.rows:  # branch deleted since: the merge subject names it
        if row.issue not in landed and row.issue not in tips and row.branch in subject:
            return row.issue
    return None


def _replay(mgit: Git, first: str, second: str) -> tuple[str, ...]:
    """Files that conflict when `second` is merged onto `first` (no checkout, no index;
    `mgit` from `target_attributes`)."""
    result = merge_trees(mgit, first, second)
    return () if result.clean else tuple(sorted(set(result.files)))


# ---------------------------------------------------------------- rendering


def _measures(s: Score) -> list[tuple[str, str]]:
    """(measure, value) rows, shared by the text and Markdown renderings."""
    def pct(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.0%}"

    def pairs(ps: Sequence[Pair]) -> str:
        return ", ".join(f"{a}+{b}" for a, b in ps) or "none"

    rows = [
        ("rows", str(s.rows)),
        ("critical path (rows)", str(s.depth)),
        ("parallel width", str(s.width)),
        ("conflicts predicted before the merge", pairs(s.predicted)),
        ("conflicts met at merge", pairs(s.met)),
        ("precision / recall", f"{pct(s.precision)} / {pct(s.recall)}"),
        ("rows serialised", ", ".join(s.serialised) or "none"),
        ("sum of branch spans", _dur(s.span_sum)),
        ("wall clock", _dur(s.wall_clock)),
        ("speed-up estimate", "n/a" if s.speedup is None else f"{s.speedup}x"),
    ]
    if s.unmerged:
        rows.append(("not merged yet", ", ".join(s.unmerged)))
    return rows


def render_markdown(s: Score, *, target: str) -> str:
    lines = [f"### Fleet score ({target})", "", "| measure | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in _measures(s)]
    if s.spans:
        lines += ["", "| row | first commit to merge |", "|---|---|"]
        lines += [f"| {i} | {_dur(sec)} |" for i, sec in s.spans]
    return "\n".join(lines) + "\n"


def render_text(s: Score, *, target: str) -> str:
    """Plain text for a terminal: aligned `measure  value` lines, no Markdown."""
    measures = _measures(s)
    wide = max(len(k) for k, _ in measures)
    lines = [f"Fleet score ({target})", ""]
    lines += [f"  {k.ljust(wide)}  {v}" for k, v in measures]
    if s.spans:
        widest = max(len(i) for i, _ in s.spans)
        lines += ["", "First commit to merge:"]
        lines += [f"  {i.ljust(widest)}  {_dur(sec)}" for i, sec in s.spans]
    return "\n".join(lines) + "\n"


def _dur(seconds: int) -> str:
    h, rest = divmod(seconds, 3600)
    return f"{h}h{rest // 60:02d}m" if h else f"{rest // 60}m{rest % 60:02d}s"
