"""The read budget of a GitHub refresh (issue 16): which plan issues have blockers comes from
the issue list's `issue_dependencies_summary` (one page per 100 issues newer than the oldest
plan issue), so `blocked_by` is read only for the issues something blocks; a PR whose every
comment the refresh read is commented on without reading them again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import responses

from fleetbot.forge import MARKER, Action, ActionKind
from fleetbot.forge.github import GithubForge
from tests.support.actionkit import Fleet
from tests.support.bigfleet import big_fleet
from tests.support.cli import Invocation
from tests.support.fakegithub import FakeGithub
from tests.support.fakeserver import mount
from tests.support.repo import Repo

Make = Callable[..., GithubForge]
Dispatch = Callable[[tuple[Repo, Repo, FakeGithub]], None]


def _reads(gh: FakeGithub) -> list[str]:
    return [r.path.removeprefix("/repos/octo/fleet") for r in gh.requests if not r.write]


def test_no_blocked_by_read_for_issues_nothing_blocks(gh: FakeGithub, forge: Make) -> None:
    gh.issues.update({10, 11, 12})
    state = forge().state(issues=[10, 11, 12])
    assert _reads(gh) == ["/graphql", "/graphql", "/issues"]
    assert state.requests == 3
    assert [i.blocked_by for i in state.issues] == [(), (), ()]


def test_blocked_by_is_read_only_where_the_summary_counts_blockers(
    gh: FakeGithub, forge: Make
) -> None:
    gh.issues.update({10, 11, 12, 13})
    gh.deps = {12: {10, 11}, 13: {99}}  # 99: outside the plan
    gh.issues.add(99)
    state = forge().state(issues=[10, 11, 12, 13])
    assert _reads(gh) == ["/graphql", "/graphql", "/issues", "/issues/12/dependencies/blocked_by",
                          "/issues/13/dependencies/blocked_by"]
    assert state.requests == 5
    # only links between two plan issues are fleetbot's: #99 is not kept
    assert {i.number: i.blocked_by for i in state.issues} == {
        10: (), 11: (), 12: (10, 11), 13: ()}


def test_a_fan_in_on_one_foundation_reads_its_blocking_side_once(
    gh: FakeGithub, forge: Make
) -> None:
    gh.issues.update(range(10, 20))
    gh.deps = {n: {10} for n in range(11, 20)}
    state = forge().state(issues=list(range(10, 20)))
    assert _reads(gh) == ["/graphql", "/graphql", "/issues", "/issues/10/dependencies/blocking"]
    assert {i.number: i.blocked_by for i in state.issues} == {
        10: (), **dict.fromkeys(range(11, 20), (10,))}


def test_a_blocker_in_another_repository_is_not_taken_for_a_plan_issue(
    gh: FakeGithub, forge: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    gh.issues.update({10, 11})
    gh.deps = {11: {10}}
    real = gh._issue_data

    def elsewhere(number: int) -> dict[str, object]:
        return {**real(number), "repository_url": "https://api.github.com/repos/octo/other"}

    monkeypatch.setattr(gh, "_issue_data", elsewhere)  # octo/other#10 blocks #11
    assert forge().state(issues=[10, 11]).issue(11).blocked_by == ()  # type: ignore[union-attr]


PLANNED = {10: frozenset[int](), 11: frozenset({10}), 12: frozenset({10, 11}), 13: frozenset()}


def test_links_whose_counts_are_the_plans_are_taken_as_read(gh: FakeGithub, forge: Make) -> None:
    gh.issues.update({10, 11, 12, 13})
    gh.deps = {11: {10}, 12: {10, 11}}
    state = forge().state(issues=[10, 11, 12, 13], planned_links=PLANNED)
    assert _reads(gh) == ["/graphql", "/graphql", "/issues"]
    assert {i.number: i.blocked_by for i in state.issues} == {
        10: (), 11: (10,), 12: (10, 11), 13: ()}


# the cheaper side of the links that exist is read: here the blocking side of 10 (and 11)
@pytest.mark.parametrize(("deps", "read"), [
    ({11: {10}, 12: {10}}, ["/issues/10/dependencies/blocking"]),  # one link missing
    ({11: {10}, 12: {10, 11}, 13: {99}}, ["/issues/10/dependencies/blocking",
                                          "/issues/11/dependencies/blocking"]),  # outside
    ({11: {10}, 12: {10, 11}, 99: {13}}, ["/issues/11/dependencies/blocked_by",
                                          "/issues/12/dependencies/blocked_by"]),  # 13 blocks
])
def test_any_other_count_reads_the_links(gh: FakeGithub, forge: Make,
                                         deps: dict[int, set[int]], read: list[str]) -> None:
    gh.issues.update({10, 11, 12, 13, 99})
    gh.deps = deps
    state = forge().state(issues=[10, 11, 12, 13], planned_links=PLANNED)
    assert _reads(gh) == ["/graphql", "/graphql", "/issues", *read]
    assert {i.number: i.blocked_by for i in state.issues} == {
        n: tuple(sorted(deps.get(n, set()) & {10, 11, 12, 13})) for n in (10, 11, 12, 13)}


def test_a_swap_that_keeps_every_count_is_seen_only_by_a_full_read(
    gh: FakeGithub, forge: Make
) -> None:
    gh.issues.update({10, 11, 12, 13})
    gh.deps = {12: {11}, 13: {10}}  # the plan says 12 <- 10 and 13 <- 11
    planned = {12: frozenset({10}), 13: frozenset({11})}
    trusted = forge().state(issues=[10, 11, 12, 13], planned_links=planned)
    assert trusted.issue(12).blocked_by == (10,)  # type: ignore[union-attr]
    full = forge().state(issues=[10, 11, 12, 13])  # what a scheduled run reads
    assert {i.number: i.blocked_by for i in full.issues} == {
        10: (), 11: (), 12: (11,), 13: (10,)}


def test_the_issue_list_stops_at_the_oldest_plan_issue(gh: FakeGithub, forge: Make) -> None:
    gh.issues.update(range(1, 400))  # 399 issues; the plan's are 250..259
    gh.deps = {255: {250}}
    state = forge().state(issues=list(range(250, 260)))
    pages = [r.url for r in gh.requests if r.path.endswith("/issues")]
    assert len(pages) == 2  # #399..#300, then #299..#200: #250 is on it
    assert "state=all" in pages[0] and "direction=desc" in pages[0]
    assert state.requests == 2 + 2 + 1  # GraphQL twice, two list pages, #255's blockers
    assert state.issue(255).blocked_by == (250,)  # type: ignore[union-attr]


def test_without_links_the_list_is_not_read(gh: FakeGithub, forge: Make) -> None:
    gh.issues.update({10, 11})
    gh.deps = {11: {10}}
    forge().state(issues=[10, 11], links=False)
    assert _reads(gh) == ["/graphql", "/graphql"]


def test_a_new_comment_is_created_without_reading_the_comments_again(
    gh: FakeGithub, forge: Make
) -> None:
    gh.add_pull(1, "feat/a")
    gh.add_comment(1, "looks good")
    f = forge()
    f.state()
    gh.requests.clear()
    f.apply([Action(ActionKind.CREATE_COMMENT, 1, body=f"{MARKER}\nreport")])
    assert [(r.method, r.path) for r in gh.requests] == [
        ("POST", "/repos/octo/fleet/issues/1/comments")]
    assert len(gh.sticky(1)) == 1


def test_past_100_comments_the_create_reads_them_first(gh: FakeGithub, forge: Make) -> None:
    gh.add_pull(1, "feat/a")
    gh.add_comment(1, f"{MARKER}\nan old report, before 100 others")
    for i in range(100):
        gh.add_comment(1, f"comment {i}")
    f = forge()
    assert f.state().comment_for(1) is None  # the last 100 do not include it
    gh.requests.clear()
    f.apply([Action(ActionKind.CREATE_COMMENT, 1, body=f"{MARKER}\nreport")])
    assert [r.method for r in gh.requests] == ["GET", "PATCH"]  # found on the first page
    assert len(gh.sticky(1)) == 1


# ---------------------------------------------------------------- a whole Action refresh


def _plan(n: int, links: int) -> str:
    """n rows; the first `links` odd rows depend on the row before them."""
    rows = "".join(
        f"| #{100 + i} r{i} | feat/{i} | ../w{i} | `src/m{i}.py` | "
        f"{f'#{99 + i}' if i % 2 and i // 2 < links else 'none'} | running |\n"
        for i in range(n))
    return ("# plan\n\n| Issue | Branch | Worktree | Files owned | Depends on | Status |\n"
            "|---|---|---|---|---|---|\n" + rows)


def test_a_30_pr_action_refresh_reads_at_most_6_times(
    tmp_path: Path, rsps: responses.RequestsMock, dispatch: Dispatch,
    cli_invoke: Callable[..., Invocation],
) -> None:
    built = big_fleet(tmp_path, 30, _plan(30, links=3), {"README.md": "x\n"},
                      lambda i: {f"src/m{i}.py": f"v = {i}\n"})
    gh = mount(built[2], rsps)
    dispatch(built)

    def refresh() -> tuple[int, int]:
        gh.requests.clear()
        cli_invoke(["action", "--no-throttle"])
        gh.check()
        return len(gh.requests) - len(gh.writes), len(gh.writes)

    # 30 comments, 3 links, 3 labels created, 61 labels added (30 PRs, 30 issues, and
    # fleet:next on PR #1), 30 statuses: written after 3 reads
    assert refresh() == (3, 127)
    assert gh.deps == {101: {100}, 103: {102}, 105: {104}}
    # idle: every issue's counts are the plan's links, so no link is read; no write
    assert refresh() == (3, 0)


def test_a_scheduled_refresh_reads_every_link_and_repairs_a_swap(
    tmp_path: Path, rsps: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch,
    cli_invoke: Callable[..., Invocation],
) -> None:
    built = big_fleet(tmp_path, 4, _plan(4, links=2), {"README.md": "x\n"},
                      lambda i: {f"src/m{i}.py": f"v = {i}\n"})
    gh = mount(built[2], rsps)
    fleet = Fleet(tmp_path, *built)

    def refresh(event: str, payload: dict[str, object]) -> list[str]:
        for key, value in fleet.env(event, payload).items():
            monkeypatch.setenv(key, value)
        gh.requests.clear()
        cli_invoke(["action", "--no-throttle"])
        gh.check()
        return [r.path.removeprefix("/repos/octo/tasks") for r in gh.requests if not r.write]

    dispatch = {"inputs": {}, "ref": "refs/heads/main", "repository": {"default_branch": "main"}}
    refresh("workflow_dispatch", dispatch)
    assert gh.deps == {101: {100}, 103: {102}}
    gh.deps = {101: {102}, 103: {100}}  # a person swaps the two links: every count stays
    assert "/issues/101/dependencies/blocked_by" not in refresh("workflow_dispatch", dispatch)
    assert gh.deps == {101: {102}, 103: {100}}  # not seen by an event's refresh
    reads = refresh("schedule", {"schedule": "*/30 * * * *"})
    assert reads[3:] == ["/issues/101/dependencies/blocked_by",
                         "/issues/103/dependencies/blocked_by"]
    assert gh.deps == {101: {100}, 103: {102}}  # repaired
