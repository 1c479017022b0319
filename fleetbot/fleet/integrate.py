"""`fleetbot integrate`: the fan-in without a forge, on an integration branch.

Real `git merge --no-ff` of each row in the recommended order onto a branch reset to
the target tip, in the worktree it is run from. A conflict stops it in git's ordinary
conflicted-merge state; progress is kept in this worktree's git dir so `--continue`
and `--abort` pick up where it stopped. The target branch itself is never touched.

Nothing is lost (see `fleetbot.git.safety`): the state, with the previous tip of every
ref it moves, is saved before the first change; a branch whose commits nothing else
holds is not reset without `--force`; `--abort` restores refs and keeps every edit and
commit it did not make; a lock in the git dir keeps two runs from interleaving.
"""

from __future__ import annotations

import contextlib
import json
import shlex
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import asdict, field, replace
from pathlib import Path

from fleetbot.errors import GitError, UsageError
from fleetbot.fleet.integrate_guard import (
    check_here,
    check_into,
    held_lock,
    names_since_bases,
    overwritten_files,
)
from fleetbot.fleet.status import collisions_of, describe_collision
from fleetbot.fleet.worktrees import merged_issues, row_refs
from fleetbot.frozen import frozen
from fleetbot.git import FLEETBOT_IDENTITY, Git, safety
from fleetbot.git import worktrees as wt
from fleetbot.model import Conflict, ConflictKind, MergeStep, Plan
from fleetbot.render.common import plural

STATE_FILE = "fleetbot-integrate.json"
DEFAULT_INTO = "fleet/integration"
INTEGRATED = "refs/fleetbot/integrated/"  # + into: the last result integrate made itself
KEPT = "refs/fleetbot/kept/"  # + into/<sha>: a tip --abort moved away from, kept


@frozen
class Step:
    issue: str
    branch: str
    label: str = ""
    ref: str = ""  # what is merged: refs/heads/<branch>, or origin's copy when only that exists

    @property
    def source(self) -> str:
        return self.ref or f"refs/heads/{self.branch}"


@frozen
class State:
    """What `--continue`/`--abort` need; saved as JSON in the worktree's git dir."""

    into: str
    target: str
    target_sha: str
    steps: tuple[Step, ...]
    done: tuple[str, ...] = ()
    current: str | None = None  # the issue whose merge stopped
    previous_head: str = ""  # branch name, or a commit id when HEAD was detached
    previous_detached: bool = False
    previous_into: str = ""  # the integration branch's commit before the reset; "" if new
    predicted: tuple[Conflict, ...] = ()  # for the stop message after --continue
    made: tuple[str, ...] = ()  # the merge commits integrate made itself (no resolution)
    restacks: tuple[tuple[str, str], ...] = ()  # (issue, its `git rebase --onto`) to offer

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> State:
        data = json.loads(text)
        data["steps"] = tuple(Step(**s) for s in data["steps"])
        data["done"] = tuple(data["done"])
        data["made"] = tuple(data.get("made", ()))
        data["restacks"] = tuple((str(i), str(c)) for i, c in data.get("restacks", ()))
        data["predicted"] = tuple(
            Conflict(**{**c, "kind": ConflictKind(c["kind"]), "rows": tuple(c["rows"]),
                        "files": tuple(c["files"])})
            for c in data.get("predicted", ()))
        return cls(**data)


@frozen
class Outcome:
    """How a run ended: all merged, or stopped at `stopped` on `files`."""

    into: str
    merged: tuple[str, ...]
    stopped: str | None = None
    files: tuple[str, ...] = ()
    message: str = ""
    notes: tuple[str, ...] = field(default=())


