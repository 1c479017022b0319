"""`fleetbot sync` and `fleetbot comment` against the fake GitHub: exact writes, then none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fleetbot.forge import MARKER
from tests.forge.conftest import TOKEN
from tests.support.fakegithub import FakeGithub
from tests.support.repo import Repo, from_template, make_repo

PLAN = """# plan

| Issue | Branch | Worktree | Files owned | Depends on | Status |
|---|---|---|---|---|---|
| #1 api | feat/api | ../api | `src/api/**` | none | running |
| #2 cli | feat/cli | ../cli | `src/cli.py` | #1 | running |
| #3 docs | feat/docs | ../docs | `docs/**` | none | planned |
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    # built once per test process, copied here (the tests only read it)
    from_template("commands", tmp_path / "repo", lambda path: make_repo(
        path.parent, {"orchestration-plan.md": PLAN, "src/cli.py": "x\n"}, {
            "feat/api": {"src/api/a.py": "a\n"},
            "feat/cli": {"src/cli.py": "y\n"},
        }, name=path.name))
    r = Repo(tmp_path / "repo")
    monkeypatch.chdir(r.path)
    monkeypatch.setenv("GITHUB_REPOSITORY", "octo/fleet")
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    return r


@pytest.fixture
def fleet(gh: FakeGithub) -> FakeGithub:
    gh.add_pull(10, "feat/api", body="Closes #1")
    gh.add_pull(11, "feat/cli", draft=True)
    gh.add_pull(12, "hotfix/stray", files=["src/api/x.py"])
    gh.issues.update({1, 2, 3})
    gh.labels[10] = ["bug"]
    return gh


def test_sync_writes_labels_and_links_then_nothing(repo, fleet: FakeGithub, cli_invoke) -> None:  # type: ignore[no-untyped-def]
    out = cli_invoke(["sync"])
    assert "unplanned: PR #12 (hotfix/stray)" in out.err and "#1" in out.err
    assert fleet.labels[10][0] == "bug"  # never touched
    # the order: #1 first (its PR is ready: next), #2 waits on #1, #3 has not started
    # each plan issue carries its row's status; each PR its status, plus conflict/next
    want = {10: {"fleet:review", "fleet:next"}, 11: {"fleet:blocked"}, 1: {"fleet:review"},
            2: {"fleet:blocked"}, 3: {"fleet:planned"}}
    assert {n: set(v) - {"bug"} for n, v in fleet.labels.items()} == want
    assert fleet.deps == {2: {1}}
    assert set(fleet.repo_labels) == set().union(*want.values())

    fleet.requests.clear()
    assert "nothing to change" in cli_invoke(["sync"]).out
    assert fleet.writes == []


def test_sync_dry_run_prints_and_writes_nothing(repo, fleet: FakeGithub, cli_invoke) -> None:  # type: ignore[no-untyped-def]
    out = cli_invoke(["sync", "--dry-run"]).out
    assert "would add label 'fleet:review' to PR #10" in out
    assert "would mark #2 blocked by #1" in out
    assert fleet.writes == []


def test_sync_fixes_label_drift(repo, fleet: FakeGithub, cli_invoke) -> None:  # type: ignore[no-untyped-def]
    fleet.labels[10] = ["bug", "fleet:blocked"]
    fleet.repo_labels["fleet:blocked"] = "b60205"
    cli_invoke(["sync", "--no-links"])
    assert fleet.labels[10][0] == "bug"
    assert "fleet:review" in fleet.labels[10]
    assert "fleet:blocked" not in fleet.labels[10]


def test_comment_creates_then_edits_then_leaves_alone(repo, fleet: FakeGithub, cli_invoke) -> None:  # type: ignore[no-untyped-def]
    cli_invoke(["comment", "--pr", "10"])
    (c,) = fleet.sticky(10)
    assert c["body"].startswith(MARKER) and "closes #1" in c["body"]
    fleet.requests.clear()
    cli_invoke(["comment", "--pr", "10"])
    assert fleet.writes == []
    fleet.pulls[10].body = "no link"
    cli_invoke(["comment", "--pr", "10"])
    assert [w.method for w in fleet.writes] == ["PATCH"]
    assert len(fleet.sticky(10)) == 1 and "does not close" in fleet.sticky(10)[0]["body"]


