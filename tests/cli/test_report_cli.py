from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.cli import Invocation, invoke
from tests.support.fleetrepo import demo_repo
from tests.support.reports import validate_report_json

Invoke = Callable[..., Invocation]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_REPORT = ROOT / "docs" / "example-report.md"
REGENERATE = "python -m fleetbot demo --format markdown > docs/example-report.md"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """The demo fleet as a real repository, on main."""
    return demo_repo(tmp_path).path


def _git(path: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=path, check=True, capture_output=True)


def _json(argv: list[str], code: int = 0) -> dict:  # type: ignore[type-arg]
    data = json.loads(invoke(argv, code=code).out)
    validate_report_json(data)
    return data  # type: ignore[no-any-return]


# ------------------------------------------------------------------ order


def test_order_json_on_the_example(example: Path) -> None:
    data = _json(["order", "--repo", str(example), "--format", "json"])
    assert data["target"] == "main"
    issues = [s["issue"] for s in data["order"]]
    assert issues.index("#44") > issues.index("#42")
    step = data["order"][issues.index("#43")]
    assert step["reasons"] == ["no dependencies or collisions: can merge any time"]
    assert set(data["order"][0]) >= {"position", "issue", "branch", "reasons", "blocked_by"}
    replay = data["replay"]
    assert replay["clean"] is False
    assert replay["stops_at_issue"] == "#44"
    assert replay["stops_at"] == issues.index("#44") + 1
    assert replay["files"] == ["tasks/cli.py"]


def test_order_text_and_markdown(example: Path, cli_invoke: Invoke) -> None:
    text = cli_invoke(["order", "--repo", str(example)]).out
    assert "step 3 (#44) on tasks/cli.py" in text
    md = cli_invoke(["order", "--repo", str(example), "--format", "markdown"]).out
    assert md.startswith("### ❌ fleetbot: the fan-in into main stops at #44")


def test_order_with_a_missing_branch(example: Path) -> None:
    _git(example, "branch", "-D", "feature/43-docs")
    data = _json(["order", "--repo", str(example), "--format", "json"])
    assert data["missing_branches"] == ["#43"]
    step = next(s for s in data["order"] if s["issue"] == "#43")
    assert step["blocked_by"] == ["a missing branch (feature/43-docs)"]
    assert data["replay"]["stops_at_issue"] == "#44"


def test_cycle_exits_2_naming_every_row(example: Path, cli_invoke: Invoke) -> None:
    plan = example / "orchestration-plan.md"
    text = plan.read_text()
    text = text.replace("`tests/test_count.py` | none", "`tests/test_count.py` | #44")
    text = text.replace("`tests/test_clear.py` | none", "`tests/test_clear.py` | #43")
    text = text.replace("`README.md` | none", "`README.md` | #42")
    plan.write_text(text)
    err = cli_invoke(["order", "--repo", str(example), "--plan", str(plan)], code=2).err
    assert err == (
        f"error: {plan}:8: dependency cycle: #42 -> #44 -> #43 -> #42 (each depends on the "
        f"next; #42 at {plan}:8, #44 at {plan}:10, #43 at {plan}:9)\n"
        "  fix: remove one of these `Depends on` entries so the rows can merge in some order\n")


# ------------------------------------------------------------------ check


def test_check_on_a_colliding_branch(example: Path, cli_invoke: Invoke) -> None:
    _git(example, "checkout", "-q", "feature/44-clear")
    out = cli_invoke(["check", "--repo", str(example)]).out
    assert "your branch collides with #42 on tasks/cli.py: merge after it" in out
    cli_invoke(["check", "--repo", str(example), "--strict"], code=1)
    data = _json(["check", "--repo", str(example), "--format", "json", "--strict"], 1)
    assert data["current"]["issue"] == "#44"
    assert data["current"]["blocks"] is True


def test_check_strict_passes_on_a_free_branch(example: Path, cli_invoke: Invoke) -> None:
    _git(example, "checkout", "-q", "feature/43-docs")
    data = _json(["check", "--repo", str(example), "--format", "json", "--strict"])
    assert data["current"]["issue"] == "#43"
    assert data["current"]["blocks"] is False
    assert "**Your branch (#43 docs):**" in cli_invoke(
        ["check", "--repo", str(example), "--format", "markdown"]).out


