"""The GitLab adapter against a fake project that answers with GitLab's documented shapes."""

from __future__ import annotations

import pytest
import responses

from fleetbot.errors import ForgeError
from fleetbot.forge import MARKER, Action, ActionKind
from fleetbot.forge.gitlab import GitlabForge
from fleetbot.model import CIState
from fleetbot.writes.actions import Desired, LabelTarget, plan_actions
from tests.forge.fakegitlab import FakeGitlab

TOKEN = "glpat-SECRETsecret12345"


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
    desired = Desired(
        comments=((1, "report"),),
        labels=(LabelTarget(1, frozenset({"fleet:review"})),
                LabelTarget(7, frozenset({"fleet:planned"}), on_issue=True)),
        dependencies=((7, frozenset({6})),), managed=frozenset({6, 7}),
    )
    f.apply(plan_actions(desired, f.state(issues=[6, 7])))
    assert gl.mrs[1].labels == ["ux", "fleet:review"]
    assert gl.issue_labels[7] == ["fleet:planned"]
    assert [n["body"] for n in gl.sticky(1)] == [f"{MARKER}\nreport"]
    assert [x[0] for x in gl.links[7]] == [6]
    gl.calls.clear()
    assert plan_actions(desired, f.state(issues=[6, 7])) == []
    assert gl.writes == []
    # the plan drops the dependency: the link goes
    dropped = Desired(dependencies=((7, frozenset()),), managed=frozenset({6, 7}))
    f.apply(plan_actions(dropped, f.state(issues=[6, 7])))
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
    with pytest.raises(ForgeError) as err:
        forge().apply([Action(ActionKind.ADD_LABEL, 1, label="fleet:review"),
                       Action(ActionKind.CREATE_COMMENT, 1, body="x")])
    assert "Developer role" in str(err.value) and "Nothing was written" in str(err.value)
    assert TOKEN not in str(err.value)
    assert gl.mrs[1].labels == []


def test_commit_status_maps_failure(gl: FakeGitlab) -> None:
    forge().set_commit_status("c" * 40, "fleetbot/order", "failure", "blocked")
    assert gl.writes[-1][2] == {"state": "failed", "name": "fleetbot/order",
                                "description": "blocked"}


def test_unplanned_files(gl: FakeGitlab) -> None:
    gl.add_mr(3, "stray", files=["a.py", "b/c.py"])
    assert forge().pull_files(3) == ("a.py", "b/c.py")
