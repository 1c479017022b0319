"""Stacked rows (issue #14, item 3): a branch built on its dependency's branch is compared
to that head, so the dependency's commits are neither its drift nor its diff collisions;
once the dependency lands by squash, brief, comment and `check` give the exact restack."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from fleetbot.analysis.stack import restack
from fleetbot.fleet.brief import build_brief, render_markdown, render_text
from fleetbot.git import Git
from fleetbot.git.stack import choose_bases, own_changes
from fleetbot.model import ChangeStatus, ConflictKind, FileChange, StackBase
from fleetbot.pipeline import build_report
from fleetbot.render.common import current_messages
from fleetbot.render.markdown import render_pr_comment
from tests.fleet import plan_of, row
from tests.support.cli import Invocation
from tests.support.repo import Repo, from_template, make_repo
from tests.support.reports import validate_report_json

Invoke = Callable[..., Invocation]

PLAN = """\
| Issue | Branch | Files owned | Depends on | Status |
|---|---|---|---|---|
| #1 one | feature/1 | one.py | | running |
| #2 two | feature/2 | two.py | #1 | running |
| #3 three | feature/3 | three.py | #2 | running |
"""


def _build_chain(path: Path) -> Repo:
    return make_repo(path.parent, {"README.md": "# r\n", "orchestration-plan.md": PLAN}, {
        "feature/1": {"one.py": "ONE = 1\n"},
        "feature/2": {"two.py": "TWO = 2\n"},
        "feature/3": {"three.py": "THREE = 3\n"},
    }, branch_from={"feature/2": "feature/1", "feature/3": "feature/2"}, name=path.name)


def chain(tmp_path: Path) -> Repo:
    """#1 <- #2 <- #3, each branch built on the one before it (built once per process)."""
    from_template("stack-chain", tmp_path / "repo", _build_chain)
    return Repo(tmp_path / "repo")


def _plan(repo: Repo):  # type: ignore[no-untyped-def]
    from fleetbot.pipeline import load_fleet_plan

    return load_fleet_plan(Git(repo.path)).plan


def test_a_chain_of_stacked_rows_has_no_drift_and_no_diff_collisions(tmp_path: Path) -> None:
    repo = chain(tmp_path)
    report = build_report(Git(repo.path), _plan(repo))
    assert report.conflicts == ()
    changed = {b.issue: sorted(b.paths) for b in report.branches}
    assert changed == {"#1": ["one.py"], "#2": ["two.py"], "#3": ["three.py"]}
    on = {b.issue: [(s.issue, s.ref, s.head) for s in b.stacked_on] for b in report.branches}
    assert on == {"#1": [], "#2": [("#1", "feature/1", repo.head("feature/1"))],
                  "#3": [("#2", "feature/2", repo.head("feature/2"))]}
    assert [s.issue for s in report.order] == ["#1", "#2", "#3"]
    assert report.replay is not None and report.replay.clean


def test_check_on_the_top_of_the_chain_says_nothing_about_its_dependencies(
    tmp_path: Path, cli_invoke: Invoke,
) -> None:
    repo = chain(tmp_path)
    repo.git("checkout", "-q", "feature/3")
    out = cli_invoke(["check", "--repo", str(repo.path), "--strict"]).out
    assert "two.py" not in out
    assert "one.py" not in out


def test_a_stacked_row_still_drifts_in_its_own_commits(tmp_path: Path) -> None:
    repo = chain(tmp_path)
    repo.git("checkout", "-q", "feature/3")
    repo.commit({"two.py": "TWO = 22\n"}, "#3 edits two.py")
    report = build_report(Git(repo.path), _plan(repo))
    (drift,) = [c for c in report.conflicts if c.kind is ConflictKind.DRIFT]
    assert drift.detail == "#3 changed two.py, owned by #2 two"
    assert drift.evidence == "git diff --name-status feature/2...feature/3 -- two.py"


