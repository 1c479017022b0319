"""The indexed pair filter finds exactly the pairs the per-pair rule lets through."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fleetbot.git import Git
from fleetbot.git.mergetree import gather
from fleetbot.git.pairs import candidate_pairs, may_collide
from fleetbot.model import ChangeStatus, FileChange
from tests.fleet import plan_of, row
from tests.support.examples import examples
from tests.support.repo import make_repo

PATHS = ["a", "a/b", "a/b/c.py", "a/d.py", "e/f.py", "e", "g/h/i.py", "g/j.py", "k.py"]

changes = st.one_of(
    st.builds(lambda p: FileChange(p, ChangeStatus.MODIFIED), st.sampled_from(PATHS)),
    st.builds(lambda p: FileChange(p, ChangeStatus.ADDED), st.sampled_from(PATHS)),
    st.builds(lambda p: FileChange(p, ChangeStatus.DELETED), st.sampled_from(PATHS)),
    st.builds(lambda new, old: FileChange(new, ChangeStatus.RENAMED, old),
              st.sampled_from(PATHS), st.sampled_from(PATHS)),
)
fleets = st.lists(st.lists(changes, max_size=4).map(tuple), min_size=0, max_size=7)


@pytest.mark.property
@settings(max_examples=examples(300, quick=50), deadline=None)
@given(fleets)
def test_index_equals_every_pair_tried(sides: list[tuple[FileChange, ...]]) -> None:
    tried = [(i, j) for i, j in itertools.combinations(range(len(sides)), 2)
             if may_collide(sides[i], sides[j])]
    assert candidate_pairs(sides) == tried


def test_a_folder_still_there_is_no_rename_source() -> None:
    """Deleting one file of many leaves the folder: git cannot rename it, so a file added
    beside it elsewhere is no candidate; once the folder is gone it is."""
    deleted = (FileChange("src/pkg/old.py", ChangeStatus.DELETED),)
    added = (FileChange("src/pkg/new.py", ChangeStatus.ADDED),)
    assert candidate_pairs([deleted, added]) == [(0, 1)]
    assert candidate_pairs([deleted, added], kept=[{"src", "src/pkg"}, set()]) == []
    assert candidate_pairs([deleted, added], kept=[{"src"}, set()]) == [(0, 1)]
    assert candidate_pairs([deleted, added + deleted], kept=[{"src", "src/pkg"}, set()]) == [
        (0, 1)]  # a shared path is a candidate whatever the folders


def test_gather_merges_a_pair_only_when_the_folder_is_gone(tmp_path: Path) -> None:
    base = {"src/x/a.py": "a\n", "src/x/b.py": "b\n", "top.txt": "t\n"}
    one = make_repo(tmp_path / "one", base, branches={
        "delete-one": {"src/x/a.py": None}, "add": {"src/x/c.py": "c\n"}})
    facts = gather(Git(one.path), plan_of(row("#1", "delete-one"), row("#2", "add")))
    assert facts.pairs == ()  # src/x is still there on #1: nothing to rename
    both = make_repo(tmp_path / "both", base, branches={
        "delete-all": {"src/x/a.py": None, "src/x/b.py": None}, "add": {"src/x/c.py": "c\n"}})
    facts = gather(Git(both.path), plan_of(row("#1", "delete-all"), row("#2", "add")))
    assert [(pm.rows, pm.result.clean) for pm in facts.pairs] == [(("#1", "#2"), True)]
