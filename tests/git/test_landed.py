"""Landed is landed: every merge style, checked against plain git on real repos."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from fleetbot.git import Git
from fleetbot.git.landed import match_patches, names_row, own_commits_in_reflog
from fleetbot.model import Landed, LandedHow, Plan, PullFacts, PullState, Status
from fleetbot.pipeline import build_report, load_fleet_plan
from tests.fleet import plan_of, row
from tests.support.repo import GIT_ENV, Repo, from_template, make_repo

BASE = {"app.py": "a = 1\nb = 2\nc = 3\n", "other.py": "x = 1\n"}
PLAN = plan_of(row("#1", "feature/1", ["app.py"]), row("#2", "feature/2", ["other.py"]))


def _build(path: Path) -> None:
    r = make_repo(path.parent, BASE, name=path.name)
    r.git("checkout", "-q", "-b", "feature/1")
    r.commit({"app.py": "a = 10\nb = 2\nc = 3\n"}, "one")
    r.commit({"app.py": "a = 10\nb = 20\nc = 3\n"}, "two")
    r.git("checkout", "-q", "main")
    r.branch("feature/2", {"other.py": "x = 2\n"})


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """#1 (two commits on app.py) and #2 (one on other.py) off main: built once, copied."""
    from_template("landed-fleet", tmp_path / "repo", _build)
    return Repo(tmp_path / "repo")


def landed_of(repo: Repo, plan: Plan = PLAN, **kw: object) -> dict[str, Landed]:
    report = build_report(Git(repo.path), plan, **kw)  # type: ignore[arg-type]
    return {la.issue: la for la in report.landed}


def test_nothing_landed_on_a_fresh_fleet(repo: Repo) -> None:
    assert landed_of(repo) == {}


def test_merge_commit(repo: Repo) -> None:
    repo.git("merge", "-q", "--no-ff", "-m", "Merge feature/1", "feature/1")
    got = landed_of(repo)
    assert set(got) == {"#1"}
    assert got["#1"].how is LandedHow.ANCESTOR
    assert got["#1"].commit == repo.head("main")


def test_fast_forward(repo: Repo) -> None:
    repo.git("merge", "-q", "--ff-only", "feature/1")
    got = landed_of(repo)
    assert got["#1"].how is LandedHow.ANCESTOR
    assert got["#1"].commit == repo.head("feature/1")


def test_a_new_branch_at_the_target_has_not_landed(repo: Repo) -> None:
    repo.git("branch", "feature/3")
    plan = plan_of(*PLAN.rows, row("#3", "feature/3"))
    assert "#3" not in landed_of(repo, plan)


def test_a_new_branch_fast_forwarded_to_the_target_has_not_landed(repo: Repo) -> None:
    repo.git("branch", "feature/3")
    repo.commit({"z.txt": "z\n"}, "main moves")
    repo.git("checkout", "-q", "feature/3")
    repo.git("merge", "-q", "--ff-only", "main")
    repo.git("checkout", "-q", "main")
    plan = plan_of(*PLAN.rows, row("#3", "feature/3"))
    assert "#3" not in landed_of(repo, plan)


def test_squash(repo: Repo) -> None:
    repo.git("merge", "-q", "--squash", "feature/1")
    squash = repo.commit({}, "squash #1")
    got = landed_of(repo)
    assert got["#1"] == Landed("#1", LandedHow.PATCH, squash, at=got["#1"].at)
    assert got["#1"].describe() == f"squash-merged in {squash[:7]}"
    assert got["#1"].at > 0


def test_squash_then_later_edits_of_the_same_lines(repo: Repo) -> None:
    repo.git("merge", "-q", "--squash", "feature/1")
    squash = repo.commit({}, "squash #1")
    repo.commit({"app.py": "a = 11\nb = 21\nc = 3\n"}, "later edit")
    # landing the old branch now is no longer a no-op, but its patch is the squash's
    proc = subprocess.run(["git", "merge-tree", "--write-tree", "main", "feature/1"],
                          cwd=repo.path, capture_output=True, text=True, check=False)
    assert proc.stdout.split()[0] != repo.head("main^{tree}")
    assert landed_of(repo)["#1"].commit == squash


