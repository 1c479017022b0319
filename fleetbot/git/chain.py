"""The speculative fan-in: an ordered list of branches landed one by one onto the target.

Each step is merged onto the previous tip with `git merge-tree --write-tree` and kept as
a synthetic commit (`commit-tree`, fleetbot's identity, fixed dates: the same fleet gives
the same ids, which is what lets `verify` cache by tree). A step that does not merge is
*set aside* with its files and sorts, and the chain goes on without it, so every stop of
the fan-in is known at once (DESIGN.md "Conflicts" 6), not only the first. No worktree,
index or ref is touched.
"""

from __future__ import annotations

from collections.abc import Sequence

from fleetbot.git import Git
from fleetbot.git.mergetree import commit_tree, merge_trees
from fleetbot.model import Chain, ChainStep


def resolve_commit(git: Git, ref: str) -> str:
    """The commit id `ref` names, or a GitError that says which ref is unknown."""
    return git.run(
        "rev-parse", "--verify", "-q", f"{ref}^{{commit}}",
        error=f"unknown ref {ref!r}", hint="pass --target with an existing branch",
    ).strip()


def build_chain(git: Git, base: str, steps: Sequence[tuple[str, str]]) -> Chain:
    """Land each (issue, ref) of `steps` in order onto `base` (a commit or ref), setting
    aside the ones that do not merge onto the tip before them."""
    start = resolve_commit(git, base)
    tip = start
    out: list[ChainStep] = []
    for issue, ref in steps:
        head = resolve_commit(git, ref)
        result = merge_trees(git, tip, head)
        if not result.clean:
            out.append(ChainStep(issue=issue, ref=ref, head=head, result=result))
            continue
        tip = commit_tree(git, result.tree, (tip, head), f"fleetbot: replay {ref} ({issue})")
        out.append(ChainStep(issue=issue, ref=ref, head=head, result=result, tip=tip))
    return Chain(base=start, steps=tuple(out))


def tree_of(git: Git, commit: str) -> str:
    """The tree id of a commit: what `verify` caches its answers by."""
    return git.run("rev-parse", f"{commit}^{{tree}}").strip()
