"""A GitLab project for the `fleetbot ci` tests, for real: the demo fleet on a git origin
with `refs/merge-requests/N/head` as GitLab keeps them, a checkout, and the fake GitLab
(tests/forge/fakegitlab.py) answering as GitLab's REST API v4 does."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import responses

from fleetbot.cli import run
from fleetbot.fleet.demo import BASE, BRANCHES
from tests.forge.fakegitlab import FakeGitlab
from tests.gitrepo import Repo, make_repo

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
        return self.origin.head(f"refs/merge-requests/{iid}/head")


def make_project(tmp_path: Path, rsps: responses.RequestsMock) -> Iterator[Project]:
    origin = make_repo(tmp_path, dict(BASE), name="origin")
    for branch, (message, files) in BRANCHES.items():
        origin.branch(branch, files, message=message)
    for iid, branch in MRS.items():
        origin.git("update-ref", f"refs/merge-requests/{iid}/head", origin.head(branch))
    checkout = Repo(tmp_path / "checkout")
    origin.git("clone", "-q", str(origin.path), str(checkout.path))
    gl = FakeGitlab(rsps)
    for iid, branch in MRS.items():
        gl.add_mr(iid, branch, head=origin.head(branch),
                  description=f"Closes #{branch.split('/')[1].split('-')[0]}")
    gl.add_mr(99, "stray/readme", files=["README.md"])  # an MR outside the plan
    yield Project(tmp_path, origin, checkout, gl)
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


def ci(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = run(["ci", *args])
    out, err = capsys.readouterr()
    return code, out + err
