"""`order`, `check` and `status` fit the console (issue #14, "80 columns"): every line
within COLUMNS, cells wrapped at whole words, long branch names shortened in the middle,
the evidence commands under the table. On the demo fleet and on one with long names."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.cells import cell_len

from fleetbot.render.common import middle
from tests.support.cli import Invocation
from tests.support.fleetrepo import CLI, cli_with, demo_repo
from tests.support.repo import Repo, from_template, make_repo

Invoke = Callable[..., Invocation]

LONG_PLAN = """# Plan

| Issue | Branch | Worktree | Files owned | Depends on | Status |
|---|---|---|---|---|---|
| #1042 count the tasks by status | feature/1042-count-the-tasks-in-the-list-by-status-and-owner | \
../w1042 | `tasks/cli.py`, `tasks/count.py` | none | running |
| #1043 document every command | docs/1043-write-the-user-guide-for-every-command-of-the-cli | \
../w1043 | `docs/**`, `README.md` | none | running |
| #1044 clear the finished tasks | feature/1044-clear-finished-tasks-from-the-list-when-asked | \
../w1044 | `tasks/cli.py`, `tasks/clear.py` | none | running |
"""

LONG = {
    "feature/1042-count-the-tasks-in-the-list-by-status-and-owner": {
        "tasks/cli.py": cli_with("count"), "tasks/count.py": "N = 1\n"},
    "docs/1043-write-the-user-guide-for-every-command-of-the-cli": {
        "docs/guide.md": "# guide\n", "README.md": "# tasks\n\nSee docs.\n",
        "tasks/count.py": "N = 2\n"},  # drifts into #1042's file
    "feature/1044-clear-finished-tasks-from-the-list-when-asked": {
        "tasks/cli.py": cli_with("clear"), "tasks/clear.py": "X = 0\n"},
}

_BOX = r"[\s│┃┏┓┗┛┡┩└┘┌┐━─┳┻╇┴┬╋┼╭╮╰╯]+"


# Each fleet is built once per test process and copied into each test's tmp_path.


def _demo(tmp_path: Path) -> Path:
    return demo_repo(tmp_path).path


def _build_long(path: Path) -> Repo:
    return make_repo(path.parent, {"tasks/__init__.py": "", "tasks/cli.py": CLI,
                                   "README.md": "# tasks\n", "orchestration-plan.md": LONG_PLAN},
                     LONG, name=path.name)


def _long(tmp_path: Path) -> Path:
    from_template("width-long", tmp_path / "tasks", _build_long)
    return tmp_path / "tasks"


def _build_long_on_a_row(path: Path) -> None:
    _build_long(path).checkout("feature/1044-clear-finished-tasks-from-the-list-when-asked")


def _long_on_a_row(tmp_path: Path) -> Path:
    """The long fleet, checked out on #1044's branch: `check` adds "Your branch"."""
    from_template("width-long-on-a-row", tmp_path / "tasks", _build_long_on_a_row)
    return tmp_path / "tasks"


def _out(cli_invoke: Invoke, monkeypatch: pytest.MonkeyPatch, width: int, *argv: str) -> str:
    monkeypatch.setenv("COLUMNS", str(width))
    return cli_invoke(list(argv)).out


# fleet -> what its order JSON shows (the same at every width): asked once per process
_WORDS: dict[str, tuple[list[str], list[str]]] = {}


def _order_words(cli_invoke: Invoke, fleet: Callable[[Path], Path],
                 path: Path) -> tuple[list[str], list[str]]:
    """(branches, every other word the order table shows), from the JSON."""
    if fleet.__name__ not in _WORDS:
        _WORDS[fleet.__name__] = _words_of(
            cli_invoke(["order", "--repo", str(path), "--format", "json"]).out)
    return _WORDS[fleet.__name__]


def _words_of(out: str) -> tuple[list[str], list[str]]:
    data = json.loads(out)
    labels = {r["issue"]: f"{r['issue']} {r['title']}".strip() for r in data["plan"]["rows"]}
    words = [w for s in data["order"]
             for text in (labels[s["issue"]], *s["reasons"]) for w in text.split()]
    return [s["branch"] for s in data["order"]], words


def _assert_fits(out: str, width: int) -> None:
    """Every line within `width` but a command to copy (`[n] git …` under "Check with:",
    a restack's `git rebase …`: whole on its own line, never wrapped into two), and every
    table line whole: rich crops a table wider than the console, which would cut its
    right border off."""
    lines = out.splitlines()
    commands = lines[lines.index("Check with:") + 1:] if "Check with:" in lines else []
    commands = list(itertools.takewhile(lambda line: re.match(r"\[\d+\] ", line), commands))
    too_long = [line for line in lines if cell_len(line.rstrip()) > width
                and line not in commands and not line.startswith("      git rebase ")]
    assert too_long == []
    assert all(re.match(r"\[\d+\] (git|fleetbot) ", c) for c in commands), commands
    edges = "│┃┏┓┗┛┡┩└┘"
    cropped = [line for line in out.splitlines()
               if line and line[0] in edges and line.rstrip()[-1] not in edges]
    assert cropped == []


