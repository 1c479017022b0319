"""`check` reads commits: when the worktree holds uncommitted changes it says they are not
in the check, on every run (its kept answer too), and only where a person reads it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.support.cli import Invocation
from tests.support.fleetrepo import tasks_repo

Invoke = Callable[..., Invocation]


def test_check_notes_uncommitted_changes_each_run_and_only_in_text(
    tmp_path: Path, cli_invoke: Invoke,
) -> None:
    repo = tasks_repo(tmp_path)
    repo.checkout("feature/44-clear")
    at = ["check", "--repo", str(repo.path)]
    assert "uncommitted" not in cli_invoke(at).err
    (repo.path / "tasks" / "cli.py").write_text("edited\n")
    (repo.path / "tasks" / "new.py").write_text("new\n")
    note = ("note: 2 uncommitted changes in this worktree (tasks/cli.py, tasks/new.py) are "
            "not in this check: it reads commits; commit to include them\n")
    first = cli_invoke(at)
    assert list((repo.path / ".git" / "fleetbot" / "answers").glob("*.json"))
    again = cli_invoke(at)  # printed from the answer the first run kept
    assert first.out == again.out
    assert first.err.endswith(note) and again.err.endswith(note)
    for other in (["--format", "json"], ["--format", "markdown"], ["--row", "#44"]):
        assert "uncommitted" not in cli_invoke([*at, *other]).err, other
    repo.git("checkout", "--", "tasks/cli.py")
    assert cli_invoke(at).err.endswith(
        "note: 1 uncommitted change in this worktree (tasks/new.py) is not in this check: "
        "it reads commits; commit to include it\n")
