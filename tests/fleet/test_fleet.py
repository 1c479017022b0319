from __future__ import annotations

from pathlib import Path

import pytest

from fleetbot.errors import UsageError
from fleetbot.fleet import cleanup as clean
from fleetbot.fleet import status
from fleetbot.fleet import worktrees as fleet
from fleetbot.fleet.cleanup import RowGuard
from fleetbot.fleet.worktrees import FanOut, RowFacts
from fleetbot.git import Git
from fleetbot.git import worktrees as wt
from fleetbot.model import Conflict, ConflictKind, Row, Status
from tests.support.fleetrepo import example_plan, tasks_repo


def test_default_worktree_path_is_a_sibling(tmp_path: Path) -> None:
    root = tmp_path / "tasks"
    row = Row(issue="owner/repo#42", branch="feature/42-count-things")
    assert fleet.worktree_path(row, root) == tmp_path / "tasks-42-count-things"
    titled = Row(issue="#7", branch="x", title="Clear all!")
    assert fleet.worktree_path(titled, root) == tmp_path / "tasks-7-clear-all"
    planned = Row(issue="#1", branch="b", worktree="../elsewhere")
    assert fleet.worktree_path(planned, root) == tmp_path / "elsewhere"


def test_a_row_without_a_branch_has_no_worktree_not_even_a_detached_one() -> None:
    trees = [wt.Worktree(path="/r", branch="main", main=True),
             wt.Worktree(path="/r-detached", head="1" * 40, detached=True)]
    assert fleet.worktree_of(trees, "") is None
    assert fleet.worktree_of(trees, "main") is trees[0]


def test_select_rows_by_issue_or_branch_and_unknown_is_usage_error() -> None:
    plan = example_plan()
    assert [r.issue for r in fleet.select_rows(plan, "#42, feature/44-clear")] == ["#42", "#44"]
    assert len(fleet.select_rows(plan, None)) == 3
    with pytest.raises(UsageError, match="#99"):
        fleet.select_rows(plan, "#99")


def test_fan_out_makes_three_worktrees_then_skips_them(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path, branches=False)
    repo.branch("feature/43-docs", {"docs/guide.md": "g\n"})  # one branch exists already
    git = Git(repo.path)
    plan = example_plan()
    steps = fleet.gather_fan_out(git, plan.rows, "main")
    assert [s.action for s in steps] == [FanOut.CREATE, FanOut.CHECKOUT, FanOut.CREATE]
    fleet.apply_fan_out(git, steps)
    trees = wt.list_worktrees(git)
    assert [(Path(t.path).name, t.branch) for t in trees[1:]] == [
        ("tasks-42-count", "feature/42-count"), ("tasks-43-docs", "feature/43-docs"),
        ("tasks-44-clear", "feature/44-clear")]
    assert (tmp_path / "tasks-43-docs" / "docs" / "guide.md").exists()
    again = fleet.gather_fan_out(git, plan.rows, "main")
    assert {s.action for s in again} == {FanOut.SKIP}
    assert "already checked out" in again[0].reason


def test_fan_out_in_a_fresh_clone_checks_out_origins_branches(tmp_path: Path) -> None:
    """A clone has only `origin/*` for the rows' branches: each worktree gets the pushed
    work on a local branch tracking origin's; a branch no one has is made from the target
    and tracks nothing (not the target: `git pull` there would pull main)."""
    up = tasks_repo(tmp_path / "up")
    up.git("branch", "-q", "-D", "feature/44-clear")
    up.git("clone", "-q", str(up.path), str(tmp_path / "tasks"))
    git = Git(tmp_path / "tasks")
    steps = fleet.gather_fan_out(git, example_plan().rows, "origin/main")
    assert [(s.action, s.start, s.reason) for s in steps] == [
        (FanOut.TRACK, "origin/feature/42-count", "from origin/feature/42-count, tracking it"),
        (FanOut.TRACK, "origin/feature/43-docs", "from origin/feature/43-docs, tracking it"),
        (FanOut.CREATE, "origin/main", "new branch from origin/main"),
    ]
    fleet.apply_fan_out(git, steps)
    for branch in ("feature/42-count", "feature/43-docs"):
        assert git.run("rev-parse", branch).strip() == up.head(branch)
        assert git.run("rev-parse", "--abbrev-ref", f"{branch}@{{upstream}}").strip() == \
            f"origin/{branch}"
    assert git.run("rev-parse", "feature/44-clear").strip() == up.head("main")
    assert git.run_full("rev-parse", "--abbrev-ref", "feature/44-clear@{upstream}",
                        check=False).returncode != 0  # no upstream
    assert (tmp_path / "tasks-43-docs" / "docs").is_dir()  # #43's pushed work is there


