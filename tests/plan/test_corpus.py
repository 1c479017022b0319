"""Real-world-shaped plans (tests/fixtures/plans/) parse as their authors meant, and every
header and every cell is either used or reported."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fleetbot.model import Plan, Status
from fleetbot.plan.cells import NONE_WORDS, normalise_issue, normalise_path, parse_issue
from fleetbot.plan.columns import field_of
from fleetbot.plan.lint import lint_plan
from fleetbot.plan.parse import detect_format, parse_plan, read_text
from fleetbot.plan.source import _tables, split_cells

PLANS = Path(__file__).parent.parent / "fixtures" / "plans"
Shape = tuple[str, str, str, tuple[str, ...], tuple[str, ...], Status]

EXPECTED: dict[str, tuple[list[Shape], list[tuple[str, int]]]] = {
    "lab.md": ([
        ("#42", "feature/42-count", "tasks-app-42-count",
         ("tasks/cli.py", "tasks/count.py", "tests/test_count.py"), (), Status.RUNNING),
        ("#43", "feature/43-docs", "tasks-app-43-docs", ("docs/**", "README.md"), (),
         Status.RUNNING),
        ("#44", "feature/44-clear", "tasks-app-44-clear",
         ("tasks/cli.py", "tasks/clear.py", "tests/test_clear.py"), ("#42",), Status.PLANNED),
    ], []),
    "front-matter.md": ([
        ("#73", "feature/73-parser", "", ("src/parser.py",), (), Status.RUNNING),
        ("#74", "feature/74-cli", "", ("src/cli.py",), ("#73",), Status.PLANNED),
    ], [("unknown-front-matter", 2)]),
    "synonyms.md": ([
        ("#1", "feature/1-api", "../app-1-api", ("src/api.py", "src/models.py"), (),
         Status.MERGED),
        ("#2", "feature/2-ui", "../app-2-ui", ("src/ui/**",), ("#1",), Status.RUNNING),
        ("#3", "feature/3-db", "../app-3-db", ("src/db.py",), (), Status.QUEUED),
    ], [("unused-column", 3), ("unused-column", 3)]),
    "cells.md": ([
        ("#42", "feature/42-count", "", ("README.md", "CHANGELOG.md"), (), Status.MERGED),
        ("#43", "feature/43-docs", "", ("docs/a.md", "docs/b.md"), ("#42",), Status.MERGED),
        ("#44", "feature/44-clear", "", ("tasks/clear.py", "tasks/util.py"), ("#42", "#43"),
         Status.RUNNING),
        ("#45", "feature/45-export", "", ("tasks/export.py", "tasks/csv.py"), ("#42", "#44"),
         Status.REVIEW),
        ("#46", "feature/46-style", "", ("setup.cfg", "pyproject.toml"), ("#44", "#45"),
         Status.BLOCKED),
        ("#47", "feature/47-old", "", ("old/**",), (), Status.DROPPED),
        ("#48", "feature/48-cache", "", ("cache/**",), ("#42",), Status.QUEUED),
    ], []),
    "tables.md": ([
        ("#11", "feature/11-auth", "", ("src/auth.py",), (), Status.RUNNING),
        ("#12", "feature/12-login", "", ("src/login.py",), ("#11",), Status.PLANNED),
    ], [("multiple-plan-tables", 29)]),
    "placeholders.md": ([
        ("#1", "feature/1-core", "", ("core.py",), (), Status.RUNNING),
        ("#2", "", "", (), (), Status.PLANNED),
        ("#3", "", "", ("src/wave.py",), ("#1",), Status.PLANNED),
        ("#4", "", "", ("gone.py",), (), Status.MERGED),
    ], [("undecided", 5), ("no-files-owned", 6), ("undecided", 6), ("undecided", 6),
        ("undecided", 6), ("undecided", 6), ("undecided", 7), ("undecided", 8),
        ("undecided", 9)]),
    "tool.yml": ([
        ("#5", "feature/5-sync", "", ("sync/**", "sync.md"), (), Status.RUNNING),
        ("#6", "feature/6-report", "", ("report.py",), ("#5",), Status.DROPPED),
    ], [("unknown-front-matter", 2)]),
}


def load(name: str) -> Plan:
    path = PLANS / name
    return parse_plan(read_text(path), name, detect_format(path))


def test_every_fixture_has_expectations() -> None:
    assert sorted(p.name for p in PLANS.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_parses_as_meant(name: str) -> None:
    plan = load(name)
    rows, findings = EXPECTED[name]
    assert [(r.issue, r.branch, r.worktree, r.patterns, r.depends_on, r.status)
            for r in plan.rows] == rows
    assert sorted((f.code.value, f.line) for f in lint_plan(plan)) == sorted(findings)


def test_front_matter_keys_under_fleetbot_are_read() -> None:
    plan = load("front-matter.md")
    assert (plan.target, plan.regenerable) == ("develop", ("uv.lock",))
    (note,) = plan.notices
    assert "front matter" in note.message and "'tracking_issue'" in note.message


_WORD = re.compile(r"https?://\S+|[\w./*#-]+")
_SKIP = {"and", "&", "+", "after", "blocked", "by", "depends", "on", "needs"}


def _words(text: str) -> set[str]:
    text = re.sub(r"\]\([^)]*\)", "]", text)  # a link's target repeats its text
    found = (w if "://" in w else normalise_path(w).strip("_-").rstrip(".") for w in
             _WORD.findall(text.replace("<br>", " ")))
    return set(found) - _SKIP - {""}


def _shown(word: str, seen: str) -> bool:
    """The word, or the issue ref it spells (`GH-43`, `#043`, an issue URL), is in `seen`."""
    if word in seen:
        return True
    try:
        return parse_issue(word)[0] in seen
    except ValueError:
        return normalise_issue(word) in seen


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if n.endswith(".md")))
def test_every_header_and_cell_is_used_or_reported(name: str) -> None:
    """Each header is a known column or named by a notice; each word of each cell shows
    up in the row read from it or in a finding on that row's line."""
    plan = load(name)
    findings = lint_plan(plan)
    text = (PLANS / name).read_text(encoding="utf-8")
    lines = text.split("\n")
    table = next(t for t in _tables(text) if t.first + 1 == plan.rows[0].line - 2
                 or any(r.line == t.first + 3 for r in plan.rows))
    for header in table.header:
        assert field_of(header) or any(
            f.code.value == "unused-column" and repr(header) in f.message for f in findings
        ), header
    read = {r.line: r for r in plan.rows}
    for lineno in range(table.first + 3, table.last + 1):
        said = " ".join(f.message for f in findings if f.line == lineno)
        row = read.get(lineno)
        seen = said
        if row is not None:
            seen += " ".join([row.issue, row.title, row.branch, row.worktree, row.status_raw,
                              *row.depends_on, *(d.label for d in plan.dependencies(row)),
                              *(f"{p.pattern} {p.note}" for p in row.files_owned)])
        for header, cell in zip(table.header, split_cells(lines[lineno - 1])):
            if not field_of(header) or cell.text.lower() in NONE_WORDS:
                continue
            missing = {w for w in _words(cell.text) if not _shown(w, seen)}
            assert not missing, (name, lineno, header, cell.text, missing)
