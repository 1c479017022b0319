"""The demo fleet's fake GitHub, wired for an in-process run of a command."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import responses

from tests.support.actionkit import API, TOKEN, Fleet
from tests.support.fakeserver import mount
from tests.support.webhooks import payload

OnFleet = Callable[..., Fleet]


@pytest.fixture
def on_fleet(rsps: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch) -> OnFleet:
    """`on_fleet(fleet, event, data)`: the fleet's fake GitHub answers, the runner's
    variables (and a token) are set for `event`, and its checkout is the current folder;
    then `run(["action", ...])`, `run(["sync"])` ... run as they would there."""
    def wire(fleet: Fleet, event: str = "workflow_dispatch",
             data: dict[str, Any] | None = None) -> Fleet:
        mount(fleet.github, rsps)
        for key, value in fleet.env(event, data or payload("workflow_dispatch")).items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        monkeypatch.setenv("GITHUB_API_URL", API)
        monkeypatch.chdir(fleet.checkout.path)
        return fleet
    return wire
