"""Has a row's work landed on the target? Every merge style, from git alone.

- merge commit or fast-forward: the branch head is an ancestor of the target;
- squash, rebase-merge, cherry-pick: landing the branch would change nothing (the landing
  tree equals the target's), or its whole change has the patch-id of one target commit
  (a squash, even after later commits touched the same files), or each of its commits
  has an equivalent on the target (a rebase merge);
- branch deleted: a commit on the target's first-parent history names the branch or
  closes the issue.

Each question is one git process for the whole fleet (no per-commit loop in Python); the
parsers are pure. The forge's word (PR merged) is combined with this in the pipeline.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import field
from functools import partial

from fleetbot.frozen import frozen
from fleetbot.git import Git, output_lines
from fleetbot.git.cache import Cache
from fleetbot.git.facts import (
    FULL_INDEX,
    BranchWalk,
    changed_files_many,
    commit_times,
    walk_branches,
)
from fleetbot.git.jobs import Jobs, parallel
from fleetbot.git.remote import origin_path
from fleetbot.model import BranchFacts, FileChange, Landed, LandedHow, LandedPart, Landing, Row

_OID = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")
_CLOSING = r"(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)"
# reflog messages of steps that make a commit of the branch's own
_OWN_COMMIT = re.compile(r"^(commit|cherry-pick|revert|merge .*: Merge made|rebase)", re.I)


@frozen
class TargetCommit:
    """One commit on the target's first-parent history (for the no-branch search)."""

    sha: str
    time: int
    message: str


# ---------------------------------------------------------------- parsers (pure)


def parse_patch_ids(text: str) -> dict[str, str]:
    """`git patch-id --stable` output -> commit id -> patch id."""
    out: dict[str, str] = {}
    for line in output_lines(text):
        parts = line.split()
        if len(parts) == 2:
            out[parts[1]] = parts[0]
    return out


def parse_log_records(text: str) -> tuple[TargetCommit, ...]:
    """`git log --format=%H%x1f%ct%x1f%B%x1e` -> commits (messages may hold newlines)."""
    out = []
    for record in text.split("\x1e"):
        parts = record.strip("\n").split("\x1f", 2)
        if len(parts) == 3 and _OID.match(parts[0]):
            out.append(TargetCommit(parts[0], int(parts[1] or 0), parts[2]))
    return tuple(out)


def names_row(message: str, row: Row, repo: str = "") -> bool:
    """Does a target commit's message name this row: its branch as a whole word, or a
    closing keyword for its issue ("Closes #42", or "fixes owner/repo#42" where owner/repo
    is the row's own (`owner/repo#42` in the plan) or this repository's, `repo`)? A
    reference into another repository ("Fixes other/lib#42") closes nothing here."""
    # as a word, or after an owner ("Merge pull request #7 from owner/feature/x"); a row
    # without a branch yet (undecided) is named by its issue only
    if row.branch and re.search(rf"(?:^|[\s'\"`(:])(?:[\w.-]+/)?{re.escape(row.branch)}(?![\w/.-])",
                 message):
        return True
    number = re.search(r"(\d+)$", row.issue)
    if number is None:
        return False
    own = {q.lower() for q in (row.issue.rpartition("#")[0], repo) if "/" in q}
    for m in re.finditer(rf"(?i)\b{_CLOSING}:?\s+(?:(?P<repo>[\w.-]+/[\w.-]+))?"
                         rf"#0*{number.group(1)}\b", message):
        if m.group("repo") is None or m.group("repo").lower() in own:
            return True
    return False


def own_commits_in_reflog(text: str) -> bool:
    """`git reflog show --format=%gs <branch>`: did the branch ever get a commit of its own
    (rather than only being created or fast-forwarded to the target)?"""
    return any(_OWN_COMMIT.match(line) for line in output_lines(text))


