"""Glob overlap is exact: checked against pathspec on examples and random paths."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fleetbot.plan.globs import matches, overlap_example, patterns_overlap
from tests.support.examples import examples


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ("tasks/cli.py", "tasks/cli.py", True),
        ("tasks/cli.py", "tasks/count.py", False),
        ("docs/**", "docs/guide/intro.md", True),
        ("docs/", "docs/x/y.md", True),
        ("docs", "docs/x.md", True),
        ("src/*.py", "src/a*", True),
        ("a/*.py", "a/b/c.py", False),
        ("a/**/c.py", "a/c.py", True),
        ("[ab].txt", "[bc].txt", True),
        ("[ab].txt", "[cd].txt", False),
        ("README.md", "docs/**", False),  # plan paths are anchored at the root
        ("**/README.md", "docs/**", True),
        ("*.md", "docs/*.md", False),
        ("src/?.py", "src/ab.py", False),
        ("src/[!a].py", "src/a.py", False),
        ("src/[!a].py", "src/b.py", True),
    ],
)
def test_overlap_table(a: str, b: str, overlap: bool) -> None:
    assert patterns_overlap(a, b) is overlap
    assert patterns_overlap(b, a) is overlap


def test_example_path_is_matched_by_both() -> None:
    example = overlap_example("src/**/*.ts", "src/app/*")
    assert example is not None
    assert matches(["src/**/*.ts"], example) and matches(["src/app/*"], example)


SEGMENT = st.sampled_from(["a", "b", "src", "x.py", "y.md", "docs"])
PATH = st.lists(SEGMENT, min_size=1, max_size=4).map("/".join)
PART = st.sampled_from(["a", "b", "src", "docs", "*", "*.py", "x.*", "?", "[ab]", "**", "x.py"])
PATTERN = st.lists(PART, min_size=1, max_size=3).map("/".join).filter(
    lambda p: not p.startswith("**/**") and "**/**" not in p
)


@pytest.mark.property
@settings(max_examples=examples(300, quick=50), deadline=None)
@given(PATTERN, PATTERN, PATH)
def test_overlap_agrees_with_pathspec(a: str, b: str, path: str) -> None:
    """A path both match proves an overlap; any example found is matched by both."""
    if matches([a], path) and matches([b], path):
        assert patterns_overlap(a, b), (a, b, path)
    example = overlap_example(a, b)
    if example is not None:
        assert matches([a], example) and matches([b], example), (a, b, example)


@pytest.mark.property
@settings(max_examples=examples(500, quick=50), deadline=None)
@given(PATTERN, PATH)
def test_matching_agrees_with_gitignore(pattern: str, path: str) -> None:
    """The automaton matches what git's gitignore rules (pathspec) match, except that a
    name with an extension is a file: nothing beneath it is owned."""
    import pathspec

    from fleetbot.plan.globs import Tail, _normalise, anchor

    git = bool(pathspec.GitIgnoreSpec.from_lines([anchor(pattern)]).match_file(path))
    ours = matches([pattern], path)
    if _normalise(pattern)[1] is Tail.FILE and ours != git:
        assert git and not ours, (pattern, path)
        assert any(matches([pattern], "/".join(path.split("/")[:k]))
                   for k in range(1, path.count("/") + 1)), (pattern, path)
    else:
        assert ours == git, (pattern, path)
