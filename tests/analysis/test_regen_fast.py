"""Regenerated-file patterns that are plain names or paths match as pathspec's gitignore
rules do, without importing it."""

from __future__ import annotations

import pathspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fleetbot.analysis.conflicts import DEFAULT_REGENERABLE, _plain_regen, is_regenerable
from tests.support.examples import examples

PARTS = ["go.sum", "uv.lock", "web", "gen", "a.py", "lock"]
paths = st.lists(st.sampled_from(PARTS), min_size=1, max_size=4).map("/".join)
patterns = st.lists(st.one_of(
    st.sampled_from(PARTS),
    st.lists(st.sampled_from(PARTS), min_size=1, max_size=3).map(lambda ps: "/" + "/".join(ps)),
    st.lists(st.sampled_from(PARTS), min_size=2, max_size=3).map("/".join),
), max_size=4).map(tuple)


@pytest.mark.property
@settings(max_examples=examples(400, quick=50), deadline=None)
@given(patterns, paths)
def test_plain_patterns_match_like_gitignore(pats: tuple[str, ...], path: str) -> None:
    assert _plain_regen(pats) is not None
    spec = pathspec.GitIgnoreSpec.from_lines(pats)
    assert is_regenerable(path, pats) == bool(spec.match_file(path))


def test_globs_still_go_to_pathspec() -> None:
    assert _plain_regen(("*.lock",)) is None
    assert _plain_regen(("gen/",)) is None
    assert is_regenerable("a/b/x.lock", ("*.lock",))
    assert _plain_regen(DEFAULT_REGENERABLE) is not None
