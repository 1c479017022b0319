"""The plain table reader says what markdown-it says, or leaves the body to it.

`plain_table_spans` follows a plain Markdown body line by line; markdown-it-py is the
reference. On random bodies made of headings, paragraphs, pipe tables (well and badly
formed) and every kind of line that opens another block, the plain reader either
answers None or gives exactly markdown-it's spans; on bodies made of plain lines only it
always answers; and every plan in this repository is read the fast way.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fleetbot.plan.source import heading_rank, markdown_table_spans, table_spans
from fleetbot.plan.tables import plain_table_spans
from tests.support.examples import examples

ROOT = Path(__file__).resolve().parents[2]

words = st.lists(st.sampled_from(["plan", "Fleet", "done", "examples", "x", "a.py", "#42",
                                  "`b`", "|", "||", "-", ":", "#", "##"]),
                 min_size=0, max_size=4).map(" ".join)
indent = st.sampled_from(["", " ", "  ", "   "])


@st.composite
def heading(draw: st.DrawFn) -> str:
    marks = "#" * draw(st.integers(1, 8))
    gap = draw(st.sampled_from(["", " ", "  "]))
    tail = draw(st.sampled_from(["", " #", " ##", "#", "  ", " # "]))
    return f"{draw(indent)}{marks}{gap}{draw(words)}{tail}"


@st.composite
def row(draw: st.DrawFn, cells: int) -> str:
    inner = " | ".join(draw(words) for _ in range(cells))
    left, right = draw(st.sampled_from([("| ", " |"), ("", ""), ("| ", ""), ("", " |")]))
    return f"{draw(indent)}{left}{inner}{right}{draw(st.sampled_from(['', ' ', '  ']))}"


@st.composite
def delimiter(draw: st.DrawFn, cells: int) -> str:
    cell = st.sampled_from(["---"] * 8 + ["-", ":--", "--:", ":-:", " --- ", "", "-- -", "==",
                                          "::"])
    inner = "|".join(draw(cell) for _ in range(cells))
    left, right = draw(st.sampled_from([("|", "|"), ("", ""), ("|", ""), ("", "|")]))
    return f"{draw(indent)}{left}{inner}{right}{draw(st.sampled_from(['', ' ']))}"


@st.composite
def table(draw: st.DrawFn) -> list[str]:
    columns = draw(st.integers(1, 4))
    above = draw(st.sampled_from([[], [], ["## The plan"], ["# Done", ""], ["### Examples"]]))
    lines = [*above, draw(row(columns)), draw(delimiter(draw(st.sampled_from(
        [columns, columns, columns, columns - 1, columns + 1]))))]
    lines += [draw(st.one_of(row(draw(st.integers(0, 5))), words))
              for _ in range(draw(st.integers(0, 4)))]
    return lines


plain_line = st.one_of(st.just(""), st.just("  "), heading(), words, row(2))
OTHER = ["```", "~~~", "> | a | b |", "- item | x", "* item", "1. item", "2) x", "<!-- c -->",
         "<div>", "---", "***", "___", "===", "    code | x", "\tx", "a \\| b", "| a \\| b |",
         "[ref]: /x", "+ item", "a\r", "\u00a0x", "-|-"]
block = st.one_of(plain_line.map(lambda s: [s]), table(), st.sampled_from(OTHER).map(
    lambda s: [s]))


def body_of(blocks: list[list[str]]) -> str:
    return "\n".join(line for b in blocks for line in b)


@pytest.mark.property
@settings(max_examples=examples(600, 40), deadline=None)
@given(st.lists(block, max_size=10))
def test_plain_spans_are_markdown_its_or_none(blocks: list[list[str]]) -> None:
    body = body_of(blocks)
    plain = plain_table_spans(body, heading_rank)
    if plain is not None:
        assert plain == markdown_table_spans(body)
    assert table_spans(body) == markdown_table_spans(body)


@pytest.mark.property
@settings(max_examples=examples(300, 20), deadline=None)
@given(st.lists(st.one_of(plain_line.map(lambda s: [s]), table()), max_size=10))
def test_a_body_of_plain_lines_is_always_read_without_markdown_it(
        blocks: list[list[str]]) -> None:
    body = body_of(blocks)
    lines = [line for b in blocks for line in b]
    if any(line.lstrip(" ").startswith(("-", "=", ":")) or line.startswith("    ")
           for line in lines):
        return  # a delimiter row without a leading pipe starts like a list or a rule;
        # four spaces (words that are empty, after an indent) make indented code
    assert plain_table_spans(body, heading_rank) == markdown_table_spans(body)


def _plans() -> list[Path]:
    found = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")),
             *sorted((ROOT / "examples").rglob("*.md"))]
    return [p for p in found if "| Issue |" in p.read_text(encoding="utf-8")]


@pytest.mark.parametrize("path", _plans(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_markdown_file_here_reads_the_same(path: Path) -> None:
    body = path.read_text(encoding="utf-8")
    assert table_spans(body) == markdown_table_spans(body)


def test_the_demo_plan_is_read_the_fast_way() -> None:
    from fleetbot.fleet.demo import PLAN

    spans = plain_table_spans(PLAN, heading_rank)
    assert spans is not None and spans == markdown_table_spans(PLAN)
    assert len(spans) == 1
