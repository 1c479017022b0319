"""A GitLab project for the `fleetbot ci` tests, for real: the demo fleet on a git origin
with `refs/merge-requests/N/head` as GitLab keeps them, a checkout, and the fake GitLab
(tests/forge/fakegitlab.py) answering as GitLab's REST API v4 does."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import responses

from fleetbot.fleet.demo import BASE, BRANCHES
from tests.forge.fakegitlab import FakeGitlab
from tests.support.actionfleets import copied, origin_and_clone, ref_head, restore, state_of
from tests.support.cli import invoke
from tests.support.repo import Repo

MRS = {12: "feature/42-count", 13: "feature/43-docs", 14: "feature/44-clear"}
TOKEN = "glpat-fleetbotTestToken0123"
JOB_TOKEN = "glcbt-64_jobTokenTest0123456"
JOB_URL = "https://gitlab.example.com/grp/proj/-/jobs/77"


@dataclass
class Project:
    root: Path
    origin: Repo
    checkout: Repo
    gitlab: FakeGitlab

    def head(self, iid: int) -> str:
        return ref_head(self.origin, f"refs/merge-requests/{iid}/head")


def make_project(tmp_path: Path, rsps: responses.RequestsMock) -> Iterator[Project]:
    def build(root: Path) -> dict[str, str]:
        return origin_and_clone(root, BASE, BRANCHES, MRS, "refs/merge-requests/{n}/head")

    # built once per test process, copied here; the clone's origin repointed at the copy
    heads = copied("gitlab project", tmp_path, build)
    origin, checkout = Repo(tmp_path / "origin"), Repo(tmp_path / "checkout")
    gl = FakeGitlab(rsps)
    for iid, branch in MRS.items():
        gl.add_mr(iid, branch, head=heads[branch],
                  description=f"Closes #{branch.split('/')[1].split('-')[0]}")
    gl.add_mr(99, "stray/readme", files=["README.md"])  # an MR outside the plan
    yield Project(tmp_path, origin, checkout, gl)
    gl.check()


def after_first_job(tmp_path: Path, rsps: responses.RequestsMock,
                    *args: str) -> Iterator[Project]:
    """`make_project`'s project after one push job's `fleetbot ci *args` (it must exit 0):
    the job run once per test process for each `args` in a private folder, then copied
    (the repositories with what the job left in them, and the fake GitLab's state, its
    calls too) and the copy's fake answering on `rsps`."""
    def build(folder: Path) -> dict[str, Any]:
        patch = pytest.MonkeyPatch()
        try:
            with responses.RequestsMock(assert_all_requests_are_fired=False) as private:
                made = make_project(folder, private)
                project = next(made)
                job(patch, project)
                invoke(["ci", *args])
                next(made, None)  # its fake GitLab's check
        finally:
            patch.undo()
        return state_of(project.gitlab)

    state = copied(("after first job", args), tmp_path, build)
    gl = restore(FakeGitlab(rsps), state)
    yield Project(tmp_path, Repo(tmp_path / "origin"), Repo(tmp_path / "checkout"), gl)
    gl.check()


def job(monkeypatch: pytest.MonkeyPatch, project: Project, *, source: str = "push",
        token: str = TOKEN, job_token: str = "", **extra: str) -> None:
    env = {"CI_PIPELINE_SOURCE": source, "CI_PROJECT_PATH": "grp/proj",
           "CI_SERVER_URL": "https://gitlab.example.com", "CI_DEFAULT_BRANCH": "main",
           "CI_PROJECT_DIR": str(project.checkout.path), "CI_JOB_URL": JOB_URL,
           "CI_COMMIT_BRANCH": "main" if source == "push" else "", **extra}
    if token:
        env["GITLAB_TOKEN"] = token
    if job_token:
        env["CI_JOB_TOKEN"] = job_token
    for key, value in env.items():
        monkeypatch.setenv(key, value)


def ci(capsys: object, *args: str) -> tuple[int, str]:
    """`fleetbot ci *args` through tests/support/cli.py's `invoke` (`capsys`, unused, is
    kept for the callers that pass it): its exit code, and its stdout then stderr."""
    got = invoke(["ci", *args], code=None)
    return got.code, got.out + got.err
