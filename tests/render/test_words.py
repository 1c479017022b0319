"""What fleetbot says, word for word (issue #14, "Words"): each reason says what placed
the step, counts leave landed rows out, one step numbering, plurals right, `--fix` says
the direction. Real temporary repos throughout."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from fleetbot.analysis.order import recommend_order
from fleetbot.model import Conflict, ConflictKind, Plan, Row
from fleetbot.render.common import plural
from tests.support.cli import Invocation, invoke
from tests.support.fleetrepo import EXAMPLE, cli_with, tasks_repo
from tests.support.repo import Repo, from_template

Invoke = Callable[..., Invocation]


def _json(*argv: str) -> dict:  # type: ignore[type-arg]
    return json.loads(invoke([*argv, "--format", "json"]).out)  # type: ignore[no-any-return]


def _plan(repo: Repo, rows: dict[str, str]) -> None:
    """Rewrite the committed plan's rows: `{"#44": "| #44 clear | … |"}`."""
    lines = [rows.get(line.split(" ")[1], line) if line.startswith("| #") else line
             for line in EXAMPLE.read_text().splitlines()]
    repo.commit({"orchestration-plan.md": "\n".join(lines) + "\n"}, "plan")


def test_plural() -> None:
    assert [plural(n, "row") for n in (0, 1, 2)] == ["0 rows", "1 row", "2 rows"]
    assert plural(1, "branch", "branches") == "1 branch"
    assert plural(3, "branch", "branches") == "3 branches"


def test_after_fix_the_dependency_is_said_as_a_dependency_not_a_collision(
        tmp_path: Path, cli_invoke: Invoke) -> None:
    repo = tasks_repo(tmp_path)
    err = cli_invoke(["plan", "lint", "--fix", "--repo", str(repo.path)]).err
    assert err == (f"fixed {repo.path / 'orchestration-plan.md'}: #44 now depends on #42 "
                   "(lands after it)\n")
    repo.git("commit", "-qam", "plan: fix")
    data = _json("order", "--repo", str(repo.path))
    reasons = {s["issue"]: s["reasons"] for s in data["order"]}
    assert reasons == {
        "#42": ["#44 depends on it (they collide on tasks/cli.py)"],
        "#43": ["no dependencies or collisions: can merge any time"],
        "#44": ["depends on #42 (they also collide on tasks/cli.py: rebase after it lands)"],
    }


def test_a_row_placed_by_earlier_collisions_says_so() -> None:
    """#1 collides with #2 and #2 with #3 (placing #1 → #2 → #3); the #1/#3 collision is
    then already ordered by those collisions, not by dependencies, and says the chain."""
    rows = tuple(Row(f"#{i}", f"b{i}") for i in (1, 2, 3))
    found = [Conflict(ConflictKind.TEXTUAL, ("#1", "#2"), ("a.py",)),
             Conflict(ConflictKind.TEXTUAL, ("#2", "#3"), ("a.py",)),
             Conflict(ConflictKind.DIFF, ("#1", "#3"), ("a.py",))]  # weaker: placed last
    steps = recommend_order(Plan(rows=rows), found)
    assert [s.issue for s in steps] == ["#1", "#2", "#3"]
    assert steps[0].reasons == (
        "collides with #2 on a.py: merge this first (it comes first in the plan)",
        "collides with #3 on a.py: merge this first (earlier collisions already place it "
        "first: #1 → #2 → #3)",
    )
    assert all("dependencies" not in r for s in steps for r in s.reasons)


def test_transitive_dependency_with_a_collision() -> None:
    rows = (Row("#1", "b1"), Row("#2", "b2", depends_on=("#1",)),
            Row("#3", "b3", depends_on=("#2",)))
    steps = recommend_order(Plan(rows=rows),
                            [Conflict(ConflictKind.TEXTUAL, ("#1", "#3"), ("a.py",),
                                      expected=True)])
    assert steps[0].reasons == ("#3 depends on it through #1 → #2 → #3 (they collide on "
                                "a.py)",)
    assert steps[2].reasons == (
        "depends on #2",
        "comes after #1 through its dependencies (#1 → #2 → #3); they also collide on "
        "a.py: rebase after it lands",
    )


def test_collision_count_is_singular_and_leaves_landed_rows_out(tmp_path: Path) -> None:
    """#42 and #44 own tasks/cli.py but edit different files: one plan collision to
    serialise; once #42 lands there is nothing left to serialise."""
    repo = tasks_repo(tmp_path, branches=False)
    repo.branch("feature/42-count", {"tasks/count.py": "N = 1\n"})
    repo.branch("feature/43-docs", {"docs/guide.md": "# guide\n"})
    repo.branch("feature/44-clear", {"tasks/clear.py": "X = 0\n"})
    data = _json("order", "--repo", str(repo.path))
    assert data["verdict"]["summary"] == (
        "3 branches merge cleanly into main if merged in the order below (1 collision to "
        "serialise)")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge #42", "feature/42-count")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge #43", "feature/43-docs")
    data = _json("order", "--repo", str(repo.path))
    assert [x["issue"] for x in data["landed"]] == ["#42", "#43"]
    assert data["verdict"]["summary"] == "1 branch merges cleanly into main"


