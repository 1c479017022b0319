"""The fleet dashboard as a GitLab issue (issue 21, item 4) through `fleetbot ci`, against
the fake GitLab: issues as https://docs.gitlab.com/ee/api/issues.html shapes them (list
by label, create, edit), a ticked box's system note as the issue's notes list it
(https://docs.gitlab.com/ee/api/notes.html#list-project-issue-notes), and the role of the
person who ticked from the members API (https://docs.gitlab.com/ee/api/members.html).
GitLab CI has no issue-edit trigger: the next pipeline acts on a tick."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import responses

from fleetbot.action.gitlab_run import NO_BOARD
from fleetbot.forge.types import DASHBOARD_MARKER
from tests.forge.fakegitlab import BOT, DESCRIPTION_LIMIT, HUMAN, FakeGitlab
from tests.gitlab.gitlabproject import JOB_TOKEN, JOB_URL, MRS, Project, after_first_job, job
from tests.support.cli import Invocation
from tests.support.repo import Repo, make_repo

WEB = "https://gitlab.example.com/grp/proj"  # `Forge.web_url`; GitLab redirects /issues/N
# the dashboard writes a mention with a zero-width joiner (render/escape.py): it names
# the person without notifying them again
ADA = "@\u200dada"
Cli = Callable[..., Invocation]


def dashboard_writes(gl: FakeGitlab) -> list[tuple[str, str]]:
    iids = {i["iid"] for i in gl.dashboards()} | {0}
    return [(m, t) for m, t, _ in gl.writes
            if t == "/issues" or any(t == f"/issues/{n}" for n in iids)]


@pytest.fixture
def ran(tmp_path: Path, rsps: responses.RequestsMock,
        monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    """The project after a first push job with the dashboard (`fleetbot ci --dashboard`,
    run once per test process and copied: gitlabproject.py's `after_first_job`), the
    push job's variables set again for the next job."""
    made = after_first_job(tmp_path, rsps, "--dashboard")
    project = next(made)
    job(monkeypatch, project)
    yield project
    next(made, None)


def first_job(project: Project) -> tuple[FakeGitlab, dict[str, Any]]:
    """After a push job with the dashboard (`ran`): the fake GitLab, the dashboard the job
    created."""
    (board,) = project.gitlab.dashboards()
    return project.gitlab, board


def test_created_once_linked_both_ways_and_an_idle_run_writes_nothing(
        project: Project, monkeypatch: pytest.MonkeyPatch,
        cli_invoke: Cli) -> None:
    job(monkeypatch, project)
    out = cli_invoke(["ci", "--dashboard"]).out
    gl = project.gitlab
    (board,) = gl.dashboards()
    n = board["iid"]
    assert (board["author"]["id"], board["labels"], board["title"]) == (
        BOT["id"], ["fleet:dashboard"], "Fleet: Orchestration plan")
    assert dashboard_writes(gl) == [("POST", "/issues")]
    assert "done: create dashboard issue 'Fleet: Orchestration plan'" in out
    body = board["description"]
    assert body.startswith(DASHBOARD_MARKER)
    assert f"[#42]({WEB}/issues/42)" in body
    assert f"[!12]({WEB}/-/merge_requests/12) ready" in body  # the MR's own web_url
    assert f"by [this run]({JOB_URL})" in body
    assert "- [ ] refresh now <!-- fleetbot:ask:refresh -->" in body
    link = f"The whole fleet: [#{n}]({WEB}/-/issues/{n}) (fleet dashboard)."
    assert all(link in gl.sticky(iid)[0]["body"] for iid in MRS)
    gl.calls.clear()
    out = cli_invoke(["ci", "--dashboard"]).out
    assert gl.writes == []
    # finding it again is one read (the issues labelled fleet:dashboard); the plan's
    # issues come with the refresh's GraphQL request
    assert sum(t == "/issues" for _, t, _ in gl.calls) == 1


def test_a_change_in_one_mrs_ci_edits_the_dashboard_once(
        ran: Project, monkeypatch: pytest.MonkeyPatch,
        cli_invoke: Cli) -> None:
    project = ran  # after the first push job
    gl, board = first_job(project)
    gl.add_status(project.head(13), "test", "failed")
    gl.calls.clear()
    cli_invoke(["ci", "--dashboard"])
    assert dashboard_writes(gl) == [("PUT", f"/issues/{board['iid']}")]
    assert len(gl.dashboards()) == 1


def test_a_persons_issue_with_the_marker_is_never_edited(
        project: Project, monkeypatch: pytest.MonkeyPatch,
        cli_invoke: Cli) -> None:
    gl = project.gitlab
    theirs = f"{DASHBOARD_MARKER}\nmy own notes, do not touch\n- [x] refresh now"
    gl.add_issue(50, "Fleet: Orchestration plan", theirs, author=HUMAN,
                 labels=("fleet:dashboard",))
    job(monkeypatch, project)
    for _ in range(2):
        cli_invoke(["ci", "--dashboard"])
    assert gl.issues[50]["description"] == theirs
    assert not any(t == "/issues/50" for _, t, _ in gl.writes)
    assert [(i["iid"], i["author"]["id"]) for i in gl.dashboards()] == [
        (50, HUMAN["id"]), (51, BOT["id"])]
    assert not any(t == "/issues/50/notes" for _, t, _ in gl.calls)  # its tick is not read


def test_a_developers_refresh_tick_is_acted_on_by_the_next_pipeline_and_unticked(
        ran: Project, monkeypatch: pytest.MonkeyPatch,
        cli_invoke: Cli) -> None:
    project = ran  # after the first push job
    gl, board = first_job(project)
    gl.tick(board["iid"], "refresh now", by=HUMAN)  # ada, a Developer (access level 30)
    gl.calls.clear()
    job(monkeypatch, project, source="schedule")
    out = cli_invoke(["ci", "--dashboard"]).out
    assert dashboard_writes(gl) == [("PUT", f"/issues/{board['iid']}")]
    body = gl.issues[board["iid"]]["description"]
    assert "- [ ] refresh now <!-- fleetbot:ask:refresh -->" in body and "[x]" not in body
    assert f"**Asked from here:**\n- {ADA} asked to refresh now (" in body
    assert f"): refreshed by job {JOB_URL}." in body
    assert "dashboard: @ada asked to refresh now (" in out
    reads = [(t, c) for m, t, c in gl.calls if m == "GET"]
    assert (f"/issues/{board['iid']}/notes", None) in reads and ("/members/all", None) in reads
    gl.calls.clear()
    out = cli_invoke(["ci", "--dashboard"]).out
    assert gl.writes == []  # the line stays, nothing else changed
    assert not any(t.endswith("/notes") and t.startswith("/issues") for _, t, _ in gl.calls)


def test_a_reporters_tick_is_ignored_and_the_dashboard_says_so(
        ran: Project, monkeypatch: pytest.MonkeyPatch,
        cli_invoke: Cli) -> None:
    project = ran  # after the first push job
    gl, board = first_job(project)
    gl.members["ada"] = 20  # Reporter
    gl.tick(board["iid"], "verify the fan-in", by=HUMAN)
    cli_invoke(["ci", "--dashboard"])
    body = gl.issues[board["iid"]]["description"]
    assert "[x]" not in body
    assert f"- {ADA} ticked “verify the fan-in” (" in body
    assert "): ignored, only members with at least the Developer role can ask from the " \
        "dashboard." in body


def test_a_tick_no_note_explains_is_ignored(
        ran: Project, monkeypatch: pytest.MonkeyPatch,
        cli_invoke: Cli) -> None:
    project = ran  # after the first push job
    gl, board = first_job(project)
    gl.tick(board["iid"], "refresh now", by=HUMAN)
    gl.issue_notes.clear()  # e.g. the box was ticked by editing the description's Markdown
    cli_invoke(["ci", "--dashboard"])
    body = gl.issues[board["iid"]]["description"]
    assert "[x]" not in body
    assert "- “refresh now” was ticked, but GitLab's notes do not say by whom (" in body
    assert not any(t == "/members/all" for _, t, _ in gl.calls)


def test_sync_keeps_the_same_dashboard_as_the_ci_job(
        ran: Project, monkeypatch: pytest.MonkeyPatch,
        cli_invoke: Cli) -> None:
    project = ran  # after the first push job
    gl, board = first_job(project)
    before = board["description"]
    gl.calls.clear()
    cli_invoke(["sync", "--dashboard", "--repo", str(project.checkout.path)])
    assert dashboard_writes(gl) == [] and len(gl.dashboards()) == 1
    assert gl.issues[board["iid"]]["description"] == before


def test_a_job_token_neither_reads_nor_writes_the_dashboard(
        project: Project, monkeypatch: pytest.MonkeyPatch,
        cli_invoke: Cli) -> None:
    job(monkeypatch, project, token="", job_token=JOB_TOKEN)
    got = cli_invoke(["ci", "--dashboard"])
    gl = project.gitlab
    assert gl.writes == [] and gl.dashboards() == []
    assert not any(t == "/issues" for _, t, _ in gl.calls)  # a job token may not list them
    assert f"note: {NO_BOARD}" in got.out
    assert "dashboard issue" not in got.out + got.err


def test_a_dry_run_says_it_would_create_it_and_writes_nothing(
        project: Project, monkeypatch: pytest.MonkeyPatch,
        cli_invoke: Cli) -> None:
    job(monkeypatch, project)
    out = cli_invoke(["ci", "--dashboard", "--dry-run"]).out
    assert "  would create dashboard issue 'Fleet: Orchestration plan'" in out
    assert project.gitlab.writes == []


def forty_rows(root: Path, rsps: responses.RequestsMock) -> tuple[Repo, FakeGitlab]:
    """A 40-row fleet: row i on `feat/i` edits `src/m<i>.py`, rows 0-3 also `shared.py`."""
    rows = "".join(f"| #{100 + i} row{i} | feat/{i} | ../w{i} | `src/m{i}.py` | none | "
                   f"running |\n" for i in range(40))
    plan = ("# plan\n\n| Issue | Branch | Worktree | Files owned | Depends on | Status |\n"
            "|---|---|---|---|---|---|\n" + rows)
    origin = make_repo(root, {"orchestration-plan.md": plan, "shared.py": "x = 0\n"}, {
        f"feat/{i}": {f"src/m{i}.py": f"v = {i}\n", **({"shared.py": f"x = {i}\n"} if i < 4
                                                          else {})}
        for i in range(40)}, name="origin")  # one fast-import for the 40 branches
    heads = dict(line.split() for line in origin.git(
        "for-each-ref", "--format=%(refname:lstrip=2) %(objectname)", "refs/heads/feat/"
    ).splitlines())
    origin.git("update-ref", "--stdin", input="".join(
        f"create refs/merge-requests/{i + 1}/head {heads[f'feat/{i}']}\n" for i in range(40)))
    gl = FakeGitlab(rsps)
    for i in range(40):
        gl.add_mr(i + 1, f"feat/{i}", head=heads[f"feat/{i}"], description=f"Closes #{100 + i}")
    checkout = Repo(root / "checkout")
    origin.git("clone", "-q", str(origin.path), str(checkout.path))
    return checkout, gl


def test_a_40_row_fleet_fits_gitlabs_description_limit(
        tmp_path: Path, rsps: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch,
        cli_invoke: Cli) -> None:
    checkout, gl = forty_rows(tmp_path, rsps)
    job(monkeypatch, Project(tmp_path, checkout, checkout, gl))
    cli_invoke(["ci", "--dashboard", "--no-comment", "--no-labels", "--no-statuses"])
    gl.check()
    (board,) = gl.dashboards()
    body = board["description"]
    assert len(body) <= 65_536 < DESCRIPTION_LIMIT and "too long" not in body
    assert board["title"] == "Fleet: plan"
    assert all(f"[#{100 + i}]({WEB}/issues/{100 + i}) row{i}" in body for i in range(40))
    assert all(f"[!{i + 1}]({WEB}/-/merge_requests/{i + 1})" in body for i in range(40))


def test_a_refused_create_is_reported_and_fails_the_job(
        project: Project, monkeypatch: pytest.MonkeyPatch,
        cli_invoke: Cli) -> None:
    gl = project.gitlab
    gl.role = "guest"  # every write answered 403 Forbidden
    job(monkeypatch, project)
    out = cli_invoke(["ci", "--dashboard"], code=2).out
    assert gl.dashboards() == []
    assert "GitLab refused (403) creating the fleet dashboard issue in grp/proj: missing " \
        "the Reporter role in the project" in out
    assert sum(c[:2] == ("POST", "/issues") for c in gl.calls) == 1  # not tried twice
