"""Views of a `verify` result: text, Markdown (escaped: the tail is anyone's output) and
JSON (documented by `schemas/verify.schema.json`, also the file CI hands between jobs)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fleetbot.analysis.verify import semantic_conflicts
from fleetbot.model import VerifyResult, VerifyVerdict
from fleetbot.render.common import plural
from fleetbot.render.escape import code, md
from fleetbot.render.json import conflict_to_json

VERIFY_SCHEMA_VERSION = 1


def headline(r: VerifyResult) -> str:
    """One sentence: what verify found."""
    rows = " + ".join(r.partners)
    lands = "lands" if len(r.partners) == 1 else "land"
    return {
        VerifyVerdict.PASSED: f"the fan-in of {plural(len(r.tested), 'row')} passes the tests",
        VerifyVerdict.NOTHING: "no row lands on the target: only the target was tested",
        VerifyVerdict.TARGET_FAILS: f"{r.target} alone fails the tests: fix the target "
        "first (nothing is blamed on rows)",
        VerifyVerdict.FLAKY: "a failure did not reproduce on a second run: flaky tests, "
        "not a conflict",
        VerifyVerdict.TIMEOUT: "a test run timed out",
        VerifyVerdict.ROW_FAILS: f"{r.culprit} fails the tests on {r.target} alone",
        VerifyVerdict.SEMANTIC: f"semantic conflict: {r.culprit} passes alone on {r.target} "
        f"but fails once {rows} {lands}",
    }[r.verdict]


def _runs(r: VerifyResult) -> str:
    cached = sum(1 for p in r.probes if p.cached)
    return (f"{plural(r.runs, 'test run')}, {plural(cached, 'answer')} from the cache, "
            f"{plural(len(r.trees), 'tree')} tested")


def _items(r: VerifyResult, esc: Callable[[str], str], cmd: Callable[[str], str],
           ) -> list[str]:
    """The facts under the headline, escaped by `esc` (`cmd` for the command)."""
    items = [f"command: {cmd(r.command)}"]
    if r.tested:
        items.append(f"replayed onto {esc(r.target)}: {esc(', '.join(r.tested))}")
    for issue, files in r.set_aside:
        items.append(f"not testable until resolved: {esc(issue)} "
                     f"(does not merge: {esc(', '.join(files) or 'conflicts')})")
    items.append(esc(_runs(r)))
    return items + [esc(f"note: {n}") for n in r.notes]


def render_text(r: VerifyResult) -> str:
    """Plain lines for a terminal or a log."""
    lines = [f"verify: {headline(r)}", *(f"  {i}" for i in _items(r, str, str))]
    if r.output_tail:
        lines.append("  output (last lines):")
        lines += [f"    | {line}" for line in r.output_tail.splitlines()]
    return "\n".join(lines)


def render_markdown(r: VerifyResult) -> str:
    """A section for a PR comment or a job summary; every piece of text escaped."""
    lines = [f"### fleetbot verify: {md(r.verdict.value)}", "", md(headline(r)), "",
             *(f"- {i}" for i in _items(r, md, lambda c: code(c, table=False)))]
    if r.output_tail:
        fence = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", r.output_tail)),
                                     default=0))
        lines += ["", "<details><summary>Output (last lines)</summary>", "",
                  f"{fence}text", r.output_tail.replace("\r", ""), fence, "", "</details>"]
    return "\n".join(lines) + "\n"


def verify_to_json(r: VerifyResult) -> dict[str, Any]:
    """The result as JSON-ready data; `action/verify_result.py` reads it back."""
    return {
        "version": VERIFY_SCHEMA_VERSION,
        "kind": "fleetbot-verify",
        "verdict": r.verdict.value,
        "summary": headline(r),
        "target": r.target,
        "target_sha": r.target_sha,
        "command": r.command,
        "rows": list(r.rows),
        "culprit": r.culprit,
        "partners": list(r.partners),
        "output_tail": r.output_tail,
        "flaky": r.flaky,
        "runs": r.runs,
        "cached": sum(1 for p in r.probes if p.cached),
        "trees": list(r.trees),
        "probes": [
            {"phase": p.phase.value, "steps": list(p.steps), "outcome": p.outcome.value,
             "tree": p.tree, "cached": p.cached}
            for p in r.probes
        ],
        "heads": [{"issue": i, "head": h} for i, h in r.heads],
        "tested": list(r.tested),
        "set_aside": [{"issue": i, "files": list(f)} for i, f in r.set_aside],
        "notes": list(r.notes),
        "conflicts": [conflict_to_json(c) for c in semantic_conflicts(r)],
    }
