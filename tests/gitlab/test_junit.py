"""The JUnit and dotenv reports GitLab shows on the MR (render/junit.py), exactly."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from fleetbot.model import Conflict, ConflictKind, OrderStatus, Plan, Report, Row, StatusState
from fleetbot.render.junit import dotenv, junit_report


def report() -> Report:
    plan = Plan(rows=(Row("#42", "feature/42-count"), Row("#43", "feature/43-docs"),
                      Row("#44", "feature/44-<clear>")))
    clash = Conflict(ConflictKind.TEXTUAL, ("#42", "#44"), ("tasks/cli.py",),
                     detail="both edit the dispatch", evidence="git merge-tree a b")
    return Report(target="main", plan=plan, conflicts=(clash,))


def test_one_case_per_row_failures_with_evidence_waits_skipped() -> None:
    waits = [OrderStatus("#43", 13, "c" * 40, StatusState.PENDING, "waiting for #42 (x)")]
    assert junit_report(report(), waits) == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<testsuite name="fleetbot" tests="3" failures="2" errors="0" skipped="1">\n'
        '  <testcase classname="fleetbot.order" name="#42 feature/42-count"><failure '
        'type="textual" message="both edit the dispatch on tasks/cli.py">git merge-tree a b'
        '</failure></testcase>\n'
        '  <testcase classname="fleetbot.order" name="#43 feature/43-docs"><skipped '
        'message="waiting for #42 (x)"/></testcase>\n'
        '  <testcase classname="fleetbot.order" name="#44 feature/44-&lt;clear&gt;"><failure '
        'type="textual" message="both edit the dispatch on tasks/cli.py">git merge-tree a b'
        '</failure></testcase>\n'
        '</testsuite>\n')
    ET.fromstring(junit_report(report(), waits).split("\n", 1)[1])  # well-formed


def test_dotenv_one_line_per_variable() -> None:
    assert dotenv({"verdict": "clean", "next": "#12", "odd-key": "a\nb"}) == (
        "FLEETBOT_VERDICT=clean\nFLEETBOT_NEXT=#12\nFLEETBOT_ODD_KEY=a\n")