def choose_steps(
    plan: Plan, order: Sequence[MergeStep], *, refs: Mapping[str, str],
    merged: frozenset[str],
) -> tuple[tuple[Step, ...], tuple[str, ...]]:
    """The merges to make, in order, and notes about rows left out (missing / merged).

    `refs` maps issue -> the ref that holds the row's branch (rows without one are missing).
    """
    steps: list[Step] = []
    notes: list[str] = []
    listed = [s.issue for s in order] + [r.issue for r in plan.rows
                                         if r.issue not in {s.issue for s in order}]
    for issue in listed:
        row = plan.by_issue(issue)
        if row is None:
            continue
        if row.issue in merged:
            notes.append(f"{row.label}: already in the target; skipped")
        elif not row.branch:
            notes.append(f"{row.label}: no branch decided yet; skipped")
        elif row.issue not in refs:
            notes.append(f"{row.label}: branch {row.branch} does not exist; skipped")
        else:
            steps.append(Step(row.issue, row.branch, row.label, refs[row.issue]))
    return tuple(steps), tuple(notes)


def stop_message(
    state: State, step: Step, files: Sequence[str], conflicts: Sequence[Conflict],
    culprits: Sequence[str],
) -> str:
    """What stopped, whether it was predicted, and how to resolve and go on."""
    done = ", ".join(state.done) or "nothing yet"
    # no row merged before changed those files: what it meets is the target's own change
    with_rows = ", ".join(culprits) or state.target
    groups = {other: group for other, group in collisions_of(conflicts, step.issue).items()
              if other in state.done}
    seen = [describe_collision(o, g) for o, g in groups.items()]
    seen += [f"{step.issue} no longer merges onto {state.target}" for c in conflicts
             if c.kind is ConflictKind.TARGET and c.rows == (step.issue,)
             and set(files) & set(c.files)][:1]
    said = "as predicted: " + "; ".join(seen) if seen else "not predicted by the plan"
    restack = dict(state.restacks).get(step.issue)
    return "\n".join([
        f"merging {step.label or step.issue} ({step.branch}) into {state.into} stopped: "
        f"conflict with {with_rows} in {', '.join(files)} ({said}).",
        f"Merged so far: {done}.",
        *([f"Its branch carries commits {state.target} holds already: `{restack}` replays "
           "just the rest (run it where the branch is, after `fleetbot integrate --abort`, "
           "then integrate again)."] if restack else []),
        "To resolve: edit the files, `git add` them, then run `fleetbot integrate --continue`.",
        "To give up: `fleetbot integrate --abort` (restores where you were).",
    ])


# ---------------------------------------------------------------- the shell


def state_path(git: Git) -> Path:
    return wt.git_dir(git) / STATE_FILE


def load_state(git: Git) -> State | None:
    path = state_path(git)
    if not path.exists():
        return None
    try:
        return State.from_json(path.read_text(encoding="utf-8"))
    except (ValueError, TypeError, KeyError) as exc:
        raise UsageError(f"{path} is damaged ({exc}); delete it to start over") from exc


def _save(git: Git, state: State) -> None:
    from fleetbot.files import write_atomic

    write_atomic(state_path(git), state.to_json().encode("utf-8"))


def identity_env(git: Git) -> dict[str, str]:
    """The user's identity when configured, else fleetbot's (names only, real dates)."""
    if wt.has_identity(git):
        return {}
    return {k: v for k, v in FLEETBOT_IDENTITY.items() if not k.endswith("_DATE")}


def planned_steps(
    git: Git, plan: Plan, order: Sequence[MergeStep], *, target: str,
    landed: Collection[str] | None = None,
) -> tuple[tuple[Step, ...], tuple[str, ...]]:
    """The merges `start` makes, and the rows it leaves out with why (`choose_steps` over
    the refs git has): what `integrate --dry-run` lists, so it says what a run does."""
    refs = row_refs(git, plan)
    remote_only = [r for r in plan.rows
                   if r.issue in refs and refs[r.issue].startswith("refs/remotes/")]
    found = frozenset(landed) if landed is not None else merged_issues(git, plan.rows, target)
    merged = found | {
        r.issue for r in remote_only if wt.is_ancestor(git, refs[r.issue], target)}
    return choose_steps(plan, order, refs=refs, merged=merged)


