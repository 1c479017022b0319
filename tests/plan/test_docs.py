"""docs/plan-format.md shows exactly the synonyms and status words the code accepts, and
its first example is the lab's plan, which parses."""

from __future__ import annotations

import re
from pathlib import Path

from fleetbot.plan.cells import STATUS_EMOJI, STATUS_WORDS
from fleetbot.plan.columns import SHOWN, SYNONYMS
from fleetbot.plan.parse import parse_plan

DOC = (Path(__file__).parent.parent.parent / "docs" / "plan-format.md").read_text("utf-8")


def _table_rows(first_cell: str) -> list[list[str]]:
    """The other cells of every table row whose first cell is `first_cell`."""
    out = []
    for line in DOC.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0] == first_cell:
            out.append(cells[1:])
    return out


def test_synonyms_table_matches_the_code() -> None:
    for field, headers in SYNONYMS.items():
        assert [", ".join(headers)] in _table_rows(SHOWN[field]), field


def test_status_table_matches_the_code() -> None:
    for status, words in STATUS_WORDS.items():
        (cells,) = _table_rows(f"`{status.value}`")
        assert cells[0].replace("'", " ") == ", ".join(words)
        assert cells[1].split() == [e for e, s in STATUS_EMOJI.items() if s is status]


def test_first_example_is_the_lab_plan_and_parses() -> None:
    first = re.search(r"```markdown\n(.*?)```", DOC, re.S)
    assert first is not None
    plan = parse_plan(first.group(1))
    assert [(r.issue, r.worktree) for r in plan.rows] == [
        ("#42", "tasks-app-42-count"), ("#43", "tasks-app-43-docs"), ("#44", "tasks-app-44-clear")]
