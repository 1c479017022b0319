"""`fleetbot integrate --abort`: put back every ref integrate moved, lose nothing else.

The stopped merge is undone only on the paths it wrote; edits and new files made during
the run go to the stash while the branch moves and come back after (or stay there, said
so); a tip holding commits integrate did not make is kept under refs/fleetbot/kept/.
When something cannot be restored the state stays and the message says what is left.
"""

from __future__ import annotations

import contextlib
import shlex

from fleetbot.errors import UsageError
from fleetbot.fleet.integrate import KEPT, State, identity_env, load_state, state_path
from fleetbot.fleet.integrate_guard import held_lock, names, split
from fleetbot.git import Git
from fleetbot.git import worktrees as wt
from fleetbot.render.common import plural


def abort(git: Git) -> str:
    """`--abort`: drop the stopped merge, put every ref it moved and HEAD back.

    Edits and commits it did not make are kept: the merge is undone path by path (only the
    paths it wrote), other edits go to the stash while the branch moves and come back after
    (or stay in the stash), and a tip holding commits of yours is kept under
    refs/fleetbot/kept/ before the branch moves.
    """
    with held_lock(git):
        state = load_state(git)
        if state is None:
            raise UsageError("no integration in progress in this worktree; run "
                             "`fleetbot integrate`")
        return _abort(git, state)


def _abort(git: Git, state: State) -> str:
    said: list[str] = []
    failed: list[str] = []
    on_into = wt.current_branch(git) == state.into
    if on_into and wt.merge_in_progress(git):
        _undo_merge(git)
    ref = f"refs/heads/{state.into}"
    restore = state.previous_into
    if wt.branch_exists(git, state.into):
        kept = _keep_foreign_commits(git, state)
        if kept:
            said.append(kept)
    stashed = on_into and _stash_edits(git)
    if on_into and state.previous_head == state.into and not state.previous_detached:
        if restore and _try(git, failed, f"put {state.into} back at {restore[:12]}",
                            "reset", "--quiet", "--keep", restore):
            said.append(f"{state.into} back at {restore[:12]}")
    else:
        if on_into:
            target = (("--detach", state.previous_head) if state.previous_detached
                      else (state.previous_head,))
            _try(git, failed, f"switch back to {state.previous_head}", "checkout", "--quiet",
                 *target)
        if wt.current_branch(git) == state.into:
            failed.append(f"{state.into} is still checked out here, so it was not restored")
        elif restore:
            if _try(git, failed, f"put {state.into} back at {restore[:12]}",
                    "update-ref", "-m", "fleetbot integrate --abort", ref, restore):
                said.append(f"{state.into} back at {restore[:12]}")
        elif wt.branch_exists(git, state.into) and _try(
                git, failed, f"delete {state.into}", "branch", "--quiet", "-D", state.into):
            said.append(f"{state.into} deleted (integrate had created it)")
    if stashed:
        if git.run_full("stash", "pop", "--quiet", "--index", check=False).returncode == 0:
            said.append("your edits are back in place")
        else:
            said.append("your edits did not re-apply cleanly; they are kept in the stash "
                        "(`git stash list`; `git stash pop` brings them back)")
    branch = wt.current_branch(git)
    where = branch or wt.rev(git, "HEAD")[:12]
    if failed:  # the state stays, so the next --abort picks up what is left
        raise UsageError("integration abort incomplete: " + "; ".join(failed) + ". "
                         + "".join(f"{x}. " for x in said) + f"You are on {where}; fix the "
                         "above and run `fleetbot integrate --abort` again")
    state_path(git).unlink(missing_ok=True)
    return f"integration aborted: {'; '.join(said) or 'nothing to restore'}; you are on {where}"


def _try(git: Git, failed: list[str], what: str, *args: str) -> bool:
    proc = git.run_full(*args, check=False)
    if proc.returncode == 0:
        return True
    why = ((proc.stderr or proc.stdout).strip().splitlines() or ["no message"])[-1]
    failed.append(f"could not {what} (`{shlex.join(['git', *args])}`: {why})")
    return False


def _stash_edits(git: Git) -> bool:
    """Put edits made during the run (tracked and untracked, not ignored) in the stash, so
    moving the branch cannot touch them; False when there were none."""
    if not git.run("status", "--porcelain", "-z", "--untracked-files=all"):
        return False
    git.run("stash", "push", "--quiet", "--include-untracked", "-m",
            "fleetbot integrate --abort: edits made during the integration",
            env=identity_env(git), error="could not set your edits aside before aborting",
            hint="nothing was moved; commit or stash them yourself, then --abort again")
    return True


def _undo_merge(git: Git) -> None:
    """Undo a stopped merge on the paths it wrote only, then forget it (`merge --quit`):
    an edit or a new file the user made meanwhile elsewhere stays."""
    merge_paths = set(names(git, "HEAD...MERGE_HEAD")) | set(wt.conflicted_files(git))
    in_head = set(split(git.run("ls-tree", "-r", "-z", "--name-only", "HEAD", "--",
                                 *(f":(literal){p}" for p in merge_paths)))) if merge_paths \
        else set()
    restore = sorted(merge_paths & in_head)
    added = sorted(merge_paths - in_head)
    if restore:
        git.run("checkout", "--quiet", "HEAD", "--", *(f":(literal){p}" for p in restore),
                error="could not undo the stopped merge")
    if added:
        git.run("rm", "-q", "--cached", "-f", "--ignore-unmatch", "--",
                *(f":(literal){p}" for p in added), error="could not undo the stopped merge")
        root = wt.toplevel(git)
        for p in added:
            with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                (root / p).unlink()
    git.run("merge", "--quit", error="could not forget the stopped merge")


def _keep_foreign_commits(git: Git, state: State) -> str:
    """Commits on `into` that integrate did not make (yours, or a merge you resolved):
    keep the tip under refs/fleetbot/kept/ so moving the branch loses nothing."""
    tip = wt.rev(git, f"refs/heads/{state.into}")
    keepers = [state.previous_into, state.target_sha, *_row_tips(git, state)]
    stdin = "\n".join([tip, *(f"^{k}" for k in keepers if k)]) + "\n"
    out = git.run("rev-list", "--stdin", input=stdin)
    foreign = [c for c in out.split() if c not in set(state.made)]
    if not foreign:
        return ""
    name = f"{KEPT}{state.into}/{tip[:12]}"
    git.run("update-ref", name, tip, error=f"could not keep {tip[:12]}")
    return (f"kept {plural(len(foreign), 'commit')} integrate did not make ({tip[:12]}) at {name}: "
            f"`{shlex.join(['git', 'branch', 'NAME', name])}` to work on them")


def _row_tips(git: Git, state: State) -> list[str]:
    out = []
    for step in state.steps:
        if wt.ref_exists(git, step.source):
            out.append(wt.rev(git, step.source))
    return out


__all__ = ["abort"]
