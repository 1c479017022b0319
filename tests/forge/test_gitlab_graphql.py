"""The GitLab refresh's GraphQL request against the fake's GraphQL endpoint (documented
fields only, GitLab's errors and partial answers, pagination), and what falls back to REST."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
import responses

from fleetbot.forge import MARKER
from fleetbot.forge.gitlab import GitlabForge
from fleetbot.forge.gitlab_graphql import QUERY, batches, gid_number
from fleetbot.model import ReviewState
from fleetbot.writes.comment import comment_actions
from tests.forge.fakegitlab import BOT, HUMAN, FakeGitlab

TOKEN = "glpat-SECRETsecret12345"
URL = "https://gitlab.example.com/api/graphql"


@pytest.fixture
def gl(rsps: responses.RequestsMock) -> Iterator[FakeGitlab]:
    fake = FakeGitlab(rsps)
    yield fake
    fake.check()


def forge() -> GitlabForge:
    return GitlabForge("grp/proj", url="https://gitlab.example.com", token=TOKEN)


def post(query: str, **variables: object) -> dict[str, object]:
    answer = requests.post(URL, json={"query": query, "variables": variables},
                           headers={"PRIVATE-TOKEN": TOKEN}, timeout=5)
    assert answer.status_code == 200
    return answer.json()  # type: ignore[no-any-return]


def paths(gl: FakeGitlab) -> list[str]:
    return [c[1] for c in gl.calls]


def test_the_fake_refuses_what_the_reference_does_not_document(gl: FakeGitlab) -> None:
    assert post("{ project(fullPath: \"grp/proj\") { mergeRequests { nodes { sha } } } }") == {
        "errors": [{"message": "Field 'sha' doesn't exist on type 'MergeRequest'",
                    "locations": [{"line": 1, "column": 59}],
                    "extensions": {"code": "undefinedField", "typeName": "MergeRequest",
                                   "fieldName": "sha"}}]}
    refused = post("{ project(fullPath: \"grp/proj\") { labels(search: \"x\") { nodes { title } } } }")
    assert refused["errors"][0]["message"] == (  # type: ignore[index]
        "Field 'labels' doesn't accept argument 'search'")
    assert "data" not in refused


def test_the_fake_pages_as_gitlab_does(gl: FakeGitlab) -> None:
    for i in range(1, 131):
        gl.add_mr(i, f"feat/{i}")
    page = "{ project(fullPath: \"grp/proj\") { mergeRequests(first: 500%s) { nodes { iid } " \
           "pageInfo { hasNextPage endCursor } } } }"
    first = post(page % "")["data"]["project"]["mergeRequests"]  # type: ignore[index]
    assert len(first["nodes"]) == 100 and first["pageInfo"]["hasNextPage"]  # clamped to 100
    rest = post(page % f', after: "{first["pageInfo"]["endCursor"]}"')
    nodes = rest["data"]["project"]["mergeRequests"]["nodes"]  # type: ignore[index]
    assert [int(n["iid"]) for n in nodes] == list(range(30, 0, -1))


def test_our_query_is_what_the_reference_documents(gl: FakeGitlab) -> None:
    gl.add_mr(1, "feat/a")
    (first,) = batches("grp/proj", [1], [5], "fleet:", links=True)
    answer = post(QUERY, **first)
    assert "errors" not in answer
    assert answer["data"]["currentUser"] == {"id": f"gid://gitlab/User/{BOT['id']}"}  # type: ignore[index]
    assert gid_number("gid://gitlab/WorkItems::RelatedWorkItemLink/77") == 77


def test_the_bots_note_older_than_the_newest_page_is_looked_up_over_rest(
        gl: FakeGitlab) -> None:
    gl.add_mr(1, "feat/a")
    gl.add_mr(2, "feat/b")
    old = gl.add_note(1, f"{MARKER}\nreport", author=BOT)
    for j in range(120):
        gl.add_note(1, f"comment {j}")
    mine = gl.add_note(2, f"{MARKER}\nreport", author=BOT)
    gl.add_note(2, f"{MARKER}\nquoted by a person", author=HUMAN)  # newer, not the bot's
    state = forge().state(branches=["feat/a", "feat/b"])
    assert sorted((c.number, c.id) for c in state.comments) == [(1, old), (2, mine)]
    # only MR !1 (its note beyond the newest 100) is searched over REST
    assert [p for p in paths(gl) if p.endswith("/notes")] == ["/merge_requests/1/notes"] * 2


def test_a_missing_issue_is_a_missing_issue_not_a_failed_run(gl: FakeGitlab) -> None:
    gl.missing_issues = {6}
    gl.links[7] = [(6, 70, "is_blocked_by")]
    state = forge().state(issues=[5, 6, 7])
    assert [f.number for f in state.issues] == [7, 5] and state.missing_issues == (6,)
    assert state.issue(7).link_ids == ((6, 70),)  # type: ignore[union-attr]
    assert paths(gl).count("/graphql") == 1 and "/issues" not in paths(gl)


def test_a_partial_answer_reads_only_the_failed_parts_over_rest(gl: FakeGitlab) -> None:
    gl.add_mr(1, "feat/a")
    gl.add_mr(2, "feat/b", approved_by=[7])
    gl.add_note(2, f"{MARKER}\nreport", author=BOT)
    gl.links[5] = [(4, 77, "is_blocked_by")]
    gl.links[6] = [(5, 78, "is_blocked_by")]
    gl.fail_field = {"notes!2", "links#5"}
    state = forge().state(issues=[5, 6], branches=["feat/a", "feat/b"])
    assert state.comment_for(2) is not None and state.pulls[1].review is ReviewState.APPROVED
    assert [state.issue(n).link_ids for n in (5, 6)] == [((4, 77),), ((5, 78),)]  # type: ignore[union-attr]
    assert [p for p in paths(gl) if "/notes" in p or "/links" in p] == [
        "/merge_requests/2/notes", "/issues/5/links"]


def test_more_than_a_page_of_mrs_and_labels_is_asked_page_by_page(gl: FakeGitlab) -> None:
    for i in range(1, 151):
        gl.add_mr(i, f"feat/{i}")
        gl.labels[f"fleet:l{i:03}"] = "#ededed"
    state = forge().state(branches=[f"feat/{i}" for i in range(1, 151)])
    assert len(state.repo_labels) == 150
    # 2 pages of open MRs; MRs 1-100 with labels 1-100, the next labels page, MRs 101-150
    assert paths(gl).count("/graphql") == 3
    assert state.requests == len(gl.calls) == 2 + 3 + 150


def test_a_transient_graphql_error_is_retried(gl: FakeGitlab, sleeps: list[float]) -> None:
    gl.add_mr(1, "feat/a", approved_by=[7])
    gl.fail_next.append(("POST", r"/graphql", 502, False))
    state = forge().state()
    assert state.pulls[0].review is ReviewState.APPROVED
    assert paths(gl).count("/graphql") == 2 and sleeps


def test_a_note_the_refresh_saw_missing_is_created_without_reading_notes_again(
        gl: FakeGitlab) -> None:
    gl.add_mr(1, "feat/a")
    gl.add_mr(2, "feat/b")
    gl.add_note(1, "lgtm")
    f = forge()
    state = f.state()
    gl.calls.clear()
    gl.fail_next.append(("POST", r"/merge_requests/2/notes", 502, True))  # applied anyway
    assert f.apply(comment_actions([(1, "report"), (2, "report")], state)).complete
    # !1: posted straight away; !2: the 502 is re-read before any retry, so one note
    assert [c[:2] for c in gl.calls] == [
        ("POST", "/merge_requests/1/notes"), ("POST", "/merge_requests/2/notes"),
        ("GET", "/merge_requests/2/notes")]
    assert [len(gl.sticky(i)) for i in (1, 2)] == [1, 1]
