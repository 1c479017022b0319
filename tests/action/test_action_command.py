"""`fleetbot action` in-process on real git repos and real webhook payloads, GitHub faked
through `responses` (tests/support/fakegithub.py keeps its state between requests and checks
every request and response against GitHub's schemas)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import responses

from tests.support.actionkit import TOKEN, Fleet, after_first_run, make_fleet, pr_event
from tests.support.cli import Invocation
from tests.support.fakeserver import mount
from tests.support.webhooks import payload

Act = Callable[..., Invocation]


@pytest.fixture
def fleet(tmp_path: Path, rsps: responses.RequestsMock) -> Iterator[Fleet]:
    f = make_fleet(tmp_path)
    mount(f.github, rsps)
    yield f
    f.github.check()


def synchronize_14(fleet: Fleet) -> dict[str, Any]:
    return pr_event(fleet, "synchronize", 14)


@pytest.fixture
def synced(tmp_path: Path, rsps: responses.RequestsMock) -> Iterator[tuple[Fleet, Invocation]]:
    """`fleet` after `act("pull_request", pr_event(fleet, "synchronize", 14))`, and what
    that run printed: run once per test process and copied (actionkit's
    `after_first_run`)."""
    f, printed = after_first_run(tmp_path, ["action", "--no-throttle"], "pull_request",
                                 synchronize_14, chdir=False)
    mount(f.github, rsps)
    yield f, printed
    f.github.check()


@pytest.fixture
def act(fleet: Fleet, monkeypatch: pytest.MonkeyPatch,
        cli_invoke: Callable[..., Invocation]) -> Act:
    """`act(event, data, *args, code=0, **env)`: `fleetbot action` on `fleet` for `event`,
    as a runner starts it (its variables set, `env` added); it must exit `code`."""
    return acting(fleet, monkeypatch, cli_invoke)


@pytest.fixture
def act_synced(synced: tuple[Fleet, Invocation], monkeypatch: pytest.MonkeyPatch,
               cli_invoke: Callable[..., Invocation]) -> Act:
    """`act` on the `synced` fleet."""
    return acting(synced[0], monkeypatch, cli_invoke)


def acting(fleet: Fleet, monkeypatch: pytest.MonkeyPatch,
           cli_invoke: Callable[..., Invocation]) -> Act:
    def go(event: str, data: dict[str, Any], *args: str, code: int = 0,
           **env: str) -> Invocation:
        for key, value in fleet.env(event, data, **env).items():
            monkeypatch.setenv(key, value)
        return cli_invoke(["action", "--no-throttle", *args], code=code)
    return go


def test_pr_synchronize_comments_labels_and_sets_the_order_status(
    synced: tuple[Fleet, Invocation],
) -> None:
    fleet, out = synced  # after act("pull_request", pr_event(fleet, "synchronize", 14))
    gh = fleet.github
    # one sticky comment per open fleet PR, with the marker
    for number in (12, 13, 14):
        bodies = gh.comment_bodies(number)
        assert len(bodies) == 1
        assert bodies[0].startswith("<!-- fleetbot -->")
    assert "#42" in gh.comment_bodies(14)[0]
    # the order status: #44 waits for #42 on the shared file, #42 goes first
    s42 = gh.latest_status(fleet.head(12), "fleetbot/order")
    s44 = gh.latest_status(fleet.head(14), "fleetbot/order")
    assert s42 is not None
    assert s44 is not None
    assert (s42["state"], s42["description"]) == (
        "success", "in order: dependencies merged, no earlier collision open")
    assert (s44["state"], s44["description"]) == (
        "pending", "waiting for #42 (collides on tasks/cli.py)")
    assert s44["target_url"] == "https://github.com/octo/tasks/actions/runs/1"
    # annotations on the PR's file, the token masked and never printed otherwise
    assert "::warning file=tasks/cli.py" in out.out
    assert out.out.count(TOKEN) == 1
    assert f"::add-mask::{TOKEN}" in out.out
    assert TOKEN not in out.err
    assert TOKEN not in fleet.summary()
    # summary and outputs
    assert "fleetbot" in fleet.summary()
    assert "```mermaid" in fleet.summary()
    outputs = fleet.outputs()
    assert outputs["verdict"] == "conflicts"
    assert outputs["next"] == "#12"
    assert [step["pull"] for step in json.loads(outputs["order"])] == [12, 13, 14]
    assert all(r.authorized for r in gh.requests)


def test_second_run_with_nothing_new_writes_nothing(
    synced: tuple[Fleet, Invocation], act_synced: Act,
) -> None:
    fleet, _ = synced  # after act("pull_request", pr_event(fleet, "synchronize", 14))
    before = len(fleet.github.writes)
    assert before > 0
    act_synced("workflow_dispatch", payload("workflow_dispatch"))
    assert fleet.github.writes[before:] == []


def test_dry_run_writes_nothing_and_lists_the_writes(
    fleet: Fleet, act: Act,
) -> None:
    out = act("pull_request", pr_event(fleet, "opened", 12), "--dry-run")
    assert fleet.github.writes == []
    assert "would create comment on PR #12" in out.err
    assert "Would write" in fleet.summary()


def test_merged_pr_releases_the_row_behind_it(
    synced: tuple[Fleet, Invocation], act_synced: Act,
) -> None:
    fleet, _ = synced  # after act("pull_request", pr_event(fleet, "synchronize", 14))
    before = fleet.github.latest_status(fleet.head(14), "fleetbot/order")
    assert before is not None
    assert before["state"] == "pending"  # #44 waits for #42 on tasks/cli.py
    fleet.merge(12)
    fleet.checkout.git("fetch", "-q", "origin")
    act_synced("pull_request", pr_event(fleet, "closed", 12, merged=True))
    status = fleet.github.latest_status(fleet.head(14), "fleetbot/order")
    assert status is not None
    assert (status["state"], status["description"]) == (
        "success", "in order: dependencies merged, no earlier collision open")


def test_push_after_a_merge_counts_the_merged_row_even_if_the_plan_lags(
    fleet: Fleet, act: Act,
) -> None:
    fleet.merge(12)  # #42 lands; the plan on main still says "running"
    data = payload("push.5")
    data["ref"] = "refs/heads/main"
    data["repository"]["default_branch"] = "main"
    act("push", data)
    order = json.loads(fleet.outputs()["order"])
    assert [step["issue"] for step in order] == ["#43", "#44"]
    status = fleet.github.latest_status(fleet.head(14), "fleetbot/order")
    assert status is not None
    assert status["state"] == "success"


def test_fork_pr_with_a_read_only_token_is_outside_the_fleet(
    fleet: Fleet, act: Act,
) -> None:
    fleet.github.read_only = True
    # a fork's PR whose head is named like #44's branch: a fork never stands for a row
    # (issue 12), so it is not analysed as #44, its head is not fetched, nothing written
    act("pull_request", pr_event(fleet, "synchronize", 14, fork=True))
    assert fleet.github.writes == []
    assert "`contributor:feature/44-clear`) is not part of the fleet" in fleet.summary()
    assert fleet.checkout.git("for-each-ref", "refs/fleetbot/") == ""


def test_malformed_plan_on_the_target_fails_with_file_and_line_and_writes_nothing(
    fleet: Fleet, act: Act,
) -> None:
    plan = fleet.origin.path / "orchestration-plan.md"
    plan.write_text(plan.read_text().replace("| none | running |\n| #43",
                                             "| #99 | running |\n| #43"))
    fleet.origin.commit({}, "break the plan")
    out = act("pull_request", pr_event(fleet, "synchronize", 14), code=2)
    assert "::error file=orchestration-plan.md,line=8," in out.out
    assert fleet.github.requests == []
    assert fleet.outputs()["verdict"] == "invalid-plan"
    assert "does not parse" in fleet.summary()


def test_plan_comes_from_the_target_not_the_checkout(
    fleet: Fleet, act: Act,
) -> None:
    (fleet.checkout.path / "orchestration-plan.md").write_text("not a plan at all\n")
    act("pull_request", pr_event(fleet, "synchronize", 14))


@pytest.mark.parametrize(("mode", "noted"), [("note", True), ("silent", False)])
def test_pr_not_in_the_plan(
    fleet: Fleet, act: Act, mode: str, noted: bool,
) -> None:
    out = act("pull_request", pr_event(fleet, "opened", 77), FLEETBOT_NOT_IN_PLAN=mode)
    assert ("not part of the fleet" in out.out) is noted
    # one write and no read: the required `fleetbot/order` check passes outside the fleet
    assert [(r.method, r.path) for r in fleet.github.requests] == [
        ("POST", f"/repos/octo/tasks/statuses/{'0' * 40}")]
    status = fleet.github.latest_status("0" * 40, "fleetbot/order")
    assert status is not None
    assert (status["state"], status["description"]) == ("success", "not part of the fleet")
    assert fleet.outputs()["verdict"] == "not-in-fleet"


def test_strict_fails_the_pr_that_collides(
    fleet: Fleet, act: Act,
) -> None:
    # #44 collides textually with #42
    act("pull_request", pr_event(fleet, "synchronize", 14), FLEETBOT_STRICT="true", code=1)
    assert fleet.outputs()["verdict"] == "conflicts"
    # #43 collides with nothing
    act("pull_request", pr_event(fleet, "synchronize", 13), FLEETBOT_STRICT="true")


@pytest.mark.parametrize(
    ("event", "name"),
    [("push", "push.5"), ("merge_group", "merge_group.checks_requested"),
     ("workflow_dispatch", "workflow_dispatch")],
)
def test_refresh_all_events(
    fleet: Fleet, act: Act, event: str, name: str,
) -> None:
    data = payload(name)
    if event == "push":
        data["ref"] = "refs/heads/main"
    data["repository"]["default_branch"] = "main"
    act(event, data)
    assert len(fleet.github.comment_bodies(12)) == 1


@pytest.mark.parametrize(
    ("event", "name", "key"),
    [("check_suite", "check_suite.completed", "check_suite"),
     ("check_run", "check_run.completed", "check_run"),
     ("workflow_run", "workflow_run.completed", "workflow_run")],
)
def test_ci_events_refresh_the_pr_at_that_head(
    fleet: Fleet, act: Act, event: str, name: str, key: str,
) -> None:
    data = payload(name)
    data["repository"]["default_branch"] = "main"
    data[key]["head_sha"] = fleet.head(13)
    data[key]["pull_requests"] = []
    act(event, data)
    assert fleet.github.latest_status(fleet.head(13), "fleetbot/order") is not None


def test_a_scheduled_run_without_a_repository_uses_github_ref(
    fleet: Fleet, act: Act,
) -> None:
    act("schedule", {"schedule": "17 */6 * * *"}, GITHUB_REF="refs/heads/main")
    assert len(fleet.github.comment_bodies(13)) == 1


def test_ci_on_a_commit_outside_the_fleet_is_ignored(
    fleet: Fleet, act: Act,
) -> None:
    data = payload("status")
    data["repository"]["default_branch"] = "main"
    act("status", data)
    assert fleet.github.writes == []
    assert fleet.outputs()["verdict"] == "ignored"


def test_refresh_comment_from_a_collaborator(
    fleet: Fleet, act: Act,
) -> None:
    data = payload("issue_comment.created")
    data["repository"]["default_branch"] = "main"
    data["comment"]["body"] = "/fleetbot refresh"
    data["comment"]["author_association"] = "COLLABORATOR"
    act("issue_comment", data)
    assert len(fleet.github.comment_bodies(14)) == 1


def test_ignored_event_says_so_and_passes(
    fleet: Fleet, act: Act,
) -> None:
    out = act("pull_request", payload("pull_request.labeled"))
    assert "::notice title=fleetbot::" in out.out
    assert fleet.outputs() == {"verdict": "ignored", "conflicts": "0", "next": "",
                               "order": "[]"}
    assert fleet.github.requests == []


def test_outside_a_workflow_is_a_clear_error(cli_invoke: Callable[..., Invocation]) -> None:
    assert "GitHub Actions workflow" in cli_invoke(["action"], code=2).err


def test_a_token_refused_at_the_first_write_falls_back_to_the_summary(
    fleet: Fleet, act: Act,
) -> None:
    fleet.github.read_only = True  # e.g. the repository's default token is read-only
    out = act("pull_request", pr_event(fleet, "synchronize", 14)).out
    assert "title=fleetbot: the token may not write" in out.replace("%3A", ":")
    assert "pull-requests: write" in out
    # one refused attempt per permission (comments, labels, statuses), nothing made
    assert [w.path for w in fleet.github.writes] == [
        "/repos/octo/tasks/issues/12/comments", "/repos/octo/tasks/labels",
        f"/repos/octo/tasks/statuses/{fleet.head(12)}"]
    assert fleet.github.comments == {}
    assert "pull_request_target" in fleet.summary()


def test_an_unknown_target_fails_the_run_with_a_summary(
    fleet: Fleet, act: Act,
) -> None:
    out = act("workflow_dispatch", payload("workflow_dispatch"),
              FLEETBOT_TARGET="no-such-branch", code=2)
    assert "::error title=fleetbot::" in out.out
    assert "could not finish" in fleet.summary()
    assert fleet.outputs()["verdict"] == "error"
    assert fleet.github.requests == []


def test_every_input_of_action_yml_is_an_option_of_the_command() -> None:
    import yaml

    from fleetbot.cli.action import action

    spec = yaml.safe_load((Path(__file__).parents[2] / "action.yml").read_text())
    run_step = next(s for s in spec["runs"]["steps"] if s.get("id") == "run")
    wanted = {v for v in run_step["env"] if v.startswith("FLEETBOT_") and v != "FLEETBOT_TOKEN"}
    assert wanted <= {p.envvar for p in action.params}


def test_the_jobs_own_failing_check_does_not_block_its_pr(
    fleet: Fleet, act: Act,
) -> None:
    """After a `strict` failure the job's own check run (`fleetbot`) is red on the PR; the
    next refresh must not call that CI failing."""
    from tests.support.fakegraphql import check

    fleet.github.pulls[13].checks = [check("test"), check("fleetbot", "FAILURE")]
    act("workflow_dispatch", payload("workflow_dispatch"), GITHUB_JOB="fleetbot")
    assert sorted(fleet.github.labels[13]) == ["fleet:review"]
    status = fleet.github.latest_status(fleet.head(13), "fleetbot/order")
    assert status is not None
    assert status["state"] == "success"
