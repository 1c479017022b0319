"""The report as CI artifacts GitLab shows on the MR: a JUnit XML report (the MR widget's
test summary) and a dotenv report (variables for later jobs). Pure.

One test case per plan row: a blocking conflict is a failure (with its evidence), a row
whose `fleetbot/order` says wait is a skipped case with the reason, a landed row passes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

from fleetbot.model import OrderStatus, Report, StatusState

SUITE = "fleetbot"


def junit_report(report: Report, statuses: Sequence[OrderStatus] = ()) -> str:
    """JUnit XML, one <testcase> per plan row, as GitLab's unit test reports read it
    (docs.gitlab.com/ee/ci/testing/unit_test_reports.html)."""
    waits = {s.issue: s.description for s in statuses if s.state is StatusState.PENDING}
    landed = {la.issue for la in report.landed}
    cases: list[str] = []
    failures = skipped = 0
    for row in report.plan.rows:
        name = quoteattr(f"{row.issue} {row.branch}")
        blocking = [c for c in report.conflicts if c.blocking and row.issue in c.rows]
        body = ""
        if blocking and row.issue not in landed:
            failures += 1
            c = blocking[0]
            text = c.detail or f"{c.kind.value} conflict"
            if c.files:
                text += f" on {', '.join(c.files[:5])}"
            evidence = "\n".join(x.evidence for x in blocking if x.evidence)
            body = (f"<failure type={quoteattr(c.kind.value)} message={quoteattr(text)}>"
                    f"{escape(evidence)}</failure>")
        elif row.issue in waits:
            skipped += 1
            body = f"<skipped message={quoteattr(waits[row.issue])}/>"
        cases.append(f'  <testcase classname="{SUITE}.order" name={name}>{body}</testcase>')
    head = (f'<testsuite name="{SUITE}" tests="{len(cases)}" failures="{failures}" '
            f'errors="0" skipped="{skipped}">')
    return "\n".join(['<?xml version="1.0" encoding="UTF-8"?>', head, *cases,
                      "</testsuite>"]) + "\n"


def dotenv(values: Mapping[str, str], prefix: str = "FLEETBOT_") -> str:
    """KEY=value lines (docs.gitlab.com/ee/ci/yaml/artifacts_reports.html#artifactsreportsdotenv):
    one line each, so a value with a newline is cut at it."""
    lines = []
    for key, value in values.items():
        name = prefix + "".join(ch if ch.isalnum() else "_" for ch in key.upper())
        lines.append(f"{name}={value.splitlines()[0] if value else ''}")
    return "\n".join(lines) + "\n"
