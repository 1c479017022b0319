"""The one cell grammar: lists, links, code spans, placeholders, refs, statuses."""

from __future__ import annotations

import pytest

from fleetbot.model import Status
from fleetbot.plan.cells import dependency_refs, normalise_status, parse_issue, split_items


@pytest.mark.parametrize(("cell", "items", "undecided"), [
    ("`README.md` and `CHANGELOG.md`", ["README.md", "CHANGELOG.md"], []),
    ("`README.md`<br>`CHANGELOG.md`", ["README.md", "CHANGELOG.md"], []),
    ("`README.md`<br/>`CHANGELOG.md`", ["README.md", "CHANGELOG.md"], []),
    ("README.md CHANGELOG.md", ["README.md", "CHANGELOG.md"], []),
    ("README.md + CHANGELOG.md", ["README.md", "CHANGELOG.md"], []),
    ("README.md & CHANGELOG.md", ["README.md", "CHANGELOG.md"], []),
    ("README.md; CHANGELOG.md", ["README.md", "CHANGELOG.md"], []),
    ("README.md\nCHANGELOG.md", ["README.md", "CHANGELOG.md"], []),
    ("[README.md](README.md)", ["README.md"], []),
    ("./cli.py, .//src//x.py", ["cli.py", "src/x.py"], []),
    ("**/*.md", ["**/*.md"], []),
    ("TBD", [], ["TBD"]),
    ("TODO", [], ["TODO"]),
    ("?", [], ["?"]),
    ("a.py, etc.", ["a.py"], ["etc."]),
    ("(tests TBD)", [], ["tests TBD"]),
    ("—", [], []),
    ("n/a", [], []),
])
def test_files_owned_items(cell: str, items: list[str], undecided: list[str]) -> None:
    found = split_items(cell)
    assert [t for t, _ in found.items] == items
    assert list(found.undecided) == undecided


def test_notes_in_parentheses_and_after_a_dash() -> None:
    assert split_items("`docs/**` — docs only, `a.py` (x, y)").items == (
        ("docs/**", "docs only"), ("a.py", "x, y"))
    assert split_items("src/wave.py (tests TBD)").items == (("src/wave.py", "tests TBD"),)


@pytest.mark.parametrize(("cell", "refs"), [
    ("after #42", ["#42"]), ("blocked by #42", ["#42"]), ("depends on #42", ["#42"]),
    ("Needs: #42", ["#42"]), ("#42 and #43", ["#42", "#43"]), ("#42 #43", ["#42", "#43"]),
    ("#42<br>#43", ["#42", "#43"]), ("#42 count", ["#42"]), ("#042", ["#42"]),
    ("GH-42", ["#42"]), ("https://github.com/o/r/issues/42", ["#42"]), ("42, 43", ["#42", "#43"]),
    ("feature/42-count", ["feature/42-count"]), ("none", []), ("—", []),
    ("#42 (API first)", ["#42"]), ("`feature/a` and `feature/b`", ["feature/a", "feature/b"]),
])
def test_depends_on_phrasings(cell: str, refs: list[str]) -> None:
    assert list(dependency_refs(cell)[0]) == refs


def test_depends_on_placeholder_is_undecided() -> None:
    assert dependency_refs("TBD") == ((), ("TBD",))


@pytest.mark.parametrize(("cell", "ref", "title"), [
    ("GH-42 count", "#42", "count"), ("#042", "#42", ""), ("042 x", "#42", "x"),
    ("https://github.com/acme/app/issues/42 count", "#42", "count"),
    ("https://gitlab.com/acme/app/-/issues/7", "#7", ""),
    ("o/r#007", "o/r#7", ""), ("!7 mr", "!7", "mr"),
])
def test_issue_refs(cell: str, ref: str, title: str) -> None:
    assert parse_issue(cell) == (ref, title)


def test_issue_url_of_another_repo_keeps_the_repo() -> None:
    assert parse_issue("https://github.com/other/lib/issues/3", repo="acme/app") == (
        "other/lib#3", "")
    assert parse_issue("https://github.com/acme/app/issues/3", repo="acme/app") == ("#3", "")


@pytest.mark.parametrize(("word", "status"), [
    ("self-merged", Status.MERGED), ("self-merged (2d812a8)", Status.MERGED),
    ("dispatched", Status.QUEUED), ("✅", Status.MERGED), ("✔️", Status.MERGED),
    ("🚧", Status.RUNNING), ("🔄", Status.RUNNING), ("❌", Status.BLOCKED),
    ("⛔", Status.BLOCKED), ("ready for review", Status.REVIEW), ("cancelled", Status.DROPPED),
    ("abandoned", Status.DROPPED), ("dropped", Status.DROPPED), ("Progress: done", Status.MERGED),
    ("—", Status.PLANNED), ("", Status.PLANNED), ("**done**", Status.MERGED),
    ("sleeping", None), ("🦄", None),
    # a question is not a fact: "merged?" never lands a row whose branch is gone
    ("merged?", None), ("done ?", None), ("✅?", None),
])
def test_status_vocabulary(word: str, status: Status | None) -> None:
    assert normalise_status(word) is status
