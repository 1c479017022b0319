"""Many merges shared by two `merge-tree --stdin` processes answer exactly what one merge
per pair answers, in the order asked (git/mergetree._merge_many)."""

from __future__ import annotations

from itertools import combinations

from fleetbot.git.mergetree import SPLIT_AT, _chunks, merge_many
from tests.fleet import git_of


def test_chunks_keep_every_item_in_order() -> None:
    items = list(range(7))
    assert _chunks(items, 2) == [[0, 1, 2, 3], [4, 5, 6]]
    assert _chunks(items, 1) == [items]
    assert _chunks(items[:1], 2) == [[0]]


def test_split_merges_agree_with_one_merge_per_pair(repo_factory) -> None:  # type: ignore[no-untyped-def]
    branches = {f"b{i}": {"a.txt": f"{i}\n2\n3\n"} if i % 3 == 0 else
                {f"f{i}.txt": f"{i}\n"} if i % 3 == 1 else {"d.txt": None}
                for i in range(13)}
    repo = repo_factory({"a.txt": "1\n2\n3\n", "d.txt": "d\n"}, branches)
    git = git_of(repo)
    pairs = list(combinations(sorted(branches), 2))
    assert len(pairs) >= SPLIT_AT  # two processes share them
    split = merge_many(git, pairs, stdin=True)
    each = merge_many(git, pairs, stdin=False)
    assert [(r.clean, r.tree, r.files, r.conflicts) for r in split] == [
        (r.clean, r.tree, r.files, r.conflicts) for r in each]
    assert {r.clean for r in split} == {True, False}  # both kinds are in the comparison
