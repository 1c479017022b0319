"""Properties: escaping never lets text out of its cell; the order always respects the
dependencies and never leaves a colliding pair to chance."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from fleetbot.analysis.order import recommend_order
from fleetbot.model import Conflict, ConflictKind, Plan, Row
from fleetbot.render.escape import code, md
from tests.support.examples import examples

TEXT = st.text(alphabet=st.sampled_from(list("ab @<>/|`*_[]()&#!\\\n-:")), max_size=30)


def _render(markdown: str) -> str:
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)


@pytest.mark.property
@settings(max_examples=examples(150, 30), deadline=None)
@given(TEXT, TEXT)
def test_escaped_cells_stay_cells(a: str, b: str) -> None:
    html = _render(f"| x | y |\n|---|---|\n| {md(a)} | {code(b)} |\n")
    assert html.count("<td>") == 2
    assert "<tr>" in html
    outside = re.sub(r"<code>.*?</code>", "", html, flags=re.S)
    assert re.search(r"@[ab]", outside) is None
    for tag in re.findall(r"<(/?[a-z]+)", html):
        assert tag.strip("/") in {"table", "thead", "tbody", "tr", "th", "td", "code", "p"}


@st.composite
def plans(draw: st.DrawFn) -> tuple[Plan, list[Conflict]]:
    n = draw(st.integers(1, 7))
    rows = []
    for i in range(n):
        deps = draw(st.sets(st.integers(0, i - 1), max_size=2)) if i else set()
        rows.append(Row(issue=f"#{i}", branch=f"b{i}",
                        depends_on=tuple(f"#{d}" if d % 2 else f"b{d}" for d in sorted(deps))))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=6))
    kinds = [ConflictKind.TEXTUAL, ConflictKind.DIFF, ConflictKind.PLAN]
    conflicts = [Conflict(draw(st.sampled_from(kinds)), (f"#{a}", f"#{b}"), ("f.py",))
                 for a, b in pairs if a != b]
    stale = draw(st.sets(st.integers(0, n - 1), max_size=2))
    conflicts += [Conflict(ConflictKind.TARGET, (f"#{s}",)) for s in stale]
    return Plan(rows=tuple(rows)), conflicts


@pytest.mark.property
@settings(max_examples=examples(200, 30), deadline=None)
@given(plans())
def test_order_respects_dependencies_and_orders_every_collision(
    case: tuple[Plan, list[Conflict]],
) -> None:
    plan, conflicts = case
    steps = recommend_order(plan, conflicts)
    pos = {s.issue: s.position for s in steps}
    assert sorted(pos.values()) == list(range(1, len(plan.rows) + 1))
    for row in plan.rows:
        for dep in plan.dependencies(row):
            assert pos[dep.issue] < pos[row.issue]
    by = {s.issue: s for s in steps}
    for c in conflicts:
        if len(c.rows) == 2:
            later = max(c.rows, key=pos.__getitem__)
            earlier = min(c.rows, key=pos.__getitem__)
            assert any(earlier in r for r in by[later].reasons)
