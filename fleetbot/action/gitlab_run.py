"""`fleetbot ci` in a GitLab CI job, the imperative shell: pipeline -> facts -> report ->
writes. Every decision is pure code elsewhere (`gitlab_events.decide_gitlab`,
`pipeline.build_report`, `writes.plan_writes`, `render.junit`); this module reads the
job's variables, asks git and GitLab for facts and hands the planned writes to
`forge.apply()`, in an order that never leaves a half-written state:

1. decide what the pipeline means (ignored pipelines stop here with a notice);
2. read the plan from the target branch (a broken plan stops here: nothing written);
3. read GitLab once, fetch the fleet's MR heads (`refs/merge-requests/N/head`) as
   objects, build the report; MR code is never checked out or run;
4. the job log, the dotenv and JUnit artifacts first (they need no token);
5. then, with a token that may write, the notes, labels, links and `fleetbot/order`
   statuses that would change something (through the one apply loop); with `dashboard`,
   the fleet dashboard issue first, so the notes link it.

GitLab CI has no trigger for an issue edit, so a ticked dashboard box is acted on by the
next pipeline that runs `fleetbot ci` (an MR pipeline, a push to the target, a schedule):
it asks the issue's notes who ticked it (GitLab writes a system note for each ticked box)
and the project's members whether that person has at least the Developer role, acts, and
the new body has every box unticked again, with a line saying who asked and what happened.
"Verify the fan-in" starts a pipeline on the target with FLEETBOT_VERIFY=1: its
`fleetbot-verify` job runs the tests without the token (GITLAB_TOKEN is scoped to the
`fleetbot` environment, which only this job declares), and this job in that pipeline reads
its JSON (`--verify-result`, the reader the GitHub Action uses: action/verify_result.py).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO, runtime_checkable

from fleetbot.action.gitlab_events import GitlabJob, decide_gitlab
from fleetbot.action.options import RunOptions
from fleetbot.action.run import Outcome
from fleetbot.errors import ExitCode, FleetbotError, PlanError
from fleetbot.frozen import frozen
from fleetbot.model import Plan, PullState, Report
from fleetbot.render import workflow as ar

if TYPE_CHECKING:
    from fleetbot.action.events import Refresh
    from fleetbot.forge import Forge
    from fleetbot.forge.types import Action, Applied, DashboardIssue, ForgeState
    from fleetbot.git import Git
    from fleetbot.model import OrderStatus
    from fleetbot.writes import WriteOptions

MR_HEAD = "refs/merge-requests/{n}/head"
READ_ONLY = ("no token that may write (CI_JOB_TOKEN cannot write notes, labels or "
             "statuses): set GITLAB_TOKEN to a masked, protected project access token with "
             "the `api` scope and the Developer role; reported to the job log and artifacts only")
NO_BOARD = ("the fleet dashboard was not read or kept: it needs GITLAB_TOKEN (a job token "
            "may not list or write issues); pushes and schedules with the token keep it")
FORK = "an MR from a fork: its pipeline gets no project token; reporting only"


@frozen
class CiOptions(RunOptions):
    """`fleetbot ci` options (FLEETBOT_* variables in the job): the shared ones and GitLab's."""

    statuses: bool = True
    dotenv: str = "fleetbot.env"
    junit: str = "fleetbot-junit.xml"
    dashboard: bool = False  # keep the fleet dashboard issue (writes/dashboard.py)
    verify_result: str = ""  # the verify job's JSON (untrusted: action/verify_result.py)


@runtime_checkable
class TickReader(Protocol):
    """A forge that can say who ticked a box (GitLab: from the issue's system notes)."""

    def ticked_by(self, number: int, text: str) -> str: ...


@runtime_checkable
class PipelineStarter(Protocol):
    """A forge that starts pipelines (GitLab): the web_url of each one `apply()` started."""

    def started_pipelines(self) -> tuple[str, ...]: ...


ForgeFactory = Callable[[], "Forge"]


