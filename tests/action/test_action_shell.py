"""The Action's decisions (action/run.py) on a real fleet repo, against the in-memory
`FakeForge`: which writes a refresh makes, what a refusal leaves, that a second run makes
none. No HTTP here: tests/action/test_action_command.py runs the same shell against the fake
GitHub."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from fleetbot.action.run import ActionRun, Options, Outcome
from fleetbot.action.runner import ActionEnv
from fleetbot.errors import ForgeCause
from fleetbot.forge.types import ActionKind
from fleetbot.git import Git
from fleetbot.model import PullState, StatusState
from tests.support.actionkit import ISSUES, PULLS, TOKEN, Fleet, make_fleet, pr_event
from tests.support.fakeforge import FakeForge
from tests.support.webhooks import payload

RUN = "https://github.com/octo/tasks/actions/runs/7"


@pytest.fixture
def fleet(tmp_path: Path) -> Fleet:
    return make_fleet(tmp_path)


@pytest.fixture
def fake(fleet: Fleet) -> FakeForge:
    forge = FakeForge()
    for number, branch in PULLS.items():
        forge.add_pull(number, branch, head_sha=fleet.head(number),
                       body=f"Closes {ISSUES[number]}")
    forge.issues.update({int(i.lstrip("#")): set() for i in ISSUES.values()})
    return forge


def refresh(fleet: Fleet, fake: FakeForge, event: str, data: dict, **opts: object) -> Outcome:
    for name in ("summary.md", "output.txt"):
        (fleet.root / name).write_text("")
    env = ActionEnv(event_name=event, event_path="-", repository="octo/tasks",
                    step_summary=str(fleet.root / "summary.md"),
                    output=str(fleet.root / "output.txt"), token=TOKEN, run_url=RUN)
    return ActionRun(env, Options(**opts), Git(fleet.checkout.path), lambda: fake,  # type: ignore[arg-type]
                     data, out=io.StringIO(), err=io.StringIO()).run()


def test_a_refresh_comments_labels_links_and_sets_every_status(
    fleet: Fleet, fake: FakeForge,
) -> None:
    outcome = refresh(fleet, fake, "pull_request", pr_event(fleet, "synchronize", 14))
    assert outcome.code == 0
    kinds = [a.kind for a in fake.applied]
    assert kinds.count(ActionKind.CREATE_COMMENT) == 3
    assert {n: len(c) for n, c in fake.comments.items()} == {12: 1, 13: 1, 14: 1}
    statuses = {a.number: (a.state, a.description, a.target_url)
                for a in fake.applied if a.kind is ActionKind.SET_STATUS}
    assert statuses == {
        12: (StatusState.SUCCESS, "in order: dependencies merged, no earlier collision open",
             RUN),
        13: (StatusState.SUCCESS, "in order: dependencies merged, no earlier collision open",
             RUN),
        14: (StatusState.PENDING, "waiting for #42 (collides on tasks/cli.py)", RUN),
    }
    # each plan issue carries its row's status label, each PR its status and next/conflict
    assert {n: fake.labels_on(n, on_issue=True) for n in (42, 43, 44)} == {
        42: {"fleet:review"}, 43: {"fleet:review"}, 44: {"fleet:review"}}
    assert fake.labels_on(12) == {"fleet:review", "fleet:conflict", "fleet:next"}
    assert fake.labels_on(14) == {"fleet:review", "fleet:conflict"}


def test_a_second_refresh_with_nothing_new_makes_no_write(
    fleet: Fleet, fake: FakeForge,
) -> None:
    assert refresh(fleet, fake, "pull_request", pr_event(fleet, "synchronize", 14)).code == 0
    before = len(fake.applied)
    outcome = refresh(fleet, fake, "workflow_dispatch", payload("workflow_dispatch"))
    assert outcome.code == 0
    assert fake.applied[before:] == []
    assert outcome.writes == []
    assert "Nothing to write" in (fleet.root / "summary.md").read_text()


def test_a_refused_comment_does_not_stop_the_statuses(fleet: Fleet, fake: FakeForge) -> None:
    fake.refuse[ActionKind.CREATE_COMMENT] = ForgeCause.TOO_LARGE
    outcome = refresh(fleet, fake, "pull_request", pr_event(fleet, "synchronize", 14))
    assert outcome.code == 2  # the exit code says a write failed
    assert fake.comments == {}
    assert sum(a.kind is ActionKind.SET_STATUS for a in fake.applied) == 3
    summary = (fleet.root / "summary.md").read_text()
    assert "not written:" in summary
    assert "the body is over the forge's size limit" in summary


def test_a_token_that_may_write_nothing_falls_back_to_the_summary(
    fleet: Fleet, fake: FakeForge,
) -> None:
    for kind in ActionKind:
        fake.refuse[kind] = ForgeCause.PERMISSION
    outcome = refresh(fleet, fake, "pull_request", pr_event(fleet, "synchronize", 14))
    assert outcome.code == 0
    assert fake.applied == []
    assert "pull_request_target" in (fleet.root / "summary.md").read_text()


def test_a_spent_rate_limit_stops_the_writes_and_says_so(fleet: Fleet, fake: FakeForge) -> None:
    fake.refuse[ActionKind.CREATE_COMMENT] = ForgeCause.SECONDARY_RATE_LIMIT
    outcome = refresh(fleet, fake, "pull_request", pr_event(fleet, "synchronize", 14))
    assert outcome.code == 2
    assert fake.applied == []
    assert "the secondary rate limit is spent" in (fleet.root / "summary.md").read_text()


def test_a_pr_outside_the_plan_gets_success_on_a_fleet_refresh(
    fleet: Fleet, fake: FakeForge,
) -> None:
    fake.add_pull(77, "hotfix/x", head_sha="7" * 40)
    assert refresh(fleet, fake, "workflow_dispatch", payload("workflow_dispatch")).code == 0
    assert fake.statuses[("7" * 40, "fleetbot/order")].description == "not part of the fleet"
    fake.applied.clear()
    assert refresh(fleet, fake, "workflow_dispatch", payload("workflow_dispatch"),
                   order_outside=False).code == 0
    assert fake.applied == []


def test_a_merge_group_head_gets_the_queued_prs_verdict(fleet: Fleet, fake: FakeForge) -> None:
    data = payload("merge_group.checks_requested")
    data["repository"]["default_branch"] = "main"
    group = data["merge_group"]
    group["head_sha"] = "9" * 40
    group["head_ref"] = f"refs/heads/gh-readonly-queue/main/pr-14-{'1' * 40}"
    group["base_ref"] = "refs/heads/main"
    assert refresh(fleet, fake, "merge_group", data).code == 0
    status = fake.statuses[("9" * 40, "fleetbot/order")]
    assert (status.state, status.description) == (
        StatusState.FAILURE, "waiting for #42 (collides on tasks/cli.py)")


def test_42_merged_then_25_more_prs_merged_stays_landed(fleet: Fleet, fake: FakeForge) -> None:
    fleet.merge(12)
    fleet.checkout.git("fetch", "-q", "origin")
    fake.merge(12)
    for n in range(100, 125):
        fake.add_pull(n, f"other/{n}", state=PullState.MERGED)
    outcome = refresh(fleet, fake, "workflow_dispatch", payload("workflow_dispatch"))
    assert outcome.report is not None
    assert [s.issue for s in outcome.report.order] == ["#43", "#44"]
    assert fake.statuses[(fleet.head(14), "fleetbot/order")].state is StatusState.SUCCESS
