"""The public surface of a Python file, read with `ast`: top-level function signatures,
class bases and dataclass fields. Pure and cheap: it sees only the texts it is given.

Used for the `interface` warning: "two agents add a field to the same dataclass" is a
joint that no line-based merge sees.
"""

from __future__ import annotations

import ast
import re

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TOP = re.compile(r"^(?:async[ \t]+def|def|class)[ \t]+([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)


def top_level_names(text: str) -> frozenset[str]:
    """Names defined by `def`/`class` at column 0, found by a regex: the cheap first look
    that decides whether a file is worth parsing at all."""
    return frozenset(_TOP.findall(text))


def words(text: str) -> frozenset[str]:
    """Every identifier-shaped word of a text (a superset of the names it uses)."""
    return frozenset(_WORD.findall(text))


def _parse(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def _dump(node: ast.AST | None) -> str:
    return ast.dump(node) if node is not None else ""


def _function(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    return f"def({_dump(node.args)})->{_dump(node.returns)}"


def _class(node: ast.ClassDef) -> str:
    parts = [
        "bases:" + ",".join(_dump(b) for b in node.bases),
        "kw:" + ",".join(_dump(k) for k in node.keywords),
        "deco:" + ",".join(_dump(d) for d in node.decorator_list),
    ]
    for item in node.body:
        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            default = "=" if item.value is not None else ""
            parts.append(f"field:{item.target.id}:{_dump(item.annotation)}{default}")
        elif isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == "__init__":
            parts.append("init:" + _function(item))
    return "class(" + ";".join(parts) + ")"


def signatures(text: str) -> dict[str, str]:
    """Top-level name -> a canonical string of its signature (no line numbers); a file that
    does not parse has none."""
    tree = _parse(text)
    if tree is None:
        return {}
    out: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out[node.name] = _function(node)
        elif isinstance(node, ast.ClassDef):
            out[node.name] = _class(node)
    return out


def changed_names(old: str | None, new: str | None) -> tuple[str, ...]:
    """Top-level names whose signature the change from `old` to `new` alters or removes.
    New names are not changes: nobody else can be using them yet."""
    if old is None:
        return ()
    before = signatures(old)
    after = signatures(new) if new is not None else {}
    return tuple(sorted(n for n, sig in before.items() if after.get(n) != sig))


def referenced_names(text: str) -> frozenset[str]:
    """Names a file uses: loaded names, attributes, and names imported from modules.
    A file that does not parse falls back to every identifier-shaped word."""
    tree = _parse(text)
    if tree is None:
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