def start(
    git: Git, plan: Plan, order: Sequence[MergeStep], *, target: str, into: str = DEFAULT_INTO,
    conflicts: Sequence[Conflict] = (), force: bool = False,
    say: Callable[[str], None] = lambda _: None, landed: Collection[str] | None = None,
    restacks: Mapping[str, str] | None = None,
) -> Outcome:
    """Reset `into` to the target tip here, check it out, and merge the rows in order.
    `landed`: the rows the report that made `order` found landed (asked again if None);
    `restacks`: issue -> the `git rebase --onto` a stop at that row offers."""
    with held_lock(git):
        return _start(git, plan, order, target=target, into=into, conflicts=conflicts,
                      force=force, say=say, landed=landed, restacks=restacks or {})


def _start(
    git: Git, plan: Plan, order: Sequence[MergeStep], *, target: str, into: str,
    conflicts: Sequence[Conflict], force: bool, say: Callable[[str], None],
    landed: Collection[str] | None, restacks: Mapping[str, str],
) -> Outcome:
    if load_state(git) is not None:
        raise UsageError("an integration is already in progress here; run "
                         "`fleetbot integrate --continue` or `fleetbot integrate --abort`")
    check_into(git, plan, into, target)
    into = into.removeprefix("refs/heads/").removeprefix("heads/")
    check_here(git, plan)
    steps, notes = planned_steps(git, plan, order, target=target, landed=landed)
    target_sha = wt.rev(git, target)
    hit = overwritten_files(git, target_sha, steps)
    if hit:
        listed = "; ".join(f"{p} (written by {who})" for p, who in hit.items())
        raise UsageError(f"integrate would overwrite files that are not committed here "
                         f"(untracked or ignored): {listed}; move them out of the worktree "
                         "first (nothing was changed)")
    ref = f"refs/heads/{into}"
    would = safety.gather_ref_move(git, ref, target_sha, step=f"resetting {into} to {target}")
    would = replace(would, keep=(*would.keep, f"or pass --into NEW to leave {into} as it is"))
    branch = wt.current_branch(git)
    guards = [would]
    if branch is None:  # a detached HEAD's own commits would be left on no ref
        here = str(wt.toplevel(git))
        known = safety.read_refs(git)
        lost = safety.lost_commits(git, known, [wt.rev(git, "HEAD")], leaving=[here])
        guards.append(safety.WouldDestroy(f"checking out {into} here", "the detached HEAD",
                                          lost, safety.keep_commands(here, lost)))
    safety.guard(guards, force=force, say=say)
    state = State(
        into=into, target=target, target_sha=target_sha, steps=steps,
        previous_head=branch or wt.rev(git, "HEAD"), previous_detached=branch is None,
        previous_into=wt.rev(git, ref) if wt.branch_exists(git, into) else "",
        predicted=tuple(conflicts), restacks=tuple(sorted(restacks.items())),
    )
    if state.previous_into and not wt.is_ancestor(git, state.previous_into, target_sha):
        notes = (*notes, f"{into} was at {state.previous_into[:12]}; reset to {target} "
                 "(`fleetbot integrate --abort` puts it back)")
    _save(git, state)  # before the first change: --abort can always put things back
    with _explained(git, state):
        git.run("checkout", "--quiet", "-B", into, target_sha,
                error=f"could not reset {into} to {target}")
        outcome = _merge_remaining(git, state)
    return replace(outcome, notes=notes + outcome.notes)


@contextlib.contextmanager
def _explained(git: Git, state: State) -> Iterator[None]:
    """A git failure mid-run also says where the repository is now and how to get back."""
    try:
        yield
    except GitError as exc:
        now = where_now(git, load_state(git) or state)  # the latest saved progress
        raise safety.failed_mid_way(
            exc, f"{now}; `fleetbot integrate --abort` puts everything back") from exc


def where_now(git: Git, state: State) -> str:
    """One line: which branch is checked out, where `into` is, what is merged."""
    branch = wt.current_branch(git) or "a detached HEAD"
    at = wt.rev(git, f"refs/heads/{state.into}")[:12] if wt.branch_exists(
        git, state.into) else "not created"
    done = ", ".join(state.done) or "no row"
    return f"you are on {branch}; {state.into} is at {at}; merged so far: {done}"


