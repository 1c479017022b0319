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
  baseRefName
  reviewDecision
  body
  labels(first: 50) { nodes { name } }
}
"""

# Every open PR with what a refresh needs, page by page; the first page also brings the
# fleet labels that exist and the recently merged PRs.
FLEET_STATE = """
query FleetState(
  $owner: String!, $name: String!, $pageSize: Int!, $after: String,
  $first: Boolean!, $labelQuery: String!
) {
  repository(owner: $owner, name: $name) {
    labels(first: 100, query: $labelQuery) @include(if: $first) { nodes { name } }
    merged: pullRequests(
      states: MERGED, first: 20, orderBy: {field: UPDATED_AT, direction: DESC}
    ) @include(if: $first) {
      nodes { ...PullFields mergedAt }
    }
    pullRequests(
      states: OPEN, first: $pageSize, after: $after,
      orderBy: {field: CREATED_AT, direction: ASC}
    ) {
      pageInfo { hasNextPage endCursor }
      nodes {
        ...PullFields
        comments(last: 100) { nodes { databaseId body } }
        statusCheckRollup {
          contexts(first: 100) {
            nodes {
              __typename
              ... on CheckRun { name status conclusion startedAt completedAt }
              ... on StatusContext { context state createdAt description targetUrl }
            }
          }
        }
      }
    }
  }
}
""" + PULL_FIELDS


def issues_query(numbers: list[int]) -> str:
    """One query for the labels and ids of every plan issue (aliases `i<number>`)."""
    parts = "\n".join(
        f"    i{n}: issueOrPullRequest(number: {n}) {{ ...IssueFields }}" for n in numbers
    )
    return (
        "query FleetIssues($owner: String!, $name: String!) {\n"
        "  repository(owner: $owner, name: $name) {\n"
        f"{parts}\n"
        "  }\n}\n"
        "fragment IssueFields on IssueOrPullRequest {\n"
        "  ... on Issue {\n"
        "    number databaseId issueState: state labels(first: 50) { nodes { name } }\n"
        "  }\n"
        "  ... on PullRequest {\n"
        "    number databaseId pullState: state labels(first: 50) { nodes { name } }\n"
        "  }\n"
        "}\n"
    )
