"""A branch squash-merged that went on: its first commits have landed, the rest has not.

Each prediction is checked against plain git: the branch as it is does not merge onto
the target, and the restack fleetbot prints replays exactly the commits after the landed
ones, cleanly, leaving the target plus those commits.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from fleetbot.analysis.gate import own_blockers
from fleetbot.analysis.stack import restack
from fleetbot.git import Git
from fleetbot.git.landed import match_prefixes, prefix_candidates
from fleetbot.model import (
    BranchFacts,
    Landed,
    LandedHow,
    LandedPart,
    PullFacts,
    PullState,
    Report,
)
from fleetbot.pipeline import build_report
from tests.fleet import plan_of, row
from tests.support.cli import Invocation
from tests.support.repo import GIT_ENV, Repo, from_template, make_repo
from tests.support.schemas import validate

BASE = {"app.py": "a = 1\nb = 2\nc = 3\n", "other.py": "x = 1\n", "lib.py": "y = 1\n"}
PLAN_MD = """\
| Issue | Branch | Worktree | Files owned | Depends on | Status |
|---|---|---|---|---|---|
| #1 | feature/1 | | app.py, new.py | | running |
| #2 | feature/2 | | other.py, app.py | | running |
"""
PLAN = plan_of(row("#1", "feature/1", ["app.py", "new.py"]),
               row("#2", "feature/2", ["other.py", "app.py"]))


def _build(path: Path) -> None:
    """#1: two commits on app.py plus a new file; #2: one on other.py. main moves on."""
    r = make_repo(path.parent, BASE, name=path.name)
    r.git("checkout", "-q", "-b", "feature/1")
    r.commit({"app.py": "a = 10\nb = 2\nc = 3\n", "new.py": "n = 1\n"}, "one")
    r.commit({"app.py": "a = 10\nb = 20\nc = 3\n"}, "two")
    r.git("checkout", "-q", "main")
    r.branch("feature/2", {"other.py": "x = 2\n"})
    r.commit({"lib.py": "y = 2\n"}, "main moves on")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    from_template("landed-part-fleet", tmp_path / "repo", _build)
    return Repo(tmp_path / "repo")


def squash_then_go_on(repo: Repo, follow_ups: dict[str, str]) -> tuple[str, str]:
    """Squash-merge feature/1 into main, then commit `follow_ups` (file -> text, one
    commit each) on feature/1: (the squash commit, the branch's last landed commit)."""
    through = repo.head("feature/1")
    repo.git("merge", "-q", "--squash", "feature/1")
    squash = repo.commit({}, "Add one and two (#1)")
    repo.git("checkout", "-q", "feature/1")
    for path, text in follow_ups.items():
        repo.commit({path: text}, f"follow-up on {path}")
    repo.git("checkout", "-q", "main")
    return squash, through


def report_of(repo: Repo) -> Report:
    return build_report(Git(repo.path), PLAN, replay=True)


def facts_of(report: Report, issue: str) -> BranchFacts:
    return next(b for b in report.branches if b.issue == issue)


def test_the_landed_commits_are_found_and_the_rest_counted_alone(repo: Repo) -> None:
    squash, through = squash_then_go_on(repo, {"new.py": "n = 2\n", "app.py":
                                               "a = 10\nb = 20\nc = 30\n"})
    report = report_of(repo)
    assert report.landed == ()  # two commits of its own have not landed
    one = facts_of(report, "#1")
    assert one.landed_part == LandedPart(squash, through, 2)
    assert one.base == through
    assert {c.path for c in one.changes} == {"new.py", "app.py"}
    assert one.ahead == 4


