"""Which refs fleetbot reads: the target and each row's branch, local vs remote-tracking.

The target is the remote's default branch as fetched (`origin/HEAD` -> `origin/main`), the
local branch only where there is no remote: a stale local `main` after `git fetch` must
not hide merges that already happened. A row's branch is whichever of `feature/x` and
`origin/feature/x` contains the other; when they diverge, the local one is read and the
divergence is said. Parsers are pure; the git questions are batched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial

from fleetbot.errors import GitError
from fleetbot.frozen import frozen
from fleetbot.git import Git, output_lines
from fleetbot.git.jobs import parallel

REMOTE = "origin"


@frozen
class RefTable:
    """Every local branch and remote-tracking ref with its commit, read in one call."""

    shas: Mapping[str, str]  # full refname -> object id
    symrefs: Mapping[str, str]  # full refname -> full refname it points to

    @property
    def has_remote(self) -> bool:
        return any(name.startswith(f"refs/remotes/{REMOTE}/") for name in self.shas)


@frozen
class Target:
    """The branch the fleet merges into: the name reports show, the ref read, its commit."""

    name: str  # "main"
    ref: str  # "origin/main" or "main"
    sha: str
    notes: tuple[str, ...] = ()  # e.g. the local branch is ahead of the remote's


@frozen
class RowRef:
    """The ref read for one row's branch and its commit."""

    issue: str
    branch: str
    ref: str  # "feature/x" or "origin/feature/x"
    sha: str
    note: str = ""  # divergence between the local and the remote-tracking branch


def parse_refs(text: str) -> RefTable:
    """`for-each-ref --format='%(objectname) %(refname) %(symref)'` -> RefTable.

    Ref names cannot contain spaces, so splitting on them is safe.
    """
    shas: dict[str, str] = {}
    symrefs: dict[str, str] = {}
    for line in output_lines(text):
        parts = line.split(" ")
        if len(parts) < 2 or not parts[0]:
            continue
        shas[parts[1]] = parts[0]
        if len(parts) > 2 and parts[2]:
            symrefs[parts[1]] = parts[2]
    return RefTable(shas, symrefs)


def default_target_name(refs: RefTable) -> str | None:
    """The repo's default branch: what origin/HEAD points at, else main, else master."""
    pointed = refs.symrefs.get(f"refs/remotes/{REMOTE}/HEAD", "")
    prefix = f"refs/remotes/{REMOTE}/"
    if pointed.startswith(prefix) and pointed in refs.shas:
        return pointed[len(prefix):]
    for name in ("main", "master"):
        if f"refs/heads/{name}" in refs.shas or f"refs/remotes/{REMOTE}/{name}" in refs.shas:
            return name
    return None


def branch_candidates(refs: RefTable, branch: str) -> tuple[tuple[str, str], ...]:
    """(short ref, sha) of the local and the remote-tracking branch that exist, local first."""
    out = []
    for full, short in (
        (f"refs/heads/{branch}", branch),
        (f"refs/remotes/{REMOTE}/{branch}", f"{REMOTE}/{branch}"),
    ):
        if full in refs.shas:
            out.append((short, refs.shas[full]))
    return tuple(out)


def meant_branch(refs: RefTable, branch: str) -> str | None:
    """The existing branch a plan's missing `branch` most likely means: the same name
    written as a ref (`refs/heads/x`, `origin/x`, `refs/remotes/origin/x`) or in other
    letter case (`Feature/X`), when exactly one branch here or on origin is so named."""
    if not branch:
        return None
    names = {full.removeprefix("refs/heads/") for full in refs.shas
             if full.startswith("refs/heads/")}
    names |= {full.removeprefix(f"refs/remotes/{REMOTE}/") for full in refs.shas
              if full.startswith(f"refs/remotes/{REMOTE}/") and not full.endswith("/HEAD")}
    for prefix in ("refs/heads/", f"refs/remotes/{REMOTE}/", f"{REMOTE}/"):
        short = branch.removeprefix(prefix)
        if short != branch and short in names:
            return short
    same = [n for n in names if n.casefold() == branch.casefold() and n != branch]
    return same[0] if len(same) == 1 else None


def parse_left_right(text: str) -> tuple[int, int]:
    """`rev-list --left-right --count A...B` -> (only in A, only in B)."""
    parts = text.split()
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return (0, 0)
    return int(parts[0]), int(parts[1])


