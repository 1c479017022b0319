"""Every stop of the fan-in (issue #14, item 2): on random small fleets of real repos, the
replay's stops (the steps that need a resolution, with their files) are exactly the stops
`fleetbot integrate` meets when each conflict is resolved by taking both sides' files."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from fleetbot.fleet import integrate
from fleetbot.git import Git
from fleetbot.model import MergeStep, Plan
from fleetbot.pipeline import build_report
from tests.fleet import plan_of, row
from tests.support.examples import examples
from tests.support.randfleet import Op, build_fleet, fleets
from tests.support.repo import Repo

Stop = tuple[str, tuple[str, ...]]


def take_both(repo: Repo) -> None:
    """Resolve the stopped merge by taking both sides' files as git wrote them (a content
    conflict keeps both sides between markers, a modify/delete keeps the modified file,
    a file/folder clash keeps both under their new names) and staging everything."""
    repo.git("add", "-A")


def integrate_stops(repo: Repo, plan: Plan, order: Sequence[MergeStep]) -> list[Stop]:
    """Run `integrate` as a user would: at each stop, take both sides and `--continue`."""
    git = Git(repo.path)
    outcome = integrate.start(git, plan, order, target="main")
    met: list[Stop] = []
    while outcome.stopped is not None:
        met.append((outcome.stopped, tuple(sorted(outcome.files))))
        take_both(repo)
        outcome = integrate.resume(git)
        assert len(met) <= 10
    return met


@pytest.mark.property
@settings(max_examples=examples(50, 2), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(fleets())
def test_the_replay_stops_where_integrate_stops(fleet: list[list[Op]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "repo").mkdir()
        repo, branches = build_fleet(Path(tmp) / "repo", fleet)
        plan = plan_of(*(row(f"#{i}", b) for i, b in enumerate(branches)))
        report = build_report(Git(repo.path), plan)
        assert report.replay is not None
        predicted = [(s.issue, tuple(sorted(s.files))) for s in report.replay.stops]
        landed = {la.issue for la in report.landed}
        order = [s for s in report.order if s.issue not in landed]
        assert integrate_stops(repo, report.plan, order) == predicted


def test_a_resolved_step_s_other_changes_are_met_by_the_steps_after_it(tmp_path: Path) -> None:
    """#1 collides with #0 on top.txt; once resolved, its change to d1/a.txt is on the
    fan-in, so #2's edit there stops too: two stops, and integrate meets both."""
    fleet = [[("edit", "top.txt", "x")],
             [("edit", "top.txt", "y"), ("edit", "d1/a.txt", "y")],
             [("edit", "d1/a.txt", "x")]]
    repo, branches = build_fleet(tmp_path, fleet)
    plan = plan_of(*(row(f"#{i}", b) for i, b in enumerate(branches)))
    report = build_report(Git(repo.path), plan)
    assert report.replay is not None
    stops = [(s.position, s.issue, s.files) for s in report.replay.stops]
    assert stops == [(2, "#1", ("top.txt",)), (3, "#2", ("d1/a.txt",))]
    assert integrate_stops(repo, report.plan, report.order) == [
        ("#1", ("top.txt",)), ("#2", ("d1/a.txt",))]