def match_patches(
    totals: Mapping[str, str], commits: Mapping[str, tuple[str, ...]],
    commit_ids: Mapping[str, str], target_ids: Mapping[str, str],
) -> dict[str, tuple[LandedHow, str]]:
    """issue -> the target commit that carries its change: the commit whose patch-id equals
    the branch's whole change (a squash), else the newest target commit matching the last
    of its own commits, when every one of them has an equivalent (a rebase merge).

    `totals`: issue -> patch-id of merge-base..head; `commits`: issue -> its own commits;
    `commit_ids`: commit -> patch-id; `target_ids`: target commit -> patch-id (newest first).
    """
    by_patch = carrier_of(target_ids)
    out: dict[str, tuple[LandedHow, str]] = {}
    for issue, pid in totals.items():
        if pid in by_patch:
            out[issue] = (LandedHow.PATCH, by_patch[pid])
    for issue, own in commits.items():
        if issue in out or not own:
            continue
        ids = [commit_ids.get(c) for c in own]
        if all(i is not None and i in by_patch for i in ids):
            first = ids[0]
            assert first is not None
            out[issue] = (LandedHow.REBASED, by_patch[first])  # own[0]: its newest commit
    return out


def match_prefixes(
    candidates: Mapping[str, Sequence[tuple[str, int]]], prefix_ids: Mapping[str, str],
    target_ids: Mapping[str, str],
) -> dict[str, LandedPart]:
    """issue -> the newest of its commits whose change from the branch's start has the
    patch-id of a target commit, with own commits after it: the branch was squash-merged
    there and went on.

    `candidates`: issue -> (commit, how many of its own non-merge commits are newer),
    newest first (a merge of the target into the branch among them: "Update branch"
    just before the squash); `prefix_ids`: commit -> patch-id of start..commit (the
    commits worth asking); `target_ids` as in `match_patches`."""
    by_patch = carrier_of(target_ids)
    out: dict[str, LandedPart] = {}
    for issue, commits in candidates.items():
        for commit, after in commits:
            carrier = by_patch.get(prefix_ids.get(commit, ""))
            if after and carrier is not None:
                out[issue] = LandedPart(carrier, commit, after)
                break
    return out


def prefix_candidates(every: Sequence[str], own: Sequence[str]) -> tuple[tuple[str, int], ...]:
    """Each of a branch's commits (`every`, merges included, newest first) below the
    newest of its own, with how many own (non-merge) commits are newer. Pure."""
    mine, out, after = set(own), [], 0
    for commit in every:
        if after:
            out.append((commit, after))
        if commit in mine:
            after += 1
    return tuple(out)


def match_rebased_prefixes(
    own: Mapping[str, Sequence[str]], commit_ids: Mapping[str, str],
    target_ids: Mapping[str, str],
) -> dict[str, LandedPart]:
    """issue -> its oldest own commits that each have an equivalent on the target, when
    some but not all do: the branch was rebase-merged (or cherry-picked) and went on.
    Arguments as in `match_patches` (`own` newest first)."""
    by_patch = carrier_of(target_ids)
    out: dict[str, LandedPart] = {}
    for issue, commits in own.items():
        landed = list(itertools.takewhile(
            lambda c: commit_ids.get(c, "") in by_patch, reversed(commits)))
        if landed and len(landed) < len(commits):
            newest = landed[-1]
            out[issue] = LandedPart(by_patch[commit_ids[newest]], newest,
                                    len(commits) - len(landed))
    return out


def carrier_of(target_ids: Mapping[str, str]) -> dict[str, str]:
    """patch-id -> the newest target commit with it (`target_ids` lists newest first)."""
    by_patch: dict[str, str] = {}
    for sha, pid in target_ids.items():
        by_patch.setdefault(pid, sha)
    return by_patch


# ---------------------------------------------------------------- git questions


def patch_ids(git: Git, lines: Sequence[str]) -> dict[str, str]:
    """Patch-ids of the diffs `git diff-tree --stdin -p` makes of `lines` ("<head> <base>"
    for a whole branch, "<commit>" for one commit): two processes for all of them."""
    if not lines:
        return {}
    diff = git.run_bytes("diff-tree", "--stdin", "-p", "--no-color", "--no-ext-diff",
                         "--no-textconv", FULL_INDEX,
                         input="".join(f"{x}\n" for x in lines).encode())
    if not diff.strip():
        return {}
    return parse_patch_ids(git.run_bytes("patch-id", "--stable", input=diff).decode())


