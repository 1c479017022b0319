"""Fleet labels: every plan issue carries its row's status, its PR the status plus
`conflict`/`next`. Pure.

Labels are namespaced (`fleet:` by default): a label outside the prefix is never touched,
and inside it only fleetbot's own names (`OWN_LABELS`) are: a person's `fleet:foo` stays.
A fleet label that no longer applies is removed, a label is created with its colour and a
"fleetbot: ..." description on first use, and an unchanged set gives no action. The prefix
is at least three characters ending in a separator, so it cannot claim people's labels.
"""

from __future__ import annotations

from fleetbot.forge.types import Action, ActionKind, ForgeState
from fleetbot.frozen import frozen
from fleetbot.model import MergeStep, PullFacts, Report, Row, Status
from fleetbot.writes.links import issue_number

DEFAULT_PREFIX = "fleet:"
STATUS_LABELS = ("planned", "running", "review", "blocked", "merged")
EXTRA_LABELS = ("conflict", "next")
COLORS = {
    "planned": "c5def5",
    "running": "fbca04",
    "review": "0075ca",
    "blocked": "b60205",
    "merged": "6f42c1",
    "conflict": "d93f0b",
    "next": "0e8a16",
}
MEANING = {
    "planned": "the plan row has not started",
    "running": "the plan row's work is under way",
    "review": "the plan row's PR is ready for review",
    "blocked": "the plan row waits on a dependency or failing CI",
    "merged": "the plan row has landed",
    "conflict": "collides with another fleet PR",
    "next": "the fleet PR to merge next",
}
OWN_LABELS = (*STATUS_LABELS, *EXTRA_LABELS)  # the only names fleetbot adds or removes
SEPARATORS = ":/-_."
MIN_PREFIX = 3


def prefix_problem(prefix: str) -> str:
    """Why `prefix` may not namespace fleetbot's labels, or "" when it may: a short or
    open-ended prefix (``, `f`, `feat`) would make people's labels look like fleetbot's."""
    if len(prefix) < MIN_PREFIX:
        return f"it must be at least {MIN_PREFIX} characters (like `fleet:`)"
    if prefix[-1] not in SEPARATORS:
        return ("it must end in a separator, one of " + " ".join(f"`{c}`" for c in SEPARATORS)
                + " (like `fleet:`)")
    if prefix.strip() != prefix or any(ord(c) < 0x20 or c == "," for c in prefix):
        return "it may not have spaces at its ends, control characters or commas"
    return ""


@frozen
class LabelTarget:
    """The complete set of fleet labels one PR, or one issue (`on_issue`), should carry."""

    number: int
    labels: frozenset[str]
    on_issue: bool = False


def label_color(name: str, prefix: str = DEFAULT_PREFIX) -> str:
    return COLORS.get(name[len(prefix):] if name.startswith(prefix) else name, "ededed")


def label_description(name: str, prefix: str = DEFAULT_PREFIX) -> str:
    """The mark a created label carries ("fleetbot: ..."), under GitHub's 100 characters."""
    short = name[len(prefix):] if name.startswith(prefix) else name
    return f"fleetbot: {MEANING.get(short, 'managed by fleetbot')}"[:100]


def status_label(
    row: Row, pull: PullFacts | None, merged: bool, blocked: bool, started: bool
) -> str:
    """planned | running | review | blocked | merged, from the plan, git and the forge.

    A row that has not started (no branch, no PR) is `planned` whatever it waits on; a
    started row is `blocked` while its merge step has blockers (an unmerged dependency,
    failing CI), else `review` once its PR is ready, else `running`.
    """
    if merged or row.status is Status.MERGED:
        return "merged"
    if row.status is Status.BLOCKED:
        return "blocked"
    if pull is None and not started and row.status in (Status.PLANNED, Status.QUEUED):
        return "planned"
    if blocked:
        return "blocked"
    if (pull is not None and not pull.draft) or row.status is Status.REVIEW:
        return "review"
    if pull is not None or started or row.status is Status.RUNNING:
        return "running"
    return "planned"


