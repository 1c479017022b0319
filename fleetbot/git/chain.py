"""The speculative fan-in: an ordered list of branches landed one by one onto the target.

Each step is merged onto the previous tip with `git merge-tree --write-tree` and kept as
a synthetic commit (`commit-tree`, fleetbot's identity, fixed dates: the same fleet gives
the same ids, which is what lets `verify` cache by tree). A step that does not merge is
recorded with its files and sorts, and the chain goes on, so every stop of the fan-in is
known at once (DESIGN.md "Conflicts" 6), not only the first. The report's replay goes on
as `integrate` does once a stop is resolved: from the merge as git leaves it, both sides
in each conflicted file (tests/test_stops_property.py holds it to `integrate` on random
fleets); `verify`, which runs tests on the tips, sets such a step aside instead. No
worktree, index or ref is touched.
"""

from __future__ import annotations

from collections.abc import Sequence

from fleetbot.git import Git
from fleetbot.git.mergetree import commit_tree, merge_trees, target_attributes
from fleetbot.model import Chain, ChainStep, Replay, ReplayStop


def resolve_commit(git: Git, ref: str) -> str:
    """The commit id `ref` names, or a GitError that says which ref is unknown."""
    return git.run(
        "rev-parse", "--verify", "-q", f"{ref}^{{commit}}",
        error=f"unknown ref {ref!r}", hint="pass --target with an existing branch",
    ).strip()


def build_chain(git: Git, base: str, steps: Sequence[tuple[str, str]], *,
                keep_both: bool = False) -> Chain:
    """Land each (issue, ref) of `steps` in order onto `base` (a commit or ref), setting
    aside the ones that do not merge onto the tip before them; with `keep_both` such a
    step is landed as git leaves the conflicted merge (both sides in each file), as the
    fan-in goes on once it is resolved."""
    start = resolve_commit(git, base)
    heads = [resolve_commit(git, ref) for _, ref in steps]  # the shadow repo has no refs
    tip = start
    out: list[ChainStep] = []
    # merge rules from the target's tree only, never a checkout's (see target_attributes)
    with target_attributes(git, start) as mgit:
        for (issue, ref), head in zip(steps, heads, strict=True):
            result = merge_trees(mgit, tip, head)
            if not result.clean and not keep_both:
                out.append(ChainStep(issue=issue, ref=ref, head=head, result=result))
                continue
            tip = commit_tree(mgit, result.tree, (tip, head),
                              f"fleetbot: replay {ref} ({issue})")
            out.append(ChainStep(issue=issue, ref=ref, head=head, result=result, tip=tip))
    return Chain(base=start, steps=tuple(out))


def tree_of(git: Git, commit: str) -> str:
    """The tree id of a commit: what `verify` caches its answers by."""
    return git.run("rev-parse", f"{commit}^{{tree}}").strip()


def replay(git: Git, target: str, steps: Sequence[tuple[str, str]]) -> Replay:
    """The recommended order (issue, branch ref) replayed onto the target tip as the fan-in
    will meet it: a step that does not merge is taken with both sides, as its resolution
    will keep them, and the rest go on, so every step needing a resolution is reported,
    not only the first. Touches no worktree, index or ref. Positions are 1-based in
    `steps`."""
    from fleetbot.errors import GitError

    if git.run_full("rev-parse", "--verify", "-q", f"{target}^{{commit}}",
                    check=False).returncode != 0:
        raise GitError(f"unknown target {target!r}",
                       hint="pass --target with an existing branch")
    chain = build_chain(git, target, steps, keep_both=True)
    stops = []
    for position, step in enumerate(chain.steps, start=1):
        if step.result.clean:
            continue
        files = step.result.files or tuple(
            dict.fromkeys(p for c in step.result.conflicts for p in c.paths))
        stops.append(ReplayStop(
            position, step.issue, files,
            f"step {position} ({step.issue}, {step.ref}) does not merge onto the steps before "
            f"it: {step.result.describe(files)}"))
    if not stops:
        return Replay(clean=True, detail=f"all {len(steps)} steps land cleanly on {target}")
    first = stops[0]
    return Replay(clean=False, stops_at=first.position, stops_at_issue=first.issue,
                  files=first.files, detail=first.detail, stops=tuple(stops))