def test_check_outside_the_plan_notes_it(example: Path) -> None:
    data = _json(["check", "--repo", str(example), "--format", "json", "--strict"])
    assert data["current"] is None
    assert "the current branch main is not a row of the plan" in data["notes"]


def test_pre_commit_hook_runs_check() -> None:
    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "fleetbot-check")
    assert hook["entry"].split()[:2] == ["fleetbot", "check"]
    assert hook["pass_filenames"] is False


# ------------------------------------------------------------------ demo


def test_demo_text_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         cli_invoke: Invoke) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    out = cli_invoke(["demo"]).out
    assert "❌ #42 (textual)" in out
    assert "step 3 (#44) on tasks/cli.py" in out
    assert list(scratch.iterdir()) == []


def test_demo_json_validates() -> None:
    data = _json(["demo", "--format", "json"])
    assert data["replay"]["stops_at_issue"] == "#44"
    assert [s["issue"] for s in data["order"]] == ["#42", "#43", "#44"]


def test_demo_keep(tmp_path: Path, cli_invoke: Invoke) -> None:
    keep = tmp_path / "kept"
    err = cli_invoke(["demo", "--keep", str(keep)]).err
    assert (keep / "orchestration-plan.md").is_file()
    assert (keep / ".git").exists()
    assert "git checkout feature/44-clear" in err
    assert cli_invoke(["demo", "--keep", str(keep)], code=2).err == (
        f"error: --keep {keep}: the folder is not empty; name a new one\n")


def test_demo_markdown_is_the_committed_example_report(cli_invoke: Invoke) -> None:
    out = cli_invoke(["demo", "--format", "markdown"]).out
    assert out == EXAMPLE_REPORT.read_text(encoding="utf-8"), (
        f"docs/example-report.md is out of date; regenerate it with:\n  {REGENERATE}"
    )


def test_installed_fleetbot_demo_runs_as_a_subprocess(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "fleetbot"
    found = str(exe) if exe.exists() else shutil.which("fleetbot")
    assert found, "the fleetbot console script is not installed"
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.run([found, "demo", "--format", "json"], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    validate_report_json(data)
    assert data["replay"]["stops_at_issue"] == "#44"
    assert list(tmp_path.iterdir()) == []


def test_stale_branch_goes_last_with_rebase_reason(example: Path) -> None:
    # main gains its own docs/usage.md: #43's add/add no longer lands on main
    (example / "docs").mkdir()
    (example / "docs" / "usage.md").write_text("# Usage\n\nSomething else entirely.\n")
    _git(example, "add", "-A")
    _git(example, "commit", "-q", "-m", "docs on main")
    data = _json(["order", "--repo", str(example), "--format", "json"])
    assert [s["issue"] for s in data["order"]] == ["#42", "#44", "#43"]
    assert "rebase onto main first" in data["order"][2]["reasons"]
    assert any(c["kind"] == "target" and c["rows"] == ["#43"] for c in data["conflicts"])


def test_check_strict_fails_on_drift(example: Path) -> None:
    _git(example, "checkout", "-q", "feature/43-docs")
    (example / "tasks" / "store.py").write_text("# docs row wandered in here\n")
    _git(example, "commit", "-q", "-am", "touch a file #43 does not own")
    data = _json(["check", "--repo", str(example), "--format", "json", "--strict"], 1)
    assert any("does not own" in m for m in data["current"]["messages"])


def test_unknown_target_and_missing_plan_exit_2(example: Path, tmp_path: Path,
                                                cli_invoke: Invoke) -> None:
    err = cli_invoke(["order", "--repo", str(example), "--target", "no-such-branch"],
                     code=2).err
    assert err == (
        "error: unknown target 'no-such-branch': no branch, origin/no-such-branch or commit "
        "of that name\n"
        "  fix: pass --target with an existing branch (fetch it first if it is remote)\n")
    err = cli_invoke(["check", "--repo", str(example), "--plan", str(tmp_path / "nope.md")],
                     code=2).err
    assert err == (f"error: {tmp_path / 'nope.md'}: plan file not found\n"
                   "  fix: create it (`fleetbot plan init`) or pass --plan PATH\n")


def test_colour_only_on_a_terminal_and_never_with_no_color(
    monkeypatch: pytest.MonkeyPatch, cli_invoke: Invoke,
) -> None:
    assert "\x1b[" not in cli_invoke(["demo"]).out  # not a tty: plain
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[31m" in cli_invoke(["demo"]).out
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[31m" not in cli_invoke(["demo"]).out
