"""GitLab's answers, read: REST v4 JSON -> fleetbot's facts and causes. Pure (no HTTP):
status words, a refusal's cause and what it shows is missing, an MR as `PullFacts`.

Shapes as documented at https://docs.gitlab.com/ee/api/ (merge_requests, commits,
merge_request_approvals); tests/fixtures/gitlab/ holds the doc examples.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from fleetbot.errors import ForgeCause
from fleetbot.forge import types as st
from fleetbot.model import CIState, PullFacts, PullState, ReviewState, StatusState, fork_head

# GitLab pipeline status -> fleetbot CI state
_PIPELINE = {
    "success": CIState.SUCCESS, "skipped": CIState.SUCCESS, "manual": CIState.SUCCESS,
    "failed": CIState.FAILURE, "canceled": CIState.FAILURE,
    "created": CIState.PENDING, "waiting_for_resource": CIState.PENDING,
    "preparing": CIState.PENDING, "pending": CIState.PENDING, "running": CIState.PENDING,
    "scheduled": CIState.PENDING,
}
# fleetbot's status state -> the `state` GitLab takes, and a status's `status` back
STATUS = {StatusState.SUCCESS: "success", StatusState.PENDING: "pending",
          StatusState.FAILURE: "failed", StatusState.ERROR: "failed"}
STATUS_BACK = {"success": StatusState.SUCCESS, "failed": StatusState.FAILURE,
               "canceled": StatusState.ERROR, "pending": StatusState.PENDING,
               "running": StatusState.PENDING}
_FAILED = frozenset({"failed", "canceled"})
_WAITING = frozenset({"created", "waiting_for_resource", "preparing", "pending", "running",
                      "scheduled"})

# what each write needs (https://docs.gitlab.com/ee/user/permissions.html)
_ROLE = {
    st.ActionKind.CREATE_COMMENT: "Reporter", st.ActionKind.EDIT_COMMENT: "Reporter",
    st.ActionKind.CREATE_LABEL: "Reporter", st.ActionKind.ADD_LABEL: "Reporter",
    st.ActionKind.REMOVE_LABEL: "Reporter", st.ActionKind.ADD_DEPENDENCY: "Reporter",
    st.ActionKind.REMOVE_DEPENDENCY: "Reporter", st.ActionKind.SET_STATUS: "Developer",
    st.ActionKind.CREATE_ISSUE: "Reporter", st.ActionKind.EDIT_ISSUE: "Reporter",
}
DEVELOPER = 30  # the access level that may ask from the dashboard (members API)
TITLE_LIMIT = 255  # an issue title's most characters
# (https://docs.gitlab.com/ee/development/issuable-like-models.html; a description may
# hold 1 MiB, far above the dashboard's own 65,536-character limit, so it always fits)
_TICKED = re.compile(r"marked the (?:checklist item|task) \*\*(.*)\*\* as completed", re.S)

TOKEN_HINT = ("GITLAB_TOKEN (a project access token with the `api` scope; CI_JOB_TOKEN "
              "cannot write notes, labels or statuses)")
JOB_TOKEN_NOTE = (
    "CI_JOB_TOKEN: labels, the plan's issues and their links were not read (a job token "
    "cannot read them): set GITLAB_TOKEN to a project access token with the `read_api` "
    "scope (`api` to write)")
GRAPHQL_NOTE = ("GitLab's GraphQL API did not answer fleetbot's refresh ({why}): read "
                "over REST instead, one request per MR and per issue")
NO_LINKS_LABEL = "no-blocked-links"  # after the prefix: the project label that remembers
LICENCE_NOTE = (
    "GitLab: this project's tier has no blocked-by links (\"Blocked issues\" is a Premium "
    "feature): `Depends on` was not mirrored as issue links; labels, notes and statuses "
    "were written. Recorded as the project label `{label}`, so later runs do not try "
    "(delete the label to try again, e.g. after an upgrade).")
NO_LINKS_NOTE = (
    "GitLab: blocked-by links not tried: the project label `{label}` records that this "
    "project's tier refused them (\"Blocked issues\" is a Premium feature); the notes "
    "still show each MR's dependencies. Delete the label to try again.")
NO_LINKS_DESCRIPTION = ("fleetbot: GitLab refused blocked-by issue links here (a Premium "
                        "feature), so fleetbot does not try them; delete to try again")


def ticked_item(note: dict[str, Any]) -> str:
    """The box a system note says its author ticked ("marked the checklist item **X** as
    completed"; "task" before GitLab 15.3), or "" for any other note."""
    found = _TICKED.fullmatch(str(note.get("body") or "")) if note.get("system") else None
    return found[1] if found else ""


def permission(kind: st.ActionKind) -> str:
    """What a write of `kind` needs: a role in the project and the token's scope."""
    return f"the {_ROLE.get(kind, 'Developer')} role and the `api` scope"


def decipher(status: int, message: str) -> ForgeCause:
    """GitLab's answer -> why it said no; a 403 "not available for current license"
    (a feature of a higher tier) is a licence problem, not a permission one."""
    text = (message or "").lower()
    if status == 0:
        return ForgeCause.UNREACHABLE
    if status == 401:
        return ForgeCause.AUTH
    if status == 403:
        return ForgeCause.LICENCE if "licen" in text else ForgeCause.PERMISSION
    if status == 404:
        return ForgeCause.NOT_FOUND
    if status == 429:
        return ForgeCause.RATE_LIMIT
    if status == 413 or "too large" in text or "too long" in text:
        return ForgeCause.TOO_LARGE
    return ForgeCause.OTHER


def missing_grant(body: Any, kind: st.ActionKind | None) -> str:
    """The scope or role a 403 shows is missing: GitLab names an insufficient scope in
    the body (`{"error": "insufficient_scope", "scope": "api"}`); a bare 403 is the role."""
    if isinstance(body, dict) and body.get("error") == "insufficient_scope":
        return f"the token's scopes: it needs `{body.get('scope') or 'api'}`"
    role = _ROLE.get(kind, "Developer") if kind is not None else "Reporter"
    return f"the {role} role in the project (or the token's user is not a member)"


def pipeline_ci(pipeline: dict[str, Any] | None) -> CIState:
    if not pipeline:
        return CIState.NONE
    return _PIPELINE.get(str(pipeline.get("status", "")), CIState.NONE)


def jobs_ci(jobs: Sequence[dict[str, Any]]) -> CIState:
    """The CI of a commit from its jobs' latest statuses: a failed job that may not fail
    fails it, a job still to finish keeps it pending, else it passed."""
    if not jobs:
        return CIState.NONE
    states = [str(j.get("status") or "") for j in jobs if not j.get("allow_failure")]
    if any(s in _FAILED for s in states):
        return CIState.FAILURE
    if any(s in _WAITING for s in states):
        return CIState.PENDING
    return CIState.SUCCESS


def review_state(approvals: dict[str, Any] | None, mr: dict[str, Any]) -> ReviewState:
    """Approved once someone approved and none are left; else required if GitLab says so."""
    if approvals and approvals.get("approved") and approvals.get("approved_by"):
        return ReviewState.APPROVED
    left = int((approvals or {}).get("approvals_left") or 0)
    if left or mr.get("detailed_merge_status") == "not_approved":
        return ReviewState.REVIEW_REQUIRED
    return ReviewState.NONE


def own_note(number: int, notes: Iterable[dict[str, Any]], me: Callable[[], int | None]
             ) -> st.StickyComment | None:
    """The bot's note among `notes` (newest first): the first with the marker written by
    the token's user (`me()`, asked only once a marker turns up; None: the marker alone)."""
    for n in notes:
        if st.MARKER not in (n.get("body") or ""):
            continue
        user = me()
        if user is None or int((n.get("author") or {}).get("id") or 0) == user:
            return st.StickyComment(number, int(n["id"]), n["body"])
    return None


def issue_facts(issue: dict[str, Any], blocked: Sequence[tuple[int, int]]) -> st.IssueFacts:
    """A plan issue and the (issue, link id) pairs that block it."""
    return st.IssueFacts(
        number=int(issue["iid"]), id=int(issue["id"]), state=str(issue.get("state", "")),
        labels=tuple(issue.get("labels") or ()), blocked_by=tuple(n for n, _ in blocked),
        link_ids=tuple(blocked))


def mr_facts(mr: dict[str, Any]) -> PullFacts:
    """An MR as a list item or in full: CI only from a full one (`head_pipeline`). An MR
    from a fork (its source project is not the target) is `project-<id>:<branch>`, which
    no plan row can name."""
    state = {"opened": PullState.OPEN, "merged": PullState.MERGED}.get(
        str(mr.get("state")), PullState.CLOSED)
    source, target = mr.get("source_project_id"), mr.get("target_project_id")
    fork = source is not None and target is not None and source != target
    branch = str(mr["source_branch"])
    return PullFacts(
        number=int(mr["iid"]), fork=fork,
        branch=fork_head(f"project-{source}", branch) if fork else branch,
        title=mr.get("title") or "",
        url=mr.get("web_url") or "", state=state,
        draft=bool(mr.get("draft") or mr.get("work_in_progress")),
        review=review_state(None, mr), ci=pipeline_ci(mr.get("head_pipeline")),
        head_sha=mr.get("sha") or "", base=mr.get("target_branch") or "",
        labels=tuple(mr.get("labels") or ()), body=mr.get("description") or "",
        # the merge commit on the target's line, else the squash (a fast-forward: neither)
        merged_as=str(mr.get("merge_commit_sha") or mr.get("squash_commit_sha") or "")
        if state is PullState.MERGED else "",
    )