def test_replay_stops_at_and_its_detail_use_the_order_numbering(tmp_path: Path) -> None:
    """#43 has no branch, so the replay skips it; #44 is step 3 of the order, and the
    JSON's `stops_at`, the stop's position and both details say step 3."""
    repo = tasks_repo(tmp_path)
    repo.git("branch", "-D", "feature/43-docs")
    _plan(repo, {"#44": "| #44 clear | feature/44-clear | ../tasks-44-clear | "
                        "`tasks/clear.py` | #43 | running |"})
    data = _json("order", "--repo", str(repo.path))
    assert [s["issue"] for s in data["order"]] == ["#42", "#43", "#44"]
    replay = data["replay"]
    assert replay["stops_at"] == 3
    assert [s["position"] for s in replay["stops"]] == [3]
    assert replay["detail"].startswith("step 3 (#44, feature/44-clear) does not merge")
    assert replay["stops"][0]["detail"] == replay["detail"]


def test_plan_show_title_counts_one_row(tmp_path: Path, cli_invoke: Invoke) -> None:
    repo = tasks_repo(tmp_path, branches=False)
    plan = EXAMPLE.read_text().splitlines()
    one = [line for line in plan if not line.startswith(("| #43", "| #44"))]
    (repo.path / "orchestration-plan.md").write_text("\n".join(one) + "\n")
    out = cli_invoke(["plan", "show", "--repo", str(repo.path)]).out
    assert "orchestration-plan.md (1 row)" in out
    assert "(1 rows)" not in out


def test_conflicts_headline_is_singular(tmp_path: Path, cli_invoke: Invoke) -> None:
    repo = tasks_repo(tmp_path, branches=False)
    repo.branch("feature/42-count", {"tasks/cli.py": cli_with("count")})
    repo.branch("feature/44-clear", {"tasks/cli.py": cli_with("clear")})
    out = cli_invoke(["conflicts", "--repo", str(repo.path)]).out
    assert out.splitlines()[0].startswith("1 collision on main: ")


# ---------------------------------------------------------------- small things


def test_integrate_in_a_rows_worktree_refuses_and_says_where_to_run_it(
        tmp_path: Path, cli_invoke: Invoke) -> None:
    repo = tasks_repo(tmp_path)
    tree = tmp_path / "tasks-42-count"
    repo.git("worktree", "add", "-q", str(tree), "feature/42-count")
    head = repo.head("feature/42-count")
    err = cli_invoke(["integrate", "--repo", str(tree)], code=2).err
    assert err == (f"error: this is the worktree of #42 count (feature/42-count); run "
                   f"`fleetbot integrate` from the main worktree {repo.path}\n")
    assert Repo(tree).git("rev-parse", "--abbrev-ref", "HEAD").strip() == "feature/42-count"
    assert repo.head("feature/42-count") == head
    assert repo.git("branch", "--list", "fleet/integration") == ""


def test_markdown_brief_shows_commands_as_code_not_backslashes(
        tmp_path: Path, cli_invoke: Invoke) -> None:
    repo = tasks_repo(tmp_path)
    out = cli_invoke(["brief", "#42", "--repo", str(repo.path), "--format", "markdown"]).out
    done = out[out.index("## When you are done"):].splitlines()[1:]
    assert done == [
        "- commit on `feature/42-count` only; mention #42 in the commit messages",
        "- run `fleetbot check` and the tests before pushing",
        "- `git push -u origin feature/42-count`",
        "- open a pull request from `feature/42-count` into `main` with `Closes #42` in its "
        "description",
    ]
    assert "\\`" not in out


def test_markdown_brief_still_neutralises_a_hostile_branch() -> None:
    from fleetbot.fleet.brief import Brief, render_markdown

    evil = Brief(issue="#1", title="t", branch="x`<b>@team</b>", target="main",
                 worktree="", owns=(), must_not_touch=(), depends_on=(), collisions=(),
                 warnings=(), finish=())
    out = render_markdown(evil)
    assert "- ``git push -u origin 'x`<b>@team</b>'``" in out  # inside a code span: inert
    assert "<b>" not in re.sub(r"``.*?``", "", out)  # nowhere outside a code span
    assert "\\`" not in out


def _empty(path: Path) -> None:
    """A repository with no commit and the plan in its work tree."""
    path.mkdir()
    Repo(path).git("init", "-q", "-b", "main")
    (path / "orchestration-plan.md").write_text(EXAMPLE.read_text())


@pytest.mark.parametrize("command", ["check", "order", "status", "conflicts"])
@pytest.mark.parametrize("target", [[], ["--target", "main"]])
def test_an_empty_repository_says_no_commits_yet(
        tmp_path: Path, cli_invoke: Invoke, command: str, target: list[str]) -> None:
    path = tmp_path / "empty"
    from_template("words-empty", path, _empty)
    got = cli_invoke([command, "--repo", str(path), *target], code=2)
    assert got.err == ("error: this repository has no commits yet\n"
                       "  fix: commit something on the target branch first\n")
    assert got.out == ""
