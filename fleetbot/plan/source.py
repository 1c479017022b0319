"""Plan files -> one plain dict, with a line number for every row and field.

Markdown: the first table whose header has Issue and Branch columns (markdown-it-py
finds the tables; cells are split on the raw line so each keeps its character span,
which `write_markdown` uses to edit one cell and leave every other byte alone).
YAML/JSON: composed with PyYAML so each node keeps its line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from fleetbot.errors import PlanError

# JSON-pointer-like path of a node ("rows", 0, "branch") -> 1-based line
LineMap = dict[tuple[str | int, ...], int]

COLUMNS = {
    "issue": "issue",
    "branch": "branch",
    "worktree": "worktree",
    "files owned": "files_owned",
    "files": "files_owned",
    "owns": "files_owned",
    "depends on": "depends_on",
    "depends": "depends_on",
    "dependencies": "depends_on",
    "status": "status",
}
REQUIRED_COLUMNS = ("issue", "branch")


@dataclass
class Cell:
    text: str  # stripped, `\|` unescaped
    start: int  # span of the raw cell (between the pipes) in its line
    end: int


@dataclass
class Source:
    """A plan file read into a dict, with lines, and (Markdown) the table's cells."""

    data: dict[str, Any]
    lines: LineMap
    kind: str  # markdown | yaml | json
    cells: dict[int, dict[str, Cell]] = field(default_factory=dict)  # row index -> cells
    row_lines: list[int] = field(default_factory=list)  # 1-based line of each row


def split_cells(line: str) -> list[Cell]:
    """Split a table line on unescaped pipes, keeping each cell's span."""
    bounds = [i for i, c in enumerate(line) if c == "|" and (i == 0 or line[i - 1] != "\\")]
    stripped = line.strip()
    edges = [-1, *bounds, len(line)]
    cells = []
    for left, right in zip(edges, edges[1:]):
        raw = line[left + 1 : right]
        cells.append(Cell(raw.strip().replace("\\|", "|"), left + 1, right))
    if stripped.startswith("|"):
        cells = cells[1:]
    if stripped.endswith("|") and len(stripped) > 1:
        cells = cells[:-1]
    return cells


def _front_matter(text: str, file: str) -> tuple[dict[str, Any], str]:
    """YAML front matter (`---` ... `---`) and the text with those lines blanked."""
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---", 4)
    if end < 0:
        return {}, text
    block = text[4:end]
    try:
        meta = yaml.safe_load(block) or {}
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 2
        raise PlanError(
            "the front matter is not valid YAML", file=file, line=line,
            hint="fix the YAML between the two `---` lines", code="invalid-file",
        ) from exc
    if not isinstance(meta, dict):
        raise PlanError(
            "the front matter must be a mapping", file=file, line=1,
            hint="write `key: value` lines between the two `---` lines", code="invalid-file",
        )
    closing = text.find("\n", end + 1)
    closing = len(text) if closing < 0 else closing
    blank = "\n" * text[:closing].count("\n")
    return meta, blank + text[closing:]


