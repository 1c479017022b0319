"""Owned paths: matching, and whether two gitignore-style globs can match a common path
(exactly, by intersecting their automata), with an example path. Both run each glob's
automaton, so time is linear in the path: no regex backtracking on `*a*a*a*b`.

Plan-time conflict prediction rests on `patterns_overlap`: two rows collide on paths
that both of their globs can match, whether or not such a file exists yet.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fleetbot.model import Row

# ------------------------------------------------------------------ matching


def anchor(pattern: str) -> str:
    """Plan entries are paths from the repo root: `cli.py` means the top-level cli.py,
    not every cli.py (gitignore would float it); write `**/cli.py` for any depth."""
    p = pattern.strip()
    return p if "/" in p.rstrip("/") or p.startswith("**") else "/" + p


def matches(patterns: Sequence[str], path: str) -> bool:
    """True when owned `patterns` match `path` (gitignore globs anchored at the root; a
    later `!pattern` takes a path back). Simulates each glob's automaton over the path,
    so the time is linear in the path whatever the glob (no backtracking)."""
    owned = False
    for p in patterns:
        negated = p.startswith("!")
        if _compile(p[1:] if negated else p).accepts(path):
            owned = not negated
    return owned


def row_owns(row: Row, path: str) -> bool:
    return matches(row.patterns, path)


# ------------------------------------------------------------------ overlap

# A character class is ("lit", c), ("seg",) = any char but "/", ("any",) = any char,
# or ("set", chars, negated) from [...] (never matching "/").
CharClass = tuple[object, ...]
SEG: CharClass = ("seg",)
ANY: CharClass = ("any",)


@dataclass
class _NFA:
    """A tiny NFA: per state, epsilon moves and (class, next) moves; one accept state."""

    eps: list[list[int]] = field(default_factory=list)
    moves: list[list[tuple[CharClass, int]]] = field(default_factory=list)
    accept: int = 0

    def state(self) -> int:
        self.eps.append([])
        self.moves.append([])
        return len(self.eps) - 1

    def closure(self, states: Iterable[int]) -> frozenset[int]:
        seen = set(states)
        todo = list(seen)
        while todo:
            for nxt in self.eps[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return frozenset(seen)

    def accepts(self, path: str) -> bool:
        """Whether the whole of `path` is matched (a set-of-states simulation)."""
        states = self.closure([0])
        for c in path:
            states = self.closure(
                nxt for q in states for cls, nxt in self.moves[q] if _accepts(cls, c)
            )
            if not states:
                return False
        return self.accept in states


def _parse_class(pattern: str, i: int) -> tuple[CharClass, int] | None:
    """Parse `[...]` at pattern[i]; None when it is not a valid class (then `[` is literal)."""
    j = i + 1
    negated = j < len(pattern) and pattern[j] in "!^"
    if negated:
        j += 1
    chars: set[str] = set()
    first = True
    while j < len(pattern) and (pattern[j] != "]" or first):
        first = False
        c = pattern[j]
        if c == "\\" and j + 1 < len(pattern):
            j += 1
            c = pattern[j]
        if j + 2 < len(pattern) and pattern[j + 1] == "-" and pattern[j + 2] != "]":
            lo, hi = c, pattern[j + 2]
            chars.update(chr(k) for k in range(ord(lo), ord(hi) + 1))
            j += 3
        else:
            chars.add(c)
            j += 1
    if j >= len(pattern):
        return None
    chars.discard("/")
    return ("set", frozenset(chars), negated), j + 1


class Tail(Enum):
    """What a pattern may match below itself."""

    FILE = "file"  # the last segment names a file (`app.py`, `*.md`): nothing beneath
    FOLDER = "folder"  # written with a trailing `/`: only what lies beneath
    EITHER = "either"  # a bare name (`docs`, `src/**`): itself or anything beneath


def _normalise(pattern: str) -> tuple[str, Tail]:
    """Owned pattern -> (glob from the root, what it matches beneath).

    Patterns are anchored (see `anchor`). A folder owns every path beneath it; a name
    with an extension is a file, so `src/app.py` never owns `src/app.py/README.md`.
    """
    raw = anchor(pattern)
    p = raw.rstrip("/")
    last = p.rsplit("/", 1)[-1]
    if raw.endswith("/") and p:
        tail = Tail.FOLDER
    elif last != "**" and "." in last[1:]:
        tail = Tail.FILE
    else:
        tail = Tail.EITHER
    return p.lstrip("/"), tail


@lru_cache(maxsize=65536)
def _compile(pattern: str) -> _NFA:
    glob, tail = _normalise(pattern)
    nfa = _NFA()
    cur = nfa.state()
    i = 0

    def step(cls: CharClass) -> None:
        nonlocal cur
        nxt = nfa.state()
        nfa.moves[cur].append((cls, nxt))
        cur = nxt

    def loop(cls: CharClass) -> None:
        nonlocal cur
        nxt = nfa.state()
        nfa.eps[cur].append(nxt)
        nfa.moves[nxt].append((cls, nxt))
        cur = nxt

    def dirs() -> None:
        """Zero or more `segment/` (what a leading `**/` matches)."""
        nonlocal cur
        body = nfa.state()
        nfa.moves[cur].append((SEG, body))
        nfa.moves[body].append((SEG, body))
        nfa.moves[body].append((("lit", "/"), cur))

    def beneath() -> None:
        """`/segment(/segment)*`: anything below (what a trailing `/**` matches)."""
        nonlocal cur
        step(("lit", "/"))
        seg_start = cur
        step(SEG)
        nfa.moves[cur].append((SEG, cur))
        nfa.moves[cur].append((("lit", "/"), seg_start))

    while i < len(glob):
        at_seg_start = i == 0 or glob[i - 1] == "/"
        if glob.startswith("**/", i) and at_seg_start:
            dirs()
            i += 3
        elif glob.startswith("/**", i) and i + 3 == len(glob):
            beneath()
            i += 3
        elif glob[i] == "*":
            while i < len(glob) and glob[i] == "*":
                i += 1
            loop(SEG)
        elif glob[i] == "?":
            step(SEG)
            i += 1
        elif glob[i] == "[" and (parsed := _parse_class(glob, i)) is not None:
            cls, i = parsed
            step(cls)
        elif glob[i] == "\\" and i + 1 < len(glob):
            step(("lit", glob[i + 1]))
            i += 2
        else:
            step(("lit", glob[i]))
            i += 1
    if tail is Tail.EITHER:
        end = nfa.state()
        nfa.eps[cur].append(end)
        beneath()
        nfa.eps[cur].append(end)
        cur = end
    elif tail is Tail.FOLDER:
        beneath()
    nfa.accept = cur
    return nfa


def _meet(a: CharClass, b: CharClass) -> str | None:
    """A character both classes accept, or None."""
    for x, y in ((a, b), (b, a)):
        if x[0] == "lit":
            c = str(x[1])
            return c if _accepts(y, c) else None
    if a[0] == "set" or b[0] == "set":
        s = a if a[0] == "set" else b
        other = b if s is a else a
        chars, negated = s[1], s[2]
        assert isinstance(chars, frozenset)
        if not negated:
            return next((c for c in sorted(chars) if _accepts(other, c)), None)
        if other[0] == "set" and not other[2]:
            return _meet(other, s)
        return _pick(lambda c: c not in chars and _accepts(other, c))
    return "x"  # seg/any with seg/any


@lru_cache(maxsize=1)
def _alphabet() -> str:
    """The characters `_pick` tries, likely ones first: built on first use (9,440 of them,
    a millisecond of every start when it was built at import)."""
    return "xyzabc0123456789_-.~+=@XYZ" + "".join(map(chr, range(0x20, 0x2500)))


def _pick(wanted: Callable[[str], bool]) -> str | None:
    """Some character `wanted` accepts, or None (a class may exclude every likely one)."""
    return next((c for c in _alphabet() if c != "/" and wanted(c)), None)


def _accepts(cls: CharClass, c: str) -> bool:
    kind = cls[0]
    if kind == "lit":
        return cls[1] == c
    if kind == "seg":
        return c != "/"
    if kind == "any":
        return True
    chars, negated = cls[1], cls[2]
    assert isinstance(chars, frozenset)
    return c != "/" and ((c in chars) != bool(negated))


_META = re.compile(r"[*?\[\\]")


@lru_cache(maxsize=4096)
def _literal_prefix(pattern: str) -> tuple[str, bool]:
    """(the part of the root-anchored glob before any wildcard, whether that is all of it)."""
    glob, _ = _normalise(pattern)
    m = _META.search(glob)
    return (glob, True) if m is None else (glob[:m.start()], False)


@lru_cache(maxsize=8192)
def overlap_example(a: str, b: str) -> str | None:
    """A shortest path both patterns match, or None when no path can match both.

    Breadth-first search over pairs of NFA states: exact for gitignore globs. Patterns
    whose literal beginnings already differ are answered without the search.
    """
    la, lb = _literal_prefix(a), _literal_prefix(b)
    if not (la[0].startswith(lb[0]) or lb[0].startswith(la[0])):
        return None  # every match of a starts with la, every match of b with lb
    (short, s_tail), (long, l_tail) = sorted((_normalise(a), _normalise(b)),
                                             key=lambda n: len(n[0]))
    if la[1] and lb[1] and Tail.FOLDER not in (s_tail, l_tail):
        # two plain paths: the same, or one a folder above the other
        if long == short:
            return long
        return long if long.startswith(short + "/") and s_tail is not Tail.FILE else None
    na, nb = _compile(a), _compile(b)
    # a node is (state in a, state in b, at the start of a path segment): segments are
    # never empty, so "/" cannot follow the start or another "/", nor end a path
    Node = tuple[int, int, bool]
    start: Node = (0, 0, True)
    parent: dict[Node, tuple[Node, str] | None] = {start: None}
    queue: deque[Node] = deque([start])
    while queue:
        node = queue.popleft()
        qa, qb, at_start = node
        if qa == na.accept and qb == nb.accept and not at_start:
            return _walk_back(parent, node)
        nexts: list[tuple[Node, str]] = [((t, qb, at_start), "") for t in na.eps[qa]]
        nexts += [((qa, t, at_start), "") for t in nb.eps[qb]]
        for ca, ta in na.moves[qa]:
            for cb, tb in nb.moves[qb]:
                c = _meet(ca, cb)
                if c is not None and not (c == "/" and at_start):
                    nexts.append(((ta, tb, c == "/"), c))
        for nxt, c in nexts:
            if nxt not in parent:
                parent[nxt] = (node, c)
                if c:
                    queue.append(nxt)
                else:
                    queue.appendleft(nxt)  # epsilon moves cost nothing
    return None


def _walk_back(parent: dict[tuple[int, int, bool], tuple[tuple[int, int, bool], str] | None],
               node: tuple[int, int, bool]) -> str:
    chars: list[str] = []
    link = parent[node]
    while link is not None:
        node, c = link
        chars.append(c)
        link = parent[node]
    return "".join(reversed(chars))


def scope(pattern: str) -> str:
    """The folder (whole path segments) every match of `pattern` lies in or under: its
    literal beginning cut back to a segment boundary ("" for a leading wildcard)."""
    prefix, plain = _literal_prefix(pattern)
    return prefix if plain else prefix.rsplit("/", 1)[0] if "/" in prefix else ""


@lru_cache(maxsize=4096)
def _scopes(patterns: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """(the scopes of the patterns, every scope and each folder above it, "" included)."""
    scopes = frozenset(scope(p) for p in patterns)
    above = {""}
    for s in scopes:
        parts = s.split("/") if s else []
        above.update("/".join(parts[:i]) for i in range(1, len(parts) + 1))
    return scopes, frozenset(above)


def may_overlap(a: Sequence[str], b: Sequence[str]) -> bool:
    """A quick necessary test for "some pattern of a and some of b can match a common
    path": their scopes must nest. False means no overlap for sure; True means ask
    `overlap_example`. It lets lint skip most row pairs of a large plan."""
    sa, above_a = _scopes(tuple(a))
    sb, above_b = _scopes(tuple(b))
    return bool(sa & above_b or sb & above_a)


def patterns_overlap(a: str, b: str) -> bool:
    """True when some path can match both gitignore-style patterns."""
    return overlap_example(a, b) is not None
