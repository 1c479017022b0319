"""Exact conflict facts by speculative merging: `git merge-tree --write-tree` + `commit-tree`.

Nothing here touches a worktree, the index or a ref: merge-tree writes trees, commit-tree
writes unreferenced commits (carrying fleetbot's own identity, so it works on CI runners
with no git config), and `git gc` collects them later.

Every branch is landed on the target tip once (which says which branches are stale); pairs
are then merged as landings, the way the fan-in meets them, all in one
`git merge-tree --stdin` process where git has it.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from datetime import datetime
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

from fleetbot.errors import GitError
from fleetbot.git import FLEETBOT_IDENTITY, Git, Layout
from fleetbot.git.cache import Cache, result_from_json, result_to_json
from fleetbot.git.facts import (
    MAX_BLOB,
    all_branch_facts,
    blob_info,
    changed_files_many,
    changed_lines_many,
    kept_folders,
    parse_cat_file_batch,
    read_blobs,
)
from fleetbot.git.jobs import Jobs, parallel
from fleetbot.git.landed import find_landed, merged_parts, reverts
from fleetbot.git.pairs import candidate_pairs, vacated_dirs
from fleetbot.git.refs import REMOTE, meant_branch, read_refs, resolve_rows, resolve_target
from fleetbot.git.stack import stack_bases
from fleetbot.model import (
    BranchFacts,
    ChangeStatus,
    FileChange,
    GitFacts,
    Landed,
    LandedHow,
    LandedPart,
    Landing,
    MergeConflict,
    MergeResult,
    PairMerge,
    Plan,
    SourceChange,
    Status,
)

T = TypeVar("T")

MERGE_TREE = ("merge-tree", "--write-tree", "-z", "--name-only", "--messages")

_SORT = re.compile(r"^CONFLICT \(([^)]+)\)")

# Synthetic commits (landings, replay steps) carry fleetbot's identity and its one fixed
# date, so the same fleet gives the same ids; the date is in the future. git finds a
# merge-base by walking commits newest first (by date, where no commit-graph gives
# generation numbers): a synthetic commit dated 2000 beside a branch of today was met last,
# after the walk had gone down the branch's whole history to 2000 (280 ms a merge on
# numpy's 41,000 commits, for every replay step and pair). Dated after every real commit,
# it is met first, as a commit missing from a commit-graph is.
SYNTHETIC = FLEETBOT_IDENTITY

if TYPE_CHECKING:
    import tempfile


# ---------------------------------------------------------------- parsers (pure)


def conflict_sort(kind: str, message: str) -> str | None:
    """The sort of one merge-tree message ("content", "modify/delete" ...), None if it is
    informational ("Auto-merging"). The message is preferred: for an add/add git's stable
    type says "contents" while the message says "add/add"."""
    if not kind.startswith("CONFLICT"):
        return None
    for text in (message, kind):
        m = _SORT.match(text)
        if m:
            sort = m.group(1)
            return "content" if sort == "contents" else sort
    return "conflict"


def _parse_record(tokens: list[str], i: int, *, clean: bool) -> tuple[MergeResult, int]:
    """One merge-tree result starting at tokens[i] (the tree id); returns the index after
    its messages section. Layout (-z --name-only --messages):
    tree NUL {file NUL} NUL {count NUL {path NUL} type NUL message NUL}."""
    tree = tokens[i] if i < len(tokens) else ""
    i += 1
    files: list[str] = []
    while i < len(tokens) and tokens[i]:
        files.append(tokens[i])
        i += 1
    i += 1  # the NUL that opens the messages section
    conflicts: list[MergeConflict] = []
    while i < len(tokens) and tokens[i].isdigit():
        count = int(tokens[i])
        paths = tuple(tokens[i + 1:i + 1 + count])
        i += 1 + count
        kind = tokens[i] if i < len(tokens) else ""
        message = tokens[i + 1].strip() if i + 1 < len(tokens) else ""
        i += 2
        sort = conflict_sort(kind, message)
        if sort is not None:
            conflicts.append(MergeConflict(sort=sort, paths=paths, message=message))
    return MergeResult(
        clean=clean, tree=tree, files=tuple(dict.fromkeys(files)), conflicts=tuple(conflicts),
    ), i


def parse_merge_tree(text: str, *, clean: bool) -> MergeResult:
    """Output of one `git merge-tree --write-tree -z --name-only --messages A B`; `clean`
    comes from the exit code (0 clean, 1 conflicts)."""
    result, _ = _parse_record(text.split("\0"), 0, clean=clean)
    return result


def parse_merge_tree_stdin(text: str) -> list[MergeResult]:
    """Output of `git merge-tree --stdin --name-only --messages`: per input line a status
    (1 clean, 0 conflicted), the record as above, and a closing NUL."""
    tokens = text.split("\0")
    out: list[MergeResult] = []
    i = 0
    while i < len(tokens) and tokens[i] in ("0", "1"):
        clean = tokens[i] == "1"
        result, i = _parse_record(tokens, i + 1, clean=clean)
        out.append(result)
        i += 1  # the NUL closing the record
    return out


# ---------------------------------------------------------------- the target's attributes
#
# A merge driver chosen by `.gitattributes` (`* merge=union`) decides whether a merge
# conflicts. The checkout is what the PR wrote (actions/checkout of a pull_request event)
# and `.git/info/attributes` is whatever ran there before, so merges run in a shadow
# repository: a throw-away git dir that shares the real object store and config but has
# no `info/attributes`, an empty index, and a throw-away work tree. Where git has
# `GIT_ATTR_SOURCE` (2.42+) it reads the target tree's attributes itself; before that the
# target's own `.gitattributes` files are written into the empty work tree.

ATTR_SOURCE_SINCE = (2, 42)
ATTRIBUTES = ".gitattributes"


def attr_source_supported(version: tuple[int, int]) -> bool:
    """Whether this git reads attributes from a tree (`--attr-source`, GIT_ATTR_SOURCE)."""
    return version >= ATTR_SOURCE_SINCE


def attribute_files(ls_tree: bytes) -> list[tuple[str, str]]:
    """(path, blob id) of each regular `.gitattributes` in `git ls-tree -r -z` output.

    Only entries whose name ends so are decoded and looked at (found with `bytes.find`):
    a big tree is mostly other files, and decoding and splitting all 10,000 entries of the
    benchmark's was a millisecond or two of each cold run. Symlinks are skipped (git
    ignores a symlinked .gitattributes) and so is any path that could leave the work tree
    it is written into."""
    out = []
    at = ls_tree.find(_ATTRIBUTES_END)
    while at != -1:
        end = at + len(ATTRIBUTES)
        start = ls_tree.rfind(b"\0", 0, at) + 1  # a path holds no NUL: its entry starts there
        meta, _, path = ls_tree[start:end].decode("utf-8", "surrogateescape").partition("\t")
        fields = meta.split()
        parts = path.split("/")
        if (len(fields) == 3 and fields[1] == "blob" and fields[0] in ("100644", "100755")
                and parts[-1] == ATTRIBUTES
                and not any(p in ("", ".", "..", ".git") for p in parts)):
            out.append((path, fields[2]))
        at = ls_tree.find(_ATTRIBUTES_END, end + 1)
    return out


_ATTRIBUTES_END = f"{ATTRIBUTES}\0".encode()


# The `.gitattributes` blobs of a target tree, asked once per process (an object id names
# the same tree for ever; where the git dir and objects are comes from `Git.layout()`).
# `check` and `conflicts` build a shadow for the pair merges and another for the replay:
# the second asks git nothing (an `ls-tree -r` of the whole target on a git without
# GIT_ATTR_SOURCE).
_ATTRIBUTE_BLOBS: dict[tuple[str, str], list[tuple[str, bytes]]] = {}
_MEMO_LOCK = threading.Lock()


def _shadow_env(git: Git, root: Path) -> dict[str, str]:
    """The environment of a shadow repository under `root` for `git`'s repository."""
    layout = git.layout()
    common, objects, fmt = layout.common_dir, str(layout.objects), layout.object_format
    shadow = root / "git"
    for folder in (shadow / "refs", shadow / "objects", root / "tree"):
        folder.mkdir(parents=True)
    (shadow / "HEAD").write_text("ref: refs/heads/fleetbot-shadow\n", encoding="utf-8")
    config = f"[include]\n\tpath = {Path(common, 'config').as_posix()}\n"
    if fmt != "sha1":  # the repository format is read from this file, not from includes
        config += f"[core]\n\trepositoryformatversion = 1\n[extensions]\n\tobjectformat = {fmt}\n"
    (shadow / "config").write_text(config, encoding="utf-8")
    return {
        "GIT_DIR": str(shadow), "GIT_COMMON_DIR": str(shadow),
        "GIT_WORK_TREE": str(root / "tree"), "GIT_INDEX_FILE": str(root / "index"),
        "GIT_OBJECT_DIRECTORY": objects, "GIT_ATTR_NOSYSTEM": "1",
    }


