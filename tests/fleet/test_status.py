"""`status` (and `cleanup`) read the rows `check` reads: in a clone with only origin's
branches, after a squash merge, they say what `order` and `conflicts` say about every row."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from fleetbot.fleet.demo import build_example, land_first
from fleetbot.fleet.worktrees import row_refs
from fleetbot.git import Git, forget
from fleetbot.pipeline import load_fleet_plan
from tests.support.cli import Invocation
from tests.support.repo import GIT_ENV, from_template

Invoke = Callable[..., Invocation]


def _json(cli_invoke: Invoke, *argv: str) -> dict:  # type: ignore[type-arg]
    """The JSON of `fleetbot ARGV`, which must exit 0."""
    data: dict = json.loads(cli_invoke(list(argv)).out)  # type: ignore[type-arg]
    return data


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, env={**GIT_ENV, "PATH": "/usr/bin:/bin"})


def _build_squashed_clone(fleet: Path) -> None:
    origin = fleet / "origin"
    build_example(origin)
    land_first(Git(origin), "squash")
    _git(fleet, "clone", "-q", str(origin), str(fleet / "clone"))


def _squashed_clone(tmp_path: Path) -> Path:
    """The demo fleet with #42 squash-merged, cloned: only origin's branches are there
    (built once per process and copied; the copy's origin URL points at the copy)."""
    from_template("demo-squashed-clone", tmp_path / "fleet", _build_squashed_clone)
    clone = tmp_path / "fleet" / "clone"
    _git(clone, "remote", "set-url", "origin", str(tmp_path / "fleet" / "origin"))
    return clone


def test_a_clone_with_only_origin_branches_after_a_squash(
    tmp_path: Path, cli_invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    clone = _squashed_clone(tmp_path)
    monkeypatch.setenv("COLUMNS", "80")
    repo = ["--repo", str(clone)]

    order = _json(cli_invoke, "order", *repo, "--format", "json")
    conflicts = _json(cli_invoke, "conflicts", *repo, "--format", "json")
    status = {r["issue"]: r for r in _json(cli_invoke, "status", *repo, "--format", "json")["rows"]}

    assert [la["issue"] for la in order["landed"]] == ["#42"]
    assert [s["issue"] for s in order["order"]] == ["#43", "#44"]
    assert [(c["kind"], c["rows"]) for c in conflicts["conflicts"]] == [("target", ["#44"])]
    # every branch is there, on origin: none is "deleted" or "no branch"
    assert {i: (r["merged"], r["missing"]) for i, r in status.items()} == {
        "#42": (True, ["worktree"]), "#43": (False, ["worktree"]),
        "#44": (False, ["worktree"])}
    assert [(r["ahead"], r["behind"]) for r in (status["#43"], status["#44"])] == [(1, 1)] * 2
    assert {i: r["collisions"] for i, r in status.items()} == {
        "#42": [], "#43": [], "#44": ["target tasks/cli.py (rebase)"]}

    lines = cli_invoke(["status", *repo]).out.splitlines()  # a pipe: plain lines within COLUMNS
    row = lines[-1].split()
    assert row[:4] + row[5:] == ["#44", "feature/44-clear", "+1/-1", "-", "-", "target",
                                 "(rebase)"]  # row[4]: the age of the demo's pinned dates
    assert all(len(line) <= 80 for line in lines)


def test_row_refs_are_the_refs_the_pipeline_reads(tmp_path: Path) -> None:
    origin = tmp_path / "origin"
    from_template("demo-example", origin, build_example)  # the demo fleet, built once
    clone = tmp_path / "clone"
    env = {**GIT_ENV, "PATH": "/usr/bin:/bin"}
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True, env=env)
    # a local #43 behind origin's (origin moved on): origin's is newer and is read
    subprocess.run(["git", "branch", "-q", "feature/43-docs", "origin/feature/43-docs~1"],
                   cwd=clone, check=True, env=env)
    git = Git(clone)
    plan = load_fleet_plan(git, None, None).plan
    assert row_refs(git, plan) == {
        "#42": "refs/remotes/origin/feature/42-count",
        "#43": "refs/remotes/origin/feature/43-docs",
        "#44": "refs/remotes/origin/feature/44-clear"}
    subprocess.run(["git", "branch", "-q", "-f", "feature/43-docs", "origin/feature/43-docs"],
                   cwd=clone, check=True, env=env)
    forget()  # moved behind fleetbot's back
    assert row_refs(git, plan)["#43"] == "refs/heads/feature/43-docs"  # the same commit


def test_cleanup_in_a_clone_with_only_origin_branches_keeps_them_and_says_why(
    tmp_path: Path, cli_invoke: Invoke
) -> None:
    clone = _squashed_clone(tmp_path)
    cleanup = _json(cli_invoke, "cleanup", "--repo", str(clone), "--dry-run", "--delete-branches",
                    "--format", "json")
    assert {r["issue"]: r["kept"] for r in cleanup["rows"]} == dict.fromkeys(
        ("#42", "#43", "#44"), "no local branch (only origin's)")
