"""Make untrusted text safe for where it goes: Markdown, a terminal, a CI log, JSON.

Branch names, paths, PR titles and plan cells are written by anyone who can push a
branch. In a bot's comment they must not ping people (`@org/team`), inject HTML
(`</details><img onerror=...>`), break a table (`|`, newlines) or open a code span. On a
terminal or in a CI log they must not move the cursor, retitle the window (`\x1b]0;`) or
start a workflow command (a line `::error::...` or `::add-mask::` that the runner obeys).
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

ZWJ = "\u200d"  # zero-width joiner: `@\u200dname` reads as @name but notifies nobody

_MENTION = re.compile(r"@(?=[\w-])")
_MD_SPECIAL = re.compile(r"([\\`*\[\]|<>&!~])")
_ENTITY = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
_LONE_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")


def one_line(text: str) -> str:
    """Newlines, tabs and other spaces collapsed into single spaces, every other character
    that is not printable written as a visible escape (`\\r`, `\\x1b`, `\\u202e`, as
    `controls` writes it): a file named `a<CR>b.py` must not read as `a b.py`, another
    file, nor a right-to-left override vanish."""
    if not text.isprintable():
        text = "".join(c if c.isprintable() else " " if _blank(c) else _escape_char(c)
                       for c in text)
    return " ".join(text.split())


def _blank(c: str) -> bool:
    """A character that reads as a space: a newline, a tab, a no-break or other space."""
    return c in "\n\t" or unicodedata.category(c) == "Zs"


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_COLON_PAIR = re.compile(r":(?=:)")
# a workflow command: `::` after blanks (the runner trims them) or colour codes
_COMMAND_START = re.compile(r"^((?:\s|\x1b\[[0-9;]*m)*):(?=:)")


def _escape_char(c: str) -> str:
    o = ord(c)
    if 0xDC80 <= o <= 0xDCFF:  # a byte that was not UTF-8 (read with surrogateescape)
        return f"\\x{o - 0xDC00:02x}"
    if c in _NAMED:
        return _NAMED[c]
    if o < 0x100:
        return f"\\x{o:02x}"
    return f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}"


def controls(text: str, keep: str = "") -> str:
    """Every character that is not printable (controls, escapes, bidi overrides, bytes that
    were not UTF-8) written as a visible escape (`\\n`, `\\x1b`, `\\u202e`); `keep` lists
    the ones the format needs as they are (a newline between lines)."""
    if text.isprintable():
        return text
    keep += ZWJ  # what `mentions` puts after an `@`: invisible and harmless
    return "".join(c if c.isprintable() or c in keep else _escape_char(c) for c in text)


def terminal(text: str) -> str:
    """Untrusted text for a terminal or a log, on one line: control characters escaped and
    `::` written `:\\:`, so no wrapping or joining can make it start a workflow command."""
    return _COLON_PAIR.sub(":\\\\", controls(text))


def terminal_lines(text: str) -> str:
    """A message of several lines (an error and its hint) made safe line by line."""
    return "\n".join(terminal(line) for line in text.split("\n"))


def no_command(line: str) -> str:
    """One output line that cannot start a workflow command: a leading `::` becomes `:\\:`."""
    return _COMMAND_START.sub(lambda m: m.group(1) + ":\\", line)


def output_text(text: str) -> str:
    """Finished text (Markdown, plain) for stdout or stderr: controls escaped except
    newline and tab, and no line starting a workflow command."""
    return "\n".join(no_command(line) for line in controls(text, keep="\n\t").split("\n"))


def json_text(data: Any, *, indent: int | None = 2) -> str:
    """JSON that is valid UTF-8 and has no raw control character: non-UTF-8 bytes of a
    path become `\\udcXX` escapes (what surrogateescape read), other non-printables
    `\\uXXXX`; every such character is inside a string, where an escape means the same."""
    text = json.dumps(data, indent=indent, ensure_ascii=False)
    if text.replace("\n", "").isprintable():  # the usual case: no walk per character
        return text
    return "".join(
        c if c.isprintable() or c == "\n" else json.dumps(c, ensure_ascii=True)[1:-1]
        if ord(c) >= 0x10000 else f"\\u{ord(c):04x}" for c in text
    )


def mentions(text: str) -> str:
    """Defuse @mentions by putting a zero-width joiner after every `@`."""
    return _MENTION.sub("@" + ZWJ, text)


def md(text: str) -> str:
    """Plain inline Markdown text, safe in prose and in table cells.

    HTML becomes entities, Markdown punctuation is backslash-escaped (`_` only where it
    could start emphasis), pipes cannot end a cell and newlines cannot end a row.
    """

    def sub(m: re.Match[str]) -> str:
        c = m.group(1)
        return _ENTITY.get(c, "\\" + c)

    out = _MD_SPECIAL.sub(sub, one_line(text))
    out = _LONE_UNDERSCORE.sub(r"\\_", out)
    out = _COLON_PAIR.sub(":\\\\", out)  # `\:` shows as `:`; no `::` for a CI log
    return mentions(out)


def code(text: str, *, table: bool = True) -> str:
    """An inline code span: nothing inside is live (no HTML, mention or link).

    The fence is one backtick longer than the longest run inside, as CommonMark wants;
    in a table cell a `|` still ends the cell unless backslash-escaped (GFM unescapes
    it inside the span).
    """
    body = one_line(text)
    if not body:
        return ""
    runs = [len(r) for r in re.findall(r"`+", body)]
    fence = "`" * (max(runs, default=0) + 1)
    if table:
        body = body.replace("|", "\\|")
    pad = " " if body.startswith("`") or body.endswith("`") or body.startswith(" ") else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def mermaid(text: str) -> str:
    """A Mermaid label, to be put between double quotes; entity codes for the specials."""
    out = []
    for c in one_line(text):
        if c in '"#<>&`|[](){}':
            out.append(f"#{ord(c)};")
        else:
            out.append(c)
    return "".join(out)


