"""One forgiving grammar for plan cells, as people write them by hand.

A cell is unwrapped (Markdown links -> their text, code spans -> their literal text,
emphasis off, `./` dropped) and split into items on commas, semicolons, `<br>`, line
breaks, spaces and the joiners "and", "&", "+". A parenthesised part or a part after a
dash is a note. Placeholder words (TBD, TODO, ?, etc.) mean "not decided yet": they are
returned apart, so callers warn about them and never turn them into paths, branches or
dependencies. Pure: no I/O.
"""

from __future__ import annotations

import re

from fleetbot.frozen import frozen
from fleetbot.model import OwnedPath, Status

NONE_WORDS = frozenset({"", "none", "-", "—", "–", "n/a", "na", "nothing"})
PLACEHOLDERS = frozenset({
    "tbd", "tba", "tbc", "todo", "to do", "?", "??", "???", "etc", "etc.", "...", "…",
    "unknown", "unsure", "undecided", "xxx", "fixme",
    "to be decided", "to be defined", "not decided", "not yet", "decide later",
})
_PLACEHOLDER_WORD = re.compile(
    r"\b(tbd|tba|tbc|todo|fixme|xxx|to be decided|not decided|undecided)\b|\?\?|\betc\b",
    re.IGNORECASE,
)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"</?(?:b|i|em|strong|code|kbd|span|sup|sub)\b[^>]*>", re.IGNORECASE)
_JOINERS = frozenset({"and", "&", "+", "&&", "plus", "or"})
_DASHES = frozenset({"—", "–", "-", "--"})


@frozen
class Items:
    """A cell's items: (text, note) pairs, and the placeholder words found instead."""

    items: tuple[tuple[str, str], ...]
    undecided: tuple[str, ...] = ()


def is_none(text: str) -> bool:
    """An explicit "nothing" (`none`, `—`, empty), not a placeholder."""
    return unwrap(text).lower().strip(" .") in NONE_WORDS


_SINGLE_WORDS = frozenset(w for w in PLACEHOLDERS if w.isalpha())


def is_placeholder(text: str) -> bool:
    """True for a "not decided yet" word, or a short phrase holding one ("TBD after #12").

    One word (no space) is a placeholder only when all its parts are such words (`TBD?`,
    `TODO:`) and it holds no slash: a name that holds one as a part — `docs/TODO.md`,
    `etc/`, `feature/todo-list`, `todo-list` — is a path or a branch, never dropped as
    undecided."""
    t = unwrap(text).lower().strip(" .!:()[]_*")
    if t in PLACEHOLDERS or t.rstrip(".") in PLACEHOLDERS:
        return True
    words = t.split()
    if len(words) == 1:
        if "/" in t or "\\" in t:
            return False
        parts = [p for p in re.split(r"\W+", t) if p]
        return bool(parts) and all(p in _SINGLE_WORDS for p in parts)
    return bool(_PLACEHOLDER_WORD.search(t)) and len(words) <= 6


def _strip_emphasis(text: str) -> str:
    """`**x**`, `*x*`, `__x__`, `_x_` around a whole item -> x (never inside a glob)."""
    t = text.strip()
    for mark in ("**", "__", "*", "_"):
        n = len(mark)
        inner = t[n:-n]
        if len(t) > 2 * n and t.startswith(mark) and t.endswith(mark) and "*" not in inner:
            return inner.strip()
    return t


_MARKUP = re.compile(r"[\[<*_`]")
_PATH_LIKE = re.compile(r"[/\\]|\w\.\w")  # a folder separator or a file extension


def unwrap(text: str) -> str:
    """Links -> their text; HTML formatting tags and emphasis off; backticks off."""
    if not _MARKUP.search(text):
        return text.strip()
    t = _LINK.sub(r"\1", str(text))
    t = _TAG.sub("", t)
    t = _strip_emphasis(t)
    return t.replace("`", "").strip()


