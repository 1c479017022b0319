"""A file that defined nothing before (or does not parse) breaks nobody: the new text is
not parsed at all (analysis/pyapi.py)."""

from __future__ import annotations

from fleetbot.analysis.pyapi import api_changes, signatures


def test_nothing_defined_before_is_no_change() -> None:
    assert api_changes("x = 1\n", "def f(a):\n    pass\n") == ()
    assert api_changes("def f(:\n", "def f(a, b):\n    pass\n") == ()  # old does not parse
    assert api_changes("", None) == ()


def test_the_new_text_is_not_parsed_when_nothing_was_defined() -> None:
    new = "def g(a, b):\n    return a\n"
    signatures.cache_clear()
    api_changes("x = 1\n", new)
    assert signatures.cache_info().currsize == 1  # only the old text


def test_a_removed_definition_is_still_a_change() -> None:
    (change,) = api_changes("def f(a):\n    pass\n", "x = 1\n")
    assert (change.name, change.why) == ("f", "removed")
