"""The dashboard's "verify the fan-in" box on GitLab: a Developer's tick starts one
pipeline on the target with FLEETBOT_VERIFY=1 (its `fleetbot-verify` job has no token),
and that pipeline's refresh reads the verify JSON with `--verify-result`."""

from __future__ import annotations

import json
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.forge.fakegitlab import HUMAN, FakeGitlab
from tests.gitlab.gitlabproject import Project, job
from tests.support.cli import Invocation

Invoke = Callable[..., Invocation]

ADA = "@\u200dada"  # the dashboard's mention (render/escape.py): no second notification
PIPELINE = "https://gitlab.example.com/grp/proj/-/pipelines/901"
ROOT = Path(__file__).resolve().parent.parent.parent


def ci(cli_invoke: Invoke, *args: str, code: int = 0) -> str:
    """`fleetbot ci ARGS`, which must exit `code`: the job log (stdout, then stderr)."""
    done = cli_invoke(["ci", *args], code=code)
    return done.out + done.err


def board_after_first_job(project: Project, monkeypatch: pytest.MonkeyPatch,
                          cli_invoke: Invoke) -> tuple[FakeGitlab, int]:
    job(monkeypatch, project)
    ci(cli_invoke, "--dashboard")
    (board,) = project.gitlab.dashboards()
    return project.gitlab, int(board["iid"])


def started(gl: FakeGitlab) -> list[tuple[str, Any]]:
    return [(p["ref"], p["variables"]) for p in gl.pipelines]


def test_a_developers_tick_starts_one_verify_pipeline_and_is_unticked(
        project: Project, monkeypatch: pytest.MonkeyPatch,
        cli_invoke: Invoke) -> None:
    gl, n = board_after_first_job(project, monkeypatch, cli_invoke)
    gl.tick(n, "verify the fan-in", by=HUMAN)  # ada, a Developer
    job(monkeypatch, project, source="schedule")
    out = ci(cli_invoke, "--dashboard")
    assert started(gl) == [("main", [{"key": "FLEETBOT_VERIFY", "value": "1"}])]
    assert [(m, t) for m, t, _ in gl.writes if t in ("/pipeline", f"/issues/{n}")] == [
        ("POST", "/pipeline"), ("PUT", f"/issues/{n}")]  # started before the edit says so
    body = gl.issues[n]["description"]
    assert "[x]" not in body
    assert f"- {ADA} asked to verify the fan-in (" in body
    assert f"): started pipeline {PIPELINE}." in body
    assert "done: start the verify pipeline (FLEETBOT_VERIFY=1) on main" in out
    ci(cli_invoke, "--dashboard")  # unticked: the next job starts none
    assert len(gl.pipelines) == 1


def test_a_reporters_tick_starts_no_pipeline(
        project: Project, monkeypatch: pytest.MonkeyPatch,
        cli_invoke: Invoke) -> None:
    gl, n = board_after_first_job(project, monkeypatch, cli_invoke)
    gl.members["ada"] = 20  # Reporter
    gl.tick(n, "verify the fan-in", by=HUMAN)
    ci(cli_invoke, "--dashboard")
    assert gl.pipelines == []
    assert "): ignored, only members with at least the Developer role" in \
        gl.issues[n]["description"]


def test_a_dry_run_starts_no_pipeline(
        project: Project, monkeypatch: pytest.MonkeyPatch,
        cli_invoke: Invoke) -> None:
    gl, n = board_after_first_job(project, monkeypatch, cli_invoke)
    gl.tick(n, "verify the fan-in", by=HUMAN)
    out = ci(cli_invoke, "--dashboard", "--dry-run")
    assert gl.pipelines == [] and "would start the verify pipeline (FLEETBOT_VERIFY=1) on " \
        "main" in out


def test_a_refused_start_is_said_on_the_dashboard(
        project: Project, monkeypatch: pytest.MonkeyPatch,
        cli_invoke: Invoke) -> None:
    gl, n = board_after_first_job(project, monkeypatch, cli_invoke)
    gl.branches.clear()  # GitLab: 400 Reference not found
    gl.tick(n, "verify the fan-in", by=HUMAN)
    ci(cli_invoke, "--dashboard")
    body = gl.issues[n]["description"]
    assert "): the verify pipeline was not started: " in body and "[x]" not in body
    assert gl.pipelines == []


def verify_line(path: str) -> list[str]:
    """The `fleetbot-verify` job's command as the runner would run it, without `> file`."""
    line = yaml.safe_load_all((ROOT / path).read_text())
    script = [d for d in line if d][-1]["fleetbot-verify"]["script"][-1]
    command, _, redirect = script.partition(" > ")
    assert redirect == "fleetbot-verify.json"
    env = {"FLEETBOT_PLAN": "orchestration-plan.md", "CI_COMMIT_BRANCH": "main"}
    return [env.get(w.strip("$"), w) for w in shlex.split(command)]


