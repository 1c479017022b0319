"""Facts about the fleet's branches: target, heads, merge-bases, changed files, ahead/behind.

Each question is one git process (no per-file loops); the parsers of git's output are
plain functions over strings, so they are tested without git.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from functools import partial
from heapq import heappop, heappush
from typing import TypeVar

from fleetbot.errors import GitError
from fleetbot.frozen import frozen
from fleetbot.git import Git, output_lines
from fleetbot.git.cache import Cache
from fleetbot.git.jobs import parallel
from fleetbot.git.refs import parse_left_right
from fleetbot.model import BranchFacts, ChangeStatus, FileChange, StackBase

T = TypeVar("T")

UNSHALLOW_HINT = (
    "this clone is shallow: fetch the full history with `git fetch --unshallow` "
    "(in GitHub Actions: actions/checkout with `fetch-depth: 0`)"
)


# ---------------------------------------------------------------- parsers (pure)


def parse_name_status(text: str) -> tuple[FileChange, ...]:
    """`git diff --name-status -z` -> FileChange per file (R/C carry old and new path)."""
    tokens = text.split("\0")
    out: list[FileChange] = []
    i = 0
    while i < len(tokens):
        status = tokens[i]
        if not status:
            i += 1
            continue
        letter = status[0]
        if letter in "RC":
            if i + 2 >= len(tokens) or not tokens[i + 2]:
                break
            out.append(FileChange(path=tokens[i + 2], status=ChangeStatus.of(letter),
                                  old_path=tokens[i + 1]))
            i += 3
        else:
            if i + 1 >= len(tokens) or not tokens[i + 1]:
                break
            out.append(FileChange(path=tokens[i + 1], status=ChangeStatus.of(letter)))
            i += 2
    return tuple(out)


def parse_symmetric_bases(text: str) -> list[str | None]:
    """`git rev-parse T...A T...B` -> the merge-base of each range (None where there is
    none); the first base is the one `git merge-base` prints."""
    return [base for _, base in parse_symmetric_ranges(text)]


def parse_symmetric_ranges(text: str) -> list[tuple[str, str | None]]:
    """`git rev-parse T...A T...B` -> (A's id, the merge-base or None) of each range.
    rev-parse prints each range as its right end, its left end and `^<base>` per
    merge-base."""
    out: list[tuple[str, str | None]] = []
    ends = 0
    for line in output_lines(text):
        if line.startswith("^"):
            if out and out[-1][1] is None:
                out[-1] = (out[-1][0], line[1:].strip())
        elif line.strip():
            ends = ends % 2 + 1
            if ends == 1:
                out.append((line.strip(), None))
    return out


def merge_bases(git: Git, pairs: Sequence[tuple[str, str]],
                cache: Cache | None = None) -> list[str | None]:
    """The merge-base of each (a, b) pair of commit ids (None where there is none), the
    first `git merge-base a b` prints: one `rev-parse a...b ...` for the pairs `cache`
    does not remember. Two ids always have the same bases, but in a shallow clone a
    deepening fetch can find one that was cut off, so its answers are not kept."""
    store = cache if cache is not None and not git.layout().shallow else Cache.disabled()
    known: dict[tuple[str, str], str | None] = {}
    for pair in dict.fromkeys(pairs):
        got = store.get("bases", f"{pair[0]} {pair[1]}")
        if isinstance(got, str):
            known[pair] = got or None
    asked = [pair for pair in dict.fromkeys(pairs) if pair not in known]
    if asked:
        found = parse_symmetric_bases(git.run("rev-parse", *(f"{a}...{b}" for a, b in asked)))
        for pair, base in zip(asked, found, strict=True):
            known[pair] = base
            store.put("bases", f"{pair[0]} {pair[1]}", base or "")
    return [known[pair] for pair in pairs]


_OID = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")


def parse_diff_tree_stdin(text: str) -> list[tuple[FileChange, ...]]:
    """`git diff-tree --stdin --always -r -z --name-status` -> per input line its changes.
    Each diff opens with the commit id; a status never looks like one (git's ids are
    lowercase hex, statuses uppercase letters)."""
    groups: list[list[str]] = []
    tokens = text.split("\0")
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if _OID.fullmatch(tok):
            groups.append([])
            i += 1
        elif not tok or not groups:
            i += 1
        else:
            n = 3 if tok[0] in "RC" else 2
            groups[-1].extend(tokens[i:i + n])
            i += n
    return [parse_name_status("\0".join(g) + "\0") for g in groups]


def parse_patch_stdin(text: str) -> list[dict[str, list[str]]]:
    """`git diff-tree --stdin --always -p -U0` -> per input line, path -> its added and
    removed lines (marks stripped). A diff opens with the commit id alone on a line; inside
    a hunk every line starts with +, - or a backslash, so that is never content."""
    groups: list[dict[str, list[str]]] = []
    current: list[str] | None = None
    in_hunk = False
    for line in text.split("\n"):
        if _OID.fullmatch(line):
            groups.append({})
            current, in_hunk = None, False
        elif not groups:
            continue
        elif line.startswith("diff --git "):
            current, in_hunk = None, False
        elif not in_hunk and line.startswith(("+++ ", "--- ")):
            name = line[4:]
            if name != "/dev/null" and (current is None or line.startswith("+++ ")):
                path = name[2:] if name[:2] in ("a/", "b/") else name
                current = groups[-1].setdefault(path, [])
        elif line.startswith("@@"):
            in_hunk = True
        elif in_hunk and current is not None and line[:1] in ("+", "-"):
            current.append(line[1:])
    return groups


def parse_cat_file_objects(data: bytes, count: int) -> list[tuple[str, bytes] | None]:
    """`git cat-file --batch` output for `count` requests -> each object's (type, bytes),
    or None where git printed "<spec> missing" / "ambiguous". Sizes count bytes, hence
    bytes in."""
    out: list[tuple[str, bytes] | None] = []
    pos = 0
    for _ in range(count):
        end = data.find(b"\n", pos)
        if end < 0:
            out.append(None)
            continue
        header = data[pos:end].split(b" ")
        pos = end + 1
        if len(header) == 3 and header[2].isdigit():
            size = int(header[2])
            out.append((header[1].decode("ascii", "replace"), data[pos:pos + size]))
            pos += size + 1  # the object is followed by a newline
        else:
            out.append(None)
    return out


def parse_cat_file_batch(data: bytes, count: int) -> list[bytes | None]:
    """`git cat-file --batch` output for `count` requests -> each blob's bytes or None
    (missing, or not a blob)."""
    return [o[1] if o is not None and o[0] == "blob" else None
            for o in parse_cat_file_objects(data, count)]


def read_objects(git: Git, specs: Sequence[str]) -> list[tuple[str, bytes] | None]:
    """Each revision's (object type, content) or None when it names nothing, in one
    `cat-file --batch`. A spec holding a newline cannot be asked on its line: None."""
    asked = [s for s in specs if "\n" not in s]
    if not asked:
        return [None] * len(specs)
    data = git.run_bytes("cat-file", "--batch", input="".join(
        s + "\n" for s in asked).encode("utf-8", "surrogateescape"))
    found = dict(zip(asked, parse_cat_file_objects(data, len(asked)), strict=True))
    return [found.get(s) for s in specs]


def as_text(blob: bytes) -> str:
    """A committed plan's text: UTF-8 (undecodable bytes kept as surrogates), any line
    ending read as a newline (the plan readers split on newlines)."""
    return blob.decode("utf-8", "surrogateescape").replace("\r\n", "\n").replace("\r", "\n")


# ---------------------------------------------------------------- git questions


def merge_base(git: Git, a: str, b: str, *, shallow: bool, branch: str = "") -> str:
    """The best common ancestor of a and b, or a GitError that says what to do."""
    proc = git.run_full("merge-base", a, b, check=False)
    if proc.returncode == 0 and proc.stdout.strip():
        return proc.stdout.split()[0]
    if proc.returncode == 1 and not proc.stderr.strip():
        what = f"branch {branch!r}" if branch else b
        if shallow:
            raise GitError(
                f"{what} and the target have no merge-base in this shallow clone",
                argv=["git", "merge-base", a, b], code=1, hint=UNSHALLOW_HINT,
            )
        raise GitError(
            f"{what} shares no history with the target",
            argv=["git", "merge-base", a, b], code=1,
            hint="check the plan's branch name and --target",
        )
    raise GitError(
        "git merge-base failed", argv=["git", "merge-base", a, b], code=proc.returncode,
        stderr=proc.stderr, hint=UNSHALLOW_HINT if shallow else "",
    )


def ahead_behind(git: Git, target: str, head: str) -> tuple[int, int]:
    """(commits only on head, commits only on target)."""
    behind, ahead = parse_left_right(
        git.run("rev-list", "--left-right", "--count", f"{target}...{head}")
    )
    return ahead, behind


def ahead_behind_many(
    git: Git, target: str, heads: Sequence[str], *, workers: int | None, cache: Cache,
    on_target: bool = False,
) -> list[tuple[int, int]]:
    """`ahead_behind` of each head against the target commit, remembered by their ids;
    what the cache does not know comes from one walk of the history (`walk_branches`;
    `on_target`: every head contains the target, so the target is the walk's floor),
    or one `rev-list --count` per head where no walk can be bounded."""
    known: dict[str, tuple[int, int]] = {}
    for h in heads:
        got = cache.get("ahead-behind", f"{target} {h}")
        if isinstance(got, list) and len(got) == 2 and all(isinstance(x, int) for x in got):
            known[h] = (got[0], got[1])
    todo = sorted({h for h in heads if h not in known})
    # all heads, not only those the cache lacks: the landing checks ask this same walk
    walk = walk_branches(git, target, heads, floor=(target,) if on_target else None
                         ) if todo else None
    if walk is not None:
        counts = [walk.ahead_behind(h) for h in todo]
    else:
        counts = parallel([partial(ahead_behind, git, target, h) for h in todo], workers)
    for h, ab in zip(todo, counts, strict=True):
        known[h] = ab
        cache.put("ahead-behind", f"{target} {h}", list(ab))
    return [known[h] for h in heads]


@frozen
class BranchWalk:
    """The commits between the target, the heads and their common floor, and for each
    commit which of them reach it (bit 0: the target, bit i + 1: heads[i])."""

    target: str
    heads: tuple[str, ...]
    commits: tuple[tuple[str, int, tuple[str, ...]], ...]  # (id, commit time, parents)
    reach: Mapping[str, int]
    masks: Mapping[int, int]  # each distinct reach mask -> how many commits have it

    def _bit(self, head: str) -> int:
        return 1 << (self.heads.index(head) + 1)

    def ahead_behind(self, head: str) -> tuple[int, int]:
        """(commits only on head, commits only on the target), as `rev-list --count`."""
        bit, ahead, behind = self._bit(head), 0, 0
        for mask, n in self.masks.items():
            if mask & bit and not mask & 1:
                ahead += n
            elif mask & 1 and not mask & bit:
                behind += n
        return ahead, behind

    def own(self, head: str, *, merges: bool = False) -> tuple[str, ...]:
        """The non-merge commits of head not in the target in `git rev-list --no-merges
        head ^target` order: newest commit time first, ties in the order they were met;
        with `merges`, its merge commits among them too (`git rev-list head ^target`)."""
        bit = self._bit(head)
        info = {c: (t, ps) for c, t, ps in self.commits}
        mine = {c for c, m in self.reach.items() if m & bit and not m & 1}
        out: list[str] = []
        met = 0
        queue: list[tuple[int, int, str]] = []
        seen = {head}
        if head in mine:
            heappush(queue, (-info[head][0], met, head))
        while queue:
            _, _, c = heappop(queue)
            parents = info[c][1]
            if merges or len(parents) <= 1:
                out.append(c)
            for p in parents:
                if p in mine and p not in seen:
                    seen.add(p)
                    met += 1
                    heappush(queue, (-info[p][0], met, p))
        return tuple(out)


def parse_walk(text: str) -> list[tuple[str, int, tuple[str, ...]]]:
    """`git rev-list --parents --timestamp` -> (id, commit time, parents) per line."""
    out = []
    for line in output_lines(text):
        fields = line.split()
        if len(fields) >= 2 and fields[0].isdigit():
            out.append((fields[1], int(fields[0]), tuple(fields[2:])))
    return out


def commit_times(git: Git, commits: Iterable[str]) -> dict[str, int]:
    """Committer time (unix seconds) of each commit id, in one `git show` (empty ids, as
    a row without a commit gives, are left out)."""
    wanted = sorted({c for c in commits if c})
    if not wanted:
        return {}
    out = git.run("show", "-s", "--format=%H %ct", *wanted, "--")
    return {sha: int(when) for sha, _, when in (line.partition(" ") for line in output_lines(out))
            if when.isdigit()}


def reach_of(commits: Sequence[tuple[str, int, tuple[str, ...]]], tips: Sequence[str],
             ) -> dict[str, int]:
    """Which tips (bit i: tips[i]) reach each commit, given the commits children first
    (`--topo-order`); parents outside the walk are below the floor and left out."""
    reach: dict[str, int] = {}
    for i, tip in enumerate(tips):
        reach[tip] = reach.get(tip, 0) | 1 << i
    inside = {c for c, _, _ in commits}
    for c, _, parents in commits:
        mask = reach.get(c, 0)
        for p in parents:
            if p in inside:
                reach[p] = reach.get(p, 0) | mask
    return {c: reach.get(c, 0) for c, _, _ in commits}


def walk_branches(git: Git, target: str, heads: Sequence[str], *,
                  floor: Sequence[str] | None = None) -> BranchWalk | None:
    """One walk for all heads: the commits reachable from the target or a head but not
    from their common ancestors (`merge-base --octopus`, or the `floor` the caller knows:
    below it every commit is on all of them, so it counts for none). None when they share
    no ancestor (then nothing bounds the walk)."""
    uniq = tuple(dict.fromkeys(heads))
    walks: list[BranchWalk | None] = git.memo(("walks", target), list)
    for walk in walks:  # a walk of more heads answers the same for each of these
        if walk is not None and set(uniq) <= set(walk.heads):
            return walk
    found = _walk(git, target, uniq, floor)
    walks.append(found)
    return found


def _walk(git: Git, target: str, uniq: tuple[str, ...],
          floor: Sequence[str] | None) -> BranchWalk | None:
    if floor is None:
        asked = git.run_full("merge-base", "--octopus", target, *uniq, check=False)
        floor = asked.stdout.split() if asked.returncode == 0 else []
    bases = list(floor)
    if not bases:
        return None
    commits = parse_walk(git.run("rev-list", "--topo-order", "--parents", "--timestamp",
                                 target, *uniq, *(f"^{b}" for b in bases), "--"))
    reach = reach_of(commits, [target, *uniq])
    return BranchWalk(target=target, heads=uniq, commits=tuple(commits), reach=reach,
                      masks=Counter(reach.values()))


def branch_facts(
    git: Git, *, issue: str, branch: str, ref: str, head: str, target_sha: str,
    shallow: bool = False,
) -> BranchFacts:
    """Merge-base, changed files and ahead/behind of one resolved branch."""
    (facts,) = all_branch_facts(git, target_sha, [(issue, branch, ref, head)], shallow=shallow)
    return facts


def all_branch_facts(
    git: Git, target_sha: str, found: Sequence[tuple[str, str, str, str]], *,
    shallow: bool = False, workers: int | None = None, cache: Cache | None = None,
    stacks: Mapping[str, tuple[StackBase, ...]] | None = None,
) -> tuple[BranchFacts, ...]:
    """BranchFacts for every (issue, branch, ref, head): all merge-bases from one
    `rev-parse`, all changed files from one `diff-tree --stdin`, ahead/behind of all of them
    from one history walk unless the cache knows it. A row in
    `stacks` (git.stack) has its changes counted from the dependency heads it is built on."""
    if not found:
        return ()
    heads = [f[3] for f in found]
    bases = merge_bases(git, [(target_sha, h) for h in heads], cache)
    for (_, branch, _, head), base in zip(found, bases, strict=True):
        if base is None:  # ask again on its own for the error that says what to do
            merge_base(git, target_sha, head, shallow=shallow, branch=branch)
            raise GitError(f"no merge-base between the target and {branch!r}")
    pairs = [(base or "", head) for base, head in zip(bases, heads, strict=True)]
    from fleetbot.git.stack import stacked_changes

    changes = stacked_changes(git, found, pairs, stacks or {}, cache)
    counts = ahead_behind_many(git, target_sha, heads, workers=workers,
                               on_target=all(b == target_sha for b in bases),
                               cache=cache or Cache.disabled())
    return tuple(
        BranchFacts(
            issue=issue, branch=branch, ref=ref, head=head, merge_base=base,
            changes=chg, ahead=ahead, behind=behind, stacked_on=(stacks or {}).get(issue, ()),
        )
        for (issue, branch, ref, head), (base, _), chg, (ahead, behind) in zip(
            found, pairs, changes, counts, strict=True
        )
    )


def changed_files_many(
    git: Git, pairs: Sequence[tuple[str, str]], cache: Cache | None = None,
) -> list[tuple[FileChange, ...]]:
    """Files changed from base to head for every (base, head), renames detected, in one
    `git diff-tree --stdin` process for the pairs `cache` does not remember (both are
    object ids, so the answer never changes)."""
    store = cache or Cache.disabled()
    known: dict[tuple[str, str], tuple[FileChange, ...]] = {}
    for pair in pairs:
        got = _changes_from_json(store.get("changes", f"{pair[0]} {pair[1]}"))
        if got is not None:
            known[pair] = got
    todo = list(dict.fromkeys(p for p in pairs if p not in known))
    if todo:
        out = git.run(
            "diff-tree", "--stdin", "--always", "-r", "-z", "--name-status", "-M",
            "--no-color", input="".join(f"{head} {base}\n" for base, head in todo),
        )
        answers = parse_diff_tree_stdin(out)
        if len(answers) != len(todo):
            raise GitError(f"git diff-tree --stdin answered {len(answers)} diffs for "
                           f"{len(todo)}")
        for pair, changes in zip(todo, answers, strict=True):
            known[pair] = changes
            store.put("changes", f"{pair[0]} {pair[1]}",
                      [[c.status.value, c.path, c.old_path] for c in changes])
    return [known[p] for p in pairs]


def _changes_from_json(value: object) -> tuple[FileChange, ...] | None:
    """Remembered changes, or None when the entry is not one (then git is asked)."""
    if not isinstance(value, list):
        return None
    try:
        return tuple(FileChange(path=str(path), status=ChangeStatus(status),
                                old_path=str(old)) for status, path, old in value)
    except (TypeError, ValueError):
        return None


# a patch's `index` lines with whole object ids: abbreviating one makes git list every
# folder of loose objects to prove the prefix unique (34 -> 21 ms for the interface
# filter's diff at N = 20 beside 13,700 loose objects); nothing reads those lines
FULL_INDEX = "--full-index"


def changed_lines_many(
    git: Git, pairs: Sequence[tuple[str, str]], pathspec: Sequence[str] = ("*.py",),
) -> list[dict[str, list[str]]]:
    """The added and removed lines of every file matching `pathspec`, base to head, for
    every (base, head): one `diff-tree --stdin -p -U0` process, no context lines."""
    if not pairs:
        return []
    out = git.run(
        "diff-tree", "--stdin", "--always", "-r", "-p", "-U0", "-M", "--no-color",
        "--no-ext-diff", "--no-textconv", FULL_INDEX, "--", *pathspec,
        input="".join(f"{head} {base}\n" for base, head in pairs),
    )
    got = parse_patch_stdin(out)
    if len(got) != len(pairs):
        raise GitError(f"git diff-tree --stdin answered {len(got)} patches for {len(pairs)}")
    return got


MAX_BLOB = 1_000_000  # bytes: a larger file is skipped, never read


def read_blobs(
    git: Git, specs: Sequence[str], *, max_bytes: int = MAX_BLOB,
    sizes: Mapping[str, int | None] | None = None,
) -> list[str | None]:
    """`<rev>:<path>` specs -> text (None: missing, binary-ish or too big); two processes.

    Sizes are asked first (`cat-file --batch-check`; `sizes` if the caller has them) and
    only blobs under `max_bytes` are read, so six branches touching a 150 MB file cost six
    header lines, not 900 MB."""
    known = blob_sizes(git, specs) if sizes is None else sizes
    small = [s for s in specs if (n := known.get(s)) is not None and n <= max_bytes]
    if not small:
        return [None] * len(specs)
    data = git.run_bytes(
        "cat-file", "--batch", input="".join(s + "\n" for s in small).encode(
            "utf-8", "surrogateescape"
        ),
    )
    blobs = dict(zip(small, parse_cat_file_batch(data, len(small)), strict=True))
    return [source_text(blobs.get(spec), max_bytes) for spec in specs]


def source_text(blob: bytes | None, max_bytes: int = MAX_BLOB) -> str | None:
    """A blob as text to parse: None when missing, over `max_bytes` or binary (a NUL)."""
    if blob is None or len(blob) > max_bytes or b"\0" in blob:
        return None
    return blob.decode("utf-8", "replace")


def read_small_blobs(
    git: Git, specs: Sequence[str], *, max_bytes: int = MAX_BLOB,
) -> tuple[dict[str, tuple[str, int] | None], dict[str, str | None]]:
    """Each `<rev>:<path>`'s (blob id, size) (None: missing or not a blob) and its text
    (`source_text`; a blob over `max_bytes` is never read), in one `cat-file
    --batch-command` conversation (git 2.36+): the sizes first, then the small blobs.
    On an older git, two processes (`blob_info`, then `read_blobs`)."""
    usable = list(dict.fromkeys(s for s in specs if "\n" not in s))
    if not usable:
        return {}, {}
    talked = _info_then_contents(git, usable, max_bytes)
    if talked is not None:
        return talked
    info = blob_info(git, usable)
    texts = read_blobs(git, usable, max_bytes=max_bytes, sizes=sizes_of(info))
    return info, dict(zip(usable, texts, strict=True))


def blob_texts(git: Git, blobs: Sequence[str]) -> dict[str, str | None]:
    """Blob id -> its text (`source_text`), in one process."""
    return read_small_blobs(git, blobs)[1]


def _info_then_contents(
    git: Git, specs: Sequence[str], max_bytes: int,
) -> tuple[dict[str, tuple[str, int] | None], dict[str, str | None]] | None:
    """`read_small_blobs` over one `git cat-file --batch-command --buffer`, or None when
    this git has no --batch-command (it stops at once). The commands are written from a
    thread while the answers are read, so neither side can fill a pipe the other is not
    reading; stdin is closed after the last command, so the contents are read to EOF."""
    proc = git.start("cat-file", "--batch-command", "--buffer")
    stdin, stdout = proc.stdin, proc.stdout
    assert stdin is not None and stdout is not None

    def send(lines: list[str], close: bool) -> None:
        try:
            stdin.write("".join(lines).encode("utf-8", "surrogateescape"))
            stdin.flush()
            if close:
                stdin.close()
        except (BrokenPipeError, ValueError):  # git stopped: the reads below say so
            pass

    try:
        header = _talk(send, [f"info {s}\n" for s in specs] + ["flush\n"], False,
                       lambda: [stdout.readline() for _ in specs])
        if not all(header):
            with contextlib.suppress(BrokenPipeError):
                stdin.close()
            proc.wait()
            stdout.close()
            return None
        info = dict(zip(specs, parse_batch_check(b"".join(header), len(specs)), strict=True))
        small = [s for s in specs if (b := info[s]) is not None and b[1] <= max_bytes]
        data = _talk(send, [f"contents {s}\n" for s in small] + ["flush\n"], True,
                     stdout.read)
    except BaseException:  # Ctrl-C or a bug: git must not outlive the conversation
        proc.kill()
        proc.wait()
        raise
    stdout.close()
    if proc.wait() != 0:
        raise GitError("git cat-file --batch-command failed",
                       argv=["git", "cat-file", "--batch-command", "--buffer"],
                       code=proc.returncode)
    blobs = dict(zip(small, parse_cat_file_batch(data, len(small)), strict=True))
    return info, {s: source_text(blobs.get(s), max_bytes) for s in specs}


def _talk(send: Callable[[list[str], bool], None], lines: list[str], close: bool,
          read: Callable[[], T]) -> T:
    """`read()` the answers while a daemon thread sends `lines` (a stuck git cannot keep
    the process from exiting)."""
    import threading

    writer = threading.Thread(target=send, args=(lines, close), daemon=True)
    writer.start()
    got = read()
    writer.join()
    return got


def blob_sizes(git: Git, specs: Sequence[str]) -> dict[str, int | None]:
    """The size in bytes of each `<rev>:<path>` blob (None: missing or not a blob)."""
    return sizes_of(blob_info(git, specs))


def sizes_of(info: Mapping[str, tuple[str, int] | None]) -> dict[str, int | None]:
    """The sizes of `blob_info`'s answers (None: missing or not a blob)."""
    return {s: None if b is None else b[1] for s, b in info.items()}


def blob_info(git: Git, specs: Sequence[str]) -> dict[str, tuple[str, int] | None]:
    """The (blob id, size in bytes) of each `<rev>:<path>` (None: missing or not a blob),
    in one `cat-file --batch-check`."""
    usable = [s for s in specs if "\n" not in s]
    if not usable:
        return {}
    data = git.run_bytes(
        "cat-file", "--batch-check",
        input="".join(s + "\n" for s in usable).encode("utf-8", "surrogateescape"),
    )
    return dict(zip(usable, parse_batch_check(data, len(usable)), strict=True))


def parse_batch_check(data: bytes, count: int) -> list[tuple[str, int] | None]:
    """`git cat-file --batch-check` output: `<id> blob <size>` or `<spec> missing` per
    request, in order -> each blob's (id, size) (None for anything else)."""
    lines = data.split(b"\n")
    out: list[tuple[str, int] | None] = []
    for line in lines[:count]:
        fields = line.split(b" ")
        ok = len(fields) == 3 and fields[1] == b"blob" and fields[2].isdigit()
        out.append((fields[0].decode("ascii", "replace"), int(fields[2])) if ok else None)
    out += [None] * (count - len(out))
    return out


def kept_folders(
    git: Git, commits: Sequence[str], folders: Sequence[Collection[str]],
    cache: Cache | None = None,
) -> list[set[str]]:
    """Of the folders each commit's branch emptied (`folders[i]` for `commits[i]`), those
    still in its tree: one `cat-file --batch-check` process for the ones `cache` does not
    know (a commit id and a path: the answer never changes). A folder that cannot be asked
    about (a newline in its name) counts as gone, the cautious answer."""
    store = cache or Cache.disabled()
    specs = [(i, d, f"{c}:{d}") for i, (c, ds) in enumerate(zip(commits, folders, strict=True))
             for d in sorted(ds) if "\n" not in d]
    out: list[set[str]] = [set() for _ in commits]
    todo = []
    for i, d, spec in specs:
        known = store.get("kept", spec)
        if isinstance(known, bool):
            if known:
                out[i].add(d)
        else:
            todo.append((i, d, spec))
    if not todo:
        return out
    data = git.run_bytes(
        "cat-file", "--batch-check=%(objecttype)",
        input="".join(s + "\n" for *_, s in todo).encode("utf-8", "surrogateescape"),
    )
    answers = data.split(b"\n")
    for k, (i, d, spec) in enumerate(todo):
        kept = k < len(answers) and answers[k] == b"tree"
        if kept:
            out[i].add(d)
        if k < len(answers) - 1:  # an answer git gave, not one cut short
            store.put("kept", spec, kept)
    return out
