"""Only the commands that show the replayed fan-in run it: `check`, `order` and `integrate
--dry-run` print where it stops; `conflicts`, `status`, `brief` and `score` show none of it
and replay nothing (the rest of what they say comes from the same Report)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fleetbot.fleet.demo import build_example
from fleetbot.git import chain
from tests.support.cli import Invocation
from tests.support.repo import from_template

Invoke = Callable[..., Invocation]


@pytest.mark.parametrize(("argv", "replays", "says"), [
    (["check"], True, "#44"),
    (["order"], True, "#44"),
    (["integrate", "--dry-run"], True, "the replay stops at step 3 (#44)"),
    (["conflicts"], False, "#44"),
    (["status"], False, "#44"),
    (["brief", "#44"], False, "#44"),
    (["score"], False, "rows"),
])
def test_the_replay_runs_only_where_it_is_shown(
    argv: list[str], replays: bool, says: str, tmp_path: Path, cli_invoke: Invoke,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "tasks"
    from_template("demo-example", path, build_example)
    runs: list[int] = []
    build_chain = chain.build_chain

    def counted(*args: Any, **kwargs: Any) -> Any:
        runs.append(1)
        return build_chain(*args, **kwargs)

    monkeypatch.setenv("FLEETBOT_NO_CACHE", "1")  # no kept answer or replay: each run works
    monkeypatch.setattr(chain, "build_chain", counted)
    out = cli_invoke([*argv, "--repo", str(path)], code=None).out
    assert bool(runs) is replays
    assert says in out
