"""Issue 12 item 1: a fork's PR never stands for a plan row, whatever its head is named.

The reproduction: a fork PR whose head branch is `feature/42-count` (a stranger's commit)
must not pin `origin/feature/42-count`: the real #42 is still analysed, the #42/#44
conflict stays, #44's required check stays pending and `next` is not the fork PR. A fork
head that shares no history with main must not make the run exit 2. Same on GitLab.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import responses

from fleetbot.action.events import decide
from fleetbot.action.gitlab_events import GitlabJob, decide_gitlab
from fleetbot.model import Plan, PullFacts, PullState, Row
from fleetbot.pipeline import fleet_pulls
from fleetbot.writes.statuses import OUTSIDE
from tests.gitlab.conftest import project  # noqa: F401 (fixture)
from tests.gitlab.gitlabproject import MRS, Project, job
from tests.hostile.conftest import OnFleet
from tests.support.actionkit import API, TOKEN, Fleet, make_fleet, pr_event
from tests.support.cli import Invocation
from tests.support.fakeserver import mount
from tests.support.repo import Repo
from tests.support.webhooks import payload

FORK = 15
ORDER = "fleetbot/order"
Cli = Callable[..., Invocation]


def stranger_commit(repo: Repo, *, shared: bool) -> str:
    """A commit of someone else's: on top of main, or (`shared=False`) with no history
    in common with it at all."""
    if shared:
        return repo.git("commit-tree", "main^{tree}", "-p", "main", "-m", "not #42").strip()
    # the root commit `git checkout --orphan`, `git add -A` and `git commit` make there
    # (main's files and evil.txt), in plumbing: the work tree and branches stay as they are
    blob = repo.git("hash-object", "-w", "--stdin", input="owned\n").strip()
    listing = repo.git("ls-tree", "main^{tree}") + f"100644 blob {blob}\tevil.txt\n"
    tree = repo.git("mktree", input=listing).strip()
    return repo.git("commit-tree", tree, "-m", "unrelated history").strip()


def with_fork_namesake(tmp_path: Path, *, shared: bool = True) -> Fleet:
    """The demo fleet plus fork PR #15 whose head is named like #42's branch."""
    fleet = make_fleet(tmp_path)
    sha = stranger_commit(fleet.origin, shared=shared)
    fleet.origin.git("update-ref", f"refs/pull/{FORK}/head", sha)  # GitHub keeps forks' too
    fleet.github.add_pull(FORK, "feature/42-count", sha=sha, fork="mallory/tasks",
                          title="totally #42", files=["tasks/cli.py"])
    return fleet


@pytest.fixture
def action_env(on_fleet: OnFleet, cli_invoke: Cli) -> Callable[..., Invocation]:
    """Run `fleetbot action` in-process on `fleet` for `event`, against its fake GitHub;
    it must exit 0."""
    def go(fleet: Fleet, event: str, data: dict[str, Any]) -> Invocation:
        on_fleet(fleet, event, data)
        return cli_invoke(["action", "--no-throttle"])
    return go


def order_status(fleet: Fleet, sha: str) -> tuple[str, str] | None:
    s = fleet.github.latest_status(sha, ORDER)
    return None if s is None else (s["state"], s["description"])


def test_a_fork_namesake_cannot_take_over_a_row(tmp_path: Path, action_env) -> None:  # type: ignore[no-untyped-def]
    fleet = with_fork_namesake(tmp_path)
    action_env(fleet, "workflow_dispatch", payload("workflow_dispatch"))
    fleet.github.check()
    out = fleet.outputs()
    assert out["conflicts"] == "1"  # #44 onto #42, on tasks/cli.py: the real #42
    assert out["next"] == "#12"
    assert [s["issue"] for s in json.loads(out["order"])] == ["#42", "#43", "#44"]
    # the row's ref is #42's own head, never the fork's commit
    assert fleet.checkout.head("refs/remotes/origin/feature/42-count") == fleet.head(12)
    assert order_status(fleet, fleet.head(14))[0] == "pending"  # type: ignore[index]
    assert order_status(fleet, fleet.head(FORK)) == ("success", OUTSIDE)
    assert fleet.github.sticky(FORK) == []  # no row's report on the fork PR
    assert "fleet:next" not in fleet.github.labels.get(FORK, [])


