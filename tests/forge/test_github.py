"""The GitHub adapter against a fake GitHub that speaks (and checks) GitHub's real shapes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fleetbot.errors import ForgeCause, ForgeError
from fleetbot.forge import MARKER, Action, ActionKind
from fleetbot.forge.github import GithubForge, decipher
from fleetbot.forge.ratelimit import Deadline
from fleetbot.model import CIState, CommitStatus, ReviewState, StatusState
from tests.forge.conftest import TOKEN
from tests.support.fakegithub import FakeGithub, check, status_ctx
from tests.support.fakeserver import mount

Make = Callable[..., GithubForge]


def test_state_reads_every_open_pr_in_one_query(gh: FakeGithub, forge: Make) -> None:
    gh.add_pull(1, "feat/a", draft=True, review="APPROVED", checks=[check("test")])
    gh.add_pull(2, "feat/b", checks=[check("lint", "FAILURE")])
    gh.add_pull(3, "feat/c", merged=True)
    gh.labels[1] = ["fleet:running", "bug"]
    gh.repo_labels["fleet:running"] = "fbca04"
    gh.add_comment(2, "thanks!")
    cid = gh.add_comment(2, f"{MARKER}\nold report")

    state = forge().state(branches=["feat/c"])

    assert len(gh.requests) == 2  # the open PRs, then the plan branches' merged PRs
    assert state.requests == 2
    a, b = state.pulls
    assert (a.number, a.branch, a.draft, a.review, a.ci) == (
        1, "feat/a", True, ReviewState.APPROVED, CIState.SUCCESS)
    assert a.labels == ("fleet:running", "bug")
    assert b.ci is CIState.FAILURE
    assert [p.number for p in state.merged] == [3]
    assert state.repo_labels == {"fleet:running"}
    assert state.comment_for(2) is not None
    assert state.comment_for(2).id == cid
    assert state.comment_for(1) is None


def test_pagination_follows_the_cursor(gh: FakeGithub, forge: Make) -> None:
    for n in range(1, 8):
        gh.add_pull(n, f"feat/{n}")
    state = forge(page_size=3).state()
    assert [p.number for p in state.pulls] == list(range(1, 8))
    assert len(gh.requests) == 3


def test_rest_pagination_follows_the_link_header(gh: FakeGithub, forge: Make) -> None:
    files = [f"src/f{i}.py" for i in range(150)]
    gh.add_pull(5, "feat/e", files=files)
    assert forge().pull_files(5) == tuple(files)
    assert len(gh.requests) == 2


def test_502_then_success(gh: FakeGithub, forge: Make) -> None:
    gh.add_pull(1, "feat/a")
    gh.fail("POST", "/graphql", 502)
    state = forge().state()
    assert [p.number for p in state.pulls] == [1]
    assert len(gh.requests) == 2


def test_secondary_rate_limit_honours_retry_after(gh: FakeGithub, forge: Make) -> None:
    gh.add_pull(1, "feat/a")
    gh.fail("POST", "/graphql", 403, headers={"Retry-After": "7"},
            message="You have exceeded a secondary rate limit.")
    assert [p.number for p in forge().state().pulls] == [1]
    assert len(gh.requests) == 2


def test_retry_sleeps_retry_after_seconds(sleeps: list[float]) -> None:
    """urllib3 (not `responses`) does the sleeping: check the retry we configure."""
    from urllib3 import HTTPResponse

    from fleetbot.forge.github import _BoundedRetry, _retry

    retry = _retry(_BoundedRetry, 5)
    response = HTTPResponse(status=403, headers={"Retry-After": "7"}, preload_content=False)
    retry = retry.increment("POST", "/graphql", response=response)
    retry.sleep(response)
    assert sleeps == [7.0]


def test_404_pr_is_a_clear_error(gh: FakeGithub, forge: Make) -> None:
    with pytest.raises(ForgeError, match=r"PR #42 not found in octo/fleet"):
        forge().pull(42)


def test_pull_by_number(gh: FakeGithub, forge: Make) -> None:
    gh.add_pull(4, "feat/d", body="Closes #2")
    pull = forge().pull(4)
    assert (pull.number, pull.branch, pull.state, pull.body) == (4, "feat/d", "open", "Closes #2")


def test_comment_created_once(gh: FakeGithub, forge: Make) -> None:
    gh.add_pull(1, "feat/a")
    forge().apply([Action(ActionKind.CREATE_COMMENT, 1, body=f"{MARKER}\nhello")])
    assert [c["body"] for c in gh.sticky(1)] == [f"{MARKER}\nhello"]


def test_create_finds_a_comment_a_racing_run_made(gh: FakeGithub, forge: Make) -> None:
    gh.add_pull(1, "feat/a")
    gh.add_comment(1, f"{MARKER}\nfrom the other run")
    forge().apply([Action(ActionKind.CREATE_COMMENT, 1, body=f"{MARKER}\nmine")])
    assert [c["body"] for c in gh.sticky(1)] == [f"{MARKER}\nmine"]
    assert [w.method for w in gh.writes] == ["PATCH"]


def test_post_that_502s_but_was_applied_leaves_one_comment(gh: FakeGithub, forge: Make) -> None:
    gh.add_pull(1, "feat/a")
    gh.fail("POST", r"/issues/1/comments$", 502, applied=True)
    forge().apply([Action(ActionKind.CREATE_COMMENT, 1, body=f"{MARKER}\nhello")])
    assert len(gh.sticky(1)) == 1
    assert [w.method for w in gh.writes] == ["POST"]


def test_post_that_502s_unapplied_is_retried(gh: FakeGithub, forge: Make) -> None:
    gh.add_pull(1, "feat/a")
    gh.fail("POST", r"/issues/1/comments$", 502)
    forge().apply([Action(ActionKind.CREATE_COMMENT, 1, body=f"{MARKER}\nhello")])
    assert len(gh.sticky(1)) == 1
    assert [w.method for w in gh.writes] == ["POST", "POST"]


def test_read_only_token_names_the_permission_and_skips_what_would_fail_alike(
    gh: FakeGithub, forge: Make
) -> None:
    gh.add_pull(1, "feat/a")
    gh.read_only = True
    actions = [
        Action(ActionKind.CREATE_LABEL, label="fleet:review", color="0075ca"),
        Action(ActionKind.ADD_LABEL, 1, label="fleet:review"),
        Action(ActionKind.CREATE_COMMENT, 1, body=f"{MARKER}\nhi"),
    ]
    applied = forge().apply(actions)
    assert [(r.action, r.cause) for r in applied.refused] == [
        (actions[0], ForgeCause.PERMISSION), (actions[2], ForgeCause.PERMISSION)]
    assert applied.refused[0].message == (
        "GitHub refused to create label 'fleet:review' (#0075ca) in octo/fleet (403): the "
        "token lacks `issues: write`. In a workflow, grant `permissions: issues: write`; pull "
        "requests from forks only get a read-only token.")
    assert "`pull-requests: write`" in applied.refused[1].message
    assert applied.skipped == (actions[1],)  # its label could not be created
    assert applied.written == ()
    assert gh.repo_labels == {}
    assert gh.labels == {}
    assert gh.comments == {}
    # the refused label, the comment's re-read and its refused POST
    assert [(w.method, w.path) for w in gh.writes] == [
        ("POST", "/repos/octo/fleet/labels"), ("POST", "/repos/octo/fleet/issues/1/comments")]


def test_after_a_refused_write_the_independent_ones_still_happen(
    gh: FakeGithub, forge: Make
) -> None:
    gh.add_pull(1, "feat/a")
    gh.fail("POST", r"/issues/1/comments$", 422, message="Validation Failed")
    status = Action(ActionKind.SET_STATUS, 1, sha="b" * 40, context="fleetbot/order",
                    state=StatusState.SUCCESS, description="in order")
    applied = forge().apply([Action(ActionKind.CREATE_COMMENT, 1, body=f"{MARKER}\nhi"),
                             status])
    assert [r.cause for r in applied.refused] == [ForgeCause.OTHER]
    assert applied.written == (status,)
    assert applied.report().splitlines()[-1] == (
        "Written: 1; not written: 1 (create comment on PR #1 (20 chars)).")


def test_no_token_refuses_before_any_request(gh: FakeGithub, forge: Make) -> None:
    applied = forge(token="").apply([Action(ActionKind.ADD_LABEL, 1, label="fleet:next"),
                                     Action(ActionKind.ADD_LABEL, 2, label="fleet:next")])
    assert [r.cause for r in applied.refused] == [ForgeCause.NO_TOKEN]
    assert "set GITHUB_TOKEN or GH_TOKEN" in applied.refused[0].message
    assert len(applied.skipped) == 1
    assert gh.requests == []


def test_decipher_types_each_refusal_by_its_cause() -> None:
    limit = "You have exceeded a secondary rate limit. Please wait a few minutes."
    assert decipher(403, {"x-ratelimit-remaining": "0"}, {"message": "API rate limit "
                    "exceeded for installation"}) is ForgeCause.RATE_LIMIT
    assert decipher(403, {"X-RateLimit-Remaining": "0"}, {}) is ForgeCause.RATE_LIMIT
    assert decipher(403, {}, {"message": limit}) is ForgeCause.SECONDARY_RATE_LIMIT
    assert decipher(429, {"retry-after": "60"}, {}) is ForgeCause.SECONDARY_RATE_LIMIT
    assert decipher(403, {"x-ratelimit-remaining": "4999"},
                    {"message": "Resource not accessible by integration"}) \
        is ForgeCause.PERMISSION
    assert decipher(401, {}, {"message": "Bad credentials"}) is ForgeCause.AUTH
    assert decipher(404, {}, {"message": "Not Found"}) is ForgeCause.NOT_FOUND
    assert decipher(422, {}, {"message": "Validation Failed", "errors": [
        {"code": "custom", "message": "Body is too long (maximum is 65536 characters)"}]}) \
        is ForgeCause.TOO_LARGE
    assert decipher(422, {}, {"message": "Validation Failed"}) is ForgeCause.OTHER
    assert decipher(0, {}, None) is ForgeCause.UNREACHABLE


def test_token_never_in_an_error(gh: FakeGithub, forge: Make, rsps) -> None:  # type: ignore[no-untyped-def]
    gh.fail("POST", "/graphql", 401, message=f"Bad credentials token {TOKEN}", times=10)
    with pytest.raises(ForgeError) as err:
        forge().state()
    assert TOKEN not in str(err.value)
    assert "401" in str(err.value)
    assert "GITHUB_TOKEN" in str(err.value)


def test_labels_and_dependencies_round_trip(gh: FakeGithub, forge: Make) -> None:
    gh.add_pull(1, "feat/a")
    gh.issues.update({10, 11})
    gh.labels[1] = ["fleet:running", "keep-me"]
    f = forge()
    f.apply([
        Action(ActionKind.CREATE_LABEL, label="fleet:review", color="0075ca"),
        Action(ActionKind.ADD_LABEL, 1, label="fleet:review"),
        Action(ActionKind.REMOVE_LABEL, 1, label="fleet:running"),
        Action(ActionKind.ADD_DEPENDENCY, 11, other=10),
    ])
    assert gh.labels[1] == ["keep-me", "fleet:review"]
    assert gh.deps == {11: {10}}
    state = f.state(issues=[10, 11])
    assert state.issue(11).blocked_by == (10,)  # type: ignore[union-attr]
    f.apply([Action(ActionKind.REMOVE_DEPENDENCY, 11, other=10, other_id=1010)])
    assert gh.deps == {11: set()}


def test_commit_status_is_an_action(gh: FakeGithub, forge: Make) -> None:
    applied = forge().apply([Action(
        ActionKind.SET_STATUS, 3, sha="b" * 40, context="fleetbot/order",
        state=StatusState.SUCCESS, description="merge #3 next",
        target_url="https://github.com/octo/fleet/actions/runs/1")])
    assert applied.complete
    assert [(w.method, w.path, w.body) for w in gh.writes] == [(
        "POST", f"/repos/octo/fleet/statuses/{'b' * 40}",
        {"state": "success", "context": "fleetbot/order", "description": "merge #3 next",
         "target_url": "https://github.com/octo/fleet/actions/runs/1"})]


def test_commit_status_403_names_statuses_write(gh: FakeGithub, forge: Make) -> None:
    gh.read_only = True
    applied = forge().apply([Action(ActionKind.SET_STATUS, sha="b" * 40,
                                    context="fleetbot/order", state=StatusState.SUCCESS)])
    assert "the token lacks `statuses: write`" in applied.refused[0].message


def test_the_refresh_reads_fleetbots_statuses_from_the_rollup(gh: FakeGithub, forge: Make) -> None:
    gh.add_pull(1, "feat/a", sha="c" * 40, checks=[check("test")])
    gh.statuses["c" * 40] = [{"id": 1, "context": "fleetbot/order", "state": "pending",
                              "description": "waiting for #1", "target_url": None}]
    state = forge().state()
    assert state.statuses == (CommitStatus("c" * 40, "fleetbot/order", StatusState.PENDING,
                                           "waiting for #1"),)
    assert state.status_heads == frozenset({"c" * 40})
    assert state.pulls[0].ci is CIState.SUCCESS  # its own status is not CI
    assert len(gh.requests) == 1


def test_enterprise_base_url(rsps, forge: Make) -> None:  # type: ignore[no-untyped-def]
    ghes = mount(FakeGithub(base="https://ghe.example.com/api/v3"), rsps)
    ghes.add_pull(1, "feat/a")
    f = GithubForge("octo/fleet", token=TOKEN, base_url="https://ghe.example.com/api/v3",
                    throttle=False)
    assert [p.number for p in f.state().pulls] == [1]
    assert [r.url for r in ghes.requests] == ["https://ghe.example.com:443/api/graphql"]


def test_status_contexts_and_reruns(gh: FakeGithub, forge: Make) -> None:
    gh.add_pull(1, "feat/a", checks=[
        check("test", "FAILURE", at="2026-01-01T00:00:00Z"),
        check("test", "SUCCESS", at="2026-01-02T00:00:00Z"),
        check("docs", "SKIPPED"),
        status_ctx("ci/legacy", "PENDING"),
    ])
    assert forge().state().pulls[0].ci is CIState.PENDING


def test_a_30_pr_refresh_costs_at_most_6_requests(gh: FakeGithub, forge: Make) -> None:
    for n in range(1, 31):
        gh.add_pull(n, f"feat/{n}", checks=[check("test")])
        gh.add_comment(n, f"{MARKER}\nreport")
    state = forge().state()
    assert len(state.pulls) == 30 and len(state.comments) == 30
    assert len(gh.requests) <= 6


def test_rate_limited_write_is_retried_once_applied(gh: FakeGithub, forge: Make) -> None:
    gh.add_pull(1, "feat/a")
    gh.fail("POST", r"/issues/1/labels$", 403, headers={"Retry-After": "3"},
            message="You have exceeded a secondary rate limit.")
    forge().apply([Action(ActionKind.ADD_LABEL, 1, label="fleet:review")])
    assert gh.labels[1] == ["fleet:review"]
    assert [w.method for w in gh.writes] == ["POST", "POST"]


def test_read_state_without_a_token_is_a_note(gh: FakeGithub, forge: Make) -> None:
    from fleetbot.forge import read_state

    gh.fail("POST", "/graphql", 401, message="Requires authentication", times=5)
    state = read_state(forge(token=""))
    assert state.pulls == ()
    assert "skipped: no GITHUB_TOKEN" in state.notes[0]
    gh.fail("POST", "/graphql", 401, message="Bad credentials", times=5)
    with pytest.raises(ForgeError):
        read_state(forge())


def test_a_blocker_that_is_a_pr_is_linked_by_its_issue_id(gh: FakeGithub, forge: Make) -> None:
    """GraphQL's PullRequest.databaseId is the pull's id; the dependency API wants the id
    of the PR's issue, which only REST gives."""
    gh.add_pull(10, "feat/a")
    gh.issues.add(11)
    f = forge()
    blocker = f.state(issues=[10, 11]).issue(10)
    assert blocker is not None
    f.apply([Action(ActionKind.ADD_DEPENDENCY, 11, other=10, other_id=blocker.id)])
    assert gh.deps == {11: {10}}


