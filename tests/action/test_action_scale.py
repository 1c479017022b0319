"""GitHub at real scale (issue 16): 40 rows on one hot file, a 30-PR fleet refreshed twice.
The fake GitHub answers as GitHub does here: a comment over 65,536 characters or a status
description over 140 is a 422, `first:` is at most 100."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import responses

from tests.support.actionkit import API, TOKEN
from tests.support.bigfleet import big_fleet
from tests.support.cli import Invocation
from tests.support.fakegithub import FakeGithub
from tests.support.fakeserver import mount
from tests.support.repo import Repo

pytestmark = pytest.mark.slow  # an external tool or a scale test: CI's second step

HOT = "".join(f"line {i}\n" for i in range(400))


def plan(n: int) -> str:
    rows = "".join(f"| #{100 + i} row{i} | feat/{i} | ../w{i} | `hot.py` | none | running |\n"
                   for i in range(n))
    return ("# plan\n\n| Issue | Branch | Worktree | Files owned | Depends on | Status |\n"
            "|---|---|---|---|---|---|\n" + rows)


def fleet_repo(tmp_path: Path, n: int, colliding: int) -> tuple[Repo, Repo, FakeGithub]:
    """n rows that all edit hot.py: the first `colliding` on the same line, the rest each on
    its own line (so they merge cleanly)."""
    lines = HOT.splitlines(keepends=True)

    def change(i: int) -> dict[str, str]:
        edited = list(lines)
        edited[0 if i < colliding else 5 * i + 10] = f"row {i} was here\n"
        return {"hot.py": "".join(edited)}

    return big_fleet(tmp_path, n, plan(n), {"hot.py": HOT}, change)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("summary.md", "output.txt"):
        (tmp_path / name).touch()
    (tmp_path / "event.json").write_text('{"inputs": {}, "ref": "refs/heads/main", '
                                         '"repository": {"default_branch": "main"}}')
    for key, value in {
        "GITHUB_EVENT_NAME": "workflow_dispatch", "GITHUB_EVENT_PATH": str(tmp_path / "event.json"),
        "GITHUB_REPOSITORY": "octo/tasks", "GITHUB_API_URL": API,
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"), "GITHUB_RUN_ID": "5",
        "FLEETBOT_TOKEN": TOKEN,
    }.items():
        monkeypatch.setenv(key, value)
    return tmp_path


def test_40_rows_on_one_hot_file_fit_every_limit(
    env: Path, rsps: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch,
    cli_invoke: Callable[..., Invocation],
) -> None:
    _, checkout, gh = fleet_repo(env, 40, colliding=4)
    mount(gh, rsps)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(checkout.path))
    out = cli_invoke(["action", "--no-throttle"]).out
    gh.check()
    bodies = [gh.comment_bodies(n) for n in range(1, 41)]
    assert all(len(b) == 1 for b in bodies)
    assert max(len(b[0]) for b in bodies) <= 65_536
    summary = (env / "summary.md").read_text()
    assert len(summary.encode()) < 1_000_000
    assert "**hot file** `hot.py`: 40 rows edit or own it; 6 pairs collide textually" \
        in summary
    # every PR labelled and given its status; every plan issue its status label
    assert all(gh.labels[n] for n in range(1, 41))
    assert all(gh.labels[100 + i] for i in range(40))
    assert all(gh.latest_status(gh.pulls[n].sha, "fleetbot/order") for n in range(1, 41))
    # at most GitHub's 10 warnings per step, and one notice for the rest
    warnings = [x for x in out.splitlines() if x.startswith("::warning")]
    assert len(warnings) == 10
    assert [x for x in out.splitlines() if x.startswith("::notice")][-1].endswith(
        "more warnings are in the job summary")


def test_an_idle_second_refresh_of_30_prs_makes_no_write(
    env: Path, rsps: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch,
    cli_invoke: Callable[..., Invocation],
) -> None:
    _, checkout, gh = fleet_repo(env, 30, colliding=0)
    mount(gh, rsps)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(checkout.path))
    cli_invoke(["action", "--no-throttle"])
    gh.requests.clear()
    cli_invoke(["action", "--no-throttle"])
    assert gh.writes == []
    gh.check()
