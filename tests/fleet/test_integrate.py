from __future__ import annotations

import os
from pathlib import Path

import pytest

from fleetbot.errors import UsageError
from fleetbot.fleet import integrate, integrate_abort
from fleetbot.git import Git, safety
from fleetbot.git import worktrees as wt
from fleetbot.model import Conflict, ConflictKind, MergeStep
from tests.support.fleetrepo import cli_with, example_plan, tasks_repo
from tests.support.repo import Repo, from_template, make_repo

ORDER = tuple(MergeStep(i + 1, issue, branch) for i, (issue, branch) in enumerate([
    ("#42", "feature/42-count"), ("#43", "feature/43-docs"), ("#44", "feature/44-clear")]))
PREDICTED = (Conflict(ConflictKind.PLAN, ("#42", "#44"), ("tasks/cli.py",)),)


def _start(repo_path: Path) -> integrate.Outcome:
    return integrate.start(Git(repo_path), example_plan(), ORDER, target="main",
                           conflicts=PREDICTED)


def stopped_at_44(root: Path) -> Repo:
    """tasks_repo after `_start`: #42 and #43 merged, stopped on #44's conflict in
    tasks/cli.py (what the test below checks `_start` leaves); built once, copied. The
    copy's files have new inodes and ctimes: the index is refreshed to match them, as it
    was in the tree `_start` left (a `git merge --abort` refuses a stale one)."""
    from_template("tasks-integrate-stopped-at-44", root / "tasks",
                  lambda path: _start(tasks_repo(path.parent).path))
    repo = Repo(root / "tasks")
    repo.git("update-index", "-q", "--refresh", check=False)  # "needs merge": tasks/cli.py
    return repo


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
    message = integrate_abort.abort(Git(repo.path))
    assert "aborted" in message
    git = Git(repo.path)
    assert wt.current_branch(git) == "feature/42-count"
    assert repo.head("fleet/integration") == old_integration
    assert not wt.merge_in_progress(git)
    assert wt.dirty_files(git) == ()
    assert integrate.load_state(git) is None
    with pytest.raises(UsageError, match="no integration in progress"):
        integrate_abort.abort(git)


def test_abort_deletes_a_new_integration_branch(tmp_path: Path) -> None:
    repo = stopped_at_44(tmp_path)
    integrate_abort.abort(Git(repo.path))
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
    repo = stopped_at_44(tmp_path)
    (repo.path / "tasks/cli.py").write_text(cli_with("clear"))
    repo.git("commit", "-qam", "resolved by hand")
    out = integrate.resume(Git(repo.path))
    assert out.merged == ("#42", "#43", "#44")


def test_continue_when_the_merge_was_thrown_away(tmp_path: Path) -> None:
    repo = stopped_at_44(tmp_path)
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


# ---------------------------------------------------------------- nothing is lost (issue 13)


def _resolve_44(repo_path: Path) -> None:
    both = cli_with("count").replace('    "count": count,\n',
                                     '    "count": count,\n    "clear": clear,\n')
    both = both.replace("\n\nCOMMANDS", "\n\ndef clear(args):\n    return 'clear'\n\n\nCOMMANDS")
    (repo_path / "tasks/cli.py").write_text(both)
    Repo(repo_path).git("add", "tasks/cli.py")


def test_a_hand_fix_on_the_integration_branch_is_never_reset_away(tmp_path: Path) -> None:
    repo = stopped_at_44(tmp_path)
    _resolve_44(repo.path)
    integrate.resume(Git(repo.path))
    fix = repo.commit({"README.md": "# tasks\n\nhand fix\n"}, "hand fix")
    with pytest.raises(safety.Unsafe) as refused:
        _start(repo.path)
    assert str(refused.value) == (
        "resetting fleet/integration to main would lose, in fleet/integration:\n"
        f"  commit: {fix[:7]} hand fix\n  to keep them:\n"
        f"    git branch keep/fleet/integration {fix[:7]}   # or push them\n"
        "    or pass --into NEW to leave fleet/integration as it is\n"
        "refused: nothing was changed; keep them as shown, or pass --force to go on anyway")
    assert repo.head("fleet/integration") == fix
    said: list[str] = []
    out = integrate.start(Git(repo.path), example_plan(), ORDER, target="main", force=True,
                          say=said.append)
    assert out.stopped == "#44"
    assert said[0].endswith("--force: going on; the above is lost")
    assert f"commit: {fix[:7]} hand fix" in said[0]
    message = integrate_abort.abort(Git(repo.path))
    assert repo.head("fleet/integration") == fix  # --abort puts the forced reset back
    assert message == f"integration aborted: fleet/integration back at {fix[:12]}; you are " \
                      "on fleet/integration"