def test_as_it_is_the_branch_stops_and_the_restack_lands_just_the_rest(repo: Repo) -> None:
    squash, through = squash_then_go_on(repo, {"new.py": "n = 2\n"})
    report = report_of(repo)
    target = [c for c in report.conflicts if c.rows == ("#1",) and c.kind.value == "target"]
    assert [c.files for c in target] == [("new.py",)]
    # plain git agrees: merging the branch as it is stops on new.py (added on both sides)
    stopped = repo.git("merge-tree", "--write-tree", "--name-only", "main", "feature/1",
                       check=False)
    assert stopped.splitlines()[1:2] == ["new.py"]
    again = restack(report, "#1")
    assert again is not None and again.own and again.after == 1
    assert again.command == f"git rebase --onto main {through} feature/1"
    assert again.describe() == (
        f"this branch's commits up to {through[:7]} have landed (squash-merged in "
        f"{squash[:7]}); the 1 commit after them has not: restack it with")
    repo.git(*again.command.split()[1:])
    assert repo.git("rev-list", "--count", "main..feature/1").strip() == "1"
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-edit", "feature/1")
    assert repo.git("show", "main:new.py") == "n = 2\n"
    assert repo.git("show", "main:app.py") == "a = 10\nb = 20\nc = 3\n"
    assert [la.issue for la in report_of(repo).landed] == ["#1"]  # all of it now


def test_a_branch_never_squashed_has_no_landed_part(repo: Repo) -> None:
    repo.git("checkout", "-q", "feature/1")
    repo.commit({"new.py": "n = 2\n"}, "three")
    repo.git("checkout", "-q", "main")
    assert facts_of(report_of(repo), "#1").landed_part is None


def test_the_newest_landed_prefix_wins() -> None:
    own = {"#1": ("c3", "c2", "c1"), "#2": ("d1",), "#3": ("e2", "e1")}
    every = {**own, "#3": ("e2", "m1", "e1")}  # m1: a merge of the target into #3
    candidates = {i: prefix_candidates(every[i], own[i]) for i in own}
    assert candidates == {"#1": (("c2", 1), ("c1", 2)), "#2": (), "#3": (("m1", 1), ("e1", 1))}
    ids = {"c2": "p-two", "c1": "p-one", "d1": "p-one", "e2": "p-e", "m1": "p-m"}
    target = {"t9": "p-e", "t3": "p-m", "t2": "p-two", "t1": "p-one"}
    # #2's only commit is its newest (a whole landing, not a part); #3's part ends at the
    # merge it squashed with
    assert match_prefixes(candidates, ids, target) == {
        "#1": LandedPart("t2", "c2", 1), "#3": LandedPart("t3", "m1", 1)}