def test_fan_out_refuses_main_worktree_and_occupied_folder(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path, branches=False)
    repo.checkout("feature/42-count", create=True)
    (tmp_path / "tasks-43-docs").mkdir()
    (tmp_path / "tasks-43-docs" / "keep.txt").write_text("mine\n")
    plan = example_plan(s44=Status.MERGED)
    steps = fleet.gather_fan_out(Git(repo.path), plan.rows, "main")
    assert [s.action for s in steps] == [FanOut.REFUSE, FanOut.REFUSE, FanOut.SKIP]
    assert "main worktree" in steps[0].reason
    assert "exists and is not a worktree" in steps[1].reason
    assert "merged" in steps[2].reason


def test_fan_out_makes_one_worktree_per_folder_and_refuses_the_second_row(
    tmp_path: Path,
) -> None:
    """Two rows naming one folder (`../wt` and `../x/../wt/`): the first gets it, the second
    is refused before anything runs, with the reason; lint warns about the plan."""
    from fleetbot.plan.lint import lint_plan
    from tests.support.factories import plan as make_plan

    repo = tasks_repo(tmp_path, branches=False)
    rows = (Row(issue="#1", branch="f/one", worktree="../wt", line=3),
            Row(issue="#2", branch="f/two", worktree="../x/../wt/", line=4))
    steps = fleet.gather_fan_out(Git(repo.path), rows, "main")
    assert [(s.action, s.path) for s in steps] == [
        (FanOut.CREATE, str(tmp_path / "wt")), (FanOut.REFUSE, str(tmp_path / "wt"))]
    assert steps[1].reason == ("#1's worktree goes there: the plan gives both rows this "
                               "folder; give this row its own")
    fleet.apply_fan_out(Git(repo.path), steps)
    assert [w.branch for w in wt.list_worktrees(Git(repo.path))][1:] == ["f/one"]
    found = [f for f in lint_plan(make_plan(*rows)) if f.code.value == "duplicate-worktree"]
    assert [(f.line, f.rows, f.severity.value, f.message) for f in found] == [
        (4, ("#1", "#2"), "warning", "worktree '../x/../wt/' is also #1's (line 3): fan-out "
         "makes one worktree per folder")]


def test_fan_out_refuses_a_row_whose_folder_is_the_main_worktree(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path, branches=False)
    from fleetbot.errors import PlanError

    row = Row(issue="#9", branch="feature/9", worktree=f"../{repo.path.name}", line=4)
    with pytest.raises(PlanError, match=r"row #9 \(plan line 4\).*inside the main worktree"):
        fleet.gather_fan_out(Git(repo.path), (row,), "main")


def _facts(**kw: object) -> RowFacts:
    base: dict[str, object] = {"issue": "#42", "branch": "b", "branch_exists": True, "local": True,
                               "worktree": "/w", "merged": True, "dirty": ()}
    base.update(kw)
    return RowFacts(**base)  # type: ignore[arg-type]