def _write_attributes(git: Git, target_sha: str, tree: Path) -> None:
    """Copy the target tree's `.gitattributes` files into the shadow work tree."""
    for path, blob in _attribute_blobs(git, target_sha):
        dest = tree.joinpath(*path.split("/"))
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(blob)


def _attribute_blobs(git: Git, target_sha: str) -> list[tuple[str, bytes]]:
    """(path, content) of each `.gitattributes` in the tree of `target_sha`."""
    key = (str(git.repo), target_sha)
    with _MEMO_LOCK:
        known = _ATTRIBUTE_BLOBS.get(key)
    if known is not None:
        return known
    found = attribute_files(git.run_bytes("ls-tree", "-r", "-z", "--full-tree", target_sha))
    out: list[tuple[str, bytes]] = []
    if found:
        data = git.run_bytes("cat-file", "--batch",
                             input="".join(f"{blob}\n" for _, blob in found).encode())
        out = [(path, blob) for (path, _), blob in zip(
            found, parse_cat_file_batch(data, len(found)), strict=True) if blob is not None]
    with _MEMO_LOCK:
        _ATTRIBUTE_BLOBS[key] = out
    return out


@contextmanager
def target_attributes(
    git: Git, target_sha: str, *, version: tuple[int, int] | None = None
) -> Iterator[Git]:
    """A Git for merges that sees the attributes of `target_sha`'s tree and nothing else:
    not the checkout's files, `info/attributes`, core.attributesFile or the system file.
    `version` is git's (asked when None)."""
    import tempfile  # only merges need it (start-up: git/cache.py)

    with tempfile.TemporaryDirectory(prefix="fleetbot-attr-") as tmp:
        root = Path(tmp)
        env = _shadow_env(git, root)
        if attr_source_supported(version or git.version()):
            env["GIT_ATTR_SOURCE"] = target_sha
        else:
            _write_attributes(git, target_sha, root / "tree")
        yield Git(root / "tree", env=env, config=(("core.attributesFile", os.devnull),))


