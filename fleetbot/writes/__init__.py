"""Decisions, then actions: the Report and what the forge shows -> the writes. Pure.

`plan_writes` is the one planner the Action, `sync` and `comment` call; its options say
which writes a shell wants (comments on which PRs, labels, links, statuses). Nothing that
already matches gives an action, so a second run with nothing changed plans nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field, replace

from fleetbot.forge.types import Action, ForgeState
from fleetbot.frozen import frozen
from fleetbot.model import PullState, Report
from fleetbot.writes.comment import comment_actions, compose_comment
from fleetbot.writes.dashboard import LABEL, DashboardContext, dashboard_actions, render_dashboard
from fleetbot.writes.dashboard import title as dashboard_title
from fleetbot.writes.labels import DEFAULT_PREFIX, desired_labels, label_actions
from fleetbot.writes.links import link_actions
from fleetbot.writes.statuses import QueueHead, status_actions, wanted_statuses

__all__ = ["DEFAULT_PREFIX", "DashboardContext", "QueueHead", "WriteOptions", "plan_writes"]


@frozen
class WriteOptions:
    """What one shell writes. `comment_on`: None = every open fleet PR, else these PRs."""

    comments: bool = True
    comment_on: tuple[int, ...] | None = None
    labels: bool = True
    links: bool = True
    statuses: bool = False
    label_prefix: str = DEFAULT_PREFIX
    pulls_are_issues: bool = True  # GitHub numbers PRs and issues together; GitLab apart
    run_url: str = ""  # statuses' target_url; the comment's link to the full report
    outside_fleet: bool = True  # `fleetbot/order` success on PRs outside the plan
    queue: tuple[QueueHead, ...] = ()  # merge-queue heads to give a status
    files: Mapping[int, tuple[str, ...]] = field(default_factory=dict)  # unplanned PRs' files
    dashboard: DashboardContext | None = None  # None: no dashboard issue (it is opt-in)


def plan_writes(report: Report, state: ForgeState, options: WriteOptions) -> list[Action]:
    """Every write that makes the forge show `report`: comments, labels, links, statuses."""
    actions: list[Action] = []
    if options.comments:
        actions += comment_actions(_bodies(report, state, options), state)
    if options.labels:
        targets = desired_labels(report, state, options.label_prefix,
                                 pulls_are_issues=options.pulls_are_issues)
        actions += label_actions(targets, state, options.label_prefix)
    if options.links:
        actions += link_actions(report.plan, state)
    if options.statuses:
        wanted = wanted_statuses(report, state, outside_fleet=options.outside_fleet,
                                 queue=options.queue)
        actions += status_actions(wanted, state, target_url=options.run_url)
    if options.dashboard is not None:
        ctx = replace(options.dashboard, files=options.files,
                      run_url=options.dashboard.run_url or options.run_url)
        actions += dashboard_actions(render_dashboard(report, state, ctx),
                                     dashboard_title(report.plan), state,
                                     options.label_prefix + LABEL)
    return actions


def _bodies(report: Report, state: ForgeState,
            options: WriteOptions) -> list[tuple[int, str]]:
    branches = {r.branch for r in report.plan.rows}
    if options.comment_on is None:
        pulls = [p for p in state.pulls if p.branch in branches and p.state is PullState.OPEN]
    else:
        known = {p.number: p for p in (*state.pulls, *report.pulls)}
        pulls = [known[n] for n in options.comment_on if n in known]
    return [(p.number, compose_comment(report, state, p, files=options.files.get(p.number, ()),
                                       more_url=options.run_url)) for p in pulls]
