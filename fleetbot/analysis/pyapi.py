"""The public surface of a Python file, read with `ast`: top-level function signatures,
class bases and dataclass fields, and which changes to them break a caller. Pure and cheap:
it sees only the texts it is given, and a text is parsed once per process.

Used for the `interface` warning: "two agents add a field to the same dataclass" is a
joint that no line-based merge sees. Only incompatible changes count: a caller written
against the old surface must still work when nothing it relies on changed, so an added
optional parameter or field is not a warning.
"""

from __future__ import annotations

import ast
import re
from enum import Enum
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from fleetbot.frozen import frozen

if TYPE_CHECKING:
    from fleetbot.model import SourceChange

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TOP = re.compile(r"^(?:async[ \t]+def|def|class)[ \t]+([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)


def top_level_names(text: str) -> frozenset[str]:
    """Names defined by `def`/`class` at column 0, found by a regex: the cheap first look
    that decides whether a file is worth parsing at all."""
    return frozenset(_TOP.findall(text))


def words(text: str) -> frozenset[str]:
    """Every identifier-shaped word of a text (a superset of the names it uses)."""
    return frozenset(_WORD.findall(text))


class ParamKind(Enum):
    POSITIONAL = "positional"  # positional-only or positional-or-keyword
    VARARGS = "*args"
    KEYWORD = "keyword-only"
    VARKW = "**kwargs"


@frozen
class Param:
    name: str
    kind: ParamKind
    required: bool
    annotation: str = ""


@frozen
class Field:
    name: str
    annotation: str
    required: bool


@frozen
class Signature:
    """One top-level name's surface; `fields` only for classes (their dataclass-style
    annotated attributes, or the parameters of `__init__` when it has one)."""

    name: str
    is_class: bool
    params: tuple[Param, ...] = ()
    returns: str = ""
    bases: tuple[str, ...] = ()
    fields: tuple[Field, ...] = ()

    def text(self) -> str:
        """How the message shows it: `add(title: str, done=…)`, `Task{title: str}`."""
        if self.is_class and self.fields:
            return f"{self.name}{{{', '.join(_field_text(f) for f in self.fields)}}}"
        if self.is_class and not self.params:
            return f"class {self.name}"
        shown = ", ".join(_param_text(p) for p in self.params)
        return f"{self.name}({shown})" + (f" -> {self.returns}" if self.returns else "")


def _param_text(p: Param) -> str:
    star = {ParamKind.VARARGS: "*", ParamKind.VARKW: "**"}.get(p.kind, "")
    ann = f": {p.annotation}" if p.annotation else ""
    return f"{star}{p.name}{ann}" + ("" if p.required or star else "=…")


def _field_text(f: Field) -> str:
    return f"{f.name}: {f.annotation}" + ("" if f.required else " = …")


@frozen
class ApiChange:
    """An incompatible change of one top-level name: `old → new` and why it breaks."""

    name: str
    old: str
    new: str | None  # None: the name was removed
    why: str

    def describe(self) -> str:
        if self.new is None:
            return f"removes `{self.name}`"
        return f"changes `{self.old}` → `{self.new}` ({self.why})"


def _expr(node: ast.expr | None) -> str:
    """An annotation or base as canonical text, without `ast.dump`: the common shapes
    directly, the rest by `ast.unparse`."""
    if node is None:
        return ""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_expr(node.value)}.{node.attr}"
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else repr(node.value)
    if isinstance(node, ast.Subscript):
        return f"{_expr(node.value)}[{_expr(node.slice)}]"
    if isinstance(node, ast.Tuple):
        return ", ".join(_expr(e) for e in node.elts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return f"{_expr(node.left)} | {_expr(node.right)}"
    return ast.unparse(node)


def _params(args: ast.arguments, *, skip_self: bool = False) -> tuple[Param, ...]:
    positional = [*args.posonlyargs, *args.args]
    first_default = len(positional) - len(args.defaults)
    out = [
        Param(a.arg, ParamKind.POSITIONAL, i < first_default, _expr(a.annotation))
        for i, a in enumerate(positional)
    ]
    if skip_self and out:
        out = out[1:]
    if args.vararg is not None:
        out.append(Param(args.vararg.arg, ParamKind.VARARGS, False, _expr(args.vararg.annotation)))
    out += [
        Param(a.arg, ParamKind.KEYWORD, d is None, _expr(a.annotation))
        for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
    ]
    if args.kwarg is not None:
        out.append(Param(args.kwarg.arg, ParamKind.VARKW, False, _expr(args.kwarg.annotation)))
    return tuple(out)


def _class(node: ast.ClassDef) -> Signature:
    fields: list[Field] = []
    init: tuple[Param, ...] = ()
    for item in node.body:
        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            if _expr(item.annotation).startswith(("ClassVar", "typing.ClassVar")):
                continue
            fields.append(Field(item.target.id, _expr(item.annotation), item.value is None))
        elif isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == "__init__":
            init = _params(item.args, skip_self=True)
    bases = tuple(_expr(b) for b in node.bases)
    return Signature(node.name, True, params=init, bases=bases,
                     fields=() if init else tuple(fields))


@lru_cache(maxsize=4096)
def signatures(text: str) -> dict[str, Signature]:
    """Top-level name -> its Signature (no line numbers, no bodies); a file that does not
    parse has none. Cached: the same blob is read by many rows of a fleet."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return {}
    out: dict[str, Signature] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out[node.name] = Signature(node.name, False, _params(node.args),
                                       returns=_expr(node.returns))
        elif isinstance(node, ast.ClassDef):
            out[node.name] = _class(node)
    return out


def _param_break(old: tuple[Param, ...], new: tuple[Param, ...]) -> str:
    """Why a call written for `old` parameters fails against `new`; "" if none does."""
    old_pos = [p for p in old if p.kind is ParamKind.POSITIONAL]
    new_pos = [p for p in new if p.kind is ParamKind.POSITIONAL]
    new_named = {p.name: p for p in new}
    old_names = {p.name for p in old}
    for i, p in enumerate(old_pos):
        if i >= len(new_pos):
            moved = new_named.get(p.name)
            if moved is None:
                return f"parameter `{p.name}` removed"
            return f"parameter `{p.name}` made {moved.kind.value}"
        q = new_pos[i]
        if q.name != p.name:
            if q.name in old_names or p.name in new_named:
                return f"parameters reordered (`{p.name}` was at position {i + 1})"
            return f"parameter `{p.name}` renamed to `{q.name}`"
        if q.required and not p.required:
            return f"parameter `{p.name}` now required"
    for p in old:
        if p.kind is ParamKind.KEYWORD:
            kw = new_named.get(p.name)
            if kw is None:
                return f"parameter `{p.name}` removed"
            if kw.required and not p.required:
                return f"parameter `{p.name}` now required"
        elif p.kind in (ParamKind.VARARGS, ParamKind.VARKW) and not any(
            q.kind is p.kind for q in new
        ):
            star = "*" if p.kind is ParamKind.VARARGS else "**"
            return f"parameter `{star}{p.name}` removed"
    for q in new:
        if q.required and q.name not in old_names:
            return f"required parameter `{q.name}` added"
    return ""


def _field_break(old: tuple[Field, ...], new: tuple[Field, ...]) -> str:
    after = {f.name: f for f in new}
    for f in old:
        g = after.get(f.name)
        if g is None:
            return f"field `{f.name}` removed"
        if g.annotation != f.annotation:
            return f"field `{f.name}` retyped {f.annotation} → {g.annotation}"
        if g.required and not f.required:
            return f"field `{f.name}` now required"
    kept = [f.name for f in new if f.name in {o.name for o in old}]
    if kept != [f.name for f in old]:
        return "fields reordered"
    before = {f.name for f in old}
    for g in new:
        if g.required and g.name not in before:
            return f"required field `{g.name}` added"
    return ""


def incompatibility(old: Signature, new: Signature) -> str:
    """Why `new` breaks a user of `old` ("" when it does not): a required parameter or
    field added, one removed, renamed, reordered or retyped, a base class removed."""
    if old.is_class != new.is_class:
        return "now a class" if new.is_class else "no longer a class"
    if old.is_class:
        lost = [b for b in old.bases if b not in new.bases]
        if lost:
            return f"base `{lost[0]}` removed"
        if old.fields or new.fields:
            old_f = old.fields or tuple(Field(p.name, p.annotation, p.required)
                                        for p in old.params)
            new_f = new.fields or tuple(Field(p.name, p.annotation, p.required)
                                        for p in new.params)
            return _field_break(old_f, new_f)
    return _param_break(old.params, new.params)


def api_changes(old: str | None, new: str | None) -> tuple[ApiChange, ...]:
    """The incompatible changes from `old` to `new`, by name. New names are not changes:
    nobody else can be using them yet."""
    if old is None:
        return ()
    before = signatures(old)
    if not before:  # nothing defined before (or it does not parse): nothing to break
        return ()
    after = signatures(new) if new is not None else {}
    out = []
    for name in sorted(before):
        sig, now = before[name], after.get(name)
        if now is None:
            out.append(ApiChange(name, sig.text(), None, "removed"))
        elif now != sig and (why := incompatibility(sig, now)):
            out.append(ApiChange(name, sig.text(), now.text(), why))
    return tuple(out)


def changed_names(old: str | None, new: str | None) -> tuple[str, ...]:
    """Top-level names the change from `old` to `new` breaks or removes."""
    return tuple(c.name for c in api_changes(old, new))


def referenced_names(text: str) -> frozenset[str]:
    """Names a file uses: loaded names, attributes, and names imported from modules.
    A file that does not parse falls back to every identifier-shaped word."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return frozenset(_WORD.findall(text))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            out.add(node.id)
        elif isinstance(node, ast.Attribute):
            out.add(node.attr)
        elif isinstance(node, ast.ImportFrom):
            out.update(a.name for a in node.names)
    return frozenset(out)


class ApiReader(Protocol):
    """What the interface check learns of a changed Python file by reading it. `PARSED`
    reads the texts every time; the pipeline's reader remembers the answers by blob id,
    so the texts of an unchanged fleet need not even be read from git."""

    def defined(self, src: SourceChange) -> frozenset[str]:
        """`top_level_names(src.old)` (src.has_old)."""
        ...

    def mentions(self, src: SourceChange, names: frozenset[str]) -> frozenset[str]:
        """`names & words(src.new)` (src.has_new)."""
        ...

    def changes(self, src: SourceChange) -> tuple[ApiChange, ...]:
        """`api_changes(src.old, src.new)`."""
        ...

    def uses(self, src: SourceChange) -> frozenset[str]:
        """`referenced_names(src.new)` (src.has_new)."""
        ...


class ParsedApi:
    """The ApiReader that reads the texts every time (a source must have been read)."""

    def defined(self, src: SourceChange) -> frozenset[str]:
        return top_level_names(_read(src).old or "")

    def mentions(self, src: SourceChange, names: frozenset[str]) -> frozenset[str]:
        return names & words(_read(src).new or "")

    def changes(self, src: SourceChange) -> tuple[ApiChange, ...]:
        src = _read(src)
        return api_changes(src.old, src.new)

    def uses(self, src: SourceChange) -> frozenset[str]:
        return referenced_names(_read(src).new or "")


def _read(src: SourceChange) -> SourceChange:
    if src.unread:
        raise ValueError(f"{src.path} ({src.issue}) was not read: only a reader that "
                         "remembers its blobs can answer for it")
    return src


PARSED = ParsedApi()