def test_a_label_or_link_that_already_exists_is_no_error(gh: FakeGithub, forge: Make) -> None:
    """GitHub answers 422 (its `validation-failed` shape, checked by the fake) to both."""
    gh.repo_labels["fleet:review"] = "0075ca"
    gh.issues.update({10, 11})
    gh.deps[11] = {10}
    forge().apply([
        Action(ActionKind.CREATE_LABEL, label="fleet:review", color="0075ca"),
        Action(ActionKind.ADD_DEPENDENCY, 11, other=10, other_id=1010),
    ])
    assert gh.repo_labels == {"fleet:review": "0075ca"}
    assert gh.deps == {11: {10}}
    assert [w.path for w in gh.writes] == [
        "/repos/octo/fleet/labels", "/repos/octo/fleet/issues/11/dependencies/blocked_by"]


def test_a_merged_pr_is_found_however_many_merged_after_it(gh: FakeGithub, forge: Make) -> None:
    """GitHub answers `first: 20` with 20: reading "the last 20 merged" loses #42."""
    gh.add_pull(42, "feature/42", merged=True, merged_as="c" * 40)
    for n in range(100, 125):
        gh.add_pull(n, f"other/{n}", merged=True)
    state = forge().state(branches=["feature/42", "feature/none"])
    assert [(p.number, p.branch, p.merged_as) for p in state.merged] == [
        (42, "feature/42", "c" * 40)]
    assert len(gh.requests) == 2