def target_floor(git: Git, target_sha: str, since: Sequence[str]) -> tuple[str, ...]:
    """Where the target's commits that may carry a branch begin: the oldest of `since`
    (merge-bases), or () when nothing comes after the tip itself. The commits after *any*
    of them count: a branch that merged the target in after another row's squash has a
    newer merge-base, which must not hide that squash."""
    since = tuple(dict.fromkeys(since))
    if not since or since == (target_sha,):
        return ()
    if len(since) > 1:
        oldest = git.run_full("merge-base", "--octopus", *since, check=False).stdout.split()
        since = oldest[:1] or since
    return tuple(since)


def target_patch_ids(git: Git, target_sha: str, floor: Sequence[str]) -> dict[str, str]:
    """Patch-ids of the target's first-parent commits after `floor` (`target_floor`); a
    merge counts as its change against the first parent, which is what a squash would be."""
    if not floor:
        return {}
    log = git.run_bytes("log", "--first-parent", "--diff-merges=first-parent", "-p",
                        "--no-color", "--no-ext-diff", "--no-textconv", FULL_INDEX,
                        "--format=%H",
                        target_sha, *(f"^{s}" for s in floor), "--")
    if not log.strip():
        return {}
    return parse_patch_ids(git.run_bytes("patch-id", "--stable", input=log).decode())


def target_shapes(git: Git, target_sha: str, floor: Sequence[str],
                  cache: Cache | None = None) -> frozenset[frozenset[str]] | None:
    """The set of paths each first-parent target commit after `floor` changes (against
    its first parent, as `target_patch_ids` diffs it), or None when one has no parent.
    A patch-id hashes the file names of its diff, so a branch or commit changing any
    other set of paths cannot have the patch-id of one of them."""
    if not floor:
        return frozenset()
    out = git.run("rev-list", "--first-parent", "--parents", target_sha,
                  *(f"^{s}" for s in floor), "--")
    lines = [line.split() for line in output_lines(out) if line.strip()]
    if any(len(parts) < 2 for parts in lines):
        return None  # a root commit: diffed against nothing, left to the patch-ids
    changes = changed_files_many(git, [(parts[1], parts[0]) for parts in lines], cache)
    return frozenset(paths_of(c) for c in changes)


def paths_of(changes: Sequence[FileChange]) -> frozenset[str]:
    """Every path a diff names: both sides of a rename (a diff without rename detection
    deletes one and adds the other)."""
    return frozenset(p for c in changes for p in (c.path, c.old_path) if p)


def own_commits(git: Git, target_sha: str, heads: Mapping[str, str], *,
                walk: BranchWalk | None = None) -> dict[str, tuple[str, ...]]:
    """issue -> the non-merge commits of its branch not in the target, newest first: one
    walk for all (`facts.walk_branches`, or the `walk` given), else one `rev-list` per
    branch."""
    if walk is None and heads:
        walk = walk_branches(git, target_sha, list(heads.values()))
    if walk is not None:
        return {issue: walk.own(head) for issue, head in heads.items()}
    jobs = [partial(git.run, "rev-list", "--no-merges", head, f"^{target_sha}", "--")
            for head in heads.values()]
    return {issue: tuple(text.split())
            for issue, text in zip(heads, parallel(jobs), strict=True)}


def first_parent_set(git: Git, target_sha: str, since: Sequence[str]) -> frozenset[str]:
    """The target's first-parent commits back to (and including) the given merge-bases."""
    if not since:
        return frozenset()
    out = git.run("rev-list", "--first-parent", target_sha, *(f"^{s}^@" for s in since), "--")
    return frozenset(out.split())


def landing_merge(git: Git, target_sha: str, head: str) -> str:
    """The first-parent commit of the target that brought `head` in (its merge)."""
    out = git.run("rev-list", "--first-parent", "--ancestry-path", "--reverse",
                  f"{head}..{target_sha}", "--")
    return out.split()[0] if out.split() else head


def history_hits(git: Git, target_sha: str, rows: Sequence[Row]) -> dict[str, TargetCommit]:
    """For rows whose branch is gone: the newest first-parent target commit naming them."""
    if not rows:
        return {}
    greps: list[str] = []
    for row in rows:
        if row.branch:  # an empty --grep matches every commit
            greps.append(f"--grep={row.branch}")
        number = re.search(r"(\d+)$", row.issue)
        if number:
            greps.append(f"--grep=#{number.group(1)}")
    if not greps:  # without one, log lists the whole history
        return {}
    log = git.run("log", "--first-parent", "--fixed-strings", *greps,
                  "--format=%H%x1f%ct%x1f%B%x1e", target_sha, "--")
    out: dict[str, TargetCommit] = {}
    repo = origin_path(git)
    for commit in parse_log_records(log):
        for row in rows:
            if row.issue not in out and names_row(commit.message, row, repo):
                out[row.issue] = commit
    return out


