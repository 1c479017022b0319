"""Remembered answers (cli/answers.py): a report command run again on an unchanged fleet
prints the very bytes a fresh run prints, asks git only its layout and refs, and answers
afresh as soon as anything it reads has changed."""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from fleetbot.cli import answers
from tests.support.cli import Invocation, invoke
from tests.support.fleetrepo import tasks_repo
from tests.support.repo import Repo

COMMANDS = [
    ["conflicts", "--format", "json"],
    ["conflicts", "--format", "markdown", "--kinds", "textual,plan"],
    ["order", "--format", "text"],
    ["check", "--format", "markdown"],
    ["check", "--strict", "--branch", "feature/44-clear"],
]


def _kept(repo: Repo) -> list[Path]:
    store = repo.path / ".git" / "fleetbot" / "answers"
    return sorted(store.glob("*.json")) if store.is_dir() else []


def _fresh(args: list[str], monkeypatch: pytest.MonkeyPatch) -> Invocation:
    with monkeypatch.context() as mp:
        mp.setenv("FLEETBOT_NO_CACHE", "1")
        return invoke(args, code=None)


@pytest.fixture
def fleet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    repo = tasks_repo(tmp_path)
    monkeypatch.chdir(repo.path)
    return repo


@pytest.fixture
def git_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every git process started from now on appends its arguments to the returned file."""
    real = shutil.which("git")
    assert real
    folder = tmp_path / "bin"
    folder.mkdir()
    log = tmp_path / "git.log"
    log.write_text("")
    wrapper = folder / "git"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {real} "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return log


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_repeated_run_prints_what_a_fresh_run_prints(
        fleet: Repo, args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    first = invoke(args, code=None)
    assert len(_kept(fleet)) == 1
    again = invoke(args, code=None)
    assert again == first == _fresh(args, monkeypatch)
    assert len(_kept(fleet)) == 1


def test_the_strict_exit_code_and_its_messages_are_remembered(fleet: Repo) -> None:
    """#44 collides with #42, which lands first: `check --strict` on #44 exits 1 and says
    why on stderr, the second time as the first."""
    args = ["check", "--strict", "--branch", "feature/44-clear", "--format", "json"]
    first = invoke(args, code=1)
    assert first.err.startswith("check --strict: ")
    assert invoke(args, code=1) == first


def test_an_answer_served_asks_git_for_layout_and_refs_only(
        fleet: Repo, git_log: Path) -> None:
    invoke(["conflicts", "--format", "json"])
    git_log.write_text("")
    invoke(["conflicts", "--format", "json"])
    asked = [line.split()[0 if not line.startswith("-c") else 2]
             for line in git_log.read_text().splitlines()]
    assert asked == ["rev-parse", "for-each-ref"]


Change = Callable[[Repo], None]


def _move_branch(repo: Repo) -> None:
    repo.checkout("feature/43-docs")
    repo.commit({"tasks/cli.py": "clashes now\n"}, "touch the dispatch too")
    repo.checkout("main")


def _edit_plan(repo: Repo) -> None:
    plan = repo.path / "orchestration-plan.md"
    plan.write_text(plan.read_text() + "\nA note in the working copy only.\n")


def _git_config(repo: Repo) -> None:
    repo.git("config", "merge.renames", "false")


def _other_head(repo: Repo) -> None:
    repo.checkout("feature/42-count")


def _environment(repo: Repo) -> None:
    os.environ["FLEETBOT_ANSWERS_TEST"] = "1"


def _delete_branch(repo: Repo) -> None:
    repo.git("branch", "-D", "feature/43-docs")


@pytest.mark.parametrize("change", [
    _move_branch, _edit_plan, _git_config, _other_head, _environment, _delete_branch,
], ids=lambda c: c.__name__.strip("_"))
def test_anything_the_report_reads_changing_gives_a_fresh_answer(
        fleet: Repo, change: Change, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLEETBOT_ANSWERS_TEST", raising=False)
    args = ["check", "--format", "json"]
    invoke(args)
    change(fleet)
    try:
        after = invoke(args, code=None)
        assert after == _fresh(args, monkeypatch)
        assert len(_kept(fleet)) == 2  # asked afresh, and kept beside the first answer
    finally:
        os.environ.pop("FLEETBOT_ANSWERS_TEST", None)


def test_a_changed_answer_is_the_fresh_one(fleet: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fleet that merged cleanly collides once #43 touches the dispatch too."""
    args = ["conflicts", "--format", "json"]
    before = json.loads(invoke(args).out)
    _move_branch(fleet)
    after = invoke(args)
    assert after == _fresh(args, monkeypatch)
    assert json.loads(after.out) != before


def test_the_options_are_part_of_the_question(fleet: Repo) -> None:
    json_out = invoke(["order", "--format", "json"]).out
    text_out = invoke(["order", "--format", "text"]).out
    assert json_out != text_out
    assert invoke(["order", "--format", "json"]).out == json_out
    assert len(_kept(fleet)) == 2


def test_a_failed_run_is_not_remembered(fleet: Repo) -> None:
    got = invoke(["conflicts", "--kinds", "nonsense"], code=2)
    assert "unknown kind nonsense" in got.err
    assert _kept(fleet) == []


