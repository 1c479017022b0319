"""The one safety rule: before fleetbot destroys anything, it says what would be lost.

Every destructive git step of the local fleet (a reset, `branch -D`, `worktree remove`, a
rewrite of a ref) first asks this module what it would destroy: commits no other ref or
worktree HEAD still reaches, staged, modified, untracked and ignored files, hidden
(skip-worktree / assume-unchanged) edits, submodule changes and unpushed submodule
commits, a worktree lock, an operation in progress. The parsers and the verdict are pure;
the `gather_*` functions below them only ask git (a few batched questions per worktree).
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import field
from enum import Enum
from pathlib import Path

from fleetbot.errors import GitError, UsageError
from fleetbot.frozen import frozen
from fleetbot.git import Git, output_lines


class LossKind(str, Enum):
    """What a destructive step can throw away; the value is the word the list shows."""

    COMMIT = "commit"
    STAGED = "staged"
    MODIFIED = "modified"
    UNTRACKED = "untracked"
    IGNORED = "ignored"
    HIDDEN = "hidden"  # skip-worktree / assume-unchanged entries whose file differs
    SUBMODULE = "submodule"
    LOCK = "lock"
    OPERATION = "operation"

    @property
    def hard(self) -> bool:
        """Locks and operations in progress are never overridden by --force."""
        return self in (LossKind.LOCK, LossKind.OPERATION)


class Operation(str, Enum):
    """A multi-step git operation left in progress in a worktree."""

    MERGE = "merge"
    REBASE = "rebase"
    REBASE_INTERACTIVE = "interactive rebase"
    AM = "am"
    CHERRY_PICK = "cherry-pick"
    REVERT = "revert"
    BISECT = "bisect"

    @property
    def command(self) -> str:
        return {Operation.REBASE_INTERACTIVE: "rebase", Operation.MERGE: "merge"}.get(
            self, self.value)

    @property
    def finish(self) -> str:
        """How the user ends it (either way)."""
        if self is Operation.BISECT:
            return "git bisect reset"
        return f"git {self.command} --continue (or --abort)"


@frozen
class Loss:
    """One thing a step would destroy; `size` in bytes for ignored and untracked paths."""

    kind: LossKind
    what: str
    size: int = 0


@frozen
class WouldDestroy:
    """What one destructive step (`step`, the git command) would lose at `where`."""

    step: str
    where: str
    losses: tuple[Loss, ...] = ()
    keep: tuple[str, ...] = ()  # commands that keep what is listed

    @property
    def empty(self) -> bool:
        return not self.losses

    @property
    def hard(self) -> tuple[Loss, ...]:
        return tuple(x for x in self.losses if x.kind.hard)

    def of(self, kind: LossKind) -> tuple[Loss, ...]:
        return tuple(x for x in self.losses if x.kind is kind)


# ---------------------------------------------------------------- pure: parsers


@frozen
class TreeState:
    """A worktree's status (`git status --porcelain=v2 -z --ignored`) sorted by kind."""

    staged: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()
    untracked: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()  # directories end with "/", as git shows them
    submodules: tuple[str, ...] = ()  # "sub (new commits, modified content)"
    conflicted: tuple[str, ...] = ()


