"""End to end: the installed `fleetbot action` as a subprocess, as a runner starts it,
against a fake GitHub served on 127.0.0.1, over a real checkout of the example fleet."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.actionkit import TOKEN, make_fleet, pr_event
from tests.support.fakeserver import serve
from tests.support.repo import GIT_ENV


def _fleetbot() -> list[str]:
    exe = Path(sys.executable).with_name("fleetbot")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "fleetbot"]


def test_a_pull_request_run_end_to_end(tmp_path: Path) -> None:
    fleet = make_fleet(tmp_path)
    with serve(fleet.github, max_requests=200, lifetime=60) as url:
        env = {
            "PATH": os.environ["PATH"], "HOME": str(tmp_path), **GIT_ENV,
            **fleet.env("pull_request", pr_event(fleet, "synchronize", 14), api=url),
        }
        proc = subprocess.run(
            [*_fleetbot(), "action", "--no-throttle"], cwd=fleet.checkout.path, env=env, capture_output=True,
            text=True, timeout=120, check=False,
        )
    assert proc.returncode == 0, proc.stderr
    gh = fleet.github

    # what it asked GitHub: one GraphQL read for the fleet, then only writes that change
    # something; every request authenticated, and no token in any output
    paths = [(r.method, r.path) for r in gh.requests]
    assert paths[0] == ("POST", "/graphql")
    assert all(r.authorized for r in gh.requests)
    assert ("POST", "/repos/octo/tasks/issues/14/comments") in paths
    assert sorted(p for m, p in paths if p.startswith("/repos/octo/tasks/statuses/")) == sorted(
        f"/repos/octo/tasks/statuses/{fleet.head(n)}" for n in (12, 13, 14))
    reads = [(m, p) for m, p in paths if m == "GET" or p == "/graphql"]
    # the fleet (one GraphQL page), the plan's issues, one page of the issue list whose
    # dependency summaries say no plan issue is blocked yet (so no blocked-by read), and
    # no re-read before a comment is created: the fleet's read saw every comment
    assert reads == [("POST", "/graphql"), ("POST", "/graphql"),
                     ("GET", "/repos/octo/tasks/issues")]
    assert TOKEN not in proc.stderr
    assert proc.stdout.count(TOKEN) == 1  # only inside ::add-mask::

    # the sticky comment and the order status
    comment = gh.comment_bodies(14)[0]
    assert comment.startswith("<!-- fleetbot -->")
    statuses = {n: gh.latest_status(fleet.head(n), "fleetbot/order") for n in (12, 13, 14)}
    assert {n: (s["state"], s["description"]) for n, s in statuses.items() if s} == {
        12: ("success", "in order: dependencies merged, no earlier collision open"),
        13: ("success", "in order: dependencies merged, no earlier collision open"),
        14: ("pending", "waiting for #42 (collides on tasks/cli.py)"),
    }

    # the runner's files: the summary with the Mermaid graph, outputs in delimiter syntax
    summary = fleet.summary()
    assert "```mermaid" in summary
    assert "synchronize" in summary
    raw = (tmp_path / "output.txt").read_text()
    assert "verdict<<ghadelimiter_" in raw
    outputs = fleet.outputs()
    assert outputs["conflicts"] == "1"  # #44 onto #42, on tasks/cli.py
    order = json.loads(outputs["order"])
    assert {step["issue"] for step in order} == {"#42", "#43", "#44"}
    assert outputs["next"] == "#12"

    # annotations for the PR's predicted conflict, on the file
    assert "::warning file=tasks/cli.py" in proc.stdout
