"""The fleet dashboard issue (issue 21) against the schema-checked fake GitHub: created
once, untouched when idle, edited once when a PR's CI changes, never a person's issue,
within the body limit at 40 rows, and acted from by a writer's tick (not a reader's)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import responses

from fleetbot.forge.types import DASHBOARD_MARKER, ActionKind, DashboardIssue, ForgeState
from fleetbot.model import MergeStep, Plan, PlanFormat, Report, Row
from fleetbot.render.escape import md
from fleetbot.writes.dashboard import (
    Ask,
    DashboardContext,
    dashboard_actions,
    render_dashboard,
    ticked,
    title,
    untick,
)
from tests.support.actionkit import TOKEN, Fleet, after_first_run, make_fleet
from tests.support.cli import Invocation
from tests.support.fakegraphql import check
from tests.support.fakeserver import mount
from tests.support.webhooks import payload

LABEL = "fleet:dashboard"


@pytest.fixture
def fleet(tmp_path: Path, rsps: responses.RequestsMock,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[Fleet]:
    f = make_fleet(tmp_path)
    mount(f.github, rsps)
    use(f, monkeypatch, "workflow_dispatch", payload("workflow_dispatch"))
    monkeypatch.chdir(f.checkout.path)
    yield f
    f.github.check()


@pytest.fixture
def ran(tmp_path: Path, rsps: responses.RequestsMock,
        monkeypatch: pytest.MonkeyPatch) -> Iterator[Fleet]:
    """`fleet` after its first `fleetbot action --dashboard` (run once per test process
    and copied: tests/support/actionkit.py's `after_first_run`), wired as `fleet` is."""
    f, _ = after_first_run(tmp_path, ["action", "--no-throttle", "--dashboard"],
                           "workflow_dispatch", payload("workflow_dispatch"),
                           {"GITHUB_TOKEN": TOKEN})
    mount(f.github, rsps)
    use(f, monkeypatch, "workflow_dispatch", payload("workflow_dispatch"))
    monkeypatch.chdir(f.checkout.path)
    yield f
    f.github.check()


def use(f: Fleet, monkeypatch: pytest.MonkeyPatch, event: str, data: dict[str, Any]) -> None:
    for key, value in f.env(event, data).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)


Action = Callable[..., Invocation]


@pytest.fixture
def action(cli_invoke: Action) -> Action:
    """`action(*extra)`: `fleetbot action --dashboard` as the runner starts it; exits 0."""
    return lambda *extra: cli_invoke(["action", "--no-throttle", "--dashboard", *extra])


def board(f: Fleet) -> dict[str, Any]:
    (number,) = f.github.dashboards()
    return {"number": number, **f.github.issue_store[number],
            "labels": f.github.labels[number]}


def issue_writes(f: Fleet) -> list[str]:
    return [f"{w.method} {w.path}" for w in f.github.writes if "/comments" not in w.path
            and "/labels" not in w.path and "/statuses" not in w.path
            and "/dependencies" not in w.path]


def test_created_once_on_the_first_run_and_linked_from_every_comment(fleet: Fleet, action: Action) -> None:
    action()
    b = board(fleet)
    assert (b["title"], b["labels"], b["creator"]) == (
        "Fleet: Orchestration plan", [LABEL], "github-actions[bot]")
    assert b["body"].startswith(DASHBOARD_MARKER + "\n")
    assert issue_writes(fleet) == ["POST /repos/octo/tasks/issues"]
    url = f"https://github.com/octo/tasks/issues/{b['number']}"
    for n in (12, 13, 14):
        (body,) = fleet.github.comment_bodies(n)
        assert f"The whole fleet: [#{b['number']}]({url}) (fleet dashboard)." in body
    for n, issue in ((12, 42), (13, 43), (14, 44)):  # the dashboard links each issue and PR
        assert f"[#{issue}](https://github.com/octo/tasks/issues/{issue})" in b["body"]
        assert f"[#{n}](https://github.com/octo/tasks/pull/{n}) ready" in b["body"]


