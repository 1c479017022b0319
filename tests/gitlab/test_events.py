"""GitLab CI pipelines -> what to refresh (action/gitlab_events.py), from the job's
predefined variables as GitLab sets them
(https://docs.gitlab.com/ee/ci/variables/predefined_variables.html)."""

from __future__ import annotations

import pytest

from fleetbot.action.events import Refresh, Scope
from fleetbot.action.gitlab_events import GitlabJob, decide_gitlab
from fleetbot.errors import UsageError

BASE = {"CI_PROJECT_PATH": "grp/proj", "CI_DEFAULT_BRANCH": "main",
        "CI_SERVER_URL": "https://gitlab.example.com"}
MR = {**BASE, "CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_IID": "14",
      "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feature/44-clear",
      "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
      "CI_MERGE_REQUEST_PROJECT_PATH": "grp/proj"}


def decide(env: dict[str, str], target: str = "") -> Refresh:
    return decide_gitlab(GitlabJob.from_env(env), target=target)


def test_an_mr_pipeline_refreshes_the_fleet_around_it() -> None:
    assert decide(MR) == Refresh("merge_request_event", scope=Scope.ALL, pull=14,
                                 branch="feature/44-clear", base="main",
                                 notice="MR !14 pipeline: refreshing the fleet.")


def test_an_mr_to_another_branch_is_ignored() -> None:
    got = decide({**MR, "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "release"})
    assert (got.scope, got.notice) == (
        Scope.IGNORE, "MR !14 targets `release`, not the fleet's target `main`: ignored.")
    assert decide({**MR, "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "release"},
                  target="release").scope is Scope.ALL


def test_a_forks_mr_pipeline_only_reports() -> None:
    got = decide({**MR, "CI_PROJECT_PATH": "contributor/proj"})
    assert (got.scope, got.read_only) == (Scope.ALL, True)


def test_a_push_to_the_default_branch_refreshes_all_and_others_are_ignored() -> None:
    push = {**BASE, "CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main"}
    assert decide(push) == Refresh("push", scope=Scope.ALL, base="main",
                                   notice="push to `main`: refreshing the fleet.")
    other = decide({**push, "CI_COMMIT_BRANCH": "feature/44-clear"})
    assert (other.scope, other.notice) == (
        Scope.IGNORE, "push to `feature/44-clear`, not the fleet's target `main`: MR "
        "pipelines refresh the fleet; ignored.")
    tag = decide({**BASE, "CI_PIPELINE_SOURCE": "push", "CI_COMMIT_TAG": "v1"})
    assert (tag.scope, tag.notice) == (Scope.IGNORE,
                                       "a tag pipeline: nothing for fleetbot to do.")


@pytest.mark.parametrize("source", ["schedule", "web", "api", "trigger"])
def test_scheduled_and_manual_pipelines_refresh_all(source: str) -> None:
    assert decide({**BASE, "CI_PIPELINE_SOURCE": source}) == Refresh(
        source, scope=Scope.ALL, base="main", notice=f"{source} pipeline: refreshing the fleet.")


@pytest.mark.parametrize("source", ["parent_pipeline", "pipeline", "chat", "webide"])
def test_other_sources_are_ignored(source: str) -> None:
    got = decide({**BASE, "CI_PIPELINE_SOURCE": source})
    assert (got.scope, got.notice) == (Scope.IGNORE, f"fleetbot ignores `{source}` pipelines.")


def test_outside_gitlab_ci_or_a_bad_iid_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"CI_PIPELINE_SOURCE is not set"):
        GitlabJob.from_env(BASE)
    with pytest.raises(UsageError, match=r"CI_MERGE_REQUEST_IID is not a number: '1; rm'"):
        GitlabJob.from_env({**MR, "CI_MERGE_REQUEST_IID": "1; rm"})