def test_a_fork_head_without_shared_history_does_not_stop_the_run(
        tmp_path: Path, action_env) -> None:  # type: ignore[no-untyped-def]
    fleet = with_fork_namesake(tmp_path, shared=False)
    action_env(fleet, "schedule", payload("workflow_dispatch"))
    fleet.github.check()
    assert {n: len(fleet.github.sticky(n)) for n in (12, 13, 14, FORK)} == {
        12: 1, 13: 1, 14: 1, FORK: 0}
    assert order_status(fleet, fleet.head(14))[0] == "pending"  # type: ignore[index]
    assert fleet.outputs()["next"] == "#12"


def test_a_fork_pr_event_is_outside_the_fleet(tmp_path: Path, action_env) -> None:  # type: ignore[no-untyped-def]
    # pull_request_target runs with a write token, for a fork's PR too
    fleet = with_fork_namesake(tmp_path)
    data = pr_event(fleet, "synchronize", 12, fork=True)
    data["number"] = data["pull_request"]["number"] = FORK
    data["pull_request"]["head"]["sha"] = fleet.head(FORK)
    action_env(fleet, "pull_request_target", data)
    fleet.github.check()
    assert fleet.outputs()["verdict"] == "not-in-fleet"
    assert fleet.checkout.git("rev-parse", "--verify", "-q", "refs/remotes/origin/"
                              "feature/42-count", check=False).strip() == fleet.head(12)
    assert [w.path for w in fleet.github.writes] == [
        f"/repos/octo/tasks/statuses/{fleet.head(FORK)}"]
    assert order_status(fleet, fleet.head(FORK)) == ("success", OUTSIDE)


def test_a_merged_fork_pr_event_does_not_land_the_row() -> None:
    fleet_like = payload("pull_request.closed")
    pr = fleet_like["pull_request"]
    pr.update(merged=True, number=FORK)
    pr["head"]["ref"], pr["base"]["ref"] = "feature/42-count", "main"
    pr["head"]["repo"]["full_name"], pr["base"]["repo"]["full_name"] = "mallory/t", "octo/t"
    got = decide("pull_request_target", {**fleet_like, "action": "closed", "number": FORK},
                 target="main")
    assert (got.branch, got.merged_branches) == ("mallory:feature/42-count",
                                                 ("mallory:feature/42-count",))


def test_fleet_pulls_never_take_a_fork() -> None:
    plan = Plan(rows=(Row("#42", "feature/42-count"),))
    fork_open = PullFacts(15, "feature/42-count", fork=True)
    fork_merged = PullFacts(16, "feature/42-count", state=PullState.MERGED, fork=True)
    assert fleet_pulls(plan, [fork_open], [fork_merged]) == ()
    own = PullFacts(12, "feature/42-count")
    assert fleet_pulls(plan, [fork_open, own], [fork_merged]) == (own,)


def test_the_github_adapter_names_a_forks_head_owner_branch(tmp_path: Path,
                                                            rsps: responses.RequestsMock) -> None:
    from fleetbot.forge.github import GithubForge

    fleet = with_fork_namesake(tmp_path)
    mount(fleet.github, rsps)
    forge = GithubForge("octo/tasks", token=TOKEN, base_url=API, throttle=False)
    state = forge.state(branches=["feature/42-count"])
    fork = next(p for p in state.pulls if p.number == FORK)
    assert (fork.branch, fork.fork) == ("mallory:feature/42-count", True)
    assert state.pull_for_branch("feature/42-count").number == 12  # type: ignore[union-attr]
    rest = forge.pull(FORK)
    assert (rest.branch, rest.fork) == ("mallory:feature/42-count", True)
    assert (forge.pull(12).branch, forge.pull(12).fork) == ("feature/42-count", False)
    fleet.github.check()


