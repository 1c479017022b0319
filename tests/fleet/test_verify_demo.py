"""`fleetbot demo --semantic`: two rows merge cleanly, one renames a function the other's
new code calls; `conflicts` warns (interface), `verify` confirms it naming both rows."""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Callable
from pathlib import Path

from tests.fleet.test_verify import validate_verify_json
from tests.support.cli import Invocation
from tests.support.reports import validate_report_json

Invoke = Callable[..., Invocation]


def test_semantic_demo_warns_then_verify_confirms(cli_invoke: Invoke) -> None:
    data = json.loads(cli_invoke(["demo", "--semantic", "--format", "json"]).out)
    report, verify = data["report"], data["verify"]
    validate_report_json(report)
    validate_verify_json(verify)
    kinds = {(c["kind"], tuple(c["rows"])) for c in report["conflicts"]}
    assert kinds == {("interface", ("#51", "#52"))}
    assert report["replay"]["clean"] is True
    assert (verify["verdict"], verify["rows"]) == ("semantic", ["#51", "#52"])
    assert "cannot import name 'load'" in verify["output_tail"]
    assert [c["rows"] for c in verify["conflicts"]] == [["#51", "#52"]]


def test_semantic_demo_keep_leaves_a_fleet_verify_answers_from_the_cache(
    tmp_path: Path, cli_invoke: Invoke,
) -> None:
    keep = tmp_path / "tasks"
    out = cli_invoke(["demo", "--semantic", "--keep", str(keep)]).out
    assert "verify: semantic conflict: #52 passes alone on main but fails once #51 lands" in out
    assert "interface" in out
    command = f"{shlex.quote(sys.executable)} -m unittest discover -s tests -t ."
    again = json.loads(cli_invoke(
        ["verify", "--repo", str(keep), "--format", "json", "--test", command]).out)
    assert (again["verdict"], again["rows"], again["runs"]) == ("semantic", ["#51", "#52"], 0)
    assert len(again["probes"]) == 6
