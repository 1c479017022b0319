"""Adapter-neutral forge types: what the forge shows now, and the writes fleetbot plans.

Plain frozen dataclasses, no I/O: `writes.plan_writes` compares the Report with a
`ForgeState` and returns `Action`s; an adapter's `apply()` carries them out and answers
with an `Applied` (what was written, what was refused and why, what was not tried).
"""

from __future__ import annotations

from dataclasses import field
from enum import Enum

from fleetbot.errors import ForgeCause
from fleetbot.frozen import frozen
from fleetbot.model import CommitStatus, PullFacts, StatusState

MARKER = "<!-- fleetbot -->"
DASHBOARD_MARKER = "<!-- fleetbot:dashboard -->"


@frozen
class StickyComment:
    """fleetbot's own comment on one PR/MR, found by MARKER."""

    number: int  # the PR/MR number (GitHub) or MR iid (GitLab)
    id: int  # the comment (note) id
    body: str


@frozen
class DashboardIssue:
    """fleetbot's own open dashboard issue: found by DASHBOARD_MARKER and the bot's
    authorship (a person's issue with the marker is never taken for it)."""

    number: int
    body: str
    title: str = ""
    url: str = ""


@frozen
class IssueFacts:
    """A plan row's issue as the forge shows it: labels and what blocks it."""

    number: int
    id: int = 0  # GitHub's issue id (the dependency API wants it), GitLab's issue id
    state: str = "open"
    labels: tuple[str, ...] = ()
    blocked_by: tuple[int, ...] = ()  # issue numbers
    link_ids: tuple[tuple[int, int], ...] = ()  # (blocking issue number, link id): GitLab


@frozen
class ForgeState:
    """One refresh of the forge."""

    pulls: tuple[PullFacts, ...] = ()  # open PRs/MRs
    merged: tuple[PullFacts, ...] = ()  # recently merged ones (newest first)
    comments: tuple[StickyComment, ...] = ()
    repo_labels: frozenset[str] = frozenset()
    issues: tuple[IssueFacts, ...] = ()
    statuses: tuple[CommitStatus, ...] = ()  # fleetbot's own statuses on the open heads
    status_heads: frozenset[str] = frozenset()  # the shas whose statuses were read
    requests: int = 0  # API requests this refresh cost
    notes: tuple[str, ...] = field(default=())  # what was skipped and why
    links_supported: bool = True  # False: this forge has no issue dependencies (old GHES)
    missing_issues: tuple[int, ...] = ()  # plan issues the forge does not know (or hides)
    dashboard: DashboardIssue | None = None  # the bot's dashboard issue, when one was read

    def comment_for(self, number: int) -> StickyComment | None:
        return next((c for c in self.comments if c.number == number), None)

    def pull_for_branch(self, branch: str) -> PullFacts | None:
        return next((p for p in self.pulls if p.branch == branch), None)

    def merged_for_branch(self, branch: str) -> PullFacts | None:
        return next((p for p in self.merged if p.branch == branch), None)

    def status_of(self, sha: str, context: str) -> CommitStatus | None:
        return next((s for s in self.statuses if s.sha == sha and s.context == context), None)

    def issue(self, number: int) -> IssueFacts | None:
        return next((i for i in self.issues if i.number == number), None)

    def labels_of(self, number: int, on_issue: bool = False) -> tuple[str, ...]:
        """Labels on PR `number`, or on issue `number` when `on_issue` (GitLab numbers
        issues and MRs apart; on GitHub a PR is an issue too)."""
        if not on_issue:
            pull = next((p for p in (*self.pulls, *self.merged) if p.number == number), None)
            return pull.labels if pull is not None else ()
        issue = self.issue(number)
        return issue.labels if issue is not None else ()


class ActionKind(str, Enum):
    CREATE_COMMENT = "create-comment"
    EDIT_COMMENT = "edit-comment"
    CREATE_LABEL = "create-label"
    ADD_LABEL = "add-label"
    REMOVE_LABEL = "remove-label"
    ADD_DEPENDENCY = "add-dependency"
    REMOVE_DEPENDENCY = "remove-dependency"
    SET_STATUS = "set-status"
    CREATE_ISSUE = "create-issue"  # the dashboard (`label` goes on it as it is created)
    EDIT_ISSUE = "edit-issue"
    DISPATCH_WORKFLOW = "dispatch-workflow"  # the verify job, asked from the dashboard
    START_PIPELINE = "start-pipeline"  # GitLab's verify pipeline (FLEETBOT_VERIFY=1) on `ref`