@frozen
class FoundLanded:
    """What `find_landed` found: the rows landed, the rows landed in part (by issue), and
    the landings a later target commit undid (each with that commit)."""

    landed: tuple[Landed, ...] = ()
    parts: Mapping[str, LandedPart] = field(default_factory=dict)
    reverted: tuple[tuple[Landed, str], ...] = ()


def find_landed(
    git: Git,
    target_sha: str,
    no_ops: Collection[str],
    rows: Sequence[Row],
    branches: Sequence[BranchFacts],
    landings: Sequence[Landing],
    missing: Sequence[Row],
    *,
    cache: Cache | None = None,
) -> FoundLanded:
    """The rows whose work is on the target, with how and where, as git shows it; the
    rows whose first commits are (`LandedPart`); the landings undone since (`reverts`).
    `no_ops`: the rows whose clean landing changes nothing on the target. What the
    patches say is remembered by the target and the heads and bases it read."""
    landing = {la.issue: la for la in landings}
    found: dict[str, tuple[LandedHow, str]] = {}
    one_commit: set[str] = set()  # landed by one first-parent commit: revertible as one
    ancestors = [b for b in branches if b.ahead == 0]
    on_first_parent = first_parent_set(git, target_sha, [b.head for b in ancestors])
    for b in ancestors:
        if b.head not in on_first_parent:  # merged with a merge commit
            found[b.issue] = (LandedHow.ANCESTOR, landing_merge(git, target_sha, b.head))
            one_commit.add(b.issue)
        elif _moved_with_commits(git, b):  # fast-forwarded after commits of its own
            found[b.issue] = (LandedHow.ANCESTOR, b.head)
    rest = [b for b in branches if b.ahead > 0]
    parts: dict[str, LandedPart] = {}
    if rest:
        carriers, parts = _carriers(git, target_sha, rest, cache or Cache.disabled())
        for b in rest:
            la = landing.get(b.issue)
            no_op = la is not None and la.result.clean and b.issue in no_ops
            if b.issue in carriers:
                found[b.issue] = carriers[b.issue]
            elif no_op:
                found[b.issue] = (LandedHow.NO_OP, "")
    for issue, commit in history_hits(git, target_sha, missing).items():
        found[issue] = (LandedHow.HISTORY, commit.sha)
    one_commit.update(i for i, (how, _) in found.items()
                      if how in (LandedHow.PATCH, LandedHow.HISTORY))
    # a rebase merge: its commits, one first-parent commit each, end at the carrier
    spans = {b.issue: b.ahead for b in rest
             if (got := found.get(b.issue)) is not None and got[0] is LandedHow.REBASED}
    undone = reverts(git, target_sha, {i: found[i][1] for i in (*one_commit, *spans)},
                     cache or Cache.disabled(), spans)
    times = commit_times(git, [c for _, c in found.values()])
    order = {r.issue: i for i, r in enumerate(rows)}
    every = {issue: Landed(issue, how, commit, at=times.get(commit, 0))
             for issue, (how, commit) in sorted(found.items(),
                                                key=lambda kv: order.get(kv[0], 0))}
    return FoundLanded(
        tuple(la for issue, la in every.items() if issue not in undone),
        {issue: part for issue, part in parts.items() if issue not in found},
        tuple((every[issue], commit) for issue, commit in undone.items()))