def step_blocked(step: MergeStep | None) -> bool:
    """Blockers that hold a started row back (a missing branch is not one of them)."""
    return step is not None and step.waits


def next_issue(report: Report, state: ForgeState) -> str | None:
    """The row that should merge next: the first unblocked step with a ready (non-draft) PR."""
    for step in report.order:
        pull = state.pull_for_branch(step.branch)
        if not step.blocked_by and pull is not None and not pull.draft:
            return step.issue
    return None


def desired_labels(
    report: Report, state: ForgeState, prefix: str = DEFAULT_PREFIX, *,
    pulls_are_issues: bool = True,
) -> tuple[LabelTarget, ...]:
    """Every plan row's fleet labels: its status on its issue and on its PR, plus
    `conflict` and `next` on the PR where due.

    An issue is labelled only when the state read it (a missing issue is a finding, not a
    write); with `pulls_are_issues` (GitHub: one numbering) an issue number that is also a
    labelled PR is left to the PR's labels.
    """
    steps = {s.issue: s for s in report.order}
    started = {b.issue for b in report.branches}
    landed = {la.issue for la in report.landed}
    conflicted = {i for c in report.conflicts if c.blocking for i in c.rows}
    nxt = next_issue(report, state)
    on_pulls: dict[int, set[str]] = {}
    on_issues: dict[int, set[str]] = {}
    for row in report.plan.rows:
        pull = state.pull_for_branch(row.branch)
        merged_pr = state.merged_for_branch(row.branch) if pull is None else None
        # the report's word: a merged PR the target reverted, or whose branch went on, is
        # merged itself but leaves its row open
        merged = row.issue in landed
        status = status_label(row, pull, merged, step_blocked(steps.get(row.issue)),
                              row.issue in started)
        if merged_pr is not None:
            on_pulls.setdefault(merged_pr.number, set()).add("merged")
        elif pull is not None:
            names = {status}
            if row.issue in conflicted and not merged:
                names.add("conflict")
            if row.issue == nxt:
                names.add("next")
            on_pulls.setdefault(pull.number, set()).update(names)
        number = issue_number(row.issue)
        if number is not None and state.issue(number) is not None:
            on_issues.setdefault(number, set()).add(status)
    if pulls_are_issues:
        on_issues = {n: v for n, v in on_issues.items() if n not in on_pulls}
    out = [LabelTarget(n, frozenset(prefix + x for x in names)) for n, names in on_pulls.items()]
    out += [LabelTarget(n, frozenset(prefix + x for x in names), on_issue=True)
            for n, names in on_issues.items()]
    return tuple(out)


def label_actions(
    targets: tuple[LabelTarget, ...], current: ForgeState, prefix: str = DEFAULT_PREFIX
) -> list[Action]:
    """The label writes that make each target carry exactly its fleet labels; a label
    under the prefix that is not one of fleetbot's own names is someone's: left alone."""
    actions: list[Action] = []
    created: set[str] = set()
    own = {prefix + name for name in OWN_LABELS}
    for target in targets:
        number, wanted, on_issue = target.number, target.labels, target.on_issue
        have = {n for n in current.labels_of(number, on_issue) if n in own}
        for name in sorted(wanted - have):
            if name not in current.repo_labels and name not in created:
                created.add(name)
                actions.append(Action(ActionKind.CREATE_LABEL, label=name,
                                      color=label_color(name, prefix),
                                      description=label_description(name, prefix)))
            actions.append(Action(ActionKind.ADD_LABEL, number, label=name, on_issue=on_issue))
        actions.extend(
            Action(ActionKind.REMOVE_LABEL, number, label=name, on_issue=on_issue)
            for name in sorted(have - wanted)
        )
    return actions
