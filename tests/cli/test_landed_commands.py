"""Every command that reports on rows says the same about a landed row, for every merge
style (issue: "Landed is landed"). One scenario per style, built from the demo fleet."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import responses

from fleetbot.fleet.demo import BRANCHES, build_example, land_first
from fleetbot.git import Git
from tests.support.actionkit import API, ISSUES, PULLS, TOKEN
from tests.support.cli import Invocation
from tests.support.fakegithub import FakeGithub
from tests.support.fakeserver import mount
from tests.support.repo import GIT_ENV, from_template

Invoke = Callable[..., Invocation]


def _git(path: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=path, capture_output=True, text=True, check=True,
                          env={**GIT_ENV, "PATH": "/usr/bin:/bin"}).stdout


def fast_forward(path: Path) -> None:
    _git(path, "merge", "-q", "--ff-only", "feature/42-count")


def cherry_pick(path: Path) -> None:
    _git(path, "commit", "-q", "--allow-empty", "-m", "main moves first")
    for sha in _git(path, "rev-list", "--reverse", "main..feature/42-count").split():
        _git(path, "cherry-pick", sha)


def squash_then_delete(path: Path) -> None:
    land_first(Git(path), "squash")
    _git(path, "commit", "-q", "--amend", "-m", "Add the count command\n\nCloses #42")
    _git(path, "branch", "-q", "-D", "feature/42-count")


SCENARIOS: dict[str, Callable[[Path], None]] = {
    "squash": lambda p: land_first(Git(p), "squash"),
    "merge-commit, branch deleted": lambda p: land_first(Git(p), "merge"),
    "rebase-merge": lambda p: land_first(Git(p), "rebase"),
    "fast-forward": fast_forward,
    "cherry-pick": cherry_pick,
    "squash, branch deleted": squash_then_delete,
}


def _json(cli_invoke: Invoke, *argv: str) -> dict:  # type: ignore[type-arg]
    """The JSON of `fleetbot ARGV`, which must exit 0 (a landed row is no finding)."""
    out = cli_invoke(list(argv)).out
    data: dict = json.loads(out)  # type: ignore[type-arg]
    return data


def _sync_labels(path: Path, cli_invoke: Invoke, rsps: responses.RequestsMock,
                 monkeypatch: pytest.MonkeyPatch) -> dict[str, set[str]]:
    """`sync --dry-run` against the schema-checked fake GitHub: issue -> the fleet labels
    it would put on the row's PR and issue. A PR whose branch is gone shows as merged (as
    GitHub does); a PR whose branch is still there stays open, so git alone must say."""
    github = FakeGithub("octo/tasks", base=API)
    for number, branch in PULLS.items():
        sha = _git(path, "rev-parse", "--verify", "-q", branch).strip() \
            if branch in _git(path, "branch", "--format=%(refname:short)").split() else ""
        pull = github.add_pull(number, branch, sha=sha or "0" * 40, title=BRANCHES[branch][0],
                               body=f"Closes {ISSUES[number]}")
        pull.merged = not sha
    github.issues.update(int(i.lstrip("#")) for i in ISSUES.values())
    mount(github, rsps)
    for key, value in (("GITHUB_REPOSITORY", "octo/tasks"), ("GITHUB_API_URL", API),
                       ("GITHUB_TOKEN", TOKEN)):
        monkeypatch.setenv(key, value)
    sync = _json(cli_invoke, "sync", "--repo", str(path), "--dry-run", "--format", "json")
    github.check()
    labels: dict[str, set[str]] = {issue: set() for issue in ISSUES.values()}
    for a in sync["actions"]:
        if a["kind"] == "add-label":
            issue = f"#{a['number']}" if a.get("on_issue") else ISSUES[a["number"]]
            labels[issue].add(a["label"])
    assert all(a["kind"] in ("add-label", "create-label") for a in sync["actions"]), sync
    return labels


def every_command(cli_invoke: Invoke, tmp_path: Path, scenario: Callable[[Path], None],
                  ) -> tuple[Path, dict[str, dict]]:  # type: ignore[type-arg]
    """The demo fleet after `scenario`, and the JSON each reporting command prints."""
    path = tmp_path / "tasks"
    from_template("demo-example", path, build_example)  # the same demo fleet for each
    scenario(path)
    at = ["--repo", str(path), "--format", "json"]
    return path, {command: _json(cli_invoke, command, *extra, *at) for command, extra in (
        ("check", ()), ("order", ()), ("conflicts", ()), ("status", ()), ("score", ()),
        ("cleanup", ("--dry-run",)))}


@pytest.mark.parametrize("style", list(SCENARIOS))
def test_every_command_agrees_that_42_landed(
    style: str, tmp_path: Path, cli_invoke: Invoke,
    rsps: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, said = every_command(cli_invoke, tmp_path, SCENARIOS[style])
    check, order, conflicts, status, score, cleanup = (
        said[c] for c in ("check", "order", "conflicts", "status", "score", "cleanup"))
    repo = ["--repo", str(path)]

    assert [la["issue"] for la in check["landed"]] == ["#42"]
    assert [la["issue"] for la in order["landed"]] == ["#42"]
    assert [la["issue"] for la in conflicts["landed"]] == ["#42"]
    assert [s["issue"] for s in order["order"]] == ["#43", "#44"]
    assert all("#42" not in c["rows"] for c in conflicts["conflicts"])
    rows = {r["issue"]: r for r in status["rows"]}
    assert rows["#42"]["merged"] is True
    assert rows["#42"]["landed"] == check["landed"][0]["detail"]
    assert [r["merged"] for r in (rows["#43"], rows["#44"])] == [False, False]
    assert "#42" not in score["unmerged"]
    steps = {s["issue"]: s for s in cleanup["rows"]}
    assert steps["#42"]["kept"] != "not landed on the target"
    assert steps["#43"]["kept"] == "not landed on the target"
    # #44 edits the same lines of tasks/cli.py: it must now rebase onto main
    assert [(c["kind"], c["rows"]) for c in conflicts["conflicts"]
            if c["kind"] in ("target", "textual")] == [("target", ["#44"])]

    assert "NOT merged" not in cli_invoke(["brief", "#44", *repo]).out

    # sync (labels from the same Report): merged where the others say landed, `next` on
    # the order's first step, `conflict` where conflicts reports a collision, none blocked
    labels = _sync_labels(path, cli_invoke, rsps, monkeypatch)
    assert {i for i, ls in labels.items() if "fleet:merged" in ls} == \
        {la["issue"] for la in check["landed"]}
    assert [i for i, ls in labels.items() if "fleet:next" in ls] == [order["order"][0]["issue"]]
    assert {i for i, ls in labels.items() if "fleet:conflict" in ls} == \
        {r for c in conflicts["conflicts"] if c["kind"] in ("target", "textual") for r in c["rows"]}
    assert labels == {"#42": {"fleet:merged"}, "#43": {"fleet:next", "fleet:review"},
                      "#44": {"fleet:conflict", "fleet:review"}}


def squash_then_revert(path: Path) -> None:
    land_first(Git(path), "squash")
    _git(path, "revert", "--no-edit", "HEAD")


def merge_then_revert(path: Path) -> None:
    _git(path, "checkout", "-q", "main")
    _git(path, "merge", "-q", "--no-ff", "--no-edit", "feature/42-count")
    _git(path, "revert", "--no-edit", "-m", "1", "HEAD")


def rebase_then_revert(path: Path) -> None:
    """#42 with a second commit, rebase-merged, then GitHub's Revert of it: one commit
    turning both around."""
    _git(path, "checkout", "-q", "feature/42-count")
    (path / "tasks" / "count.py").write_text(
        (path / "tasks" / "count.py").read_text() + "\n# a second commit\n")
    _git(path, "commit", "-q", "-am", "count: a second commit (#42)")
    before = _git(path, "rev-parse", "main").strip()
    land_first(Git(path), "rebase")
    _git(path, "revert", "--no-edit", "--no-commit", f"{before}..main")
    _git(path, "commit", "-q", "-m", "Revert the count command (#42)")


def squash_then_go_on(path: Path) -> None:
    land_first(Git(path), "squash")
    _git(path, "checkout", "-q", "feature/42-count")
    (path / "tasks" / "count.py").write_text(
        (path / "tasks" / "count.py").read_text() + "\n# counted again after review\n")
    _git(path, "commit", "-q", "-am", "count: after the review (#42)")
    _git(path, "checkout", "-q", "main")


OPEN_AGAIN: dict[str, Callable[[Path], None]] = {
    "squash, then reverted": squash_then_revert,
    "merge commit, then reverted": merge_then_revert,
    "rebase-merge of two commits, then reverted": rebase_then_revert,
    "squash, then the branch went on": squash_then_go_on,
}


@pytest.mark.parametrize("style", list(OPEN_AGAIN))
def test_every_command_agrees_that_42_is_open_again(
    style: str, tmp_path: Path, cli_invoke: Invoke,
    rsps: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Landed, then undone (or landed in part): no command counts #42 as landed, each says
    why the same way, and its dependents and labels follow."""
    path, said = every_command(cli_invoke, tmp_path, OPEN_AGAIN[style])
    check, order, conflicts, status, score, cleanup = (
        said[c] for c in ("check", "order", "conflicts", "status", "score", "cleanup"))
    brief = _json(cli_invoke, "brief", "#42", "--repo", str(path), "--format", "json")

    for data in (check, order, conflicts):
        assert data["landed"] == []
    assert "#42" in [s["issue"] for s in order["order"]]
    rows = {r["issue"]: r for r in status["rows"]}
    assert rows["#42"]["merged"] is False
    assert "#42" in score["unmerged"]
    assert {s["issue"]: s["kept"] for s in cleanup["rows"]}["#42"] == "not landed on the target"
    notes = [n for n in check["notes"] if n.startswith("#42: its landing")]
    went_on = style.endswith("went on")
    assert len(notes) == (0 if went_on else 1)
    for data in (order, conflicts, status):
        assert [n for n in data["notes"] if n.startswith("#42: its landing")] == notes
    (part,) = [b["landed_part"] for b in check["branches"] if b["issue"] == "#42"]
    assert (part is not None) == went_on
    command = f"git rebase --onto main {part['through']} feature/42-count" if part else ""
    assert (rows["#42"]["restack"], brief["restack"]) == (command or None, command)
    if went_on:
        step = next(s for s in order["order"] if s["issue"] == "#42")
        assert step["reasons"][-1] == "restack onto main first"
    labels = _sync_labels(path, cli_invoke, rsps, monkeypatch)
    assert "fleet:merged" not in labels["#42"]
