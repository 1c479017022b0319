"""Make untrusted text safe to put into Markdown that GitHub or GitLab will render.

Branch names, paths, PR titles and plan cells are written by anyone who can push a
branch. In a bot's comment they must not ping people (`@org/team`), inject HTML
(`</details><img onerror=...>`), break a table (`|`, newlines) or open a code span.
"""

from __future__ import annotations

import re

ZWJ = "\u200d"  # zero-width joiner: `@\u200dname` reads as @name but notifies nobody

_MENTION = re.compile(r"@(?=[\w-])")
_MD_SPECIAL = re.compile(r"([\\`*\[\]|<>&!~])")
_ENTITY = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
_LONE_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")


def one_line(text: str) -> str:
    """Collapse newlines and other control characters into single spaces."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


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


def html_attr(text: str) -> str:
    """Text for inside an HTML element or attribute value."""
    out = one_line(text)
    for c, e in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;")):
        out = out.replace(c, e)
    return mentions(out)
