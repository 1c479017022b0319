"""The quick paths added to glob overlap for large plans agree with the exact search."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fleetbot.plan.globs as globs
from fleetbot.plan.globs import may_overlap, overlap_example
from tests.support.examples import examples

SEGMENTS = st.sampled_from(["a", "b", "ab", "*", "**", "a*", "?", "[ab]", "c.py", "x.md"])
PATTERNS = st.lists(SEGMENTS, min_size=1, max_size=4).map("/".join)


@pytest.mark.property
@settings(max_examples=examples(300, quick=50), deadline=None)
@given(st.lists(PATTERNS, min_size=1, max_size=3), st.lists(PATTERNS, min_size=1, max_size=3))
def test_may_overlap_never_hides_an_overlap(a: list[str], b: list[str]) -> None:
    if not may_overlap(a, b):
        assert all(overlap_example(x, y) is None for x in a for y in b)


@pytest.mark.property
@settings(max_examples=examples(300, quick=50), deadline=None)
@given(PATTERNS, PATTERNS)
def test_literal_shortcut_matches_the_search(a: str, b: str) -> None:
    fast = overlap_example(a, b)
    slow = _search(a, b)
    assert (fast is None) == (slow is None)
    if globs._literal_prefix(a)[1] and globs._literal_prefix(b)[1]:
        assert fast == slow


def _search(a: str, b: str) -> str | None:
    """overlap_example with the literal shortcuts switched off."""
    saved = globs._literal_prefix
    globs._literal_prefix = lambda p: ("", False)  # type: ignore[assignment]
    try:
        return globs.overlap_example.__wrapped__(a, b)
    finally:
        globs._literal_prefix = saved
