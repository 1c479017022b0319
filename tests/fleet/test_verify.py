"""`fleetbot verify` on real temporary repos: a small Python project and its tests.

Eight rows each add a module and its test; #3 renames `core.greet` to `salute` (and
updates its own callers) while #6's new code calls `greet`: both merge cleanly, each
passes alone, the two together fail. Where the subject is the bisection, the scratch
project's tests run with tests/support/fleetkit.py's MINITEST (a `pytest -x` for plain
test functions, one bare Python start a run); the 8-row scale test and the target test
run this venv's real pytest (`sys.executable -m pytest`) end to end.
"""

from __future__ import annotations

import json
import math
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from fleetbot.git import Git
from tests.support import schemas
from tests.support.cli import Invocation
from tests.support.fleetkit import MINITEST
from tests.support.repo import Repo, make_repo

Invoke = Callable[..., Invocation]

# no plugin autoload: this venv's plugins (xdist, hypothesis) would triple each run
PYTEST = (f"PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 {shlex.quote(sys.executable)} -m pytest -q "
          "-p no:cacheprovider -x")

CORE = 'def greet(name):\n    return f"hi {name}"\n'
CORE_TEST = "from app.core import greet\n\n\ndef test_greet():\n    assert greet('x') == 'hi x'\n"
RENAMED = 'def salute(name):\n    return f"hi {name}"\n'
RENAMED_TEST = (
    "from app.core import salute\n\n\ndef test_salute():\n    assert salute('x') == 'hi x'\n"
)


def plan_text(n: int, *, test: str = "") -> str:
    front = f"---\ntest: {test}\n---\n\n" if test else ""
    rows = "\n".join(
        f"| #{i} m{i} | f{i} | ../wt{i} | `app/m{i}.py`, `tests/test_m{i}.py` | none | running |"
        for i in range(1, n + 1)
    )
    return (f"{front}# Plan\n\n| Issue | Branch | Worktree | Files owned | Depends on | Status |\n"
            f"|---|---|---|---|---|---|\n{rows}\n")


def module(i: int) -> dict[str, str]:
    return {
        f"app/m{i}.py": f"def value():\n    return {i}\n",
        f"tests/test_m{i}.py": f"from app.m{i} import value\n\n\ndef test_m{i}():\n"
        f"    assert value() == {i}\n",
    }


def project(root: Path, n: int = 8, *, rename: int | None = 3, caller: int | None = 6,
            extra: dict[str, dict[str, str | None]] | None = None, test: str = "",
            base: dict[str, str] | None = None) -> Repo:
    """The scratch project with `n` rows; `rename` renames greet, `caller` calls it."""
    files: dict[str, str] = {
        "orchestration-plan.md": plan_text(n, test=test), "app/__init__.py": "",
        "app/core.py": CORE, "tests/__init__.py": "", "tests/test_core.py": CORE_TEST,
        "pytest.ini": "[pytest]\ntestpaths = tests\n", **(base or {}),
    }
    branches: dict[str, dict[str, str | None]] = {}
    for i in range(1, n + 1):
        work: dict[str, str | None] = dict(module(i))
        if i == rename:
            work |= {"app/core.py": RENAMED, "tests/test_core.py": RENAMED_TEST}
        if i == caller:
            work |= {
                f"app/m{i}.py": f"from app.core import greet\n\n\ndef value():\n"
                f"    return greet('m{i}')\n",
                f"tests/test_m{i}.py": f"from app.m{i} import value\n\n\ndef test_m{i}():\n"
                f"    assert value() == 'hi m{i}'\n",
            }
        work |= (extra or {}).get(f"f{i}", {})
        branches[f"f{i}"] = work
    return make_repo(root, files, branches)


def validate_verify_json(data: object) -> None:
    """Fail unless `data` validates against schemas/verify.schema.json."""
    schemas.validate("verify", data)


def verify(cli_invoke: Invoke, repo: Repo, *args: str, code: int = 0) -> dict[str, object]:
    """`fleetbot verify --format json ARGS` on `repo`, which must exit `code`: its JSON,
    checked against the schema."""
    done = cli_invoke(["verify", "--repo", str(repo.path), "--format", "json", *args],
                      code=code)
    data: dict[str, object] = json.loads(done.out)
    validate_verify_json(data)
    return data


def worktrees(repo: Repo) -> list[str]:
    return [line for line in repo.git("worktree", "list", "--porcelain").splitlines()
            if line.startswith("worktree ")]


def by_phase(data: dict[str, object]) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in data["probes"]:  # type: ignore[attr-defined]
        if not p["cached"]:
            out[p["phase"]] = out.get(p["phase"], 0) + 1
    return out


