"""`fleetbot plan init --from-forge`: one planned row per open issue, PRs left out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import responses

from fleetbot.cli.plan_init import slug
from fleetbot.errors import ForgeError
from fleetbot.forge.github import GithubForge
from fleetbot.forge.gitlab import GitlabForge
from fleetbot.forge.local import LocalForge
from fleetbot.plan.parse import parse_plan
from fleetbot.render.escape import ZWJ
from tests.forge.conftest import TOKEN
from tests.forge.fakegitlab import FakeGitlab
from tests.support.cli import Invocation
from tests.support.fakegithub import FakeGithub

Cli = Callable[..., Invocation]


@pytest.fixture
def gl(rsps: responses.RequestsMock) -> FakeGitlab:
    return FakeGitlab(rsps)


NASTY = "Fix | pipes, @someone and <b>bold</b>"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for var in ("GITHUB_TOKEN", "GH_TOKEN", "GITLAB_TOKEN", "CI_JOB_TOKEN",
                "GITHUB_REPOSITORY", "CI_PROJECT_PATH", "CI_SERVER_URL", "GITHUB_API_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "orchestration-plan.md"


def github_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_REPOSITORY", "octo/fleet")
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)


def test_slug() -> None:
    assert slug(NASTY) == "fix-pipes-someone-and"
    assert slug("Add `plan init --from-forge`") == "add-plan-init-from"
    assert slug("!!!") == ""
    assert slug("a" * 50) == "a" * 30


def test_github_paginates_and_skips_pull_requests(gh: FakeGithub) -> None:
    for n in range(1, 151):
        gh.add_open_issue(n, f"Issue {n}", pull=n % 3 == 0)
    got = GithubForge("octo/fleet", token=TOKEN, throttle=False).open_issues(limit=500)
    assert [i.number for i in got] == [n for n in range(1, 151) if n % 3]
    listing = [u for u in (r.url for r in gh.requests) if "/issues?" in u or u.endswith("/issues")]
    assert len(listing) == 2  # one request per 100
    assert "per_page=100" in listing[0] and "state=open" in listing[0]


def test_github_limit_and_label_filter(gh: FakeGithub) -> None:
    gh.add_open_issue(1, "one", labels=("fleet",))
    gh.add_open_issue(2, "two", labels=("bug",))
    gh.add_open_issue(3, "three", labels=("fleet", "bug"), pull=True)
    gh.add_open_issue(4, "four", labels=("fleet", "bug"))
    forge = GithubForge("octo/fleet", token=TOKEN, throttle=False)
    assert [i.number for i in forge.open_issues(labels=["fleet"])] == [1, 4]
    assert [i.number for i in forge.open_issues(labels=["fleet", "bug"])] == [4]
    assert forge.open_issues(labels=["bug"])[0].labels == ("bug",)
    assert [i.number for i in forge.open_issues(limit=1)] == [1]


def test_gitlab_lists_opened_issues_with_labels(gl: FakeGitlab) -> None:
    gl.open_issues = [(i, f"Issue {i}", ("fleet",) if i % 2 else ()) for i in range(1, 131)]
    forge = GitlabForge("grp/proj", url="https://gitlab.example.com", token="glpat-secret1234")
    assert [i.number for i in forge.open_issues(limit=3)] == [1, 2, 3]
    everything = forge.open_issues(limit=1000)
    assert len(everything) == 130
    listed = [c for c in gl.calls if c[1] == "/issues"]
    assert len(listed) == 1 + 2  # limit=3: one page; limit=1000: 100 + 30
    fleet = forge.open_issues(labels=["fleet"])
    assert [i.number for i in fleet][:3] == [1, 3, 5] and fleet[0].labels == ("fleet",)


def test_local_forge_says_what_to_do() -> None:
    with pytest.raises(ForgeError, match="--forge github"):
        LocalForge().open_issues()


def test_plan_init_from_github(env: Path, gh: FakeGithub, monkeypatch: pytest.MonkeyPatch,
                               cli_invoke: Cli) -> None:
    github_env(monkeypatch)
    gh.add_open_issue(42, NASTY, labels=("fleet",))
    gh.add_open_issue(43, "A pull request", labels=("fleet",), pull=True)
    gh.add_open_issue(44, "Write the\ndocs", labels=("fleet",))
    gh.add_open_issue(45, "Not for the fleet")
    captured = cli_invoke(["plan", "init", "--from-forge", "--label", "fleet", "--dry-run"])
    assert not env.exists()
    assert TOKEN not in captured.out + captured.err
    assert "<b>" not in captured.out and f"@{ZWJ}someone" in captured.out
    plan = parse_plan(captured.out)
    assert [(r.issue, r.branch, r.files_owned, r.status.value) for r in plan.rows] == [
        ("#42", "feature/42-fix-pipes-someone-and", (), "planned"),
        ("#44", "feature/44-write-the-docs", (), "planned"),
    ]
    assert all(r.depends_on == () for r in plan.rows)
    assert "pipes" in plan.rows[0].title and "Write the docs" in plan.rows[1].title

    cli_invoke(["plan", "init", "--from-forge"])
    assert len(parse_plan(env.read_text()).rows) == 3
    assert "--force" in cli_invoke(["plan", "init", "--from-forge"], code=2).err
    cli_invoke(["plan", "init", "--from-forge", "--force", "--limit", "1"])
    assert len(parse_plan(env.read_text()).rows) == 1


def test_plan_init_from_gitlab(env: Path, gl: FakeGitlab, monkeypatch: pytest.MonkeyPatch,
                               cli_invoke: Cli) -> None:
    monkeypatch.setenv("CI_PROJECT_PATH", "grp/proj")
    monkeypatch.setenv("CI_SERVER_URL", "https://gitlab.example.com")
    monkeypatch.setenv("GITLAB_TOKEN", "glpat-secret1234")
    gl.open_issues = [(6, "Count the | things", ())]
    cli_invoke(["plan", "init", "--from-forge", "--forge", "gitlab"])
    (row,) = parse_plan(env.read_text()).rows
    assert (row.issue, row.branch) == ("#6", "feature/6-count-the-things")


def test_plan_init_from_forge_without_token(env: Path, monkeypatch: pytest.MonkeyPatch,
                                            cli_invoke: Cli) -> None:
    monkeypatch.setenv("GITHUB_REPOSITORY", "octo/fleet")
    got = cli_invoke(["plan", "init", "--from-forge"], code=2)
    assert "GITHUB_TOKEN" in got.err and "Traceback" not in got.out + got.err
    monkeypatch.setenv("CI_PROJECT_PATH", "grp/proj")
    assert "GITLAB_TOKEN" in cli_invoke(["plan", "init", "--from-forge", "--forge", "gitlab"],
                                        code=2).err
    assert not env.exists()


def test_plan_init_from_forge_usage_errors(env: Path, gh: FakeGithub,
                                           monkeypatch: pytest.MonkeyPatch,
                                           cli_invoke: Cli) -> None:
    github_env(monkeypatch)

    def refused(*args: str) -> str:
        return cli_invoke(["plan", "init", *args], code=2).err

    assert "do not mix" in refused("--from-forge", "--issue", "1:x")
    assert "--from-forge" in refused("--issue", "1:x", "--label", "fleet")
    assert "no open issues" in refused("--from-forge")  # no open issues at all
    assert "--forge github" in refused("--from-forge", "--forge", "local")