def resume(git: Git) -> Outcome:
    """`--continue`: commit the resolved merge (if git still has it open) and go on."""
    with held_lock(git):
        state = _require_state(git)
        with _explained(git, state):
            return _resume(git, state)


def _resume(git: Git, state: State) -> Outcome:
    if state.current is not None:
        step = next(s for s in state.steps if s.issue == state.current)
        if wt.merge_in_progress(git):
            left = wt.conflicted_files(git)
            if left:
                raise UsageError(f"still unmerged: {', '.join(left)}; edit them, `git add` "
                                 "them, then run `fleetbot integrate --continue` again")
            git.run("commit", "--quiet", "--no-edit", env=identity_env(git),
                    error=f"could not commit the merge of {step.branch}")
        elif not wt.is_ancestor(git, step.source, "HEAD"):
            raise UsageError(f"the merge of {step.branch} is neither in progress nor committed "
                             f"on {state.into}; run `fleetbot integrate --abort` to start over")
        state = replace(state, done=(*state.done, step.issue), current=None)
        _save(git, state)
    ops = safety.gather_operations(wt.git_dir(git))
    if ops:
        raise UsageError(f"a {ops[0].value} is in progress here; finish it first "
                         f"({ops[0].finish}), then run `fleetbot integrate --continue`")
    return _merge_remaining(git, state)


def _require_state(git: Git) -> State:
    state = load_state(git)
    if state is None:
        raise UsageError("no integration in progress in this worktree; run `fleetbot integrate`")
    if wt.current_branch(git) != state.into:
        raise UsageError(f"{state.into} is not checked out here; check it out, or run "
                         "`fleetbot integrate --abort`")
    return state


def _merge_remaining(git: Git, state: State) -> Outcome:
    env = identity_env(git)
    head = ""
    for step in state.steps:
        if step.issue in state.done:
            continue
        before = head or wt.rev(git, "HEAD")
        proc = git.run_full(
            "merge", "--no-ff", "--no-edit", "-m",
            f"Merge {step.label or step.issue} ({step.branch}) [fleetbot integrate]",
            step.source, check=False, env=env,
        )
        if proc.returncode == 0:
            head = wt.rev(git, "HEAD")
            made = (*state.made, head) if head != before else state.made
            state = replace(state, done=(*state.done, step.issue), made=made)
            _save(git, state)
            continue
        files = wt.conflicted_files(git) if wt.merge_in_progress(git) else ()
        if not files:
            _save(git, replace(state, current=None))
            raise GitError(f"merging {step.branch} into {state.into} failed",
                           argv=["git", "merge", step.source], code=proc.returncode,
                           stderr=proc.stderr or proc.stdout,
                           hint="fix the cause, then `fleetbot integrate --continue`, or "
                                "`--abort`")
        state = replace(state, current=step.issue)
        _save(git, state)
        culprits = _culprits(git, state, files)
        return Outcome(state.into, state.done, step.issue, files,
                       stop_message(state, step, files, state.predicted, culprits))
    git.run("update-ref", "-m", "fleetbot integrate", f"{INTEGRATED}{state.into}", "HEAD")
    state_path(git).unlink(missing_ok=True)
    return Outcome(state.into, state.done,
                   message=f"{state.into} has {'all ' if len(state.done) > 1 else ''}"
                           f"{plural(len(state.done), 'row')} merged onto "
                           f"{state.target} ({', '.join(state.done) or 'none'}); "
                           f"{state.target} itself is untouched (to land it: "
                           f"`{shlex.join(['git', 'checkout', state.target])} && "
                           f"{shlex.join(['git', 'merge', '--ff-only', state.into])}`, "
                           "or open a PR from it)")


def _culprits(git: Git, state: State, files: Sequence[str]) -> tuple[str, ...]:
    """The rows merged before that changed the conflicted files."""
    want = set(files)
    done = [step for step in state.steps if step.issue in state.done]
    changed = names_since_bases(git, state.target_sha, [step.source for step in done])
    return tuple(step.issue for step, paths in zip(done, changed, strict=True)
                 if want & set(paths))


__all__ = ["DEFAULT_INTO", "Outcome", "State", "Step", "choose_steps", "resume",
           "start"]
