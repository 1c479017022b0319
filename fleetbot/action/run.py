"""`fleetbot action`, the imperative shell: event -> facts -> report -> writes.

Every decision is made by pure code elsewhere (`action.events.decide`,
`pipeline.build_report`, `writes.plan_writes`, `render.workflow`); this module only reads
the runner's environment, asks git and the forge for facts, and hands the planned writes
to `forge.apply()`, in an order that never leaves a half-written state:

1. decide what the event means (ignored events stop here with a notice);
2. read the plan from the target branch (a broken plan stops here: error annotations,
   a failing check, nothing written to any PR);
3. read the forge once, fetch the fleet's PR heads as `refs/pull/N/head`, build the report;
4. job summary, annotations and outputs first (they need no write permission);
5. then, when the token can write, the planned comment/label/link/status actions, each
   only when it would change something; a refused write does not stop the independent
   ones, and the summary lists what was and was not written.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from fleetbot.action.events import Refresh, Scope, decide, default_branch
from fleetbot.action.options import RunOptions
from fleetbot.action.runner import ActionEnv, append_summary, emit, log, write_outputs
from fleetbot.errors import ExitCode, FleetbotError, ForgeCause, GitError, PlanError
from fleetbot.forge.types import Applied
from fleetbot.frozen import frozen
from fleetbot.model import Plan, PullFacts, PullState, Report, VerifyResult
from fleetbot.render import workflow as ar
from fleetbot.render.workflow import annotation, mask_command

if TYPE_CHECKING:
    from fleetbot.forge import Forge
    from fleetbot.forge.types import Action, ForgeState
    from fleetbot.git import Git


@frozen
class Options(RunOptions):
    """The Action's inputs (action.yml): the shared ones and the GitHub-only ones."""

    not_in_plan: str = "note"  # note | silent
    order_outside: bool = True  # `fleetbot/order` success on PRs outside the plan
    verify_result: str = ""  # the verify job's JSON (untrusted: action/verify_result.py)
    dashboard: bool = False  # keep the fleet dashboard issue (writes/dashboard.py)
    verify_workflow: str = ""  # the workflow file "verify the fan-in" dispatches


@dataclass
class Outcome:
    """What one run did: for the exit code, and for tests."""

    code: int
    verdict: str
    writes: list[str] = field(default_factory=list)
    report: Report | None = None


ForgeFactory = Callable[[], "Forge"]


