"""The package's shape, checked with `ast` (DESIGN.md "One pipeline, one truth", issue #10):

- imports go one way, in the order docs/architecture.md gives, and no module imports
  itself back through a cycle;
- nothing asks a forge what it happens to have (`getattr`/`hasattr` on a forge): every
  operation is on the Protocol;
- no caller reads an exception's message text to learn what went wrong (errors are typed by
  cause);
- no prose a model object carries (detail, reason, message, ...) is parsed back into data.

A justified exception goes into ALLOWED below, with the reason next to it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "fleetbot"

# docs/architecture.md: `model`/`errors` <- `plan` <- `git` <- `forge` <- `analysis` <-
# `render` <- `writes` <- `pipeline` <- `fleet`/`action` <- `cli`. A module may import its
# own layer and any layer to its left; `fleet` and `action` are peers that never import
# each other. `files` (atomic writes), `frozen` (the records' decorator) and the package
# root (the version) sit with model.
LAYERS: dict[str, int] = {
    "fleetbot": 0, "model": 0, "frozen": 0, "errors": 0, "files": 0,
    "plan": 1, "git": 2, "forge": 3, "analysis": 4, "render": 5, "writes": 6,
    "pipeline": 7, "fleet": 8, "action": 8, "cli": 9, "__main__": 10,
}

PEERS = {"fleet", "action"}

# (module, what it does) pairs the checks accept, each with its reason.
ALLOWED: dict[tuple[str, str], str] = {}

PROSE_FIELDS = frozenset({
    "detail", "reason", "summary", "message", "description", "evidence", "note", "hint", "why",
})
TEXT_METHODS = frozenset({"startswith", "endswith", "find", "rfind", "index", "count",
                          "partition", "rpartition", "split"})
REGEX_CALLS = frozenset({"match", "search", "fullmatch", "findall", "finditer", "sub", "split"})
EXC_TEXT_ATTRS = frozenset({"args", "message", "msg", "strerror", "text", "reason"})


@dataclass(frozen=True)
class Module:
    name: str  # dotted, e.g. fleetbot.cli.forge
    path: Path
    tree: ast.Module

    @property
    def layer(self) -> str:
        parts = self.name.split(".")
        return parts[1] if len(parts) > 1 else "fleetbot"

    @property
    def package(self) -> str:
        return self.name if self.path.name == "__init__.py" else self.name.rpartition(".")[0]


@cache
def modules() -> tuple[Module, ...]:
    """Every fleetbot module, parsed once per test process (when a test first asks)."""
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out.append(Module(".".join(parts), path, ast.parse(path.read_text(encoding="utf-8"))))
    return tuple(out)


@cache
def names() -> frozenset[str]:
    return frozenset(m.name for m in modules())


@cache
def nodes(module: Module) -> tuple[ast.AST, ...]:
    """Every node of a module's tree (`ast.walk`), listed once per test process."""
    return tuple(ast.walk(module.tree))


@cache
def _imports(module: Module) -> tuple[tuple[str, int, bool], ...]:
    """(imported fleetbot module, line, at module level) for every import in a module."""
    return tuple(_find_imports(module))


