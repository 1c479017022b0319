"""The shell every command calls: gather git facts, lint, analyse, replay -> Report.

One pipeline, one truth (DESIGN.md): `check`, `order`, `status`, `sync`, `comment` and the
Action all get their Report from `build_report`, so no two of them can disagree about
which rows have landed, what the target is, or what collides.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from fleetbot import DEFAULT_PLAN
from fleetbot.analysis.analyse import analyse
from fleetbot.analysis.conflicts import parsing_reader
from fleetbot.analysis.landed import forge_landed
from fleetbot.frozen import frozen
from fleetbot.git import Git
from fleetbot.git.cache import Cache
from fleetbot.git.chain import ChainAhead, Steps, replayed
from fleetbot.git.chain import replay as replay_chain
from fleetbot.git.facts import blob_texts
from fleetbot.git.mergetree import gather
from fleetbot.model import (
    BranchFacts,
    Finding,
    GitFacts,
    MergeStep,
    Plan,
    PlanFormat,
    PullFacts,
    Replay,
    Report,
    Severity,
    SourceChange,
)
from fleetbot.plan.lint import lint_plan

if TYPE_CHECKING:
    from fleetbot.analysis.pyapi import ApiChange
    from fleetbot.forge.types import ForgeState
    from fleetbot.plan.schemas import PlanRecord


@frozen
class FleetPlan:
    """The plan that governs the fan-in, and where it was read from."""

    plan: Plan
    notes: tuple[str, ...] = ()  # e.g. the working copy differs from the target's plan
    committed: bool = True  # False: read from the working copy (not on the target yet)


def load_fleet_plan(git: Git, plan_path: Path | None = None, target: str | None = None,
                    ) -> FleetPlan:
    """The plan as committed on the target branch, from any worktree (DESIGN.md "Where the
    plan is read from"); `--plan PATH` reads that file instead. When the plan is not
    committed yet, the working copy (this worktree's, else the main worktree's) is used,
    and a note says so; when the working copy differs from the target's, a note says so.
    The plan's own `target:` is honoured unless `target` is given."""
    from fleetbot.git.refs import read_refs, resolve_target
    from fleetbot.git.remote import show_file
    from fleetbot.plan.parse import detect_format, load_plan, read_text
    from fleetbot.plan.schemas import PlanRecord

    if plan_path is not None:
        plan = load_plan(plan_path)
        return FleetPlan(replace(plan, source=_shown(git, plan_path)))
    refs = read_refs(git)
    tgt = resolve_target(git, refs, target)
    text = show_file(git, tgt.ref, DEFAULT_PLAN)
    local = _working_copy(git)
    if text is None:
        if local is None:
            from fleetbot.errors import PlanError

            raise PlanError(
                f"plan file not found: no {DEFAULT_PLAN} on {tgt.ref} nor in this worktree",
                file=DEFAULT_PLAN,
                hint="create it (`fleetbot plan init`), commit it, or pass --plan PATH",
            )
        plan = load_plan(local)
        note = (f"{DEFAULT_PLAN} is not committed on {tgt.ref} yet: using the working copy "
                f"at {local}; commit it so every worktree and the Action read the same plan")
        return _retarget(git, FleetPlan(replace(plan, source=DEFAULT_PLAN), (note,), False),
                         target, tgt.name)
    plan = checked_plan(text, DEFAULT_PLAN, detect_format(Path(DEFAULT_PLAN)),
                        record=PlanRecord.near(git.repo / DEFAULT_PLAN))
    notes: tuple[str, ...] = ()
    if local is not None and read_text(local) != text.replace("\r\n", "\n").lstrip("\ufeff"):
        notes = (f"your working copy of {DEFAULT_PLAN} differs from the one on {tgt.ref}; "
                 f"fleetbot reads {tgt.ref}'s (commit and merge your edit to change it)",)
    return _retarget(git, FleetPlan(plan, notes), target, tgt.name)


def checked_plan(text: str, source: str, fmt: PlanFormat,
                 record: PlanRecord | None = None) -> Plan:
    """Parse plan text and refuse it, with every error, if lint finds structural errors.
    With a `record`, a plan read before skips jsonschema and markdown-it (plan/schemas.py)."""
    from fleetbot.plan.lint import structural_findings
    from fleetbot.plan.parse import parse_plan

    plan = parse_plan(text, source, fmt, record=record)
    refuse_errors(structural_findings(plan), source)
    return plan


def refuse_errors(findings: Iterable[Finding], source: str) -> None:
    """Raise PlanErrors with every error among `findings`, as `plan lint` lists them:
    a command never reports on a plan lint calls invalid (exit 2 everywhere)."""
    from fleetbot.errors import PlanError, PlanErrors

    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors:
        raise PlanErrors([PlanError(f.message, file=f.file or source, line=f.line,
                                    hint=f.hint, code=str(f.code)) for f in errors])


def _retarget(git: Git, fleet: FleetPlan, target: str | None, read_from: str) -> FleetPlan:
    """A plan whose front matter names another target is read again from that target."""
    wanted = fleet.plan.target
    if target or not wanted or wanted == read_from or not fleet.committed:
        return fleet
    return load_fleet_plan(git, None, wanted)


def _working_copy(git: Git) -> Path | None:
    """This worktree's plan file, else the main worktree's (a linked worktree made from an
    uncommitted plan has none of its own)."""
    here = git.repo / DEFAULT_PLAN
    if here.is_file():
        return here
    from fleetbot.git.worktrees import list_worktrees

    trees = list_worktrees(git)
    if trees and not trees[0].bare:
        main = Path(trees[0].path) / DEFAULT_PLAN
        if main.is_file():
            return main
    return None


def _shown(git: Git, path: Path) -> str:
    """The plan's path as messages show it: relative to the repo when inside it."""
    try:
        return path.resolve().relative_to(git.repo.resolve()).as_posix()
    except ValueError:
        return str(path)


def build_report(
    git: Git,
    plan: Plan,
    *,
    target: str | None = None,
    forge: ForgeState | None = None,
    pulls: Iterable[PullFacts] = (),
    current_branch: str | None = None,
    notes: Sequence[str] = (),
    replay: bool = True,
) -> Report:
    """The whole report for `plan` in the repository of `git`, replay included.

    `forge` is what the forge shows (open and merged PRs); without it `pulls` may name the
    PRs directly. A row whose PR merged has landed, whatever the plan file still says.
    `replay=False` leaves the replay out (`Report.replay` None) for a command that shows
    none of it (`conflicts`; `status`, `brief`, `score` and `integrate` through
    `fleet.predict`): every other fact is the same, from the same calls.
    """
    with collector_paused():
        return _build_report(git, plan, target=target, forge=forge, pulls=pulls,
                             current_branch=current_branch, notes=notes, replay=replay)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic collector off while a report is built, as Mercurial pauses it
    (`util.nogc`) while it parses an index: a build makes many short-lived objects and few
    cycles, so the collector found next to nothing while it took 10-12 ms of a cold 20-row
    `conflicts` and 65 ms of a 200-row one (a gc.callbacks timer). Reference counting
    still frees all the rest; the collector runs again afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _build_report(
    git: Git, plan: Plan, *, target: str | None, forge: ForgeState | None,
    pulls: Iterable[PullFacts], current_branch: str | None, notes: Sequence[str],
    replay: bool,
) -> Report:
    found = fleet_pulls(plan, forge.pulls, forge.merged) if forge is not None else tuple(pulls)
    cache = Cache.of(git)

    def guess(known: GitFacts) -> Steps | None:
        """The replay's steps by the order the facts before the pairs and sources give
        (no textual or interface conflicts yet): most often the order itself."""
        return _replay_steps(known, analyse(plan, known, pulls=found).order, known.branches)

    with ChainAhead(git) as ahead:

        def run_ahead(known: GitFacts) -> None:
            """Start the replay on the guess, unless the cache will answer it anyway."""
            if not replayed(cache, [b.head for b in known.branches]):
                ahead.start(partial(guess, known))

        facts = gather(git, plan, target or plan.target or None,
                       known=forge_landed(plan, found), remembered=remembers(cache),
                       on_landings=run_ahead if replay else None)
        findings = [f if f.file else replace(f, file=plan.source)
                    for f in lint_plan(plan, protected=(facts.target,))]
        # the target is known now: a row naming it is an error, as `plan lint` says
        refuse_errors(findings, plan.source)
        api = RememberedApi(cache, facts.sources, read=partial(blob_texts, git))
        report = analyse(plan, facts, pulls=found, findings=findings,
                         current_branch=current_branch, api=api)
        cache.save()
        return replace(report, replay=_replay(git, facts, report, ahead, cache) if replay
                       else None, notes=(*notes, *report.notes))


def remembers(cache: Cache) -> Callable[[str], bool]:
    """Whether the interface check has answered for the blob with this id before: then
    `gather` need not read its text (RememberedApi answers from the cache, and reads it
    after all if asked something new)."""
    from fleetbot import __version__

    return lambda blob: cache.get("api-blobs", f"{__version__} {blob}") is True


class RememberedApi:
    """The interface check's ApiReader over the git-dir cache: what reading a blob said
    is kept by its id (and the pair of ids for a change) and fleetbot's version (the
    answer is fleetbot's reading, not git's), so an unchanged fleet's huge Python files
    are not parsed again, nor even read. A source left `unread` whose answer is not
    remembered has its texts read then, with every other unread one (`read`: blob ids ->
    texts, one git process). A source without ids is parsed."""

    def __init__(self, cache: Cache, sources: Sequence[SourceChange] = (),
                 read: Callable[[Sequence[str]], Mapping[str, str | None]] | None = None,
                 ) -> None:
        from fleetbot import __version__

        self.cache = cache
        self.version = __version__
        self._read = read
        self._texts: dict[str, str | None] = {}
        self._pending = list(dict.fromkeys(
            i for s in sources if s.unread for i in (s.old_id, s.new_id) if i))

    def defined(self, src: SourceChange) -> frozenset[str]:
        return self._names("api-defined", src.old_id, f"{self.version} {src.old_id}",
                           lambda: parsing_reader().defined(self._full(src)))

    def mentions(self, src: SourceChange, names: frozenset[str]) -> frozenset[str]:
        asked = hashlib.sha256("\n".join(sorted(names)).encode()).hexdigest()[:20]
        return names & self._names(
            "api-mentions", src.new_id, f"{self.version} {src.new_id} {asked}",
            lambda: parsing_reader().mentions(self._full(src), names))

    def changes(self, src: SourceChange) -> tuple[ApiChange, ...]:
        key = f"{self.version} {src.old_id} {src.new_id or '-'}"
        if src.old_id:
            got = self.cache.get("api-changes", key)
            if isinstance(got, list) and all(
                    isinstance(c, list) and len(c) == 4 and all(
                        isinstance(x, str) or (i == 2 and x is None) for i, x in enumerate(c))
                    for c in got):
                from fleetbot.analysis.pyapi import ApiChange

                return tuple(ApiChange(*c) for c in got)
        full = self._full(src)
        found = parsing_reader().changes(full)
        if src.old_id and (src.new_id or full.new is None):
            self._keep("api-changes", key, [[c.name, c.old, c.new, c.why] for c in found],
                       src.old_id, src.new_id)
        return found

    def uses(self, src: SourceChange) -> frozenset[str]:
        return self._names("api-uses", src.new_id, f"{self.version} {src.new_id}",
                           lambda: parsing_reader().uses(self._full(src)))

    def _names(self, kind: str, blob: str, key: str,
               compute: Callable[[], frozenset[str]]) -> frozenset[str]:
        """A set of names remembered under `key` for one blob, else computed and kept."""
        got = self.cache.get(kind, key) if blob else None
        if isinstance(got, list) and all(isinstance(n, str) for n in got):
            return frozenset(got)
        found = compute()
        if blob:
            self._keep(kind, key, sorted(found), blob)
        return found

    def _keep(self, kind: str, key: str, value: object, *blobs: str) -> None:
        """Remember an answer, and that its blobs have been read (`remembers`)."""
        self.cache.put(kind, key, value)
        for blob in blobs:
            if blob:
                self.cache.put("api-blobs", f"{self.version} {blob}", True)

    def _full(self, src: SourceChange) -> SourceChange:
        """`src` with its texts, read now if `gather` left them unread."""
        if not src.unread:
            return src
        missing = [i for i, text in ((src.old_id, src.old), (src.new_id, src.new))
                   if i and text is None and i not in self._texts]
        if missing:
            if self._read is None:
                raise ValueError(f"{src.path} ({src.issue}): no way to read its texts")
            self._texts.update(self._read(list(dict.fromkeys([*missing, *self._pending]))))
            self._pending = []
        return replace(
            src, unread=False,
            old=src.old if src.old is not None or not src.old_id else self._texts.get(src.old_id),
            new=src.new if src.new is not None or not src.new_id else self._texts.get(src.new_id))


def fleet_pulls(
    plan: Plan, open_pulls: Sequence[PullFacts], merged: Sequence[PullFacts] = ()
) -> tuple[PullFacts, ...]:
    """The PRs of plan rows: the open one of each branch, else its merged one. Pure.

    A fork's PR never stands for a row, whatever its head is named: it would pin the row
    to a stranger's commit (adapters name its head `owner:branch`, which no row can be)."""
    branches = {r.branch for r in plan.rows}
    out = [p for p in open_pulls if p.branch in branches and not p.fork]
    have = {p.branch for p in out}
    for p in merged:
        if p.branch in branches and p.branch not in have and not p.fork:
            out.append(p)
            have.add(p.branch)
    return tuple(out)


def _replay_steps(facts: GitFacts, order: Sequence[MergeStep],
                  branches: Sequence[BranchFacts]) -> Steps | None:
    """The order's rows that have a branch, as the replay lands them; None when no row
    has one. The commits are the ones the facts were read from: the replay and the
    rest of the report speak of the same fleet, however the refs move meanwhile."""
    by_issue = {b.issue: b for b in branches}
    kept = [s for s in order if s.issue in by_issue]
    if not kept:
        return None
    return Steps(facts.target_ref or facts.target,
                 tuple((s.issue, by_issue[s.issue].ref) for s in kept),
                 (facts.target_sha, *(by_issue[s.issue].head for s in kept)))


def _replay(git: Git, facts: GitFacts, report: Report, ahead: ChainAhead,
            cache: Cache) -> Replay:
    """Replay the order over the branches that exist; positions are the order's own. The
    merges `ahead` ran on the same steps are not run again."""
    steps = _replay_steps(facts, report.order, report.branches)
    if steps is None:
        return Replay(clean=True)
    positions = {s.issue: s.position for s in report.order}
    return replay_chain(git, steps.base, steps.steps,
                        positions=[positions[i] for i, _ in steps.steps],
                        commits=steps.commits, memo=ahead.settle(steps), cache=cache)