class ActionRun:
    """One run of the Action. Construction does no I/O; `run()` does it all."""

    def __init__(
        self, env: ActionEnv, opts: Options, git: Git, forge: ForgeFactory,
        payload: dict[str, Any], *, out: TextIO | None = None, err: TextIO | None = None,
    ) -> None:
        self.env, self.opts, self.git, self._forge_factory = env, opts, git, forge
        self.payload = payload
        self._target_ref = ""
        self._verify: VerifyResult | None = None
        self.out = out or sys.stdout
        self.err = err or sys.stderr

    # ------------------------------------------------------------ small I/O helpers

    def say(self, line: str) -> None:
        emit(line, self.out)

    def log(self, text: str) -> None:
        log(text, self.err)

    def finish(self, verdict: str, code: int = ExitCode.OK, *, summary: str = "",
               report: Report | None = None, numbers: dict[str, int] | None = None,
               writes: Sequence[str] = ()) -> Outcome:
        if summary:
            append_summary(self.env.step_summary, summary)
        write_outputs(self.env.output, ar.outputs(verdict, report, numbers))
        return Outcome(int(code), verdict, list(writes), report)

    # ------------------------------------------------------------ the run

    def run(self) -> Outcome:
        if self.env.token:
            self.say(mask_command(self.env.token))
        refresh = decide(self.env.event_name, self.payload, target=self.opts.target)
        self.log(f"fleetbot: {refresh.notice}")
        if refresh.ignored:
            self.say(annotation("notice", refresh.notice, title="fleetbot"))
            return self.finish("ignored", summary=f"fleetbot: {refresh.notice}\n")
        try:
            return self._run(refresh)
        except PlanError as exc:
            for line in ar.plan_error_annotations(exc):
                self.say(line)
            self.log(f"error: {exc}")
            return self.finish("invalid-plan", ExitCode.BAD_INPUT,
                               summary=ar.plan_error_summary(exc, self._target_ref))
        except FleetbotError as exc:
            self.say(annotation("error", str(exc), title="fleetbot"))
            self.log(f"error: {exc}")
            return self.finish("error", exc.exit_code, summary=ar.failure_summary(exc))

    def _run(self, refresh: Refresh) -> Outcome:
        target = (self.opts.target or refresh.base or default_branch(self.payload)
                  or self.env.branch or "main")
        self._target_ref = target_ref = self._fetch_target(target)
        plan = self._read_plan(target_ref)
        trigger_row = plan.find(refresh.branch) if refresh.branch else None
        if refresh.event in ("pull_request", "pull_request_target") and trigger_row is None:
            note = ar.not_in_fleet_note(refresh.pull, refresh.branch, self.opts.plan)
            self._outside_status(refresh)
            if self.opts.not_in_plan == "note":
                self.say(annotation("notice", note, title="fleetbot"))
                return self.finish("not-in-fleet", summary=f"fleetbot: {note}\n")
            return self.finish("not-in-fleet")
        if refresh.asks and not self._may_ask(refresh):
            return self._ignore_ask(refresh)
        return self._refresh(refresh, plan, target_ref, trigger_row.issue if trigger_row else None)

    # ------------------------------------------------------------ the dashboard

    @property
    def _dashboard_label(self) -> str:
        from fleetbot.writes.dashboard import LABEL

        return self.opts.label_prefix + LABEL

    def _may_ask(self, refresh: Refresh) -> bool:
        """May the person who ticked a dashboard box ask? (Write access; one read.)"""
        return bool(self.env.token) and self._forge_factory().can_push(refresh.asker)

    def _ignore_ask(self, refresh: Refresh) -> Outcome:
        """A tick by someone without write access: no refresh; the box is unticked and
        the dashboard says so (one write, none in a dry run or without a token)."""
        from fleetbot.forge.types import Action, ActionKind
        from fleetbot.writes.dashboard import Ask, untick

        what = " and ".join(f"“{Ask(a).text}”" for a in refresh.asks)
        note = (f"@{refresh.asker} ticked {what}: ignored, only people with write access "
                "can ask from the dashboard.")
        self.say(annotation("notice", note, title="fleetbot"))
        forge = self._forge_factory()
        board = forge.find_dashboard(self._dashboard_label) if self.env.token else None
        writes: list[str] = []
        if board is not None and board.number == refresh.dashboard:
            edit = Action(ActionKind.EDIT_ISSUE, board.number, title=board.title,
                          body=untick(board.body, [note]))
            writes = [edit.describe()]
            self.log(("would " if self.opts.dry_run else "") + edit.describe())
            if not self.opts.dry_run:
                applied = forge.apply([edit])
                for refusal in applied.refused:
                    self.say(annotation("warning", refusal.message, title="fleetbot"))
        return self.finish("ignored", summary=f"fleetbot: {note}\n", writes=writes)

    def _dashboard_first(self, forge: Forge, actions: Sequence[Action]) -> Applied | None:
        """Create a new dashboard before the other writes, so the sticky comments can
        link it; None when there is none to create (or in a dry run)."""
        from fleetbot.forge.types import ActionKind

        create = [a for a in actions if a.kind is ActionKind.CREATE_ISSUE]
        if not create or self.opts.dry_run:
            return None
        return forge.apply(create)

    def _asked(self, refresh: Refresh, target: str) -> tuple[list[str], list[Action]]:
        """For a writer's ticks: the dashboard's lines saying what happened, and the
        dispatch of the verify workflow when "verify the fan-in" was ticked."""
        from datetime import datetime, timezone

        from fleetbot.forge.types import Action, ActionKind
        from fleetbot.writes.dashboard import Ask

        when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        lines: list[str] = []
        actions: list[Action] = []
        for ask in (Ask(a) for a in refresh.asks):
            who = f"@{refresh.asker} asked to {ask.text} ({when})"
            if ask is Ask.REFRESH:
                lines.append(f"{who}: refreshed by run {self.env.run_url or 'this run'}.")
            elif self.opts.verify_workflow:
                actions.append(Action(ActionKind.DISPATCH_WORKFLOW,
                                      workflow=self.opts.verify_workflow, ref=target))
                lines.append(f"{who}: dispatched `{self.opts.verify_workflow}` on `{target}`.")
            else:
                lines.append(f"{who}: not done, no `verify-workflow` input is set.")
        return lines, actions

    def _outside_status(self, refresh: Refresh) -> None:
        """`fleetbot/order` success on a PR outside the plan, so requiring the check
        never blocks it (one write, no read: the PR's head is in the event)."""
        from fleetbot.forge.types import ForgeState
        from fleetbot.model import OrderStatus, StatusState
        from fleetbot.writes.statuses import OUTSIDE, status_actions

        if (not self.opts.order_outside or not refresh.head or refresh.action == "closed"
                or refresh.read_only or not self.env.token):
            return
        wanted = [OrderStatus("", refresh.pull or 0, refresh.head, StatusState.SUCCESS, OUTSIDE)]
        actions = status_actions(wanted, ForgeState(), target_url=self.env.run_url)
        for a in actions:
            self.log(("would " if self.opts.dry_run else "") + a.describe())
        if self.opts.dry_run:
            return
        applied = self._forge_factory().apply(actions)
        for refusal in applied.refused:
            self.say(annotation("warning", refusal.message, title="fleetbot"))

    def _fetch_target(self, target: str) -> str:
        from fleetbot.git.remote import check_branch_name, fetch_target, has_remote

        if not has_remote(self.git):
            return check_branch_name(target)
        try:
            return fetch_target(self.git, target)
        except GitError as exc:
            ref = f"origin/{target}"
            known = self.git.run_full("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}",
                                      check=False)
            if known.returncode != 0:
                raise
            self.say(annotation("warning", f"could not fetch {target}; using the checkout's "
                                f"{ref} ({exc.stderr or exc})", title="fleetbot"))
            return ref

    def _read_plan(self, target_ref: str) -> Plan:
        from pathlib import Path

        from fleetbot.git.remote import read_plan_text
        from fleetbot.pipeline import checked_plan
        from fleetbot.plan.parse import detect_format

        text = read_plan_text(self.git, target_ref, self.opts.plan)
        return checked_plan(text, self.opts.plan, detect_format(Path(self.opts.plan)))

    # ------------------------------------------------------------ refresh

    def _refresh(self, refresh: Refresh, plan: Plan, target_ref: str,
                 trigger: str | None) -> Outcome:
        from fleetbot.action.verify_result import load_verify_result, take
        from fleetbot.git.chain import resolve_commit
        from fleetbot.git.remote import fetch_pulls, pin_heads
        from fleetbot.pipeline import build_report, fleet_pulls
        from fleetbot.writes.links import desired_dependencies, plan_issues

        verify = load_verify_result(Path(self.opts.verify_result)) \
            if self.opts.verify_result else None
        forge = self._forge_factory()
        state = forge.state(plan_issues(plan) if (self.opts.labels or self.opts.links) else (),
                            label_prefix=self.opts.label_prefix,
                            branches=[r.branch for r in plan.rows], links=self.opts.links,
                            # a scheduled run reads every link: it sees even a swap
                            planned_links=None if refresh.event == "schedule"
                            else dict(desired_dependencies(plan)[0]))
        state = with_event_merges(state, refresh)
        if self.opts.dashboard and forge.kind == "github":  # at most one more read
            state = replace(state, dashboard=forge.find_dashboard(self._dashboard_label))
        elif self.opts.dashboard:
            state = replace(state, notes=(
                *state.notes, f"the fleet dashboard is GitHub-only: not kept on {forge.kind}"))
        pulls = list(fleet_pulls(plan, state.pulls, state.merged))
        if trigger is None and refresh.pull is not None:  # e.g. `/fleetbot refresh` on a PR
            pr = next((p for p in pulls if p.number == refresh.pull), None)
            row = plan.find(pr.branch) if pr is not None else None
            trigger = row.issue if row is not None else None
        if refresh.scope is Scope.HEADS:
            hit = [p for p in pulls if p.state is PullState.OPEN
                   and (p.head_sha in refresh.heads or p.number in refresh.pulls)]
            if not hit:
                note = "CI changed on a commit that is no fleet PR's head: nothing to refresh."
                self.say(annotation("notice", note, title="fleetbot"))
                return self.finish("ignored", summary=f"fleetbot: {note}\n")
        open_pulls = {p.number: p.branch for p in pulls if p.state is PullState.OPEN}
        fetched = fetch_pulls(self.git, open_pulls)
        pin_heads(self.git, {open_pulls[n]: sha for n, sha in fetched.items()})
        fleet_report = build_report(self.git, plan, target=target_ref, forge=state)
        # what the forge could not say (a missing issue, no links here) is a finding
        fleet_report = replace(fleet_report, notes=fleet_report.notes + state.notes)
        if verify is not None:
            taken = take(fleet_report, verify, resolve_commit(self.git, target_ref))
            fleet_report, self._verify = taken.report, taken.result
            self.say(annotation("notice", taken.note, title="fleetbot verify"))
        # the summary speaks to the PR that triggered the run; the comments do not depend
        # on which PR did, so a refresh from another event leaves them as they are
        report = fleet_report if trigger is None else replace(fleet_report,
                                                              current_issue=trigger)
        numbers = {r.issue: p.number for r in plan.rows for p in pulls if p.branch == r.branch}
        verdict = ar.verdict_word(report)
        for line in ar.capped_annotations(report, [trigger] if trigger else
                                          [r.issue for r in plan.rows]):
            self.say(line)
        for number in state.missing_issues:
            row = next((r for r in plan.rows if r.issue == f"#{number}"), None)
            self.say(annotation("warning", f"plan issue #{number} not found in "
                                f"{self.env.repository}: its row gets no issue label or link",
                                file=self.opts.plan if row else "",
                                line=row.line if row else 0, title="fleetbot: missing issue"))
        read_only = refresh.read_only or not self.env.token
        planned: list[str] = []
        applied: Applied | None = None
        if read_only:
            self.log("fleetbot: read-only token: writing the job summary and annotations only")
        else:
            actions = self._plan(forge, fleet_report, state, refresh)
            first = self._dashboard_first(forge, actions)
            if first is not None and first.written:
                # created: the comments link it from this very run (one read to find it)
                state = replace(state, dashboard=forge.find_dashboard(self._dashboard_label))
                actions = [*first.written, *self._plan(forge, fleet_report, state, refresh)]
            planned = [a.describe() for a in actions]
            for line in planned:
                self.log(("would " if self.opts.dry_run else "") + line)
            if not self.opts.dry_run:
                rest = forge.apply([a for a in actions if first is None
                                    or a not in first.written])
                applied = rest if first is None else Applied(
                    first.written + rest.written, first.refused + rest.refused,
                    first.skipped + rest.skipped)
                if applied.refused and not applied.written and all(
                        r.cause is ForgeCause.PERMISSION for r in applied.refused):
                    # nothing was made: the token is read-only after all; say how to fix it
                    self.say(annotation("warning", applied.refused[0].message,
                                        title="fleetbot: the token may not write"))
                    read_only, applied, planned = True, None, []
        code = ExitCode.OK
        if applied is not None and applied.refused:
            self.say(annotation("error", applied.report(), title="fleetbot: a write failed"))
            self.log(f"error: {applied.report()}")
            code = ExitCode.BAD_INPUT
        self._summary(refresh, report, planned, read_only, applied)
        if self.opts.strict and trigger is not None and ar.blocks_strictly(report, trigger):
            self.say(annotation("error", f"{trigger} has a conflict that blocks its merge "
                                "(strict)", title="fleetbot"))
            code = max(code, ExitCode.FINDINGS)
        return self.finish(verdict, code, report=report, numbers=numbers, writes=planned)

    def _summary(self, refresh: Refresh, report: Report, planned: Sequence[str],
                 read_only: bool, applied: Applied | None) -> None:
        from fleetbot.render.markdown import SUMMARY_LIMIT, fit, render_report
        from fleetbot.render.verify import render_markdown

        # the runner drops a summary over 1 MiB whole: the report yields room to the rest
        body = fit(render_report(report), "", limit=SUMMARY_LIMIT - 50_000)
        parts = [body.rstrip(), "", f"*{ar.inline(refresh.notice)}*"]
        if self._verify is not None:
            parts += ["", render_markdown(self._verify).rstrip()]
        if read_only:
            parts += ["", ar.read_only_note(refresh.event).rstrip()]
        elif applied is not None and applied.refused:
            parts += ["", f"**Wrote {len(applied.written)} change(s); "
                      f"{len(applied.unwritten())} not written:**", ""]
            parts += [f"- {ar.inline(r.message)}" for r in applied.refused]
            parts += [f"- not tried: {ar.inline(a.describe())}" for a in applied.skipped[:50]]
            if applied.written:
                parts += ["", "<details><summary>Written</summary>", ""]
                parts += [f"- {ar.inline(a.describe())}" for a in applied.written]
                parts += ["", "</details>"]
        elif planned:
            verb = "Would write" if self.opts.dry_run else "Wrote"
            parts += ["", f"<details><summary>{verb} {len(planned)} change(s)</summary>", ""]
            parts += [f"- {ar.inline(w)}" for w in planned[:200]]
            if len(planned) > 200:
                parts.append(f"- … and {len(planned) - 200} more")
            parts += ["", "</details>"]
        else:
            parts += ["", "Nothing to write: every comment, label and status is up to date."]
        append_summary(self.env.step_summary, "\n".join(parts) + "\n")

    def _plan(self, forge: Forge, report: Report, state: ForgeState,
              refresh: Refresh) -> list[Action]:
        """The writes this refresh makes (the one planner: `writes.plan_writes`)."""
        from datetime import datetime, timezone

        from fleetbot.forge import with_statuses
        from fleetbot.writes import DashboardContext, WriteOptions, plan_writes
        from fleetbot.writes.statuses import CONTEXT, QueueHead

        queue = tuple(QueueHead(sha, n) for sha, n in refresh.queue)
        state = with_statuses(forge, state, [q.sha for q in queue], CONTEXT)
        options = WriteOptions(
            comments=self.opts.comment, labels=self.opts.labels, links=self.opts.links,
            statuses=True, label_prefix=self.opts.label_prefix, run_url=self.env.run_url,
            outside_fleet=self.opts.order_outside, queue=queue,
        )
        extra: list[Action] = []
        if self.opts.dashboard and forge.kind == "github":
            asked, extra = self._asked(refresh, report.target.removeprefix("origin/"))
            options = replace(options, dashboard=DashboardContext(
                refreshed_at=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                run_url=self.env.run_url, asked=tuple(asked),
                repo_url=f"{self.env.server_url}/{self.env.repository}"))
        return [*plan_writes(report, state, options), *extra]


def with_event_merges(state: ForgeState, refresh: Refresh) -> ForgeState:
    """The forge's state plus the PR this very event merged (the forge may not list it yet)."""
    if not refresh.merged:
        return state
    just = tuple(PullFacts(number=n, branch=b, state=PullState.MERGED)
                 for n, b in zip(refresh.merged, refresh.merged_branches))
    branches = {p.branch for p in just}
    return replace(state, pulls=tuple(p for p in state.pulls if p.branch not in branches),
                   merged=just + tuple(p for p in state.merged if p.branch not in branches))
