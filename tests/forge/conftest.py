"""Forge test fixtures: a fake GitHub over `responses`, and no real sleeping."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
import responses

from fleetbot.forge.github import GithubForge
from tests.fakegithub import FakeGithub
from tests.fakeserver import mount

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