class GitlabRun:
    """One `fleetbot ci` job. Construction does no I/O; `run()` does it all."""

    def __init__(self, job: GitlabJob, opts: CiOptions, git: Git, forge: ForgeFactory, *,
                 workdir: Path | None = None, out: TextIO | None = None) -> None:
        self.job, self.opts, self.git, self._forge_factory = job, opts, git, forge
        self.workdir = workdir or Path.cwd()
        self.out = out or sys.stdout

    def log(self, text: str) -> None:
        self.out.write(text.rstrip("\n") + "\n")
        self.out.flush()

    def _artifacts(self, verdict: str, report: Report | None = None,
                   numbers: dict[str, int] | None = None,
                   statuses: Sequence[OrderStatus] = ()) -> None:
        from fleetbot.render.junit import dotenv, junit_report

        values = {k: v for k, v in ar.outputs(verdict, report, numbers).items() if k != "order"}
        (self.workdir / self.opts.dotenv).write_text(dotenv(values), encoding="utf-8")
        if report is not None:
            (self.workdir / self.opts.junit).write_text(
                junit_report(report, statuses), encoding="utf-8")

    def run(self) -> Outcome:
        refresh = decide_gitlab(self.job, target=self.opts.target)
        self.log(f"fleetbot: {refresh.notice}")
        if refresh.ignored:
            self._artifacts("ignored")
            return Outcome(ExitCode.OK, "ignored")
        try:
            return self._run(refresh)
        except PlanError as exc:
            self.log(f"error: {exc}")
            self._artifacts("invalid-plan")
            return Outcome(ExitCode.BAD_INPUT, "invalid-plan")
        except FleetbotError as exc:
            self.log(f"error: {exc}")
            self._artifacts("error")
            return Outcome(int(exc.exit_code), "error")

    def _run(self, refresh: Refresh) -> Outcome:
        from fleetbot.action.verify_result import load_verify_result, take
        from fleetbot.git.chain import resolve_commit
        from fleetbot.git.remote import fetch_pulls, pin_heads
        from fleetbot.pipeline import build_report, fleet_pulls
        from fleetbot.render.terminal import render_text
        from fleetbot.render.verify import render_text as render_verify
        from fleetbot.writes.links import plan_issues
        from fleetbot.writes.statuses import wanted_statuses

        target = self.opts.target or refresh.base or self.job.default_branch or "main"
        target_ref = self._fetch_target(target)
        plan = self._read_plan(target_ref)
        trigger = plan.find(refresh.branch) if refresh.branch else None
        if refresh.event == "merge_request_event" and trigger is None:
            note = ar.not_in_fleet_note(refresh.pull, refresh.branch, self.opts.plan)
            self.log(f"fleetbot: {note}")
            self._artifacts("not-in-fleet")
            return Outcome(ExitCode.OK, "not-in-fleet")
        verify = load_verify_result(Path(self.opts.verify_result)) \
            if self.opts.verify_result else None  # a bad file stops here: nothing written
        forge = self._forge_factory()
        wanted_issues = plan_issues(plan) if (self.opts.labels or self.opts.links) else []
        state = forge.state(wanted_issues, label_prefix=self.opts.label_prefix,
                            branches=[r.branch for r in plan.rows], links=self.opts.links)
        asked: list[str] = []
        board = self.opts.dashboard and forge.can_write
        if board:
            state = replace(state, dashboard=forge.find_dashboard(self._dashboard_label))
            if state.dashboard is not None:
                asked = self._asked(forge, state.dashboard, target, refresh.read_only)
        elif self.opts.dashboard:
            state = replace(state, notes=(*state.notes, NO_BOARD))
        for note in state.notes:
            self.log(f"note: {note}")
        for line in asked:
            self.log(f"dashboard: {line}")
        pulls = fleet_pulls(plan, state.pulls, state.merged)
        open_pulls = {p.number: p.branch for p in pulls if p.state is PullState.OPEN}
        fetched = fetch_pulls(self.git, open_pulls, head=MR_HEAD)
        pin_heads(self.git, {open_pulls[n]: sha for n, sha in fetched.items()})
        fleet = build_report(self.git, plan, target=target_ref, forge=state)
        if verify is not None:
            taken = take(fleet, verify, resolve_commit(self.git, target_ref))
            fleet = taken.report
            self.log(f"fleetbot verify: {taken.note}")
            if taken.result is not None:  # as the GitHub Action's summary shows it
                self.log(render_verify(taken.result))
        report = fleet if trigger is None else replace(fleet, current_issue=trigger.issue)
        self.log(render_text(report, width=80))
        numbers = {r.issue: p.number for r in plan.rows for p in pulls if p.branch == r.branch}
        verdict = ar.verdict_word(report)
        self._artifacts(verdict, report, numbers,
                        wanted_statuses(fleet, state, outside_fleet=False))
        code = self._write(forge, fleet, state, refresh, asked if board else None)
        if self.opts.strict and trigger is not None and ar.blocks_strictly(report, trigger.issue):
            self.log(f"error: {trigger.issue} has a conflict that blocks its merge (strict)")
            code = max(code, ExitCode.FINDINGS)
        return Outcome(int(code), verdict, report=report)

    # ------------------------------------------------------------ the dashboard

    @property
    def _dashboard_label(self) -> str:
        from fleetbot.writes.dashboard import LABEL

        return self.opts.label_prefix + LABEL

    def _asked(self, forge: Forge, board: DashboardIssue, target: str,
               read_only: bool) -> list[str]:
        """The lines for the boxes ticked since the last refresh: who asked (the issue's
        notes) and, when they may ask (Developer or more), what this run does about it.
        Reads only when a box is ticked: the notes and the members once per ticked box."""
        from datetime import datetime, timezone

        from fleetbot.writes.dashboard import Ask, ticked

        asks = ticked(board.body)
        if not asks or not isinstance(forge, TickReader):
            return []
        when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        lines = []
        for ask in asks:
            who = forge.ticked_by(board.number, ask.text)
            if not who:
                lines.append(f"“{ask.text}” was ticked, but GitLab's notes do not say by "
                             f"whom ({when}): ignored.")
            elif not forge.can_push(who):
                lines.append(f"@{who} ticked “{ask.text}” ({when}): ignored, only members "
                             "with at least the Developer role can ask from the dashboard.")
            elif ask is Ask.REFRESH:
                lines.append(f"@{who} asked to {ask.text} ({when}): refreshed by job "
                             f"{self.job.job_url or 'this job'}.")
            else:
                lines.append(f"@{who} asked to {ask.text} ({when}): "
                             + self._start_verify(forge, target, read_only))
        return lines

    def _start_verify(self, forge: Forge, target: str, read_only: bool) -> str:
        """Start the verify pipeline on the target (one write, through the apply loop)
        and say what happened; a dry run or a read-only job starts none."""
        from fleetbot.forge.types import Action, ActionKind

        start = Action(ActionKind.START_PIPELINE, ref=target)
        if self.opts.dry_run or read_only or not isinstance(forge, PipelineStarter):
            why = "dry run" if self.opts.dry_run else "this job may not start pipelines"
            self.log(f"fleetbot: {why}; would {start.describe()}")
            return f"not started ({why})."
        applied = forge.apply([start])
        if not applied.written:
            why = applied.refused[0].message if applied.refused else "not written"
            self.log(f"warning: {why}")
            return f"the verify pipeline was not started: {why}"
        self.log(f"done: {start.describe()}")
        return f"started pipeline {forge.started_pipelines()[-1]}."

    def _options(self, forge: Forge, asked: Sequence[str] | None) -> WriteOptions:
        from datetime import datetime, timezone

        from fleetbot.writes import DashboardContext, WriteOptions

        board = None
        if asked is not None:
            board = DashboardContext(
                refreshed_at=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                run_url=self.job.job_url, asked=tuple(asked), pull_sigil="!",
                repo_url=forge.web_url)
        return WriteOptions(
            comments=self.opts.comment, labels=self.opts.labels, links=self.opts.links,
            statuses=self.opts.statuses, label_prefix=self.opts.label_prefix,
            pulls_are_issues=False, run_url=self.job.job_url, outside_fleet=False,
            dashboard=board)

    def _dashboard_first(self, forge: Forge, actions: list[Action], report: Report,
                         state: ForgeState, options: WriteOptions
                         ) -> tuple[Applied | None, list[Action]]:
        """Create a new dashboard before the other writes and plan again, so the notes
        link it from this very run: (what the create did, the writes still to make)."""
        from fleetbot.forge.types import ActionKind
        from fleetbot.writes import plan_writes

        create = [a for a in actions if a.kind is ActionKind.CREATE_ISSUE]
        rest = [a for a in actions if a.kind is not ActionKind.CREATE_ISSUE]
        if not create:
            return None, actions
        first = forge.apply(create)
        if first.written:
            state = replace(state, dashboard=forge.find_dashboard(self._dashboard_label))
            rest = [a for a in plan_writes(report, state, options)
                    if a.kind is not ActionKind.CREATE_ISSUE]  # never a second one
        return first, rest

    # ------------------------------------------------------------ writes

    def _write(self, forge: Forge, report: Report, state: ForgeState, refresh: Refresh,
               asked: Sequence[str] | None = None) -> int:
        """Plan and make the writes; `asked`: the dashboard's new lines (None: no
        dashboard kept by this job)."""
        from fleetbot.forge.types import Applied
        from fleetbot.writes import plan_writes

        options = self._options(forge, asked)
        actions = plan_writes(report, state, options)
        if not actions:
            self.log("fleetbot: nothing to write: every note, label and status is up to date.")
            return ExitCode.OK
        read_only = refresh.read_only or not forge.can_write
        if self.opts.dry_run or read_only:
            why = "dry run" if self.opts.dry_run else (FORK if refresh.read_only else READ_ONLY)
            self.log(f"fleetbot: {why}; {len(actions)} change(s) not written:")
            for a in actions:
                self.log(f"  would {a.describe()}")
            return ExitCode.OK
        first, actions = self._dashboard_first(forge, actions, report, state, options)
        applied = forge.apply(actions)
        if first is not None:
            applied = Applied(first.written + applied.written, first.refused + applied.refused,
                              first.skipped + applied.skipped, first.notes + applied.notes)
        for a in applied.written:
            self.log(f"done: {a.describe()}")
        self.log(applied.report())
        return ExitCode.BAD_INPUT if applied.refused else ExitCode.OK

    def _fetch_target(self, target: str) -> str:
        from fleetbot.git.remote import check_branch_name, fetch_target, has_remote

        if not has_remote(self.git):
            return check_branch_name(target)
        return fetch_target(self.git, target)

    def _read_plan(self, target_ref: str) -> Plan:
        from fleetbot.git.remote import read_plan_text
        from fleetbot.pipeline import checked_plan
        from fleetbot.plan.parse import detect_format

        text = read_plan_text(self.git, target_ref, self.opts.plan)
        return checked_plan(text, self.opts.plan, detect_format(Path(self.opts.plan)))