def test_a_plan_issue_that_does_not_exist_is_a_note(gh: FakeGithub, forge: Make) -> None:
    gh.issues.update({1, 2})
    state = forge().state(issues=[1, 2, 99])
    assert [i.number for i in state.issues] == [1, 2]
    assert state.missing_issues == (99,)
    assert state.notes == ("plan issue(s) #99 not found in octo/fleet (mistyped, deleted or "
                           "transferred?): their rows get no issue label or link",)


def test_an_older_ghes_without_dependencies_degrades_once(gh: FakeGithub, forge: Make) -> None:
    gh.issues.update({1, 2, 3})
    gh.dependencies = False
    state = forge().state(issues=[1, 2, 3])
    assert not state.links_supported
    assert [n for n in state.notes if n.startswith("links not supported here")] == [
        "links not supported here: https://api.github.com has no issue dependencies API; "
        "`Depends on` is not mirrored"]
    blocked_by = [r for r in gh.requests if r.path.endswith("/blocked_by")]
    assert len(blocked_by) == 1  # asked once, not once per issue
    assert len(forge().state(issues=[1, 2, 3], links=False).issues) == 3


def test_the_jobs_own_check_run_is_not_ci(gh: FakeGithub, forge: Make) -> None:
    gh.add_pull(1, "feat/a", checks=[check("test"), check("fleetbot", "FAILURE")])
    assert forge().state().pulls[0].ci is CIState.FAILURE
    assert forge(own_checks=["fleetbot"]).state().pulls[0].ci is CIState.SUCCESS


def test_checks_past_the_first_100_are_read(gh: FakeGithub, forge: Make) -> None:
    checks = [check(f"c{i}") for i in range(150)] + [check("late", "FAILURE")]
    gh.add_pull(1, "feat/a", checks=checks)
    state = forge().state()
    assert state.pulls[0].ci is CIState.FAILURE
    assert state.requests == 2


def test_a_wait_longer_than_the_run_allows_gives_up_and_says_so(
    gh: FakeGithub, forge: Make
) -> None:
    gh.fail("POST", "/graphql", 403, headers={"Retry-After": "3600"},
            message="You have exceeded a secondary rate limit.")
    with pytest.raises(ForgeError) as err:
        forge(deadline=Deadline.after(30)).state()
    assert err.value.cause is ForgeCause.SECONDARY_RATE_LIMIT
    assert "gave up: GitHub's secondary rate limit (too many requests at once) asks to " \
        "wait 3600s" in str(err.value)
