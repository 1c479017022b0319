from __future__ import annotations

from pathlib import Path

import pytest

from fleetbot.errors import UsageError
from fleetbot.fleet import integrate, score
from fleetbot.fleet.score import Landing
from fleetbot.git import Git
from fleetbot.model import Plan, Row
from tests.fleet.test_integrate import ORDER
from tests.support.fleetrepo import cli_with, example_plan, tasks_repo


def test_plan_shape_depth_and_width() -> None:
    plan = Plan(rows=(
        Row("#1", "a"), Row("#2", "b"), Row("#3", "c", depends_on=("#1",)),
        Row("#4", "d", depends_on=("#3", "#2")),
    ))
    assert score.plan_shape(plan) == (3, 2)
    assert score.plan_shape(Plan(rows=())) == (0, 0)
    with pytest.raises(UsageError, match="cycle"):
        score.plan_shape(Plan(rows=(Row("#1", "a", depends_on=("#2",)),
                                    Row("#2", "b", depends_on=("#1",)))))


def test_compute_score_arithmetic() -> None:
    plan = example_plan()
    landings = [
        Landing("#42", "m1", first_commit=0, merged_at=3600),
        Landing("#43", "m2", first_commit=600, merged_at=4200),
        Landing("#44", "m3", first_commit=0, merged_at=7200, conflicted=("tasks/cli.py",),
                conflicted_with=("#42",)),
    ]
    s = score.compute_score(plan, landings, [("#44", "#42"), ("#43", "#44")])
    assert (s.rows, s.depth, s.width) == (3, 1, 3)
    assert s.predicted == (("#42", "#44"), ("#43", "#44"))
    assert s.met == (("#42", "#44"),)
    assert s.hits == (("#42", "#44"),)
    assert s.precision == 0.5
    assert s.recall == 1.0
    assert s.serialised == ("#44",)
    assert s.span_sum == 3600 + 3600 + 7200
    assert s.wall_clock == 7200
    assert s.speedup == 2.0
    assert s.unmerged == ()
    md = score.render_markdown(s, target="main")
    assert "| precision / recall | 50% / 100% |" in md
    assert "| speed-up estimate | 2.0x |" in md
    # a prediction whose rows have not both merged is not judged yet: no 0% precision
    waiting = score.compute_score(plan, landings[:2], [("#42", "#44")])
    assert (waiting.predicted, waiting.met, waiting.precision, waiting.recall) == (
        (("#42", "#44"),), (), None, None)
    half = score.compute_score(plan, landings[:2], [("#42", "#44"), ("#42", "#43")])
    assert half.precision == 0.0
    empty = score.compute_score(plan, [], [])
    assert empty.precision is None
    assert empty.recall is None
    assert empty.speedup is None
    assert empty.unmerged == ("#42", "#43", "#44")


def test_score_from_history_after_integrate_says_the_prediction_was_right(
        tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    git = Git(repo.path)
    integrate.start(git, example_plan(), ORDER, target="main")
    (repo.path / "tasks/cli.py").write_text(cli_with("clear"))
    repo.git("add", "tasks/cli.py")
    integrate.resume(git)
    landings = score.find_landings(git, example_plan(), "fleet/integration")
    assert [x.issue for x in landings] == ["#42", "#43", "#44"]
    assert landings[2].conflicted == ("tasks/cli.py",)
    assert landings[2].conflicted_with == ("#42",)
    assert landings[0].conflicted == ()
    assert landings[1].conflicted == ()
    s = score.compute_score(example_plan(), landings, [("#42", "#44")])
    assert s.precision == 1.0
    assert s.recall == 1.0


def test_landing_found_by_subject_once_the_branch_is_deleted(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #7 from me/feature/43-docs",
             "feature/43-docs")
    repo.git("branch", "-D", "feature/43-docs")
    (landing,) = score.find_landings(Git(repo.path), example_plan(), "main")
    assert landing.issue == "#43"


def _at(repo_path: Path, when: str, *args: str) -> None:
    import os
    import subprocess

    from tests.support.repo import GIT_ENV

    env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    subprocess.run(["git", *args], cwd=repo_path, env=env, check=True, capture_output=True)


def test_spans_and_speedup_from_real_dates(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path, branches=False)
    for n, (branch, start) in enumerate([("feature/42-count", "10:00"),
                                         ("feature/43-docs", "10:30")]):
        repo.git("checkout", "-q", "-b", branch, "main")
        (repo.path / f"f{n}.txt").write_text("x\n")
        repo.git("add", "-A")
        _at(repo.path, f"2026-01-02T{start}:00+0000", "commit", "-qm", f"work {n}")
    repo.checkout("main")
    _at(repo.path, "2026-01-02T11:00:00+0000", "merge", "-q", "--no-ff", "-m", "m42",
        "feature/42-count")
    _at(repo.path, "2026-01-02T12:00:00+0000", "merge", "-q", "--no-ff", "-m", "m43",
        "feature/43-docs")
    landings = score.find_landings(Git(repo.path), example_plan(), "main")
    s = score.compute_score(example_plan(), landings, [])
    assert s.spans == (("#42", 3600), ("#43", 5400))
    assert s.wall_clock == 7200
    assert s.speedup == 1.25
    assert s.unmerged == ("#44",)
    assert s.met == ()


def test_a_conflict_resolved_on_the_branch_before_landing_counts_as_met(
        tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    repo.git("merge", "-q", "--no-ff", "-m", "Merge #42", "feature/42-count")
    repo.checkout("feature/44-clear")
    repo.git("merge", "-q", "main", check=False)  # conflicts on tasks/cli.py
    (repo.path / "tasks/cli.py").write_text(cli_with("clear"))
    repo.git("add", "tasks/cli.py")
    repo.git("commit", "-q", "--no-edit")
    repo.checkout("main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge #44", "feature/44-clear")  # now clean
    landings = score.find_landings(Git(repo.path), example_plan(), "main")
    assert [(x.issue, x.conflicted, x.conflicted_with) for x in landings] == [
        ("#42", (), ()), ("#44", ("tasks/cli.py",), ("#42",))]


def test_a_merge_whose_subject_holds_a_line_separator_is_still_one_merge() -> None:
    text = "m1\x1fp1 p2\x1f5\x1fMerge a\rb\u2028c\nm2\x1fp3\x1f6\x1fnot a merge\n"
    (merge,) = score.parse_merges(text)
    assert (merge.sha, merge.first, merge.second, merge.time, merge.subject) == (
        "m1", "p1", "p2", 5, "Merge a\rb\u2028c")
