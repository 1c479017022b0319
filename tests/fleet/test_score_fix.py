"""`score` counts a prediction that any plan before the merge made, squash merges
included, and prints plain text as text (issue #14 item 5). Real temporary repos."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.support.cli import Invocation
from tests.support.fleetrepo import EXAMPLE, cli_with, tasks_repo
from tests.support.repo import Repo, from_template

Invoke = Callable[..., Invocation]

BOTH = cli_with("count").replace(
    '    "count": count,\n', '    "count": count,\n    "clear": clear,\n').replace(
    "\n\nCOMMANDS", "\n\ndef clear(args):\n    return 'clear'\n\n\nCOMMANDS")


def _score(cli_invoke: Invoke, repo: Repo, *extra: str) -> dict:  # type: ignore[type-arg]
    done = cli_invoke(["score", "--repo", str(repo.path), "--format", "json", *extra])
    return json.loads(done.out)  # type: ignore[no-any-return]


def _land_44_by_merge(repo: Repo) -> None:
    """#42 lands; #44 then conflicts on tasks/cli.py and is resolved with both commands."""
    repo.git("merge", "-q", "--no-ff", "-m", "Merge #42", "feature/42-count")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge #44", "feature/44-clear", check=False)
    repo.write({"tasks/cli.py": BOTH})
    repo.git("add", "tasks/cli.py")
    repo.git("commit", "-q", "--no-edit")


def _landed_44(root: Path) -> Repo:
    """tasks_repo with #42 and #44 landed by `_land_44_by_merge`: built once, copied."""
    from_template("tasks-44-landed-by-merge", root / "tasks",
                  lambda path: _land_44_by_merge(tasks_repo(path.parent)))
    return Repo(root / "tasks")


def test_after_plan_lint_fix_the_joint_is_still_predicted(tmp_path: Path,
                                                          cli_invoke: Invoke) -> None:
    """The reproduction: after `--fix`, #44 depends on #42, the joint is an expected
    collision, and score must not say "predicted: none … recall 0 %"."""
    repo = tasks_repo(tmp_path)
    cli_invoke(["plan", "lint", "--fix", "--repo", str(repo.path)])
    repo.git("commit", "-qam", "plan: #44 after #42")
    _land_44_by_merge(repo)
    data = _score(cli_invoke, repo)
    assert data["predicted"] == [["#42", "#44"]]
    assert data["met"] == [["#42", "#44"]]
    assert data["hits"] == [["#42", "#44"]]
    assert (data["precision"], data["recall"]) == (1.0, 1.0)
    assert data["serialised"] == ["#44"]


def test_a_prediction_an_earlier_plan_made_still_counts(tmp_path: Path,
                                                        cli_invoke: Invoke) -> None:
    """The plan is edited after the merges so that #44 no longer owns tasks/cli.py:
    the reports before the merge predicted the pair, and that is what is scored."""
    repo = _landed_44(tmp_path)
    lines = [line.replace("`tasks/cli.py` (dispatch + new fn), ", "")
             if line.startswith("| #44") else line for line in EXAMPLE.read_text().splitlines()]
    repo.commit({"orchestration-plan.md": "\n".join(lines) + "\n"}, "plan: later edit")
    data = _score(cli_invoke, repo)
    assert data["predicted"] == [["#42", "#44"]]
    assert data["recall"] == 1.0
    # with --plan (a file outside the target's history) only that plan predicts
    edited = tmp_path / "edited.md"
    edited.write_text("\n".join(lines) + "\n")
    data = _score(cli_invoke, repo, "--plan", str(edited))
    assert data["predicted"] == []
    assert data["met"] == [["#42", "#44"]]
    assert data["recall"] == 0.0


def test_squash_merges_are_landings_and_their_conflicts_are_met(
        tmp_path: Path, cli_invoke: Invoke) -> None:
    """#42 is squash-merged; #44 merges main in (conflict, resolved) and is squashed."""
    repo = tasks_repo(tmp_path)
    repo.git("merge", "-q", "--squash", "feature/42-count")
    repo.git("commit", "-qm", "count (#42)")
    repo.checkout("feature/44-clear")
    repo.git("merge", "-q", "main", check=False)
    repo.write({"tasks/cli.py": BOTH})
    repo.git("add", "tasks/cli.py")
    repo.git("commit", "-q", "--no-edit")
    repo.checkout("main")
    repo.git("merge", "-q", "--squash", "feature/44-clear")
    repo.git("commit", "-qm", "clear (#44)")
    data = _score(cli_invoke, repo)
    assert data["unmerged"] == ["#43"]
    assert [s["issue"] for s in data["spans"]] == ["#42", "#44"]
    assert data["met"] == [["#42", "#44"]]
    assert data["predicted"] == [["#42", "#44"]]
    assert (data["precision"], data["recall"]) == (1.0, 1.0)


def test_score_text_is_plain_text_and_markdown_is_markdown(tmp_path: Path,
                                                           cli_invoke: Invoke) -> None:
    repo = _landed_44(tmp_path)
    text = cli_invoke(["score", "--repo", str(repo.path)]).out
    lines = text.splitlines()
    assert lines[0] == "Fleet score (main)"
    assert "  precision / recall                    100% / 100%" in lines
    assert "  conflicts predicted before the merge  #42+#44" in lines
    assert not any(mark in text for mark in ("|", "###", "---"))
    md = cli_invoke(["score", "--repo", str(repo.path), "--format", "markdown"]).out
    assert md.startswith("### Fleet score (main)\n\n| measure | value |\n|---|---|\n")
    assert "| precision / recall | 100% / 100% |" in md
