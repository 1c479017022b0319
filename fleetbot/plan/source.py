"""Plan files -> one plain dict, with a line number for every row and field.

Markdown: the plan table is chosen among the document's tables (followed line by line in a
plain body, `tables.py`, else found by markdown-it-py; tables in block quotes, code fences
and HTML comments are examples, not plans):
one under a heading that names the plan or fleet, else the one with the most plan
columns. Cells are split on the raw line so each keeps its character span, which
`write_markdown` uses to edit one cell and leave every other byte alone.
YAML/JSON: read by `structured.load_data`, bounded, with each node's line.
Whatever is read but not used (a column, a front-matter key) becomes a notice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fleetbot.errors import PlanError
from fleetbot.model import Finding, FindingCode, Severity
from fleetbot.plan.columns import REQUIRED, SHOWN, closest, field_of, mentions
from fleetbot.plan.tables import TableSpan, plain_table_spans

if TYPE_CHECKING:  # YAML is imported only for a plan that has some
    from collections.abc import Callable

    from fleetbot.plan.structured import LineMap

SETTINGS = ("regenerable", "target", "test", "repo")  # fleetbot's plan-wide keys
OWN_KEY = "fleetbot"  # front matter shared with other tools keeps fleetbot's keys here
_PLAN_HEADING = re.compile(r"\b(plan|fleet|orchestration|coordination|worktrees?|agents?|"
                           r"rows|work\s*items|assignments?)\b", re.IGNORECASE)
_OTHER_HEADING = re.compile(r"\b(done|completed|finished|merged|archived?|history|example|"
                            r"examples|template|old|previous|legend)\b", re.IGNORECASE)


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
    notices: list[Finding] = field(default_factory=list)  # read but not used


def notice(code: FindingCode, message: str, line: int, hint: str = "",
           severity: Severity = Severity.NOTICE, rows: tuple[str, ...] = ()) -> Finding:
    return Finding(severity, code, message, line=line, rows=rows, hint=hint)


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


def _front_matter(text: str, file: str) -> tuple[dict[str, Any], LineMap, str]:
    """YAML front matter (`---` ... `---`), its line marks, and the text with those
    lines blanked (so every later line keeps its number)."""
    if not text.startswith("---\n"):
        return {}, {}, text
    end = text.find("\n---", 3)
    if end < 0:
        return {}, {}, text
    block = text[4:end + 1]
    from fleetbot.plan.structured import load_data

    meta, lines = load_data(block, file, "yaml", first_line=2)
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise PlanError(
            "the front matter must be a mapping", file=file, line=1,
            hint="write `key: value` lines between the two `---` lines", code="invalid-file",
        )
    closing = text.find("\n", end + 1)
    closing = len(text) if closing < 0 else closing
    blank = "\n" * text[:closing].count("\n")
    return meta, lines, blank + text[closing:]


def settings(meta: dict[str, Any], lines: LineMap, where: str,
             extra: tuple[str, ...] = ()) -> tuple[dict[str, Any], LineMap, list[Finding]]:
    """fleetbot's keys from a mapping shared with other tools: the known top-level keys,
    then those under `fleetbot:` (which win); every other key is one notice."""
    out: dict[str, Any] = {}
    out_lines: LineMap = {}
    unknown: list[str] = []
    for key, value in meta.items():
        if key in SETTINGS or key in extra:
            out[key] = value
            out_lines.update({(key, *p[1:]): n for p, n in lines.items() if p[:1] == (key,)})
        elif key != OWN_KEY:
            unknown.append(key)
    own = meta.get(OWN_KEY)
    if isinstance(own, dict):
        for key, value in own.items():
            if key in SETTINGS or key in extra:
                out[key] = value
                out_lines.update({(key, *p[2:]): n for p, n in lines.items()
                                  if p[:2] == (OWN_KEY, key)})
            else:
                unknown.append(f"{OWN_KEY}.{key}")
    elif own is not None:
        out["fleetbot"] = own  # the schema says what is wrong with it
        out_lines[("fleetbot",)] = lines.get((OWN_KEY,), 1)
    findings = []
    if unknown:
        first = min(lines.get((k.split(".")[0],), 1) for k in unknown)
        findings.append(notice(
            FindingCode.UNKNOWN_FRONT_MATTER,
            f"{where} keys fleetbot does not use (another tool's?): "
            + ", ".join(repr(k) for k in unknown),
            first, f"fleetbot reads only {', '.join(SETTINGS)} (top level or under "
            f"`{OWN_KEY}:`); the others are left for their tools",
        ))
    return out, out_lines, findings




@dataclass
class _Table:
    first: int  # 0-based line of the header
    last: int  # 0-based line after the last row
    header: list[str]
    fields: list[str | None]
    named: int  # the heading above it: 1 names the plan, -1 other work, 0 neither

    @property
    def qualifies(self) -> bool:
        return all(f in self.fields for f in REQUIRED)

    def rank(self) -> tuple[int, int, int]:
        """Larger is likelier the plan: a heading naming it, plan columns, earlier."""
        return self.named, len({f for f in self.fields if f}), -self.first

    def lacks(self) -> str:
        named = {f for h in self.header for f in mentions(h)} | {f for f in self.fields if f}
        missing = [SHOWN[f] for f in REQUIRED if f not in self.fields]
        cols = ", ".join(repr(h) for h in self.header[:4]) + (", …" if len(self.header) > 4
                                                             else "")
        also = (" (a column mentions " + " and ".join(SHOWN[f] for f in sorted(named)
                                                      if f not in self.fields) + ")"
                if named - set(self.fields) else "")
        return (f"line {self.first + 1}: a table with {cols} but no "
                f"{' or '.join(missing)} column{also}")


def table_spans(body: str) -> tuple[TableSpan, ...]:
    """Every table outside block quotes (code fences and HTML comments hold none), as
    CommonMark's block structure shows it: followed line by line for a plain body
    (`tables.plain_table_spans`), else by markdown-it (imported only here)."""
    plain = plain_table_spans(body, heading_rank)
    if plain is not None:
        return plain
    return markdown_table_spans(body)


def heading_rank(heading: str) -> int:
    """1 for a heading that names the plan, -1 for done or example work, 0 for neither."""
    return 1 if _PLAN_HEADING.search(heading) else (-1 if _OTHER_HEADING.search(heading)
                                                    else 0)


def markdown_table_spans(body: str) -> tuple[TableSpan, ...]:
    """`table_spans` by markdown-it-py, the reference for every body."""
    from markdown_it import MarkdownIt

    # block structure only: cells are split on the raw lines, so inline parsing is skipped
    tokens = MarkdownIt("commonmark").enable("table").disable(["inline", "text_join"]).parse(body)
    out: list[TableSpan] = []
    quoted, named = 0, 0
    for i, tok in enumerate(tokens):
        if tok.type == "blockquote_open":
            quoted += 1
        elif tok.type == "blockquote_close":
            quoted -= 1
        elif tok.type == "heading_open" and i + 1 < len(tokens):
            named = heading_rank(tokens[i + 1].content)
        elif tok.type == "table_open" and tok.map and not quoted:
            out.append((tok.map[0], tok.map[1], named))
    return tuple(out)


def _tables(body: str, spans: tuple[TableSpan, ...] | None = None) -> list[_Table]:
    """The tables at `spans` (found in `body` when not given) with their header cells."""
    lines = body.split("\n")
    out = []
    for first, last, named in table_spans(body) if spans is None else spans:
        header = [c.text for c in split_cells(lines[first])]
        out.append(_Table(first, last, header, [field_of(h) for h in header], named))
    return out


def _choose(tables: list[_Table], file: str) -> tuple[_Table, list[Finding]]:
    plans = [t for t in tables if t.qualifies]
    if not plans:
        near = [t for t in tables if set(t.fields) & set(REQUIRED)
                or any(mentions(h) for h in t.header)]
        listed = "; ".join(t.lacks() for t in near)
        exact = next((t for t in near if set(t.fields) & set(REQUIRED)), None)
        if exact is not None:
            missing = next(SHOWN[f] for f in REQUIRED if f not in exact.fields)
            raise PlanError(
                f"the plan table has no {missing} column ({listed})", file=file,
                line=exact.first + 1, code="missing-column",
                hint=f"add a `{missing}` column to the table's header",
            )
        raise PlanError(
            "no plan table found" + (f"; nearly: {listed}" if listed else ""), file=file,
            line=near[0].first + 1 if near else 1, code="no-plan-table",
            hint="add a Markdown table whose header has at least `| Issue | Branch |` columns",
        )
    best = max(plans, key=_Table.rank)
    found = []
    if len(plans) > 1:
        others = ", ".join(str(t.first + 1) for t in plans if t is not best)
        found.append(notice(
            FindingCode.MULTIPLE_PLAN_TABLES,
            f"several tables have Issue and Branch columns; the plan is the one on line "
            f"{best.first + 1}, not those on line {others}", best.first + 1,
            "keep one plan table, or put the plan under a heading that names it "
            "(`## Plan`), or move examples into a block quote or code fence",
            severity=Severity.WARNING,
        ))
    return best, found


def _unused_columns(table: _Table) -> list[Finding]:
    out, seen = [], {}
    for header, fld in zip(table.header, table.fields):
        if fld is not None and fld not in seen:
            seen[fld] = header
            continue
        if fld is not None:
            why = f"it repeats {seen[fld]!r} (both are {SHOWN[fld]}); the first is read"
            hint = f"merge it into {seen[fld]!r}"
        else:
            near = closest(header)
            why = "fleetbot does not use it"
            hint = (f"if it is the {near} column, name it `{near}`" if near else
                    "fine for notes; fleetbot reads " + ", ".join(SHOWN.values()))
        out.append(notice(FindingCode.UNUSED_COLUMN, f"column {header!r}: {why}",
                          table.first + 1, hint))
    return out


def read_markdown(
    text: str, file: str,
    spans_of: Callable[[str], tuple[TableSpan, ...]] = table_spans,
) -> Source:
    """The plan table and front matter of a Markdown plan; `spans_of(body)` says where
    the body's tables are (`table_spans`, or a record of bodies read before)."""
    meta, meta_lines, body = _front_matter(text, file)
    data, lines, findings = settings(meta, meta_lines, "front matter")
    table, more = _choose(_tables(body, spans_of(body)), file)
    findings += more + _unused_columns(table)
    lines_of_body = body.split("\n")
    src = Source(data=data, lines=lines, kind="markdown", notices=findings)
    rows: list[dict[str, Any]] = []
    width = len(table.header)
    for index, lineno in enumerate(range(table.first + 2, table.last)):
        cells = split_cells(lines_of_body[lineno])
        line = lineno + 1
        if len(cells) < width:
            raise PlanError(
                f"this row has {len(cells)} cells but the header has {width}",
                file=file, line=line, code="malformed-row",
                hint="give every row one cell per column (leave a cell empty, `| |`, if unused)",
            )
        if len(cells) > width and any(c.text for c in cells[width:]):
            findings.append(notice(
                FindingCode.UNUSED_COLUMN,
                f"this row has {len(cells)} cells but the header has {width}: "
                f"{', '.join(repr(c.text) for c in cells[width:] if c.text)} not read",
                line, "add a header for the extra cells, or move them into a cell",
                severity=Severity.WARNING,
            ))
        row: dict[str, Any] = {}
        src.cells[index] = {}
        for col, cell in zip(table.fields, cells):
            if col is not None and col not in row:
                row[col] = cell.text
                src.cells[index][col] = cell
                src.lines[("rows", index, col)] = line
        rows.append(row)
        src.lines[("rows", index)] = line
        src.row_lines.append(line)
    data["rows"] = rows
    src.lines[("rows",)] = table.first + 1
    src.lines[()] = 1
    return src


