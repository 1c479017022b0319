"""The one fake GitHub: GitHub's shapes checked both ways, state kept, served two ways."""

from __future__ import annotations

import jsonschema
import pytest
import requests
import responses

from fleetbot.forge.github_queries import FLEET_STATE
from tests.support.fakegithub import FakeGithub
from tests.support.fakeserver import mount, serve

SHA = "b" * 40
STATE_VARS = {"owner": "octo", "name": "tasks", "pageSize": 50, "after": None, "first": True,
              "labelQuery": "fleet:"}


def test_served_on_loopback_records_requests_and_refuses_writes_when_read_only(
    rsps: responses.RequestsMock,
) -> None:
    rsps.add_passthru("http://127.0.0.1")
    fake = FakeGithub("octo/tasks")
    fake.add_pull(1, "feature/a")
    fake.read_only = True
    with serve(fake, max_requests=3) as url:
        r = requests.post(f"{url}/graphql", json={"query": FLEET_STATE, "variables": STATE_VARS},
                          headers={"Authorization": "token t"}, timeout=5)
        assert r.json()["data"]["repository"]["pullRequests"]["nodes"][0]["number"] == 1
        r = requests.post(f"{url}/repos/octo/tasks/issues/1/comments", json={"body": "x"},
                          timeout=5)
        assert r.status_code == 403
        assert r.json()["message"] == "Resource not accessible by integration"
        assert requests.get(f"{url}/repos/octo/tasks/pulls/1", timeout=5).json()["number"] == 1
        assert requests.get(f"{url}/repos/octo/tasks/pulls/1", timeout=5).status_code == 429
    assert [(q.method, q.path, q.authorized) for q in fake.requests][:2] == [
        ("POST", "/graphql", True), ("POST", "/repos/octo/tasks/issues/1/comments", False)]
    assert fake.comments == {}
    assert fake.base == "https://api.github.com"  # restored when the server stops


def test_served_fake_answers_500_on_a_bad_shape_and_fails_when_it_stops(
    rsps: responses.RequestsMock,
) -> None:
    rsps.add_passthru("http://127.0.0.1")
    fake = FakeGithub("octo/tasks")
    codes: list[int] = []

    def post_a_bad_status() -> None:
        with serve(fake) as url:
            codes.append(requests.post(f"{url}/repos/octo/tasks/statuses/{SHA}",
                                       json={"state": "green"}, timeout=5).status_code)

    with pytest.raises(AssertionError, match="state"):
        post_a_bad_status()
    assert codes == [500]
    assert fake.statuses == {}


def test_mounted_on_responses_keeps_commit_statuses_in_githubs_shape(
    rsps: responses.RequestsMock,
) -> None:
    fake = mount(FakeGithub("octo/tasks", base="https://api.example.test"), rsps)
    base = "https://api.example.test/repos/octo/tasks"
    r = requests.post(f"{base}/statuses/{SHA}", json={"state": "pending", "context": "c"},
                      timeout=5)
    assert r.status_code == 201
    requests.post(f"{base}/statuses/{SHA}", json={"state": "success", "context": "d",
                                                  "description": "ok"}, timeout=5)
    got = requests.get(f"{base}/commits/{SHA}/status", timeout=5).json()
    assert got["sha"] == SHA
    assert got["state"] == "pending"
    assert [(s["context"], s["state"], s["description"]) for s in got["statuses"]] == [
        ("c", "pending", None), ("d", "success", "ok")]
    latest = fake.latest_status(SHA, "c")
    assert latest is not None
    assert (latest["state"], latest["description"]) == ("pending", None)
    fake.check()


def test_mounted_fake_raises_on_a_request_body_githubs_schema_refuses(
    rsps: responses.RequestsMock,
) -> None:
    fake = mount(FakeGithub("octo/tasks"), rsps)
    url = "https://api.github.com/repos/octo/tasks/labels"
    with pytest.raises(jsonschema.ValidationError):
        requests.post(url, json={"name": "x", "color": 7}, timeout=5)
    with pytest.raises(AssertionError, match="unexpected request"):
        requests.get("https://api.github.com/repos/octo/tasks/commits/abc/statuses", timeout=5)
    assert len(fake.violations) == 2
    with pytest.raises(AssertionError):
        fake.check()
