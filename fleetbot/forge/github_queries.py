"""The GraphQL documents the GitHub adapter sends (validated in tests against GitHub's SDL)."""

from __future__ import annotations

PULL_FIELDS = """
fragment PullFields on PullRequest {
  number
  title
  url
  state
  isDraft
  headRefName
  headRefOid
  isCrossRepository
  headRepository { nameWithOwner }
  baseRefName
  reviewDecision
  body
  labels(first: 50) { nodes { name } }
}
"""

CONTEXT_FIELDS = """
fragment ContextFields on StatusCheckRollupContext {
  __typename
  ... on CheckRun { name status conclusion startedAt completedAt }
  ... on StatusContext { context state createdAt description targetUrl }
}
"""

# Every open PR with what a refresh needs, page by page; the first page also brings the
# fleet labels that exist and the token's own login (the REST re-read of a PR's comments
# compares authors with it). Merged PRs come by head branch (`plan_query`), however long
# ago. A comment is fleetbot's only when the token wrote it (`viewerDidAuthor`).
FLEET_STATE = """
query FleetState(
  $owner: String!, $name: String!, $pageSize: Int!, $after: String,
  $first: Boolean!, $labelQuery: String!
) {
  viewer @include(if: $first) { login }
  repository(owner: $owner, name: $name) {
    labels(first: 100, query: $labelQuery) @include(if: $first) { nodes { name } }
    pullRequests(
      states: OPEN, first: $pageSize, after: $after,
      orderBy: {field: CREATED_AT, direction: ASC}
    ) {
      pageInfo { hasNextPage endCursor }
      nodes {
        ...PullFields
        comments(last: 100) { nodes { databaseId body viewerDidAuthor } }
        statusCheckRollup {
          contexts(first: 100) {
            pageInfo { hasNextPage endCursor }
            nodes { ...ContextFields }
          }
        }
      }
    }
  }
}
""" + PULL_FIELDS + CONTEXT_FIELDS

# The token's own login, when no refresh read it yet (before a sticky comment is created).
VIEWER = "query FleetViewer { viewer { login } }"

# The checks of one PR past the first 100 (rare: only asked when a page says there are more).
MORE_CONTEXTS = """
query MoreContexts($owner: String!, $name: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      statusCheckRollup {
        contexts(first: 100, after: $after) {
          pageInfo { hasNextPage endCursor }
          nodes { ...ContextFields }
        }
      }
    }
  }
}
""" + CONTEXT_FIELDS


# The bot's dashboard: open issues with the dashboard label; the adapter keeps the first
# that carries the marker and that the token's own identity wrote (`viewerDidAuthor`), so
# a person's issue with the marker is never taken for it. Asked only with `dashboard: true`.
DASHBOARD = """
query FleetDashboard($owner: String!, $name: String!, $label: String!) {
  repository(owner: $owner, name: $name) {
    issues(
      first: 50, states: OPEN, labels: [$label],
      orderBy: {field: CREATED_AT, direction: ASC}
    ) {
      nodes { number title url body viewerDidAuthor }
    }
  }
}
"""


def _string(text: str) -> str:
    """A GraphQL string literal (JSON's escapes are GraphQL's)."""
    import json

    return json.dumps(text)


def plan_query(numbers: list[int], branches: list[str]) -> str:
    """One query for the plan: each issue's labels and id (aliases `i<number>`) and each
    branch's latest merged PR (aliases `b<index>`), however long ago it merged."""
    parts = [f"    i{n}: issueOrPullRequest(number: {n}) {{ ...IssueFields }}" for n in numbers]
    parts += [
        f"    b{i}: pullRequests(headRefName: {_string(b)}, states: MERGED, first: 1, "
        "orderBy: {field: UPDATED_AT, direction: DESC}) "
        "{ nodes { ...PullFields mergedAt mergeCommit { oid } } }"
        for i, b in enumerate(branches)
    ]
    issue_fields = (
        "fragment IssueFields on IssueOrPullRequest {\n"
        "  ... on Issue {\n"
        "    number databaseId issueState: state labels(first: 50) { nodes { name } }\n"
        "  }\n"
        "  ... on PullRequest {\n"
        "    number databaseId pullState: state labels(first: 50) { nodes { name } }\n"
        "  }\n"
        "}\n"
    )
    return (
        "query FleetIssues($owner: String!, $name: String!) {\n"
        "  repository(owner: $owner, name: $name) {\n"
        + "\n".join(parts) + "\n"
        "  }\n}\n"
        + (issue_fields if numbers else "")
        + (PULL_FIELDS if branches else "")
    )
