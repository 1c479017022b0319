"""Every command that refuses a plan lists its errors as `plan lint` does: the same
messages in the same order (by line). `check` used to list a cycle last, after the
duplicates of the lines below it, where lint listed it first."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.support.cli import Invocation
from tests.support.repo import make_repo

Invoke = Callable[..., Invocation]

PLAN = """\
| Issue | Branch | Worktree | Files owned | Depends on | Status |
|---|---|---|---|---|---|
| #1 | feat/a | ../wt-a | src/a.py | #3 | |
| #2 | feat/a | ../wt-b | src/b.py | #1, #2 | |
| #3 | -bad | ../wt-c | src/c.py | #1 | |
"""


def test_check_order_and_conflicts_refuse_with_lints_errors_in_lints_order(
    tmp_path: Path, cli_invoke: Invoke,
) -> None:
    repo = make_repo(tmp_path, {"README.md": "x\n"})
    plan = tmp_path / "plan.md"
    plan.write_text(PLAN)
    lint = json.loads(cli_invoke(["plan", "lint", "--plan", str(plan), "--format", "json"],
                                 code=2).out)
    expected = [f"{plan}:{f['line']}: {f['message']}" for f in lint["findings"]]
    assert [f["code"] for f in lint["findings"]] == [
        "cycle", "duplicate-branch", "self-dependency", "bad-branch"]
    for command in ("check", "order", "conflicts"):
        err = cli_invoke([command, "--plan", str(plan), "--repo", str(repo.path)], code=2).err
        listed = [line.removeprefix("error: ") for line in err.splitlines()
                  if line.startswith("error: ")]
        assert listed == expected, command