def test_comment_on_an_unplanned_pr(repo, fleet: FakeGithub, cli_invoke) -> None:  # type: ignore[no-untyped-def]
    cli_invoke(["comment", "--pr", "12"])
    body = fleet.sticky(12)[0]["body"]
    assert "unplanned" in body and "#1" in body


def test_comment_json_dry_run(repo, fleet: FakeGithub, cli_invoke) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(cli_invoke(["comment", "--pr", "11", "--dry-run", "--format", "json"]).out)
    assert [a["kind"] for a in data["actions"]] == ["create-comment"]
    assert fleet.writes == []


def test_comment_404(repo, fleet: FakeGithub, cli_invoke) -> None:  # type: ignore[no-untyped-def]
    assert "PR #99 not found in octo/fleet" in cli_invoke(["comment", "--pr", "99"], code=2).err


def test_read_only_token(repo, fleet: FakeGithub, cli_invoke) -> None:  # type: ignore[no-untyped-def]
    fleet.read_only = True
    err = cli_invoke(["sync"], code=2).err
    assert "the token lacks `issues: write`" in err
    assert "Written: 0; not written: 11 (create label 'fleet:next'" in err
    assert TOKEN not in err
    assert fleet.repo_labels == {} and fleet.deps == {}
    # the refused label creation: the labels it needed and the other `issues: write`
    # writes were not tried, as they would have failed the same way
    assert len(fleet.writes) == 1


def test_local_forge_comment_is_a_usage_error(repo, monkeypatch, cli_invoke) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("GITHUB_REPOSITORY")
    assert "needs a forge" in cli_invoke(["comment", "--pr", "1"], code=2).err


def test_sync_without_a_forge_says_so_and_fails(repo, monkeypatch, cli_invoke) -> None:  # type: ignore[no-untyped-def]
    """No forge found: exit 2 and how to give it one, never "nothing to change" (which
    read as if labels had been checked); `--forge local` asks for the no-op."""
    monkeypatch.delenv("GITHUB_REPOSITORY")
    got = cli_invoke(["sync", "--dry-run"], code=2)
    assert (got.out, got.err) == ("", "error: `sync` needs a forge to write labels and links "
                                  "to: set GITHUB_TOKEN (or GITLAB_TOKEN), or pass --forge "
                                  "github|gitlab\n")
    local = cli_invoke(["sync", "--forge", "local"])
    assert (local.out, "no forge" in local.err) == ("nothing to change\n", True)


def test_comment_tells_a_row_its_dependency_merged(repo, gh: FakeGithub, cli_invoke) -> None:  # type: ignore[no-untyped-def]
    gh.add_pull(9, "feat/api", merged=True)
    gh.add_pull(11, "feat/cli")
    cli_invoke(["comment", "--pr", "11"])
    body = gh.sticky(11)[0]["body"]
    assert "Dependency #1 was merged (PR #9)" in body


def test_sync_labels_a_merged_row(repo, gh: FakeGithub, cli_invoke) -> None:  # type: ignore[no-untyped-def]
    gh.add_pull(9, "feat/api", merged=True)
    gh.issues.update({1, 2, 3})
    cli_invoke(["sync", "--no-links"])
    assert gh.labels[9] == ["fleet:merged"]


def test_sync_no_links_is_idle_on_the_second_run(repo, fleet: FakeGithub, cli_invoke) -> None:  # type: ignore[no-untyped-def]
    cli_invoke(["sync", "--no-links"])
    assert fleet.labels[3] == ["fleet:planned"] and fleet.deps == {}
    fleet.requests.clear()
    cli_invoke(["sync", "--no-links"])
    assert fleet.writes == []


def test_an_issue_moves_from_running_to_review_when_its_pr_is_ready(repo, fleet: FakeGithub, cli_invoke) -> None:  # type: ignore[no-untyped-def]
    fleet.labels[1] = ["fleet:running"]
    fleet.repo_labels["fleet:running"] = "fbca04"
    cli_invoke(["sync", "--no-links"])
    assert fleet.labels[1] == ["fleet:review"]
