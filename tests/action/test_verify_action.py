"""`fleetbot action --verify-result FILE`: the verify job's file is untrusted input.

A current result goes into the comments, the summary and `fleetbot/order`, its text
escaped; a stale one (other heads) is ignored; an invalid one stops the run before any
write. Plus the example workflow that splits the two jobs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from fleetbot.action.verify_result import result_from_json
from fleetbot.model import Phase, Probe, RunOutcome, VerifyResult, VerifyVerdict
from fleetbot.render.verify import verify_to_json
from tests.action import test_action_command
from tests.support.actionkit import PULLS, Fleet, pr_event
from tests.support.cli import Invocation

Invoke = Callable[..., Invocation]

ROOT = Path(__file__).resolve().parents[2]
EVIL = "</details><img src=x onerror=alert(1)> @octo/admins"

fleet = test_action_command.fleet  # the staged demo fleet, GitHub faked: one fixture


def result_for(fleet: Fleet, **change: Any) -> dict[str, Any]:
    heads = tuple((issue, fleet.origin.head(PULLS[n])) for n, issue in
                  ((12, "#42"), (13, "#43"), (14, "#44")))
    result = VerifyResult(
        verdict=VerifyVerdict.SEMANTIC, target="main", target_sha=fleet.origin.head("main"),
        command=f"pytest {EVIL}", rows=("#43", "#44"),
        output_tail=f"E   ImportError {EVIL}\n```\n<script>x</script>",
        probes=(Probe(Phase.TARGET, (), RunOutcome.PASS, tree="a" * 40),),
        heads=heads, tested=("#42", "#43", "#44"),
    )
    data = verify_to_json(result)
    data.update(change)
    return data


def act(fleet: Fleet, monkeypatch: pytest.MonkeyPatch, cli_invoke: Invoke,
        data: dict[str, Any], code: int = 0) -> Invocation:
    """`fleetbot action --verify-result FILE` on a PR event with `data` in FILE; it must
    exit `code`."""
    path = fleet.root / "verify-result.json"
    path.write_text(json.dumps(data))
    for key, value in fleet.env("pull_request", pr_event(fleet, "synchronize", 14)).items():
        monkeypatch.setenv(key, value)
    return cli_invoke(["action", "--no-throttle", "--verify-result", str(path)], code=code)


def live(text: str) -> str:
    """The Markdown with its fenced code blocks and code spans cut out: inside them no
    HTML, mention or link is live."""
    text = re.sub(r"^(`{3,})text\n.*?^\1$", "", text, flags=re.S | re.M)
    return re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", text)


def test_current_result_reaches_comments_summary_and_order_escaped(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch, cli_invoke: Invoke,
) -> None:
    out = act(fleet, monkeypatch, cli_invoke, result_for(fleet))
    assert "verify result taken: semantic" in out.out
    comment = fleet.github.comment_bodies(14)[0]
    assert "semantic" in comment
    summary = fleet.summary()
    assert "fleetbot verify: semantic" in summary
    assert "ImportError" in summary
    for text in (live(comment), live(summary)):
        assert "<img" not in text and "<script" not in text and "@octo/admins" not in text
    status = fleet.github.latest_status(fleet.head(14), "fleetbot/order")
    assert status is not None and status["state"] == "pending"
    assert status["description"].startswith("waiting for #43 (tests fail together: verify)")


def test_stale_result_is_ignored(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch, cli_invoke: Invoke,
) -> None:
    data = result_for(fleet)
    data["heads"][2]["head"] = "f" * 40  # #44 was tested at another head
    out = act(fleet, monkeypatch, cli_invoke, data)
    assert "verify result ignored: the heads changed since it ran (#44)" in out.out
    assert "semantic" not in fleet.github.comment_bodies(14)[0]
    assert "fleetbot verify" not in fleet.summary()
    status = fleet.github.latest_status(fleet.head(14), "fleetbot/order")
    assert status is not None and "tests fail together" not in status["description"]


def test_result_for_another_target_or_unknown_rows_is_ignored(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch, cli_invoke: Invoke,
) -> None:
    out = act(fleet, monkeypatch, cli_invoke, result_for(fleet, target_sha="0" * 40)).out
    assert "verify result ignored: it tested main at 0000000" in out
    out = act(fleet, monkeypatch, cli_invoke, result_for(fleet, rows=["#43", "#99"])).out
    assert "it names rows the plan does not have (#99)" in out
    assert all("tests fail together" not in s["description"]
               for ss in fleet.github.statuses.values() for s in ss)


@pytest.mark.parametrize("tamper", [
    {"verdict": "pwned"},
    {"output_tail": "x" * 9000},
    {"heads": [{"issue": "#44", "head": "not-a-sha"}]},
    {"kind": "something-else"},
])
def test_invalid_result_stops_before_any_write(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch, cli_invoke: Invoke,
    tamper: dict[str, Any],
) -> None:
    out = act(fleet, monkeypatch, cli_invoke, result_for(fleet, **tamper), code=2)
    assert "not a fleetbot verify result" in out.err
    assert "Traceback" not in out.err
    assert fleet.github.requests == []  # read before the forge is asked anything


def test_unreadable_result_file(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch, cli_invoke: Invoke,
) -> None:
    for key, value in fleet.env("pull_request", pr_event(fleet, "synchronize", 14)).items():
        monkeypatch.setenv(key, value)
    err = cli_invoke(["action", "--no-throttle", "--verify-result",
                      str(fleet.root / "nope.json")], code=2).err
    assert "cannot read it" in err
    assert fleet.github.requests == []


def test_json_round_trip() -> None:
    result = VerifyResult(
        verdict=VerifyVerdict.SEMANTIC, target="main", target_sha="a" * 40, command="t",
        rows=("#1", "#2"), probes=(Probe(Phase.TIP, ("#1", "#2"), RunOutcome.FAIL,
                                         tree="b" * 40, cached=True),),
        heads=(("#1", "c" * 40),), tested=("#1", "#2"), set_aside=(("#3", ("x.py",)),),
        notes=("n",),
    )
    assert result_from_json(verify_to_json(result)) == result


# ---------------------------------------------------------------- the example workflow


def test_example_workflow_splits_verify_from_the_writing_job() -> None:
    wf = yaml.safe_load((ROOT / "examples" / "workflows" / "fleetbot-with-verify.yml").read_text())
    on = wf[True]
    assert "pull_request_target" not in on
    verify, write = wf["jobs"]["verify"], wf["jobs"]["fleetbot"]
    assert verify["permissions"] == {"contents": "read"}
    assert wf["permissions"] == {}
    assert write["needs"] == "verify"
    steps = verify["steps"]
    run_step = next(s for s in steps if "fleetbot verify" in s.get("run", ""))
    assert "--format json" in run_step["run"]
    assert any(s.get("uses", "").startswith("actions/upload-artifact@") for s in steps)
    wsteps = write["steps"]
    assert any(s.get("uses", "").startswith("actions/download-artifact@") for s in wsteps)
    action = next(s for s in wsteps if s.get("uses", "").startswith("fleetbot/fleetbot@"))
    assert "verify-result" in action["with"]
    assert "--verify-result" not in json.dumps(verify)  # the reading side only writes