def test_an_idle_second_run_writes_nothing(ran: Fleet, action: Action) -> None:
    fleet = ran  # after the first run
    fleet.github.requests.clear()
    action()
    assert fleet.github.writes == []
    # the dashboard cost one read: the refresh's own GraphQL queries, plus one
    reads = [r for r in fleet.github.requests if r.path == "/graphql"]
    assert sum("FleetDashboard" in r.body["query"] for r in reads) == 1
    assert len(fleet.github.dashboards()) == 1


def test_a_change_in_one_prs_ci_edits_the_dashboard_once(ran: Fleet, action: Action) -> None:
    fleet = ran  # after the first run
    number = board(fleet)["number"]
    fleet.github.pulls[13].checks = [check("tests", "FAILURE")]
    fleet.github.requests.clear()
    action()
    assert issue_writes(fleet) == [f"PATCH /repos/octo/tasks/issues/{number}"]
    fleet.github.requests.clear()
    action()
    assert issue_writes(fleet) == []


def test_a_persons_issue_with_the_marker_is_never_edited(fleet: Fleet, action: Action) -> None:
    theirs = fleet.github.add_issue("Fleet: Orchestration plan", f"{DASHBOARD_MARKER}\nmine",
                                    labels=(LABEL,), creator="octocat")
    action()
    assert fleet.github.issue_store[theirs]["body"] == f"{DASHBOARD_MARKER}\nmine"
    assert fleet.github.dashboards() != [] and theirs not in fleet.github.dashboards()
    assert all(f"/issues/{theirs}" not in w.path for w in fleet.github.writes)


def edited(f: Fleet, number: int, body: str, before: str, login: str) -> dict[str, Any]:
    data = payload("issues.opened")
    data["action"] = "edited"
    data["issue"].update(number=number, body=body)
    data["changes"] = {"body": {"from": before}}
    data["sender"].update(login=login, type="User")
    data["repository"].update(full_name="octo/tasks", default_branch="main")
    return data


def tick(body: str, ask: Ask) -> str:
    return body.replace(f"- [ ] {ask.text} {ask.marker}", f"- [x] {ask.text} {ask.marker}")


def ticked_by(f: Fleet, monkeypatch: pytest.MonkeyPatch, ask: Ask,
              login: str, *, writer: bool) -> tuple[int, str]:
    """After the first run made the dashboard (`ran`), `login` ticks `ask` on it (this
    event). The dashboard's number and its ticked body."""
    b = board(f)
    body = tick(b["body"], ask)
    assert body != b["body"]
    f.github.issue_store[b["number"]]["body"] = body
    if writer:
        f.github.writers.add(login)
    use(f, monkeypatch, "issues", edited(f, b["number"], body, b["body"], login))
    f.github.requests.clear()
    return b["number"], body


def test_a_writers_refresh_tick_refreshes_and_is_unticked(
        ran: Fleet, monkeypatch: pytest.MonkeyPatch, action: Action) -> None:
    fleet = ran  # after the first run
    number, _ = ticked_by(fleet, monkeypatch, Ask.REFRESH, "lead", writer=True)
    action()
    after = fleet.github.issue_store[number]["body"]
    assert "- [x]" not in after
    assert f"- [ ] {Ask.REFRESH.text} {Ask.REFRESH.marker}" in after
    assert md("@lead asked to refresh now (") in after
    assert "refreshed by run https://github.com/octo/tasks/actions/runs/1." in after
    assert issue_writes(fleet) == [f"PATCH /repos/octo/tasks/issues/{number}"]
    # a full refresh: the fleet's PRs were read
    assert any("FleetState" in r.body["query"] for r in fleet.github.requests
               if r.path == "/graphql")


def test_a_readers_tick_is_ignored_and_the_dashboard_says_so(
        ran: Fleet, monkeypatch: pytest.MonkeyPatch, action: Action) -> None:
    fleet = ran  # after the first run
    number, ticked = ticked_by(fleet, monkeypatch, Ask.REFRESH, "visitor", writer=False)
    action()
    after = fleet.github.issue_store[number]["body"]
    note = ("@visitor ticked “refresh now”: ignored, only people with write access can ask "
            "from the dashboard.")
    assert after == untick(ticked, [note])
    assert "- [x]" not in after and f"- {md(note)}" in after
    assert not any("FleetState" in r.body["query"] for r in fleet.github.requests
                   if r.path == "/graphql")
    assert issue_writes(fleet) == [f"PATCH /repos/octo/tasks/issues/{number}"]