def test_every_command_gives_the_same_restack(
    repo: Repo, cli_invoke: Callable[..., Invocation], monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, through = squash_then_go_on(repo, {"new.py": "n = 2\n"})
    repo.commit({"orchestration-plan.md": PLAN_MD}, "plan")
    command = f"git rebase --onto main {through} feature/1"
    at = ["--repo", str(repo.path)]
    status = json.loads(cli_invoke(["status", *at, "--format", "json"]).out)
    assert [r["restack"] for r in status["rows"]] == [command, None]
    brief = json.loads(cli_invoke(["brief", "#1", *at, "--format", "json"]).out)
    assert brief["restack"] == command
    assert not any("merge main in" in w for w in brief["warnings"])
    check = cli_invoke(["check", *at, "--branch", "feature/1", "--format", "markdown"]).out
    assert f"`{command}`" in check
    data = json.loads(cli_invoke(["check", *at, "--branch", "feature/1", "--format",
                                  "json"]).out)
    validate("report", data)
    assert [b["landed_part"] for b in data["branches"]] == [
        {"carrier": repo.head("main~1"), "through": through, "after": 1}, None]
    order = json.loads(cli_invoke(["order", *at, "--format", "json"]).out)
    assert [s["reasons"][-1] for s in order["order"]] == [
        "restack onto main first", "collides with #1 on app.py: merge after it"]
    monkeypatch.setenv("COLUMNS", "80")
    text = cli_invoke(["status", *at]).out.splitlines()
    assert f"  {command}" in text
    assert [line.split()[-4:] for line in text if line.startswith("#1 ")] == [
        ["target", "(restack),", "#2", "(plan)"]]


def go_on_after_pr_101(repo: Repo, pr_head: str) -> Report:
    """A commit on feature/1 after its PR #101 (head `pr_head`) merged; the report with
    the forge's word."""
    repo.git("checkout", "-q", "feature/1")
    repo.commit({"new.py": "n = 2\n"}, "after the merge")
    repo.git("checkout", "-q", "main")
    pull = PullFacts(101, "feature/1", state=PullState.MERGED, head_sha=pr_head)
    return build_report(Git(repo.path), PLAN, pulls=[pull])


def test_a_merged_pr_whose_branch_went_on_lands_only_its_head(repo: Repo) -> None:
    """The forge's word names the part exactly: the PR's last head, whatever the squash
    commit's patch (here main edited the squash's lines before it landed)."""
    pr_head = repo.head("feature/1")
    repo.git("merge", "-q", "--squash", "feature/1")
    repo.write({"app.py": "a = 10\nb = 20\nc = 3  # reviewed\n"})
    repo.commit({}, "Add one and two (#101)")
    report = go_on_after_pr_101(repo, pr_head)
    assert report.landed == ()
    one = facts_of(report, "#1")
    assert one.landed_part == LandedPart("", pr_head, 1, pull=101)
    assert [c.path for c in one.changes] == ["new.py"]
    again = restack(report, "#1")
    assert again is not None
    assert again.describe().startswith(f"this branch's commits up to {pr_head[:7]} have "
                                       "landed (PR #101 merged); the 1 commit after")


def test_a_merged_pr_with_the_branch_as_it_merged_has_landed_whole(repo: Repo) -> None:
    pull = PullFacts(101, "feature/1", state=PullState.MERGED, head_sha=repo.head("feature/1"))
    report = build_report(Git(repo.path), PLAN, pulls=[pull])
    assert report.landed == (Landed("#1", LandedHow.PR_MERGED, pull=101,
                                    head=repo.head("feature/1")),)


def test_a_pr_merged_by_a_merge_commit_that_went_on_counts_from_the_merge(repo: Repo) -> None:
    pr_head = repo.head("feature/1")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #101", "feature/1")
    report = go_on_after_pr_101(repo, pr_head)
    assert report.landed == ()
    one = facts_of(report, "#1")
    assert (one.landed_part, one.merge_base, [c.path for c in one.changes]) == (
        None, pr_head, ["new.py"])
    assert restack(report, "#1") is None  # a plain merge lands just the new commit


def test_integrate_says_the_stop_is_the_target_and_was_predicted(
    repo: Repo, cli_invoke: Callable[..., Invocation],
) -> None:
    """No row merged before #1 touched new.py: what it meets is main's own squash."""
    squash_then_go_on(repo, {"new.py": "n = 2\n"})
    repo.commit({"orchestration-plan.md": PLAN_MD}, "plan")
    done = cli_invoke(["integrate", "--repo", str(repo.path)], code=1)
    assert done.err.splitlines()[0] == (
        "merging #1 (feature/1) into fleet/integration stopped: conflict with main in "
        "new.py (as predicted: #1 no longer merges onto main).")
    cli_invoke(["integrate", "--repo", str(repo.path), "--abort"])


def test_in_a_clone_with_only_origin_branches_the_restack_runs_as_given(
    repo: Repo, tmp_path: Path,
) -> None:
    """git read origin's copy (no local branch): the command makes the local branch and
    restacks it, and plain git then merges it onto origin's main with only the rest."""
    env = {**os.environ, **GIT_ENV}

    _, through = squash_then_go_on(repo, {"new.py": "n = 2\n"})
    clone = Repo(tmp_path / "clone")
    subprocess.run(["git", "clone", "-q", str(repo.path), str(clone.path)], check=True,
                   env=env, capture_output=True)
    report = build_report(Git(clone.path), PLAN)
    again = restack(report, "#1")
    assert again is not None
    assert again.command == (
        "git switch feature/1 && git merge --ff-only origin/feature/1 && "
        f"git rebase --onto origin/main {through} feature/1")
    subprocess.run(again.command, shell=True, cwd=clone.path, env=env, check=True,
                   capture_output=True)
    assert clone.git("rev-list", "--count", "origin/main..feature/1").strip() == "1"
    assert clone.git("merge-tree", "--write-tree", "origin/main", "feature/1",
                     check=False).count("\n") == 1  # a tree id alone: it merges cleanly


def test_its_oldest_commits_rebased_onto_the_target_are_a_landed_part(repo: Repo) -> None:
    """A rebase merge (or a cherry-pick) of the first commit, and the branch went on: the
    rest is counted alone, and the restack replays just it."""
    first = repo.git("rev-list", "--reverse", "main..feature/1").split()[0]
    repo.git("cherry-pick", first)
    picked = repo.head("main")
    report = report_of(repo)
    assert report.landed == ()
    one = facts_of(report, "#1")
    assert one.landed_part == LandedPart(picked, first, 1)
    assert [c.path for c in one.changes] == ["app.py"]
    again = restack(report, "#1")
    assert again is not None and again.command == f"git rebase --onto main {first} feature/1"
    repo.git(*again.command.split()[1:])
    assert repo.git("rev-list", "--count", "main..feature/1").strip() == "1"


def test_the_strict_gate_says_restack(repo: Repo) -> None:
    squash_then_go_on(repo, {"new.py": "n = 2\n"})
    assert own_blockers(report_of(repo), "#1")[0] == (
        "#1 no longer merges onto main (new.py): restack it")


def test_integrate_offers_the_restack_where_it_stops(
    repo: Repo, cli_invoke: Callable[..., Invocation],
) -> None:
    """The dry run and the run itself, stopped at #1, give the restack that replays just
    its commit after the squash."""
    _, through = squash_then_go_on(repo, {"new.py": "n = 2\n"})
    repo.commit({"orchestration-plan.md": PLAN_MD}, "plan")
    command = f"git rebase --onto main {through} feature/1"
    at = ["integrate", "--repo", str(repo.path)]
    dry = cli_invoke([*at, "--dry-run"]).out.splitlines()
    assert f"  the replay stops at step 1 (#1) on new.py: restack it first: `{command}`" in dry
    done = cli_invoke(at, code=1)
    assert (f"Its branch carries commits main holds already: `{command}` replays just the "
            "rest (run it where the branch is, after `fleetbot integrate --abort`, then "
            "integrate again).") in done.err.splitlines()
    cli_invoke([*at, "--abort"])


def test_update_branch_then_squash_then_go_on(repo: Repo) -> None:
    """GitHub's "Update branch" merged main into the branch just before the squash: the
    squash is the change up to that merge, which is where the part ends."""
    repo.git("checkout", "-q", "feature/1")
    repo.git("merge", "-q", "--no-edit", "main")  # main moved on (lib.py) since the fork
    updated = repo.head("feature/1")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--squash", "feature/1")
    squash = repo.commit({}, "Add one and two (#1)")
    repo.git("checkout", "-q", "feature/1")
    repo.commit({"new.py": "n = 2\n"}, "after the squash")
    repo.git("checkout", "-q", "main")
    one = facts_of(report_of(repo), "#1")
    assert one.landed_part == LandedPart(squash, updated, 1)
    assert [c.path for c in one.changes] == ["new.py"]
    again = restack(report_of(repo), "#1")
    assert again is not None
    repo.git(*again.command.split()[1:])
    assert repo.git("rev-list", "--count", "main..feature/1").strip() == "1"