def _find_imports(module: Module) -> Iterator[tuple[str, int, bool]]:
    top_level = {id(node) for node in module.tree.body}
    for node in nodes(module):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.package.split(".")[: len(module.package.split(".")) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            # `from fleetbot.git import refs` imports the module fleetbot.git.refs
            targets = [f"{stem}.{a.name}" if f"{stem}.{a.name}" in names() else stem
                       for a in node.names]
        for target in targets:
            if target == "fleetbot" or target.startswith("fleetbot."):
                while target not in names() and "." in target:
                    target = target.rpartition(".")[0]
                yield target, node.lineno, id(node) in top_level


def _layer(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "fleetbot"


def test_every_layer_is_known() -> None:
    assert {m.layer for m in modules()} <= set(LAYERS), "add the new package to LAYERS"


def test_imports_go_one_way() -> None:
    upward = []
    for module in modules():
        for target, line, _ in _imports(module):
            mine, theirs = module.layer, _layer(target)
            if mine == theirs or (module.name, f"imports {target}") in ALLOWED:
                continue
            if LAYERS[theirs] > LAYERS[mine] or {mine, theirs} == PEERS:
                upward.append(f"{module.path.relative_to(PACKAGE.parent)}:{line}: "
                              f"{mine} imports {target}")
    assert upward == []


def test_no_import_cycle() -> None:
    """Module-level imports form no cycle (imports inside a function are how a lazy CLI
    defers work; they are checked for direction above, not here)."""
    graph = {m.name: {t for t, _, top in _imports(m) if top and t != m.name} for m in modules()}
    # a package's __init__ importing its own submodules is how a package re-exports
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for nxt in sorted(graph.get(name, ())):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    assert cycles == []


def _called_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _mentions_forge(node: ast.expr) -> bool:
    """`forge`, `self._forge`, `ctx.forge`, `github_forge` ...: an object named a forge."""
    if isinstance(node, ast.Name):
        return "forge" in node.id.lower()
    if isinstance(node, ast.Attribute):
        return "forge" in node.attr.lower()
    return False


def _where(module: Module, node: ast.AST) -> str:
    return f"{module.path.relative_to(PACKAGE.parent)}:{getattr(node, 'lineno', 0)}"


def test_no_getattr_on_a_forge() -> None:
    found = [
        f"{_where(m, node)}: {ast.unparse(node)}"
        for m in modules() for node in nodes(m)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        and node.func.id in ("getattr", "hasattr") and node.args and _mentions_forge(node.args[0])
        and (m.name, "getattr on a forge") not in ALLOWED
    ]
    assert found == []


def _exception_text(node: ast.expr, names: frozenset[str]) -> bool:
    """`str(exc)`, `repr(exc)`, `f"{exc}"`, `exc.args`, `exc.message`... for a caught exc."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id in ("str", "repr", "format") and node.args:
        first = node.args[0]
        return isinstance(first, ast.Name) and first.id in names
    if isinstance(node, ast.Attribute) and node.attr in EXC_TEXT_ATTRS:
        return isinstance(node.value, ast.Name) and node.value.id in names
    if isinstance(node, ast.Subscript):
        return _exception_text(node.value, names)
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) and isinstance(v.value, ast.Name)
                   and v.value.id in names for v in node.values)
    return False


def _inspects(node: ast.AST, is_text: object) -> bool:
    """Whether `node` reads text as data: `x in TEXT`, `TEXT == "..."`, `TEXT.startswith`,
    `re.search(..., TEXT)` (is_text: a predicate over expressions)."""
    check = is_text  # a callable; typed loosely to keep the helper short
    assert callable(check)
    if isinstance(node, ast.Compare):
        operands = [node.left, *node.comparators]
        if any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
            return any(check(o) for o in operands)
        if any(isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops):
            return any(check(o) for o in operands) and any(
                isinstance(o, ast.Constant) and isinstance(o.value, str) for o in operands)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in TEXT_METHODS and check(node.func.value):
            return True
        if node.func.attr in REGEX_CALLS and any(check(a) for a in node.args):
            return True
    return False


def test_no_exception_message_is_inspected() -> None:
    found = []
    for m in modules():
        for handler in nodes(m):
            if not isinstance(handler, ast.ExceptHandler) or not handler.name:
                continue
            names = frozenset({handler.name})
            for stmt in handler.body:
                for node in ast.walk(stmt):
                    if _inspects(node, lambda e, n=names: _exception_text(e, n)) \
                            and (m.name, "exception text") not in ALLOWED:
                        found.append(f"{_where(m, node)}: {ast.unparse(node)}")
    assert found == []


def _prose(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr in PROSE_FIELDS


def test_no_prose_is_parsed_back() -> None:
    found = [
        f"{_where(m, node)}: {ast.unparse(node)}"
        for m in modules() for node in nodes(m)
        if _inspects(node, _prose) and (m.name, "prose as data") not in ALLOWED
    ]
    assert found == []


@pytest.mark.parametrize("source", [
    "getattr(forge, 'base_url', '')",
    "hasattr(self._forge, 'commit_status')",
])
def test_the_forge_check_catches(source: str) -> None:
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
    assert _mentions_forge(node.value.args[0])


@pytest.mark.parametrize(("source", "caught"), [
    ("try:\n  f()\nexcept E as exc:\n  if '(403)' in str(exc): pass", True),
    ("try:\n  f()\nexcept E as e:\n  if e.args[0] == 'rate limit': pass", True),
    ("try:\n  f()\nexcept E as e:\n  if str(e).startswith('404'): pass", True),
    ("try:\n  f()\nexcept E as e:\n  if e.cause is Cause.RATE_LIMIT: pass", False),
    ("try:\n  f()\nexcept E as e:\n  raise Other(str(e)) from e", False),
])
def test_the_exception_check_catches(source: str, caught: bool) -> None:
    handler = next(n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ExceptHandler))
    assert handler.name
    names = frozenset({handler.name})
    hits = [n for s in handler.body for n in ast.walk(s)
            if _inspects(n, lambda e: _exception_text(e, names))]
    assert bool(hits) is caught


@pytest.mark.parametrize(("source", "caught"), [
    ("step.reason.startswith('no branch')", True),
    ("'sentinel' in finding.detail", True),
    ("finding.message == 'ok'", True),
    ("re.search('#\\\\d+', blocker.detail)", True),
    ("finding.code is FindingCode.DRIFT", False),
    ("len(finding.detail) > 80", False),
])
def test_the_prose_check_catches(source: str, caught: bool) -> None:
    hits = [n for n in ast.walk(ast.parse(source)) if _inspects(n, _prose)]
    assert bool(hits) is caught
