"""The shipped pre-commit hook, run by the real pre-commit (a dev dependency).

The demo fleet (`fleetbot demo --keep`) has feature/42-count and feature/44-clear colliding
on tasks/cli.py, and feature/43-docs clean. `pre-commit try-repo` runs the hook as a user's
config would, from a git repo of this checkout's files; then the same hook, installed as
the README says (`pre-commit install --hook-type pre-push`), refuses a real `git push` of
the colliding branch and lets the clean one through. The hook is `language: python`, so
pre-commit builds its venv and pip-installs fleetbot and its dependencies from the package
index, once per test run (PRE_COMMIT_HOME in the test's tmp).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support.repo import GIT_ENV, Repo

pytestmark = pytest.mark.slow  # an external tool or a scale test: CI's second step

ROOT = Path(__file__).resolve().parents[2]
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")
FLEETBOT = Path(sys.executable).with_name("fleetbot")


def _hooks_repo(tmp_path: Path) -> tuple[Path, str]:
    """This checkout's tracked files (as they are now) committed in a repo of their own,
    which is what try-repo makes of a dirty checkout; one rev, so one hook venv."""
    repo = Repo(tmp_path / "hooks")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        src = ROOT / name
        if src.is_file():
            (repo.path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, repo.path / name)
    return repo.path, repo.commit({}, "hooks")


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
                          check=False)


@pytest.mark.skipif(not PRE_COMMIT.exists(), reason="pre-commit is a dev dependency")
def test_the_hook_blocks_a_colliding_push_and_passes_a_clean_one(tmp_path: Path) -> None:
    hooks, rev = _hooks_repo(tmp_path)
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
           "PRE_COMMIT_COLOR": "never"}
    env.pop("VIRTUAL_ENV", None)
    fleet = Repo(tmp_path / "fleet")
    made = _run([str(FLEETBOT), "demo", "--keep", str(fleet.path)], tmp_path, env)
    assert made.returncode == 0, made.stderr
    shipped = yaml.safe_load((hooks / ".pre-commit-hooks.yaml").read_text())
    assert shipped[0]["minimum_pre_commit_version"] == "3.2.0"
    assert shipped[0]["stages"] == ["pre-push", "manual"]

    # try-repo, as a user tries a hook before adding it to their config
    def try_repo(branch: str) -> subprocess.CompletedProcess[str]:
        fleet.checkout(branch)
        return _run([str(PRE_COMMIT), "try-repo", str(hooks), "fleetbot-check", "--ref", rev,
                     "--hook-stage", "pre-push", "--all-files"], fleet.path, env)

    blocked = try_repo("feature/44-clear")
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "fleetbot check" in blocked.stdout and "Failed" in blocked.stdout
    assert "tasks/cli.py" in blocked.stdout
    clean = try_repo("feature/43-docs")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout

    # installed as the README says, on a real push to a remote
    origin = tmp_path / "origin.git"
    fleet.git("clone", "-q", "--bare", str(fleet.path), str(origin))
    fleet.git("remote", "add", "origin", str(origin))
    fleet.git("fetch", "-q", "origin")
    fleet.git("remote", "set-head", "origin", "main")
    (fleet.path / ".pre-commit-config.yaml").write_text(yaml.safe_dump({"repos": [
        {"repo": str(hooks), "rev": rev, "hooks": [{"id": "fleetbot-check"}]}]}))
    installed = _run([str(PRE_COMMIT), "install", "--hook-type", "pre-push"], fleet.path, env)
    assert installed.returncode == 0, installed.stderr
    assert (fleet.path / ".git" / "hooks" / "pre-push").exists()

    def push(branch: str, owned: str) -> subprocess.CompletedProcess[str]:
        """One more commit on `branch`, in a file its row owns, then `git push`."""
        fleet.checkout(branch)
        with (fleet.path / owned).open("a") as f:
            f.write("# more work\n")
        fleet.git("add", owned)  # the config stays untracked, as in a user's first try
        fleet.git("commit", "-q", "-m", "more work")
        return _run(["git", "push", "origin", branch], fleet.path, env)

    refused = push("feature/44-clear", "tasks/clear.py")
    assert refused.returncode != 0, refused.stdout + refused.stderr
    assert "fleetbot check" in refused.stdout and "Failed" in refused.stdout
    assert "tasks/cli.py" in refused.stdout
    assert fleet.git("rev-parse", "origin/feature/44-clear") != fleet.head("feature/44-clear")
    pushed = push("feature/43-docs", "docs/usage.md")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    remote_head = subprocess.run(["git", "rev-parse", "feature/43-docs"], cwd=origin,
                                 capture_output=True, text=True, check=True).stdout.strip()
    assert remote_head == fleet.head("feature/43-docs")