@frozen
class Action:
    """One write. `number` is the PR/issue it applies to; `other` the blocking issue; a
    status goes on commit `sha` (of PR `number`, 0 for a merge-queue head)."""

    kind: ActionKind
    number: int = 0
    body: str = ""
    comment_id: int = 0
    label: str = ""
    color: str = ""
    other: int = 0
    other_id: int = 0  # the blocking issue's id (GitHub) or the link id (GitLab removal)
    on_issue: bool = False  # a label on the row's issue rather than on its PR/MR
    sha: str = ""
    context: str = ""
    state: StatusState = StatusState.PENDING
    description: str = ""  # at most 140 characters (GitHub's limit)
    target_url: str = ""
    title: str = ""  # an issue's title (CREATE_ISSUE / EDIT_ISSUE)
    workflow: str = ""  # the workflow file to dispatch (DISPATCH_WORKFLOW), on branch `ref`
    ref: str = ""

    def describe(self) -> str:
        """One line for --dry-run and logs (a comment body is summarised, not printed)."""
        k = self.kind
        if k is ActionKind.CREATE_COMMENT:
            return f"create comment on PR #{self.number} ({len(self.body)} chars)"
        if k is ActionKind.EDIT_COMMENT:
            return (
                f"edit comment {self.comment_id} on PR #{self.number} ({len(self.body)} chars)"
            )
        if k is ActionKind.CREATE_ISSUE:
            return f"create dashboard issue {self.title!r} ({len(self.body)} chars)"
        if k is ActionKind.EDIT_ISSUE:
            return f"edit dashboard issue #{self.number} ({len(self.body)} chars)"
        if k is ActionKind.DISPATCH_WORKFLOW:
            return f"dispatch workflow {self.workflow!r} on {self.ref}"
        if k is ActionKind.START_PIPELINE:
            return f"start the verify pipeline (FLEETBOT_VERIFY=1) on {self.ref}"
        if k is ActionKind.CREATE_LABEL:
            return f"create label {self.label!r} (#{self.color})"
        if k is ActionKind.SET_STATUS:
            on = f"PR #{self.number} ({self.sha[:7]})" if self.number else self.sha[:7]
            return f"set {self.context} on {on}: {self.state.value}: {self.description}"
        where = f"issue #{self.number}" if self.on_issue else f"PR #{self.number}"
        if k is ActionKind.ADD_LABEL:
            return f"add label {self.label!r} to {where}"
        if k is ActionKind.REMOVE_LABEL:
            return f"remove label {self.label!r} from {where}"
        if k is ActionKind.ADD_DEPENDENCY:
            return f"mark #{self.number} blocked by #{self.other}"
        return f"remove 'blocked by #{self.other}' from #{self.number}"


@frozen
class IssueSummary:
    """An open issue as `plan init --from-forge` lists it: its number and raw title."""

    number: int
    title: str
    labels: tuple[str, ...] = ()


@frozen
class Refusal:
    """One write the forge refused, why (typed), and the message a person can act on."""

    action: Action
    cause: ForgeCause
    message: str


@frozen
class Applied:
    """What one `apply()` did: written, refused, and not tried (an earlier refusal meant
    they would fail the same way, or they needed what was refused)."""

    written: tuple[Action, ...] = ()
    refused: tuple[Refusal, ...] = ()
    skipped: tuple[Action, ...] = ()
    notes: tuple[str, ...] = ()  # a limit the forge showed, not a failure (GitLab's tier)

    @property
    def complete(self) -> bool:
        return not self.refused and not self.skipped

    def unwritten(self) -> tuple[Action, ...]:
        return tuple(r.action for r in self.refused) + self.skipped

    def report(self) -> str:
        """Every refusal, then what was and was not written, in a few lines."""
        lines = [*self.notes, *(r.message for r in self.refused)]
        lines.append(
            f"Written: {len(self.written)}; not written: {len(self.unwritten())}"
            + (" (" + "; ".join(a.describe() for a in self.unwritten()[:5])
               + ("; ..." if len(self.unwritten()) > 5 else "") + ")"
               if self.unwritten() else "") + "."
        )
        return "\n".join(lines)
