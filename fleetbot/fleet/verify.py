"""`fleetbot verify`, the shell: land, check out, run the project's tests, remember.

The decisions are `analysis.verify`'s; this module answers its questions. A set of steps
is landed with `git.chain` (synthetic commits, no ref), checked out in ONE throw-away
detached worktree of its own (moved from tree to tree, cleaned between runs) and the
command runs there with a timeout, in its own process group so a timeout or Ctrl-C ends
all of it. The worktree is removed in `finally` (Ctrl-C and SIGTERM included): only that
one, never `git worktree prune`. Answers are cached by (tree, command) in the repository's
common git dir, written atomically, so an unchanged fleet re-verifies with no run at all.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType

from fleetbot.analysis.verify import verify_steps
from fleetbot.errors import UsageError
from fleetbot.files import write_atomic
from fleetbot.frozen import frozen
from fleetbot.git import Git, forget
from fleetbot.git.chain import build_chain, tree_of
from fleetbot.model import Phase, Probe, Report, RunOutcome, VerifyResult

TAIL_LINES = 40
TAIL_CHARS = 4000
CACHE_VERSION = 1

# (phase, steps, runs made so far, seconds since the start): what the display shows
Progress = Callable[[Phase, tuple[str, ...], int, float], None]


def output_tail(text: str) -> str:
    """The last lines of a run's output, bounded, for the report."""
    lines = text.rstrip("\n").splitlines()[-TAIL_LINES:]
    return "\n".join(lines)[-TAIL_CHARS:]


# ---------------------------------------------------------------- the cache


class VerifyCache:
    """(tree, command) -> the outcomes of its first and second run, in
    `<git-common-dir>/fleetbot/verify-cache.json`. Timeouts are never cached."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, list[dict[str, str]]] = {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return  # no cache yet, or a broken one: start afresh
        if isinstance(data, dict) and data.get("version") == CACHE_VERSION:
            entries = data.get("entries")
            if isinstance(entries, dict):
                self.entries = entries

    @classmethod
    def of(cls, git: Git) -> VerifyCache:
        return cls(git.layout().common_dir / "fleetbot" / "verify-cache.json")

    @staticmethod
    def key(tree: str, command: str) -> str:
        return f"{tree} {command}"

    def get(self, tree: str, command: str, attempt: int) -> tuple[RunOutcome, str] | None:
        runs = self.entries.get(self.key(tree, command), [])
        if attempt >= len(runs):
            return None
        try:
            return RunOutcome(runs[attempt]["outcome"]), str(runs[attempt].get("tail", ""))
        except (KeyError, ValueError, TypeError):
            return None

    def put(self, tree: str, command: str, attempt: int, outcome: RunOutcome,
            tail: str) -> None:
        if outcome is RunOutcome.TIMEOUT:
            return
        runs = self.entries.setdefault(self.key(tree, command), [])
        if attempt == len(runs):
            runs.append({"outcome": outcome.value, "tail": tail})
            self.save()

    def save(self) -> None:
        """Write to a temporary file beside it, then rename: never half a cache."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps({"version": CACHE_VERSION, "entries": self.entries})
        write_atomic(self.path, data.encode("utf-8"), durable=False)


# ---------------------------------------------------------------- the scratch worktree


NO_HOOKS = ("-c", f"core.hooksPath={os.devnull}")  # the user's checkout hooks stay out


class Scratch:
    """One detached worktree of our own, made on first use and moved between commits."""

    def __init__(self, git: Git, path: Path) -> None:
        self.git = git
        self.path = path
        self.made = False

    def checkout(self, commit: str) -> Path:
        if not self.made:
            self.git.run(*NO_HOOKS, "worktree", "add", "--detach", "--quiet", str(self.path),
                         commit, error=f"could not make a scratch worktree at {self.path}")
            self.made = True
        else:
            here = Git(self.path)
            here.run(*NO_HOOKS, "checkout", "--detach", "--force", "--quiet", commit)
            here.run("clean", "-qfdx")
        return self.path

    def remove(self) -> None:
        """Remove exactly this worktree (and its folder), whatever state it is in."""
        if self.made:
            self.git.run_full("worktree", "remove", "--force", "--force", str(self.path),
                              check=False)
            self.made = False
        shutil.rmtree(self.path, ignore_errors=True)


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (a CI cancel) unwinds like Ctrl-C, so `finally` cleans up."""
    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    try:
        old = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def run_command(command: str, cwd: Path, timeout: float | None) -> tuple[RunOutcome, str]:
    """Run the test command through the shell in `cwd`; its whole process group is
    killed on timeout or interrupt."""
    proc = subprocess.Popen(
        command, shell=True, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True, text=True, errors="replace",
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
        forget()  # the command may have moved refs or worktrees
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, _ = proc.communicate()
        return RunOutcome.TIMEOUT, output_tail(out or "") + f"\n(timed out after {timeout:g}s)"
    except BaseException:
        _kill_group(proc)
        proc.wait()
        raise
    return (RunOutcome.PASS if proc.returncode == 0 else RunOutcome.FAIL), output_tail(out)


def _kill_group(proc: subprocess.Popen[str]) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


# ---------------------------------------------------------------- verify


@frozen
class VerifySpec:
    """What to verify: the target as resolved, the ordered (issue, ref) steps."""

    target: str  # the name reports show
    target_ref: str
    steps: tuple[tuple[str, str], ...]
    command: str
    timeout: float | None = None
    missing: tuple[str, ...] = ()  # rows without a branch: not testable


def spec_for(git: Git, report: Report, command: str, *, target: str | None = None,
             timeout: float | None = None) -> VerifySpec:
    """Verify the report's order: every row with a branch, in the recommended order."""
    from fleetbot.git.refs import read_refs, resolve_target

    refs = {b.issue: b.ref for b in report.branches}
    return VerifySpec(
        target=report.target, target_ref=resolve_target(git, read_refs(git), target).ref,
        steps=tuple((s.issue, refs[s.issue]) for s in report.order if s.issue in refs),
        command=command, timeout=timeout, missing=report.missing_branches,
    )


