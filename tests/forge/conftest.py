"""Forge test fixtures: a fake GitHub over `responses`, and no real sleeping."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import responses

from fleetbot.forge.github import GithubForge
from tests.actionkit import API
from tests.actionkit import TOKEN as ACTION_TOKEN
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


@pytest.fixture
def action_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A runner's environment for `fleetbot action` on `workflow_dispatch` (octo/tasks)."""
    for name in ("summary.md", "output.txt"):
        (tmp_path / name).touch()
    (tmp_path / "event.json").write_text('{"inputs": {}, "ref": "refs/heads/main", '
                                         '"repository": {"default_branch": "main"}}')
    for key, value in {
        "GITHUB_EVENT_NAME": "workflow_dispatch", "GITHUB_EVENT_PATH": str(tmp_path / "event.json"),
        "GITHUB_REPOSITORY": "octo/tasks", "GITHUB_API_URL": API,
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"), "GITHUB_RUN_ID": "5",
        "FLEETBOT_TOKEN": ACTION_TOKEN,
    }.items():
        monkeypatch.setenv(key, value)
    return tmp_path