def test_rebase_merge(repo: Repo) -> None:
    repo.commit({"z.txt": "z\n"}, "main moves first")
    for sha in repo.git("rev-list", "--reverse", "main..feature/1").split():
        repo.git("cherry-pick", sha)
    got = landed_of(repo)
    assert (got["#1"].how, got["#1"].commit) == (LandedHow.REBASED, repo.head("main"))


def test_cherry_pick_of_every_commit_with_a_different_total(repo: Repo) -> None:
    first, second = repo.git("rev-list", "--reverse", "main..feature/1").split()
    repo.git("cherry-pick", first)
    repo.commit({"z.txt": "z\n"}, "between")
    repo.git("cherry-pick", second)
    got = landed_of(repo)
    # the first pick (onto the fork point, with pinned dates) is the branch's own commit,
    # which moves the merge-base past it: what is left is one commit, a squash's shape
    assert (got["#1"].how, got["#1"].commit) == (LandedHow.PATCH, repo.head("main"))


def test_only_branches_shaped_like_a_target_commit_are_diffed(
        repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    # a patch-id hashes the paths of its diff: #2 (other.py) and #1's commits (app.py)
    # cannot match the target's only new commit (z.txt), so none of them is diffed
    import fleetbot.git.landed as landed

    asked: list[str] = []

    def recording(git: Git, lines: list[str]) -> dict[str, str]:
        asked.extend(lines)
        return real(git, lines)

    real = landed.patch_ids
    monkeypatch.setattr(landed, "patch_ids", recording)
    repo.commit({"z.txt": "z\n"}, "main moves")
    assert landed_of(repo) == {} and asked == []
    # a squash of #1 has #1's shape: #1 is diffed (and found), #2 still is not
    repo.git("merge", "-q", "--squash", "feature/1")
    squash = repo.commit({}, "squash #1")
    assert landed_of(repo)["#1"].commit == squash
    one = repo.head("feature/1")
    base = repo.git("merge-base", "main", "feature/1").strip()
    assert f"{one} {base}" in asked
    assert not any(repo.head("feature/2") in line for line in asked)


def test_half_cherry_picked_has_not_landed(repo: Repo) -> None:
    first = repo.git("rev-list", "--reverse", "main..feature/1").split()[0]
    repo.git("cherry-pick", first)
    assert "#1" not in landed_of(repo)


def test_merged_then_branch_deleted_found_by_history(repo: Repo) -> None:
    repo.git("merge", "-q", "--no-ff", "-m", "Merge branch 'feature/1'", "feature/1")
    repo.git("branch", "-D", "feature/1")
    got = landed_of(repo)
    assert got["#1"].how is LandedHow.HISTORY
    assert got["#1"].commit == repo.head("main")


def test_squash_then_branch_deleted_found_by_closing_keyword(repo: Repo) -> None:
    repo.git("merge", "-q", "--squash", "feature/1")
    squash = repo.commit({}, "Count things\n\nCloses #1")
    repo.git("branch", "-D", "feature/1")
    assert landed_of(repo)["#1"].commit == squash


def test_branch_deleted_without_a_trace_is_missing_not_landed(repo: Repo) -> None:
    repo.git("branch", "-D", "feature/1")
    report = build_report(Git(repo.path), PLAN)
    assert report.landed == ()
    assert report.missing_branches == ("#1",)


def test_branch_deleted_with_a_forge_pr_merged(repo: Repo) -> None:
    repo.git("branch", "-D", "feature/1")
    pull = PullFacts(101, "feature/1", state=PullState.MERGED)
    report = build_report(Git(repo.path), PLAN, pulls=[pull])
    assert report.landed == (Landed("#1", LandedHow.PR_MERGED, pull=101),)
    assert report.missing_branches == ()


def test_landed_rows_leave_order_and_collisions(tmp_path: Path) -> None:
    r = make_repo(tmp_path, BASE, {"feature/1": {"app.py": "a = 10\nb = 2\nc = 3\n"},
                                   "feature/2": {"app.py": "a = 99\nb = 2\nc = 3\n"}})
    plan = plan_of(row("#1", "feature/1", ["app.py"]), row("#2", "feature/2", ["app.py"]))
    before = build_report(Git(r.path), plan)
    assert {c.kind.value for c in before.conflicts} >= {"plan", "diff", "textual"}
    r.git("merge", "-q", "--squash", "feature/1")
    r.commit({}, "squash #1")
    after = build_report(Git(r.path), plan)
    assert [s.issue for s in after.order] == ["#2"]
    assert [(c.kind.value, c.rows) for c in after.conflicts] == [("target", ("#2",))]
    assert not [f for f in after.findings if f.code == "joint"]
    assert after.plan.by_issue("#1").status is Status.MERGED  # type: ignore[union-attr]


def test_status_words_are_checked_against_git(repo: Repo) -> None:
    plan = plan_of(row("#1", "feature/1", status=Status.MERGED), row("#2", "feature/2"))
    report = build_report(Git(repo.path), plan)
    assert [f.code.value for f in report.findings if f.code.value.startswith("status")] == [
        "status-contradiction"]
    assert "#1" in [s.issue for s in report.order]  # the report follows git
    repo.git("merge", "-q", "--no-ff", "-m", "m", "feature/2")
    report = build_report(Git(repo.path), plan)
    claims = [f.message for f in report.findings if f.code == "status-contradiction"]
    assert claims[-1].startswith("#2 is marked 'running' but it has landed (merged at ")


def test_work_only_on_origin_and_a_stale_local_target(tmp_path: Path, repo: Repo) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo.path), str(clone)], check=True,
                   env={**GIT_ENV, "PATH": "/usr/bin:/bin"})
    c = Repo(clone)
    assert "#1" not in landed_of(c)
    # merged upstream after the clone: the local main is stale, origin/main is not
    repo.git("merge", "-q", "--squash", "feature/1")
    repo.commit({}, "squash #1")
    c.git("fetch", "-q")
    report = build_report(Git(clone), PLAN)
    assert report.target == "main"
    assert "#1" in {la.issue for la in report.landed}
    assert [b.ref for b in report.branches] == ["origin/feature/2"]


