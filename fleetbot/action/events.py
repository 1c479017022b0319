"""The Action's event logic: a webhook (name, payload) -> what to refresh. Pure.

A workflow run starts from one event; this module decides what that event means for the
fleet, without I/O, so each kind of event is tested on GitHub's published payloads:

- a PR opened/synchronized/reopened/ready/edited/closed: the fleet around it changed;
  a merged PR's row counts as merged from now on;
- a push to the target: the target moved under every open fleet PR;
- CI finished (check_suite, check_run, status, workflow_run): the order may change for
  the PRs whose head is that commit;
- `/fleetbot refresh` from someone with write access, an issue change, a merge group, a
  manual or scheduled run: refresh everything;
- anything else: ignored, with a notice saying why.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from enum import Enum
from typing import Any

from fleetbot.forge.types import DASHBOARD_MARKER
from fleetbot.frozen import frozen
from fleetbot.model import fork_head


class Scope(str, Enum):
    """How much of the fleet an event asks to refresh."""

    ALL = "all"  # every open fleet PR
    HEADS = "heads"  # the PRs whose head commit is one of `Refresh.heads`
    IGNORE = "ignore"  # nothing to do (`Refresh.notice` says why)


PR_ACTIONS = frozenset(
    {"opened", "synchronize", "reopened", "ready_for_review", "edited", "closed",
     "converted_to_draft"}
)
ISSUE_ACTIONS = frozenset(
    {"opened", "edited", "closed", "reopened", "deleted", "transferred"}
)
WRITE_ASSOCIATIONS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})


@frozen
class Refresh:
    """The decision for one event: what to refresh, and what the event already tells."""

    event: str
    action: str = ""
    scope: Scope = Scope.IGNORE
    notice: str = ""  # one line for the log and the summary
    pull: int | None = None  # the PR the event is about, if one
    branch: str = ""  # that PR's head branch (a fork's: `owner:branch`, no row's)
    heads: tuple[str, ...] = ()  # head commits whose CI changed (scope HEADS)
    pulls: tuple[int, ...] = ()  # PR numbers the event names (CI events list them)
    merged: tuple[int, ...] = ()  # PRs that merged with this event
    merged_branches: tuple[str, ...] = ()
    base: str = ""  # the branch the event's PR targets / the push went to
    read_only: bool = False  # the token cannot write (a fork PR on `pull_request`)
    queue: tuple[tuple[str, int], ...] = ()  # (merge-queue head sha, the PR queued)
    head: str = ""  # the event's PR head commit
    asks: tuple[str, ...] = ()  # dashboard boxes just ticked (`writes.dashboard.Ask` values)
    asker: str = ""  # who ticked them (their write access is checked by the shell)
    dashboard: int = 0  # the dashboard issue the boxes are on

    @property
    def ignored(self) -> bool:
        return self.scope is Scope.IGNORE


def decide(event: str, payload: Mapping[str, Any], *, target: str = "") -> Refresh:
    """Turn one webhook into a Refresh. `target` is the fleet's branch ("" = the default)."""
    action = str(payload.get("action") or "")
    handler = _HANDLERS.get(event)
    if handler is None:
        return Refresh(event, action, notice=f"fleetbot ignores `{event}` events.")
    want = target or default_branch(payload)
    return handler(event, action, payload, want)


def default_branch(payload: Mapping[str, Any]) -> str:
    """The repository's default branch as the payload tells it ("" if it does not)."""
    repo = payload.get("repository") or {}
    return str(repo.get("default_branch") or repo.get("master_branch") or "")


def _branch_of(ref: str) -> str:
    return ref.removeprefix("refs/heads/")