def test_a_writers_verify_tick_dispatches_the_verify_workflow(
        ran: Fleet, monkeypatch: pytest.MonkeyPatch, action: Action) -> None:
    fleet = ran  # after the first run
    number, _ = ticked_by(fleet, monkeypatch, Ask.VERIFY, "lead", writer=True)
    action("--verify-workflow", "fleetbot-verify.yml")
    assert fleet.github.dispatched == [("fleetbot-verify.yml", "main")]
    after = fleet.github.issue_store[number]["body"]
    assert "- [x]" not in after
    assert md("dispatched `fleetbot-verify.yml` on `main`.") in after


@pytest.mark.slow  # a scale test: CI's second step
def test_a_40_row_fleet_fits_the_limit(tmp_path: Path, rsps: responses.RequestsMock,
                                       monkeypatch: pytest.MonkeyPatch,
                                       action: Action) -> None:
    from tests.action.test_action_scale import fleet_repo

    _, checkout, gh = fleet_repo(tmp_path, 40, colliding=4)
    mount(gh, rsps)
    f = Fleet(tmp_path, checkout, checkout, gh)
    use(f, monkeypatch, "workflow_dispatch", payload("workflow_dispatch"))
    monkeypatch.chdir(checkout.path)
    action()
    gh.check()
    (number,) = gh.dashboards()
    body = gh.issue_store[number]["body"]
    assert len(body) <= 65_536 and "too long" not in body  # folded, nothing trimmed
    assert "❌ #101 (textual), ❌ #102 (textual), ❌ #103 (textual), ⚠️ #104 (diff), " in body
    assert gh.issue_store[number]["title"] == "Fleet: plan"
    assert all(f"[#{100 + i}](https://github.com/octo/tasks/issues/{100 + i}) row{i}" in body
               for i in range(40))


def big_report(n: int) -> Report:
    rows = tuple(Row(f"#{i}", f"feat/{i}", title=f"row {i}") for i in range(n))
    order = tuple(MergeStep(i + 1, f"#{i}", f"feat/{i}", reasons=("x" * 300,))
                  for i in range(n))
    return Report("main", Plan(rows, text="# Big\n"), order=order)


def test_a_fleet_too_big_for_the_limit_folds_then_trims_with_a_link() -> None:
    ctx = DashboardContext(run_url="https://github.com/o/r/actions/runs/7",
                           repo_url="https://github.com/o/r")
    whole = render_dashboard(big_report(40), ForgeState(), ctx)
    assert len(whole) <= 65_536 and "<summary>Graph</summary>" in whole
    cut = render_dashboard(big_report(40), ForgeState(), ctx, limit=4_000)
    assert len(cut) <= 4_000
    assert cut.startswith(DASHBOARD_MARKER + "\n")
    assert cut.endswith("*The full fleet report is too long for a comment: see [the run's job "
                        "summary](https://github.com/o/r/actions/runs/7).*\n")
    assert "<summary>Graph</summary>" not in cut


def test_title_and_ticks_are_read_back_exactly() -> None:
    assert title(Plan((), text="intro\n# Sprint 9 fleet\n")) == "Fleet: Sprint 9 fleet"
    assert title(Plan((), source="plans/fleet.yaml", format=PlanFormat.YAML)) == \
        "Fleet: fleet.yaml"
    assert title(Plan((), source="orchestration-plan.md", text="no heading")) == \
        "Fleet: orchestration-plan.md"
    body = render_dashboard(big_report(1), ForgeState(), DashboardContext())
    assert ticked(body) == ()
    assert ticked(tick(tick(body, Ask.VERIFY), Ask.REFRESH)) == (Ask.REFRESH, Ask.VERIFY)
    assert untick(tick(body, Ask.REFRESH), []) == body


