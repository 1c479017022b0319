"""`fleetbot ci` and `sync` in a GitLab CI job, for real: the demo fleet on a git origin
with `refs/merge-requests/N/head` as GitLab keeps them, a checkout, and the fake GitLab
(tests/forge/fakegitlab.py) answering as GitLab's REST API v4 does."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fleetbot.forge.gitlab import JOB_TOKEN_NOTE
from fleetbot.forge.gitlab import LICENCE_NOTE as LICENCE
from fleetbot.forge.gitlab_shapes import NO_LINKS_NOTE
from tests.forge.fakegitlab import BOT, FakeGitlab
from tests.gitlab.gitlabproject import JOB_TOKEN, JOB_URL, MRS, Project, job
from tests.support.cli import Invocation

LICENCE_NOTE = LICENCE.format(label="fleet:no-blocked-links")
Cli = Callable[..., Invocation]


def free_tier_with_44_after_42(project: Project) -> FakeGitlab:
    """A GitLab Free project whose plan on main says #44 depends on #42."""
    plan = (project.checkout.path / "orchestration-plan.md").read_text()
    after = plan.replace("`tests/test_clear.py` | none |", "`tests/test_clear.py` | #42 |")
    assert after != plan
    project.origin.commit({"orchestration-plan.md": after}, "44 after 42")
    project.gitlab.tier = "free"
    return project.gitlab


def test_a_push_to_main_writes_labels_notes_statuses_then_nothing(
        project: Project, monkeypatch: pytest.MonkeyPatch,
        cli_invoke: Cli) -> None:
    job(monkeypatch, project)
    out = cli_invoke(["ci"]).out
    gl = project.gitlab
    assert {iid: len(gl.sticky(iid)) for iid in MRS} == {12: 1, 13: 1, 14: 1}
    assert all(n["author"]["id"] == BOT["id"] for iid in MRS for n in gl.sticky(iid))
    assert gl.sticky(99) == []
    assert {iid: sorted(gl.mrs[iid].labels) for iid in MRS} == {
        12: ["fleet:conflict", "fleet:next", "fleet:review"], 13: ["fleet:review"],
        14: ["fleet:conflict", "fleet:review"]}
    order = {sha: [s for s in found if s["name"] == "fleetbot/order"]
             for sha, found in gl.statuses.items()}
    heads = {iid: project.head(iid) for iid in MRS}
    assert {iid: [(s["status"], s["target_url"]) for s in order[sha]]
            for iid, sha in heads.items()} == {
        12: [("success", JOB_URL)], 13: [("success", JOB_URL)], 14: [("pending", JOB_URL)]}
    assert order[heads[14]][0]["description"].startswith("waiting for #42")
    assert [s["name"] for s in gl.statuses[gl.mrs[99].sha]] == ["test"]  # no order status
    env = (project.checkout.path / "fleetbot.env").read_text()
    assert env.splitlines()[0] == "FLEETBOT_VERDICT=conflicts"
    junit = (project.checkout.path / "fleetbot-junit.xml").read_text()
    assert 'tests="3" failures="2" errors="0" skipped="0"' in junit
    gl.calls.clear()
    out = cli_invoke(["ci"]).out
    assert gl.writes == []
    assert "nothing to write: every note, label and status is up to date." in out
    # the idle job's reads: the open MRs, one GraphQL request (labels, the token's user,
    # approvals, notes, the plan's issues and links), each fleet head's statuses: 2 + N
    assert [t for _, t, _ in gl.calls] == ["/merge_requests", "/graphql", *(
        f"/repository/commits/{heads[iid]}/statuses" for iid in sorted(MRS, reverse=True))]


def test_an_mr_pipeline_reads_the_plan_from_the_target_and_runs_no_mr_code(
        project: Project, monkeypatch: pytest.MonkeyPatch,
        cli_invoke: Cli) -> None:
    # the MR's branch edits the plan to drop its conflict: the target's plan governs
    project.origin.branch(MRS[14], {"orchestration-plan.md": "| Issue | Branch |\n|---|---|\n"},
                          start=MRS[14], message="hide myself")  # one commit on top of it
    job(monkeypatch, project, source="merge_request_event", CI_MERGE_REQUEST_IID="14",
        CI_MERGE_REQUEST_SOURCE_BRANCH_NAME=MRS[14],
        CI_MERGE_REQUEST_TARGET_BRANCH_NAME="main", CI_MERGE_REQUEST_PROJECT_PATH="grp/proj")
    out = cli_invoke(["ci", "--dry-run"]).out
    assert "MR !14 pipeline: refreshing the fleet." in out
    assert "would set fleetbot/order on PR #14" in out
    assert project.gitlab.writes == []


