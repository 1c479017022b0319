"""The documented GitLab CI job and the `include:` template are valid GitLab CI, checked
against GitLab's own CI schema (tests/fixtures/gitlab/ci-schema.json, source in the
README beside it), and run fleetbot the way docs/forges.md says."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
FILES = ("docs/gitlab-ci.yml", "templates/fleetbot.gitlab-ci.yml")


@cache
def validator() -> jsonschema.Draft7Validator:
    schema = json.loads((ROOT / "tests/fixtures/gitlab/ci-schema.json").read_text())
    return jsonschema.Draft7Validator(schema)


def documents(path: str) -> list[Any]:
    return [d for d in yaml.safe_load_all((ROOT / path).read_text()) if d is not None]


def errors(doc: Any) -> list[str]:
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in validator().iter_errors(doc))


@pytest.mark.parametrize("path", FILES)
def test_valid_gitlab_ci(path: str) -> None:
    assert [errors(d) for d in documents(path)] == [[] for _ in documents(path)]


@pytest.mark.parametrize("path", FILES)
def test_the_job_runs_on_mr_pushes_to_default_and_schedules_and_reports(path: str) -> None:
    job = documents(path)[-1]["fleetbot"]
    assert [r["if"] for r in job["rules"]] == [
        '$CI_PIPELINE_SOURCE == "merge_request_event"',
        '$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH',
        '$CI_PIPELINE_SOURCE == "schedule"', '$FLEETBOT_VERIFY == "1"']
    assert job["script"][-1] == "fleetbot ci"
    assert all("pip install ." not in line and "-e ." not in line for line in job["script"])
    assert job["artifacts"]["reports"] == {"dotenv": "fleetbot.env",
                                           "junit": "fleetbot-junit.xml"}
    assert job["variables"]["GIT_DEPTH"] == "0"


def test_the_schema_refuses_a_broken_job() -> None:
    job = documents("docs/gitlab-ci.yml")[0]
    job["fleetbot"]["rules"] = [{"if": "$X", "when": "sometimes"}]
    job["fleetbot"]["artifacts"]["reports"]["dotnev"] = "x"
    assert len(errors(job)) >= 2