def parse_status_v2(text: str) -> TreeState:
    """Parse `git status --porcelain=v2 -z --ignored`; a rename's old path is its own field."""
    staged: list[str] = []
    modified: list[str] = []
    untracked: list[str] = []
    ignored: list[str] = []
    subs: list[str] = []
    conflicted: list[str] = []
    fields = text.split("\0")
    i = 0
    while i < len(fields):
        item = fields[i]
        i += 1
        if not item:
            continue
        tag = item[0]
        if tag == "?":
            untracked.append(item[2:])
        elif tag == "!":
            ignored.append(item[2:])
        elif tag in "12u":
            parts = item.split(" ", {"1": 8, "2": 9, "u": 10}[tag])
            xy, sub, path = parts[1], parts[2], parts[-1]
            if tag == "2":
                i += 1  # the old path
            if tag == "u":
                conflicted.append(path)
                continue
            if sub.startswith("S"):
                said = [w for flag, w in zip(sub[1:], ("new commits", "modified content",
                                                       "untracked content"), strict=False)
                        if flag != "."]
                if said:
                    subs.append(f"{path} ({', '.join(said)})")
                if xy[0] != ".":
                    staged.append(path)
                continue
            if xy[0] != ".":
                staged.append(path)
            if xy[1] != ".":
                modified.append(path)
    return TreeState(tuple(staged), tuple(modified), tuple(untracked), tuple(ignored),
                     tuple(subs), tuple(conflicted))


def parse_hidden(text: str) -> tuple[str, ...]:
    """Paths of `git ls-files -v -z` marked skip-worktree ("S") or assume-unchanged
    (a lower-case tag): git status never shows their edits."""
    out: list[str] = []
    for item in text.split("\0"):
        if len(item) < 3:
            continue
        tag, path = item[0], item[2:]
        if tag == "S" or tag.islower():
            out.append(path)
    return tuple(out)


def parse_operations(present: frozenset[str], todo: str = "") -> tuple[Operation, ...]:
    """Operations in progress from the names present in a worktree's git dir.

    `todo` is `sequencer/todo`, whose first word tells a cherry-pick sequence from a
    revert sequence after its *_HEAD is gone (the user committed a resolution by hand).
    """
    out: list[Operation] = []
    if "MERGE_HEAD" in present:
        out.append(Operation.MERGE)
    if "rebase-merge" in present:
        out.append(Operation.REBASE_INTERACTIVE if "rebase-merge/interactive" in present
                   else Operation.REBASE)
    if "rebase-apply" in present:
        out.append(Operation.AM if "rebase-apply/applying" in present else Operation.REBASE)
    first = todo.split(maxsplit=1)[0] if todo.strip() else ""
    if "CHERRY_PICK_HEAD" in present or ("sequencer" in present and first in ("pick", "p")):
        out.append(Operation.CHERRY_PICK)
    if "REVERT_HEAD" in present or ("sequencer" in present and first == "revert"):
        out.append(Operation.REVERT)
    if "sequencer" in present and not {Operation.CHERRY_PICK, Operation.REVERT} & set(out):
        out.append(Operation.CHERRY_PICK)
    if "BISECT_LOG" in present:
        out.append(Operation.BISECT)
    return tuple(out)


OPERATION_MARKS = ("MERGE_HEAD", "rebase-merge", "rebase-merge/interactive", "rebase-apply",
                   "rebase-apply/applying", "CHERRY_PICK_HEAD", "REVERT_HEAD", "sequencer",
                   "BISECT_LOG")


# ---------------------------------------------------------------- pure: the verdict


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover - the loop always returns


def loss_lines(would: WouldDestroy, *, biggest: int = 5) -> tuple[str, ...]:
    """The list a person reads: one line per kind, ignored files by size (the biggest)."""
    lines: list[str] = []
    for kind in LossKind:
        items = would.of(kind)
        if not items:
            continue
        if kind in (LossKind.IGNORED, LossKind.UNTRACKED) and len(items) > biggest:
            top = sorted(items, key=lambda x: (-x.size, x.what))[:biggest]
            total = sum(x.size for x in items)
            shown = ", ".join(f"{x.what} ({human_size(x.size)})" for x in top)
            lines.append(f"{kind.value}: {len(items)} paths, {human_size(total)} "
                         f"(biggest: {shown})")
            continue
        for x in sorted(items, key=lambda x: (-x.size, x.what))[:20]:
            size = f" ({human_size(x.size)})" if kind in (LossKind.IGNORED,
                                                           LossKind.UNTRACKED) else ""
            lines.append(f"{kind.value}: {x.what}{size}")
        if len(items) > 20:
            lines.append(f"{kind.value}: … and {len(items) - 20} more")
    return tuple(lines)


