"""Semantic conflicts, decided: which runs to make and what their answers mean. Pure.

The shell (`fleet/verify.py`) knows how to test a set of steps (land them on the target,
check the tree out, run the command); this module only asks it questions and reads the
answers, so every decision is tested with an answer table and no git.

The questions, for N rows that land cleanly: the target alone (a failing target is not
blamed on rows), the tip, a bisection over the prefixes to the first failing step
(ceil(log2 N) runs), that tree again (a failure that does not reproduce is flaky), the
failing row alone on the target, and, when it passes alone, the search for the smallest
set of earlier rows that makes it fail: its partners.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from dataclasses import replace

from fleetbot.analysis.order import recommend_order
from fleetbot.analysis.stack import restacks
from fleetbot.frozen import frozen
from fleetbot.model import (
    Conflict,
    ConflictKind,
    Phase,
    Probe,
    Report,
    RunOutcome,
    VerifyResult,
    VerifyVerdict,
)

# (phase, steps landed in order, attempt 0 or 1) -> the answer. The shell's closure.
Tester = Callable[[Phase, tuple[str, ...], int], Probe]


@frozen
class Verification:
    """What the questions established; the shell adds the command, heads and trees."""

    verdict: VerifyVerdict
    rows: tuple[str, ...] = ()  # the failing row last, its partners before it
    tail: str = ""
    flaky: bool = False
    probes: tuple[Probe, ...] = ()
    notes: tuple[str, ...] = ()


class _TimedOut(Exception):
    def __init__(self, probe: Probe) -> None:
        super().__init__(probe.steps)
        self.probe = probe


class _Asker:
    """Asks the tester, never the same question twice in one verification."""

    def __init__(self, test: Tester) -> None:
        self.test = test
        self.probes: list[Probe] = []
        self.memo: dict[tuple[tuple[str, ...], int], Probe] = {}

    def ask(self, phase: Phase, steps: tuple[str, ...], attempt: int = 0) -> Probe:
        key = (steps, attempt)
        if key not in self.memo:
            probe = self.test(phase, steps, attempt)
            self.probes.append(probe)
            self.memo[key] = probe
            if probe.outcome is RunOutcome.TIMEOUT:
                raise _TimedOut(probe)
        return self.memo[key]

    def fails(self, phase: Phase, steps: tuple[str, ...]) -> bool:
        return self.ask(phase, steps).outcome is RunOutcome.FAIL


def verify_steps(steps: Sequence[str], test: Tester) -> Verification:
    """Test the fan-in of `steps` (issue refs that land cleanly, in order) with `test`."""
    asker = _Asker(test)
    try:
        return _verify(tuple(steps), asker)
    except _TimedOut as exc:
        which = " + ".join(exc.probe.steps) or "the target alone"
        return Verification(
            VerifyVerdict.TIMEOUT, probes=tuple(asker.probes), tail=exc.probe.tail,
            notes=(f"the run of {which} timed out: raise --timeout or speed the tests up",),
        )


def _verify(steps: tuple[str, ...], asker: _Asker) -> Verification:
    def done(verdict: VerifyVerdict, *, rows: tuple[str, ...] = (), tail: str = "",
             flaky: bool = False, notes: tuple[str, ...] = ()) -> Verification:
        return Verification(verdict, rows=rows, tail=tail, flaky=flaky,
                            probes=tuple(asker.probes), notes=notes)

    target = asker.ask(Phase.TARGET, ())
    if target.outcome is RunOutcome.FAIL:
        again = asker.ask(Phase.CONFIRM, (), 1)
        if again.outcome is RunOutcome.FAIL:
            return done(VerifyVerdict.TARGET_FAILS, tail=again.tail)
        return done(VerifyVerdict.FLAKY, flaky=True, tail=target.tail,
                    notes=("the target alone failed once and passed on a second run",))
    if not steps:
        return done(VerifyVerdict.NOTHING)
    if not asker.fails(Phase.TIP, steps):
        return done(VerifyVerdict.PASSED)
    lo, hi = 0, len(steps)  # steps[:lo] passes, steps[:hi] fails
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if asker.fails(Phase.BISECT, steps[:mid]):
            hi = mid
        else:
            lo = mid
    first = asker.ask(Phase.CONFIRM, steps[:hi])
    again = asker.ask(Phase.CONFIRM, steps[:hi], 1)
    row = steps[hi - 1]
    if again.outcome is not RunOutcome.FAIL:
        return done(VerifyVerdict.FLAKY, flaky=True, tail=first.tail, notes=(
            f"the fan-in up to {row} failed once and passed on a second run",
        ))
    alone = asker.ask(Phase.ALONE, (row,))
    if alone.outcome is RunOutcome.FAIL:
        return done(VerifyVerdict.ROW_FAILS, rows=(row,), tail=alone.tail)
    partners = _partners(asker, steps[:hi - 1], row)
    failing = asker.ask(Phase.PARTNER, (*partners, row))
    notes = () if hi == len(steps) else (
        f"rows after {row} were not verified: resolve this conflict and run verify again",
    )
    return done(VerifyVerdict.SEMANTIC, rows=(*partners, row), tail=failing.tail, notes=notes)


def _partners(asker: _Asker, earlier: tuple[str, ...], row: str) -> tuple[str, ...]:
    """The smallest set of `earlier` rows whose landing makes `row` fail: the last
    necessary one by bisection, then again below it, until the set alone fails.
    Known on entry: all of `earlier` + row fails, row alone passes."""
    rank = {issue: i for i, issue in enumerate(earlier)}
    required: list[str] = []

    def with_required(extra: Sequence[str]) -> tuple[str, ...]:
        chosen = sorted({*extra, *required}, key=rank.__getitem__)
        return (*chosen, row)

    candidates = list(earlier)
    while candidates:
        lo, hi = 0, len(candidates)  # with candidates[:lo] it passes, [:hi] it fails
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if asker.fails(Phase.PARTNER, with_required(candidates[:mid])):
                hi = mid
            else:
                lo = mid
        required.append(candidates[hi - 1])
        candidates = candidates[:hi - 1]
        if asker.fails(Phase.PARTNER, with_required(())):
            break
    return tuple(sorted(required, key=rank.__getitem__))


def blocks(result: VerifyResult) -> bool:
    """`--strict`: the fan-in does not pass (flaky is a warning, not a block)."""
    return result.verdict not in (
        VerifyVerdict.PASSED, VerifyVerdict.NOTHING, VerifyVerdict.FLAKY,
    )


# ---------------------------------------------------------------- into the Report


def semantic_conflicts(result: VerifyResult) -> tuple[Conflict, ...]:
    """One semantic Conflict per partner of the failing row (rows: partner, row)."""
    if result.verdict is not VerifyVerdict.SEMANTIC or result.culprit is None:
        return ()
    row = result.culprit
    together = " + ".join(result.rows)
    return tuple(
        Conflict(
            kind=ConflictKind.SEMANTIC, rows=(partner, row),
            detail=f"{partner} and {row} merge cleanly but `{result.command}` fails once "
            f"both land ({together}); {row} passes alone on {result.target}",
            evidence=f"fleetbot verify --test {shlex.quote(result.command)}",
        )
        for partner in result.partners
    )


def with_verify(report: Report, result: VerifyResult) -> Report:
    """The report with the result's semantic conflicts, and the order re-decided so the
    failing row comes after its partner(s) with the reason."""
    extra = [c for c in semantic_conflicts(result) if c not in report.conflicts]
    if not extra:
        return report
    conflicts = (*report.conflicts, *extra)
    by_branch = {p.branch: p for p in report.pulls}
    pulls = {r.issue: by_branch[r.branch] for r in report.plan.rows if r.branch in by_branch}
    order = recommend_order(report.plan, conflicts, pulls, target=report.target,
                            missing=report.missing_branches,
                            restacked={r.issue for r in restacks(report)})
    return replace(report, conflicts=conflicts, order=order)
