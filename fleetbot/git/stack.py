"""Stacked rows: a branch built on its dependency's branch is compared to that head.

A row that Depends on another and whose branch contains that row's head (the dependency's
tip is an ancestor of the row's tip) carries the dependency's commits; counted from the
merge-base with the target they would be its drift and its diff collisions. So such a
row's changes are counted from the dependency's head instead (DESIGN.md "Conflicts" 2).
A dependency the target already holds (merged with a merge commit or fast-forward) moves
the merge-base itself and needs nothing here; one that landed by squash or rebase leaves
its old head behind, which stays the row's base until the row is restacked with
`git rebase --onto` (see `analysis.stack`).

Every ancestry question of the fleet is one `git rev-parse A...B ...` process.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fleetbot.git import Git
from fleetbot.git.cache import Cache
from fleetbot.git.facts import changed_files_many, merge_bases
from fleetbot.model import FileChange, Plan, StackBase

Head = tuple[str, str]  # (ref as read, commit id)


def candidates(plan: Plan, heads: Mapping[str, Head]) -> dict[str, tuple[str, ...]]:
    """issue -> the issues of its dependencies that have a branch (pure)."""
    out: dict[str, tuple[str, ...]] = {}
    for row in plan.rows:
        if row.issue not in heads:
            continue
        deps = []
        for ref in row.depends_on:
            dep = plan.find(ref)
            if dep is not None and dep.issue != row.issue and dep.issue in heads:
                deps.append(dep.issue)
        if deps:
            out[row.issue] = tuple(dict.fromkeys(deps))
    return out


def ancestry_questions(
    deps: Mapping[str, tuple[str, ...]], heads: Mapping[str, Head], target_sha: str,
) -> list[tuple[str, str]]:
    """The (a, b) commit pairs whose merge-base answers "is a an ancestor of b?": each
    dependency against its row, against the target, and against the row's other
    dependencies (to tell the nearest). Pure; no pair asked twice."""
    out: list[tuple[str, str]] = []
    for issue, names in deps.items():
        row = heads[issue][1]
        for d in names:
            out += [(heads[d][1], row), (heads[d][1], target_sha)]
            out += [(heads[d][1], heads[e][1]) for e in names if e != d]
    return list(dict.fromkeys(out))


def choose_bases(
    deps: Mapping[str, tuple[str, ...]], heads: Mapping[str, Head],
    target_sha: str, is_ancestor: Mapping[tuple[str, str], bool],
) -> dict[str, tuple[StackBase, ...]]:
    """issue -> the dependencies its branch is built on and the target does not hold,
    nearest first (one whose head contains the others'). Pure."""
    out: dict[str, tuple[StackBase, ...]] = {}
    for issue, names in deps.items():
        row = heads[issue][1]
        on = [d for d in names if is_ancestor.get((heads[d][1], row), False)
              and not is_ancestor.get((heads[d][1], target_sha), False)]
        if not on:
            continue
        below = {d: sum(is_ancestor.get((heads[e][1], heads[d][1]), False)
                        for e in on if e != d) for d in on}  # the others this head holds
        on.sort(key=below.__getitem__, reverse=True)  # stable: plan order among equals
        out[issue] = tuple(StackBase(d, heads[d][0], heads[d][1]) for d in on)
    return out


def own_changes(diffs: Sequence[tuple[FileChange, ...]]) -> tuple[FileChange, ...]:
    """The changes of a branch stacked on several heads: the paths that differ from every
    one of them (the first diff's record of each, in its order). Pure."""
    if len(diffs) < 2:
        return diffs[0] if diffs else ()
    keep = set.intersection(*({c.path for c in d} for d in diffs))
    return tuple(c for c in diffs[0] if c.path in keep)


def stack_bases(
    git: Git, plan: Plan, heads: Mapping[str, Head], target_sha: str,
    cache: Cache | None = None,
) -> dict[str, tuple[StackBase, ...]]:
    """issue -> the dependencies whose heads its branch is built on, nearest first, for
    every row with a branch: one `rev-parse` process, none when no row has a dependency
    with a branch."""
    deps = candidates(plan, heads)
    pairs = ancestry_questions(deps, heads, target_sha)
    if not pairs:
        return {}
    bases = merge_bases(git, pairs, cache)
    answers = {pair: base == pair[0] for pair, base in zip(pairs, bases, strict=True)}
    return choose_bases(deps, heads, target_sha, answers)


def stacked_changes(
    git: Git, found: Sequence[tuple[str, str, str, str]], pairs: Sequence[tuple[str, str]],
    stacks: Mapping[str, tuple[StackBase, ...]], cache: Cache | None = None,
) -> list[tuple[FileChange, ...]]:
    """Each (issue, branch, ref, head)'s changes over its (merge-base, head) pair, or from
    the heads it is stacked on (the paths that differ from all of them): one
    `diff-tree --stdin` process for every row."""
    asked = [[(s.head, f[3]) for s in stacks[f[0]]] if stacks.get(f[0]) else [pair]
             for f, pair in zip(found, pairs, strict=True)]
    flat = iter(changed_files_many(git, [p for group in asked for p in group], cache))
    return [own_changes([next(flat) for _ in group]) for group in asked]
