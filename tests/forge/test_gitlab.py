"""The GitLab adapter against a fake project that answers with GitLab's documented shapes."""

from __future__ import annotations

import pytest
import responses

from fleetbot.errors import ForgeCause, ForgeError
from fleetbot.forge import MARKER, Action, ActionKind
from fleetbot.forge.gitlab import GitlabForge, decipher
from fleetbot.forge.types import ForgeState
from fleetbot.model import CIState, CommitStatus, Plan, Row, StatusState
from fleetbot.writes.comment import comment_actions
from fleetbot.writes.labels import LabelTarget, label_actions
from fleetbot.writes.links import link_actions
from tests.forge.fakegitlab import FakeGitlab

TOKEN = "glpat-SECRETsecret12345"


def plan_actions(state: ForgeState, plan: Plan) -> list[Action]:
    return [*comment_actions([(1, "report")], state),
            *label_actions((LabelTarget(1, frozenset({"fleet:review"})),
                            LabelTarget(7, frozenset({"fleet:planned"}), on_issue=True)), state),
            *link_actions(plan, state)]


@pytest.fixture
def gl(rsps: responses.RequestsMock) -> FakeGitlab:
    return FakeGitlab(rsps)


def forge(token: str = TOKEN) -> GitlabForge:
    return GitlabForge("grp/proj", url="https://gitlab.example.com", token=token)


def test_state(gl: FakeGitlab) -> None:
    gl.add_mr(1, "feat/a", pipeline="failed", labels=["fleet:running", "ux"])
    gl.add_mr(2, "feat/b", pipeline="running", draft=True)
    gl.add_mr(3, "feat/c", merged=True)
    gl.add_note(2, "lgtm")
    nid = gl.add_note(2, f"{MARKER}\nold")
    gl.labels["fleet:running"] = "#fbca04"
    gl.links[5] = [(4, 77)]
    state = forge().state(issues=[4, 5])
    a, b = state.pulls
    assert (a.number, a.branch, a.ci, a.labels) == (1, "feat/a", CIState.FAILURE,
                                                    ("fleet:running", "ux"))
    assert (b.ci, b.draft) == (CIState.PENDING, True)
    assert [m.number for m in state.merged] == [3]
    assert state.comment_for(2).id == nid  # type: ignore[union-attr]
    assert state.repo_labels == {"fleet:running"}
    assert state.issue(5).blocked_by == (4,)  # type: ignore[union-attr]
    assert state.issue(5).link_ids == ((4, 77),)  # type: ignore[union-attr]


def test_pagination(gl: FakeGitlab) -> None:
    for i in range(1, 131):
        gl.add_mr(i, f"feat/{i}", pipeline=None)
    pulls = forge().state().pulls
    assert len(pulls) == 130 and pulls[0].ci is CIState.NONE
    lists = [c for c in gl.calls if c[1] == "/merge_requests"]
    assert len(lists) == 3  # opened page 1 + 2, merged


def test_writes_round_trip_and_second_run_is_empty(gl: FakeGitlab) -> None:
    gl.add_mr(1, "feat/a", labels=["fleet:running", "ux"])
    f = forge()
    plan = Plan(rows=(Row("#6", "a"), Row("#7", "b", depends_on=("#6",))))
    assert f.apply(plan_actions(f.state(issues=[6, 7]), plan)).complete
    assert gl.mrs[1].labels == ["ux", "fleet:review"]
    assert gl.issue_labels[7] == ["fleet:planned"]
    assert [n["body"] for n in gl.sticky(1)] == [f"{MARKER}\nreport"]
    assert [x[0] for x in gl.links[7]] == [6]
    gl.calls.clear()
    assert plan_actions(f.state(issues=[6, 7]), plan) == []
    assert gl.writes == []
    # the plan drops the dependency: the link goes
    dropped = Plan(rows=(Row("#6", "a"), Row("#7", "b")))
    f.apply(link_actions(dropped, f.state(issues=[6, 7])))
    assert gl.links[7] == []


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


def test_403_names_the_role_and_writes_nothing(gl: FakeGitlab) -> None:
    gl.add_mr(1, "feat/a")
    gl.read_only = True
    applied = forge().apply([Action(ActionKind.ADD_LABEL, 1, label="fleet:review"),
                             Action(ActionKind.CREATE_COMMENT, 1, body="x")])
    (refusal,) = applied.refused
    assert refusal.cause is ForgeCause.PERMISSION
    assert refusal.message == (
        "GitLab refused to add label 'fleet:review' to PR #1 in grp/proj (403): the token "
        "lacks `the Developer role and a token with the `api` scope`. In a workflow, grant "
        "`permissions: the Developer role and a token with the `api` scope`; pull requests "
        "from forks only get a read-only token.")
    assert applied.written == ()
    assert [a.kind for a in applied.skipped] == [ActionKind.CREATE_COMMENT]
    assert TOKEN not in applied.report()
    assert gl.mrs[1].labels == []


def test_commit_status_is_an_action_and_reads_back(gl: FakeGitlab) -> None:
    sha = "c" * 40
    f = forge()
    assert f.apply([Action(ActionKind.SET_STATUS, 1, sha=sha, context="fleetbot/order",
                           state=StatusState.FAILURE, description="blocked",
                           target_url="https://ci.example/1")]).complete
    assert gl.writes[-1][2] == {"state": "failed", "name": "fleetbot/order",
                                "description": "blocked", "target_url": "https://ci.example/1"}
    assert f.commit_statuses([sha, "d" * 40], "fleetbot/order") == {
        sha: CommitStatus(sha, "fleetbot/order", StatusState.FAILURE, "blocked",
                          "https://ci.example/1")}


def test_a_feature_of_a_higher_tier_is_a_licence_refusal(gl: FakeGitlab) -> None:
    gl.licence_refuses = r"/issues/7/links"
    applied = forge().apply([Action(ActionKind.ADD_DEPENDENCY, 7, other=6)])
    assert applied.refused[0].cause is ForgeCause.LICENCE


def test_decipher() -> None:
    assert decipher(403, "403 Forbidden - not available for current license") \
        is ForgeCause.LICENCE
    assert decipher(403, "403 Forbidden") is ForgeCause.PERMISSION
    assert decipher(401, "") is ForgeCause.AUTH
    assert decipher(404, "") is ForgeCause.NOT_FOUND
    assert decipher(429, "") is ForgeCause.RATE_LIMIT
    assert decipher(0, "") is ForgeCause.UNREACHABLE


def test_unplanned_files(gl: FakeGitlab) -> None:
    gl.add_mr(3, "stray", files=["a.py", "b/c.py"])
    assert forge().pull_files(3) == ("a.py", "b/c.py")
