"""The vendored GitHub shapes: examples validate, webhooks parse, queries match the SDL.

Refresh them with `python scripts/refresh_fixtures.py`.
"""

from __future__ import annotations

import json

import pytest

from fleetbot.forge.github_queries import DASHBOARD, FLEET_STATE, MORE_CONTEXTS, plan_query
from tests.support.githubschema import FIXTURES, examples, validate_graphql, validate_response

WEBHOOKS = ["pull_request.opened", "pull_request.synchronize", "pull_request.closed", "push",
            "check_suite.completed", "status", "workflow_run.completed",
            "issue_comment.created", "merge_group.checks_requested"]

# GitHub's own pull request examples break its own schema (a team without `type`); the fake
# answers with `requested_teams: []`, which is what is checked here
def _fix(body: object) -> object:
    if isinstance(body, list):
        return [_fix(x) for x in body]
    if isinstance(body, dict) and "requested_teams" in body:
        return {**body, "requested_teams": []}
    if isinstance(body, dict) and "permission" in body and isinstance(body.get("user"), dict):
        # so does the collaborator-permission example (a user without `role_name`)
        return {**body, "user": {"role_name": body["permission"], **body["user"]}}
    return body


@pytest.mark.parametrize("key", sorted(examples()))
def test_response_examples_match_their_schema(key: str) -> None:
    method, path, status = key.split(" ")
    body = _fix(examples()[key])
    validate_response(f"{method} {path}", int(status), body)


@pytest.mark.parametrize("name", WEBHOOKS)
def test_webhook_examples_are_vendored(name: str) -> None:
    payload = json.loads((FIXTURES / "webhooks" / f"{name}.json").read_text())
    assert payload["repository"]["full_name"]
    if "." in name:
        assert payload["action"] == name.split(".", 1)[1]


@pytest.mark.parametrize("query", [FLEET_STATE, MORE_CONTEXTS, DASHBOARD, plan_query([1, 22, 333], []),
                                   plan_query([4], ["feat/a", "we\"ird\\\\b"])])
def test_queries_are_valid_against_githubs_schema(query: str) -> None:
    validate_graphql(query)


def test_a_misspelt_field_fails() -> None:
    with pytest.raises(AssertionError, match="headRefNam"):
        validate_graphql("query { repository(owner: \"o\", name: \"r\") { pullRequests(first: 1)"
                         " { nodes { headRefNam } } } }")
