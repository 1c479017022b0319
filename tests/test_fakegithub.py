"""The fake GitHub answers like GitHub and stops itself."""

from __future__ import annotations

import requests
import responses

from tests.fakegithub import FakeGitHub, Pull, serve


def test_served_on_loopback_records_requests_and_refuses_writes_when_read_only(
    rsps: responses.RequestsMock,
) -> None:
    rsps.add_passthru("http://127.0.0.1")
    fake = FakeGitHub(pulls=[Pull(1, "feature/a", "a" * 40)], read_only=True)
    with serve(fake, max_requests=3) as url:
        r = requests.post(f"{url}/graphql", json={"query": "query FleetState {}"}, timeout=5)
        assert r.json()["data"]["repository"]["pullRequests"]["nodes"][0]["number"] == 1
        r = requests.post(f"{url}/repos/octo/tasks/issues/1/comments", json={"body": "x"},
                          timeout=5)
        assert r.status_code == 403
        requests.get(f"{url}/repos/octo/tasks/pulls/1", timeout=5)
        assert requests.get(f"{url}/repos/octo/tasks/pulls/1", timeout=5).status_code == 429
    assert [(q.method, q.path) for q in fake.requests][:2] == [
        ("POST", "/graphql"), ("POST", "/repos/octo/tasks/issues/1/comments")]
    assert fake.comments == {}


def test_mounted_on_responses_keeps_state(rsps: responses.RequestsMock) -> None:
    fake = FakeGitHub()
    fake.mount(rsps, "https://api.example.test")
    base = "https://api.example.test/repos/octo/tasks"
    requests.post(f"{base}/statuses/{'b' * 40}", json={"state": "pending", "context": "c"},
                  timeout=5)
    got = requests.get(f"{base}/commits/{'b' * 40}/status", timeout=5).json()
    assert got["statuses"] == [{"context": "c", "state": "pending", "description": ""}]
    assert fake.latest_status("b" * 40, "c") == {"context": "c", "state": "pending",
                                                 "description": ""}
