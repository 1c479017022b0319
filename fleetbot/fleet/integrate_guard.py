"""The pre-flight of `fleetbot integrate`: the lock and every refusal before a change.

One run at a time per repository; never in a row's worktree, during an operation in
progress, on a dirty tree, into the target (in any spelling) or a branch checked out
elsewhere, or over untracked and ignored files a merge would overwrite.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from fleetbot.errors import UsageError
from fleetbot.git import Git, safety
from fleetbot.git import worktrees as wt
from fleetbot.git.facts import changed_files_many, parse_symmetric_ranges
from fleetbot.model import Plan

if TYPE_CHECKING:
    from fleetbot.fleet.integrate import Step

LOCK_FILE = "fleetbot-integrate.lock"


@contextlib.contextmanager
def held_lock(git: Git) -> Iterator[None]:
    """One integrate at a time per repository (all its worktrees): an flock in the common
    git dir, released by the kernel even when the process is killed."""
    common = git.layout().common_dir
    fd = os.open(common / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise UsageError(f"another `fleetbot integrate` is running in this repository "
                             f"(pid {pid}); wait for it to finish, then run again") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        yield
    finally:
        os.close(fd)


def check_into(git: Git, plan: Plan, into: str, target: str) -> None:
    """Refuse an --into that is the target (any spelling), a row's branch, a remote one,
    not a branch name, or checked out in another worktree."""
    if wt.branch_name(git, into) == wt.branch_name(git, target):
        raise UsageError(f"--into {into} is the target branch ({target}); integrate never "
                         "touches it: pass another --into")
    local = into.removeprefix("refs/heads/").removeprefix("heads/")
    if local != wt.branch_name(git, into) or local.startswith("refs/"):
        raise UsageError(f"--into {into} is a remote-tracking ref; name a local branch")
    if git.run_full("check-ref-format", "--branch", local, check=False).returncode != 0:
        raise UsageError(f"--into {into} is not a valid branch name")
    owner = next((r for r in plan.rows if r.branch and wt.branch_name(git, r.branch) == local),
                 None)
    if owner is not None:
        raise UsageError(f"--into {into} is the branch of {owner.label}; integrate would reset "
                         "it: pass another --into")
    here = str(wt.toplevel(git).resolve())
    other = next((w for w in wt.list_worktrees(git) if w.branch == local
                  and str(Path(w.path).resolve()) != here), None)
    if other is not None:
        raise UsageError(f"{local} is checked out in {other.path}; run integrate there or "
                         "pass another --into")


def check_here(git: Git, plan: Plan) -> None:
    """Refuse a row's own worktree, a dirty tree, and any operation in progress."""
    trees = wt.list_worktrees(git)
    here = str(wt.toplevel(git).resolve())
    mine = next((w for w in trees if str(Path(w.path).resolve()) == here), None)
    row = next((r for r in plan.rows if mine is not None and not mine.main and r.branch
                and r.branch == mine.branch), None)
    if row is not None:
        raise UsageError(f"this is the worktree of {row.label} ({row.branch}); run "
                         f"`fleetbot integrate` from the main worktree {trees[0].path}")
    ops = safety.gather_operations(wt.git_dir(git))
    if ops:
        raise UsageError(f"a {ops[0].value} is in progress here; finish it first "
                         f"({ops[0].finish}): integrate never runs in the middle of one")
    dirty = wt.dirty_files(git, untracked=False)
    if dirty:
        raise UsageError(f"this worktree is not clean ({', '.join(dirty)}); commit or stash "
                         "first: integrate never merges into a dirty tree")


def overwritten_files(git: Git, target_sha: str, steps: Sequence[Step]) -> dict[str, str]:
    """Untracked and ignored files here that the reset or a merge would overwrite:
    path -> who writes it (the target or a row)."""
    writers: dict[str, str] = {}
    for path in names(git, "HEAD", target_sha):
        writers.setdefault(path, "the target")
    for step, paths in zip(steps, names_since_bases(git, target_sha,
                                                    [s.source for s in steps]), strict=True):
        for path in paths:
            writers.setdefault(path, step.label or step.issue)
    tracked = set(split(git.run("ls-files", "-z")))
    root = wt.toplevel(git)
    return {p: who for p, who in sorted(writers.items())
            if p not in tracked and os.path.lexists(root / p)}


def names(git: Git, *revs: str) -> list[str]:
    """Paths `git diff --name-only` lists between `revs`."""
    return split(git.run("diff", "--name-only", "--no-renames", "-z", *revs, "--"))


def names_since_bases(git: Git, target_sha: str, sources: Sequence[str]) -> list[list[str]]:
    """For each source, the paths `names(git, f"{target_sha}...{source}")` lists (changed
    since its merge-base with the target, both names of a rename), in two processes for
    all of them: one `rev-parse` of the ranges, one `diff-tree --stdin`."""
    if not sources:
        return []
    ranges = parse_symmetric_ranges(git.run("rev-parse", *(f"{target_sha}...{s}"
                                                            for s in sources)))
    if len(ranges) != len(sources) or any(base is None for _, base in ranges):
        return [names(git, f"{target_sha}...{s}") for s in sources]  # git says why
    changes = changed_files_many(git, [(base or "", head) for head, base in ranges])
    return [sorted({p for c in found for p in (c.path, c.old_path) if p})
            for found in changes]


def split(text: str) -> list[str]:
    """NUL-separated git output -> its non-empty fields."""
    return [p for p in text.split("\0") if p]


__all__ = ["check_here", "check_into", "held_lock", "names", "names_since_bases",
           "overwritten_files", "split"]
