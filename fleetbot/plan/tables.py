"""Where a Markdown body's tables are, without markdown-it when the body is plain.

markdown-it-py is the reference (`source.table_spans`), but importing it costs ~18 ms of
a cold run's ~150. Most plans are plain: ATX headings, paragraphs, blank lines and pipe
tables. For such a body the block structure is simple enough to follow line by line,
exactly as markdown-it's `table` and `heading` rules do (GFM tables, the `commonmark`
preset); any line that could start another kind of block (a fence, a block quote, a
list, HTML, a thematic break, a setext underline, a reference definition, indented
code), a backslash in a table line, or unusual whitespace makes `plain_table_spans`
answer None, and markdown-it reads the body. A hypothesis property holds the two to
the same spans (tests/plan/test_plain_tables.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Where the tables of a plan body are: (header line, line after the last row, how its
# heading ranks it: 1 names a plan, -1 names done or example work, 0 neither), 0-based.
TableSpan = tuple[int, int, int]

# a line that could open a block other than a paragraph, a heading or a table (or end a
# paragraph as a setext heading): the body is left to markdown-it
_OTHER_BLOCK = re.compile(r"""^\ {0,3}(?:
    >                                 # a block quote
  | `{3,} | ~{3,}                     # a code fence
  | [-+*](?:\ |$) | \d{1,9}[.)](?:\ |$)  # a list item
  | ([-*_])(?:\ *\1){2,}\ *$           # a thematic break
  | =+\ *$ | -+\ *$                    # a setext underline
  | <                                 # HTML
  | \[(?![^\]\[\\]*\]\()                # a reference definition (a link is none)
)""", re.VERBOSE)
_DELIMITER = re.compile(r"^:?-+:?$")
_ODD_SPACE = re.compile(r"[^\S \n]|\x00")  # tab, CR, NBSP, ... : markdown-it's business


def plain_table_spans(body: str, named_of: Callable[[str], int],
                      ) -> tuple[TableSpan, ...] | None:
    """The tables of a plain body, with `named_of(heading text)` for the heading above
    each; None when the body is not plain (markdown-it must read it)."""
    if _ODD_SPACE.search(body):
        return None
    lines = body.split("\n")
    for line in lines:
        if line.startswith("    ") or _OTHER_BLOCK.match(line):
            return None
    out: list[TableSpan] = []
    named, i = 0, 0
    while i < len(lines):
        stripped = lines[i].strip(" ")
        if not stripped:
            i += 1
            continue
        end = _table_end(lines, i)
        if end is None:
            return None
        if end:
            out.append((i, end, named))
            i = end
            continue
        heading = _heading(stripped)
        if heading is not None:
            named = named_of(heading)
        i += 1
    return tuple(out)


def _cells(text: str) -> list[str]:
    """markdown-it's `escapedSplit` without escapes (a backslash is never let in here),
    the empty cells before the first and after the last pipe dropped."""
    cells = text.split("|")
    if cells and cells[0] == "":
        cells.pop(0)
    if cells and cells[-1] == "":
        cells.pop()
    return cells


def _table_end(lines: list[str], start: int) -> int | None:
    """The line after the last row of the table whose header is `lines[start]`, 0 when
    no table starts there, None when a backslash makes it markdown-it's to say."""
    if start + 2 > len(lines):
        return 0
    delimiter = lines[start + 1].lstrip(" ")
    if (len(delimiter) < 2 or delimiter[0] not in "|-:" or delimiter[1] not in "|-: "
            or delimiter[:2] == "- "):
        return 0
    if any(ch not in "|-: " for ch in delimiter):
        return 0
    parts = delimiter.split("|")
    aligns = 0
    for k, part in enumerate(parts):
        cell = part.strip(" ")
        if not cell:
            if k in (0, len(parts) - 1):
                continue
            return 0
        if not _DELIMITER.match(cell):
            return 0
        aligns += 1
    header = lines[start].strip(" ")
    if "|" not in header:
        return 0
    if "\\" in header:
        return None
    columns = len(_cells(header))
    if columns == 0 or columns != aligns:
        return 0
    filled = 0
    end = start + 2
    while end < len(lines):
        row = lines[end].strip(" ")
        if not row or _heading(row) is not None:
            break
        if "\\" in row:
            return None
        filled += columns - len(_cells(row))
        if filled > 0x10000:  # markdown-it's cap on cells it fills in
            break
        end += 1
    return end


def _heading(stripped: str) -> str | None:
    """An ATX heading's text (markdown-it's `heading` rule), or None for another line."""
    level = len(stripped) - len(stripped.lstrip("#"))
    if not 1 <= level <= 6 or (len(stripped) > level and stripped[level] != " "):
        return None
    text = stripped[level:].rstrip(" ")
    tail = text.rstrip("#")
    if len(tail) < len(text) and tail.endswith(" "):
        text = tail
    return text.strip(" ")
