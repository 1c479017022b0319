from __future__ import annotations

from pathlib import Path

from fleetbot.fleet.demo import BRANCHES, PLAN, build_example

ROOT = Path(__file__).resolve().parents[2]


def test_embedded_plan_is_the_example_file() -> None:
    assert (ROOT / "examples" / "orchestration-plan.md").read_text() == PLAN


def test_example_repo_has_real_branches_that_collide(tmp_path: Path) -> None:
    git = build_example(tmp_path / "demo")
    heads = git.run("for-each-ref", "--format=%(refname:short)", "refs/heads").split()
    assert sorted(heads) == sorted(["main", *BRANCHES])
    proc = git.run_full("merge-tree", "--write-tree", "--name-only",
                        "feature/42-count", "feature/44-clear", check=False)
    assert proc.returncode == 1
    assert "tasks/cli.py" in proc.stdout
    assert git.run("status", "--porcelain") == ""
    author = git.run("log", "-1", "--format=%an <%ae>", "feature/43-docs").strip()
    assert author.startswith("fleetbot <")
