"""Forge test fixtures: a fake GitHub over `responses`, and no real sleeping."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import responses

from fleetbot.forge.github import GithubForge
from tests.support.actionkit import Fleet
from tests.support.fakegithub import FakeGithub
from tests.support.fakeserver import mount
from tests.support.repo import Repo

TOKEN = "ghp_SECRETsecretSECRET1234567890"


@pytest.fixture(autouse=True)
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """time.sleep records instead of sleeping (retries and Retry-After stay fast)."""
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    return slept


@pytest.fixture
def gh(rsps: responses.RequestsMock) -> Iterator[FakeGithub]:
    fake = mount(FakeGithub(), rsps)
    yield fake
    fake.check()


@pytest.fixture
def forge() -> Callable[..., GithubForge]:
    def make(token: str = TOKEN, **kw: object) -> GithubForge:
        return GithubForge("octo/fleet", token=token, throttle=False, **kw)  # type: ignore[arg-type]

    return make


@pytest.fixture
def dispatch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
             ) -> Callable[[tuple[Repo, Repo, FakeGithub]], None]:
    """Set a runner's environment for `fleetbot action` on `workflow_dispatch`, for a fleet
    that tests/support/bigfleet.py built in tmp_path."""
    def set_env(built: tuple[Repo, Repo, FakeGithub]) -> None:
        fleet = Fleet(tmp_path, *built)
        event = {"inputs": {}, "ref": "refs/heads/main", "repository": {"default_branch": "main"}}
        for key, value in fleet.env("workflow_dispatch", event).items():
            monkeypatch.setenv(key, value)

    return set_env
