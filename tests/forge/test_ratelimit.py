"""Rate-limit waits bounded by the run's deadline (forge/ratelimit.py), on GitHub and GitLab.

The clock and the sleep are injected: nothing here sleeps, and every wait is exact.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
import responses

from fleetbot.errors import ExitCode, ForgeCause, ForgeError, UsageError
from fleetbot.forge.github import GithubForge, decipher
from fleetbot.forge.gitlab import GitlabForge
from fleetbot.forge.ratelimit import (
    DEFAULT_BUDGET,
    Deadline,
    Limit,
    LimitKind,
    bounded,
    rate_limit,
)
from tests.forge.conftest import TOKEN
from tests.support.bigfleet import big_fleet
from tests.support.cli import Invocation
from tests.support.fakegithub import FakeGithub
from tests.support.fakeserver import mount, serve
from tests.support.repo import Repo

Make = Callable[..., GithubForge]
Dispatch = Callable[[tuple[Repo, Repo, FakeGithub]], None]
NOW = 1_800_000_000.0  # 2027-01-15 08:00:00 UTC
PLAN = ("# plan\n\n| Issue | Branch | Worktree | Files owned | Depends on | Status |\n"
        "|---|---|---|---|---|---|\n| #100 a | feat/0 | ../w0 | `src/m0.py` | none | running |\n"
        "| #101 b | feat/1 | ../w1 | `src/m1.py` | #100 | running |\n")
SECONDARY = "You have exceeded a secondary rate limit. Please wait a few minutes."


class Clock:
    """A clock that moves only when slept on."""

    def __init__(self) -> None:
        self.t = NOW
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds

    def deadline(self, seconds: float) -> Deadline:
        return Deadline.after(seconds, now=self.now, sleep=self.sleep)


@pytest.fixture
def clock() -> Clock:
    return Clock()


# ---------------------------------------------------------------- the pure decisions


def test_retry_after_in_seconds_is_the_wait() -> None:
    assert rate_limit(429, {"Retry-After": "7"}, "", NOW) == Limit(
        LimitKind.SECONDARY, 7.0, NOW + 7)


def test_retry_after_as_an_http_date() -> None:
    when = datetime.fromtimestamp(NOW + 90, timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert rate_limit(403, {"retry-after": when}, SECONDARY, NOW) == Limit(
        LimitKind.SECONDARY, 90.0, NOW + 90)


def test_a_spent_primary_limit_waits_until_its_reset_and_a_second() -> None:
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 120)}
    assert rate_limit(403, headers, "API rate limit exceeded for installation", NOW) == Limit(
        LimitKind.PRIMARY, 121.0, NOW + 120)


def test_a_bare_secondary_limit_waits_a_minute() -> None:
    assert rate_limit(403, {}, SECONDARY, NOW) == Limit(LimitKind.SECONDARY, 60.0, NOW + 60)


def test_a_403_that_is_no_limit_is_none() -> None:
    assert rate_limit(403, {"x-ratelimit-remaining": "4999"},
                      "Resource not accessible by integration", NOW) is None
    assert rate_limit(500, {"Retry-After": "3"}, "", NOW) is None


def test_gitlab_has_no_secondary_limit() -> None:
    headers = {"RateLimit-Remaining": "0", "RateLimit-Reset": str(int(NOW) + 30)}
    assert rate_limit(429, headers, "", NOW, secondary=False) == Limit(
        LimitKind.PRIMARY, 31.0, NOW + 30)
    assert rate_limit(429, {"Retry-After": "5"}, "", NOW, secondary=False) == Limit(
        LimitKind.PRIMARY, 5.0, NOW + 5)


def test_a_wait_is_made_only_when_it_ends_in_time() -> None:
    limit = Limit(LimitKind.PRIMARY, 30.0, NOW + 30)
    assert bounded(limit, 30.0) == 30.0
    assert bounded(limit, 29.0) is None


def test_decipher_reads_limits_the_same_way() -> None:
    assert decipher(403, {}, {"message": SECONDARY}) is ForgeCause.SECONDARY_RATE_LIMIT
    assert decipher(403, {"x-ratelimit-remaining": "0"},
                    {"message": "API rate limit exceeded"}) is ForgeCause.RATE_LIMIT
    assert decipher(403, {}, {"message": "Must have admin rights"}) is ForgeCause.PERMISSION


# ---------------------------------------------------------------- where the deadline comes from


def test_the_deadline_from_the_environment(clock: Clock) -> None:
    def at(env: dict[str, str]) -> float:
        return Deadline.from_env(env, now=clock.now).at

    assert at({}) == NOW + DEFAULT_BUDGET
    assert at({"FLEETBOT_TIME_BUDGET": "90"}) == NOW + 90
    assert at({"FLEETBOT_DEADLINE": "1800000300"}) == NOW + 300
    assert at({"FLEETBOT_DEADLINE": "2027-01-15T08:10:00Z"}) == NOW + 600
    assert at({"FLEETBOT_DEADLINE": "2027-01-15T08:10:00", "FLEETBOT_TIME_BUDGET": "5"}) == (
        NOW + 600)


@pytest.mark.parametrize(("name", "value"), [("FLEETBOT_TIME_BUDGET", "ten minutes"),
                                             ("FLEETBOT_TIME_BUDGET", "-1"),
                                             ("FLEETBOT_DEADLINE", "tomorrow")])
def test_a_bad_deadline_is_a_usage_error(name: str, value: str) -> None:
    with pytest.raises(UsageError, match=name) as err:
        Deadline.from_env({name: value})
    assert err.value.exit_code is ExitCode.BAD_INPUT


# ---------------------------------------------------------------- GitHub


def test_retry_after_100000_gives_up_at_once_and_says_when(
    gh: FakeGithub, forge: Make, clock: Clock
) -> None:
    gh.add_pull(1, "feat/a")
    gh.fail("POST", "/graphql", 403, headers={"Retry-After": "100000"}, message=SECONDARY)
    with pytest.raises(ForgeError) as err:
        forge(deadline=clock.deadline(600)).state()
    assert len(gh.requests) == 1
    assert clock.slept == []
    assert err.value.cause is ForgeCause.SECONDARY_RATE_LIMIT
    assert err.value.exit_code is ExitCode.BAD_INPUT
    assert str(err.value) == (
        "GitHub answered 403 when listing open pull requests in octo/fleet: gave up: "
        "GitHub's secondary rate limit (too many requests at once) asks to wait 100000s, "
        "until 2027-01-16 11:46:40 UTC, more than the 600s this run has left "
        "(FLEETBOT_TIME_BUDGET); the next run after the reset catches up")


@pytest.fixture
def served(rsps: responses.RequestsMock) -> Iterator[tuple[FakeGithub, Make]]:
    """The fake on 127.0.0.1, so urllib3's own retry loop (and its sleep) runs for real;
    `responses` retries without sleeping."""
    fake = FakeGithub()
    rsps.add_passthru("http://127.0.0.1")
    with serve(fake) as url:
        fake.base = url

        def make(**kw: object) -> GithubForge:
            return GithubForge("octo/fleet", token=TOKEN, base_url=url, throttle=False,
                               **kw)  # type: ignore[arg-type]

        yield fake, make


def test_a_short_retry_after_is_honoured_once(
    served: tuple[FakeGithub, Make], clock: Clock
) -> None:
    gh, forge = served
    gh.add_pull(1, "feat/a")
    gh.fail("POST", "/graphql", 429, headers={"Retry-After": "5"}, message=SECONDARY)
    state = forge(deadline=clock.deadline(600)).state()
    assert [p.number for p in state.pulls] == [1]
    assert clock.slept == [5.0]
    assert len(gh.requests) == 2


def test_a_spent_primary_limit_past_the_deadline_says_when_it_resets(
    gh: FakeGithub, forge: Make, clock: Clock
) -> None:
    reset = int(NOW) + 3600
    gh.fail("POST", "/graphql", 403, message="API rate limit exceeded for installation ID 1.",
            headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)})
    with pytest.raises(ForgeError) as err:
        forge(deadline=clock.deadline(600)).state()
    assert err.value.cause is ForgeCause.RATE_LIMIT
    assert clock.slept == []
    assert "API rate limit (the token's budget) asks to wait 3601s, until 2027-01-15 " \
        "09:00:00 UTC, more than the 600s this run has left" in str(err.value)


def test_a_primary_limit_that_resets_in_time_is_waited_for(
    served: tuple[FakeGithub, Make], clock: Clock
) -> None:
    gh, forge = served
    gh.add_pull(1, "feat/a")
    gh.fail("POST", "/graphql", 403, message="API rate limit exceeded for installation ID 1.",
            headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 20)})
    assert [p.number for p in forge(deadline=clock.deadline(600)).state().pulls] == [1]
    assert clock.slept == [21.0]


def test_waits_add_up_against_one_deadline(served: tuple[FakeGithub, Make],
                                           clock: Clock) -> None:
    gh, forge = served
    gh.add_pull(1, "feat/a")
    gh.fail("POST", "/graphql", 403, headers={"Retry-After": "40"}, message=SECONDARY)
    gh.fail("POST", "/graphql", 403, headers={"Retry-After": "40"}, message=SECONDARY)
    with pytest.raises(ForgeError, match="more than the 20s this run has left"):
        forge(deadline=clock.deadline(60)).state()
    assert clock.slept == [40.0]


def test_a_write_that_would_wait_past_the_deadline_says_until_when(
    gh: FakeGithub, forge: Make, clock: Clock
) -> None:
    from fleetbot.forge import Action, ActionKind

    gh.add_pull(1, "feat/a")
    gh.fail("POST", r"/issues/1/labels$", 403, headers={"Retry-After": "100000"},
            message=SECONDARY)
    applied = forge(deadline=clock.deadline(600)).apply([
        Action(ActionKind.ADD_LABEL, 1, label="fleet:review"),
        Action(ActionKind.ADD_LABEL, 1, label="fleet:next")])
    assert [(r.cause, r.message) for r in applied.refused] == [(
        ForgeCause.SECONDARY_RATE_LIMIT,
        "GitHub refused to add label 'fleet:review' to PR #1 in octo/fleet (403): the secondary "
        "rate limit is spent until 2027-01-16 11:46:40 UTC, after this run's deadline; the "
        "next run catches up.")]
    assert [a.label for a in applied.skipped] == ["fleet:next"]
    assert clock.slept == [] and len(gh.writes) == 1


def test_a_permission_403_is_not_waited_for(gh: FakeGithub, forge: Make, clock: Clock) -> None:
    from fleetbot.forge import Action, ActionKind

    gh.add_pull(1, "feat/a")
    gh.fail("POST", r"/issues/1/labels$", 403, message="Resource not accessible by integration")
    applied = forge(deadline=clock.deadline(600)).apply(
        [Action(ActionKind.ADD_LABEL, 1, label="fleet:review")])
    assert [r.cause for r in applied.refused] == [ForgeCause.PERMISSION]
    assert clock.slept == []
    assert len(gh.writes) == 1


# ---------------------------------------------------------------- GitLab, the same function


def _gitlab(rsps: responses.RequestsMock, answers: list[tuple[int, dict[str, str]]]) -> list[int]:
    """GET /projects/grp%2Fproj answered by `answers` in turn, then 200."""
    seen: list[int] = []

    def answer(request: object) -> tuple[int, dict[str, str], str]:
        seen.append(1)
        if len(seen) <= len(answers):
            status, headers = answers[len(seen) - 1]
            return status, headers, json.dumps({"message": "429 Too Many Requests"})
        return 200, {}, json.dumps({"id": 42, "path_with_namespace": "grp/proj"})

    rsps.add_callback("GET", "https://gitlab.example.com/api/v4/projects/grp%2Fproj",
                      callback=answer, content_type="application/json")
    return seen


def test_gitlab_retry_after_100000_gives_up_at_once(clock: Clock) -> None:
    with responses.RequestsMock() as rsps:
        seen = _gitlab(rsps, [(429, {"Retry-After": "100000"})])
        forge = GitlabForge("grp/proj", url="https://gitlab.example.com", token=TOKEN,
                            deadline=clock.deadline(600))
        with pytest.raises(ForgeError) as err:
            forge.project_id()
    assert len(seen) == 1
    assert clock.slept == []
    assert err.value.cause is ForgeCause.RATE_LIMIT
    assert str(err.value).startswith(
        "gave up: GitLab (grp/proj)'s API rate limit (the token's budget) asks to wait "
        "100000s, until 2027-01-16 11:46:40 UTC, more than the 600s this run has left")


def test_gitlab_ratelimit_reset_is_waited_for_once(clock: Clock) -> None:
    reset = {"RateLimit-Remaining": "0", "RateLimit-Reset": str(int(NOW) + 9)}
    with responses.RequestsMock() as rsps:
        seen = _gitlab(rsps, [(429, reset)])
        forge = GitlabForge("grp/proj", url="https://gitlab.example.com", token=TOKEN,
                            deadline=clock.deadline(600))
        assert forge.project_id() == 42
    assert len(seen) == 2
    assert clock.slept == [10.0]


# ---------------------------------------------------------------- the whole Action


def test_an_action_that_would_wait_past_its_deadline_exits_2_and_says_why(
    tmp_path: Path, rsps: responses.RequestsMock, dispatch: Dispatch,
    cli_invoke: Callable[..., Invocation], sleeps: list[float],
) -> None:
    built = big_fleet(tmp_path, 2, PLAN, {"README.md": "x\n"},
                      lambda i: {f"src/m{i}.py": f"v = {i}\n"})
    gh = mount(built[2], rsps)
    gh.fail("POST", "/graphql", 403, headers={"Retry-After": "100000"}, message=SECONDARY)
    dispatch(built)
    err = cli_invoke(["action", "--no-throttle", "--time-budget", "300"],
                     code=ExitCode.BAD_INPUT).err
    assert "gave up: GitHub's secondary rate limit (too many requests at once) asks to wait " \
        "100000s, until " in err
    assert "more than the 300s this run has left" in err
    assert sleeps == []
    assert len(gh.requests) == 1 and gh.writes == []


def test_a_time_budget_that_is_no_number_is_a_usage_error(
    cli_invoke: Callable[..., Invocation],
) -> None:
    assert "'soon' is not a valid float" in cli_invoke(["action", "--time-budget", "soon"],
                                                       code=ExitCode.BAD_INPUT).err