def verify_json(project: Project, tmp_path: Path, test: str, cli_invoke: Invoke,
                monkeypatch: pytest.MonkeyPatch) -> Path:
    """What the `fleetbot-verify` job keeps: its very command on the checkout (the demo
    plan has no `test:` front matter, so the test command is added), run in-process."""
    out = tmp_path / "fleetbot-verify.json"
    argv = verify_line("docs/gitlab-ci.yml")
    assert argv[:2] == ["fleetbot", "verify"]
    with monkeypatch.context() as here:
        here.chdir(project.checkout.path)
        done = cli_invoke([*argv[1:], "--test", test, "--repo", str(project.checkout.path)])
    out.write_text(done.out, encoding="utf-8")
    return out


@pytest.mark.parametrize("path", ["docs/gitlab-ci.yml", "templates/fleetbot.gitlab-ci.yml"])
def test_only_the_refresh_job_declares_the_token_environment(path: str) -> None:
    jobs = [d for d in yaml.safe_load_all((ROOT / path).read_text()) if d][-1]
    refresh, verify = jobs["fleetbot"], jobs["fleetbot-verify"]
    assert refresh["environment"] == {"name": "fleetbot", "action": "access"}
    assert refresh["needs"] == [{"job": "fleetbot-verify", "optional": True}]
    assert refresh["rules"][-1] == {"if": '$FLEETBOT_VERIFY == "1"', "variables": {
        "FLEETBOT_VERIFY_RESULT": "fleetbot-verify.json"}}
    assert "environment" not in verify
    assert verify["rules"] == [{"if": '$FLEETBOT_VERIFY == "1"'}]
    assert verify["artifacts"]["paths"] == ["fleetbot-verify.json"]
    assert verify_line(path)[:2] == ["fleetbot", "verify"]
    assert verify["script"][0].startswith('test -z "${GITLAB_TOKEN:-}" || {')


@pytest.mark.parametrize(("token", "code"), [("", 0), ("glpat-leaked", 1)])
def test_the_verify_job_stops_first_when_the_token_reached_it(token: str, code: int) -> None:
    guard = [d for d in yaml.safe_load_all((ROOT / "docs/gitlab-ci.yml").read_text())
             if d][-1]["fleetbot-verify"]["script"][0]
    env = {"PATH": "/usr/bin:/bin", **({"GITLAB_TOKEN": token} if token else {})}
    done = subprocess.run(["sh", "-c", guard], env=env, capture_output=True, text=True,
                          check=False)
    assert done.returncode == code
    assert ("scope it to the fleetbot environment" in done.stdout) is bool(token)


def test_the_verify_pipelines_refresh_reports_the_verify_verdict(
        project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        cli_invoke: Invoke) -> None:
    result = verify_json(project, tmp_path, "true", cli_invoke, monkeypatch)
    assert json.loads(result.read_text())["verdict"] == "passed"
    job(monkeypatch, project, source="api", FLEETBOT_VERIFY="1",
        FLEETBOT_VERIFY_RESULT=str(result))
    out = ci(cli_invoke)
    assert "fleetbot verify: verify result taken: passed" in out
    assert "verify: the fan-in of 2 rows passes the tests" in out


@pytest.mark.parametrize(("test", "target_sha", "said"), [
    # #43 alone breaks the tests: the verdict is taken and shown
    ("test ! -e docs/usage.md", "",
     "fleetbot verify: verify result taken: row-fails\nverify: #43 fails the"),
    # the target moved since it ran: no answer, and the log says why
    ("true", "f" * 40, "fleetbot verify: verify result ignored: it tested main at fffffff"),
])
def test_a_failing_or_stale_verify_result_is_said_in_the_job_log(
        project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        cli_invoke: Invoke, test: str, target_sha: str, said: str) -> None:
    result = verify_json(project, tmp_path, test, cli_invoke, monkeypatch)
    if target_sha:
        data = json.loads(result.read_text())
        result.write_text(json.dumps({**data, "target_sha": target_sha}), encoding="utf-8")
    job(monkeypatch, project, source="api")
    out = ci(cli_invoke, "--verify-result", str(result))
    assert said in out


def test_a_broken_verify_result_stops_before_any_write(
        project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        cli_invoke: Invoke) -> None:
    bad = tmp_path / "fleetbot-verify.json"
    bad.write_text('{"verdict": "passed"}', encoding="utf-8")
    job(monkeypatch, project, source="api")
    out = ci(cli_invoke, "--verify-result", str(bad), code=2)
    assert f"error: --verify-result {bad}: not a fleetbot verify result at" in out
    assert "Traceback" not in out
    assert project.gitlab.writes == []