def test_plan_cleanup_decisions() -> None:
    from fleetbot.git.safety import Loss, LossKind, WouldDestroy

    dirty = WouldDestroy("git worktree remove", "/w", (Loss(LossKind.MODIFIED, "a.py"),),
                         ("git -C /w stash push",))
    locked = WouldDestroy("git worktree remove", "/w", (Loss(LossKind.LOCK, "on usb"),))
    guards = {"#2": RowGuard("#2", dirty), "#8": RowGuard("#8", locked),
              "#9": RowGuard("#9", foreign="/elsewhere"),
              "#10": RowGuard("#10", unmerged=("abc squash",))}
    steps = clean.plan_cleanup([
        _facts(issue="#1"),
        _facts(issue="#2"),
        _facts(issue="#3", merged=False),
        _facts(issue="#4", main=True),
        _facts(issue="#5", worktree="/here"),
        _facts(issue="#6", branch_exists=False, local=False),
        _facts(issue="#7", worktree="", dirty=None),
        _facts(issue="#8"),
        _facts(issue="#9"),
        _facts(issue="#10"),
        _facts(issue="#11", branch="main"),
        _facts(issue="#12", local=False),  # only origin has it
    ], force=False, delete_branches=True, here="/here/sub", guards=guards,
        protected={"main": "the target"})
    got = {s.issue: s for s in steps}
    assert got["#1"].remove_worktree
    assert got["#1"].delete_branch
    assert got["#2"].refused == ("it holds modified work (listed below); keep it, or pass "
                                 "--force to throw it away")
    assert got["#2"].loses == ("modified: a.py",)
    assert got["#2"].keep == ("git -C /w stash push",)
    assert not got["#2"].remove_worktree and not got["#2"].delete_branch
    assert got["#3"].kept == "not landed on the target"
    assert "main worktree" in got["#4"].kept
    assert "runs in this worktree" in got["#5"].refused
    assert got["#6"].kept == "branch does not exist"
    assert got["#12"].kept == "no local branch (only origin's)"
    assert not got["#12"].remove_worktree and not got["#12"].delete_branch
    assert not got["#7"].remove_worktree
    assert got["#7"].delete_branch
    assert got["#8"].refused == ("locked (on usb); `git worktree unlock /w` first if it may go "
                                 "(--force does not override this)")
    assert got["#9"].kept == ("checked out at /elsewhere, which fan-out did not make; remove "
                              "that worktree yourself")
    assert got["#10"].remove_worktree and not got["#10"].delete_branch
    assert got["#10"].branch_kept.startswith("1 commit whose content the target does not have")
    assert got["#11"].branch_kept == "main is the target; never deleted"
    assert not got["#11"].delete_branch
    forced = clean.plan_cleanup([_facts(issue="#2"), _facts(issue="#8")], force=True,
                                delete_branches=False, guards=guards)
    assert forced[0].remove_worktree
    assert forced[0].loses == ("modified: a.py",)
    assert forced[1].refused.startswith("locked (on usb)")
    (unlanded,) = clean.plan_cleanup([_facts(issue="#10")], force=True, delete_branches=True,
                                     guards=guards)
    assert unlanded.delete_branch and unlanded.branch_loses == ("abc squash",)


def test_status_rows_from_facts() -> None:
    plan = example_plan()
    facts = [
        _facts(issue="#42", branch="feature/42-count", merged=False, ahead=2, behind=1,
               dirty=("x",), last_commit=100),
        RowFacts("#43", "feature/43-docs", False),
    ]
    conflicts = [
        Conflict(ConflictKind.PLAN, ("#42", "#44"), ("tasks/cli.py",)),
        Conflict(ConflictKind.DRIFT, ("#42",), ("docs/x.md",)),
    ]
    rows = status.status_rows(plan, facts, conflicts, now=160)
    r42, r43, r44 = rows
    assert (r42.ahead, r42.behind, r42.dirty, r42.age_seconds) == (2, 1, True, 60)
    assert r42.drift == ("docs/x.md",)
    assert r42.collisions == ("#44 tasks/cli.py (plan)",)
    assert r44.collisions == ("#42 tasks/cli.py (plan)",)
    assert r43.missing == ("branch", "worktree")
    assert r43.dirty is None
    assert r44.missing == ("branch", "worktree")
    assert set(r42.as_json()) >= {"issue", "branch", "worktree", "ahead", "behind", "dirty",
                                  "drift"}
    assert status.format_age(7200) == "2h"
    assert status.format_age(None) == "-"


