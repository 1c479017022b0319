"""The GitHub adapter's part in `fleetbot/order`: reading the status a head shows now
(on GitHub's own example response), and not counting fleetbot's status as CI."""

from __future__ import annotations

import json
import re

import responses

from fleetbot.forge.github import GithubForge, ci_from_rollup
from fleetbot.model import CIState, CommitStatus, StatusState
from tests.support.fakegithub import FakeGithub
from tests.support.fakeserver import mount
from tests.support.githubschema import example, validate_response

ENDPOINT = "GET /repos/{owner}/{repo}/commits/{ref}/status"
SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e"


def _forge() -> GithubForge:
    return GithubForge("octo/tasks", token="t0k3n", base_url="https://api.github.test",
                       throttle=False)


def test_commit_status_reads_one_context_from_githubs_example(
    rsps: responses.RequestsMock,
) -> None:
    body = example(ENDPOINT, 200)
    body["statuses"][1].update(context="fleetbot/order", state="pending",
                               description="waiting for #42 (collides on cli.py)")
    validate_response(ENDPOINT, 200, body)
    url = re.compile(rf"https://api\.github\.test(:443)?/repos/octo/tasks/commits/{SHA}/status")
    rsps.get(url, json=body)
    forge = _forge()
    assert forge.commit_statuses([SHA], "fleetbot/order") == {SHA: CommitStatus(
        SHA, "fleetbot/order", StatusState.PENDING, "waiting for #42 (collides on cli.py)",
        body["statuses"][1]["target_url"])}
    assert forge.commit_statuses([SHA], "nope") == {}


def test_the_fake_answers_in_githubs_shape(rsps: responses.RequestsMock) -> None:
    fake = mount(FakeGithub("octo/tasks", base="https://api.github.test"), rsps)
    fake.statuses[SHA] = [{"id": 1, "context": "fleetbot/order", "state": "success",
                           "description": "x"}]
    status, _, text = fake.handle("GET", f"https://api.github.test/repos/octo/tasks/commits/"
                                  f"{SHA}/status", None, True)
    validate_response(ENDPOINT, status, json.loads(text))
    statuses = json.loads(text)["statuses"]
    assert statuses[0]["context"] == "fleetbot/order"
    assert _forge().commit_statuses([SHA], "fleetbot/order") == {
        SHA: CommitStatus(SHA, "fleetbot/order", StatusState.SUCCESS, "x")}
    fake.check()


def test_fleetbots_own_status_is_not_ci() -> None:
    rollup = {"contexts": {"nodes": [
        {"__typename": "CheckRun", "name": "test", "status": "COMPLETED",
         "conclusion": "SUCCESS", "completedAt": "2026-01-01T00:00:00Z"},
        {"__typename": "StatusContext", "context": "fleetbot/order", "state": "PENDING",
         "createdAt": "2026-01-01T00:00:00Z"},
    ]}}
    assert ci_from_rollup(rollup) is CIState.SUCCESS
    only_ours = {"contexts": {"nodes": rollup["contexts"]["nodes"][1:]}}
    assert ci_from_rollup(only_ours) is CIState.NONE