class LazyShadow(Git):
    """The Git of `target_attributes`, made on its first command and closed with `stack`:
    a run whose merges are all remembered (git/cache.py) never builds the shadow, and so
    starts none of its processes (rev-parse, version, ls-tree of the whole target)."""

    def __init__(self, git: Git, target_sha: str, stack: ExitStack) -> None:
        super().__init__(git.repo)
        self._open = partial(target_attributes, git, target_sha)
        self._stack: ExitStack | None = stack
        self._lock = threading.Lock()  # two merge-tree processes may ask at once

    def _argv(self, args: Sequence[str]) -> list[str]:
        with self._lock:
            if self._stack is not None:
                real = self._stack.enter_context(self._open())
                self.repo, self.env, self.config = real.repo, real.env, real.config
                self._stack = None
        return super()._argv(args)


# ---------------------------------------------------------------- git operations


def merge_trees(git: Git, a: str, b: str) -> MergeResult:
    """Merge two commits in memory; exit 1 means conflicts, anything else is an error."""
    proc = git.run_full(*MERGE_TREE, a, b, check=False)
    # exit 1 is also what git 2.39 gives for "not something we can merge": no tree then
    if proc.returncode not in (0, 1) or not proc.stdout.strip("\0\n"):
        raise GitError(
            f"git merge-tree could not merge {a} and {b}", argv=["git", *MERGE_TREE, a, b],
            code=proc.returncode, stderr=proc.stderr,
            hint="fleetbot needs git 2.38 or newer (merge-tree --write-tree)"
            if proc.returncode == 129 else "",
        )
    return parse_merge_tree(proc.stdout, clean=proc.returncode == 0)


def commit_tree(git: Git, tree: str, parents: Sequence[str], message: str) -> str:
    """A synthetic commit with fleetbot's identity and a fixed date (reproducible ids)."""
    args = ["commit-tree", tree]
    for parent in parents:
        args += ["-p", parent]
    return git.run(*args, "-m", message, env=SYNTHETIC).strip()


def land(git: Git, target_sha: str, issue: str, branch: str, head: str) -> Landing:
    """Merge one branch onto the target tip; keep a commit of the result when clean."""
    result = merge_trees(git, target_sha, head)
    commit = ""
    if result.clean:
        commit = commit_tree(
            git, result.tree, (target_sha, head), f"fleetbot: land {branch} ({issue})"
        )
    return Landing(issue=issue, branch=branch, result=result, commit=commit)


