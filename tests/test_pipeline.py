"""How a report build and a CLI process use Python's cyclic collector (fleetbot/pipeline.py,
fleetbot/cli/__init__.py): paused for a build and given back as it was, tuned and frozen for
a command's life."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from fleetbot import pipeline
from fleetbot.fleet.demo import build_example
from fleetbot.git import Git, chain
from tests.fleet import plan_of, row
from tests.support.repo import make_repo


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_paused_for_a_build_and_given_back(collector_on: None) -> None:
    with pipeline.collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError, match="a failed build"), pipeline.collector_paused():
        raise ValueError("a failed build")
    assert gc.isenabled()


def test_a_collector_someone_else_turned_off_stays_off(collector_on: None) -> None:
    gc.disable()
    with pipeline.collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_build_report_runs_with_the_collector_paused(
    tmp_path: Path, collector_on: None, monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = make_repo(tmp_path, {"a.py": "x = 1\n"}, {"feature/a": {"a.py": "x = 2\n"}})
    seen: list[bool] = []
    build = pipeline._build_report

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return build(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_build_report", spy)
    report = pipeline.build_report(Git(repo.path), plan_of(row("#1", "feature/a", "a.py")))
    assert seen == [False]
    assert gc.isenabled()
    assert [s.issue for s in report.order] == ["#1"]


def test_a_report_without_the_replay_is_the_same_report_less_the_replay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`conflicts` shows no replay, so it asks for none: no merge is replayed (none run
    ahead either), and every other fact is what the full build says. The demo fleet's
    replay stops at #44, so a build that lost the replay everywhere would fail here."""
    git = build_example(tmp_path / "tasks")
    plan = pipeline.load_fleet_plan(git).plan
    replayed: list[str] = []
    build_chain = chain.build_chain
    monkeypatch.setattr(chain, "build_chain", lambda *a, **k: (
        replayed.append("chain"), build_chain(*a, **k))[1])
    without = pipeline.build_report(git, plan, replay=False)
    assert replayed == []
    full = pipeline.build_report(git, plan)
    assert replayed
    assert full.replay is not None
    assert [s.issue for s in full.replay.stops] == ["#44"]
    assert without.replay is None
    assert without == replace(full, replay=None)


def test_a_cli_process_collects_rarely_and_freezes_before_it_exits() -> None:
    probe = (
        "import atexit, gc\n"
        "from fleetbot.cli import main\n"
        "atexit.register(lambda: print(gc.get_threshold(), gc.get_freeze_count() > 0))\n"
        "main(['--version'])\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "(50000, 20, 20) True"