def test_a_rerun_over_its_own_result_needs_no_force(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    repo.git("branch", "-D", "feature/44-clear")
    assert _start(repo.path).stopped is None
    assert _start(repo.path).stopped is None  # its own merges are kept under refs/fleetbot


def test_into_a_branch_with_unpushed_commits_is_refused(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    wip = repo.branch("wip", {"notes.txt": "mine\n"}, message="my wip")
    with pytest.raises(safety.Unsafe, match=rf"commit: {wip[:7]} my wip"):
        integrate.start(Git(repo.path), example_plan(), ORDER, target="main", into="wip")
    assert repo.head("wip") == wip
    repo.checkout("wip")  # --into the current branch: the same refusal
    with pytest.raises(safety.Unsafe, match=rf"commit: {wip[:7]} my wip"):
        integrate.start(Git(repo.path), example_plan(), ORDER, target="main", into="wip")


@pytest.mark.parametrize("into", ["main", "refs/heads/main", "heads/main", "origin/main"])
def test_into_the_target_in_any_spelling_is_refused(tmp_path: Path, into: str) -> None:
    origin = tasks_repo(tmp_path)
    repo = Repo(tmp_path / "clone")
    origin.git("clone", "-q", str(origin.path), str(repo.path))
    mine = repo.commit({"local.txt": "unpushed\n"}, "unpushed on main")
    for target in ("main", "origin/main"):
        with pytest.raises(UsageError, match="is the target branch"):
            integrate.start(Git(repo.path), example_plan(), ORDER, target=target, into=into)
    assert repo.head("main") == mine


def test_an_ignored_file_a_row_force_adds_is_not_overwritten(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    repo.commit({".gitignore": ".env\n"}, "ignore .env")
    repo.git("checkout", "-q", "feature/43-docs")
    (repo.path / ".env").write_text("ROW=1\n")
    repo.git("add", "-f", ".env")
    repo.git("commit", "-qm", "row adds its .env")
    repo.git("checkout", "-q", "main")
    (repo.path / ".env").write_text("SECRET=mine\n")
    with pytest.raises(UsageError, match=r"\.env \(written by #43 docs\)"):
        _start(repo.path)
    assert (repo.path / ".env").read_text() == "SECRET=mine\n"
    assert not wt.branch_exists(Git(repo.path), "fleet/integration")


def test_refused_during_an_interactive_rebase_and_a_cherry_pick_sequence(
        tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    repo.commit({"a.txt": "1\n"}, "one")
    repo.commit({"a.txt": "2\n"}, "two")
    repo.git("-c", "sequence.editor=sed -i s/^pick/edit/", "rebase", "-q", "-i", "HEAD~2")
    with pytest.raises(UsageError, match=r"a interactive rebase is in progress here; finish "
                                         r"it first \(git rebase --continue \(or --abort\)\)"):
        _start(repo.path)
    repo.git("rebase", "--abort")
    repo.git("checkout", "-q", "-b", "side", "main~2")
    repo.commit({"a.txt": "side\n"}, "side")
    repo.git("cherry-pick", "main~1", "main", check=False)
    with pytest.raises(UsageError, match="a cherry-pick is in progress"):
        _start(repo.path)
    repo.git("add", "a.txt")
    repo.git("commit", "-q", "--no-edit")  # resolved by hand: the sequence is still open
    with pytest.raises(UsageError, match="a cherry-pick is in progress"):
        _start(repo.path)
    assert not wt.branch_exists(Git(repo.path), "fleet/integration")


def test_abort_keeps_edits_and_commits_it_did_not_make(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    repo.git("branch", "fleet/integration", "main")
    repo.checkout("fleet/integration")  # started on the integration branch itself
    start_tip = repo.head()
    _start(repo.path)  # stops at #44 on tasks/cli.py
    (repo.path / "docs/index.md").write_text("unrelated edit during the conflict\n")
    (repo.path / "NEW.md").write_text("staged while resolving\n")
    repo.git("add", "NEW.md")
    message = integrate_abort.abort(Git(repo.path))
    assert message == (f"integration aborted: fleet/integration back at {start_tip[:12]}; "
                       "your edits are back in place; you are on fleet/integration")
    assert (repo.path / "docs/index.md").read_text() == "unrelated edit during the conflict\n"
    assert (repo.path / "NEW.md").read_text() == "staged while resolving\n"
    assert repo.git("diff", "--cached", "--name-only").split() == ["NEW.md"]
    assert "<<<<<<<" not in (repo.path / "tasks/cli.py").read_text()
    assert repo.head() == start_tip


def test_abort_keeps_an_edit_on_top_of_a_merged_row_in_the_stash(tmp_path: Path) -> None:
    repo = stopped_at_44(tmp_path)
    (repo.path / "README.md").write_text("# tasks\n\nSee docs. Edited.\n")  # on #43's text
    message = integrate_abort.abort(Git(repo.path))
    assert "your edits did not re-apply cleanly; they are kept in the stash" in message
    assert repo.git("stash", "list").count("\n") == 1
    assert "See docs. Edited." in repo.git("stash", "show", "-p")


def test_abort_keeps_commits_made_on_the_integration_branch(tmp_path: Path) -> None:
    repo = stopped_at_44(tmp_path)
    _resolve_44(repo.path)
    repo.git("commit", "-q", "--no-edit")  # the user commits the resolution by hand
    mine = repo.commit({"extra.txt": "mine\n"}, "my commit on the integration branch")
    message = integrate_abort.abort(Git(repo.path))
    kept = f"refs/fleetbot/kept/fleet/integration/{mine[:12]}"
    assert message == (f"integration aborted: kept 2 commits integrate did not make "
                       f"({mine[:12]}) at {kept}: `git branch NAME {kept}` to work on them; "
                       "fleet/integration deleted (integrate had created it); you are on main")
    assert repo.head(kept) == mine


def test_two_integrates_at_once_cannot_interleave(tmp_path: Path) -> None:
    from fleetbot.fleet.integrate_guard import held_lock

    repo = tasks_repo(tmp_path)
    with held_lock(Git(repo.path)), pytest.raises(
            UsageError, match=r"another `fleetbot integrate` is running in this repository "
                              rf"\(pid {os.getpid()}\)"):
        _start(repo.path)
    assert not wt.branch_exists(Git(repo.path), "fleet/integration")
    assert _start(repo.path).stopped == "#44"  # released


def test_refused_inside_a_row_worktree(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    tree = tmp_path / "tasks-42-count"
    repo.git("worktree", "add", "-q", str(tree), "feature/42-count")
    with pytest.raises(UsageError, match=rf"this is the worktree of #42 count "
                                         rf"\(feature/42-count\); run `fleetbot integrate` "
                                         rf"from the main worktree {repo.path}"):
        _start(tree)


def test_killed_right_after_the_reset_abort_puts_the_branch_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tasks_repo(tmp_path)
    repo.git("branch", "fleet/integration", "feature/43-docs")
    before = repo.head("fleet/integration")
    real = Git.run

    def killed_after_checkout(self: Git, *args: str, **kw: object) -> str:
        out = real(self, *args, **kw)  # type: ignore[arg-type]
        if args[:1] == ("checkout",) and "-B" in args:
            raise KeyboardInterrupt
        return out

    monkeypatch.setattr(Git, "run", killed_after_checkout)
    with pytest.raises(KeyboardInterrupt):
        _start(repo.path)
    monkeypatch.setattr(Git, "run", real)
    assert repo.head("fleet/integration") != before
    integrate_abort.abort(Git(repo.path))
    assert repo.head("fleet/integration") == before
    assert repo.git("rev-parse", "--abbrev-ref", "HEAD").strip() == "main"


def test_commits_on_a_detached_head_are_not_left_behind(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    repo.git("checkout", "-q", "--detach")
    mine = repo.commit({"detached.txt": "mine\n"}, "detached work")
    with pytest.raises(safety.Unsafe, match=rf"checking out fleet/integration here would lose, "
                                            rf"in the detached HEAD:\n  commit: {mine[:7]} "
                                            "detached work"):
        _start(repo.path)
    assert repo.head() == mine


def test_names_since_bases_lists_what_git_diff_lists_for_each_source(tmp_path: Path) -> None:
    """Two processes for all sources, the same paths as `git diff --name-only --no-renames
    T...S` one by one: renames by both names, a branch behind the target, the target."""
    from fleetbot.fleet.integrate_guard import names, names_since_bases

    repo = make_repo(tmp_path, {"a.py": "A = 1\n" * 20, "b.txt": "b\n"}, {
        "rename": {"a.py": None, "moved/a.py": "A = 1\n" * 20, "new.txt": "n\n"},
        "edit": {"b.txt": "B\n"},
    })
    repo.commit({"main.txt": "m\n"}, "main moves on")
    git = Git(repo.path)
    target = repo.head("main")
    sources = ["refs/heads/rename", "edit", "main"]
    assert names_since_bases(git, target, sources) == [
        sorted(names(git, f"{target}...{s}")) for s in sources]
    assert names_since_bases(git, target, sources)[0] == ["a.py", "moved/a.py", "new.txt"]
    assert names_since_bases(git, target, []) == []
