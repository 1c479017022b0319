"""`Forge.web_url`: the repository's web page, from every adapter (the dashboard links to it)."""

from __future__ import annotations

import pytest

from fleetbot.forge.github import GithubForge
from fleetbot.forge.gitlab import GitlabForge
from fleetbot.forge.local import LocalForge


@pytest.mark.parametrize(("base_url", "web"), [
    ("https://api.github.com", "https://github.com/octo/tasks"),
    ("https://ghe.example.com/api/v3", "https://ghe.example.com/octo/tasks"),
    ("https://ghe.example.com/api/v3/", "https://ghe.example.com/octo/tasks"),
])
def test_github_web_url(base_url: str, web: str) -> None:
    assert GithubForge("octo/tasks", base_url=base_url).web_url == web


def test_gitlab_web_url_keeps_subgroups() -> None:
    forge = GitlabForge("group/sub/tasks", url="https://gitlab.example.com/")
    assert forge.web_url == "https://gitlab.example.com/group/sub/tasks"


def test_local_has_no_web_url() -> None:
    assert LocalForge().web_url == ""
