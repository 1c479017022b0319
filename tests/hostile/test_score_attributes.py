"""Issue 12 item 3, for `score`: replaying the history's merges uses the target tree's
merge rules (git/mergetree.py `target_attributes`), never a checkout's `merge=union`."""

from __future__ import annotations

from fleetbot.fleet.score import find_landings
from fleetbot.git import Git
from tests.fleet import plan_of, row
from tests.support.repo import Repo

UNION = "* merge=union\n"
PLAN = plan_of(row("#1", "feature/a", ["a.txt"]), row("#2", "feature/b", ["b.txt"]))


def landed_both(repo_factory) -> Repo:  # type: ignore[no-untyped-def]
    """#1 and #2 change the same line of a.txt; both merged, #2's conflict resolved."""
    repo: Repo = repo_factory(
        {"a.txt": "one\n"},
        {"feature/a": {"a.txt": "A\n"}, "feature/b": {"a.txt": "B\n"}})
    repo.git("merge", "-q", "--no-ff", "-m", "Merge feature/a", "feature/a")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge feature/b", "feature/b", check=False)
    repo.write({"a.txt": "A and B\n"})
    repo.git("add", "a.txt")
    repo.git("commit", "-q", "--no-edit")
    return repo


def conflicts(repo: Repo) -> dict[str, tuple[str, ...]]:
    return {x.issue: x.conflicted for x in find_landings(Git(repo.path), PLAN, "main")}


def test_score_sees_the_conflict_the_merge_met(repo_factory) -> None:  # type: ignore[no-untyped-def]
    assert conflicts(landed_both(repo_factory)) == {"#1": (), "#2": ("a.txt",)}


def test_a_checkouts_merge_union_does_not_hide_it(repo_factory) -> None:  # type: ignore[no-untyped-def]
    repo = landed_both(repo_factory)
    (repo.path / ".gitattributes").write_text(UNION)  # what a PR's checkout can leave
    (repo.path / ".git" / "info").mkdir(exist_ok=True)
    (repo.path / ".git" / "info" / "attributes").write_text(UNION)
    plain = repo.git("merge-tree", "--write-tree", "--name-only", "main~1^1", "feature/b",
                     check=False)
    assert "a.txt" not in plain.splitlines()[1:]  # git alone honours the checkout's file
    assert conflicts(repo) == {"#1": (), "#2": ("a.txt",)}