def test_local_target_ahead_of_origin_is_said(tmp_path: Path, repo: Repo) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo.path), str(clone)], check=True)
    c = Repo(clone)
    c.commit({"local.txt": "mine\n"}, "unpushed")
    report = build_report(Git(clone), PLAN)
    assert report.notes[0] == ("your local main is 1 commit(s) ahead of origin/main: "
                               "unpushed commits are not part of the target")


def test_the_plan_comes_from_the_target_in_a_linked_worktree(tmp_path: Path) -> None:
    r = make_repo(tmp_path, {**BASE, "orchestration-plan.md": PLAN_MD})
    r.branch("feature/1", {"app.py": "a = 5\n"})
    wt = tmp_path / "wt1"
    r.git("worktree", "add", "-q", str(wt), "feature/1")
    r.commit({"orchestration-plan.md": PLAN_MD.replace("| none |", "| #2 |", 1)}, "plan fix")
    fleet = load_fleet_plan(Git(wt))
    assert fleet.plan.rows[0].depends_on == ("#2",)
    assert fleet.notes[0].startswith("your working copy of orchestration-plan.md differs")


def test_an_uncommitted_plan_is_read_from_the_main_worktree(tmp_path: Path) -> None:
    r = make_repo(tmp_path, BASE)
    r.branch("feature/1", {"app.py": "a = 5\n"})
    (r.path / "orchestration-plan.md").write_text(PLAN_MD)
    wt = tmp_path / "wt1"
    r.git("worktree", "add", "-q", str(wt), "feature/1")
    fleet = load_fleet_plan(Git(wt))
    assert [x.issue for x in fleet.plan.rows] == ["#1", "#2"]
    assert not fleet.committed
    assert "is not committed on main yet" in fleet.notes[0]


