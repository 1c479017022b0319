"""`fleetbot action`, the imperative shell: event -> facts -> report -> writes.

Every decision is made by pure code elsewhere (`action.decide`, `pipeline.build_report`,
`forge.actions.plan_actions`, `gate.order_statuses`, `action_report`); this module only
reads the runner's environment, asks git and the forge for facts, and carries out the
writes, in an order that never leaves a half-written state:

1. decide what the event means (ignored events stop here with a notice);
2. read the plan from the target branch (a broken plan stops here: error annotations,
   a failing check, nothing written to any PR);
3. read the forge once, fetch the fleet's PR heads as `refs/pull/N/head`, build the report;
4. job summary, annotations and outputs first (they need no write permission);
5. then, when the token can write, the planned comment/label/link actions and the
   `fleetbot/order` statuses, each only when it would change something.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TextIO

from fleetbot.action.events import Refresh, Scope, decide, default_branch
from fleetbot.action.runner import (
    ActionEnv,
    annotation,
    append_summary,
    emit,
    log,
    mask_command,
    write_outputs,
)
from fleetbot.errors import ExitCode, FleetbotError, ForgeError, GitError, PlanError
from fleetbot.model import Plan, PullFacts, PullState, Report, Severity
from fleetbot.render import workflow as ar
from fleetbot.writes.statuses import CONTEXT, order_statuses, statuses_to_write

if TYPE_CHECKING:
    from fleetbot.forge import Forge
    from fleetbot.forge.types import ForgeState
    from fleetbot.git import Git


@dataclass(frozen=True)
class Options:
    """The Action's inputs (action.yml), as `fleetbot action` options."""

    plan: str = "orchestration-plan.md"
    target: str = ""
    comment: bool = True
    labels: bool = True
    links: bool = True
    strict: bool = False
    label_prefix: str = "fleet:"
    not_in_plan: str = "note"  # note | silent
    dry_run: bool = False


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
            if self.opts.not_in_plan == "note":
                self.say(annotation("notice", note, title="fleetbot"))
                return self.finish("not-in-fleet", summary=f"fleetbot: {note}\n")
            return self.finish("not-in-fleet")
        return self._refresh(refresh, plan, target_ref, trigger_row.issue if trigger_row else None)

    def _fetch_target(self, target: str) -> str:
        from fleetbot.git.remote import check_branch_name, fetch_target, has_remote

        if not has_remote(self.git):
            return check_branch_name(self.git, target)
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

        from fleetbot.errors import PlanErrors
        from fleetbot.git.remote import read_plan_text
        from fleetbot.plan.lint import structural_findings
        from fleetbot.plan.parse import detect_format, parse_plan

        text = read_plan_text(self.git, target_ref, self.opts.plan)
        fmt = detect_format(Path(self.opts.plan))
        plan = parse_plan(text, self.opts.plan, fmt)
        errors = [f for f in structural_findings(plan) if f.severity is Severity.ERROR]
        if errors:
            raise PlanErrors([PlanError(f.message, file=plan.source, line=f.line, hint=f.hint)
                              for f in errors])
        return plan

    # ------------------------------------------------------------ refresh

    def _refresh(self, refresh: Refresh, plan: Plan, target_ref: str,
                 trigger: str | None) -> Outcome:
        from fleetbot.git.remote import fetch_pulls, pin_heads
        from fleetbot.pipeline import build_report, fleet_pulls
        from fleetbot.writes.actions import issue_number

        forge = self._forge_factory()
        numbers_wanted = [n for r in plan.rows if (n := issue_number(r.issue)) is not None]
        state = forge.state(numbers_wanted if (self.opts.labels or self.opts.links) else (),
                            label_prefix=self.opts.label_prefix)
        state = with_event_merges(state, refresh)
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
        # the summary speaks to the PR that triggered the run; the comments do not depend
        # on which PR did, so a refresh from another event leaves them as they are
        report = fleet_report if trigger is None else replace(fleet_report,
                                                              current_issue=trigger)
        numbers = {r.issue: p.number for r in plan.rows for p in pulls if p.branch == r.branch}
        verdict = ar.verdict_word(report)
        for line in ar.conflict_annotations(report, [trigger] if trigger else
                                            [r.issue for r in plan.rows]):
            self.say(line)
        for line in ar.finding_annotations(report):
            self.say(line)
        read_only = refresh.read_only or not self.env.token
        writes: list[str] = []
        if read_only:
            self.log("fleetbot: read-only token: writing the job summary and annotations only")
        else:
            try:
                writes = self._write(forge, fleet_report, state, pulls)
            except _Refused as refused:
                # the very first write was refused: nothing is half-made; say how to fix it
                self.say(annotation("warning", str(refused.error),
                                    title="fleetbot: the token may not write"))
                read_only = True
            except ForgeError as exc:
                self.say(annotation("error", str(exc), title="fleetbot: a write failed"))
                self.log(f"error: {exc}")
                self._summary(refresh, report, writes, read_only)
                return self.finish(verdict, ExitCode.BAD_INPUT, report=report, numbers=numbers)
        self._summary(refresh, report, writes, read_only)
        code = ExitCode.OK
        if self.opts.strict and trigger is not None and ar.blocks_strictly(report, trigger):
            self.say(annotation("error", f"{trigger} has a conflict that blocks its merge "
                                "(strict)", title="fleetbot"))
            code = ExitCode.FINDINGS
        return self.finish(verdict, code, report=report, numbers=numbers, writes=writes)

    def _summary(self, refresh: Refresh, report: Report, writes: Sequence[str],
                 read_only: bool) -> None:
        from fleetbot.render.markdown import render_report

        parts = [render_report(report).rstrip(), "", f"*{ar.inline(refresh.notice)}*"]
        if read_only:
            parts += ["", ar.read_only_note(refresh.event).rstrip()]
        elif writes:
            verb = "Would write" if self.opts.dry_run else "Wrote"
            parts += ["", f"<details><summary>{verb} {len(writes)} change(s)</summary>", ""]
            parts += [f"- {ar.inline(w)}" for w in writes]
            parts += ["", "</details>"]
        else:
            parts += ["", "Nothing to write: every comment, label and status is up to date."]
        append_summary(self.env.step_summary, "\n".join(parts) + "\n")

    def _write(self, forge: Forge, report: Report, state: ForgeState,
               pulls: Sequence[PullFacts]) -> list[str]:
        from fleetbot.render.markdown import render_pr_comment
        from fleetbot.writes.actions import desired_from_report, plan_actions

        comments: dict[int, str] = {}
        if self.opts.comment:
            for row in report.plan.rows:
                pr = next((p for p in pulls
                           if p.branch == row.branch and p.state is PullState.OPEN), None)
                if pr is not None:
                    comments[pr.number] = render_pr_comment(report, row.issue)
        desired = desired_from_report(report, state, comments, prefix=self.opts.label_prefix,
                                      labels=self.opts.labels, links=self.opts.links)
        actions = plan_actions(desired, state)
        wanted = order_statuses(report.plan, pulls, report.conflicts, report.order)
        statuses = statuses_to_write(wanted, current_statuses(forge, wanted))
        described = [a.describe() for a in actions] + [
            f"set {CONTEXT} on PR #{s.pull} ({s.sha[:7]}): {s.state}: {s.description}"
            for s in statuses
        ]
        for line in described:
            self.log(("would " if self.opts.dry_run else "") + line)
        if self.opts.dry_run:
            return described
        done = 0
        try:
            for a in actions:
                forge.apply([a])
                done += 1
            for st in statuses:
                forge.set_commit_status(st.sha, st.context, st.state, st.description)
                done += 1
        except ForgeError as exc:
            if done == 0 and "(403)" in str(exc):
                raise _Refused(exc) from None
            raise
        return described


class _Refused(Exception):
    """The first write came back 403: the token is read-only after all."""

    def __init__(self, error: ForgeError) -> None:
        super().__init__(str(error))
        self.error = error


def with_event_merges(state: ForgeState, refresh: Refresh) -> ForgeState:
    """The forge's state plus the PR this very event merged (the forge may not list it yet)."""
    if not refresh.merged:
        return state
    just = tuple(PullFacts(number=n, branch=b, state=PullState.MERGED)
                 for n, b in zip(refresh.merged, refresh.merged_branches))
    branches = {p.branch for p in just}
    return replace(state, pulls=tuple(p for p in state.pulls if p.branch not in branches),
                   merged=just + tuple(p for p in state.merged if p.branch not in branches))


def current_statuses(forge: Forge, wanted: Sequence[Any]) -> dict[str, tuple[str, str]]:
    """sha -> (state, description) of the `fleetbot/order` status each head shows now."""
    reader = getattr(forge, "commit_status", None)
    out: dict[str, tuple[str, str]] = {}
    if reader is None:
        return out
    for s in wanted:
        found = reader(s.sha, CONTEXT)
        if found is not None:
            out[s.sha] = found
    return out