@pytest.mark.slow  # a scale test (8 rows, a bisection, real pytest): CI's second step
def test_semantic_pair_among_8_rows_is_found_and_named(tmp_path: Path, cli_invoke: Invoke) -> None:
    repo = project(tmp_path)
    refs, state = repo.git("for-each-ref"), repo.git("status", "--porcelain")
    data = verify(cli_invoke, repo, "--test", PYTEST, "--strict", code=1)
    assert data["verdict"] == "semantic"
    assert data["rows"] == ["#3", "#6"]
    assert (data["culprit"], data["partners"]) == ("#6", ["#3"])
    assert "greet" in str(data["output_tail"])
    assert data["tested"] == [f"#{i}" for i in range(1, 9)]
    assert data["conflicts"][0]["kind"] == "semantic"  # type: ignore[index]
    assert data["conflicts"][0]["rows"] == ["#3", "#6"]  # type: ignore[index]
    # the budget: target + tip + ceil(log2 N) bisection steps + the naming runs
    phases = by_phase(data)
    naming = phases.get("confirm", 0) + phases.get("alone", 0) + phases.get("partner", 0)
    assert data["runs"] <= 2 + math.ceil(math.log2(8)) + naming
    assert phases["target"] == 1 and phases["tip"] == 1
    assert phases["bisect"] <= math.ceil(math.log2(8))
    assert phases["confirm"] == 1 and phases["alone"] == 1
    assert phases.get("partner", 0) <= math.ceil(math.log2(5)) + 1
    # nothing of the user's changed, no worktree left behind
    assert repo.git("for-each-ref") == refs
    assert repo.git("status", "--porcelain") == state
    assert len(worktrees(repo)) == 1
    # the text view says where the order now puts the failing row
    out = cli_invoke(["verify", "--repo", str(repo.path), "--test", PYTEST]).out
    assert "  order: #1 -> #2 -> #3 -> #4 -> #5 -> #6 -> #7 -> #8\n" in out
    assert ("  #6: collides with #3: the tests fail once both land (verify): merge after it "
            "and fix them") in out


def test_second_run_is_served_from_the_cache(tmp_path: Path, cli_invoke: Invoke) -> None:
    repo = project(tmp_path, 4, rename=1, caller=3)
    first = verify(cli_invoke, repo, "--test", MINITEST)
    assert first["verdict"] == "semantic" and first["runs"] > 0
    second = verify(cli_invoke, repo, "--test", MINITEST)
    assert second["runs"] == 0
    assert second["cached"] == len(second["probes"])  # type: ignore[arg-type]
    assert (second["verdict"], second["rows"]) == ("semantic", ["#1", "#3"])
    assert second["notes"] == [
        "rows after #3 were not verified: resolve this conflict and run verify again",
        "every answer came from the cache (unchanged fleet): no test ran"]
    cache = Path(repo.git("rev-parse", "--git-common-dir").strip())
    assert ((repo.path / cache) / "fleetbot" / "verify-cache.json").is_file()


def test_failing_target_is_not_blamed_on_rows(tmp_path: Path, cli_invoke: Invoke) -> None:
    # real pytest end to end: the command verify runs in the quick tier's other tests is
    # MINITEST, so this one runs the project's tests the way a user's `test:` would
    broken = {"tests/test_broken.py": "def test_broken():\n    assert False\n"}
    repo = project(tmp_path, 3, rename=None, caller=None, base=broken)
    data = verify(cli_invoke, repo, "--test", PYTEST)
    assert data["verdict"] == "target-fails"
    assert data["rows"] == []
    assert [(p["phase"], p["steps"]) for p in data["probes"]] == [  # type: ignore[attr-defined]
        ("target", []), ("confirm", []),
    ]
    assert "test_broken" in str(data["output_tail"])
    assert "1 failed" in str(data["output_tail"])  # pytest's own summary line


def test_flaky_failure_is_reported_as_flaky(tmp_path: Path, cli_invoke: Invoke) -> None:
    marker = tmp_path / "marker"
    flaky = (f"from pathlib import Path\n\nM = Path({str(marker)!r})\n\n\n"
             "def test_flaky():\n    if not M.exists():\n        M.write_text('x')\n"
             "        assert False, 'first run'\n")
    repo = project(tmp_path, 3, rename=None, caller=None,
                   extra={"f2": {"tests/test_flaky.py": flaky}})
    data = verify(cli_invoke, repo, "--test", MINITEST, "--strict")
    assert (data["verdict"], data["flaky"], data["rows"]) == ("flaky", True, [])
    assert "first run" in str(data["output_tail"])