def reverts(git: Git, target_sha: str, carriers: Mapping[str, str], cache: Cache,
            spans: Mapping[str, int] | None = None) -> dict[str, str]:
    """issue -> the first-parent target commit that undid its landing: a later commit whose
    change is the carrier's turned around (`git revert`, `-m 1` for a merge), with no
    later one doing it again (a revert of the revert). `carriers`: issue -> the newest
    first-parent target commit that landed it; `spans`: issue -> how many first-parent
    commits, ending there, landed it (a rebase merge; 1 when not given): undone by one
    later commit turning them all around (GitHub's revert of it, squashed or merged), or by
    one later revert of each (`git revert A..B`; the newest of them is named). Five
    processes when there is a carrier (three more with a span), none when the same target
    and carriers were read before."""
    spans = spans or {}
    commits = sorted(set(carriers.values()) - {""})
    if not commits:
        return {}
    key = " ".join([target_sha, *sorted(
        f"{i}={c}" + (f"~{spans[i]}" if spans.get(i, 1) > 1 else "")
        for i, c in carriers.items() if c)])
    got = cache.get("reverts", key)
    if isinstance(got, dict):
        return {str(k): str(v) for k, v in got.items()}
    parents = {parts[0]: parts[1] for line in output_lines(
        git.run("rev-list", "--no-walk", "--parents", "--ignore-missing", *commits, "--"))
        if len(parts := line.split()) >= 2}
    asked = [c for c in commits if c in parents]
    ranges = _ranges(git, {c: n for i, c in carriers.items()
                           if (n := spans.get(i, 1)) > 1 and c in parents})
    # "<parent> <carrier>": the diff from the carrier back to its parent, what a revert is
    bases = {c: ranges[c][-1] if c in ranges else parents[c] for c in asked}
    back = _unique_patch_ids(git, [(bases[c], c) for c in asked])
    undo = {c: pid for c in asked if (pid := back.get((bases[c], c)))}
    again = _unique_patch_ids(git, [(c, members[-1]) for c, members in ranges.items()])
    each = _unique_patch_ids(git, [(members[j + 1], members[j]) for members in ranges.values()
                                   for j in range(len(members) - 1)])
    line = target_patch_ids(git, target_sha, target_floor(git, target_sha, list(bases.values())))
    newest_first = list(line)
    out: dict[str, str] = {}
    for issue, c in carriers.items():
        if c not in undo or c not in line:
            continue
        later = newest_first[:newest_first.index(c)]
        whole = again.get((c, ranges[c][-1])) if c in ranges else line[c]
        last = next((r for r in later if line[r] in (undo[c], whole)), None)
        if last is not None and line[last] == undo[c]:
            out[issue] = last
        elif c in ranges and (by := _each_undone(later, line, ranges[c], each)) is not None:
            out[issue] = by
    cache.put("reverts", key, {issue: out[issue] for issue in out})
    return out


def _ranges(git: Git, spans: Mapping[str, int]) -> dict[str, list[str]]:
    """carrier -> the first-parent commits from it back n steps: [carrier, ..., the commit
    before the n that landed it] (n + 1 ids), in one `rev-parse`; a shorter history gives
    none."""
    if not spans:
        return {}
    asked = [(c, j) for c, n in spans.items() for j in range(n + 1)]
    proc = git.run_full("rev-parse", *(f"{c}~{j}" for c, j in asked), check=False)
    ids = output_lines(proc.stdout)
    if proc.returncode != 0 or len(ids) != len(asked):
        return {}
    out: dict[str, list[str]] = {}
    for (c, _), oid in zip(asked, ids, strict=True):
        out.setdefault(c, []).append(oid)
    return out