def test_front_matter_target(tmp_path: Path) -> None:
    md = "---\ntarget: develop\n---\n" + PLAN_MD
    r = make_repo(tmp_path, {**BASE, "orchestration-plan.md": md})
    r.git("branch", "develop")
    r.branch("feature/1", {"app.py": "a = 5\n"}, start="develop")
    r.git("checkout", "-q", "develop")
    r.git("merge", "-q", "--no-ff", "-m", "m", "feature/1")
    r.git("checkout", "-q", "main")
    fleet = load_fleet_plan(Git(r.path))
    report = build_report(Git(r.path), fleet.plan)
    assert report.target == "develop"
    assert "#1" in {la.issue for la in report.landed}
    assert build_report(Git(r.path), fleet.plan, target="main").landed == ()


PLAN_MD = """# Plan

| Issue | Branch | Worktree | Files owned | Depends on | Status |
|---|---|---|---|---|---|
| #1 | feature/1 | | `app.py` | none | running |
| #2 | feature/2 | | `other.py` | none | running |
"""


# ---------------------------------------------------------------- pure parts


def test_names_row_matches_whole_branch_names_and_closing_keywords() -> None:
    r = row("#42", "feature/42-count")
    assert names_row("Merge branch 'feature/42-count'", r)
    assert names_row("Merge pull request #7 from me/feature/42-count", r)
    assert not names_row("Merge branch 'feature/42-count-v2'", r)
    assert names_row("Count\n\nFixes #42", r)
    assert names_row("closes owner/repo#042", r, "owner/repo")  # this repository's
    assert names_row("closes Owner/Repo#42", r, "owner/repo")
    assert not names_row("See #42", r)
    assert not names_row("Closes #420", r)
    # another repository's issue 42 closes nothing here, whatever this repo is called
    assert not names_row("Fixes other/lib#42", r, "owner/repo")
    assert not names_row("Fixes other/lib#42", r)
    assert names_row("Fixes other/lib#42, fixes #42", r)
    qualified = row("acme/app#42", "feature/x")  # a row of another repository's issue
    assert names_row("Closes acme/app#42", qualified)
    assert not names_row("Closes other/lib#42", qualified, "owner/repo")


def test_own_commits_in_reflog() -> None:
    assert not own_commits_in_reflog("branch: Created from main\n")
    assert not own_commits_in_reflog("merge main: Fast-forward\nbranch: Created from HEAD\n")
    assert own_commits_in_reflog("commit: work\nbranch: Created from main\n")


def test_match_patches_prefers_the_whole_change_then_every_commit() -> None:
    target = {"t3": "p-total", "t2": "p-b", "t1": "p-a"}  # newest first
    got = match_patches({"#1": "p-total", "#2": "p-x", "#3": "p-y"},
                        {"#1": ("c2", "c1"), "#2": ("d2", "d1"), "#3": ("e1",)},
                        {"c2": "p-b", "c1": "p-a", "d2": "p-b", "d1": "p-a", "e1": "p-zz"},
                        target)
    assert got == {"#1": (LandedHow.PATCH, "t3"), "#2": (LandedHow.REBASED, "t2")}


def test_a_closing_ref_into_another_repository_lands_no_row(tmp_path: Path) -> None:
    """A row whose branch is gone is found landed by a target commit that closes its issue:
    "Fixes owner/repo#42" here (origin is owner/repo) does, "Fixes other/lib#42" never."""
    import json

    from tests.support.cli import invoke
    from tests.support.repo import make_repo

    plan = "| Issue | Branch | Files owned |\n|---|---|---|\n| #42 | feature/42-gone | a.py |\n"
    repo = make_repo(tmp_path, {"orchestration-plan.md": plan})
    repo.git("remote", "add", "origin", "git@github.com:Owner/Repo.git")
    repo.commit({"a.py": "vendored\n"}, "Bump lib\n\nFixes other/lib#42")
    at = ["conflicts", "--repo", str(repo.path), "--format", "json"]
    got = json.loads(invoke(at).out)
    assert (got["landed"], got["missing_branches"]) == ([], ["#42"])
    repo.commit({"a.py": "ours\n"}, "Count things\n\nFixes owner/repo#42")
    got = json.loads(invoke(at).out)
    assert [(la["issue"], la["how"]) for la in got["landed"]] == [("#42", "history")]


