from __future__ import annotations

import re
from dataclasses import replace

import pytest
from markdown_it import MarkdownIt

from fleetbot.model import Conflict, ConflictKind, Replay
from fleetbot.render.escape import ZWJ, code, md, mermaid
from fleetbot.render.json import report_to_json
from fleetbot.render.markdown import MARKER, render_pr_comment, render_report
from fleetbot.render.terminal import render_text
from tests.support.reports import example_report, hostile_report, validate_report_json


def html(markdown: str) -> str:
    """What a CommonMark + tables renderer with raw HTML enabled makes of it."""
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)


# ------------------------------------------------------------------ escape


def test_mentions_are_defused() -> None:
    out = md("ping @octocat and @org/team, mail a@b")
    assert "@octocat" not in out
    assert f"@{ZWJ}octocat" in out
    assert f"@{ZWJ}org/team" in out


def test_html_becomes_entities() -> None:
    assert md("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert "<" not in html(md("<img src=x onerror=alert(1)>"))[3:-5]


def test_pipes_newlines_and_backticks_cannot_break_a_table() -> None:
    cell = md("a | b\n| c | `d`")
    table = f"| h |\n|---|\n| {cell} |\n"
    rendered = html(table)
    assert rendered.count("<td>") == 1
    assert "<code>" not in rendered


def test_code_span_survives_backticks_and_pipes_in_a_table() -> None:
    cell = code("x`y``z|w")
    rendered = html(f"| h |\n|---|\n| {cell} |\n")
    assert rendered.count("<td>") == 1
    assert "<code>x`y``z|w</code>" in rendered


def test_code_span_of_empty_text_is_empty() -> None:
    assert code("") == ""


def test_lone_underscores_escaped_but_not_inside_words() -> None:
    assert md("tests/test_count.py") == "tests/test_count.py"
    assert md("_emph_") == "\\_emph\\_"


def test_mermaid_labels_cannot_close_the_quote_or_the_fence() -> None:
    out = mermaid('a"b```c]|d')
    assert '"' not in out
    assert "`" not in out
    assert "]" not in out


# ------------------------------------------------------------------ markdown


def test_report_first_line_is_the_verdict() -> None:
    text = render_report(example_report())
    first = text.splitlines()[0]
    assert "stops at #44" in first
    assert "tasks/cli.py" in first


def test_report_has_order_table_graph_and_details() -> None:
    text = render_report(example_report())
    rendered = html(text)
    assert rendered.count("<tr>") == 4  # header + 3 rows
    assert "```mermaid\nflowchart LR" in text
    assert '-.-|"textual: tasks/cli.py"|' in text  # collisions dashed
    assert "<details><summary>Conflicts (2)</summary>" in text


def test_mermaid_dependencies_are_solid_edges() -> None:
    report = hostile_report()
    assert "  r0 --> r1" in render_report(report)


def test_clean_replay_says_so() -> None:
    from tests.support import factories as f

    branches = tuple(f.branch_facts(i, b) for i, b in (
        ("#42", "feature/42-count"), ("#43", "feature/43-docs"), ("#44", "feature/44-clear")))
    report = example_report(replay=Replay(clean=True), conflicts=(), branches=branches)
    text = render_report(report)
    assert text.startswith("### ✅")
    assert "Replay: the whole fan-in merges cleanly onto `main`." in text
    assert "Replay: the whole fan-in merges cleanly onto main." in render_text(report)
    # no row has a branch: nothing was replayed, which is no news that it merges
    bare = replace(report, branches=())
    assert "Replay: no row has a branch yet, so nothing was replayed onto `main`." in (
        render_report(bare))
    assert "merges cleanly" not in render_text(bare)


@pytest.mark.parametrize("render", [render_report, lambda r: render_pr_comment(r, "#2")])
def test_hostile_text_is_inert(render) -> None:  # type: ignore[no-untyped-def]
    text = render(hostile_report())
    rendered = html(text)
    assert "<script" not in rendered
    assert "<img" not in rendered
    assert rendered.count("<details>") == rendered.count("</details>")
    # no live mention anywhere outside code spans and the mermaid block
    outside = re.sub(r"<code[^>]*>.*?</code>", "", rendered, flags=re.S)
    assert "@octocat" not in outside
    assert "@org/team" not in outside
    # every table row keeps its 7 cells
    for row in re.findall(r"<tr>(.*?)</tr>", rendered, flags=re.S):
        assert len(re.findall(r"<t[dh]", row)) == 7


def test_details_injection_cannot_close_the_fold() -> None:
    report = example_report(notes=("</details>\n\n# pwned",))
    rendered = html(render_report(report))
    assert "<h1>" not in rendered
    assert rendered.count("<details>") == rendered.count("</details>")


def test_pr_comment_starts_with_marker_and_own_collisions() -> None:
    text = render_pr_comment(example_report(), "#44")
    lines = text.splitlines()
    assert lines[0] == MARKER
    assert "#44 clear" in lines[1]
    assert "3 of 3" in lines[1]
    first_bullet = next(line for line in lines if line.startswith("- "))
    assert "#42" in first_bullet
    assert "**3. #44 (this PR)**" in text
    # the scannable part is short; the rest is folded
    assert text.index("<details>") < 15 * 80
    assert len(text[: text.index("<details>")].splitlines()) <= 12


def test_pr_comment_for_a_free_row() -> None:
    text = render_pr_comment(example_report(), "#43")
    assert "no collisions predicted" in text
    assert text.splitlines()[1].startswith("### ✅")


def test_current_branch_row_is_highlighted() -> None:
    report = example_report(current_issue="#44")
    text = render_report(report)
    assert "your branch collides with #42 on tasks/cli.py: merge after it" in text
    assert "**#44 clear** (you)" in text


# ------------------------------------------------------------------ terminal


def test_terminal_plain_when_not_a_tty() -> None:
    out = render_text(example_report())
    assert "\x1b[" not in out
    assert "feature/44-clear" in out
    assert "needs 1 resolution: step 3 (#44) on tasks/cli.py." in out


def test_terminal_colour_when_asked() -> None:
    assert "\x1b[" in render_text(example_report(), color=True)


def test_terminal_does_not_interpret_markup_in_branch_names() -> None:
    report = example_report()
    plan = replace(report.plan, rows=tuple(
        replace(r, title="[bold red]x[/]") for r in report.plan.rows))
    assert "[bold red]x[/]" in render_text(replace(report, plan=plan), width=200)


# ------------------------------------------------------------------ json


@pytest.mark.parametrize("report", [
    example_report(), hostile_report(), example_report(replay=None),
    example_report(current_issue="#43"),
    example_report(conflicts=(Conflict(ConflictKind.TARGET, ("#43",)),)),
])
def test_json_validates_against_schema(report) -> None:  # type: ignore[no-untyped-def]
    data = report_to_json(report)
    validate_report_json(data)


def test_json_has_order_and_replay_shape() -> None:
    data = report_to_json(example_report())
    assert data["target"] == "main"
    assert [s["issue"] for s in data["order"]] == ["#42", "#43", "#44"]
    assert set(data["order"][0]) >= {"position", "issue", "branch", "reasons", "blocked_by"}
    assert data["replay"] == {"clean": False, "stops_at": 3, "stops_at_issue": "#44",
                              "files": ["tasks/cli.py"], "detail": "",
                              "stops": [{"position": 3, "issue": "#44",
                                         "files": ["tasks/cli.py"], "detail": ""}]}


def test_schema_rejects_a_bad_report() -> None:
    from jsonschema import ValidationError

    data = report_to_json(example_report())
    data["order"][0]["position"] = 0
    with pytest.raises(ValidationError):
        validate_report_json(data)


def test_a_step_without_a_branch_says_it_is_not_decided() -> None:
    from tests.support import factories as f

    report = example_report(order=(replace(f.step(1, "#42"), branch=""),), replay=None)
    assert "| 1 | #42 count | _not decided_ |" in render_report(report)
    assert "(not decided)" in render_text(report, width=100)