def test_an_idle_dashboard_plans_nothing_and_a_changed_one_one_edit() -> None:
    report = big_report(2)
    ctx = DashboardContext(refreshed_at="2026-12-01 10:00 UTC")
    body = render_dashboard(report, ForgeState(), ctx)
    (create,) = dashboard_actions(body, "Fleet: Big", ForgeState(), LABEL)
    assert (create.kind, create.label, create.title) == (ActionKind.CREATE_ISSUE, LABEL,
                                                          "Fleet: Big")
    state = ForgeState(dashboard=DashboardIssue(7, body, "Fleet: Big"))
    later = render_dashboard(report, state, replace(ctx, refreshed_at="2026-12-01 11:00 UTC"))
    assert later != body and dashboard_actions(later, "Fleet: Big", state, LABEL) == []
    changed = render_dashboard(big_report(3), state, ctx)
    assert [(a.kind, a.number) for a in dashboard_actions(changed, "Fleet: Big", state,
                                                          LABEL)] == [(ActionKind.EDIT_ISSUE, 7)]


EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "example-dashboard.md"
REGENERATE = "FLEETBOT_WRITE_EXAMPLE=1 pytest tests/writes/test_dashboard.py -k example"


def test_the_example_dashboard_in_the_docs_is_the_demo_fleets(ran: Fleet) -> None:
    import os
    import re

    fleet = ran  # after the demo fleet's first run
    body = re.sub(r"^\*Refreshed [^*]* by ", "*Refreshed 2026-12-01 09:00 UTC by ",
                  board(fleet)["body"], flags=re.M)
    text = ("# Example: the fleet dashboard\n\nThe issue `fleetbot action --dashboard` keeps "
            "for the demo fleet (`fleetbot demo`), titled “Fleet: Orchestration plan” and "
            "labelled `fleet:dashboard`. Generated by tests/writes/test_dashboard.py; regenerate "
            f"with `{REGENERATE}`.\n\n---\n\n{body}")
    if os.environ.get("FLEETBOT_WRITE_EXAMPLE"):
        EXAMPLE.write_text(text, encoding="utf-8")
    assert EXAMPLE.read_text(encoding="utf-8") == text, (
        f"docs/example-dashboard.md is out of date; regenerate it with:\n  {REGENERATE}")


def test_which_dashboard_edits_are_requests() -> None:
    from fleetbot.action.events import Scope, decide

    body = render_dashboard(big_report(1), ForgeState(), DashboardContext())
    f = Fleet(Path("."), None, None, None)  # type: ignore[arg-type]
    asked = decide("issues", edited(f, 7, tick(body, Ask.VERIFY), body, "lead"))
    assert (asked.scope, asked.asks, asked.asker, asked.dashboard) == (
        Scope.ALL, ("verify",), "lead", 7)
    again = decide("issues", edited(f, 7, tick(body, Ask.VERIFY), tick(body, Ask.VERIFY),
                                    "lead"))  # the box was ticked already: not new
    assert (again.scope, again.asks) == (Scope.IGNORE, ())
    bot = edited(f, 7, tick(body, Ask.REFRESH), body, "github-actions[bot]")
    bot["sender"]["type"] = "Bot"
    assert decide("issues", bot).scope is Scope.IGNORE


def test_sync_keeps_the_same_dashboard_as_the_action(fleet: Fleet, action: Action,
                                                   cli_invoke: Action) -> None:
    cli_invoke(["sync", "--dashboard"])
    (number,) = fleet.github.dashboards()
    assert fleet.github.labels[number] == [LABEL]
    fleet.github.requests.clear()
    cli_invoke(["sync", "--dashboard"])
    assert issue_writes(fleet) == []
    action()
    assert fleet.github.dashboards() == [number]


def test_the_reports_notes_are_folded_and_escaped() -> None:
    report = replace(big_report(1), notes=(
        "#1: its landing (squash-merged in 1a2b3c4) was reverted in 9f8e7d6; it counts as "
        "not landed: its branch merges again", "#2: PR #7 merged into @evil <b>x</b>, not main"))
    body = render_dashboard(report, ForgeState(), DashboardContext())
    fold = body[body.index("<summary>Notes (2)</summary>"):]
    assert fold.splitlines()[2].startswith("- #1: its landing (squash-merged in 1a2b3c4)")
    assert "@evil" not in fold and "<b>" not in fold
    assert "Notes" not in render_dashboard(big_report(1), ForgeState(), DashboardContext())