def land_all(
    git: Git, target_sha: str, found: Sequence[tuple[str, str, str, str]], *,
    stdin: bool | None = None, workers: int | None = None, cache: Cache | None = None,
    commit_git: Git | None = None,
) -> tuple[Landing, ...]:
    """`land` for every (issue, branch, ref, head) at once: one merge-tree process and one
    process writing the commits of the clean ones (through `commit_git` when given: a
    commit object needs no attributes, so a shadow `git` need not be built for it)."""
    results = merge_many(git, [(target_sha, head) for *_, head in found], stdin=stdin,
                         workers=workers, cache=cache)
    clean = [(f, r) for f, r in zip(found, results, strict=True) if r.clean]
    commits = dict(zip(
        [f[0] for f, _ in clean],
        commit_trees(commit_git or git, [
            (r.tree, (target_sha, f[3]), f"fleetbot: land {f[1]} ({f[0]})") for f, r in clean
        ]),
        strict=True,
    ))
    return tuple(
        Landing(issue=f[0], branch=f[1], result=r, commit=commits.get(f[0], ""))
        for f, r in zip(found, results, strict=True)
    )


@lru_cache(maxsize=1)
def _synthetic_stamp() -> str:
    """SYNTHETIC's date as a commit header writes it: "<epoch seconds> +0000". Read with
    fromisoformat once the offset has its colon (Python 3.10 cannot read "+0000"), not
    strptime (its module costs 3 ms of a warm run's start)."""
    date = SYNTHETIC["GIT_AUTHOR_DATE"]
    when = datetime.fromisoformat(f"{date[:-2]}:{date[-2:]}")
    return f"{int(when.timestamp())} {date[-5:]}"


def commit_text(tree: str, parents: Sequence[str], message: str) -> str:
    """The commit object `git commit-tree` writes with SYNTHETIC (same bytes, same id), so
    many can be written by one `hash-object` process."""
    stamp = _synthetic_stamp()
    lines = [f"tree {tree}", *(f"parent {p}" for p in parents)]
    for role, key in (("author", "AUTHOR"), ("committer", "COMMITTER")):
        lines.append(
            f"{role} {SYNTHETIC[f'GIT_{key}_NAME']} "
            f"<{SYNTHETIC[f'GIT_{key}_EMAIL']}> {stamp}"
        )
    return "\n".join(lines) + f"\n\n{message}\n"


HASH_STDIN = ("hash-object", "-t", "commit", "-w", "--stdin-paths")


class CommitWriter:
    """Synthetic commits (the objects `commit_tree` writes) asked one after another of
    one `hash-object --stdin-paths` process. Each commit's text is rewritten in place in
    one temporary file (git has read it once it answers): a new file per commit cost a
    third of a millisecond each on a disk mounted with `discard`, and truncating one to
    nothing as much. A commit whose object is already in the store (its id is the hash of
    its text: a warm run lands the same fleet onto the same tip) is not written again, and
    a run that writes none starts no process. `layout` is where the objects are, when
    `git` is a shadow (git/mergetree.py: target_attributes) that would have to ask.
    Use as a context."""

    def __init__(self, git: Git, layout: Layout | None = None) -> None:
        self.git = git
        self._layout = layout
        self._proc: subprocess.Popen[bytes] | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._fd: int | None = None

    def __enter__(self) -> CommitWriter:
        return self

    def __exit__(self, *_: object) -> None:
        if self._proc is not None:
            if self._proc.stdin:
                self._proc.stdin.close()
            self._proc.wait()
            if self._proc.stdout:
                self._proc.stdout.close()
        if self._fd is not None:
            os.close(self._fd)
        if self._tmp is not None:
            self._tmp.cleanup()

    def commit(self, tree: str, parents: Sequence[str], message: str) -> str:
        data = commit_text(tree, parents, message).encode("utf-8")
        stored = self._stored(data)
        if stored is not None:
            return stored
        if self._tmp is None:
            import tempfile

            self._tmp = tempfile.TemporaryDirectory(prefix="fleetbot-")
        path = Path(self._tmp.name) / "commit"
        if self._fd is None:
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        os.lseek(self._fd, 0, os.SEEK_SET)
        written = 0
        while written < len(data):
            written += os.write(self._fd, data[written:])
        os.ftruncate(self._fd, len(data))
        if self._proc is None:
            self._proc = self.git.start(*HASH_STDIN)
        assert self._proc.stdin is not None and self._proc.stdout is not None
        try:
            self._proc.stdin.write(f"{path}\n".encode())
            self._proc.stdin.flush()
        except BrokenPipeError:
            pass  # git stopped: the read below says so
        line = self._proc.stdout.readline().decode().strip()
        if not line:
            raise GitError("git hash-object stopped before writing a commit",
                           argv=["git", *HASH_STDIN], code=self._proc.wait())
        return line

    def _stored(self, data: bytes) -> str | None:
        """The id of the commit object `data` when it is in the store as a loose object
        (a packed one, or one in an alternate store, is written again: harmless)."""
        layout = self._layout or self.git.layout()
        digest = hashlib.new(layout.object_format,
                             b"commit %d\0" % len(data) + data).hexdigest()
        return digest if (layout.objects / digest[:2] / digest[2:]).is_file() else None