def read_markdown(text: str, file: str) -> Source:
    from markdown_it import MarkdownIt

    meta, body = _front_matter(text, file)
    tokens = MarkdownIt("commonmark").enable("table").parse(body)
    lines = body.split("\n")
    table = None
    partial: tuple[int, str] | None = None  # a table with only one of Issue/Branch
    for tok in tokens:
        if tok.type == "table_open" and tok.map:
            header = [c.text.strip("`* ").lower() for c in split_cells(lines[tok.map[0]])]
            if "issue" in header and "branch" in header:
                table = (tok.map, header)
                break
            if partial is None and ("issue" in header or "branch" in header):
                partial = (tok.map[0] + 1, "Branch" if "issue" in header else "Issue")
    if table is None and partial is not None:
        raise PlanError(
            f"the plan table has no {partial[1]} column", file=file, line=partial[0],
            code="missing-column", hint=f"add a `{partial[1]}` column to the table's header",
        )
    if table is None:
        raise PlanError(
            "no plan table found", file=file, line=1, code="no-plan-table",
            hint="add a Markdown table whose header has at least `| Issue | Branch |` columns",
        )
    (first, last), header = table
    columns: list[str | None] = [COLUMNS.get(h) for h in header]
    data: dict[str, Any] = {k: v for k, v in meta.items() if k != "rows"}
    rows: list[dict[str, Any]] = []
    src = Source(data=data, lines={}, kind="markdown")
    for index, lineno in enumerate(range(first + 2, last)):
        raw = lines[lineno]
        cells = split_cells(raw)
        line = lineno + 1
        if len(cells) < len(header):
            raise PlanError(
                f"this row has {len(cells)} cells but the header has {len(header)}",
                file=file, line=line, code="malformed-row",
                hint="give every row one cell per column (leave a cell empty, `| |`, if unused)",
            )
        row: dict[str, Any] = {}
        src.cells[index] = {}
        for col, cell in zip(columns, cells):
            if col is not None and col not in row:
                row[col] = cell.text
                src.cells[index][col] = cell
                src.lines[("rows", index, col)] = line
        rows.append(row)
        src.lines[("rows", index)] = line
        src.row_lines.append(line)
    data["rows"] = rows
    src.lines[("rows",)] = first + 1
    src.lines[()] = 1
    return src


def _node_to_data(node: yaml.Node, path: tuple[str | int, ...], lines: LineMap) -> Any:
    """A composed YAML node -> plain data, recording each node's line."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = yaml.safe_load(yaml.serialize(key_node))
            key = str(key)
            out[key] = _node_to_data(value_node, (*path, key), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_node_to_data(n, (*path, i), lines) for i, n in enumerate(node.value)]
    return yaml.safe_load(yaml.serialize(node))


def read_structured(text: str, file: str, kind: str) -> Source:
    """YAML or JSON -> Source; syntax errors name the line."""
    if kind == "json":
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise PlanError(
                f"invalid JSON: {exc.msg}", file=file, line=exc.lineno, code="invalid-file",
                hint="fix the JSON syntax at that line (a missing comma or quote is typical)",
            ) from exc
    lines: LineMap = {}
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = _node_to_data(node, (), lines) if node is not None else None
    except yaml.YAMLError as exc:
        if kind == "json":  # valid JSON that YAML 1.1 cannot compose: no line marks
            return Source(data=json.loads(text), lines={(): 1}, kind=kind)
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or "syntax error"
        raise PlanError(
            f"invalid YAML: {problem}", file=file, line=line, code="invalid-file",
            hint="fix the YAML syntax at that line (indentation and `key: value` are typical)",
        ) from exc
    if not isinstance(data, dict):
        raise PlanError(
            "the plan must be a mapping with a `rows` list", file=file, line=1, code="schema",
            hint="start the file with `rows:` followed by one item per row",
        )
    return Source(data=data, lines=lines, kind=kind)


def line_of(lines: LineMap, path: tuple[str | int, ...]) -> int:
    """The line of the deepest known node on `path`."""
    for n in range(len(path), -1, -1):
        if path[:n] in lines:
            return lines[path[:n]]
    return 1


_BINARY = re.compile(r"[\x00-\x08\x0e-\x1f]")


def looks_binary(text: str) -> bool:
    return "\x00" in text or len(_BINARY.findall(text[:4096])) > 8


def write_markdown(text: str, src: Source, changes: dict[tuple[int, str], str]) -> str:
    """Replace the given cells ((row index, column) -> new text), every other byte kept."""
    lines = text.split("\n")
    by_line: dict[int, list[tuple[Cell, str]]] = {}
    for (index, column), value in changes.items():
        cell = src.cells[index][column]
        if cell.text == value:
            continue  # unchanged cells keep their padding
        by_line.setdefault(src.row_lines[index] - 1, []).append((cell, value))
    for lineno, edits in by_line.items():
        line = lines[lineno]
        for cell, value in sorted(edits, key=lambda e: -e[0].start):
            line = line[: cell.start] + f" {value.replace('|', chr(92) + '|')} " + line[cell.end :]
        lines[lineno] = line
    return "\n".join(lines)
