"""Issue 12 item 6, labels: a prefix that could claim people's labels is refused (exit 2),
and only fleetbot's own names under the prefix are ever removed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import responses

from fleetbot.forge.types import Action, ActionKind, ForgeState
from fleetbot.model import PullFacts
from fleetbot.writes.labels import LabelTarget, label_actions, prefix_problem
from tests.hostile.conftest import OnFleet
from tests.support.actionkit import make_fleet
from tests.support.cli import Invocation

Cli = Callable[..., Invocation]


@pytest.mark.parametrize("prefix", ["", "f", "fl", "feat", "fleet", "fleet: "])
@pytest.mark.parametrize("command", [["sync"], ["comment", "--pr", "1"], ["action"], ["ci"]])
def test_a_short_or_open_ended_prefix_is_refused(
        command: list[str], prefix: str, cli_invoke: Cli,
        rsps: responses.RequestsMock) -> None:
    err = cli_invoke([*command, "--label-prefix", prefix], code=2).err
    assert f"Invalid value for '--label-prefix': {prefix!r}: it must" in err
    assert "Traceback" not in err
    assert len(rsps.calls) == 0  # refused before anything was read or written


def test_the_prefix_arrives_from_the_action_input_too(
        monkeypatch: pytest.MonkeyPatch, cli_invoke: Cli) -> None:
    monkeypatch.setenv("FLEETBOT_LABEL_PREFIX", "f")
    assert "'f': it must be at least 3 characters" in cli_invoke(["action"], code=2).err


@pytest.mark.parametrize("prefix", ["fleet:", "ops/", "fb-", "team_", "x.y."])
def test_prefixes_ending_in_a_separator_are_fine(prefix: str) -> None:
    assert prefix_problem(prefix) == ""


def test_only_fleetbots_own_names_are_removed() -> None:
    state = ForgeState(pulls=(PullFacts(7, "feat/a", labels=(
        "fleet:running", "fleet:foo", "fleet:conflict-reviewed", "do-not-merge")),))
    got = label_actions((LabelTarget(7, frozenset({"fleet:review"})),),
                        state, "fleet:")
    assert [(a.kind, a.label) for a in got] == [
        (ActionKind.CREATE_LABEL, "fleet:review"), (ActionKind.ADD_LABEL, "fleet:review"),
        (ActionKind.REMOVE_LABEL, "fleet:running")]
    assert got[0] == Action(ActionKind.CREATE_LABEL, label="fleet:review", color="0075ca",
                            description="fleetbot: the plan row's PR is ready for review")


def test_a_persons_fleet_label_survives_a_refresh(tmp_path: Path, on_fleet: OnFleet,
                                                  cli_invoke: Cli) -> None:
    gh = on_fleet(make_fleet(tmp_path)).github
    gh.labels[14] = ["fleet:foo", "fleet:running", "do-not-merge"]
    gh.repo_labels.update({"fleet:foo": "ededed", "fleet:running": "fbca04"})
    cli_invoke(["action", "--no-throttle"])
    gh.check()
    assert sorted(gh.labels[14]) == ["do-not-merge", "fleet:conflict", "fleet:foo",
                                     "fleet:review"]
    created = {r.body["name"]: r.body["description"] for r in gh.requests
               if r.method == "POST" and r.path.endswith("/labels") and "name" in r.body}
    assert created["fleet:review"] == "fleetbot: the plan row's PR is ready for review"
    assert created["fleet:next"] == "fleetbot: the fleet PR to merge next"