def run_verify(git: Git, spec: VerifySpec, *, keep: Path | None = None,
               progress: Progress | None = None) -> VerifyResult:
    """Replay the order, test it, name what breaks. The repository's worktrees, index and
    refs are left as they were; with `keep` the last tree that failed (else the tip) is
    left checked out there."""
    if keep is not None and keep.exists() and any(keep.iterdir()):
        raise UsageError(f"--keep {keep}: the folder is not empty; name a new one")
    chain = build_chain(git, spec.target_ref, spec.steps)
    refs = dict(spec.steps)
    tips: dict[tuple[str, ...], tuple[str, str]] = {(): (chain.base, tree_of(git, chain.base))}
    done: list[str] = []
    for step in chain.landed:
        done.append(step.issue)
        tips[tuple(done)] = (step.tip, step.result.tree)

    def tip_of(steps: tuple[str, ...]) -> tuple[str, str]:
        """The (commit, tree) of `steps` landed in order; built from the longest known
        prefix (a step that does not merge in this subset is set aside there too)."""
        n = len(steps)
        while steps[:n] not in tips:
            n -= 1
        commit, tree = tips[steps[:n]]
        for i in range(n, len(steps)):
            one = build_chain(git, commit, [(steps[i], refs[steps[i]])]).steps[0]
            if one.landed:
                commit, tree = one.tip, one.result.tree
            tips[steps[:i + 1]] = (commit, tree)
        return commit, tree

    cache = VerifyCache.of(git)
    start = time.monotonic()
    runs = 0
    workdir = keep if keep is not None else Path(tempfile.mkdtemp(prefix="fleetbot-verify-"))
    scratch = Scratch(git, workdir / "tree" if keep is None else keep)

    def test(phase: Phase, steps: tuple[str, ...], attempt: int) -> Probe:
        nonlocal runs
        commit, tree = tip_of(steps)
        hit = cache.get(tree, spec.command, attempt)
        if hit is not None:
            return Probe(phase, steps, hit[0], tree=tree, cached=True,
                         tail=hit[1] if hit[0] is not RunOutcome.PASS else "")
        if progress is not None:
            progress(phase, steps, runs, time.monotonic() - start)
        outcome, tail = run_command(spec.command, scratch.checkout(commit), spec.timeout)
        runs += 1
        cache.put(tree, spec.command, attempt, outcome, tail)
        return Probe(phase, steps, outcome, tree=tree,
                     tail=tail if outcome is not RunOutcome.PASS else "")

    landed = tuple(s.issue for s in chain.landed)
    finished = False
    try:
        with _sigterm_as_interrupt():
            found = verify_steps(landed, test)
            if keep is not None:
                failing = [p for p in found.probes if p.outcome is not RunOutcome.PASS]
                scratch.checkout(tip_of(failing[-1].steps if failing else landed)[0])
            finished = True
    finally:
        if keep is None or not finished:
            scratch.remove()
        if keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    notes = list(found.notes)
    if found.probes and runs == 0:
        notes.append("every answer came from the cache (unchanged fleet): no test ran")
    notes += [f"{issue}: no branch, not tested" for issue in spec.missing]
    return VerifyResult(
        verdict=found.verdict, target=spec.target, target_sha=chain.base,
        command=spec.command, rows=found.rows, output_tail=found.tail,
        probes=found.probes, flaky=found.flaky,
        heads=tuple((s.issue, s.head) for s in chain.steps), tested=landed,
        set_aside=tuple((s.issue, s.files) for s in chain.set_aside), notes=tuple(notes),
    )

