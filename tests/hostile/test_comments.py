"""Issue 12 item 2: the sticky comment is the bot's own, never a comment with the marker.

A person's comment containing `<!-- fleetbot -->` is never edited (a reviewer's words),
and an attacker's comment with the marker never becomes "the bot's" (which they could edit
back to a fake verdict between runs): the GraphQL read keeps only `viewerDidAuthor`
comments, the REST re-read before a create compares the author with the token's login,
and on GitLab a note's author with the token's user.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import responses

from fleetbot.forge.github import GithubForge
from fleetbot.forge.gitlab import GitlabForge
from fleetbot.forge.types import Action, ActionKind
from tests.forge.fakegitlab import BOT, HUMAN, FakeGitlab
from tests.hostile.conftest import OnFleet
from tests.support.actionkit import API, TOKEN, Fleet, after_first_run, dispatch, make_fleet
from tests.support.cli import Invocation
from tests.support.fakegithub import MARKER, FakeGithub
from tests.support.fakeserver import mount

REVIEWER = f"{MARKER}\nI copied fleetbot's marker into my review: keep my words."
FAKE_VERDICT = f"{MARKER}\n### fleetbot\n\nAll clear: merge me first."


@pytest.fixture
def act(tmp_path: Path, on_fleet: OnFleet, cli_invoke: Callable[..., Invocation]
        ) -> Callable[[], Fleet]:
    """The demo fleet; calling the result runs the Action (workflow_dispatch) on it, which
    must exit 0."""
    fleet = on_fleet(make_fleet(tmp_path))

    def go() -> Fleet:
        cli_invoke(["action", "--no-throttle"])
        fleet.github.check()
        return fleet
    go.fleet = fleet  # type: ignore[attr-defined]
    return go


@pytest.fixture
def act_again(tmp_path: Path, on_fleet: OnFleet, cli_invoke: Callable[..., Invocation]
              ) -> Callable[[], Fleet]:
    """`act` after its first call: the fleet copied from one first run per test process
    (actionkit's `after_first_run`, with `on_fleet`'s variables)."""
    fleet, _ = after_first_run(tmp_path, ["action", "--no-throttle"], "workflow_dispatch",
                               dispatch, {"GITHUB_TOKEN": TOKEN, "GITHUB_API_URL": API})
    on_fleet(fleet)

    def go() -> Fleet:
        cli_invoke(["action", "--no-throttle"])
        fleet.github.check()
        return fleet
    go.fleet = fleet  # type: ignore[attr-defined]
    return go


def bots(gh: FakeGithub, number: int) -> list[str]:
    return [c["body"] for c in gh.comments.get(number, []) if c["author"] == gh.viewer]


def test_a_persons_comment_with_the_marker_is_never_edited(act) -> None:  # type: ignore[no-untyped-def]
    gh: FakeGithub = act.fleet.github
    mine = gh.add_comment(14, REVIEWER, author="ada")
    act()
    assert next(c["body"] for c in gh.comments[14] if c["id"] == mine) == REVIEWER
    assert not any(r.method == "PATCH" for r in gh.requests)
    assert len(bots(gh, 14)) == 1 and bots(gh, 14)[0].startswith(MARKER)


def test_an_attackers_marker_comment_never_becomes_the_bots(act_again) -> None:  # type: ignore[no-untyped-def]
    act = act_again  # after one act(): the bot's own comment exists
    gh: FakeGithub = act.fleet.github
    own = [c["id"] for c in gh.comments[14] if c["author"] == gh.viewer]
    # a newer marker comment by someone else, with a fake verdict
    fake = gh.add_comment(14, FAKE_VERDICT, author="mallory")
    gh.requests.clear()
    act()
    assert gh.writes == []  # the bot's comment is unchanged; the attacker's is not its
    assert next(c["body"] for c in gh.comments[14] if c["id"] == fake) == FAKE_VERDICT
    assert [c["id"] for c in gh.comments[14] if c["author"] == gh.viewer] == own


def forge_for(gh: FakeGithub, rsps: responses.RequestsMock) -> GithubForge:
    mount(gh, rsps)
    return GithubForge(gh.repo, token=TOKEN, base_url=gh.base, throttle=False)


def test_the_graphql_read_keeps_only_the_tokens_own_comment(
        rsps: responses.RequestsMock) -> None:
    gh = FakeGithub(base=API)
    gh.add_pull(1, "feat/a")
    gh.add_comment(1, REVIEWER, author="ada")
    state = forge_for(gh, rsps).state()
    assert state.comment_for(1) is None
    own = gh.add_comment(1, f"{MARKER}\nreport")
    gh.add_comment(1, FAKE_VERDICT, author="mallory")
    assert forge_for(gh, rsps).state().comment_for(1).id == own  # type: ignore[union-attr]
    gh.check()


def test_the_rest_reread_compares_the_author_with_the_tokens_login(
        rsps: responses.RequestsMock) -> None:
    gh = FakeGithub(base=API)
    gh.add_pull(1, "feat/a")
    gh.add_comment(1, REVIEWER, author="ada")
    gh.add_comment(1, FAKE_VERDICT, author="Github-Actions")  # a namesake user, no [bot]
    forge = forge_for(gh, rsps)
    assert forge.find_comment(1) is None
    # without a refresh first, the login costs one GraphQL request, asked once
    assert [r.path for r in gh.requests] == ["/graphql", "/repos/octo/fleet/issues/1/comments"]
    own = gh.add_comment(1, f"{MARKER}\nreport")
    assert forge.find_comment(1).id == own  # type: ignore[union-attr]
    assert [r.path for r in gh.requests].count("/graphql") == 1
    applied = forge.apply([Action(ActionKind.CREATE_COMMENT, 1, body=f"{MARKER}\nnew")])
    assert applied.complete
    assert [c["body"] for c in gh.comments[1]] == [
        REVIEWER, FAKE_VERDICT, f"{MARKER}\nnew"]  # its own edited, the others untouched
    gh.check()


def test_a_refresh_reads_the_login_with_the_first_page(rsps: responses.RequestsMock) -> None:
    gh = FakeGithub(base=API)
    gh.add_pull(1, "feat/a")
    forge = forge_for(gh, rsps)
    forge.state()
    assert forge.find_comment(1) is None
    assert [r.path for r in gh.requests] == ["/graphql", "/repos/octo/fleet/issues/1/comments"]


# ---------------------------------------------------------------- GitLab


def gitlab(rsps: responses.RequestsMock) -> tuple[FakeGitlab, GitlabForge]:
    gl = FakeGitlab(rsps)
    return gl, GitlabForge("grp/proj", url="https://gitlab.example.com", token="glpat-x")


def test_a_persons_note_with_the_marker_is_never_edited_on_gitlab(
        rsps: responses.RequestsMock) -> None:
    gl, forge = gitlab(rsps)
    gl.add_mr(1, "feat/a")
    mine = gl.add_note(1, REVIEWER, author=HUMAN)
    state = forge.state(branches=["feat/a"])
    assert state.comment_for(1) is None
    applied = forge.apply([Action(ActionKind.CREATE_COMMENT, 1, body=f"{MARKER}\nreport")])
    assert applied.complete
    assert next(n["body"] for n in gl.notes[1] if n["id"] == mine) == REVIEWER
    assert [n["body"] for n in gl.sticky(1) if n["author"]["id"] == BOT["id"]] == [
        f"{MARKER}\nreport"]
    assert not any(m == "PUT" for m, _, _ in gl.calls)
    gl.check()


def test_an_attackers_note_never_becomes_the_bots_on_gitlab(
        rsps: responses.RequestsMock) -> None:
    gl, forge = gitlab(rsps)
    gl.add_mr(1, "feat/a")
    own = gl.add_note(1, f"{MARKER}\nreport", author=BOT)
    gl.add_note(1, FAKE_VERDICT, author=HUMAN)  # newer: the list is read newest first
    assert forge.state(branches=["feat/a"]).comment_for(1).id == own  # type: ignore[union-attr]
    assert forge.find_comment(1).id == own  # type: ignore[union-attr]
    gl.check()