def test_a_job_token_reports_and_says_what_it_skipped(
        project: Project, monkeypatch: pytest.MonkeyPatch,
        cli_invoke: Cli) -> None:
    job(monkeypatch, project, token="", job_token=JOB_TOKEN)
    got = cli_invoke(["ci"])
    assert f"note: {JOB_TOKEN_NOTE}" in got.out
    assert "no token that may write (CI_JOB_TOKEN cannot write" in got.out
    assert project.gitlab.writes == []
    assert JOB_TOKEN not in got.out + got.err
    assert (project.checkout.path / "fleetbot-junit.xml").exists()


def test_free_tier_job_token_sync_dry_run_says_what_it_skipped(
        project: Project, monkeypatch: pytest.MonkeyPatch,
        cli_invoke: Cli) -> None:
    project.gitlab.tier = "free"
    job(monkeypatch, project, token="", job_token=JOB_TOKEN)
    got = cli_invoke(["sync", "--dry-run", "--repo", str(project.checkout.path)])
    out, err = got.out, got.err
    assert JOB_TOKEN_NOTE in err
    assert "would add label 'fleet:review' to PR #13" in out
    assert "blocked by" not in out  # the job token read no issues, so plans no links
    assert project.gitlab.writes == []


def test_free_tier_project_token_sync_degrades_links_once(
        project: Project, monkeypatch: pytest.MonkeyPatch,
        cli_invoke: Cli) -> None:
    gl = free_tier_with_44_after_42(project)
    job(monkeypatch, project)
    project.checkout.git("fetch", "-q", "origin")
    got = cli_invoke(["sync", "--repo", str(project.checkout.path)])
    out, err = got.out, got.err
    assert (out + err).count(LICENCE_NOTE) == 1 == err.count(LICENCE_NOTE)
    assert sum(c[0] == "POST" and c[1].endswith("/links") for c in gl.calls) == 1
    assert gl.links == {}
    assert sorted(gl.mrs[14].labels) == ["fleet:blocked"]
    gl.calls.clear()
    got = cli_invoke(["sync", "--repo", str(project.checkout.path)])
    out, err = got.out, got.err
    assert gl.writes == []  # remembered: not even the refused link is tried again
    assert NO_LINKS_NOTE.format(label="fleet:no-blocked-links") in out + err


def test_outside_gitlab_ci_is_a_usage_error(cli_invoke: Cli) -> None:
    got = cli_invoke(["ci"], code=2)
    assert "`fleetbot ci` runs in a GitLab CI job: CI_PIPELINE_SOURCE and CI_PROJECT_PATH " \
        "are not set" in got.err
    assert "Traceback" not in got.out + got.err


def test_free_tier_project_token_ci_writes_all_but_links_then_nothing(
        project: Project, monkeypatch: pytest.MonkeyPatch,
        cli_invoke: Cli) -> None:
    gl = free_tier_with_44_after_42(project)
    job(monkeypatch, project)
    got = cli_invoke(["ci"])
    out = got.out
    assert (got.out + got.err).count(LICENCE_NOTE) == 1
    assert {iid: len(gl.sticky(iid)) for iid in MRS} == {12: 1, 13: 1, 14: 1}
    assert sorted(gl.mrs[14].labels) == ["fleet:blocked"]
    order = [s for s in gl.statuses[project.head(14)] if s["name"] == "fleetbot/order"]
    assert [(s["status"], s["description"]) for s in order] == [
        ("pending", "waiting for #42 (depends on it)")]
    assert gl.links == {}
    before = {iid: (list(gl.mrs[iid].labels), [n["body"] for n in gl.sticky(iid)])
              for iid in MRS}
    assert "done: create label 'fleet:no-blocked-links' (#cccccc)" in out
    gl.calls.clear()
    got = cli_invoke(["ci"])
    out = got.out
    # the refusal was remembered (the project label): no write at all, not even a refused one
    assert gl.writes == []
    assert LICENCE_NOTE not in got.out + got.err
    assert (got.out + got.err).count(NO_LINKS_NOTE.format(label="fleet:no-blocked-links")) == 1
    assert "nothing to write: every note, label and status is up to date." in out
    assert {iid: (list(gl.mrs[iid].labels), [n["body"] for n in gl.sticky(iid)])
            for iid in MRS} == before
    assert len([s for s in gl.statuses[project.head(14)] if s["name"] == "fleetbot/order"]) == 1
