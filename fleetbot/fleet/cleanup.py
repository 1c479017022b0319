"""`fleetbot cleanup`: which landed rows' worktrees and branches go, decided purely.

`plan_cleanup` decides over facts: `RowFacts.merged` (has the row landed — swappable for
any landed detector) and each row's `RowGuard` (what the safety rule finds). The shell
(`gather_guards`, `apply_cleanup`) reads git and carries the decision out; it never runs a
blanket `git worktree prune`.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from fleetbot.fleet.worktrees import (
    RowFacts,
    main_root,
    norm,
    said_so_far,
    worktree_of,
    worktree_path,
)
from fleetbot.frozen import frozen
from fleetbot.git import Git, output_lines, safety
from fleetbot.git import worktrees as wt
from fleetbot.git.mergetree import merge_many, target_attributes
from fleetbot.model import Plan
from fleetbot.render.common import plural


@frozen
class RowGuard:
    """What removing a landed row's worktree and deleting its branch would destroy."""

    issue: str
    tree: safety.WouldDestroy | None = None  # removing its worktree (rule 1)
    gone: str = ""  # its worktree's folder is missing: only git's entry would be forgotten
    foreign: str = ""  # its branch is checked out here, which is not its fleet worktree
    unmerged: tuple[str, ...] = ()  # commits whose content the target does not have


@frozen
class CleanupStep:
    issue: str
    branch: str
    worktree: str
    remove_worktree: bool = False
    forget_worktree: bool = False  # the folder is gone: drop only this row's entry
    delete_branch: bool = False
    refused: str = ""  # why the worktree stays although the row has landed
    kept: str = ""  # why the row is left alone
    loses: tuple[str, ...] = ()  # what --force throws away (or what the refusal lists)
    keep: tuple[str, ...] = ()  # the commands that keep it
    branch_kept: str = ""  # why the branch stays although the worktree goes
    branch_loses: tuple[str, ...] = ()  # commits --force deletes with the branch


def plan_cleanup(
    facts: Sequence[RowFacts], *, force: bool, delete_branches: bool, here: str = "",
    guards: Mapping[str, RowGuard] | None = None, protected: Mapping[str, str] | None = None,
) -> tuple[CleanupStep, ...]:
    """Which worktrees (and branches) of landed rows go, which are refused and why.

    `RowFacts.merged` says whether a row has landed. A worktree goes only when the safety
    rule finds nothing in it to lose (or `force`, and then the step lists it); never the
    main worktree, one that fleetbot runs inside, a locked one, or one fan-out did not
    make. A branch goes only with its worktree, never a `protected` one (the target, the
    default branch) nor one with commits the target does not have.
    """
    guards = guards or {}
    protected = protected or {}
    out: list[CleanupStep] = []
    for f in facts:
        base = CleanupStep(f.issue, f.branch, f.worktree)
        guard = guards.get(f.issue, RowGuard(f.issue))
        if not f.local:
            out.append(replace(base, kept="no local branch (only origin's)" if f.branch_exists
                               else "branch does not exist" if f.branch
                               else "no branch decided yet"))
            continue
        if f.branch in protected:  # a row naming the target is a plan error: never touched
            out.append(replace(base, branch_kept=f"{f.branch} is {protected[f.branch]}; "
                                                 "never deleted"))
            continue
        if not f.merged:
            out.append(replace(base, kept="not landed on the target"))
            continue
        if f.worktree and f.main:
            out.append(replace(base, kept="checked out in the main worktree (never removed)"))
            continue
        if f.worktree and here and _inside(here, f.worktree):
            out.append(replace(base, refused="fleetbot runs in this worktree; run cleanup "
                                "from another one (e.g. the main worktree)"))
            continue
        if guard.foreign:
            out.append(replace(base, kept=f"checked out at {guard.foreign}, which fan-out did "
                                          "not make; remove that worktree yourself"))
            continue
        step = _tree_step(replace(base, worktree=f.worktree or guard.gone), guard, force)
        if step.refused or not delete_branches:
            out.append(step)
            continue
        out.append(_branch_step(step, guard, protected, force))
    return tuple(out)


def _tree_step(step: CleanupStep, guard: RowGuard, force: bool) -> CleanupStep:
    would = guard.tree
    lines = safety.loss_lines(would) if would is not None else ()
    keep = would.keep if would is not None else ()
    if would is not None and would.hard:
        (loss, *_) = would.hard
        unlock = shlex.join(["git", "worktree", "unlock", step.worktree])
        why = (f"locked ({loss.what}); `{unlock}` first if it may go"
               if loss.kind is safety.LossKind.LOCK else
               f"a {loss.what} is in progress there; finish it first")
        return replace(step, refused=f"{why} (--force does not override this)", loses=lines)
    if lines and not force:
        kinds = sorted({x.kind.value for x in would.losses}) if would else []
        return replace(step, refused=f"it holds {', '.join(kinds)} work (listed below); keep "
                                     "it, or pass --force to throw it away",
                       loses=lines, keep=keep)
    if guard.gone:
        return replace(step, forget_worktree=True, loses=lines)
    return replace(step, remove_worktree=bool(step.worktree), loses=lines)