def _unique_patch_ids(git: Git, diffs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(to, from) -> the patch-id of the diff from `from` to `to`: `patch_ids` names each
    by its first id, so diffs sharing one are left out (their answer would be ambiguous)."""
    asked = list(dict.fromkeys(diffs))
    firsts = Counter(to for to, _ in asked)
    kept = [(to, frm) for to, frm in asked if firsts[to] == 1]
    got = patch_ids(git, [f"{to} {frm}" for to, frm in kept])
    return {(to, frm): got[to] for to, frm in kept if to in got}


def _each_undone(later: Sequence[str], line: Mapping[str, str], members: Sequence[str],
                 each: Mapping[tuple[str, str], str]) -> str | None:
    """The newest of the later commits that turn around each of the landing's commits
    (`members`: newest first, then the commit before them), none of them done again after
    its revert; None unless every one is."""
    found = []
    for j in range(len(members) - 1):
        undo = each.get((members[j + 1], members[j]))
        if undo is None or members[j] not in line:
            return None
        r = next((r for r in later if line[r] in (undo, line[members[j]])), None)
        if r is None or line[r] != undo:
            return None
        found.append(r)
    return min(found, key=list(later).index)


def _carriers(
    git: Git, target_sha: str, rest: Sequence[BranchFacts], cache: Cache,
) -> tuple[dict[str, tuple[LandedHow, str]], dict[str, LandedPart]]:
    """`match_patches` over the branches ahead of the target, and `_landed_parts` over
    the rest: four processes (up to three more for landed parts), or none when the same
    target, heads and bases were read before, or when every branch forked at the
    target's tip (no target commit after a base: nothing can carry a branch)."""
    if all(b.merge_base == target_sha for b in rest):
        return {}, {}
    key = " ".join([target_sha, *sorted(f"{b.issue}={b.head}:{b.merge_base}:{b.start}"
                                          for b in rest)])
    got = cache.get("landed", key)
    if isinstance(got, dict):
        try:
            return ({str(k): (LandedHow(v[0]), str(v[1])) for k, v in got["carriers"].items()},
                    {str(k): LandedPart(str(v[0]), str(v[1]), int(v[2]))
                     for k, v in got["parts"].items()})
        except (TypeError, ValueError, IndexError, KeyError, AttributeError):
            pass
    bases = sorted({b.merge_base for b in rest})
    floor = target_floor(git, target_sha, bases)
    # the target's log while the shapes of its commits narrow what the branches diff
    with Jobs() as pool:
        theirs_job = pool.submit(target_patch_ids, git, target_sha, floor)
        shapes = target_shapes(git, target_sha, floor, cache)
        may = [b for b in rest if shapes is None or b.stacked_on
               or paths_of(b.changes) in shapes]
        totals_job = pool.submit(patch_ids, git, [f"{b.head} {b.merge_base}" for b in may])
        own, singles, whole, walk = _own_patch_ids(git, target_sha, rest, shapes, cache)
        totals, theirs = totals_job.result(), theirs_job.result()
    singles.update((h, totals[h]) for h in whole if h in totals)
    carriers = match_patches({b.issue: totals.get(b.head, "") for b in rest},
                             own, singles, theirs)
    open_rows = [b for b in rest if b.issue not in carriers]
    mine = {b.issue: _above(own[b.issue], b.start) for b in open_rows}
    candidates = {  # merges too: "Update branch" may be the last commit it squashed
        b.issue: prefix_candidates(_above(walk.own(b.head, merges=True) if walk is not None
                                          else own[b.issue], b.start), mine[b.issue])
        for b in open_rows}
    # a squash of its first commits, or its oldest ones rebased there: the fewer left wins
    parts = match_rebased_prefixes(mine, singles, theirs)
    for issue, part in _landed_parts(git, open_rows, candidates, shapes, theirs,
                                     cache).items():
        if issue not in parts or part.after < parts[issue].after:
            parts[issue] = part
    cache.put("landed", key, {
        "carriers": {k: [how.value, c] for k, (how, c) in carriers.items()},
        "parts": {k: [p.carrier, p.through, p.after] for k, p in parts.items()}})
    return carriers, parts


def _above(commits: tuple[str, ...], start: str) -> tuple[str, ...]:
    """The commits (newest first) above `start`, a stacked dependency's head: those below
    it are the dependency's, not the branch's own."""
    return commits[:commits.index(start)] if start in commits else commits


def merged_parts(git: Git, target_sha: str, branches: Sequence[BranchFacts],
                 merged: Mapping[str, Landed]) -> dict[str, LandedPart]:
    """The branches whose PR the forge says merged and that went on since (their head is
    no longer the PR's last, `Landed.head`): the PR's head is the part that landed when
    the branch still holds it and the target does not (a squash or rebase merge; after a
    merge commit the merge-base has moved past it already). Three small processes a
    branch, for the few that went on."""
    def part(b: BranchFacts) -> LandedPart | None:
        pr = merged[b.issue]
        held = git.run_full("merge-base", "--is-ancestor", pr.head, b.head, check=False)
        if held.returncode != 0:
            return None  # rewritten since, or the PR's head was never fetched
        if git.run_full("merge-base", "--is-ancestor", pr.head, target_sha,
                        check=False).returncode == 0:
            return None
        after = git.run("rev-list", "--count", "--no-merges", b.head, f"^{pr.head}",
                        f"^{target_sha}", "--").strip()
        return LandedPart(pr.commit, pr.head, int(after or 0), pull=pr.pull) \
            if after not in ("", "0") else None
    asked = [b for b in branches if b.issue in merged and merged[b.issue].head]
    found = parallel([partial(part, b) for b in asked])
    return {b.issue: p for b, p in zip(asked, found, strict=True) if p is not None}


def _landed_parts(
    git: Git, rest: Sequence[BranchFacts], candidates: Mapping[str, tuple[tuple[str, int], ...]],
    shapes: frozenset[frozenset[str]] | None, theirs: Mapping[str, str], cache: Cache,
) -> dict[str, LandedPart]:
    """`match_prefixes` over the branches not landed whole: the change from its start to
    each of its commits below its newest own one (`prefix_candidates`), diffed (one
    process) only for branches that share a path with some target commit, and given a
    patch-id (two more) only where it names the paths of one."""
    if not theirs:
        return {}
    near = [b for b in rest if candidates.get(b.issue)
            and (shapes is None or any(s & b.paths for s in shapes))]
    asked = list(dict.fromkeys((b.start, c) for b in near for c, _ in candidates[b.issue]))
    if not asked:
        return {}
    if shapes is not None:
        asked = [pair for pair, changes in zip(asked, changed_files_many(git, asked, cache),
                                                strict=True) if paths_of(changes) in shapes]
    ids = patch_ids(git, [f"{c} {start}" for start, c in asked])
    return match_prefixes({b.issue: candidates[b.issue] for b in near}, ids, theirs)


def _own_patch_ids(
    git: Git, target_sha: str, rest: Sequence[BranchFacts],
    shapes: frozenset[frozenset[str]] | None = None, cache: Cache | None = None,
) -> tuple[dict[str, tuple[str, ...]], dict[str, str], set[str], BranchWalk | None]:
    """Each branch's own commits, their patch-ids, the heads left out, and the walk that
    found them (merges included, for `prefix_candidates`): a branch of one
    commit whose parent is its merge-base has the diff of the whole branch, so that commit
    is not diffed twice (its patch-id is the branch's, read beside this). With the target
    commits' `shapes`, only the commits of branches whose every own commit changes the
    paths of some target commit are diffed: no other branch can be a rebase merge."""
    heads = {b.issue: b.head for b in rest}
    walk = walk_branches(git, target_sha, list(heads.values())) if heads else None
    own = own_commits(git, target_sha, heads, walk=walk)
    parents = {c: ps for c, _, ps in walk.commits} if walk is not None else {}
    whole = {b.head for b in rest
             if own.get(b.issue) == (b.head,) and parents.get(b.head) == (b.merge_base,)}
    wanted = {c for cs in own.values() for c in cs} - whole
    if shapes is not None and wanted:
        wanted = _shaped(git, own, wanted, parents, shapes, cache)
    singles = patch_ids(git, sorted(wanted))
    return own, singles, whole, walk


def _shaped(git: Git, own: Mapping[str, tuple[str, ...]], wanted: set[str],
            parents: Mapping[str, tuple[str, ...]], shapes: frozenset[frozenset[str]],
            cache: Cache | None) -> set[str]:
    """The commits of `wanted` worth a patch-id: those with the shape of a target commit
    (a commit with no parent in the walk is kept). A branch is rebase-merged only if all
    of its own commits are among them, and in part if its oldest are."""
    asked = sorted(c for c in wanted if len(parents.get(c, ())) == 1)
    fits = {c: paths_of(ch) in shapes for c, ch in zip(asked, changed_files_many(
        git, [(parents[c][0], c) for c in asked], cache), strict=True)}
    return {c for c in wanted if fits.get(c, True)}


def _moved_with_commits(git: Git, b: BranchFacts) -> bool:
    """A local branch on the target's own line landed only if it ever had commits of its
    own; a branch just created there (or only fast-forwarded) has not started."""
    if b.ref.startswith("origin/"):
        return False
    proc = git.run_full("reflog", "show", "--format=%gs", f"refs/heads/{b.branch}", "--",
                        check=False)
    return proc.returncode == 0 and own_commits_in_reflog(proc.stdout)
