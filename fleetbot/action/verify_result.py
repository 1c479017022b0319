"""`fleetbot action --verify-result FILE`: the verify job's answer, taken with care.

The file was made by a job that ran the branches' code, so it is untrusted input: it must
validate against `schemas/verify.schema.json` (a bad file stops the run before any write),
its rows must be rows of the plan, and it is ignored unless the heads it tested are the
heads the fleet has now and the target is where it was (a stale answer is no answer).
Its text is only ever shown escaped (the renderers escape; nothing here is rendered raw).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fleetbot.analysis.verify import with_verify
from fleetbot.errors import UsageError
from fleetbot.frozen import frozen
from fleetbot.model import Phase, Probe, Report, RunOutcome, VerifyResult, VerifyVerdict


def load_verify_result(path: Path) -> VerifyResult:
    """Read and validate the file; UsageError (exit 2) saying what is wrong with it."""
    import jsonschema

    from fleetbot.plan.schemas import load_schema

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"--verify-result {path}: cannot read it ({exc.strerror})") from None
    except ValueError as exc:
        raise UsageError(f"--verify-result {path}: not JSON ({exc})") from None
    validator = jsonschema.Draft202012Validator(load_schema("verify"))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path) or "(top)"
        raise UsageError(
            f"--verify-result {path}: not a fleetbot verify result at {where}: "
            f"{errors[0].message[:200]}"
        )
    return result_from_json(data)


def result_from_json(data: dict[str, Any]) -> VerifyResult:
    """The validated JSON back into the model (the inverse of `verify_to_json`)."""
    return VerifyResult(
        verdict=VerifyVerdict(data["verdict"]), target=data["target"],
        target_sha=data["target_sha"], command=data["command"], rows=tuple(data["rows"]),
        output_tail=data["output_tail"], flaky=data["flaky"],
        probes=tuple(
            Probe(Phase(p["phase"]), tuple(p["steps"]), RunOutcome(p["outcome"]),
                  tree=p["tree"], cached=p["cached"])
            for p in data.get("probes", [])
        ),
        heads=tuple((h["issue"], h["head"]) for h in data["heads"]),
        tested=tuple(data["tested"]),
        set_aside=tuple((s["issue"], tuple(s["files"])) for s in data["set_aside"]),
        notes=tuple(data["notes"]),
    )


@frozen
class Taken:
    """What the writing job does with the result: the report to write from, and why."""

    report: Report
    result: VerifyResult | None  # None: ignored
    note: str


def take(report: Report, result: VerifyResult, target_sha: str) -> Taken:
    """Fold the result into the report when it is about the fleet as it is now."""
    issues = {r.issue for r in report.plan.rows}
    unknown = [i for i in (*result.rows, *dict(result.heads)) if i not in issues]
    now = {b.issue: b.head for b in report.branches}
    tested = dict(result.heads)
    if unknown:
        why = f"it names rows the plan does not have ({', '.join(sorted(set(unknown))[:3])})"
    elif result.target_sha != target_sha:
        why = f"it tested {report.target} at {result.target_sha[:7]}, now {target_sha[:7]}"
    elif tested != {i: h for i, h in now.items() if i in tested} or set(now) - set(tested):
        changed = sorted(i for i in now if tested.get(i) != now[i])
        why = f"the heads changed since it ran ({', '.join(changed[:3])})"
    else:
        return Taken(with_verify(report, result), result,
                     f"verify result taken: {result.verdict.value}")
    return Taken(report, None, f"verify result ignored: {why}; re-run the verify job")