def test_timeout_is_reported(tmp_path: Path, cli_invoke: Invoke) -> None:
    repo = project(tmp_path, 2, rename=None, caller=None)
    slow = f"{shlex.quote(sys.executable)} -c 'import time; time.sleep(30)'"
    data = verify(cli_invoke, repo, "--test", slow, "--timeout", "0.3", "--strict", code=1)
    assert data["verdict"] == "timeout"
    assert [p["phase"] for p in data["probes"]] == ["target"]  # type: ignore[attr-defined]
    assert "timed out after 0.3s" in str(data["output_tail"])
    assert len(worktrees(repo)) == 1


def test_textual_stop_is_set_aside_and_the_rest_is_tested(
    tmp_path: Path, cli_invoke: Invoke,
) -> None:
    clash = {"f2": {"app/core.py": 'def greet(name):\n    return f"yo {name}"\n'},
             "f4": {"app/core.py": 'def greet(name):\n    return f"hey {name}"\n'}}
    repo = project(tmp_path, 4, rename=None, caller=None, extra=clash,
                   base={"tests/test_core.py": "def test_ok():\n    pass\n"})
    data = verify(cli_invoke, repo, "--test", MINITEST)
    assert data["verdict"] == "passed"
    assert data["set_aside"] == [{"issue": "#4", "files": ["app/core.py"]}]
    assert data["tested"] == ["#1", "#2", "#3"]


def test_test_command_from_front_matter_and_missing_one(
        tmp_path: Path, cli_invoke: Invoke) -> None:
    repo = project(tmp_path, 2, rename=None, caller=None, test="python -c pass")
    data = verify(cli_invoke, repo)
    assert (data["verdict"], data["command"]) == ("passed", "python -c pass")
    bare = project(tmp_path / "bare", 2, rename=None, caller=None)
    done = cli_invoke(["verify", "--repo", str(bare.path)], code=2)
    assert done.err == ("error: no test command: pass --test 'CMD' (for example --test "
                        "'python -m pytest -q') or add `test: CMD` to the plan's front matter\n")
    assert done.out == ""


def test_refuses_pull_request_target(tmp_path: Path, cli_invoke: Invoke,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    repo = project(tmp_path, 1, rename=None, caller=None)
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request_target")
    done = cli_invoke(["verify", "--repo", str(repo.path), "--test", "true"], code=2)
    assert done.err == (
        "error: verify runs the branches' code and must not run on pull_request_target, "
        "where the job holds a write token: run it in a `pull_request` job with "
        "`permissions: contents: read` (see examples/workflows/fleetbot-with-verify.yml)\n")


def test_keep_leaves_the_failing_tree_checked_out(tmp_path: Path, cli_invoke: Invoke) -> None:
    repo = project(tmp_path, 4, rename=1, caller=3)
    keep = tmp_path / "kept"
    data = verify(cli_invoke, repo, "--test", MINITEST, "--keep", str(keep))
    assert data["verdict"] == "semantic"
    assert (keep / "app" / "m3.py").is_file() and (keep / "app" / "core.py").read_text() == RENAMED
    assert not (keep / "app" / "m2.py").exists()  # the pair alone: #1 + #3
    assert len(worktrees(repo)) == 2
    Git(repo.path).run("worktree", "remove", "--force", str(keep))


def test_ctrl_c_leaves_no_worktree_behind(tmp_path: Path) -> None:
    repo = project(tmp_path, 2, rename=None, caller=None)
    started = tmp_path / "started"
    slow = (f"{shlex.quote(sys.executable)} -c \"import pathlib, time; "
            f"pathlib.Path({str(started)!r}).write_text('x'); time.sleep(30)\"")
    proc = subprocess.Popen(
        [sys.executable, "-m", "fleetbot", "verify", "--repo", str(repo.path), "--test", slow],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    # wait until the test command runs inside the scratch worktree (or verify ended without
    # it); two minutes only guards against a hang: 10 s was too short on a loaded machine
    deadline = time.monotonic() + 120
    while not started.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.025)
    assert started.exists()
    assert len(worktrees(repo)) == 2
    os.kill(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert len(worktrees(repo)) == 1
    assert not list((repo.path / ".git" / "worktrees").glob("*"))


def test_target_and_plan_options(tmp_path: Path, cli_invoke: Invoke) -> None:
    repo = project(tmp_path, 2, rename=None, caller=None)
    repo.branch("dev", {"tests/test_dev.py": "def test_dev():\n    assert False\n"})
    data = verify(cli_invoke, repo, "--test", MINITEST, "--target", "dev")
    assert (data["target"], data["verdict"]) == ("dev", "target-fails")
    assert data["target_sha"] == repo.head("dev")
    other = tmp_path / "other-plan.md"
    other.write_text(plan_text(1))
    data = verify(cli_invoke, repo, "--test", "true", "--plan", str(other))
    assert (data["verdict"], data["tested"]) == ("passed", ["#1"])