def _tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) tokens: "sep" (a hard separator), "note" ((...) parts), "code"
    (a code span: literal), "word"."""
    t = _BR.sub("\n", _TAG.sub("", _LINK.sub(r"\1", str(text))))
    out: list[tuple[str, str]] = []
    i, word = 0, list[str]()

    def flush() -> None:
        if word:
            out.append(("word", "".join(word)))
            word.clear()

    while i < len(t):
        c = t[i]
        if c == "`":
            end = t.find("`", i + 1)
            if end > i:
                flush()
                out.append(("code", t[i + 1 : end]))
                i = end + 1
                continue
        if c == "(" and not word:
            depth, j = 0, i
            while j < len(t):
                depth += {"(": 1, ")": -1}.get(t[j], 0)
                if depth == 0:
                    break
                j += 1
            out.append(("note", t[i + 1 : j].strip()))
            i = j + 1
            continue
        if c in ",;\n":
            flush()
            out.append(("sep", c))
        elif c.isspace():
            flush()
        else:
            word.append(c)
        i += 1
    flush()
    return out


def split_items(value: object) -> Items:
    """A cell (or a YAML/JSON list) -> its items and placeholders, per the grammar."""
    if value is None:
        return Items(())
    if isinstance(value, list):
        found = [split_items(str(v)) for v in value if str(v).strip()]
        return Items(tuple(i for f in found for i in f.items),
                     tuple(u for f in found for u in f.undecided))
    items: list[tuple[str, str]] = []
    undecided: list[str] = []
    notes: list[str] = []
    in_dash_note = False

    def add_note(note: str) -> None:
        if is_placeholder(note) and not items:
            undecided.append(note)
        elif items:
            text, old = items[-1]
            items[-1] = (text, f"{old}; {note}" if old else note)
        else:
            notes.append(note)

    for kind, text in _tokens(str(value)):
        if kind == "sep":
            in_dash_note = False
            continue
        if kind == "note":
            if text:
                add_note(text)
            continue
        if kind == "word" and text in _DASHES:
            in_dash_note = bool(items)
            continue
        if in_dash_note:
            t, old = items[-1]
            items[-1] = (t, f"{old} {text}".strip())
            continue
        if kind == "word" and text.lower() in _JOINERS:
            continue
        item = text.strip() if kind == "code" else unwrap(text)
        if (kind == "word" and item.lower().rstrip(".") in ("etc", "…")) or item in ("...",):
            undecided.append(item)
            continue
        if not item or item.lower() in NONE_WORDS:
            continue
        # `TBD` in a code span is still undecided; a path with spaces in one
        # (`my docs/TODO list.md`) is a path
        if is_placeholder(item) and not (kind == "code" and _PATH_LIKE.search(item)):
            undecided.append(item)
            continue
        items.append((normalise_path(item), ""))
    return Items(tuple(items), tuple(undecided))


def normalise_path(path: str) -> str:
    """`./cli.py` -> `cli.py`; repeated slashes collapsed."""
    p = re.sub(r"/{2,}", "/", path.strip())
    while p.startswith("./"):
        p = p[2:]
    return p


def owned_paths(value: object) -> tuple[tuple[OwnedPath, ...], tuple[str, ...]]:
    """Files owned -> (owned paths with notes, placeholder words)."""
    found = split_items(value)
    return tuple(OwnedPath(t, n) for t, n in found.items), found.undecided


# ------------------------------------------------------------------ issue refs

_URL = re.compile(
    r"^https?://[^/\s]+/(?P<repo>[\w.-]+/[\w.-]+)/(?:-/)?(?:issues|pull|merge_requests)/"
    r"(?P<n>\d+)\S*$"
)
_ISSUE = re.compile(
    r"^(?P<ref>(?:[\w.-]+/[\w.-]+)?[#!]\d+|gh-\d+|\d+)(?=$|[\s:,.)\]-])[\s:,.\-–—]*(?P<rest>.*)$",
    re.IGNORECASE,
)


def normalise_issue(ref: str) -> str:
    """`042` / `#042` / `GH-42` -> `#42`; `o/r#07` -> `o/r#7`; `!7` kept."""
    m = re.match(r"^(.*?)([#!]|gh-)?0*(\d+)$", ref.strip(), re.IGNORECASE)
    if m is None:
        return ref
    prefix, mark, number = m.group(1), (m.group(2) or "#"), m.group(3)
    mark = "#" if mark.lower() == "gh-" else mark
    return f"{prefix}{mark}{number}"


def parse_issue(value: object, repo: str = "") -> tuple[str, str]:
    """`#42 count` -> ("#42", "count"); `42`, `GH-42`, `#042` -> ("#42", ""); an issue
    URL -> "#42" (or `owner/repo#42` when it names another repo than `repo`).
    Raises ValueError when the cell starts with no issue reference."""
    text = unwrap(str(value)).replace("**", "").replace("__", "")
    first, _, after = text.partition(" ")
    url = _URL.match(first)
    if url:
        other = url.group("repo")
        prefix = "" if not repo or other.lower() == repo.lower() else other
        return f"{prefix}#{int(url.group('n'))}", after.strip(" -–—:")
    match = _ISSUE.match(text)
    if not match:
        raise ValueError(text)
    return normalise_issue(match.group("ref")), match.group("rest").strip()


# ------------------------------------------------------------------ depends on

_DEP_PHRASES = re.compile(
    r"^(?:depends\s+on|depend\s+on|blocked\s+by|after|needs|requires|waits?\s+for|"
    r"waiting\s+on|on\s+top\s+of|builds?\s+on|stacked\s+on)\b[:\s]*",
    re.IGNORECASE,
)
_REF = re.compile(
    r"(?:https?://\S+/(?:issues|pull|merge_requests)/\d+\S*|(?:[\w.-]+/[\w.-]+)?[#!]\d+\b|"
    r"\bgh-\d+\b)",
    re.IGNORECASE,
)


def dependency_refs(value: object, repo: str = "") -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Depends on -> (refs: issue refs or branch names, placeholder words). Accepts
    "after/blocked by/depends on/needs #42", lists joined by commas, "and", spaces or
    `<br>`, and a row's whole Issue cell (`#42 count` -> `#42`)."""
    if value is None:
        return (), ()
    pieces = value if isinstance(value, list) else re.split(r"[,;\n]|<br\s*/?>", str(value))
    refs: list[str] = []
    undecided: list[str] = []
    for piece in pieces:
        text = unwrap(str(piece))
        text = re.sub(r"\([^()]*\)", " ", text).strip()  # notes: "(API first)"
        while (m := _DEP_PHRASES.match(text)) is not None and m.end() > 0:
            text = text[m.end():]
        text = text.strip(" .")
        if is_none(text):
            continue
        if is_placeholder(text):
            undecided.append(text)
            continue
        found = _REF.findall(text)
        if found:
            refs.extend(parse_issue(f, repo)[0] for f in found)
            continue
        words = [w for w in text.split() if w.lower() not in _JOINERS]
        if words and all(w.lstrip("#").isdigit() for w in words):
            refs.extend(normalise_issue(w) for w in words)
        else:
            refs.extend(w for w in words if not is_placeholder(w))
    return tuple(dict.fromkeys(refs)), tuple(undecided)