def test_gather_row_facts_and_cleanup_on_real_repo(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    git = Git(repo.path)
    plan = example_plan()
    fleet.apply_fan_out(git, fleet.gather_fan_out(git, plan.rows, "main"))
    repo.git("merge", "-q", "--no-ff", "-m", "merge 43", "feature/43-docs")
    (tmp_path / "tasks-42-count" / "wip.py").write_text("x\n")
    facts = {f.issue: f for f in fleet.gather_row_facts(git, plan, "main")}
    assert facts["#42"].dirty == ("wip.py",)
    assert facts["#42"].ahead == 1
    assert facts["#43"].merged
    assert not facts["#42"].merged
    assert facts["#44"].behind == 2  # the merge and its commit
    # merge #42 too: its worktree is dirty, so cleanup refuses it and removes #43's
    repo.git("merge", "-q", "--no-ff", "-m", "merge 42", "feature/42-count")
    facts = fleet.gather_row_facts(git, plan, "main")
    steps = clean.plan_cleanup(facts, force=False, delete_branches=True,
                               guards=clean.gather_guards(git, plan, facts, "main"))
    got = {s.issue: s for s in steps}
    assert got["#42"].refused
    assert got["#43"].remove_worktree
    assert got["#44"].kept
    clean.apply_cleanup(git, steps)
    assert not (tmp_path / "tasks-43-docs").exists()
    assert (tmp_path / "tasks-42-count" / "wip.py").exists()
    assert not wt.branch_exists(git, "feature/43-docs")
    assert wt.branch_exists(git, "feature/42-count")


def test_a_fresh_branch_at_the_target_is_not_merged(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path, branches=False)
    git = Git(repo.path)
    plan = example_plan()
    fleet.apply_fan_out(git, fleet.gather_fan_out(git, plan.rows, "main"))
    assert not any(f.merged for f in fleet.gather_row_facts(git, plan, "main"))


def test_a_worktree_whose_folder_is_gone_counts_as_missing(tmp_path: Path) -> None:
    import shutil

    repo = tasks_repo(tmp_path)
    git = Git(repo.path)
    plan = example_plan()
    fleet.apply_fan_out(git, fleet.gather_fan_out(git, plan.rows, "main"))
    shutil.rmtree(tmp_path / "tasks-43-docs")
    repo.git("merge", "-q", "--no-ff", "-m", "merge 43", "feature/43-docs")
    facts = {f.issue: f for f in fleet.gather_row_facts(git, plan, "main")}
    assert facts["#43"].worktree == ""
    assert facts["#43"].dirty is None
    steps = clean.plan_cleanup(tuple(facts.values()), force=False, delete_branches=True,
                               guards=clean.gather_guards(git, plan, tuple(facts.values()),
                                                          "main"))
    assert steps[1].forget_worktree
    clean.apply_cleanup(git, steps)
    assert len(wt.list_worktrees(git)) == 3
    assert not wt.branch_exists(git, "feature/43-docs")


def test_fan_out_skips_a_row_merged_into_the_target(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    repo.git("merge", "-q", "--no-ff", "-m", "merge 43", "feature/43-docs")
    steps = fleet.gather_fan_out(Git(repo.path), example_plan().rows, "main")
    assert [s.action for s in steps] == [FanOut.CHECKOUT, FanOut.SKIP, FanOut.CHECKOUT]
    assert steps[1].reason == "merged into main"
