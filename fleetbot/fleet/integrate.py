"""`fleetbot integrate`: the fan-in without a forge, on an integration branch.

Real `git merge --no-ff` of each row in the recommended order onto a branch reset to
the target tip, in the worktree it is run from. A conflict stops it in git's ordinary
conflicted-merge state; progress is kept in this worktree's git dir so `--continue`
and `--abort` pick up where it stopped. The target branch itself is never touched.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from fleetbot.errors import GitError, UsageError
from fleetbot.fleet.status import collisions_of, describe_collision
from fleetbot.fleet.worktrees import merged_issues, row_refs
from fleetbot.git import FLEETBOT_IDENTITY, Git
from fleetbot.git import worktrees as wt
from fleetbot.model import Conflict, ConflictKind, MergeStep, Plan

STATE_FILE = "fleetbot-integrate.json"
DEFAULT_INTO = "fleet/integration"


@dataclass(frozen=True)
class Step:
    issue: str
    branch: str
    label: str = ""
    ref: str = ""  # what is merged: refs/heads/<branch>, or origin's copy when only that exists

    @property
    def source(self) -> str:
        return self.ref or f"refs/heads/{self.branch}"


@dataclass(frozen=True)
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

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> State:
        data = json.loads(text)
        data["steps"] = tuple(Step(**s) for s in data["steps"])
        data["done"] = tuple(data["done"])
        data["predicted"] = tuple(
            Conflict(**{**c, "kind": ConflictKind(c["kind"]), "rows": tuple(c["rows"]),
                        "files": tuple(c["files"])})
            for c in data.get("predicted", ()))
        return cls(**data)


@dataclass(frozen=True)
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
    with_rows = ", ".join(culprits) or "the rows merged before it"
    groups = {other: group for other, group in collisions_of(conflicts, step.issue).items()
              if other in state.done}
    said = "not predicted by the plan"
    if groups:
        said = "as predicted: " + "; ".join(describe_collision(o, g) for o, g in groups.items())
    return "\n".join([
        f"merging {step.label or step.issue} ({step.branch}) into {state.into} stopped: "
        f"conflict with {with_rows} in {', '.join(files)} ({said}).",
        f"Merged so far: {done}.",
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
    state_path(git).write_text(state.to_json(), encoding="utf-8")


def identity_env(git: Git) -> dict[str, str]:
    """The user's identity when configured, else fleetbot's (names only, real dates)."""
    if wt.has_identity(git):
        return {}
    return {k: v for k, v in FLEETBOT_IDENTITY.items() if not k.endswith("_DATE")}


def start(
    git: Git, plan: Plan, order: Sequence[MergeStep], *, target: str, into: str = DEFAULT_INTO,
    conflicts: Sequence[Conflict] = (),
) -> Outcome:
    """Reset `into` to the target tip here, check it out, and merge the rows in order."""
    if load_state(git) is not None:
        raise UsageError("an integration is already in progress here; run "
                         "`fleetbot integrate --continue` or `fleetbot integrate --abort`")
    if into == target or into in (target.removeprefix("refs/heads/"),):
        raise UsageError(f"--into {into} is the target branch; integrate never touches it")
    owner = next((r for r in plan.rows if r.branch == into), None)
    if owner is not None:
        raise UsageError(f"--into {into} is the branch of {owner.label}; integrate would reset "
                         "it: pass another --into")
    dirty = wt.dirty_files(git, untracked=False)
    if dirty or wt.merge_in_progress(git):
        what = ", ".join(dirty) or "a merge is in progress"
        raise UsageError(f"this worktree is not clean ({what}); commit or stash first: "
                         "integrate never merges into a dirty tree")
    here = str(wt.toplevel(git).resolve())
    other = next((w for w in wt.list_worktrees(git) if w.branch == into
                  and str(Path(w.path).resolve()) != here), None)
    if other is not None:
        raise UsageError(f"{into} is checked out in {other.path}; run integrate there or "
                         "pass another --into")
    refs = row_refs(git, plan)
    remote_only = [r for r in plan.rows
                   if r.issue in refs and refs[r.issue].startswith("refs/remotes/")]
    merged = merged_issues(git, plan.rows, target) | {
        r.issue for r in remote_only if wt.is_ancestor(git, refs[r.issue], target)}
    steps, notes = choose_steps(plan, order, refs=refs, merged=merged)
    branch = wt.current_branch(git)
    state = State(
        into=into, target=target, target_sha=wt.rev(git, target), steps=steps,
        previous_head=branch or wt.rev(git, "HEAD"), previous_detached=branch is None,
        previous_into=wt.rev(git, f"refs/heads/{into}") if wt.branch_exists(git, into) else "",
        predicted=tuple(conflicts),
    )
    if state.previous_into and not wt.is_ancestor(git, state.previous_into, state.target_sha):
        notes = (*notes, f"{into} was at {state.previous_into[:12]}; reset to {target} "
                 "(`fleetbot integrate --abort` puts it back)")
    git.run("checkout", "--quiet", "-B", into, state.target_sha,
            error=f"could not reset {into} to {target}")
    _save(git, state)
    outcome = _merge_remaining(git, state)
    return replace(outcome, notes=notes + outcome.notes)


def resume(git: Git) -> Outcome:
    """`--continue`: commit the resolved merge (if git still has it open) and go on."""
    state = _require_state(git)
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
    return _merge_remaining(git, state)


def abort(git: Git) -> str:
    """`--abort`: drop a stopped merge, put the integration branch and HEAD back."""
    state = _require_state(git)
    if wt.merge_in_progress(git):
        git.run("merge", "--abort", error="could not abort the stopped merge")
    if state.previous_detached:
        git.run("checkout", "--quiet", "--detach", state.previous_head)
    elif state.previous_head != state.into:
        git.run("checkout", "--quiet", state.previous_head)
    if state.previous_head == state.into and not state.previous_detached:
        git.run("reset", "--quiet", "--hard", state.previous_into or state.target_sha)
    elif state.previous_into:
        git.run("branch", "--quiet", "--force", state.into, state.previous_into)
    else:
        git.run("branch", "--quiet", "-D", state.into)
    state_path(git).unlink()
    where = state.previous_head[:12] if state.previous_detached else state.previous_head
    kept = f"back at {state.previous_into[:12]}" if state.previous_into else "deleted"
    return f"integration aborted: {state.into} {kept}; you are on {where} again"


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
    for step in state.steps:
        if step.issue in state.done:
            continue
        proc = git.run_full(
            "merge", "--no-ff", "--no-edit", "-m",
            f"Merge {step.label or step.issue} ({step.branch}) [fleetbot integrate]",
            step.source, check=False, env=env,
        )
        if proc.returncode == 0:
            state = replace(state, done=(*state.done, step.issue))
            _save(git, state)
            continue
        if not wt.merge_in_progress(git):
            _save(git, replace(state, current=None))
            raise GitError(f"merging {step.branch} into {state.into} failed before it started",
                           argv=["git", "merge", step.branch], code=proc.returncode,
                           stderr=proc.stderr or proc.stdout,
                           hint="fix the cause, then `fleetbot integrate --abort` and re-run")
        files = wt.conflicted_files(git)
        state = replace(state, current=step.issue)
        _save(git, state)
        culprits = _culprits(git, state, files)
        return Outcome(state.into, state.done, step.issue, files,
                       stop_message(state, step, files, state.predicted, culprits))
    state_path(git).unlink(missing_ok=True)
    return Outcome(state.into, state.done,
                   message=f"{state.into} has all {len(state.done)} row(s) merged onto "
                           f"{state.target} ({', '.join(state.done) or 'none'}); "
                           f"{state.target} itself is untouched (to land it: "
                           f"`git checkout {state.target} && git merge --ff-only {state.into}`, "
                           "or open a PR from it)")


def _culprits(git: Git, state: State, files: Sequence[str]) -> tuple[str, ...]:
    """The rows merged before that changed the conflicted files."""
    out: list[str] = []
    want = set(files)
    for step in state.steps:
        if step.issue not in state.done:
            continue
        base = git.run("merge-base", state.target_sha, step.source).strip()
        changed = git.run("diff", "--name-only", "-z", base, step.source, "--")
        if want & {p for p in changed.split("\0") if p}:
            out.append(step.issue)
    return tuple(out)


__all__ = ["DEFAULT_INTO", "Outcome", "State", "Step", "abort", "choose_steps", "resume",
           "start"]