def test_unstacked_dependents_are_still_compared_to_the_target(tmp_path: Path) -> None:
    """#2 depends on #1 but was not built on it: #1's head is not in it, no stack."""
    repo = make_repo(tmp_path, {"README.md": "# r\n"}, {
        "feature/1": {"one.py": "ONE = 1\n"},
        "feature/2": {"two.py": "TWO = 2\n", "one.py": "ONE = 11\n"}})
    plan = plan_of(row("#1", "feature/1", ["one.py"]),
                   row("#2", "feature/2", ["two.py"], deps=["#1"]))
    report = build_report(Git(repo.path), plan)
    assert [b.stacked_on for b in report.branches] == [(), ()]
    drift = [c.detail for c in report.conflicts if c.kind is ConflictKind.DRIFT]
    assert drift == ["#2 changed one.py, owned by #1"]


def _build_squashed(path: Path) -> None:
    repo = _build_chain(path)
    repo.git("merge", "-q", "--squash", "feature/1")
    repo.git("commit", "-q", "-m", "one (#1)")


def squashed(tmp_path: Path) -> Repo:
    """The chain, then #1 squash-merged into main (its branch kept, as forges leave it)."""
    from_template("stack-squashed", tmp_path / "repo", _build_squashed)
    return Repo(tmp_path / "repo")


def test_a_dependency_landed_by_squash_gives_the_exact_restack(tmp_path: Path) -> None:
    repo = squashed(tmp_path)
    old = repo.head("feature/1")
    report = build_report(Git(repo.path), _plan(repo), current_branch="feature/2")
    assert [la.issue for la in report.landed] == ["#1"]
    assert report.conflicts == ()
    again = restack(report, "#2")
    assert again is not None
    assert again.command == f"git rebase --onto main {old} feature/2"
    assert restack(report, "#3") is None  # #2 has not landed: #3 waits for it
    squash = report.landed[0].commit[:7]
    said = (f"#1 has landed (squash-merged in {squash}); this branch still carries its old "
            f"commits (up to {old[:7]}): restack it with "
            f"`git rebase --onto main {old} feature/2`")
    assert said in map(str, current_messages(report))
    comment = render_pr_comment(report, "#2")
    assert (f"- 🔁 #1 has landed (squash-merged in {squash}); this branch still carries its "
            f"old commits (up to {old[:7]}): restack it with "
            f"`git rebase --onto main {old} feature/2`") in comment.splitlines()


def test_the_restack_actually_restacks(tmp_path: Path) -> None:
    """The command as given leaves #2 with only its own commit on main."""
    repo = squashed(tmp_path)
    report = build_report(Git(repo.path), _plan(repo))
    again = restack(report, "#2")
    assert again is not None
    repo.git(*again.command.split()[1:])
    assert repo.git("log", "--format=%s", "main..feature/2").splitlines() == [
        "work on feature/2"]
    after = build_report(Git(repo.path), _plan(repo))
    assert restack(after, "#2") is None
    assert [b.stacked_on for b in after.branches if b.issue == "#2"] == [()]


def test_the_brief_gives_the_restack(tmp_path: Path, cli_invoke: Invoke) -> None:
    repo = squashed(tmp_path)
    old = repo.head("feature/1")
    plan = _plan(repo)
    report = build_report(Git(repo.path), plan)
    two = plan.by_issue("#2")
    assert two is not None
    from fleetbot.analysis.stack import restacks

    b = build_brief(report.plan, two, target="main", merged=report.landed,
                    conflicts=report.conflicts, order=report.order, restacks=restacks(report))
    squash = report.landed[0].commit[:7]
    line = (f"#1 (feature/1): has landed (squash-merged in {squash}); this branch still "
            f"carries its old commits: restack it with git rebase --onto main {old} feature/2")
    assert f"  - {line}" in render_text(b).splitlines()
    assert (f"- #1 (`feature/1`): has landed (squash-merged in {squash}); this branch still "
            f"carries its old commits: restack it with "
            f"`git rebase --onto main {old} feature/2`") in render_markdown(b).splitlines()
    assert f"  - {line}" in cli_invoke(["brief", "#2", "--repo", str(repo.path)]).out.splitlines()


