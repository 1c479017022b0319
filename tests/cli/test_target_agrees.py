"""Every command names the target alike: in a clone, where only `origin/*` branches exist
and `origin/main` is what git reads, each says `main` (the branch PRs go into), as the
Report does. `status` and `score` used to print `origin/main` where `order` said `main`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.support.cli import Invocation
from tests.support.fleetrepo import tasks_repo

Invoke = Callable[..., Invocation]


def test_every_command_names_the_target_main_in_a_clone(
    tmp_path: Path, cli_invoke: Invoke,
) -> None:
    up = tasks_repo(tmp_path)
    up.git("clone", "-q", str(up.path), str(tmp_path / "clone"))
    repo = ["--repo", str(tmp_path / "clone")]
    assert cli_invoke(["status", *repo]).out.startswith("fleet status (target main)\n")
    assert cli_invoke(["status", *repo, "--format", "markdown"]).out.startswith(
        "### Fleet status (target `main`)")
    assert cli_invoke(["score", *repo]).out.startswith("Fleet score (main)\n")
    named = {
        command: json.loads(cli_invoke([command, *extra, *repo, "--format", "json"],
                                       code=None).out)["target"]
        for command, extra in (("check", ()), ("order", ()), ("conflicts", ()),
                               ("status", ()), ("score", ()), ("brief", ("#43",)))
    }
    assert named == dict.fromkeys(named, "main")
    # what is read is still the remote's branch: integrate says so when it resets to it
    dry = cli_invoke(["integrate", *repo, "--dry-run"], code=None)
    assert "to origin/main" in dry.out