def commit_trees(git: Git, specs: Sequence[tuple[str, Sequence[str], str]]) -> list[str]:
    """Write many synthetic commits (tree, parents, message) in one process; their ids."""
    if not specs:
        return []
    with CommitWriter(git) as writer:
        return [writer.commit(tree, parents, message) for tree, parents, message in specs]


def merge_many(
    git: Git, pairs: Sequence[tuple[str, str]], *, stdin: bool | None = None,
    workers: int | None = None, cache: Cache | None = None,
) -> list[MergeResult]:
    """Merge each (a, b) of commit ids in memory; what the cache remembers of those ids is
    not asked again. The rest in one `merge-tree --stdin` process when git has it
    (`stdin=None`: try, and fall back if git rejects the option); else one call per pair,
    run in parallel."""
    if cache is None:
        return _merge_many(git, pairs, stdin=stdin, workers=workers)
    known: dict[tuple[str, str], MergeResult] = {}
    for pair in pairs:
        got = result_from_json(cache.get("merges", f"{pair[0]} {pair[1]}"))
        if got is not None:
            known[pair] = got
    todo = list(dict.fromkeys(p for p in pairs if p not in known))
    for pair, result in zip(todo, _merge_many(git, todo, stdin=stdin, workers=workers),
                            strict=True):
        known[pair] = result
        cache.put("merges", f"{pair[0]} {pair[1]}", result_to_json(result))
    return [known[p] for p in pairs]


def _merge_many(
    git: Git, pairs: Sequence[tuple[str, str]], *, stdin: bool | None, workers: int | None,
) -> list[MergeResult]:
    if not pairs:
        return []
    if stdin is not False:
        chunks = _chunks(pairs, min(2, os.cpu_count() or 1) if len(pairs) >= SPLIT_AT else 1)
        answers = parallel([partial(_merge_stdin, git, chunk, stdin) for chunk in chunks])
        if all(a is not None for a in answers):
            return [r for a in answers if a is not None for r in a]
    return parallel([partial(merge_trees, git, a, b) for a, b in pairs], workers)


SPLIT_AT = 64  # from this many merges on, two `merge-tree --stdin` processes share them


