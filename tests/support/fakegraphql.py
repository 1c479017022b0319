"""The GraphQL half of tests/support/fakegithub.py: the answers to `FleetState` and `FleetIssues`,
built from the fake's state and checked against GitHub's SDL both ways (the document and
the variables fleetbot sends, and every value the fake answers)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tests.support.githubschema import validate_graphql, validate_graphql_response

if TYPE_CHECKING:
    from tests.support.fakegithub import FakeGithub, Pull

AT = "2026-01-01T00:00:00Z"


def check(name: str, conclusion: str | None = "SUCCESS", status: str = "COMPLETED",
          at: str = AT) -> dict[str, Any]:
    return {"__typename": "CheckRun", "name": name, "status": status, "conclusion": conclusion,
            "startedAt": at, "completedAt": at if status == "COMPLETED" else None}


def status_ctx(context: str, state: str = "SUCCESS", at: str = AT, description: str | None = None,
               target_url: str | None = None) -> dict[str, Any]:
    return {"__typename": "StatusContext", "context": context, "state": state, "createdAt": at,
            "description": description, "targetUrl": target_url}


MAX_PAGE = 100  # GitHub refuses `first:`/`last:` over 100


def graphql(fake: FakeGithub, body: Any) -> Any:
    """GitHub's answer to the queries fleetbot sends, checked: `data`, and for a node
    that does not exist (a deleted issue) `errors: [{type: NOT_FOUND}]` beside it."""
    query, variables = body["query"], body.get("variables") or {}
    validate_graphql(query)
    limits = [int(n) for n in re.findall(r"\b(?:first|last):\s*(\d+)", query)]
    limits += [int(v) for k, v in variables.items() if k == "pageSize"]
    if any(n > MAX_PAGE for n in limits):
        return {"errors": [{"type": "EXCESSIVE_PAGE_SIZE",
                            "message": "Requesting more than 100 records is not allowed"}]}
    errors: list[dict[str, Any]] = []
    if "query FleetState" in query:
        data: dict[str, Any] = {"repository": _fleet_state(fake, variables)}
        if variables.get("first"):
            data["viewer"] = {"login": fake.viewer}
    elif "query FleetViewer" in query:
        data = {"viewer": {"login": fake.viewer}}
    elif "query MoreContexts" in query:
        pull = fake.pulls[variables["number"]]
        data = {"repository": {"pullRequest": {"statusCheckRollup": _rollup(
            fake, pull, int(variables.get("after") or 0))}}}
    elif "query FleetDashboard" in query:
        data = {"repository": {"issues": {"nodes": _dashboard_issues(fake, variables)}}}
    elif "query FleetIssues" in query:
        numbers = [int(n) for n in re.findall(r"i(\d+): issueOrPullRequest", query)]
        repo: dict[str, Any] = {f"i{n}": _gql_issue(fake, n) for n in numbers}
        for n in numbers:
            if repo[f"i{n}"] is None:
                errors.append({"type": "NOT_FOUND", "path": ["repository", f"i{n}"],
                               "locations": [{"line": 3, "column": 5}],
                               "message": f"Could not resolve to an issue or pull request "
                                          f"with the number of {n}."})
        for alias, branch in re.findall(r'(b\d+): pullRequests\(headRefName: ("(?:[^"\\]|\\.)*")',
                                        query):
            import json

            name = json.loads(branch)
            found = sorted((p for p in fake.pulls.values() if p.merged and p.branch == name),
                           key=lambda p: p.number, reverse=True)[:1]
            repo[alias] = {"nodes": [{**_gql_pull(fake, p), "mergedAt": AT,
                                      "mergeCommit": {"oid": p.merged_as} if p.merged_as
                                      else None} for p in found]}
        data = {"repository": repo}
    else:
        raise AssertionError("unexpected GraphQL query")
    validate_graphql_response(query, variables, data)
    return {"data": data, "errors": errors} if errors else {"data": data}


def _dashboard_issues(fake: FakeGithub, v: dict[str, Any]) -> list[dict[str, Any]]:
    """Open issues with the label `v["label"]`, oldest first, as `issues(labels:)` lists."""
    found = [n for n, i in sorted(fake.issue_store.items())
             if i["open"] and v["label"] in fake.labels.get(n, [])]
    return [{"number": n, "title": fake.issue_store[n]["title"],
             "url": f"https://github.com/{fake.repo}/issues/{n}",
             "body": fake.issue_store[n]["body"],
             "viewerDidAuthor": fake.issue_store[n]["creator"] == fake.viewer}
            for n in found[:50]]


def _gql_labels(fake: FakeGithub, number: int) -> dict[str, Any]:
    return {"nodes": [{"name": n} for n in fake.labels.get(number, [])][:50]}


def _gql_issue(fake: FakeGithub, number: int) -> dict[str, Any] | None:
    if number not in fake.issues:
        return None
    labels = _gql_labels(fake, number)
    pull = fake.pulls.get(number)
    if pull is not None:  # a PR's databaseId is its pull id, not its issue id
        return {"__typename": "PullRequest", "number": number, "databaseId": 2000 + number,
                "pullState": "MERGED" if pull.merged else "OPEN", "labels": labels}
    return {"__typename": "Issue", "number": number, "databaseId": 1000 + number,
            "issueState": "OPEN", "labels": labels}


def _gql_pull(fake: FakeGithub, p: Pull) -> dict[str, Any]:
    return {
        "number": p.number, "title": p.title, "url": f"https://github.com/{fake.repo}/pull/"
        f"{p.number}", "state": "MERGED" if p.merged else "OPEN", "isDraft": p.draft,
        "headRefName": p.branch, "headRefOid": p.sha, "baseRefName": p.base,
        "isCrossRepository": bool(p.fork),
        "headRepository": {"nameWithOwner": p.fork or fake.repo},
        "reviewDecision": p.review, "body": p.body, "labels": _gql_labels(fake, p.number),
    }


def _rollup(fake: FakeGithub, p: Pull, start: int = 0) -> dict[str, Any] | None:
    """The PR's checks and the latest of each commit status set on its head, 100 a page."""
    nodes = [*p.checks, *(status_ctx(s["context"], s["state"].upper(),
                                     description=s["description"],
                                     target_url=s.get("target_url"))
                          for s in fake._latest_statuses(p.sha))]
    if not nodes:
        return None
    page = nodes[start:start + MAX_PAGE]
    end = start + len(page)
    return {"contexts": {"nodes": page, "pageInfo": {"hasNextPage": end < len(nodes),
                                                      "endCursor": str(end)}}}


def _fleet_state(fake: FakeGithub, v: dict[str, Any]) -> dict[str, Any]:
    open_pulls = sorted((p for p in fake.pulls.values() if not p.merged),
                        key=lambda p: p.number)
    start = int(v["after"]) if v.get("after") else 0
    page = open_pulls[start:start + v["pageSize"]]
    end = start + len(page)
    nodes = []
    for p in page:
        node = _gql_pull(fake, p)
        node["comments"] = {"nodes": [{"databaseId": c["id"], "body": c["body"],
                                       "viewerDidAuthor": c["author"] == fake.viewer}
                                      for c in fake.comments.get(p.number, [])[-100:]]}
        node["statusCheckRollup"] = _rollup(fake, p)
        nodes.append(node)
    repo: dict[str, Any] = {"pullRequests": {
        "pageInfo": {"hasNextPage": end < len(open_pulls), "endCursor": str(end)},
        "nodes": nodes,
    }}
    if v["first"]:
        repo["labels"] = {"nodes": [{"name": n} for n in fake.repo_labels
                                    if v["labelQuery"].lower() in n.lower()][:100]}
    return repo