def _canonical_keys(row: dict[str, Any], index: int, lines: LineMap) -> dict[str, Any]:
    """A YAML/JSON row's keys in the column words (`files:`, `blocked_by:`) -> fields."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        name = field_of(str(key)) or str(key)
        if name in out:  # a second synonym: the schema names it as unknown
            name = str(key)
        out[name] = value
        if name != key:  # its line marks follow it (a value is a scalar or a flat list)
            tails: list[tuple[str | int, ...]] = [()]
            if isinstance(value, list):
                tails += [(i,) for i in range(len(value))]
            for tail in tails:
                old: tuple[str | int, ...] = ("rows", index, key, *tail)
                new: tuple[str | int, ...] = ("rows", index, name, *tail)
                if old in lines:
                    lines[new] = lines[old]
    return out


def read_structured(text: str, file: str, kind: str) -> Source:
    """YAML or JSON -> Source; syntax errors name the line."""
    from fleetbot.plan.structured import load_data

    raw, lines = load_data(text, file, kind)
    if not isinstance(raw, dict):
        raise PlanError(
            "the plan must be a mapping with a `rows` list", file=file, line=1, code="schema",
            hint="start the file with `rows:` followed by one item per row",
        )
    data, data_lines, findings = settings(raw, lines, "top-level", extra=("rows",))
    data_lines[()] = 1
    for index, row in enumerate(data.get("rows") or []):
        if isinstance(row, dict):
            data["rows"][index] = _canonical_keys(row, index, data_lines)
    return Source(data=data, lines=data_lines, kind=kind, notices=findings)


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
