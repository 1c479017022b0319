"""`git.refs.resolve_target`: the name every command shows and the ref git reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from fleetbot.errors import GitError
from fleetbot.git import Git
from fleetbot.git.refs import read_refs, resolve_target
from tests.support.fleetrepo import tasks_repo


def test_a_repo_without_a_remote_reads_and_names_its_own_branch(tmp_path: Path) -> None:
    git = Git(tasks_repo(tmp_path, branches=False).path)
    tgt = resolve_target(git, read_refs(git), None)
    assert (tgt.name, tgt.ref, tgt.sha) == ("main", "main", git.run("rev-parse", "main").strip())
    with pytest.raises(GitError, match="unknown target 'nope'"):
        resolve_target(git, read_refs(git), "nope")


@pytest.mark.parametrize("given", [None, "main", "origin/main", "refs/heads/main"])
def test_a_clone_reads_origin_and_names_the_branch(tmp_path: Path, given: str | None) -> None:
    up = tasks_repo(tmp_path)
    up.git("clone", "-q", str(up.path), str(tmp_path / "clone"))
    git = Git(tmp_path / "clone")
    tgt = resolve_target(git, read_refs(git), given)
    assert (tgt.name, tgt.ref, tgt.sha) == ("main", "origin/main", up.head("main"))


def test_meant_branch_reads_a_ref_written_for_a_branch_and_other_letter_case() -> None:
    from fleetbot.git.refs import RefTable, meant_branch

    refs = RefTable(shas={"refs/heads/feat/b": "1", "refs/remotes/origin/feat/a": "2",
                          "refs/remotes/origin/HEAD": "3", "refs/heads/Dup": "4",
                          "refs/heads/dup": "5"}, symrefs={})
    assert {b: meant_branch(refs, b) for b in (
        "origin/feat/a", "refs/remotes/origin/feat/a", "refs/heads/feat/b", "Feat/B",
        "FEAT/A", "DUP", "feat/c", "origin/HEAD", "", "feat/b")} == {
        "origin/feat/a": "feat/a", "refs/remotes/origin/feat/a": "feat/a",
        "refs/heads/feat/b": "feat/b", "Feat/B": "feat/b", "FEAT/A": "feat/a",
        "DUP": None, "feat/c": None, "origin/HEAD": None, "": None, "feat/b": None}


def test_every_command_says_which_branch_a_misspelt_row_means(tmp_path: Path) -> None:
    import json

    from tests.support.cli import invoke

    up = tasks_repo(tmp_path)
    up.git("clone", "-q", str(up.path), str(tmp_path / "clone"))
    plan = tmp_path / "plan.md"
    plan.write_text("| Issue | Branch | Files owned |\n|---|---|---|\n"
                    "| #42 | origin/feature/42-count | tasks/cli.py |\n"
                    "| #43 | Feature/43-Docs | docs/ |\n")
    at = ["--repo", str(tmp_path / "clone"), "--plan", str(plan)]
    said = [
        "#42: branch 'origin/feature/42-count' does not exist here or on origin; "
        "'feature/42-count' does (write that in the plan)",
        "#43: branch 'Feature/43-Docs' does not exist here or on origin; 'feature/43-docs' "
        "does (write that in the plan)",
    ]
    for command in ("check", "order", "conflicts", "status"):
        got = json.loads(invoke([command, *at, "--format", "json"]).out)
        assert [n for n in got["notes"] if "current branch" not in n] == said, command
    assert all(f"note: {n}" in invoke(["status", *at]).err for n in said)

