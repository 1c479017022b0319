"""`conflicts._owners_of` (rows of plain paths found by the path and its folders, rows with
globs matched one by one) finds exactly the rows a scan with `_owns` finds, in plan order."""

from __future__ import annotations

from fleetbot.analysis.conflicts import _owners_of, _owns
from fleetbot.plan.parse import parse_plan

PLAN = """\
| Issue | Branch | Worktree | Files owned | Depends on | Status |
|---|---|---|---|---|---|
| #1 | f/one | | `src/app.py`, `docs/` | none | running |
| #2 | f/two | | `src/` | none | running |
| #3 | f/three | | `src/*.py` | none | running |
| #4 | f/four | | `src/app.py/x`, `src/ap` | none | running |
| #5 | f/five | | `tests/**/test_*.py`, `README.md` | none | running |
| #6 | f/six | | `/docs/guide.md` | none | running |
"""

PATHS = ["src/app.py", "src/app.pyc", "src/ap", "src/apx/y.py", "src/app.py/x/deep",
         "docs/guide.md", "docs", "README.md", "tests/a/test_b.py", "other.txt", "src"]


def test_owners_by_index_equal_a_scan_of_every_row() -> None:
    plan = parse_plan(PLAN)
    owners = _owners_of(plan)
    for path in PATHS:
        assert [r.issue for r in owners(path)] == [
            r.issue for r in plan.rows if _owns(r, path)], path
    assert [r.issue for r in owners("src/app.py")] == ["#1", "#2", "#3"]
    assert [r.issue for r in owners("src/app.py/x/deep")] == ["#1", "#2", "#4"]
