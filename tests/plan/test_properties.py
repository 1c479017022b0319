"""Random combinations of the accepted forms never crash and never turn a placeholder
word into an owned path, a branch or a dependency."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fleetbot.errors import PlanError
from fleetbot.plan.cells import PLACEHOLDERS, is_placeholder
from fleetbot.plan.columns import SYNONYMS
from fleetbot.plan.lint import lint_plan
from fleetbot.plan.parse import parse_plan
from tests.support.examples import examples

WORDS = ["TBD", "TODO", "?", "etc.", "n/a", "—", "tbc", "_tbd (Wave 2b)_", "(tests TBD)",
         "(merged, branch deleted)", "???", "**TBD**", "`TBD`"]
PLACEHOLDER = st.sampled_from(WORDS)
PATH = st.sampled_from(["a.py", "`src/**`", "./cli.py", "[README.md](README.md)", "docs/",
                        "**/*.md", "src/[!a-z]*.py", "x y.py"])
JOIN = st.sampled_from([", ", "; ", " and ", " & ", " + ", "<br>", " ", " — note "])
REF = st.sampled_from(["#1", "#2", "GH-2", "#002", "f/b", "after #1", "blocked by #2",
                       "https://github.com/o/r/issues/1", "#1 one", "depends on f/a"])
STATUS = st.sampled_from(["✅", "🚧", "done", "self-merged (abc)", "cancelled", "", "zzz",
                          "ready for review", "TBD", "❌"])
BRANCH = st.sampled_from(["f/a", "f/b", "feature/42-count", "x.lock", "f//x", "main"])


def cell(parts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(parts, PLACEHOLDER), max_size=4).flatmap(
        lambda items: JOIN.map(lambda j: j.join(items)))


ROW = st.tuples(st.sampled_from(["#1 one", "2", "GH-3", "#004 four", "—", "TBD"]),
                st.one_of(BRANCH, PLACEHOLDER), cell(PATH), cell(REF), STATUS)
HEADERS = st.tuples(*(st.sampled_from(SYNONYMS[f]) for f in
                      ("issue", "branch", "files_owned", "depends_on", "status")))


def _bad(value: str) -> bool:
    return value.lower() in PLACEHOLDERS or is_placeholder(value)


@pytest.mark.property
@settings(max_examples=examples(300, 40), deadline=None)
@given(HEADERS, st.lists(ROW, min_size=1, max_size=5))
def test_accepted_forms_never_crash_nor_yield_placeholders(
    headers: tuple[str, ...], rows: list[tuple[str, ...]],
) -> None:
    text = "| " + " | ".join(headers) + " |\n" + "|---" * len(headers) + "|\n"
    text += "".join("| " + " | ".join(c.replace("|", "/") for c in r) + " |\n" for r in rows)
    try:
        plan = parse_plan(text)
        lint_plan(plan)
    except PlanError:
        return
    for row in plan.rows:
        assert not _bad(row.branch), row
        assert not any(_bad(p) for p in row.patterns), row
        assert not any(_bad(d) for d in row.depends_on), row
        assert not any(w in PLACEHOLDERS for p in row.patterns for w in p.lower().split()), row


NAME_PART = st.sampled_from(["todo", "TODO", "etc", "fixme", "tbd", "xxx", "unknown", "src",
                             "docs", "list", "nginx"])


@pytest.mark.property
@settings(max_examples=examples(300, 40), deadline=None)
@given(st.lists(NAME_PART, min_size=1, max_size=4), st.sampled_from(["/", "-", "/x-"]),
       st.sampled_from([".md", ".py", ".conf", "/"]))
def test_a_file_or_folder_named_with_placeholder_words_is_kept(
    parts: list[str], joint: str, end: str,
) -> None:
    name = joint.join(parts) + end  # `etc/todo.md`, `todo-fixme/`: names, not "TBD"
    assert not is_placeholder(name)
    plan = parse_plan("| Issue | Branch | Files owned |\n|---|---|---|\n"
                      f"| #1 | f/{name.strip('/')} | {name} |\n")
    assert plan.rows[0].patterns == (name,)
    assert plan.rows[0].branch == f"f/{name.strip('/')}"
