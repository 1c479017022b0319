"""The GitLab adapter against a fake project that answers as GitLab's REST API v4 does:
requests are checked by what the fake accepts (its `violations`), not restated here."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses

from fleetbot.errors import ForgeCause, ForgeError
from fleetbot.forge import MARKER, Action, ActionKind
from fleetbot.forge.gitlab import JOB_TOKEN_NOTE, LICENCE_NOTE, GitlabForge, decipher
from fleetbot.forge.gitlab_shapes import (
    GRAPHQL_NOTE,
    NO_LINKS_NOTE,
    jobs_ci,
    mr_facts,
    review_state,
)
from fleetbot.forge.types import ForgeState
from fleetbot.model import CIState, CommitStatus, Plan, ReviewState, Row, StatusState
from fleetbot.writes.comment import comment_actions
from fleetbot.writes.labels import LabelTarget, label_actions
from fleetbot.writes.links import link_actions
from tests.forge.fakegitlab import BOT, FakeGitlab, shape

TOKEN = "glpat-SECRETsecret12345"
PLAN = Plan(rows=(Row("#6", "feat/a"), Row("#7", "feat/b", depends_on=("#6",))))


def plan_actions(state: ForgeState, plan: Plan = PLAN) -> list[Action]:
    return [*comment_actions([(1, "report")], state),
            *label_actions((LabelTarget(1, frozenset({"fleet:review"})),
                            LabelTarget(7, frozenset({"fleet:planned"}), on_issue=True)), state),
            *link_actions(plan, state)]


@pytest.fixture
def gl(rsps: responses.RequestsMock) -> Iterator[FakeGitlab]:
    fake = FakeGitlab(rsps)
    yield fake
    fake.check()


def forge(token: str = TOKEN, job_token: str = "") -> GitlabForge:
    return GitlabForge("grp/proj", url="https://gitlab.example.com", token=token,
                       job_token=job_token)


def test_state(gl: FakeGitlab) -> None:
    gl.add_mr(1, "feat/a", pipeline="failed", labels=["fleet:running", "ux"])
    gl.add_mr(2, "feat/b", pipeline="running", draft=True, approved_by=[7])
    gl.add_mr(3, "feat/c", merged=True)
    gl.add_note(2, "lgtm")
    nid = gl.add_note(2, f"{MARKER}\nold", author=BOT)
    gl.labels["fleet:running"] = "#fbca04"
    gl.links[5] = [(4, 77, "is_blocked_by"), (9, 78, "relates_to")]
    state = forge().state(issues=[4, 5])
    a, b = state.pulls
    assert (a.number, a.branch, a.ci, a.labels, a.review) == (
        1, "feat/a", CIState.FAILURE, ("fleet:running", "ux"), ReviewState.NONE)
    assert (b.ci, b.draft, b.review) == (CIState.PENDING, True, ReviewState.APPROVED)
    assert [m.number for m in state.merged] == [3]
    assert state.comment_for(2).id == nid  # type: ignore[union-attr]
    assert state.repo_labels == {"fleet:running"}
    assert state.issue(5).blocked_by == (4,)  # type: ignore[union-attr]
    assert state.issue(5).link_ids == ((4, 77),)  # type: ignore[union-attr]
    assert state.status_heads == {f"{1:040x}", f"{2:040x}"}


def test_a_note_with_the_marker_by_someone_else_is_not_the_sticky(gl: FakeGitlab) -> None:
    gl.add_mr(1, "feat/a")
    gl.add_note(1, f"{MARKER}\nquoted by a person")
    f = forge()
    assert f.state().comments == ()
    f.apply([Action(ActionKind.CREATE_COMMENT, 1, body=f"{MARKER}\nmine")])
    assert [n["author"]["id"] for n in gl.sticky(1)] == [7, BOT["id"]]


def test_budget_only_fleet_mrs_in_detail_pages_counted(gl: FakeGitlab) -> None:
    for i in range(1, 131):
        gl.add_mr(i, f"feat/{i}", approved_by=[7] if i % 2 else [])
    for i in range(1, 31):
        for j in range(120):  # older chatter: beyond the newest page
            gl.add_note(i, f"comment {j}")
        gl.add_note(i, f"{MARKER}\nreport", author=BOT)
        gl.links[100 + i] = [(100 + i - 1, 500 + i, "is_blocked_by")] if i % 5 == 0 else []
    state = forge().state(range(101, 131), branches=[f"feat/{i}" for i in range(1, 31)])
    assert len(state.pulls) == 130 and len(state.comments) == 30
    assert [p.review for p in state.pulls[:4]] == [ReviewState.APPROVED, ReviewState.NONE] * 2
    assert len(state.issues) == 30 and state.issue(105).link_ids == ((104, 505),)  # type: ignore[union-attr]
    # 2 pages of open MRs, one GraphQL request (labels, the token's user, the 30 MRs'
    # approvals and newest notes, the 30 issues and their links), then one commit-statuses
    # read per fleet MR (each has an open MR, so no merged one is looked up)
    assert state.requests == len(gl.calls) == 3 + 30
    assert [c[1] for c in gl.calls[:3]] == ["/merge_requests", "/merge_requests", "/graphql"]
    assert all(c[1].endswith("/statuses") for c in gl.calls[3:])


def test_an_older_gitlab_without_the_graphql_fields_is_read_over_rest(gl: FakeGitlab) -> None:
    gl.graphql = False
    gl.add_mr(1, "feat/a", approved_by=[7])
    gl.add_note(1, f"{MARKER}\nreport", author=BOT)
    gl.links[5] = [(4, 77, "is_blocked_by")]
    state = forge().state(issues=[5])
    assert state.notes == (GRAPHQL_NOTE.format(
        why="Field 'linkedWorkItems' doesn't exist on type 'Issue'"),)
    assert state.pulls[0].review is ReviewState.APPROVED and len(state.comments) == 1
    assert state.issue(5).link_ids == ((4, 77),)  # type: ignore[union-attr]
    assert sorted(c[1] for c in gl.calls) == sorted([
        "/merge_requests", "/merge_requests", "/graphql", "/labels",
        f"/repository/commits/{1:040x}/statuses", "/merge_requests/1/approvals",
        "/merge_requests/1/notes", "/user", "/issues", "/issues/5/links"])


def test_the_note_search_reads_on_until_it_finds_the_bots_note(gl: FakeGitlab) -> None:
    gl.add_mr(1, "feat/a")
    nid = gl.add_note(1, f"{MARKER}\nreport", author=BOT)
    for j in range(150):
        gl.add_note(1, f"comment {j}")
    assert forge().find_comment(1).id == nid  # type: ignore[union-attr]
    assert sum(c[1] == "/merge_requests/1/notes" for c in gl.calls) == 2


def test_a_fleet_branch_without_an_open_mr_finds_its_merged_one_however_old(
        gl: FakeGitlab) -> None:
    gl.add_mr(1, "feat/a", merged=True, merged_as="c" * 40)
    for i in range(2, 40):
        gl.add_mr(i, f"other/{i}", merged=True)  # merged later: beyond a window of 20
    gl.add_mr(50, "feat/b")
    state = forge().state(branches=["feat/a", "feat/b", "feat/never"])
    assert [(m.number, m.branch, m.merged_as) for m in state.merged] == [
        (1, "feat/a", "c" * 40)]
    assert sorted(c[1] for c in gl.calls).count("/merge_requests") == 3  # open + 2 lookups


def test_landed_branches_merged_lately_cost_one_read_together(gl: FakeGitlab) -> None:
    gl.add_mr(1, "feat/old", merged=True)
    for i in range(2, 120):
        gl.add_mr(i, f"other/{i}", merged=True)  # feat/old is beyond the latest 100
    for i in range(1, 6):
        gl.add_mr(200 + i, f"feat/{i}", merged=True)
    state = forge().state(branches=[*(f"feat/{i}" for i in range(1, 6)), "feat/old"])
    assert sorted(m.branch for m in state.merged) == [*(f"feat/{i}" for i in range(1, 6)),
                                                      "feat/old"]
    # the open MRs, the latest 100 merged ones, then one lookup for feat/old
    assert sum(c[1] == "/merge_requests" for c in gl.calls) == 3


def test_without_links_no_link_is_read(gl: FakeGitlab) -> None:
    gl.links[5] = [(4, 77, "is_blocked_by")]
    state = forge().state(issues=[5], links=False)
    assert state.issue(5).blocked_by == ()  # type: ignore[union-attr]
    assert all(not c[1].endswith("/links") for c in gl.calls)


def test_writes_round_trip_and_second_run_is_empty(gl: FakeGitlab) -> None:
    gl.add_mr(1, "feat/a", labels=["fleet:running", "ux"])
    f = forge()
    assert f.apply(plan_actions(f.state(issues=[6, 7]))).complete
    assert gl.mrs[1].labels == ["ux", "fleet:review"]
    assert gl.issue_labels[7] == ["fleet:planned"]
    assert [n["body"] for n in gl.sticky(1)] == [f"{MARKER}\nreport"]
    assert gl.links[7] == [(6, gl.links[7][0][1], "is_blocked_by")]
    assert sum(c[1] == "" for c in gl.calls) == 0  # the project id: from the MR list
    gl.calls.clear()
    assert plan_actions(f.state(issues=[6, 7])) == []
    assert gl.writes == []
    dropped = Plan(rows=(Row("#6", "a"), Row("#7", "b")))
    assert f.apply(link_actions(dropped, f.state(issues=[6, 7]))).complete
    assert gl.links[7] == []


def test_free_tier_degrades_links_once_and_writes_the_rest(gl: FakeGitlab) -> None:
    gl.tier = "free"
    gl.add_mr(1, "feat/a")
    f = forge()
    plan = Plan(rows=(Row("#6", "a"), Row("#7", "b", depends_on=("#6",)),
                      Row("#8", "c", depends_on=("#6", "#7"))))
    applied = f.apply(plan_actions(f.state(issues=[6, 7, 8]), plan))
    assert applied.refused == ()
    assert applied.notes == (LICENCE_NOTE.format(label="fleet:no-blocked-links"),)
    assert [a.kind for a in applied.skipped] == [ActionKind.ADD_DEPENDENCY] * 3
    assert applied.written[-1].describe() == "create label 'fleet:no-blocked-links' (#cccccc)"
    assert sum(c[0] == "POST" and c[1].endswith("/links") for c in gl.calls) == 1
    assert gl.mrs[1].labels == ["fleet:review"] and len(gl.sticky(1)) == 1
    assert gl.links == {}
    assert "fleet:no-blocked-links" in gl.labels
    # the next refresh finds the label: no link is read or tried, nothing is written
    gl.calls.clear()
    later = forge().state(issues=[6, 7, 8])
    assert later.links_supported is False
    assert later.notes == (NO_LINKS_NOTE.format(label="fleet:no-blocked-links"),)
    assert not any(c[1].endswith("/links") for c in gl.calls)
    assert plan_actions(later, plan) == []
    assert gl.writes == []


def test_job_token_reads_what_it_may_and_says_what_it_skipped(gl: FakeGitlab) -> None:
    gl.add_mr(1, "feat/a")
    gl.add_note(1, f"{MARKER}\nreport", author=BOT)
    f = forge(token="", job_token="job-SECRET-123456789")
    state = f.state(issues=[6, 7])
    assert state.notes == (JOB_TOKEN_NOTE,)
    assert [p.number for p in state.pulls] == [1] and len(state.comments) == 1
    assert state.issues == () and not state.links_supported
    assert not f.can_write
    applied = f.apply([Action(ActionKind.ADD_LABEL, 1, label="fleet:review")])
    assert applied.refused[0].cause is ForgeCause.NO_TOKEN
    assert "CI_JOB_TOKEN cannot write" in applied.refused[0].message
    assert gl.writes == []


def test_note_post_that_502s_but_was_applied_is_not_duplicated(gl: FakeGitlab) -> None:
    gl.add_mr(1, "feat/a")
    gl.fail_next.append(("POST", r"/merge_requests/1/notes", 502, True))
    forge().apply([Action(ActionKind.CREATE_COMMENT, 1, body=f"{MARKER}\nhi")])
    assert len(gl.sticky(1)) == 1
    assert [c[0] for c in gl.writes] == ["POST"]


def test_transient_read_errors_are_retried(gl: FakeGitlab, sleeps: list[float]) -> None:
    gl.add_mr(1, "feat/a")
    gl.fail_next.append(("GET", r"/merge_requests", 502, False))
    assert [p.number for p in forge().state().pulls] == [1]
    assert sleeps  # python-gitlab backed off (without really sleeping)


def test_404_mr(gl: FakeGitlab) -> None:
    with pytest.raises(ForgeError, match=r"MR !9 not found in grp/proj"):
        forge().pull(9)


def test_a_missing_role_is_named_and_nothing_is_written(gl: FakeGitlab) -> None:
    gl.add_mr(1, "feat/a")
    gl.role = "guest"
    applied = forge().apply([Action(ActionKind.ADD_LABEL, 1, label="fleet:review"),
                             Action(ActionKind.CREATE_COMMENT, 1, body="x")])
    (refusal,) = applied.refused
    assert refusal.cause is ForgeCause.PERMISSION
    assert refusal.message == (
        "GitLab refused (403) add label 'fleet:review' to PR #1 in grp/proj: missing the "
        "Reporter role in the project (or the token's user is not a member); needs the "
        "Reporter role and the `api` scope.")
    assert [a.kind for a in applied.skipped] == [ActionKind.CREATE_COMMENT]
    assert TOKEN not in applied.report()
    assert gl.mrs[1].labels == []


def test_a_read_only_scope_is_named(gl: FakeGitlab) -> None:
    gl.add_mr(1, "feat/a")
    gl.scopes = ("read_api",)
    applied = forge().apply([Action(ActionKind.SET_STATUS, 1, sha="c" * 40,
                                    context="fleetbot/order", state=StatusState.SUCCESS)])
    assert applied.refused[0].message == (
        f"GitLab refused (403) set fleetbot/order on PR #1 ({'c' * 7}): success:  in "
        "grp/proj: missing the token's scopes: it needs `api`; needs the Developer role and "
        "the `api` scope.")


def test_commit_status_is_an_action_and_reads_back(gl: FakeGitlab) -> None:
    sha = "c" * 40
    f = forge()
    assert f.apply([Action(ActionKind.SET_STATUS, 1, sha=sha, context="fleetbot/order",
                           state=StatusState.FAILURE, description="blocked",
                           target_url="https://ci.example/1")]).complete
    assert f.commit_statuses([sha, "d" * 40], "fleetbot/order") == {
        sha: CommitStatus(sha, "fleetbot/order", StatusState.FAILURE, "blocked",
                          "https://ci.example/1")}


def test_decipher() -> None:
    assert decipher(403, "Blocked issues not available for current license") \
        is ForgeCause.LICENCE
    assert decipher(403, "403 Forbidden") is ForgeCause.PERMISSION
    assert decipher(401, "") is ForgeCause.AUTH
    assert decipher(404, "") is ForgeCause.NOT_FOUND
    assert decipher(429, "") is ForgeCause.RATE_LIMIT
    assert decipher(0, "") is ForgeCause.UNREACHABLE


def test_unplanned_files(gl: FakeGitlab) -> None:
    gl.add_mr(3, "stray", files=["a.py", "b/c.py"])
    assert forge().pull_files(3) == ("a.py", "b/c.py")


def test_what_the_list_already_says_is_not_read_again(gl: FakeGitlab) -> None:
    gl.graphql = False  # over REST, as on a GitLab whose schema cannot answer
    gl.add_mr(1, "feat/a", approvals_required=1)  # not approved, no notes yet
    gl.add_mr(2, "feat/b", approved_by=[7], approvals_required=1)
    state = forge().state()
    assert [p.review for p in state.pulls] == [ReviewState.REVIEW_REQUIRED,
                                               ReviewState.APPROVED]
    assert sorted(c[1] for c in gl.calls if c[1].startswith("/merge_requests/")) == [
        "/merge_requests/2/approvals"]


def test_without_a_token_a_public_project_is_still_read(gl: FakeGitlab) -> None:
    gl.add_mr(1, "feat/a")
    gl.add_note(1, f"{MARKER}\nreport", author=BOT)
    state = forge(token="").state()
    assert [p.number for p in state.pulls] == [1] and len(state.comments) == 1
    assert all(c[1] != "/user" for c in gl.calls)


def test_reading_gitlabs_answers() -> None:
    assert jobs_ci([]) is CIState.NONE
    assert jobs_ci([{"status": "success"}, {"status": "failed", "allow_failure": True}]) \
        is CIState.SUCCESS
    assert jobs_ci([{"status": "success"}, {"status": "running"}]) is CIState.PENDING
    assert jobs_ci([{"status": "running"}, {"status": "canceled"}]) is CIState.FAILURE
    mr = {"detailed_merge_status": "mergeable"}
    assert review_state({"approved": True, "approved_by": []}, mr) is ReviewState.NONE
    assert review_state({"approved": False, "approvals_left": 1, "approved_by": []}, mr) \
        is ReviewState.REVIEW_REQUIRED
    assert review_state(None, {"detailed_merge_status": "not_approved"}) \
        is ReviewState.REVIEW_REQUIRED


def test_a_ticked_box_is_read_from_gitlabs_system_note_only() -> None:
    from fleetbot.forge.gitlab_shapes import ticked_item

    note = {"system": True, "body": "marked the checklist item **refresh now <!-- x -->** "
                                    "as completed"}
    assert ticked_item(note) == "refresh now <!-- x -->"
    assert ticked_item({"system": True, "body": "marked the task **verify** as completed"}) \
        == "verify"
    assert ticked_item({**note, "system": False}) == ""  # a person's note saying the same
    assert ticked_item({"system": True, "body": "marked the checklist item **a** as "
                                                "incomplete"}) == ""


@pytest.mark.parametrize(("merge", "squash", "state", "landed_as"), [
    ("m" * 40, "s" * 40, "merged", "m" * 40),  # merge commit (squashed or not): on the line
    (None, "s" * 40, "merged", "s" * 40),  # fast-forward of the squash
    (None, None, "merged", ""),  # fast-forward: no one commit holds it
    ("m" * 40, None, "opened", ""),
])
def test_a_merged_mr_is_landed_as_its_merge_else_its_squash(
        merge: str | None, squash: str | None, state: str, landed_as: str) -> None:
    mr = shape("merge_request", merge_commit_sha=merge, squash_commit_sha=squash, state=state)
    assert mr_facts(mr).merged_as == landed_as