def _assert_whole(out: str, words: list[str], branches: list[str]) -> None:
    """Each word shows whole (or shortened with an ellipsis), never cut across lines."""
    tokens = set(re.split(_BOX, out))
    for word in words:
        assert word in tokens or any(t.endswith("…") and word.startswith(t[:-1])
                                     for t in tokens if len(t) > 1), word
    for branch in branches:
        shown = [t for t in tokens if t == branch or (
            "…" in t and branch.startswith(t.split("…")[0]) and branch.endswith(
                t.split("…")[1]))]
        assert shown, branch


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("fleet", [_demo, _long, _long_on_a_row])
def test_order_and_check_fit_and_wrap_whole_words(
        tmp_path: Path, cli_invoke: Invoke, monkeypatch: pytest.MonkeyPatch, width: int,
        fleet: Callable[[Path], Path]) -> None:
    path = fleet(tmp_path)
    branches, words = _order_words(cli_invoke, fleet, path)
    for command in ("order", "check"):
        out = _out(cli_invoke, monkeypatch, width, command, "--repo", str(path))
        assert "Merge order into main" in out
        assert ("(you)" in out) == (fleet is _long_on_a_row and command == "check")
        _assert_fits(out, width)
        _assert_whole(out, words, branches)
        # evidence commands are listed under the conflicts table, each whole on its line
        assert "Check with:\n[1] " in out
        data = json.loads(cli_invoke([command, "--repo", str(path), "--format", "json"]).out)
        shown = {line.split("] ", 1)[1] for line in out.splitlines()
                 if re.match(r"\[\d+\] ", line)}
        assert {c["evidence"] for c in data["conflicts"] if c["evidence"]} == shown


def test_long_branch_names_are_shortened_in_the_middle_at_80_and_whole_at_120(
        tmp_path: Path, cli_invoke: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _long(tmp_path)
    narrow = _out(cli_invoke, monkeypatch, 80, "order", "--repo", str(path))
    branch = "feature/1042-count-the-tasks-in-the-list-by-status-and-owner"
    assert middle(branch, 22) == "feature/104…-and-owner"
    cell = next(line.split("│")[3].strip() for line in narrow.splitlines()
                if line.startswith("│ 1 "))
    assert "…" in cell
    assert cell == middle(branch, len(cell))
    wide = _out(cli_invoke, monkeypatch, 120, "order", "--repo", str(path))
    assert f"│ {middle(branch, 40)} │" in wide
    assert max(cell_len(line) for line in wide.splitlines()) > 80  # the room is used


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("fleet", [_demo, _long])
def test_status_keeps_issue_branch_state_and_drift(
        tmp_path: Path, cli_invoke: Invoke, monkeypatch: pytest.MonkeyPatch, width: int,
        fleet: Callable[[Path], Path]) -> None:
    path = fleet(tmp_path)
    out = _out(cli_invoke, monkeypatch, width, "status", "--repo", str(path))
    _assert_fits(out, width)
    lines = out.splitlines()
    head = lines[1].split()
    assert {"row", "branch", "ahead/behind", "drift"} <= set(head)
    starts = [m.start() for m in re.finditer(r"\S+", lines[1])]

    def cell(line: str, name: str) -> str:
        at = head.index(name)
        end = starts[at + 1] if at + 1 < len(starts) else None
        return line[starts[at]:end].strip()

    rows = json.loads(cli_invoke(["status", "--repo", str(path), "--format", "json"]).out)["rows"]
    for r, line in zip(rows, lines[2:], strict=True):
        assert cell(line, "row") == r["issue"]
        branch = cell(line, "branch")
        assert branch == r["branch"] or branch == middle(r["branch"], len(branch))
        assert cell(line, "ahead/behind") == f"+{r['ahead']}/-{r['behind']}"
        for drift in r["drift"]:
            assert cell(line, "drift").startswith(drift.split(" ")[0])


def test_status_drift_shows_drift_into_another_rows_files(
        tmp_path: Path, cli_invoke: Invoke) -> None:
    path = _long(tmp_path)
    out = cli_invoke(["status", "--repo", str(path), "--format", "json"]).out
    rows = {r["issue"]: r for r in json.loads(out)["rows"]}
    assert rows["#1043"]["drift"] == ["tasks/count.py (#1042's)"]
    assert rows["#1042"]["drift"] == []