# ---------------------------------------------------------------- reverted landings


def test_a_reverted_squash_has_not_landed_and_its_branch_merges_again(repo: Repo) -> None:
    repo.git("merge", "-q", "--squash", "feature/1")
    squash = repo.commit({}, "squash #1")
    repo.commit({"other.py": "x = 1\nmore = 1\n"}, "main moves on")
    repo.git("revert", "--no-edit", squash)
    revert = repo.head("main")
    report = build_report(Git(repo.path), PLAN)
    assert landed_of(repo) == {}
    assert [s.issue for s in report.order] == ["#1", "#2"]
    assert report.notes == (f"#1: its landing (squash-merged in {squash[:7]}) was reverted in "
                            f"{revert[:7]}; it counts as not landed: its branch merges again",)
    # plain git agrees: the branch's change lands again
    repo.git("merge", "-q", "--no-edit", "feature/1")
    assert repo.git("show", "main:app.py") == "a = 10\nb = 20\nc = 3\n"


def test_a_revert_of_the_revert_lands_it_again(repo: Repo) -> None:
    repo.git("merge", "-q", "--squash", "feature/1")
    squash = repo.commit({}, "squash #1")
    repo.git("revert", "--no-edit", squash)
    repo.git("revert", "--no-edit", "HEAD")
    again = repo.head("main")
    got = landed_of(repo)
    assert (got["#1"].how, got["#1"].commit) == (LandedHow.PATCH, again)
    assert build_report(Git(repo.path), PLAN).notes == ()


def test_a_reverted_merge_says_merging_again_changes_nothing(repo: Repo) -> None:
    repo.git("merge", "-q", "--no-ff", "-m", "Merge feature/1", "feature/1")
    merge = repo.head("main")
    repo.git("revert", "--no-edit", "-m", "1", merge)
    revert = repo.head("main")
    report = build_report(Git(repo.path), PLAN)
    assert landed_of(repo) == {}
    assert report.notes == (
        f"#1: its landing (merged at {merge[:7]}) was reverted in {revert[:7]}; merging its "
        f"branch again changes nothing (it is in {revert[:7]}'s history): `git revert "
        f"{revert}` brings it back",)
    assert "Already up to date" in repo.git("merge", "--no-edit", "feature/1")
    repo.git("revert", "--no-edit", revert)
    assert landed_of(repo)["#1"].how is LandedHow.ANCESTOR  # the merge is undone no more
    assert repo.git("show", "main:app.py") == "a = 10\nb = 20\nc = 3\n"


def _rebase_merged(repo: Repo) -> list[str]:
    """#1's two commits replayed onto a moved main ("Rebase and merge"): the picks."""
    repo.commit({"z.txt": "z\n"}, "main moves first")
    picks = []
    for sha in repo.git("rev-list", "--reverse", "main..feature/1").split():
        repo.git("cherry-pick", sha)
        picks.append(repo.head("main"))
    return picks


@pytest.mark.parametrize("how", ["one commit", "a commit each", "a revert branch merged"])
def test_a_reverted_rebase_merge_has_not_landed_and_its_branch_merges_again(
        repo: Repo, how: str) -> None:
    """GitHub's Revert of a rebase-merged PR is one commit undoing all of its commits (its
    revert PR squashed, or merged: the merge's first-parent change); `git revert A..B`
    makes one revert commit per commit, newest first."""
    first, last = _rebase_merged(repo)
    if how == "one commit":
        repo.git("revert", "--no-edit", "--no-commit", f"{first}^..{last}")
        repo.commit({}, "Revert #1")
    elif how == "a commit each":
        repo.git("revert", "--no-edit", f"{first}^..{last}")
    else:
        repo.git("checkout", "-q", "-b", "revert-1")
        repo.git("revert", "--no-edit", f"{first}^..{last}")
        repo.git("checkout", "-q", "main")
        repo.git("merge", "-q", "--no-ff", "-m", "Merge revert-1", "revert-1")
    revert = repo.head("main")  # the newest commit undoing it
    report = build_report(Git(repo.path), PLAN)
    assert landed_of(repo) == {}
    assert [s.issue for s in report.order] == ["#1", "#2"]
    assert report.notes == (f"#1: its landing (rebase-merged, ending at {last[:7]}) was "
                            f"reverted in {revert[:7]}; it counts as not landed: its branch "
                            f"merges again",)
    # plain git agrees: the branch's change lands again
    repo.git("merge", "-q", "--no-edit", "feature/1")
    assert repo.git("show", "main:app.py") == "a = 10\nb = 20\nc = 3\n"