def _branch_step(step: CleanupStep, guard: RowGuard, protected: Mapping[str, str],
                 force: bool) -> CleanupStep:
    if step.branch in protected:
        return replace(step, branch_kept=f"{step.branch} is {protected[step.branch]}; "
                                         "never deleted")
    if guard.unmerged and not force:
        return replace(step, branch_kept=f"{plural(len(guard.unmerged), 'commit')} whose "
                                         "content the target does not have "
                                         f"({guard.unmerged[0]}); --force deletes it")
    return replace(step, delete_branch=True, branch_loses=guard.unmerged)


def _inside(here: str, tree: str) -> bool:
    """Whether the folder `here` is `tree` or under it."""
    return Path(norm(here)).is_relative_to(norm(tree))


def gather_guards(git: Git, plan: Plan, facts: Sequence[RowFacts], target: str,
                  ) -> dict[str, RowGuard]:
    """The safety rule for every landed row that has a worktree or a branch to remove."""
    refs = safety.read_refs(git)
    trees = wt.list_worktrees(git)
    root = main_root(trees)
    out: dict[str, RowGuard] = {}
    landed = [f.branch for f in facts
              if plan.by_issue(f.issue) is not None and f.merged and f.local]
    unlanded = _unlanded_commits(git, landed, target)
    for f in facts:
        row = plan.by_issue(f.issue)
        if row is None or not f.merged or not f.local:
            continue
        unmerged = unlanded.get(f.branch, ())
        tree = worktree_of(trees, f.branch)
        if tree is None or tree.main:
            out[f.issue] = RowGuard(f.issue, unmerged=unmerged)
            continue
        if norm(tree.path) != str(worktree_path(row, root)):
            out[f.issue] = RowGuard(f.issue, foreign=tree.path, unmerged=unmerged)
            continue
        locked = (tree.lock_reason or "no reason given") if tree.locked else None
        would = safety.gather_worktree(git, tree.path, step="git worktree remove",
                                       locked=locked, branch=f.branch, refs=refs)
        gone = tree.path if not Path(tree.path).is_dir() else ""
        out[f.issue] = RowGuard(f.issue, would, gone=gone, unmerged=unmerged)
    return out


def _unlanded_commits(git: Git, branches: Sequence[str], target: str,
                      ) -> dict[str, tuple[str, ...]]:
    """Each branch's commits the target lacks, unless their content is all in the target.

    Content is in the target when merging the branch into it changes nothing (a squash
    or rebase landing, a cherry-pick): the merge's tree is the target's own. The merges
    use the target's attributes only, like every prediction, all in one `merge_many`.
    """
    commits = {b: tuple(output_lines(git.run("log", "--format=%h %s", f"refs/heads/{b}",
                                             "--not", target, "--"))) for b in branches}
    ahead = [b for b in branches if commits[b]]
    if not ahead:
        return {}
    target_sha, target_tree, *tips = git.run(
        "rev-parse", f"{target}^{{commit}}", f"{target}^{{tree}}",
        *(f"refs/heads/{b}^{{commit}}" for b in ahead)).split()
    with target_attributes(git, target_sha) as mgit:
        merged = merge_many(mgit, [(target_sha, tip) for tip in tips])
    return {b: commits[b] for b, m in zip(ahead, merged, strict=True)
            if not (m.clean and m.tree == target_tree)}


def protected_branches(git: Git, target: str) -> dict[str, str]:
    """Branches cleanup never deletes: the target and the remote's default branch."""
    out = {wt.branch_name(git, target): "the target"}
    proc = git.run_full("symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD",
                        check=False)
    if proc.returncode == 0 and proc.stdout.strip():
        out.setdefault(wt.branch_name(git, proc.stdout.strip()), "the default branch")
    return out


def apply_cleanup(git: Git, steps: Sequence[CleanupStep]) -> None:
    """Carry the plan out; never a blanket `git worktree prune` (other people's worktrees
    on an unmounted disk would lose their admin dir)."""
    done: list[str] = []
    for s in steps:
        with said_so_far("cleanup", done):
            if s.remove_worktree:
                wt.remove_worktree(git, s.worktree, force=bool(s.loses))
            elif s.forget_worktree:
                wt.remove_worktree(git, s.worktree)  # folder gone: drops only this entry
        if s.remove_worktree or s.forget_worktree:
            done.append(f"the worktree of {s.issue}")
    for s in steps:
        if s.delete_branch:
            with said_so_far("cleanup", done):
                git.run("branch", "-D", s.branch,
                        error=f"could not delete the branch {s.branch}")
            done.append(f"the branch {s.branch}")


__all__ = ["CleanupStep", "RowGuard", "apply_cleanup", "gather_guards", "plan_cleanup",
           "protected_branches"]