def _chunks(items: Sequence[T], n: int) -> list[Sequence[T]]:
    """`items` in `n` consecutive slices of nearly equal length (order kept)."""
    size = -(-len(items) // n)
    return [items[i:i + size] for i in range(0, len(items), size)]


def _merge_stdin(
    git: Git, pairs: Sequence[tuple[str, str]], stdin: bool | None,
) -> list[MergeResult] | None:
    """One `merge-tree --stdin` process for `pairs`; None when this git has no --stdin
    (and `stdin` did not insist on it)."""
    proc = git.run_full(
        "merge-tree", "--stdin", "--name-only", "--messages",
        input="".join(f"{a} {b}\n" for a, b in pairs), check=False,
    )
    if proc.returncode == 0:
        results = parse_merge_tree_stdin(proc.stdout)
        if len(results) == len(pairs):
            return results
        raise GitError(
            f"git merge-tree --stdin answered {len(results)} merges for {len(pairs)}",
            argv=["git", "merge-tree", "--stdin"], code=0, stderr=proc.stderr,
        )
    if stdin or proc.returncode != 129:  # 129: usage (an older git without --stdin)
        raise GitError(
            "git merge-tree --stdin failed", argv=["git", "merge-tree", "--stdin"],
            code=proc.returncode, stderr=proc.stderr,
        )
    return None


# ---------------------------------------------------------------- the entry point


def gather(
    git: Git, plan: Plan, target: str | None = None, *, known: Sequence[Landed] = (),
    stdin: bool | None = None, workers: int | None = None,
    remembered: Callable[[str], bool] | None = None,
    on_landings: Callable[[GitFacts], None] | None = None,
) -> GitFacts:
    """Everything conflict prediction needs from git, in as few processes as it can.

    `known` are rows the forge already says have landed (their PR merged). Every other
    row's branch is checked for having landed by any merge style (`git.landed`); landed
    rows leave the landings and pairs. Rows whose branch exists neither locally nor on
    origin, and that history does not show as landed, are listed in `missing`.

    `on_landings` is called with the facts known before the pairs merge (no pairs, no
    sources): enough to guess the order and start the replay. The sources are read from
    the moment the branches are known and the pairs merge from the moment the landings
    are, beside the look for landed rows; a landed row's sources and pairs are dropped
    then.
    """
    shallow = git.layout().shallow
    cache = Cache.of(git)
    refs = read_refs(git)
    tgt = resolve_target(git, refs, target)
    row_refs = resolve_rows(git, refs, [(r.issue, r.branch) for r in plan.rows],
                            workers=workers)
    # a row naming the target itself is a plan error (lint says so), never a branch to land
    on_target = {r.issue for r in plan.rows if r.branch == tgt.name}
    # the forge's word, checked: a PR merged into another branch (a stacked PR into its
    # parent's) has not landed here; of one whose branch went on since, or whose merge the
    # target reverted since, git tells what has landed
    elsewhere = [la for la in known if la.into and la.into != tgt.name]
    known = [la for la in known if la not in elsewhere]
    merged = {la.issue: la for la in known}
    went_on = {i for i, la in merged.items() if la.head
               and (ref := row_refs.get(i)) is not None and ref.sha != la.head}
    undone = reverts(git, tgt.sha, {i: la.commit for i, la in merged.items() if la.commit},
                     cache)
    skip = (set(merged) - went_on - set(undone)) | on_target
    found = [(r.issue, r.branch, ref.ref, ref.sha) for r in plan.rows
             if (ref := row_refs.get(r.issue)) is not None and r.issue not in skip]
    gone = [r for r in plan.rows if r.issue not in row_refs and r.issue not in skip]

    with ExitStack() as shadow:  # merges see the target's attributes only
        mgit = LazyShadow(git, tgt.sha, shadow)
        pool = shadow.enter_context(Jobs())
        landing_job = pool.submit(land_all, mgit, tgt.sha, found, stdin=stdin,
                                  workers=workers, cache=cache, commit_git=git)
        heads = {i: (ref.ref, ref.sha) for i, ref in row_refs.items() if i not in on_target}
        branches = all_branch_facts(git, tgt.sha, found, shallow=shallow, workers=workers,
                                    cache=cache,
                                    stacks=stack_bases(git, plan, heads, tgt.sha, cache))
        sources_job = pool.submit(read_sources, git, branches, cache, remembered)
        landings = landing_job.result()
        # what each clean landing changes against the target tip: the pairs' base, and
        # nothing at all for a no-op (its work is on the target already)
        clean = [la for la in landings if la.commit]
        changed = dict(zip((la.issue for la in clean), changed_files_many(
            git, [(tgt.sha, la.commit) for la in clean], cache), strict=True))
        no_ops = frozenset(issue for issue, files in changed.items() if not files)
        pairs_job = pool.submit(_merge_pairs, git, mgit, clean, changed, cache, stdin, workers)
        by_git = find_landed(git, tgt.sha, no_ops, plan.rows, branches, landings, gone,
                             cache=cache)
        whole = {la.issue for la in by_git.landed}
        parts = {**by_git.parts, **merged_parts(git, tgt.sha, [
            b for b in branches if b.issue in went_on and b.issue not in whole], merged)}
        landed = (*(la for la in known if la.issue not in went_on | set(undone)),
                  *by_git.landed)
        said = {la.issue for la, _ in by_git.reverted}
        reverted = (*by_git.reverted,
                    *((merged[i], c) for i, c in undone.items() if i not in said))
        seen = {la.issue for la in landed}
        landed += tuple(Landed(r.issue, LandedHow.PLAN) for r in gone
                        if r.status is Status.MERGED and r.issue not in seen)
        done = {la.issue for la in landed}
        branches = with_parts(git, tuple(b for b in branches if b.issue not in done),
                              parts, cache)
        landings = tuple(la for la in landings if la.issue not in done)

        missing = tuple(r.issue for r in gone if r.issue not in done)
        notes = (*tgt.notes, *(ref.note for ref in row_refs.values() if ref.note),
                 *(reverted_note(la, commit) for la, commit in reverted),
                 *(f"{la.issue}: PR #{la.pull} merged into {la.into}, not {tgt.name}: it "
                   f"has not landed here" for la in elsewhere),
                 *(f"{r.issue}: branch {r.branch!r} does not exist here or on {REMOTE}; "
                   f"{meant!r} does (write that in the plan)" for r in gone
                   if r.issue in missing and (meant := meant_branch(refs, r.branch))))
        if on_landings is not None:
            on_landings(GitFacts(
                target=tgt.name, target_sha=tgt.sha, target_ref=tgt.ref, branches=branches,
                missing=missing, landings=landings, landed=landed, notes=notes))
        pairs = tuple(p for p in pairs_job.result() if not done & set(p.rows))
        sources = tuple(s for s in sources_job.result() if s.issue not in done | set(parts))
        if parts:  # counted again from what has not landed
            sources += read_sources(git, [b for b in branches if b.issue in parts], cache,
                                    remembered)
    cache.save()
    return GitFacts(
        target=tgt.name, target_sha=tgt.sha, target_ref=tgt.ref, branches=branches,
        missing=missing, landings=landings, pairs=pairs, sources=sources, landed=landed,
        notes=notes,
    )


def _merge_pairs(git: Git, mgit: Git, clean: Sequence[Landing],
                 changed: Mapping[str, Sequence[FileChange]], cache: Cache,
                 stdin: bool | None, workers: int | None) -> tuple[PairMerge, ...]:
    """Every pair of clean landings that may collide, merged: started as soon as the
    landings are known, beside the look for landed rows (a pair with a row found landed is
    dropped after; whether a pair may collide depends on its two sides only)."""
    sides = [changed[la.issue] for la in clean]
    kept = kept_folders(git, [la.commit for la in clean], [vacated_dirs(s) for s in sides],
                        cache)
    candidates = [(clean[i], clean[j]) for i, j in candidate_pairs(sides, kept)]
    results = merge_many(mgit, [(la.commit, lb.commit) for la, lb in candidates],
                         stdin=stdin, workers=workers, cache=cache)
    return tuple(PairMerge(rows=(la.issue, lb.issue), result=r)
                 for (la, lb), r in zip(candidates, results, strict=True))


def reverted_note(landed: Landed, commit: str) -> str:
    """`#42: its landing (squash-merged in 1a2b3c4) was reverted in 9f8e7d6; ...`: what
    a user must know to land it again (after a merge the branch is in the target's
    history, so merging it again changes nothing)."""
    again = "it counts as not landed" + (  # its commits are not in the target's history
        ": its branch merges again" if landed.how in (LandedHow.PATCH, LandedHow.REBASED)
        else "")
    if landed.how is LandedHow.ANCESTOR:
        again = (f"merging its branch again changes nothing (it is in {commit[:7]}'s "
                 f"history): `git revert {commit}` brings it back")
    return (f"{landed.issue}: its landing ({landed.describe()}) was reverted in "
            f"{commit[:7]}; {again}")


def with_parts(git: Git, branches: Sequence[BranchFacts], parts: Mapping[str, LandedPart],
               cache: Cache | None = None) -> tuple[BranchFacts, ...]:
    """The branches with their landed first commits (`git.landed.match_prefixes`) set
    aside: each such branch's changes counted from the newest of them, in one process."""
    todo = [b for b in branches if b.issue in parts]
    if not todo:
        return tuple(branches)
    diffs = changed_files_many(git, [(parts[b.issue].through, b.head) for b in todo], cache)
    new = {b.issue: replace(b, landed_part=parts[b.issue], changes=changes)
           for b, changes in zip(todo, diffs, strict=True)}
    return tuple(new.get(b.issue, b) for b in branches)


def read_sources(
    git: Git, branches: Sequence[BranchFacts], cache: Cache | None = None,
    remembered: Callable[[str], bool] | None = None,
) -> tuple[SourceChange, ...]:
    """Old and new text of every changed .py file, and whether a changed line may touch a
    signature (one `diff-tree -p -U0` process): the interface check parses only the files
    that do. When none does it parses nothing, so nothing more is read; else the blob ids
    and sizes (one `cat-file --batch-check`) and the texts by id (one `cat-file --batch`).

    What a `<commit>:<path>` names never changes, so its blob id and size are remembered
    (`cache`); a text is not read when the interface check's reader `remembered` the blob
    (the source is `unread`: the reader answers by id). An unchanged fleet asks git
    nothing."""
    wanted: list[tuple[str, str, str | None, str | None]] = []
    for b in branches:
        for c in b.changes:
            if not c.path.endswith(".py"):
                continue
            old_path = c.old_path or c.path
            old = None if c.status is ChangeStatus.ADDED else f"{b.base}:{old_path}"
            new = None if c.status is ChangeStatus.DELETED else f"{b.head}:{c.path}"
            wanted.append((b.issue, c.path, old, new))
    specs = list(dict.fromkeys(s for _, _, old, new in wanted for s in (old, new)
                               if s is not None))
    if not specs:
        return ()
    store = cache or Cache.disabled()
    touching = _api_paths(git, branches, store)
    if not any(old is not None and touching[issue].get(path, True)
               for issue, path, old, _ in wanted):
        # the check will parse nothing: nothing is read, not even a blob id or a size
        return tuple(SourceChange(issue=issue, path=path, touches_api=touching[issue].get(
            path, True)) for issue, path, _, _ in wanted)
    info = {spec: got for spec in specs if (got := _remembered_blob(store, spec)) is not False}
    unknown = [s for s in specs if s not in info]
    fresh = blob_info(git, unknown) if unknown else {}
    for spec in unknown:
        found = info[spec] = fresh.get(spec)
        store.put("blobs", spec, list(found) if found is not None else [])
    # the texts, but not those the check's reader remembers
    read = {spec: found for spec in specs if (found := info.get(spec)) is not None
            and found[1] <= MAX_BLOB and (remembered is None or not remembered(found[0]))}
    sizes = dict(read.values())  # blob id -> size
    by_id = dict(zip(sizes, read_blobs(git, list(sizes), sizes=sizes), strict=True))
    texts = {spec: by_id[found[0]] for spec, found in read.items()}
    skipped = {s for s in specs if s not in texts and (f := info.get(s)) is not None
               and f[1] <= MAX_BLOB}

    def blob_id(spec: str | None) -> str:
        found = info.get(spec) if spec is not None else None
        return found[0] if found is not None else ""

    def big(spec: str | None) -> bool:
        found = info.get(spec) if spec is not None else None
        return found is not None and found[1] > MAX_BLOB

    return tuple(
        SourceChange(
            issue=issue, path=path,
            old=texts.get(old) if old else None, new=texts.get(new) if new else None,
            too_large=big(old) or big(new),
            # a path the patch does not name (quoted, renamed from elsewhere) is parsed
            touches_api=touching[issue].get(path, True),
            old_id=blob_id(old), new_id=blob_id(new),
            unread=old in skipped or new in skipped,
        )
        for issue, path, old, new in wanted
    )


def _remembered_blob(store: Cache, spec: str) -> tuple[str, int] | Literal[False] | None:
    """What the cache knows of `<commit>:<path>`: (blob id, size), None (no blob there),
    or False (not known)."""
    got = store.get("blobs", spec)
    if got == []:
        return None
    if (isinstance(got, list) and len(got) == 2 and isinstance(got[0], str)
            and isinstance(got[1], int)):
        return got[0], got[1]
    return False


# a changed line that can be part of a signature: a top-level def/class/decorator, a
# field or parameter line, or the line closing a signature (a superset: it only filters)
_API_LINE = re.compile(
    r"^(?:(?:async[ \t]+)?def[ \t]|class[ \t]|@"
    r"|[ \t]+\*{0,2}[A-Za-z_]\w*[ \t]*(?::|,|\)|=.*[,(]\s*$)|[ \t]*\)|.*->)"
)


def touches_api(changed_lines: list[str]) -> bool:
    """Whether any added or removed line of a diff (without its +/- mark) may be part of
    a top-level signature: files whose hunks touch only bodies are never parsed (by
    `fleetbot.analysis.pyapi`, the interface check)."""
    return any(_API_LINE.match(line) for line in changed_lines)


def _api_paths(
    git: Git, branches: Sequence[BranchFacts], cache: Cache,
) -> dict[str, dict[str, bool]]:
    """issue -> changed .py path -> whether a changed line may touch a signature; one
    `diff-tree -p -U0` process for the (base, head) pairs the cache does not know."""
    out: dict[str, dict[str, bool]] = {}
    todo: list[BranchFacts] = []
    for b in branches:
        got = cache.get("api-lines", f"{b.base} {b.head}")
        if isinstance(got, dict):
            out[b.issue] = {str(k): bool(v) for k, v in got.items()}
        elif any(c.path.endswith(".py") for c in b.changes):
            todo.append(b)
        else:
            out[b.issue] = {}
    patches = changed_lines_many(git, [(b.base, b.head) for b in todo])
    for b, patch in zip(todo, patches, strict=True):
        out[b.issue] = {path: touches_api(lines) for path, lines in patch.items()}
        cache.put("api-lines", f"{b.base} {b.head}", out[b.issue])
    return out