def _pull_request(event: str, action: str, p: Mapping[str, Any], target: str) -> Refresh:
    pr = p.get("pull_request") or {}
    number = int(p.get("number") or pr.get("number") or 0)
    head = pr.get("head") or {}
    base = pr.get("base") or {}
    head_repo = str((head.get("repo") or {}).get("full_name") or "")
    base_repo = str((base.get("repo") or {}).get("full_name") or "")
    fork = head.get("repo") is None or bool(
        head_repo and base_repo and head_repo.lower() != base_repo.lower())
    # a fork's head is `owner:branch`, which no plan row can name: a fork PR named like a
    # row is outside the fleet and can neither pin, merge nor speak for that row
    branch = str(head.get("ref") or "")
    if fork:
        branch = fork_head(head_repo.partition("/")[0], branch)
    base_ref = str(base.get("ref") or "")
    about = Refresh(event, action, pull=number, branch=branch, base=base_ref,
                    head=str(head.get("sha") or ""))
    if action not in PR_ACTIONS:
        return replace(about, notice=f"PR #{number} {action}: nothing for fleetbot to do.")
    if target and base_ref and base_ref != target:
        return replace(about, notice=f"PR #{number} targets `{base_ref}`, not the fleet's "
                       f"target `{target}`: ignored.")
    merged = action == "closed" and bool(pr.get("merged"))
    what = "merged" if merged else ("closed" if action == "closed" else action.replace("_", " "))
    return replace(
        about, scope=Scope.ALL, notice=f"PR #{number} {what}: refreshing the fleet.",
        merged=(number,) if merged else (), merged_branches=(branch,) if merged else (),
        # GitHub gives `pull_request` runs from forks (and Dependabot's) a read-only
        # token; `pull_request_target` runs in the base repository with its permissions.
        read_only=event == "pull_request" and (fork or _is_dependabot(p)),
    )


def _is_dependabot(p: Mapping[str, Any]) -> bool:
    return str((p.get("sender") or {}).get("login") or "") == "dependabot[bot]"


def _push(event: str, action: str, p: Mapping[str, Any], target: str) -> Refresh:
    ref = str(p.get("ref") or "")
    if not ref.startswith("refs/heads/"):
        return Refresh(event, action, notice=f"push to `{ref}` (not a branch): ignored.")
    branch = _branch_of(ref)
    if p.get("deleted"):
        return Refresh(event, action, notice=f"branch `{branch}` deleted: ignored.", base=branch)
    if target and branch != target:
        return Refresh(
            event, action, base=branch,
            notice=f"push to `{branch}`, not the target `{target}`: its PR's own event "
            "refreshes it.",
        )
    return Refresh(event, action, Scope.ALL, base=branch,
                   notice=f"`{branch}` moved: refreshing every open fleet PR.")


def _ci(event: str, action: str, p: Mapping[str, Any], target: str) -> Refresh:
    if event == "status":
        sha = str(p.get("sha") or "")
        pulls: list[int] = []
        state = str(p.get("state") or "")
        if state == "pending":
            return Refresh(event, action, notice=f"status on {sha[:7]} is pending: ignored.")
        if str(p.get("context") or "").startswith("fleetbot/"):
            return Refresh(event, action, notice="fleetbot's own status: ignored.")
    else:
        obj = p.get(event) or {}
        if action != "completed":
            return Refresh(event, action, notice=f"{event} {action}: waiting for `completed`.")
        sha = str(obj.get("head_sha") or "")
        pulls = [int(x["number"]) for x in obj.get("pull_requests") or () if x.get("number")]
    if not sha:
        return Refresh(event, action, notice=f"{event} without a head commit: ignored.")
    return Refresh(
        event, action, Scope.HEADS, heads=(sha,), pulls=tuple(pulls),
        notice=f"CI changed on {sha[:7]}: refreshing the PRs at that commit.",
    )


