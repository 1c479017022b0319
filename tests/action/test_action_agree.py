"""The Action, `sync` and `comment` on one repo agree (issue 10's three disagreements):
after the Action's refresh, `sync` finds no label to change and `comment` no body to edit,
and the other way round; they share `pipeline.build_report` and `writes.plan_writes`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import responses

from tests.support.actionkit import API, TOKEN, Fleet, after_first_run, dispatch, make_fleet
from tests.support.cli import Invocation
from tests.support.fakeserver import mount
from tests.support.webhooks import payload

Cli = Callable[..., Invocation]


@pytest.fixture
def fleet(tmp_path: Path, rsps: responses.RequestsMock,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[Fleet]:
    yield from _wired(make_fleet(tmp_path), rsps, monkeypatch)


def _wired(f: Fleet, rsps: responses.RequestsMock,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[Fleet]:
    """`f` with its fake GitHub mounted and the runner's environment of a dispatch run."""
    mount(f.github, rsps)
    for key, value in f.env("workflow_dispatch", payload("workflow_dispatch")).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_API_URL", API)
    monkeypatch.chdir(f.checkout.path)
    yield f
    f.github.check()


@pytest.fixture
def ran(tmp_path: Path, rsps: responses.RequestsMock,
        monkeypatch: pytest.MonkeyPatch) -> Iterator[Fleet]:
    """`fleet` after its first `action()`: run once per test process and copied
    (actionkit's `after_first_run`), wired as `fleet` is."""
    f, _ = after_first_run(tmp_path, ["action", "--no-throttle"], "workflow_dispatch",
                           dispatch, {"GITHUB_TOKEN": TOKEN, "GITHUB_API_URL": API})
    yield from _wired(f, rsps, monkeypatch)


@pytest.fixture
def action(cli_invoke: Cli) -> Callable[[], Invocation]:
    """`fleetbot action` on the fleet, as the runner starts it; it must exit 0."""
    return lambda: cli_invoke(["action", "--no-throttle"])


def test_sync_and_the_action_agree_on_labels(ran: Fleet, cli_invoke: Cli) -> None:
    fleet = ran  # after action()
    labels = {n: sorted(v) for n, v in fleet.github.labels.items()}
    assert labels == {
        12: ["fleet:conflict", "fleet:next", "fleet:review"],
        13: ["fleet:review"],
        14: ["fleet:conflict", "fleet:review"],
        42: ["fleet:review"], 43: ["fleet:review"], 44: ["fleet:review"],
    }
    fleet.github.requests.clear()
    cli_invoke(["sync"])
    assert fleet.github.writes == []


def test_the_action_leaves_syncs_labels_alone(fleet: Fleet, action: Callable[[], Invocation],
        cli_invoke: Cli) -> None:
    cli_invoke(["sync"])
    fleet.github.requests.clear()
    action()
    assert [w.path for w in fleet.github.writes if "/labels" in w.path] == []


def test_comment_and_the_action_write_the_same_body(ran: Fleet, action: Callable[[], Invocation],
        cli_invoke: Cli) -> None:
    fleet = ran  # after action()
    body = fleet.github.comment_bodies(14)
    fleet.github.requests.clear()
    cli_invoke(["comment", "--pr", "14"])
    assert fleet.github.writes == []
    assert fleet.github.comment_bodies(14) == body
    # and the other way round: a body `comment` wrote is one the Action keeps
    fleet.github.comments[14][0]["body"] = "<!-- fleetbot -->\nstale"
    cli_invoke(["comment", "--pr", "14"])
    fleet.github.requests.clear()
    action()
    assert [w.path for w in fleet.github.writes if "comments" in w.path] == []
    assert fleet.github.comment_bodies(14) == body


def test_comment_links_the_dashboard_as_the_action_does(
        fleet: Fleet, monkeypatch: pytest.MonkeyPatch, action: Callable[[], Invocation],
        cli_invoke: Cli) -> None:
    monkeypatch.setenv("FLEETBOT_DASHBOARD", "true")
    action()
    [board] = fleet.github.dashboards()
    body = fleet.github.comment_bodies(14)
    assert f"The whole fleet: [#{board}](https://github.com/octo/tasks/issues/{board}) " \
           "(fleet dashboard)." in body[0]
    fleet.github.requests.clear()
    cli_invoke(["comment", "--pr", "14"])
    assert fleet.github.writes == []  # the same body, dashboard line included
    # and the other way round: the body `comment` writes is the one the Action keeps
    fleet.github.comments[14][0]["body"] = "<!-- fleetbot -->\nstale"
    cli_invoke(["comment", "--pr", "14"])
    assert fleet.github.comment_bodies(14) == body
    fleet.github.requests.clear()
    action()
    assert [w.path for w in fleet.github.writes if "comments" in w.path] == []
