"""Choosing the forge, and keeping the token out of sight."""

from __future__ import annotations

import subprocess
import sys

import pytest

from fleetbot.errors import UsageError
from fleetbot.forge import parse_remote_url, pick_forge, redact
from fleetbot.git import Git


@pytest.mark.parametrize(("url", "kind", "path"), [
    ("git@github.com:octo/fleet.git", "github", "octo/fleet"),
    ("https://github.com/octo/fleet", "github", "octo/fleet"),
    ("ssh://git@gitlab.example.com:2222/g/sub/p.git", "gitlab", "g/sub/p"),
    ("https://oauth2:tok@gitlab.com/g/p.git", "gitlab", "g/p"),
])
def test_remote_urls(url: str, kind: str, path: str) -> None:
    remote = parse_remote_url(url)
    assert remote is not None
    assert (remote.kind, remote.path) == (kind, path)


def test_unknown_host_is_none() -> None:
    assert parse_remote_url("https://example.com/a/b.git") is None


def test_env_wins_then_remote_then_local(repo_factory) -> None:  # type: ignore[no-untyped-def]
    repo = repo_factory({"a": "1\n"})
    git = Git(repo.path)
    assert pick_forge(git=git, env={}).kind == "local"
    repo.git("remote", "add", "origin", "git@gitlab.com:grp/proj.git")
    forge = pick_forge(git=git, env={})
    assert (forge.kind, forge.repo) == ("gitlab", "grp/proj")
    forge = pick_forge(git=git, env={"GITHUB_REPOSITORY": "octo/fleet",
                                     "GITHUB_API_URL": "https://ghe.example.com/api/v3"})
    assert (forge.kind, forge.repo) == ("github", "octo/fleet")
    assert forge.base_url == "https://ghe.example.com/api/v3"  # type: ignore[attr-defined]


def test_gitlab_url_from_ci(repo_factory) -> None:  # type: ignore[no-untyped-def]
    forge = pick_forge("gitlab", env={"CI_PROJECT_PATH": "g/p", "CI_SERVER_URL":
                                      "https://git.corp", "CI_JOB_TOKEN": "jobtok"})
    assert forge.url == "https://git.corp"
    assert forge.job_token  # type: ignore[attr-defined]
    assert not forge.can_write  # a job token may not write notes, labels or statuses


def test_unknown_kind() -> None:
    with pytest.raises(UsageError, match="unknown forge"):
        pick_forge("bitbucket", env={})


def test_github_without_a_repo_says_what_to_set() -> None:
    with pytest.raises(UsageError, match="GITHUB_REPOSITORY"):
        pick_forge("github", env={})


def test_redact() -> None:
    assert "s3cr3tvalue" not in redact("x s3cr3tvalue y", ["s3cr3tvalue"])
    assert redact("Authorization: token abcdefghijkl", []) == "Authorization: token ***"


def test_importing_the_protocol_loads_no_forge_library() -> None:
    code = ("import sys, fleetbot.forge, fleetbot.writes; "
            "print([m for m in sys.modules if m.split('.')[0] in ('github', 'gitlab')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