def describe(would: WouldDestroy) -> str:
    """`step` at `where` would lose: the list, then the commands that keep it."""
    lines = [f"{would.step} would lose, in {would.where}:"]
    lines += [f"  {line}" for line in loss_lines(would)]
    if would.keep:
        lines.append("  to keep them:")
        lines += [f"    {cmd}" for cmd in would.keep]
    return "\n".join(lines)


class Unsafe(UsageError):
    """A destructive step was refused because it would lose what `would` lists."""

    def __init__(self, message: str, would: Sequence[WouldDestroy]) -> None:
        self.would = tuple(would)
        super().__init__(message)


def guard(would: Iterable[WouldDestroy], *, force: bool, say: Callable[[str], None],
          override: str = "--force") -> None:
    """Refuse (raise `Unsafe`) when any step would lose something, unless `force` — which
    prints the same list first. Locks and operations in progress are never forced."""
    bad = [w for w in would if not w.empty]
    if not bad:
        return
    text = "\n".join(describe(w) for w in bad)
    hard = [w for w in bad if w.hard]
    if hard:
        raise Unsafe(f"{text}\nrefused: {_hard_reason(hard)}", bad)
    if not force:
        raise Unsafe(f"{text}\nrefused: nothing was changed; keep them as shown, or pass "
                     f"{override} to go on anyway", bad)
    say(f"{text}\n{override}: going on; the above is lost")


def _hard_reason(hard: Sequence[WouldDestroy]) -> str:
    out: list[str] = []
    for w in hard:
        for loss in w.hard:
            if loss.kind is LossKind.LOCK:
                unlock = shlex.join(["git", "worktree", "unlock", w.where])
                out.append(f"{w.where} is locked ({loss.what}); `{unlock}` first if it may go")
            else:
                out.append(f"{loss.what} in progress in {w.where}; finish it first")
    return "; ".join(out) + " (--force does not override this)"


def keep_commands(where: str, losses: Sequence[Loss], *, branch: str = "") -> tuple[str, ...]:
    """The commands that keep each kind of loss, for the refusal message."""
    kinds = {x.kind for x in losses}
    out: list[str] = []
    commits = [x.what.split()[0] for x in losses if x.kind is LossKind.COMMIT]
    if commits:
        name = f"keep/{branch}" if branch else "keep/work"
        out.append(f"{shlex.join(['git', 'branch', name, commits[0]])}   # or push them")
    if kinds & {LossKind.STAGED, LossKind.MODIFIED, LossKind.UNTRACKED}:
        flag = ["--include-untracked"] if LossKind.UNTRACKED in kinds else []
        out.append(f"{shlex.join(['git', '-C', where, 'stash', 'push', *flag])}   # or commit them")
    if LossKind.IGNORED in kinds:
        out.append(f"copy the ignored files out of {where} (or "
                   f"`{shlex.join(['git', '-C', where, 'stash', 'push', '--all'])}`)")
    if LossKind.HIDDEN in kinds:
        out.append(f"{shlex.join(['git', '-C', where, 'update-index'])} --no-skip-worktree "
                   "--no-assume-unchanged PATH, then commit or stash it")
    if LossKind.SUBMODULE in kinds:
        out.append(f"commit and push inside each submodule of {where}")
    return tuple(out)


def failed_mid_way(exc: GitError, now: str) -> GitError:
    """The same git failure, also saying what state the repository is in now and how to
    get back (`now`), for a command that fails between its destructive steps."""
    hint = f"{exc.hint}; now: {now}" if exc.hint else f"now: {now}"
    return GitError(str(exc).split("\n", 1)[0], argv=exc.argv, code=exc.code,
                    stderr=exc.stderr, hint=hint)


# ---------------------------------------------------------------- gather (asks git)


