"""The speculative fan-in: an ordered list of branches landed one by one onto the target.

Each step is merged onto the previous tip with `git merge-tree --write-tree` and kept as
a synthetic commit (`commit-tree`, fleetbot's identity, fixed dates: the same fleet gives
the same ids, which is what lets `verify` cache by tree). A step that does not merge is
recorded with its files and sorts, and the chain goes on, so every stop of the fan-in is
known at once (DESIGN.md "Conflicts" 6), not only the first. The report's replay goes on
as `integrate` does once a stop is resolved: from the merge as git leaves it, both sides
in each conflicted file (tests/test_stops_property.py holds it to `integrate` on random
fleets); `verify`, which runs tests on the tips, sets such a step aside instead. No
worktree, index or ref is touched.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from contextlib import ExitStack

from fleetbot.frozen import frozen
from fleetbot.git import Git
from fleetbot.git.cache import Cache, result_from_json, result_to_json
from fleetbot.git.mergetree import target_attributes
from fleetbot.git.session import MergeSession
from fleetbot.model import Chain, ChainStep, MergeResult, Replay, ReplayStop

Memo = dict[str, tuple[MergeResult, str]]  # "<tip> <head>" -> (the merge, the commit made)


@frozen
class Steps:
    """A replay to run: the target (`base`), each (issue, branch ref) in order, and the
    commits they were read as (the target tip's first, then each head's)."""

    base: str
    steps: tuple[tuple[str, str], ...]
    commits: tuple[str, ...]

    def shared_with(self, other: Steps) -> int:
        """How many leading steps the two replays share: same base, same heads in the same
        order, so each of those merges is the same merge."""
        if (self.base, self.commits[:1]) != (other.base, other.commits[:1]):
            return 0
        mine = list(zip(self.steps, self.commits[1:]))
        theirs = list(zip(other.steps, other.commits[1:]))
        shared = 0
        while shared < min(len(mine), len(theirs)) and mine[shared] == theirs[shared]:
            shared += 1
        return shared


def resolve_commit(git: Git, ref: str, what: str = "ref") -> str:
    """The commit id `ref` names, or a GitError that says which ref (`what`) is unknown."""
    return git.run(
        "rev-parse", "--verify", "-q", f"{ref}^{{commit}}",
        error=f"unknown {what} {ref!r}", hint="pass --target with an existing branch",
    ).strip()


def resolve_commits(git: Git, target: str, refs: Sequence[str]) -> list[str]:
    """`resolve_commit` of the target and every ref in one `rev-parse`; when that fails,
    one by one, so the error names the target or the ref that is unknown."""
    names = [target, *refs]
    proc = git.run_full("rev-parse", *(f"{ref}^{{commit}}" for ref in names), check=False)
    ids = proc.stdout.split()
    if proc.returncode == 0 and len(ids) == len(names):
        return ids
    return [resolve_commit(git, target, "target"), *(resolve_commit(git, r) for r in refs)]


def build_chain(git: Git, base: str, steps: Sequence[tuple[str, str]], *,
                keep_both: bool = False, cache: Cache | None = None,
                commits: Sequence[str] | None = None, memo: Memo | None = None,
                stop: Callable[[], bool] | None = None) -> Chain:
    """Land each (issue, ref) of `steps` in order onto `base` (a commit or ref), setting
    aside the ones that do not merge onto the tip before them; with `keep_both` such a
    step is landed as git leaves the conflicted merge (both sides in each file), as the
    fan-in goes on once it is resolved.

    With a `cache`, a step is remembered by (the tip before it, the head it merges): both
    are commit ids and every tip names the base and the heads landed before it, so the key
    covers the target, the ordered branch tips and the target's attributes. A warm replay
    of an unchanged fleet starts no merge; a fleet where one branch moved replays from it.

    `commits` are the ids of `base` and of every step's ref when the caller has read them
    (the pipeline, from the refs its facts were gathered from): the replay then merges the
    very commits the rest of the report describes, and asks git nothing to find them.

    `memo` holds steps merged earlier in this process under the same key (a replay run
    ahead, `ChainAhead`), whether or not the cache is on. `stop`, asked before each step,
    ends the chain early: the steps so far are returned."""
    start, *heads = commits or resolve_commits(git, base, [ref for _, ref in steps])
    if len(heads) != len(steps):
        raise ValueError(f"{len(heads)} commits for {len(steps)} steps")
    store = cache or Cache.disabled()
    tip = start
    out: list[ChainStep] = []
    with ExitStack() as stack:
        session: MergeSession | None = None
        for (issue, ref), head in zip(steps, heads, strict=True):
            if stop is not None and stop():
                break
            key = f"{tip} {head}"
            known = memo.get(key) if memo is not None else None
            fresh = known is not None  # merged in this process: maybe not in the cache yet
            if known is None:
                known = _step_from_json(store.get("chain", key))
            if known is not None and not known[0].clean and keep_both and not known[1]:
                known = None  # remembered set aside: this replay keeps both sides
            if known is None:
                if session is None:
                    if tip != start and not _has_tree(git, tip):  # collected by `git gc`
                        return build_chain(git, base, steps, keep_both=keep_both,
                                           commits=commits, stop=stop)
                    # merge rules from the target's tree only, never a checkout's
                    session = stack.enter_context(
                        MergeSession(stack.enter_context(target_attributes(git, start)),
                                     git.layout()))
                result = session.merge(tip, head)
                made = session.commit(result.tree, (tip, head),
                                      f"fleetbot: replay {ref} ({issue})"
                                      ) if result.clean or keep_both else ""
                known, fresh = (result, made), True
            result, made = known
            if fresh:
                store.put("chain", key, [result_to_json(result), made])
            if memo is not None:
                memo[key] = known
            landed = made if result.clean or keep_both else ""
            out.append(ChainStep(issue=issue, ref=ref, head=head, result=result, tip=landed))
            tip = landed or tip
    store.save()
    return Chain(base=start, steps=tuple(out))


def _step_from_json(value: object) -> tuple[MergeResult, str] | None:
    """A remembered step (its merge, the commit it made or ""), or None to merge again."""
    if not isinstance(value, list) or len(value) != 2 or not isinstance(value[1], str):
        return None
    result = result_from_json(value[0])
    if result is None or (result.clean and not value[1]):
        return None
    return result, value[1]


def _has_tree(git: Git, commit: str) -> bool:
    """Whether a synthetic commit and its tree are still in the object store."""
    return git.run_full("cat-file", "-e", f"{commit}^{{tree}}", check=False).returncode == 0


def tree_of(git: Git, commit: str) -> str:
    """The tree id of a commit: what `verify` caches its answers by."""
    return git.run("rev-parse", f"{commit}^{{tree}}").strip()


def replay(git: Git, target: str, steps: Sequence[tuple[str, str]],
           positions: Sequence[int] | None = None,
           commits: Sequence[str] | None = None, memo: Memo | None = None,
           cache: Cache | None = None) -> Replay:
    """The recommended order (issue, branch ref) replayed onto the target tip as the fan-in
    will meet it: a step that does not merge is taken with both sides, as its resolution
    will keep them, and the rest go on, so every step needing a resolution is reported,
    not only the first. Touches no worktree, index or ref. Positions are 1-based in
    `steps` unless `positions` gives each step's own (the order's numbering, when rows
    without a branch are left out), so `stops_at` and every detail use the same numbers.
    `commits`, `memo` and `cache` (the repository's, when None): as `build_chain` takes
    them."""
    chain = build_chain(git, target, steps, keep_both=True, cache=cache or Cache.of(git),
                        commits=commits, memo=memo)
    stops = []
    numbers = list(positions) if positions is not None else range(1, len(steps) + 1)
    for position, step in zip(numbers, chain.steps, strict=True):
        if step.result.clean:
            continue
        files = step.result.files or tuple(
            dict.fromkeys(p for c in step.result.conflicts for p in c.paths))
        stops.append(ReplayStop(
            position, step.issue, files,
            f"step {position} ({step.issue}, {step.ref}) does not merge onto the steps before "
            f"it: {step.result.describe(files)}"))
    if not stops:
        return Replay(clean=True, detail=f"all {len(steps)} steps land cleanly on {target}")
    first = stops[0]
    return Replay(clean=False, stops_at=first.position, stops_at_issue=first.issue,
                  files=first.files, detail=first.detail, stops=tuple(stops))


def replayed(cache: Cache, heads: Sequence[str]) -> bool:
    """Whether every head has been landed by a remembered replay step: then the replay
    of an unchanged fleet is answered from the cache, and running it ahead would only
    cost time."""
    landed = {key.rpartition(" ")[2] for key in cache.keys("chain")}
    return bool(landed) and all(head in landed for head in heads)


class ChainAhead:
    """The replay run ahead, on a guessed order, while the rest of the facts are read.

    The replay can only start once the order is known, and the order only once every
    conflict is: run after them, it is a third of a large fleet's run. Started as soon as
    the landings are known, on the order those facts already give (`start`), its merges
    overlap the pairs' and the sources'. `settle` takes the real order: the steps the two
    share (same tip, same head: the same merge) are then answered from `memo`, and a guess
    that went another way is stopped where it parted. Use as a context: leaving it stops
    and joins the thread, so no git process outlives the run.
    """

    def __init__(self, git: Git) -> None:
        self.git = git
        self.memo: Memo = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._guess: Steps | None = None
        self._guessed = threading.Event()  # set once the guess is worked out (or failed)
        self._limit: int | None = None  # steps the guess shares with the real order
        self._begun = 0

    def __enter__(self) -> ChainAhead:
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._join()

    def start(self, guess: Callable[[], Steps | None]) -> None:
        """Work out the guessed steps (`guess`, None for none) and replay them, both in a
        thread of their own."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, args=(guess,), daemon=True,
                                            name="fleetbot-replay-ahead")
            self._thread.start()

    def _run(self, guess: Callable[[], Steps | None]) -> None:
        try:
            try:
                self._guess = guess()
            finally:
                self._guessed.set()
            guessed = self._guess
            if guessed is not None and not self._stop.is_set():
                build_chain(self.git, guessed.base, guessed.steps, keep_both=True,
                            cache=Cache.of(self.git), commits=guessed.commits, memo=self.memo,
                            stop=self._stopped)
        except Exception:  # a guess only saves time: the replay proper merges whatever
            return         # it did not finish, and reports any error

    def settle(self, real: Steps) -> Memo:
        """The merges run ahead, once the thread has stopped: it goes on through the steps
        the guess shares with the `real` replay, and no further. A guess still being
        worked out is waited for (the pipeline asks long after it began)."""
        if self._thread is not None:
            self._guessed.wait()
        self._limit = 0 if self._guess is None else self._guess.shared_with(real)
        self._join()
        return self.memo

    def _stopped(self) -> bool:
        """Asked before each step the thread would merge: whether to stop there."""
        if self._stop.is_set():
            return True
        self._begun += 1
        return self._limit is not None and self._begun > self._limit

    def _join(self) -> None:
        if self._thread is not None:
            self._thread.join()
