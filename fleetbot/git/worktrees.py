"""Worktrees and the small per-branch facts the local fleet needs, all through `Git.run`.

Parsers (`parse_worktree_list`, `parse_status`) take git's NUL-separated output as plain
strings so they are tested without a repository; the functions around them only run git.
"""

from __future__ import annotations

from pathlib import Path

from fleetbot.errors import GitError
from fleetbot.frozen import frozen
from fleetbot.git import Git
from fleetbot.git.refs import read_refs
from fleetbot.git.remote import remote_names


@frozen
class Worktree:
    """One entry of `git worktree list --porcelain`; `main` marks the main worktree."""

    path: str
    head: str = ""
    branch: str = ""  # short name ("feature/x"); empty when detached or bare
    bare: bool = False
    detached: bool = False
    locked: bool = False
    lock_reason: str = ""
    prunable: bool = False
    main: bool = False


@frozen
class StatusEntry:
    """One path of `git status --porcelain=v1`: the two-letter code and the path."""

    code: str
    path: str
    old_path: str = ""

    @property
    def untracked(self) -> bool:
        return self.code == "??"

    @property
    def conflicted(self) -> bool:
        return self.code in {"DD", "AU", "UD", "UA", "DU", "AA", "UU"}


def parse_worktree_list(text: str) -> tuple[Worktree, ...]:
    """Parse `git worktree list --porcelain -z`: NUL-ended attributes, records split by NUL."""
    out: list[Worktree] = []
    for record in text.split("\0\0"):
        attrs = [a for a in record.split("\0") if a]
        if not attrs:
            continue
        fields: dict[str, str] = {}
        for attr in attrs:
            key, _, value = attr.partition(" ")
            fields[key] = value
        if "worktree" not in fields:
            continue
        branch = fields.get("branch", "")
        out.append(Worktree(
            path=fields["worktree"],
            head=fields.get("HEAD", ""),
            branch=branch.removeprefix("refs/heads/"),
            bare="bare" in fields,
            detached="detached" in fields,
            locked="locked" in fields,
            lock_reason=fields.get("locked", ""),
            prunable="prunable" in fields,
            main=not out,
        ))
    return tuple(out)


def parse_status(text: str) -> tuple[StatusEntry, ...]:
    """Parse `git status --porcelain=v1 -z`; a rename's old path follows as its own field."""
    fields = text.split("\0")
    out: list[StatusEntry] = []
    i = 0
    while i < len(fields):
        item = fields[i]
        i += 1
        if len(item) < 4:
            continue
        code, path = item[:2], item[3:]
        old = ""
        if code[0] in "RC" or code[1] in "RC":
            old = fields[i] if i < len(fields) else ""
            i += 1
        out.append(StatusEntry(code=code, path=path, old_path=old))
    return tuple(out)


def list_worktrees(git: Git) -> tuple[Worktree, ...]:
    """Every worktree of the repository, the main one first (remembered: git/__init__.py)."""
    return git.memo(("worktrees",), lambda: parse_worktree_list(
        git.run("worktree", "list", "--porcelain", "-z")))


def add_worktree(git: Git, path: Path, branch: str, *, start: str | None = None,
                 track: bool = False) -> None:
    """Check `branch` out in a new linked worktree at `path`; create it from `start` if
    given, tracking `start` only with `track` (a branch made from the target must not
    pull from, or push to, the target: `git push -u origin BRANCH` sets its upstream)."""
    if start is None:
        git.run("worktree", "add", "--quiet", str(path), branch,
                error=f"could not add a worktree for {branch} at {path}")
    else:
        git.run("worktree", "add", "--quiet", "--track" if track else "--no-track",
                "-b", branch, str(path), start,
                error=f"could not create {branch} from {start} in a worktree at {path}")


def remove_worktree(git: Git, path: str, *, force: bool = False) -> None:
    """Remove a linked worktree; `force` (once) also drops its changes, never a lock.

    Callers ask `fleetbot.git.safety` first what this would destroy."""
    extra = ("--force",) if force else ()
    git.run("worktree", "remove", *extra, path, error=f"could not remove the worktree {path}")


def status(git: Git, *, untracked: bool = True) -> tuple[StatusEntry, ...]:
    """The worktree's changed paths (`git` must be run in that worktree)."""
    mode = "--untracked-files=all" if untracked else "--untracked-files=no"
    return parse_status(git.run("status", "--porcelain=v1", "-z", mode))


def dirty_files(git: Git, *, untracked: bool = True) -> tuple[str, ...]:
    """Paths with uncommitted changes in the worktree `git` runs in."""
    return tuple(e.path for e in status(git, untracked=untracked))


def conflicted_files(git: Git) -> tuple[str, ...]:
    """Paths left unmerged by a stopped merge."""
    out = git.run("diff", "--name-only", "--diff-filter=U", "-z")
    return tuple(sorted({p for p in out.split("\0") if p}))


def branch_exists(git: Git, branch: str) -> bool:
    """Whether the local branch exists (from the remembered ref table: git/refs.py)."""
    return f"refs/heads/{branch}" in read_refs(git).shas


def ref_exists(git: Git, ref: str) -> bool:
    proc = git.run_full("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    return proc.returncode == 0


def rev(git: Git, ref: str) -> str:
    """The commit id `ref` names."""
    out = git.run("rev-parse", "--verify", f"{ref}^{{commit}}", error=f"no such ref: {ref}")
    return out.strip()


def branch_name(git: Git, spelling: str) -> str:
    """The local branch a ref spelling names: `refs/heads/x`, `heads/x`, `origin/x`,
    `refs/remotes/origin/x` -> "x"."""
    name = spelling.removeprefix("refs/").removeprefix("heads/")
    name = name.removeprefix("remotes/")
    remotes = remote_names(git)
    head, _, rest = name.partition("/")
    return rest if rest and head in remotes else name


def is_ancestor(git: Git, ancestor: str, descendant: str) -> bool:
    """Whether `ancestor` is reachable from `descendant` (merged into it)."""
    proc = git.run_full("merge-base", "--is-ancestor", ancestor, descendant,
                        ok_codes=(0, 1), error=f"could not compare {ancestor} and {descendant}")
    return proc.returncode == 0


def current_branch(git: Git) -> str | None:
    """The branch checked out where `git` runs, or None when HEAD is detached."""
    proc = git.run_full("symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    if proc.returncode != 0:
        return None
    return proc.stdout.strip() or None


def git_dir(git: Git) -> Path:
    """This worktree's own git dir (`.git/worktrees/<name>` for a linked worktree)."""
    return git.layout().git_dir


def toplevel(git: Git) -> Path:
    top = git.layout().toplevel
    if top is None:
        raise GitError(f"{git.repo} has no work tree (a bare repository)",
                       hint="run fleetbot inside a git checkout or pass --repo DIR")
    return top


def merge_in_progress(git: Git) -> bool:
    return ref_exists(git, "MERGE_HEAD")


def has_identity(git: Git) -> bool:
    """Whether commits here would carry the user's own name and email (config or env)."""
    import os

    def configured(key: str) -> bool:
        return git.run_full("config", "--get", key, check=False).stdout.strip() != ""

    name = bool(os.environ.get("GIT_COMMITTER_NAME")) or configured("user.name")
    email = bool(os.environ.get("GIT_COMMITTER_EMAIL")) or configured("user.email")
    return name and email