@frozen
class Refs:
    """Every ref's tip and every worktree's HEAD: what keeps commits reachable."""

    tips: Mapping[str, str] = field(default_factory=dict)  # refname -> commit
    heads: Mapping[str, str] = field(default_factory=dict)  # worktree path -> HEAD commit
    checked_out: Mapping[str, str] = field(default_factory=dict)  # worktree path -> refname


def read_refs(git: Git) -> Refs:
    """Two questions: `for-each-ref` and `worktree list`."""
    from fleetbot.git.worktrees import list_worktrees

    out = git.memo(("every-ref",), lambda: git.run(
        "for-each-ref", "--format=%(objectname) %(refname)"))
    tips = {}
    for line in output_lines(out):
        sha, _, name = line.partition(" ")
        if name:
            tips[name] = sha
    trees = list_worktrees(git)
    heads = {w.path: w.head for w in trees if w.head}
    checked = {w.path: f"refs/heads/{w.branch}" for w in trees if w.branch}
    return Refs(tips, heads, checked)


def lost_commits(
    git: Git, refs: Refs, tips: Sequence[str], *, dropping: Iterable[str] = (),
    leaving: Iterable[str] = (), adding: Iterable[str] = (),
) -> tuple[Loss, ...]:
    """Commits reachable from `tips` that nothing reaches once the refs in `dropping` are
    gone (or moved to `adding`) and the worktrees in `leaving` are removed."""
    wanted = [t for t in tips if t]
    if not wanted:
        return ()
    drop = set(dropping)
    leave = {os.path.realpath(p) for p in leaving}
    keep = {sha for name, sha in refs.tips.items() if name not in drop}
    keep |= {sha for path, sha in refs.heads.items() if os.path.realpath(path) not in leave}
    keep |= {a for a in adding if a}
    stdin = "\n".join([*wanted, *(f"^{k}" for k in sorted(keep))]) + "\n"
    out = git.run("log", "--stdin", "--format=%h %s", "--no-show-signature", input=stdin,
                  error="could not list the commits a step would make unreachable")
    return tuple(Loss(LossKind.COMMIT, line) for line in output_lines(out) if line)