def _issue_comment(event: str, action: str, p: Mapping[str, Any], target: str) -> Refresh:
    comment = p.get("comment") or {}
    issue = p.get("issue") or {}
    number = int(issue.get("number") or 0)
    body = str(comment.get("body") or "")
    if action != "created" or not _is_refresh_command(body):
        return Refresh(event, action, notice="a comment that is not `/fleetbot refresh`: ignored.")
    user = comment.get("user") or {}
    if user.get("type") == "Bot":
        return Refresh(event, action, notice="`/fleetbot refresh` from a bot: ignored.")
    association = str(comment.get("author_association") or "NONE")
    if association not in WRITE_ASSOCIATIONS:
        return Refresh(
            event, action,
            notice=f"`/fleetbot refresh` from @{user.get('login', '?')} ({association}) ignored:"
            " only owners, members and collaborators can ask for a refresh.",
        )
    return Refresh(event, action, Scope.ALL, pull=number if issue.get("pull_request") else None,
                   notice=f"`/fleetbot refresh` on #{number}: refreshing the fleet.")


def _is_refresh_command(body: str) -> bool:
    """The command on a line of its own (the first word of that line)."""
    return any(
        line.strip().lower().split()[:2] == ["/fleetbot", "refresh"]
        for line in body.splitlines() if line.strip()
    )


def _issues(event: str, action: str, p: Mapping[str, Any], target: str) -> Refresh:
    issue = p.get("issue") or {}
    number = issue.get("number")
    if action == "edited" and DASHBOARD_MARKER in str(issue.get("body") or ""):
        return _dashboard_edit(event, action, p)
    if action not in ISSUE_ACTIONS:
        return Refresh(event, action, notice=f"issue #{number} {action}: ignored.")
    return Refresh(event, action, Scope.ALL, notice=f"issue #{number} {action}: refreshing.")


def _dashboard_edit(event: str, action: str, p: Mapping[str, Any]) -> Refresh:
    """The dashboard was edited: a box newly ticked is a request (whether its author may
    ask is the shell's question: the payload says nothing of the editor's access)."""
    from fleetbot.writes.dashboard import ticked

    issue = p.get("issue") or {}
    number = int(issue.get("number") or 0)
    sender = p.get("sender") or {}
    before = str((((p.get("changes") or {}).get("body") or {}).get("from")) or "")
    new = [a for a in ticked(str(issue.get("body") or "")) if a not in ticked(before)]
    if sender.get("type") == "Bot" or not new:
        return Refresh(event, action, notice=f"the fleet dashboard #{number} was edited "
                       "without a newly ticked box: ignored.")
    login = str(sender.get("login") or "?")
    what = " and ".join(f"“{a.text}”" for a in new)
    return Refresh(event, action, Scope.ALL, asks=tuple(a.value for a in new), asker=login,
                   dashboard=number,
                   notice=f"@{login} ticked {what} on the fleet dashboard #{number}.")


_QUEUED = re.compile(r"/pr-(\d+)-[0-9a-f]+$")


def _merge_group(event: str, action: str, p: Mapping[str, Any], target: str) -> Refresh:
    """The queue's commit gets `fleetbot/order` too: the queued PR is named in its head
    ref (`gh-readonly-queue/main/pr-14-<sha>`)."""
    group = p.get("merge_group") or {}
    base = _branch_of(str(group.get("base_ref") or ""))
    sha = str(group.get("head_sha") or "")
    m = _QUEUED.search(str(group.get("head_ref") or ""))
    queue = ((sha, int(m.group(1)) if m else 0),) if sha else ()
    return Refresh(event, action, Scope.ALL, base=base, queue=queue,
                   notice=f"merge queue on `{base}` checks requested: refreshing the fleet.")


def _refresh_all(event: str, action: str, p: Mapping[str, Any], target: str) -> Refresh:
    return Refresh(event, action, Scope.ALL, notice=f"{event}: refreshing the fleet.")


_HANDLERS = {
    "pull_request": _pull_request,
    "pull_request_target": _pull_request,
    "push": _push,
    "check_suite": _ci,
    "check_run": _ci,
    "status": _ci,
    "workflow_run": _ci,
    "issue_comment": _issue_comment,
    "issues": _issues,
    "merge_group": _merge_group,
    "workflow_dispatch": _refresh_all,
    "schedule": _refresh_all,
    "repository_dispatch": _refresh_all,
}

SUPPORTED_EVENTS = tuple(_HANDLERS)