def test_check_shows_the_restack(tmp_path: Path, cli_invoke: Invoke,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    repo = squashed(tmp_path)
    old = repo.head("feature/1")
    repo.git("checkout", "-q", "feature/2")
    monkeypatch.setenv("COLUMNS", "80")
    out = cli_invoke(["check", "--repo", str(repo.path)]).out.splitlines()
    said = (f"#1 has landed (squash-merged in {repo.head('main')[:7]}); this branch still "
            f"carries its old commits (up to {old[:7]}): restack it with")
    command = f"git rebase --onto main {old} feature/2"
    # the words wrap at 80 columns; the command, on a line of its own, never does
    at = out.index(f"      {command}")
    assert " ".join(line.strip() for line in out[at - 2:at]) == f"• {said}"
    data = json.loads(cli_invoke(["check", "--repo", str(repo.path), "--format", "json"]).out)
    validate_report_json(data)
    assert f"{said} `{command}`" in data["current"]["messages"]
    (two,) = [b for b in data["branches"] if b["issue"] == "#2"]
    assert two["stacked_on"] == [{"issue": "#1", "ref": "feature/1", "head": old}]
    assert [c["path"] for c in two["changes"]] == ["two.py"]


# ---------------------------------------------------------------- the pure parts


def test_the_nearest_dependency_comes_first_and_the_target_s_are_left_out() -> None:
    heads = {"#1": ("f/1", "a"), "#2": ("f/2", "b"), "#3": ("f/3", "c"), "#4": ("f/4", "d")}
    ancestor = {("a", "c"): True, ("b", "c"): True, ("a", "b"): True, ("d", "c"): True,
                ("d", "T"): True}
    got = choose_bases({"#3": ("#1", "#2", "#4")}, heads, "T", ancestor)
    assert got == {"#3": (StackBase("#2", "f/2", "b"), StackBase("#1", "f/1", "a"))}


def test_a_branch_on_two_heads_changed_what_differs_from_both() -> None:
    x, y, z = (FileChange(p) for p in ("x.py", "y.py", "z.py"))
    assert own_changes([(x, z), (y, FileChange("z.py", ChangeStatus.ADDED))]) == (z,)
    assert own_changes([(x,)]) == (x,)
    assert own_changes([]) == ()


def test_a_stale_stacked_branch_is_told_to_restack_not_to_merge_the_target_in(
        tmp_path: Path) -> None:
    """#1's PR was squash-merged with an edit: #2 (built on its old head) no longer merges
    onto main, and merging main in would meet #1's old commit again."""
    from fleetbot.analysis.stack import restacks
    from fleetbot.model import PullFacts, PullState

    repo = Repo(make_repo(tmp_path, {"README.md": "# r\n", "orchestration-plan.md": PLAN}, {
        "feature/1": {"one.py": "ONE = 1\n"}, "feature/2": {"two.py": "TWO = 2\n"},
        "feature/3": {"three.py": "THREE = 3\n"},
    }, branch_from={"feature/2": "feature/1", "feature/3": "feature/2"}).path)
    repo.git("merge", "-q", "--squash", "feature/1")
    repo.commit({"one.py": "ONE = 11\n"}, "one (#1), reviewed")
    pull = PullFacts(1, "feature/1", state=PullState.MERGED, head_sha=repo.head("feature/1"))
    plan = _plan(repo)
    report = build_report(Git(repo.path), plan, pulls=[pull])
    two = plan.by_issue("#2")
    assert two is not None
    b = build_brief(report.plan, two, target="main", merged=report.landed,
                    conflicts=report.conflicts, order=report.order, restacks=restacks(report))
    assert b.warnings == ("this branch no longer merges onto main (one.py); restack it first "
                          "(Depends on)",)
