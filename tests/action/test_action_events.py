"""`fleetbot.action.events.decide` on GitHub's published webhook examples."""

from __future__ import annotations

import pytest

from fleetbot.action.events import Scope, decide
from tests.support.webhooks import payload


@pytest.mark.parametrize(
    "name", ["pull_request.opened", "pull_request.synchronize", "pull_request.reopened",
             "pull_request.ready_for_review", "pull_request.closed"],
)
def test_pr_events_refresh_the_fleet(name: str) -> None:
    r = decide("pull_request", payload(name))
    assert r.scope is Scope.ALL
    assert (r.pull, r.branch, r.base) == (2, "changes", "master")
    assert not r.read_only
    assert r.merged == ()


def test_closed_unmerged_pr_is_not_merged() -> None:
    r = decide("pull_request", payload("pull_request.closed"))
    assert "closed" in r.notice
    assert r.merged == ()


def test_merged_pr_counts_as_merged() -> None:
    p = payload("pull_request.closed")
    p["pull_request"]["merged"] = True
    r = decide("pull_request", p)
    assert r.merged == (2,)
    assert r.merged_branches == ("changes",)
    assert "merged" in r.notice


def test_other_pr_actions_are_ignored_with_a_notice() -> None:
    r = decide("pull_request", payload("pull_request.labeled"))
    assert r.ignored
    assert "labeled" in r.notice


def test_pr_to_another_base_is_ignored() -> None:
    r = decide("pull_request", payload("pull_request.opened"), target="main")
    assert r.ignored
    assert "`master`" in r.notice


def test_fork_pr_on_pull_request_has_a_read_only_token() -> None:
    p = payload("pull_request.synchronize")
    p["pull_request"]["head"]["repo"]["full_name"] = "someone/Hello-World"
    assert decide("pull_request", p).read_only
    assert not decide("pull_request_target", p).read_only


def test_dependabot_pr_on_pull_request_has_a_read_only_token() -> None:
    p = payload("pull_request.opened")
    p["sender"]["login"] = "dependabot[bot]"
    assert decide("pull_request", p).read_only


def test_push_to_the_target_refreshes_all() -> None:
    r = decide("push", payload("push.5"))
    assert r.scope is Scope.ALL
    assert r.base == "master"


def test_push_of_a_tag_is_ignored() -> None:
    r = decide("push", payload("push"))
    assert r.ignored
    assert "refs/tags/simple-tag" in r.notice


def test_push_to_another_branch_is_ignored() -> None:
    r = decide("push", payload("push.5"), target="main")
    assert r.ignored


def test_deleted_branch_push_is_ignored() -> None:
    p = payload("push.5")
    p["deleted"] = True
    assert decide("push", p).ignored


@pytest.mark.parametrize(
    ("event", "name", "pulls"),
    [("check_suite", "check_suite.completed", (2,)),
     ("check_run", "check_run.completed", (2,)),
     ("workflow_run", "workflow_run.completed", ())],
)
def test_ci_completed_refreshes_the_heads(event: str, name: str, pulls: tuple[int, ...]) -> None:
    p = payload(name)
    r = decide(event, p)
    assert r.scope is Scope.HEADS
    assert r.heads == (p[event]["head_sha"],)
    assert r.pulls == pulls


def test_status_refreshes_its_commit() -> None:
    r = decide("status", payload("status"))
    assert r.scope is Scope.HEADS
    assert r.heads == ("6113728f27ae82c7b1a177c8d03f9e96e0adf246",)


def test_pending_status_and_our_own_status_are_ignored() -> None:
    p = payload("status")
    p["state"] = "pending"
    assert decide("status", p).ignored
    p = payload("status")
    p["context"] = "fleetbot/order"
    assert decide("status", p).ignored


def test_check_suite_requested_waits_for_completed() -> None:
    assert decide("check_suite", payload("check_suite.requested")).ignored


def test_plain_comment_is_ignored() -> None:
    r = decide("issue_comment", payload("issue_comment.created"))
    assert r.ignored
    assert "not `/fleetbot refresh`" in r.notice


@pytest.mark.parametrize("association", ["OWNER", "MEMBER", "COLLABORATOR"])
def test_refresh_command_from_a_writer(association: str) -> None:
    p = payload("issue_comment.created")
    p["comment"]["body"] = "Thanks!\n/fleetbot refresh\n"
    p["comment"]["author_association"] = association
    r = decide("issue_comment", p)
    assert r.scope is Scope.ALL
    assert "#1" in r.notice


@pytest.mark.parametrize("association", ["CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", "NONE"])
def test_refresh_command_from_others_is_ignored(association: str) -> None:
    p = payload("issue_comment.created")
    p["comment"]["body"] = "/fleetbot refresh"
    p["comment"]["author_association"] = association
    r = decide("issue_comment", p)
    assert r.ignored
    assert "only owners, members and collaborators" in r.notice


def test_refresh_command_from_a_bot_is_ignored() -> None:
    p = payload("issue_comment.created")
    p["comment"]["body"] = "/fleetbot refresh"
    p["comment"]["user"]["type"] = "Bot"
    assert decide("issue_comment", p).ignored


def test_refresh_command_on_a_pr_names_it() -> None:
    p = payload("issue_comment.created")
    p["comment"]["body"] = "/FLEETBOT refresh please"
    p["issue"]["pull_request"] = {"url": "x"}
    assert decide("issue_comment", p).pull == 1


def test_issue_opened_refreshes_all() -> None:
    assert decide("issues", payload("issues.opened")).scope is Scope.ALL


def test_issue_assignment_is_ignored() -> None:
    p = payload("issues.opened")
    p["action"] = "assigned"
    assert decide("issues", p).ignored


def test_merge_group_refreshes_all() -> None:
    r = decide("merge_group", payload("merge_group.checks_requested"))
    assert r.scope is Scope.ALL
    assert r.base == "main"


@pytest.mark.parametrize("event", ["workflow_dispatch", "schedule"])
def test_manual_and_scheduled_runs_refresh_all(event: str) -> None:
    p = payload("workflow_dispatch") if event == "workflow_dispatch" else {}
    assert decide(event, p).scope is Scope.ALL


def test_unknown_event_is_ignored_with_a_notice() -> None:
    r = decide("star", {"action": "created"})
    assert r.ignored
    assert "`star`" in r.notice


def test_every_trigger_of_the_example_workflow_is_handled() -> None:
    from pathlib import Path

    import yaml

    from fleetbot.action.events import SUPPORTED_EVENTS

    wf = yaml.safe_load((Path(__file__).parents[2] / "examples/workflows/fleetbot.yml")
                        .read_text())
    triggers = set(wf[True])  # YAML 1.1 reads `on` as True
    assert triggers <= set(SUPPORTED_EVENTS)