def gather_operations(git_dir: Path) -> tuple[Operation, ...]:
    """Operations in progress in the worktree whose own git dir is `git_dir`."""
    present = frozenset(m for m in OPERATION_MARKS if (git_dir / m).exists())
    todo = ""
    if "sequencer" in present:
        try:
            todo = (git_dir / "sequencer" / "todo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            todo = ""
    return parse_operations(present, todo)


def path_size(path: Path) -> int:
    """Bytes under `path` (symlinks not followed)."""
    try:
        if path.is_symlink() or not path.is_dir():
            return path.lstat().st_size
    except OSError:
        return 0
    total = 0
    for root, _dirs, names in os.walk(path):
        for name in names:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                continue
    return total


def gather_tree(tree: Git, *, ignored: bool = True) -> tuple[Loss, ...]:
    """What removing or resetting the worktree `tree` runs in would lose (files only)."""
    out = tree.run("status", "--porcelain=v2", "-z", "--untracked-files=normal",
                   "--ignore-submodules=none", *(("--ignored",) if ignored else ()),
                   error=f"could not read the status of {tree.repo}")
    state = parse_status_v2(out)
    root = Path(tree.repo)
    losses: list[Loss] = [Loss(LossKind.STAGED, p) for p in (*state.staged, *state.conflicted)]
    losses += [Loss(LossKind.MODIFIED, p) for p in state.modified]
    losses += [Loss(LossKind.UNTRACKED, p, path_size(root / p)) for p in state.untracked]
    losses += [Loss(LossKind.IGNORED, p, path_size(root / p)) for p in state.ignored]
    losses += [Loss(LossKind.SUBMODULE, s) for s in state.submodules]
    losses += [Loss(LossKind.HIDDEN, p) for p in _hidden_edits(tree)]
    losses += [Loss(LossKind.SUBMODULE, s) for s in _submodule_commits(tree)]
    return tuple(losses)


def _hidden_edits(tree: Git) -> tuple[str, ...]:
    """Skip-worktree / assume-unchanged files whose content differs from the index."""
    hidden = [p for p in parse_hidden(tree.run("ls-files", "-v", "-z"))
              if (Path(tree.repo) / p).is_file()]
    if not hidden:
        return ()
    staged = tree.run("ls-files", "-s", "-z", "--", *(f":(literal){p}" for p in hidden))
    index = {}
    for item in staged.split("\0"):
        meta, _, path = item.partition("\t")
        if path:
            index[path] = meta.split()[1]
    now = tree.run("hash-object", "--stdin-paths", input="\n".join(hidden) + "\n").split()
    return tuple(p for p, sha in zip(hidden, now, strict=False) if index.get(p) != sha)


def _submodule_commits(tree: Git) -> tuple[str, ...]:
    """Submodules checked out here with commits no remote of theirs has."""
    out: list[str] = []
    listing = tree.run("ls-files", "-s", "-z")
    for item in listing.split("\0"):
        meta, _, path = item.partition("\t")
        if not meta.startswith("160000") or not (Path(tree.repo) / path / ".git").exists():
            continue
        proc = Git(Path(tree.repo) / path).run_full(
            "log", "--format=%h %s", "HEAD", "--branches", "--not", "--remotes", check=False)
        commits = [line for line in output_lines(proc.stdout) if line]
        if commits:
            out.append(f"{path}: {len(commits)} unpushed commit(s) ({commits[0]})")
    return tuple(out)


def gather_worktree(git: Git, path: str, *, step: str, locked: str | None = None,
                    branch: str = "", refs: Refs | None = None,
                    drop_branch: bool = False) -> WouldDestroy:
    """What removing the worktree at `path` (and, with `drop_branch`, its branch) loses."""
    from fleetbot.git.worktrees import git_dir

    losses: list[Loss] = []
    if locked is not None:
        losses.append(Loss(LossKind.LOCK, locked or "no reason given"))
    if Path(path).is_dir():
        tree = Git(path)
        losses += [Loss(LossKind.OPERATION, op.value) for op in gather_operations(git_dir(tree))]
        losses += gather_tree(tree)
    refs = refs if refs is not None else read_refs(git)
    head = refs.heads.get(path, "")
    dropping = {f"refs/heads/{branch}"} if drop_branch and branch else set()
    losses += lost_commits(git, refs, [head, *(refs.tips.get(r, "") for r in dropping)],
                           dropping=dropping, leaving=[path])
    return WouldDestroy(step, path, tuple(losses), keep_commands(path, losses, branch=branch))


def gather_ref_move(git: Git, ref: str, new: str, *, step: str, refs: Refs | None = None,
                    also_keep: Iterable[str] = ()) -> WouldDestroy:
    """What moving (or, with `new` empty, deleting) `ref` loses: its commits nothing
    else reaches. `also_keep` are commits that count as safe (the target, rows...)."""
    refs = refs if refs is not None else read_refs(git)
    old = refs.tips.get(ref, "")
    if not old:
        return WouldDestroy(step, ref)
    here = [p for p, name in refs.checked_out.items() if name == ref]
    losses = lost_commits(git, refs, [old], dropping=[ref], leaving=here,
                          adding=[new, *also_keep])
    short = ref.removeprefix("refs/heads/")
    return WouldDestroy(step, short, losses, keep_commands(".", losses, branch=short))


__all__ = ["Loss", "LossKind", "Operation", "Refs", "TreeState", "Unsafe", "WouldDestroy",
           "describe", "failed_mid_way", "gather_operations", "gather_ref_move", "gather_tree",
           "gather_worktree", "guard", "keep_commands", "lost_commits", "parse_hidden",
           "parse_operations", "parse_status_v2", "read_refs"]
