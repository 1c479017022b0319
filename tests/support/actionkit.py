"""A workflow run, staged for real: the example fleet in a git "origin", a checkout of it,
PR refs as GitHub keeps them, a fake GitHub that knows the PRs, and the runner's files.

    fleet = make_fleet(tmp_path)                  # origin + checkout + FakeGithub
    env = fleet.env("pull_request", pr_event(fleet, "synchronize", 14))
    # run `fleetbot action` with env; then read fleet.summary(), fleet.outputs()
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import responses

from fleetbot.fleet.demo import BASE, BRANCHES
from tests.support.actionfleets import copied, origin_and_clone, ref_head, restore, state_of
from tests.support.cli import Invocation, invoke
from tests.support.fakegithub import FakeGithub
from tests.support.fakeserver import mount
from tests.support.repo import Repo
from tests.support.webhooks import payload

TOKEN = "ghs_fleetbotTestToken0123456789"
PULLS = {12: "feature/42-count", 13: "feature/43-docs", 14: "feature/44-clear"}
ISSUES = {12: "#42", 13: "#43", 14: "#44"}
API = "https://api.github.test"


@dataclass
class Fleet:
    root: Path
    origin: Repo
    checkout: Repo
    github: FakeGithub

    def head(self, number: int) -> str:
        return ref_head(self.origin, f"refs/pull/{number}/head")

    def env(self, event: str, data: dict[str, Any], *, api: str = API,
            token: str = TOKEN, **extra: str) -> dict[str, str]:
        """The variables a runner gives the step, with the event saved to a file."""
        path = self.root / "event.json"
        path.write_text(json.dumps(data))
        for name in ("summary.md", "output.txt"):
            (self.root / name).touch()
        env = {
            "GITHUB_EVENT_NAME": event,
            "GITHUB_EVENT_PATH": str(path),
            "GITHUB_REPOSITORY": "octo/tasks",
            "GITHUB_API_URL": api,
            "GITHUB_WORKSPACE": str(self.checkout.path),
            "GITHUB_STEP_SUMMARY": str(self.root / "summary.md"),
            "GITHUB_OUTPUT": str(self.root / "output.txt"),
            "GITHUB_RUN_ID": "1",
        }
        if token:
            env["FLEETBOT_TOKEN"] = token
        env.update(extra)
        return env

    def summary(self) -> str:
        return (self.root / "summary.md").read_text()

    def outputs(self) -> dict[str, str]:
        return parse_outputs((self.root / "output.txt").read_text())

    def merge(self, number: int) -> None:
        """Merge PR `number` on the origin (a merge commit on main) and on the fake."""
        branch = PULLS[number]
        self.origin.git("merge", "-q", "--no-ff", "-m", f"Merge #{number}", branch)
        self.github.pulls[number].merged = True


def parse_outputs(text: str) -> dict[str, str]:
    """$GITHUB_OUTPUT's `name<<DELIM ... DELIM` blocks back into a dict (later wins)."""
    out: dict[str, str] = {}
    for m in re.finditer(r"^([\w-]+)<<(\S+)\n(.*?)\n\2$", text, re.M | re.S):
        out[m.group(1)] = m.group(3)
    return out


def make_fleet(tmp_path: Path, *, plan: str | None = None) -> Fleet:
    """The demo fleet on an origin with refs/pull/N/head, a full clone, and a fake GitHub."""
    base = dict(BASE)
    if plan is not None:
        base["orchestration-plan.md"] = plan

    def build(root: Path) -> dict[str, str]:
        return origin_and_clone(root, base, BRANCHES, PULLS, "refs/pull/{n}/head")

    # built once per test process, copied here; the clone's origin repointed at the copy
    heads = copied(("fleet", plan), tmp_path, build)
    origin, checkout = Repo(tmp_path / "origin"), Repo(tmp_path / "checkout")
    github = FakeGithub("octo/tasks", base=API)
    for n, b in PULLS.items():
        github.add_pull(n, b, sha=heads[b], title=BRANCHES[b][0], body=f"Closes {ISSUES[n]}")
    github.issues.update(int(i.lstrip("#")) for i in ISSUES.values())
    return Fleet(tmp_path, origin, checkout, github)


def after_first_run(tmp_path: Path, args: Sequence[str], event: str,
                    data: dict[str, Any] | Callable[[Fleet], dict[str, Any]],
                    env: Mapping[str, str] | None = None, *,
                    chdir: bool = True) -> tuple[Fleet, Invocation]:
    """`make_fleet(tmp_path)` after one run of `fleetbot *args` there, as a test would
    make it: the runner's variables for `event` and `data` (the payload, or a function of
    the fleet giving it) and `env` set, in the checkout (`chdir`), against the fake
    GitHub; it must exit 0. Built and run once per test process for each (args, event,
    data, env, chdir), then copied: the repositories with what the run left in them, the
    runner's files, and the fake GitHub's state (its requests too); with what the run
    printed."""
    extra = dict(env or {})
    named = (f"{data.__module__}.{data.__qualname__}" if callable(data)
             else json.dumps(data, sort_keys=True))
    assert "<lambda>" not in named, "name the payload's function: it keys the build"
    key = ("after", tuple(args), event, named, sorted(extra.items()), chdir)

    def build(folder: Path) -> tuple[dict[str, Any], Invocation]:
        fleet = make_fleet(folder)
        patch = pytest.MonkeyPatch()
        try:
            with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
                mount(fleet.github, rsps)
                payload = data(fleet) if callable(data) else data
                for name, value in {**fleet.env(event, payload), **extra}.items():
                    patch.setenv(name, value)
                if chdir:
                    patch.chdir(fleet.checkout.path)
                printed = invoke(list(args))
        finally:
            patch.undo()
        fleet.github.check()
        return state_of(fleet.github), printed

    state, printed = copied(repr(key), tmp_path, build)
    github = restore(FakeGithub("octo/tasks", base=API), state)
    return Fleet(tmp_path, Repo(tmp_path / "origin"), Repo(tmp_path / "checkout"),
                 github), printed


def dispatch(fleet: Fleet) -> dict[str, Any]:
    """GitHub's example `workflow_dispatch` payload (`fleet` unused: a payload function
    for `after_first_run`)."""
    return payload("workflow_dispatch")


def pr_event(fleet: Fleet, action: str, number: int, *, merged: bool = False,
             fork: bool = False) -> dict[str, Any]:
    """GitHub's example `pull_request` payload, pointed at one of the fleet's PRs."""
    name = {"synchronize": "pull_request.synchronize", "opened": "pull_request.opened",
            "closed": "pull_request.closed"}.get(action, "pull_request.opened")
    data = payload(name)
    data["action"] = action
    data["number"] = number
    pr = data["pull_request"]
    pr["number"] = number
    pr["merged"] = merged
    branch = PULLS.get(number, "feature/unplanned")
    pr["head"]["ref"] = branch
    pr["head"]["sha"] = fleet.head(number) if number in PULLS else "0" * 40
    pr["base"]["ref"] = "main"
    _repo(data["repository"])
    _repo(pr["base"]["repo"])
    _repo(pr["head"]["repo"])
    if fork:
        pr["head"]["repo"]["full_name"] = "contributor/tasks"
    return data


def _repo(repo: dict[str, Any]) -> None:
    repo.update({"full_name": "octo/tasks", "name": "tasks", "default_branch": "main"})
    repo["owner"]["login"] = "octo"