def test_a_merged_fork_namesake_does_not_land_a_row(tmp_path: Path, action_env) -> None:  # type: ignore[no-untyped-def]
    fleet = make_fleet(tmp_path)
    del fleet.github.pulls[13]  # #43 has no PR of its own yet
    sha = stranger_commit(fleet.origin, shared=True)
    fleet.github.add_pull(16, "feature/43-docs", sha=sha, fork="mallory/tasks", merged=True)
    action_env(fleet, "workflow_dispatch", payload("workflow_dispatch"))
    fleet.github.check()
    assert "#43" in [s["issue"] for s in json.loads(fleet.outputs()["order"])]


# ---------------------------------------------------------------- GitLab


def test_a_gitlab_fork_mr_namesake_cannot_take_over_a_row(
        project: Project, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
        cli_invoke: Cli) -> None:
    sha = stranger_commit(project.origin, shared=False)
    project.origin.git("update-ref", f"refs/merge-requests/{FORK}/head", sha)
    project.gitlab.add_mr(FORK, MRS[12], head=sha, fork=77, files=["tasks/cli.py"])
    job(monkeypatch, project)
    cli_invoke(["ci"])
    gl = project.gitlab
    assert project.checkout.head(f"refs/remotes/origin/{MRS[12]}") == project.head(12)
    order = {sha: [s["status"] for s in found if s["name"] == ORDER]
             for sha, found in gl.statuses.items()}
    assert order[project.head(14)] == ["pending"]
    assert order.get(sha, []) == []
    assert gl.sticky(FORK) == [] and gl.mrs[FORK].labels == []
    assert not any(f"/merge_requests/{FORK}/" in path for _, path, _ in gl.calls)


def test_a_gitlab_fork_mr_run_in_the_parent_is_outside_the_fleet() -> None:
    job_vars = GitlabJob(source="merge_request_event", project="grp/proj", mr_iid=FORK,
                         mr_source=MRS[12], mr_target="main", mr_project="grp/proj",
                         mr_source_project="mallory/proj", default_branch="main")
    got = decide_gitlab(job_vars)
    assert (got.branch, got.read_only) == ("mallory:feature/42-count", False)
    own = decide_gitlab(GitlabJob(source="merge_request_event", project="grp/proj",
                                  mr_iid=12, mr_source=MRS[12], mr_target="main",
                                  mr_project="grp/proj", mr_source_project="grp/proj"))
    assert own.branch == MRS[12]


def test_a_merged_gitlab_fork_namesake_does_not_land_a_row(
        rsps: responses.RequestsMock) -> None:
    from fleetbot.forge.gitlab import GitlabForge
    from tests.forge.fakegitlab import FakeGitlab

    gl = FakeGitlab(rsps)
    gl.add_mr(3, "feat/a", merged=True)
    gl.add_mr(FORK, "feat/a", merged=True, fork=77)  # newer, from a fork
    forge = GitlabForge("grp/proj", url="https://gitlab.example.com", token="glpat-x")
    state = forge.state(branches=["feat/a"])
    assert [(m.number, m.branch) for m in state.merged] == [(3, "feat/a")]
    gl.check()


def test_sync_reports_a_fork_namesake_as_unplanned(
        tmp_path: Path, on_fleet: OnFleet, cli_invoke: Cli) -> None:
    fleet = on_fleet(with_fork_namesake(tmp_path))
    err = cli_invoke(["sync", "--dry-run"]).err
    assert ("unplanned: PR #15 (mallory:feature/42-count) is in no plan row; it touches "
            "files owned by #42, #44") in err
    fleet.github.check()