# ------------------------------------------------------------------ status

STATUS_WORDS: dict[Status, tuple[str, ...]] = {
    Status.PLANNED: ("planned", "todo", "to do", "pending", "new", "open", "not started",
                     "idea", "backlog", "draft", "tbd", "unassigned", "proposed"),
    Status.QUEUED: ("queued", "ready", "next", "up next", "scheduled", "dispatched",
                    "assigned", "ready to start", "ready to dispatch"),
    Status.RUNNING: ("running", "in progress", "wip", "doing", "active", "started",
                     "working", "in flight", "ongoing", "implementing", "building"),
    Status.REVIEW: ("review", "in review", "pr", "pr open", "reviewing", "needs review",
                    "ready for review", "awaiting review", "pr opened", "under review"),
    Status.MERGED: ("merged", "done", "landed", "complete", "completed", "closed",
                    "shipped", "self merged", "finished", "fixed", "resolved", "delivered"),
    Status.BLOCKED: ("blocked", "waiting", "on hold", "stuck", "paused", "failing",
                     "failed", "broken"),
    Status.DROPPED: ("dropped", "cancelled", "canceled", "abandoned", "won t do", "wontfix",
                     "won t fix", "obsolete", "superseded", "skipped", "removed"),
}
STATUS_EMOJI: dict[str, Status] = {
    "✅": Status.MERGED, "✔": Status.MERGED, "☑": Status.MERGED, "🟢": Status.MERGED,
    "🎉": Status.MERGED, "🚀": Status.MERGED,
    "🚧": Status.RUNNING, "🔄": Status.RUNNING, "⏳": Status.RUNNING, "🏗": Status.RUNNING,
    "🔨": Status.RUNNING, "🛠": Status.RUNNING, "🟡": Status.RUNNING,
    "👀": Status.REVIEW, "🔍": Status.REVIEW, "🔎": Status.REVIEW,
    "❌": Status.BLOCKED, "⛔": Status.BLOCKED, "🚫": Status.BLOCKED, "🛑": Status.BLOCKED,
    "🔴": Status.BLOCKED, "⚠": Status.BLOCKED,
    "📋": Status.PLANNED, "⬜": Status.PLANNED, "💤": Status.PLANNED, "🆕": Status.PLANNED,
    "📥": Status.QUEUED, "⏭": Status.QUEUED,
    "🗑": Status.DROPPED, "🪦": Status.DROPPED,
}
_STATUS_LOOKUP = {word: status for status, words in STATUS_WORDS.items() for word in words}


def normalise_status(word: object) -> Status | None:
    """A free status word (or emoji) -> Status; None when unknown (lint warns)."""
    raw = str(word or "")
    if is_none(raw):
        return Status.PLANNED
    if raw.strip().endswith("?"):  # "merged?": a question, never taken as a fact (lint warns)
        return None
    raw = re.sub(r"\([^()]*\)", " ", unwrap(raw))  # "self-merged (2d812a8)"
    text = " ".join(re.sub(r"[^a-z ]", " ", raw.lower()).split())
    if text in _STATUS_LOOKUP:
        return _STATUS_LOOKUP[text]
    for status_word, status in sorted(_STATUS_LOOKUP.items(), key=lambda kv: -len(kv[0])):
        if text.startswith(status_word + " "):
            return status
    for ch in raw:
        if ch in STATUS_EMOJI:
            return STATUS_EMOJI[ch]
    label, colon, rest = raw.partition(":")  # "Progress: done"
    if colon and rest.strip() and len(label.split()) <= 2:
        return normalise_status(rest)
    return Status.PLANNED if not text and not raw.strip(" \ufe0f") else None