def pick_newer(local: tuple[str, str], remote: tuple[str, str], counts: tuple[int, int],
               ) -> tuple[tuple[str, str], str]:
    """Of a local and a remote-tracking ref whose commits differ, the one that contains the
    other, and a note when they diverge (then the local one: it holds the user's work).
    `counts` is (only in local, only in remote)."""
    only_local, only_remote = counts
    if only_local == 0:
        return remote, ""
    if only_remote == 0:
        return local, ""
    return local, (f"{local[0]} and {remote[0]} have diverged ({only_local} commit(s) only "
                   f"local, {only_remote} only on {REMOTE}): reading the local branch")


# ---------------------------------------------------------------- git questions


def read_refs(git: Git) -> RefTable:
    """All local and remote-tracking branches in one call (remembered: git/__init__.py)."""
    return git.memo(("ref-table",), lambda: parse_refs(ref_lines(git)))


def ref_lines(git: Git) -> str:
    """What `read_refs` is parsed from, as git printed it: the snapshot of the refs a
    command's answer is remembered by (cli/answers.py) is the one its report reads."""
    return git.memo(("ref-lines",), lambda: git.run(
        "for-each-ref", "--format=%(objectname) %(refname) %(symref)",
        "refs/heads", "refs/remotes",
    ))


def left_right(git: Git, a: str, b: str) -> tuple[int, int]:
    """(commits only in a, commits only in b)."""
    return parse_left_right(git.run("rev-list", "--left-right", "--count", f"{a}...{b}"))


def resolve_target(git: Git, refs: RefTable, target: str | None) -> Target:
    """The branch the fleet merges into: --target or the plan's `target:` if given, else
    the remote's default branch; the remote-tracking ref wherever the remote has it."""
    if not refs.shas and git.run_full("rev-parse", "--verify", "-q", "HEAD^{commit}",
                                      check=False).returncode != 0:
        # no branch and no HEAD: whatever the target is called, no commit exists yet
        raise GitError("this repository has no commits yet",
                       hint="commit something on the target branch first")
    name = (target or "").removeprefix("refs/heads/") or default_target_name(refs)
    if not name:
        raise GitError(
            "cannot tell the target branch: no origin/HEAD, main or master",
            hint="pass --target BRANCH (or `target:` in the plan's front matter)",
        )
    explicit_remote = name.startswith(f"{REMOTE}/") and f"refs/remotes/{name}" in refs.shas
    if explicit_remote:
        short = name.removeprefix(f"{REMOTE}/")
        return Target(short, name, refs.shas[f"refs/remotes/{name}"])
    local = refs.shas.get(f"refs/heads/{name}")
    remote = refs.shas.get(f"refs/remotes/{REMOTE}/{name}")
    if remote is not None:
        notes: tuple[str, ...] = ()
        if local is not None and local != remote:
            ahead, behind = left_right(git, f"refs/heads/{name}", f"refs/remotes/{REMOTE}/{name}")
            if ahead and behind:
                notes = (f"your local {name} has diverged from {REMOTE}/{name} ({ahead} local "
                         f"commit(s) not pushed): the target is {REMOTE}/{name}",)
            elif ahead:
                notes = (f"your local {name} is {ahead} commit(s) ahead of {REMOTE}/{name}: "
                         f"unpushed commits are not part of the target",)
        return Target(name, f"{REMOTE}/{name}", remote, notes)
    if local is not None:
        return Target(name, name, local)
    proc = git.run_full("rev-parse", "--verify", "-q", f"{name}^{{commit}}", check=False)
    if proc.returncode == 0 and proc.stdout.strip():
        return Target(name, name, proc.stdout.strip())
    raise GitError(
        f"unknown target {name!r}: no branch, {REMOTE}/{name} or commit of that name",
        hint="pass --target with an existing branch (fetch it first if it is remote)",
    )


def resolve_rows(
    git: Git, refs: RefTable, rows: Sequence[tuple[str, str]], *, workers: int | None = None,
) -> dict[str, RowRef]:
    """issue -> RowRef for every (issue, branch) whose branch exists locally or on origin;
    where both exist and differ, the newer one (asked of git side by side)."""
    out: dict[str, RowRef] = {}
    ask: list[tuple[str, str, tuple[str, str], tuple[str, str]]] = []
    for issue, branch in rows:
        found = branch_candidates(refs, branch)
        if not found:
            continue
        if len(found) == 1 or found[0][1] == found[1][1]:
            out[issue] = RowRef(issue, branch, found[0][0], found[0][1])
        else:
            ask.append((issue, branch, found[0], found[1]))
    counts = parallel([partial(left_right, git, local[0], remote[0])
                       for _, _, local, remote in ask], workers)
    for (issue, branch, local, remote), count in zip(ask, counts, strict=True):
        (ref, sha), note = pick_newer(local, remote, count)
        out[issue] = RowRef(issue, branch, ref, sha, note)
    return out