def test_no_cache_remembers_nothing(fleet: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    _fresh(["order", "--format", "json"], monkeypatch)
    assert not (fleet.path / ".git" / "fleetbot" / "answers").exists()


def test_a_plan_read_from_the_main_worktree_is_not_remembered(
        fleet: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A linked worktree without a plan of its own reads the main worktree's copy when the
    plan is not committed: that file is not among the answer's inputs, so none is kept."""
    fleet.git("rm", "-q", "orchestration-plan.md")
    fleet.git("commit", "-qm", "plan not committed")
    (fleet.path / "orchestration-plan.md").write_text(
        (Path(__file__).parents[2] / "examples" / "orchestration-plan.md").read_text())
    linked = tmp_path / "linked"
    fleet.git("worktree", "add", "-q", "--detach", str(linked), "main")
    monkeypatch.chdir(linked)
    first = invoke(["order", "--format", "json"])
    assert "not committed" in first.out
    assert _kept(fleet) == []


def test_a_broken_answer_is_ignored_and_replaced(
        fleet: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["conflicts", "--format", "json"]
    first = invoke(args)
    (kept,) = _kept(fleet)
    for broken in ("{not json", json.dumps({"code": "0", "out": "", "err": ""})):
        kept.write_text(broken)
        assert invoke(args) == first
        assert json.loads(kept.read_text())["out"] == first.out


def test_only_the_most_recent_answers_are_kept(
        fleet: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(answers, "KEEP", 2)
    for fmt in ("json", "text", "markdown"):
        invoke(["order", "--format", fmt])
    assert len(_kept(fleet)) == 2
    assert not [p for p in (fleet.path / ".git" / "fleetbot" / "answers").iterdir()
                if p.suffix != ".json"]


def test_the_answers_kept_stay_within_their_byte_budget(
        fleet: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past KEEP_BYTES the least recent go, but never the answer just written."""
    monkeypatch.setattr(answers, "KEEP_BYTES", 1)
    for fmt in ("json", "text"):
        text = invoke(["order", "--format", fmt]).out
    (kept,) = _kept(fleet)
    assert json.loads(kept.read_text())["out"] == text


def test_a_new_fleetbot_asks_afresh(fleet: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    invoke(["order", "--format", "json"])
    answers._code.cache_clear()
    monkeypatch.setattr("fleetbot.__version__", "99.0.0")
    try:
        invoke(["order", "--format", "json"])
    finally:
        answers._code.cache_clear()
    assert len(_kept(fleet)) == 2


def test_a_fleet_back_where_it_was_gets_its_first_answer_again(
        fleet: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["conflicts", "--format", "json"]
    first = invoke(args)
    old = fleet.head("feature/43-docs")
    _move_branch(fleet)
    moved = invoke(args)
    fleet.git("branch", "-f", "feature/43-docs", old)
    assert invoke(args) == first == _fresh(args, monkeypatch)
    assert moved != first
    assert len(_kept(fleet)) == 2


def test_a_relative_plan_is_the_one_the_command_reads(
        fleet: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from a subfolder with `--plan plan.md`: the command reads ./plan.md, so an edit
    of that file (and not of one at the top) gives a fresh answer."""
    sub = fleet.path / "sub"
    sub.mkdir()
    example = (fleet.path / "orchestration-plan.md").read_text()
    (sub / "plan.md").write_text(example)
    (fleet.path / "plan.md").write_text(example)
    monkeypatch.chdir(sub)
    args = ["order", "--plan", "plan.md", "--format", "json"]
    first = invoke(args)
    (sub / "plan.md").write_text(example.replace("| none | running |", "| none | review |", 1))
    after = invoke(args)
    assert after == _fresh(args, monkeypatch)
    assert after != first


def test_another_git_gives_a_fresh_answer(
        fleet: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An upgraded git may merge otherwise: the git that PATH finds is an input, not
    only PATH's text."""
    real = shutil.which("git")
    assert real
    folder = tmp_path / "bin"
    folder.mkdir()
    shutil.copy2(real, folder / "git")
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    args = ["conflicts", "--format", "json"]
    first = invoke(args)
    os.utime(folder / "git", (1_000_000_000, 1_000_000_000))  # "upgraded" in place
    assert invoke(args) == first
    assert len(_kept(fleet)) == 2


def test_an_answer_whose_inputs_moved_during_the_run_is_not_kept(
        fleet: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """Someone checks out another branch while `check` runs: what it printed may be of
    either HEAD, so it is kept under neither."""
    from fleetbot import pipeline

    build = pipeline.build_report

    def meanwhile(*args: object, **kw: object) -> object:
        # as another process would: fleetbot's own Git sees no command that moves a ref
        (fleet.path / ".git" / "HEAD").write_text("ref: refs/heads/feature/42-count\n")
        return build(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "build_report", meanwhile)
    invoke(["check", "--format", "json"])
    assert _kept(fleet) == []


def test_an_answer_that_cannot_be_kept_changes_nothing(fleet: Repo) -> None:
    """A git dir fleetbot cannot write in (a file where its folder would be): the command
    answers as ever, and again, each time afresh."""
    (fleet.path / ".git" / "fleetbot").write_text("not a folder")
    args = ["order", "--format", "json"]
    first = invoke(args)
    assert invoke(args) == first
    assert (fleet.path / ".git" / "fleetbot").read_text() == "not a folder"


def test_a_removed_current_folder_with_repo_given_still_answers(
        fleet: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    got = invoke(["order", "--repo", str(fleet.path), "--format", "json"])
    assert json.loads(got.out)["target"] == "main"
    assert _kept(fleet) == []  # the current folder is an input: unknown, nothing kept
