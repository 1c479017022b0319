"""The refresh over GitLab's GraphQL API (POST /api/graphql): one query per 100 fleet MRs
and 100 plan issues carries what REST needs a request per MR or issue for. Pure: the
query, the variables of each request, and the answers read back into the REST v4 shapes
forge/gitlab_shapes.py reads, so an MR's review state, the bot's note and an issue's
facts have one reading whichever API said them.

Fields as https://docs.gitlab.com/api/graphql/reference/ documents them:
`Query.currentUser`, `Project.mergeRequests(iids:)` (`MergeRequest.approved`,
`approvalsLeft`, `approvedBy`, `notes` — no sort argument, oldest first, so `last: 100` is
the newest page), `Project.issues(iids:)` with `Issue.linkedWorkItems(filter:
BLOCKED_BY)` (`LinkedWorkItemType.linkId` is the link's global ID; a
`WorkItems::RelatedWorkItemLink` is a row of `issue_links`, so its number is REST's
`issue_link_id`, and an item has at most 100 links: app/models/work_items/
related_work_item_link.rb in gitlab-org/gitlab) and `Project.labels(searchTerm:)`.
A commit's statuses are not in the schema (`Pipeline.jobs` holds the jobs of one pipeline,
not every status posted on a head), so each fleet MR's head keeps its one REST read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

PAGE = 100  # GitLab's max_page_size: a connection gives at most 100 nodes

QUERY = """\
query FleetRefresh($path: ID!, $mrs: [String!]!, $issues: [String!]!, $prefix: String!,
                   $withMrs: Boolean!, $withIssues: Boolean!, $withLabels: Boolean!,
                   $links: Boolean!, $labelsAfter: String) {
  currentUser { id }
  project(fullPath: $path) {
    mergeRequests(iids: $mrs, first: 100) @include(if: $withMrs) {
      nodes {
        iid approved approvalsLeft
        approvedBy(first: 1) { nodes { id } }
        notes(last: 100) {
          pageInfo { hasPreviousPage }
          nodes { id body system author { id } }
        }
      }
    }
    issues(iids: $issues, first: 100) @include(if: $withIssues) {
      nodes {
        id iid state
        labels(first: 100) { nodes { title } }
        linkedWorkItems(filter: BLOCKED_BY, first: 100) @include(if: $links) {
          pageInfo { hasNextPage }
          nodes { linkId workItem { iid } }
        }
      }
    }
    labels(searchTerm: $prefix, first: 100, after: $labelsAfter) @include(if: $withLabels) {
      pageInfo { hasNextPage endCursor }
      nodes { title }
    }
  }
}
"""


@dataclass
class Refresh:
    """What the GraphQL requests of one refresh said, in REST's shapes. An MR or issue
    GitLab answered only in part (an `errors` entry beside a null field) is left out of
    `approvals`/`notes`/`links`, so the REST read answers for it."""

    user: int | None = None
    labels: list[str] = field(default_factory=list)
    approvals: dict[int, dict[str, Any]] = field(default_factory=dict)
    notes: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # newest first
    more_notes: set[int] = field(default_factory=set)  # older notes than the page read
    issues: list[dict[str, Any]] = field(default_factory=list)
    links: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # iid -> (other, id)


def batches(path: str, mrs: Sequence[int], issues: Sequence[int], prefix: str, *,
             links: bool) -> list[dict[str, Any]]:
    """The variables of each request: 100 MRs and 100 issues a request, the labels (and
    the token's user) in the first; follow-up label pages are `more_labels`."""
    count = max(-(-len(mrs) // PAGE), -(-len(issues) // PAGE), 1)
    out = []
    for i in range(count):
        some_mrs = [str(n) for n in mrs[i * PAGE:(i + 1) * PAGE]]
        some_issues = [str(n) for n in issues[i * PAGE:(i + 1) * PAGE]]
        out.append({"path": path, "mrs": some_mrs, "issues": some_issues, "prefix": prefix,
                    "withMrs": bool(some_mrs), "withIssues": bool(some_issues),
                    "withLabels": i == 0, "links": links, "labelsAfter": None})
    return out


def more_labels(variables: dict[str, Any], after: str) -> dict[str, Any]:
    """The variables of the next labels page (nothing else asked again)."""
    return {**variables, "withMrs": False, "withIssues": False, "withLabels": True,
            "labelsAfter": after}


def gid_number(gid: Any) -> int:
    """`gid://gitlab/User/9001` -> 9001 (0 for anything else)."""
    tail = str(gid or "").rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def read(answer: dict[str, Any], into: Refresh) -> str | None:
    """Add one answer's facts to `into`; the labels' next cursor, or None."""
    data = answer.get("data") or {}
    if data.get("currentUser"):
        into.user = gid_number(data["currentUser"].get("id"))
    project = data.get("project") or {}
    for mr in _nodes(project.get("mergeRequests")):
        iid = int(mr["iid"])
        if mr.get("approvedBy") is not None and mr.get("approved") is not None:
            into.approvals[iid] = {
                "approved": mr["approved"], "approvals_left": mr.get("approvalsLeft") or 0,
                "approved_by": [{"user": {"id": gid_number(u.get("id"))}}
                                for u in _nodes(mr["approvedBy"])]}
        if mr.get("notes") is not None:
            into.notes[iid] = [
                {"id": gid_number(n.get("id")), "body": n.get("body") or "",
                 "system": bool(n.get("system")),
                 "author": {"id": gid_number((n.get("author") or {}).get("id"))}}
                for n in reversed(_nodes(mr["notes"]))]
            if (mr["notes"].get("pageInfo") or {}).get("hasPreviousPage"):
                into.more_notes.add(iid)
    for issue in _nodes(project.get("issues")):
        iid = int(issue["iid"])
        into.issues.append({"iid": iid, "id": gid_number(issue.get("id")),
                            "state": issue.get("state") or "",
                            "labels": [lb["title"] for lb in _nodes(issue.get("labels"))]})
        linked = issue.get("linkedWorkItems")
        if linked is not None and not (linked.get("pageInfo") or {}).get("hasNextPage"):
            into.links[iid] = [(int(x["workItem"]["iid"]), gid_number(x.get("linkId")))
                               for x in _nodes(linked) if x.get("workItem")]
    labels = project.get("labels")
    into.labels += [lb["title"] for lb in _nodes(labels)]
    page = (labels or {}).get("pageInfo") or {}
    return str(page["endCursor"]) if page.get("hasNextPage") and page.get("endCursor") else None


def refused(answer: dict[str, Any]) -> str:
    """Why GitLab answered no data at all (a field this GitLab's schema lacks, a query
    too complex), or "" when it answered."""
    if answer.get("data") and (answer["data"].get("project") is not None):
        return ""
    return "; ".join(str(e.get("message") or "") for e in answer.get("errors") or ()) or \
        "the project was not found"


def _nodes(connection: Any) -> list[dict[str, Any]]:
    return [n for n in (connection or {}).get("nodes") or () if n]