def test_a_rebase_merge_half_reverted_or_reverted_twice_stays_landed(repo: Repo) -> None:
    first, last = _rebase_merged(repo)
    repo.git("revert", "--no-edit", last)  # only its newest commit: its first is still there
    assert landed_of(repo)["#1"].how is LandedHow.REBASED
    repo.git("revert", "--no-edit", first)  # now both: not landed
    assert landed_of(repo) == {}
    repo.git("revert", "--no-edit", "HEAD")  # the revert of a revert lands that one again
    assert landed_of(repo)["#1"].how is LandedHow.REBASED


def test_a_revert_of_another_commit_leaves_the_landing(repo: Repo) -> None:
    repo.git("merge", "-q", "--squash", "feature/1")
    repo.commit({}, "squash #1")
    other = repo.commit({"other.py": "x = 1\nmore = 1\n"}, "main moves on")
    repo.git("revert", "--no-edit", other)
    assert set(landed_of(repo)) == {"#1"}


def test_a_merged_pr_the_target_reverted_has_not_landed(repo: Repo) -> None:
    """The forge's word carries the PR's squash commit; the revert after it wins."""
    repo.git("merge", "-q", "--squash", "feature/1")
    squash = repo.commit({}, "Add one (#101)")
    repo.git("revert", "--no-edit", squash)
    revert = repo.head("main")
    pull = PullFacts(101, "feature/1", state=PullState.MERGED, merged_as=squash,
                     head_sha=repo.head("feature/1"))
    report = build_report(Git(repo.path), PLAN, pulls=[pull])
    assert report.landed == ()
    assert [s.issue for s in report.order] == ["#1", "#2"]
    assert report.notes == (f"#1: its landing (squash-merged in {squash[:7]}) was reverted in "
                            f"{revert[:7]}; it counts as not landed: its branch merges again",)
    # not reverted: the forge's word stands, with its commit
    repo.git("revert", "--no-edit", "HEAD")
    report = build_report(Git(repo.path), PLAN, pulls=[pull])
    assert [(la.issue, la.how, la.commit) for la in report.landed] == [
        ("#1", LandedHow.PR_MERGED, squash)]


def test_a_merged_pr_whose_merge_commit_is_not_here_stays_landed(repo: Repo) -> None:
    pull = PullFacts(101, "feature/1", state=PullState.MERGED, merged_as="e" * 40,
                     head_sha=repo.head("feature/1"))
    report = build_report(Git(repo.path), PLAN, pulls=[pull])
    assert [la.issue for la in report.landed] == ["#1"]


def test_a_pr_merged_into_another_branch_has_not_landed_here(repo: Repo) -> None:
    """A stacked PR merged into its parent's branch is merged, but not into main."""
    pull = PullFacts(102, "feature/2", state=PullState.MERGED, base="feature/1",
                     head_sha=repo.head("feature/2"))
    report = build_report(Git(repo.path), PLAN, pulls=[pull])
    assert report.landed == ()
    assert [s.issue for s in report.order] == ["#1", "#2"]
    assert report.notes == ("#2: PR #102 merged into feature/1, not main: it has not landed "
                            "here",)
    into_main = replace(pull, base="main")
    assert [la.issue for la in build_report(Git(repo.path), PLAN,
                                            pulls=[into_main]).landed] == ["#2"]
