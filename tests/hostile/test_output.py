"""Issue 12 item 4: repository text cannot hijack a terminal, a CI log or JSON.

The runner obeys any stdout or stderr line that starts with `::` (after blanks); a
terminal obeys escape sequences. Random text, control characters, non-UTF-8 bytes and
hostile plan cells go through every renderer; none may start a workflow command or carry
a raw control character out.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fleetbot.action.runner import format_outputs, log, log_text
from fleetbot.errors import PlanError
from fleetbot.model import Conflict, ConflictKind, Finding, Replay, Severity
from fleetbot.render import markdown, terminal, workflow
from fleetbot.render.escape import code, json_text, md, no_command, one_line, output_text
from fleetbot.render.escape import terminal as term
from fleetbot.render.json import report_to_json
from tests.support.cli import Invocation
from tests.support.examples import examples
from tests.support.repo import Repo, from_template, make_repo
from tests.support.reports import hostile_report

COMMAND = re.compile(r"^\s*::", re.M)
PIECES = ["::error title=INJECTED::x", "\n::add-mask::main", "::stop-commands::t",
          "\x1b]0;TITLE\x07", "\x1b[2J", "\udcff", "\r", "\t", "\u202e", "\x85", "\u2028",
          ":", "\n", " ", "@team", "|", "`"]
HOSTILE = st.lists(
    st.one_of(
        st.sampled_from(PIECES),
        st.text(max_size=8),
        st.text(st.characters(min_codepoint=0xDC80, max_codepoint=0xDCFF), max_size=2),
        st.text(st.characters(max_codepoint=0x9F), max_size=8),
    ),
    max_size=6,
).map("".join)


def raw_controls(text: str, allowed: str = "\n") -> list[str]:
    return sorted({c for c in text if not c.isprintable() and c not in allowed + "\u200d"})


def assert_safe(text: str, allowed: str = "\n") -> None:
    assert COMMAND.search(text) is None, text
    assert raw_controls(text, allowed) == [], text
    text.encode("utf-8")  # valid UTF-8: no lone surrogate


def hostile(a: str, b: str, c: str):  # type: ignore[no-untyped-def]
    base = hostile_report()
    rows = tuple(replace(r, title=a, branch=f"{r.branch}{b}",
                         files_owned=r.files_owned) for r in base.plan.rows)
    order = tuple(replace(s, branch=f"{s.branch}{b}", reasons=(a, c)) for s in base.order)
    return replace(
        base, target=f"main{c}", plan=replace(base.plan, rows=rows), order=order,
        conflicts=(Conflict(ConflictKind.TEXTUAL, ("#1", "#2"), (a, f"x{b}.py"), detail=c,
                            evidence=f"git merge-tree {b}"),
                   Conflict(ConflictKind.DRIFT, ("#2",), (c,))),
        findings=(Finding(Severity.WARNING, "joint", a, line=3, hint=b),),
        replay=Replay(clean=False, stops_at=2, stops_at_issue="#2", files=(a, c)),
        notes=(b, c),
    )


@pytest.mark.property
@settings(max_examples=examples(60, 10), deadline=None)
@given(HOSTILE, HOSTILE, HOSTILE)
def test_no_renderer_lets_hostile_text_out(a: str, b: str, c: str) -> None:
    report = hostile(a, b, c)
    for width in (40, 80, 120):
        assert_safe(terminal.render_text(report, width=width))
    assert_safe(markdown.render_report(report))
    assert_safe(markdown.render_pr_comment(report, "#2"))
    data = json_text(report_to_json(report))
    assert_safe(data)
    assert json.loads(data)["target"] == f"main{c}"  # escapes mean the same text
    for line in [*workflow.conflict_annotations(report, ["#1", "#2"]),
                 *workflow.finding_annotations(report),
                 *workflow.plan_error_annotations(PlanError(a, file=b, line=2))]:
        assert "\n" not in line and "\r" not in line
        assert re.match(r"::(warning|error|notice)( [^:]*)?::", line), line
        assert raw_controls(line) == []
    outputs = workflow.outputs("conflicts", report, {"#1": 1})
    assert_safe(format_outputs(outputs, delimiter="EOF_X"))
    assert json.loads(outputs["order"])[0]["reasons"][0] == a
    assert_safe(workflow.plan_error_summary(PlanError(a, file=b, line=2), c))
    assert_safe(workflow.failure_summary(RuntimeError(a)))
    assert_safe(log_text(f"would set fleetbot/order: {a}{b}"))
    assert_safe(output_text(a + "\n" + b), allowed="\n\t")


@pytest.mark.property
@settings(max_examples=examples(200, 40), deadline=None)
@given(HOSTILE)
def test_terminal_text_is_one_safe_line(text: str) -> None:
    out = term(text)
    assert "\n" not in out and "::" not in out
    assert raw_controls(out, "") == []
    assert no_command(out) == out


def test_a_control_character_is_shown_not_made_a_space() -> None:
    """A file named `a<CR>b.py` must not read as `a b.py` (another file), nor an override
    vanish; newlines, tabs and other spaces still collapse, as prose wants."""
    assert one_line("a\rb.py") == "a\\rb.py"
    assert md("a\rb.py") == "a\\\\rb.py"  # the backslash escaped: it shows as a\rb.py
    assert code("a\rb.py") == "`a\\rb.py`"
    assert one_line("x\u202ey\u2028z\x1b[1m") == "x\\u202ey\\u2028z\\x1b[1m"
    assert one_line(" Fix\xa0the \t bug\n") == "Fix the bug"


def test_the_injection_reproduction_as_text() -> None:
    name = "x\n::error title=INJECTED::gotcha\n::add-mask::main"
    assert term(name) == "x\\n:\\:error title=INJECTED:\\:gotcha\\n:\\:add-mask:\\:main"
    assert term("\x1b]0;TITLE\x07\x1b[2J") == "\\x1b]0;TITLE\\x07\\x1b[2J"
    assert term("bad\udcff.py") == "bad\\xff.py"
    assert no_command("  ::error::x") == "  :\\:error::x"
    assert no_command("a ::error::x") == "a ::error::x"


def test_action_logs_cannot_stop_commands() -> None:
    err = io.StringIO()
    log("fleetbot/order: x\n::stop-commands::abc\n::error::boom", err)
    assert err.getvalue() == "fleetbot/order: x\n:\\:stop-commands:\\:abc\n:\\:error:\\:boom\n"


INJECT = "x\n::error title=INJECTED::gotcha\n::add-mask::main"
TITLE = "\x1b]0;TITLE\x07\x1b[2J"


def _build_hostile_fleet(path: Path) -> None:
    repo = make_repo(path.parent, {"a.txt": "a\n", INJECT: "one\n", f"{TITLE}.py": "one\n"},
                     name=path.name)
    repo.branch("f1", {INJECT: "f1\n", f"{TITLE}.py": "f1\n"})
    repo.branch("f2", {INJECT: "f2\n", f"{TITLE}.py": "f2\n"})
    (repo.path / "orchestration-plan.md").write_text(
        "| Issue | Branch | Worktree | Files owned | Depends on | Status |\n"
        "|---|---|---|---|---|---|\n"
        "| #1 | f1 | | a.txt | | running |\n| #2 | f2 | | b.txt | | running |\n")
    repo.commit({}, "plan")


def hostile_fleet(root: Path) -> Repo:
    """Two rows whose branches both change files named to inject commands and escapes (the
    names need git's step-by-step commits: built once per process and copied)."""
    from_template("hostile-output", root / "repo", _build_hostile_fleet)
    return Repo(root / "repo")


def test_conflicts_and_check_print_no_command_and_no_escape(
        tmp_path: Path, cli_invoke: Callable[..., Invocation]) -> None:
    repo = hostile_fleet(tmp_path)
    for args in (["conflicts"], ["conflicts", "--format", "markdown"],
                 ["conflicts", "--format", "json"], ["check"], ["order"],
                 ["check", "--format", "markdown"], ["check", "--format", "json"]):
        got = cli_invoke([*args, "--repo", str(repo.path)])
        assert_safe(got.out, allowed="\n\t")
        assert_safe(got.err, allowed="\n\t")
        if "json" not in args:
            assert "gotcha" in got.out  # the name is shown, harmlessly
        if args == ["conflicts"]:
            assert "x\\n:\\:error title=INJECTED:\\:gotcha\\n:\\:add-mask:\\:main" in got.out
            assert "\\x1b]0;TITLE\\x07\\x1b[2J.py" in got.out
