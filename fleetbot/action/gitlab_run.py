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
   statuses that would change something (through the one apply loop).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from fleetbot.action.gitlab_events import GitlabJob, decide_gitlab
from fleetbot.action.options import RunOptions
from fleetbot.action.run import Outcome
from fleetbot.errors import ExitCode, FleetbotError, PlanError
from fleetbot.model import Plan, PullState, Report
from fleetbot.render import workflow as ar

if TYPE_CHECKING:
    from fleetbot.action.events import Refresh
    from fleetbot.forge import Forge
    from fleetbot.forge.types import Applied, ForgeState
    from fleetbot.git import Git
    from fleetbot.model import OrderStatus

MR_HEAD = "refs/merge-requests/{n}/head"
READ_ONLY = ("no token that may write (CI_JOB_TOKEN cannot write notes, labels or "
             "statuses): set GITLAB_TOKEN to a masked, protected project access token with "
             "the `api` scope and the Developer role; reported to the job log and artifacts only")
FORK = "an MR from a fork: its pipeline gets no project token; reporting only"


@dataclass(frozen=True)
class CiOptions(RunOptions):
    """`fleetbot ci` options (FLEETBOT_* variables in the job): the shared ones and GitLab's."""

    statuses: bool = True
    dotenv: str = "fleetbot.env"
    junit: str = "fleetbot-junit.xml"


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
        from fleetbot.git.remote import fetch_pulls, pin_heads
        from fleetbot.pipeline import build_report, fleet_pulls
        from fleetbot.render.terminal import render_text
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
        forge = self._forge_factory()
        wanted_issues = plan_issues(plan) if (self.opts.labels or self.opts.links) else []
        state = forge.state(wanted_issues, label_prefix=self.opts.label_prefix,
                            branches=[r.branch for r in plan.rows], links=self.opts.links)
        for note in state.notes:
            self.log(f"note: {note}")
        pulls = fleet_pulls(plan, state.pulls, state.merged)
        open_pulls = {p.number: p.branch for p in pulls if p.state is PullState.OPEN}
        fetched = fetch_pulls(self.git, open_pulls, head=MR_HEAD)
        pin_heads(self.git, {open_pulls[n]: sha for n, sha in fetched.items()})
        fleet = build_report(self.git, plan, target=target_ref, forge=state)
        report = fleet if trigger is None else replace(fleet, current_issue=trigger.issue)
        self.log(render_text(report, width=80))
        numbers = {r.issue: p.number for r in plan.rows for p in pulls if p.branch == r.branch}
        verdict = ar.verdict_word(report)
        self._artifacts(verdict, report, numbers,
                        wanted_statuses(fleet, state, outside_fleet=False))
        code = self._write(forge, fleet, state, refresh)
        if self.opts.strict and trigger is not None and ar.blocks_strictly(report, trigger.issue):
            self.log(f"error: {trigger.issue} has a conflict that blocks its merge (strict)")
            code = max(code, ExitCode.FINDINGS)
        return Outcome(int(code), verdict, report=report)

    def _write(self, forge: Forge, report: Report, state: ForgeState, refresh: Refresh) -> int:
        from fleetbot.writes import WriteOptions, plan_writes

        options = WriteOptions(
            comments=self.opts.comment, labels=self.opts.labels, links=self.opts.links,
            statuses=self.opts.statuses, label_prefix=self.opts.label_prefix,
            pulls_are_issues=False, run_url=self.job.job_url, outside_fleet=False)
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
        applied: Applied = forge.apply(actions)
        for a in applied.written:
            self.log(f"done: {a.describe()}")
        self.log(applied.report())
        return ExitCode.BAD_INPUT if applied.refused else ExitCode.OK

    def _fetch_target(self, target: str) -> str:
        from fleetbot.git.remote import check_branch_name, fetch_target, has_remote

        if not has_remote(self.git):
            return check_branch_name(self.git, target)
        return fetch_target(self.git, target)

    def _read_plan(self, target_ref: str) -> Plan:
        from fleetbot.git.remote import read_plan_text
        from fleetbot.pipeline import checked_plan
        from fleetbot.plan.parse import detect_format

        text = read_plan_text(self.git, target_ref, self.opts.plan)
        return checked_plan(text, self.opts.plan, detect_format(Path(self.opts.plan)))
