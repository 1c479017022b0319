from __future__ import annotations

from pathlib import Path

import pytest

from fleetbot.errors import UsageError
from fleetbot.fleet import integrate
from fleetbot.git import Git
from fleetbot.git import worktrees as wt
from fleetbot.model import Conflict, ConflictKind, MergeStep
from tests.fleetrepo import cli_with, example_plan, tasks_repo

ORDER = tuple(MergeStep(i + 1, issue, branch) for i, (issue, branch) in enumerate([
    ("#42", "feature/42-count"), ("#43", "feature/43-docs"), ("#44", "feature/44-clear")]))
PREDICTED = (Conflict(ConflictKind.PLAN, ("#42", "#44"), ("tasks/cli.py",)),)


def _start(repo_path: Path) -> integrate.Outcome:
    return integrate.start(Git(repo_path), example_plan(), ORDER, target="main",
                           conflicts=PREDICTED)


def test_integrate_stops_on_the_predicted_conflict_then_continue_finishes(
        tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    main_before = repo.head("main")
    out = _start(repo.path)
    assert out.merged == ("#42", "#43")
    assert out.stopped == "#44"
    assert out.files == ("tasks/cli.py",)
    assert "conflict with #42 in tasks/cli.py" in out.message
    assert "as predicted: #42 tasks/cli.py (plan)" in out.message
    assert "fleetbot integrate --continue" in out.message
    git = Git(repo.path)
    assert wt.current_branch(git) == "fleet/integration"
    assert wt.merge_in_progress(git)
    assert "<<<<<<<" in (repo.path / "tasks/cli.py").read_text()
    with pytest.raises(UsageError, match=r"still unmerged: tasks/cli\.py"):
        integrate.resume(git)
    # a person resolves: keep both commands
    both = cli_with("count").replace('    "count": count,\n',
                                     '    "count": count,\n    "clear": clear,\n')
    both = both.replace("\n\nCOMMANDS", "\n\ndef clear(args):\n    return 'clear'\n\n\nCOMMANDS")
    (repo.path / "tasks/cli.py").write_text(both)
    repo.git("add", "tasks/cli.py")
    done = integrate.resume(git)
    assert done.stopped is None
    assert done.merged == ("#42", "#43", "#44")
    assert integrate.load_state(git) is None
    log = repo.git("log", "--format=%s", "--first-parent", "fleet/integration")
    assert log.splitlines()[:3] == [
        "Merge #44 clear (feature/44-clear) [fleetbot integrate]",
        "Merge #43 docs (feature/43-docs) [fleetbot integrate]",
        "Merge #42 count (feature/42-count) [fleetbot integrate]"]
    assert repo.head("main") == main_before  # the target is never touched
    assert repo.git("log", "-1", "--format=%an").strip() == "Test Author"


def test_abort_restores_the_branch_and_head(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    repo.git("branch", "fleet/integration", "feature/43-docs")
    old_integration = repo.head("fleet/integration")
    repo.checkout("feature/42-count")
    _start(repo.path)
    message = integrate.abort(Git(repo.path))
    assert "aborted" in message
    git = Git(repo.path)
    assert wt.current_branch(git) == "feature/42-count"
    assert repo.head("fleet/integration") == old_integration
    assert not wt.merge_in_progress(git)
    assert wt.dirty_files(git) == ()
    assert integrate.load_state(git) is None
    with pytest.raises(UsageError, match="no integration in progress"):
        integrate.abort(git)


def test_abort_deletes_a_new_integration_branch(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    _start(repo.path)
    integrate.abort(Git(repo.path))
    assert not wt.branch_exists(Git(repo.path), "fleet/integration")
    assert wt.current_branch(Git(repo.path)) == "main"


def test_refuses_a_dirty_tree_and_a_second_start(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    (repo.path / "README.md").write_text("edited\n")
    with pytest.raises(UsageError, match="not clean"):
        _start(repo.path)
    repo.git("checkout", "--", "README.md")
    _start(repo.path)
    with pytest.raises(UsageError, match="already in progress"):
        _start(repo.path)


def test_refuses_into_the_target_or_a_row_branch(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    with pytest.raises(UsageError, match="never touches"):
        integrate.start(Git(repo.path), example_plan(), ORDER, target="main", into="main")
    with pytest.raises(UsageError, match="branch of #43 docs"):
        integrate.start(Git(repo.path), example_plan(), ORDER, target="main",
                        into="feature/43-docs")


def test_resetting_an_integration_branch_with_other_work_says_so(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    repo.git("branch", "-D", "feature/44-clear")
    repo.git("branch", "fleet/integration", "feature/43-docs")
    out = _start(repo.path)
    assert any("fleet/integration was at" in n for n in out.notes)


def test_continue_after_the_user_committed_the_merge_themselves(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    _start(repo.path)
    (repo.path / "tasks/cli.py").write_text(cli_with("clear"))
    repo.git("commit", "-qam", "resolved by hand")
    out = integrate.resume(Git(repo.path))
    assert out.merged == ("#42", "#43", "#44")


def test_continue_when_the_merge_was_thrown_away(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    _start(repo.path)
    repo.git("merge", "--abort")
    with pytest.raises(UsageError, match="neither in progress nor committed"):
        integrate.resume(Git(repo.path))


def test_clean_run_skips_missing_and_merged_rows(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    repo.git("branch", "-D", "feature/44-clear")
    repo.git("merge", "-q", "--no-ff", "-m", "merge 43", "feature/43-docs")
    out = _start(repo.path)
    assert out.stopped is None
    assert out.merged == ("#42",)
    assert any("does not exist" in n for n in out.notes)
    assert any("already in the target" in n for n in out.notes)


def test_fleetbot_identity_without_a_configured_one(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tasks_repo(tmp_path)
    for key in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(key)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    repo.git("branch", "-D", "feature/44-clear")
    integrate.start(Git(repo.path), example_plan(), ORDER, target="main")
    assert repo.git("log", "-1", "--format=%an %cn").strip() == "fleetbot fleetbot"


def test_continue_after_an_interruption_between_merges(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tasks_repo(tmp_path)
    real_save = integrate._save
    calls = []

    def save_then_interrupt(git: Git, state: integrate.State) -> None:
        calls.append(state)
        if len(calls) == 2:  # #42 is merged but not yet recorded: Ctrl-C lands here
            raise KeyboardInterrupt
        real_save(git, state)

    monkeypatch.setattr(integrate, "_save", save_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        _start(repo.path)
    monkeypatch.setattr(integrate, "_save", real_save)
    out = integrate.resume(Git(repo.path))
    assert out.merged == ("#42", "#43")
    assert out.stopped == "#44"
    merges = repo.git("log", "--merges", "--format=%s", "fleet/integration").splitlines()
    assert len(merges) == 2  # #42 was not merged twice


def test_branches_only_on_origin_are_merged_from_there(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    repo.git("clone", "-q", str(repo.path), str(tmp_path / "clone"))
    clone = Git(tmp_path / "clone")
    assert not wt.branch_exists(clone, "feature/42-count")
    out = integrate.start(clone, example_plan(), ORDER, target="main")
    assert out.merged == ("#42", "#43")
    assert out.stopped == "#44"
    state = integrate.load_state(clone)
    assert state is not None
    assert state.steps[0].ref == "refs/remotes/origin/feature/42-count"
