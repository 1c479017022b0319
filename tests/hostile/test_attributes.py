"""Issue 12 item 3: merges use the target tree's attributes, never the checkout's.

A PR that adds `* merge=union` to `.gitattributes` is what actions/checkout leaves in the
work tree of a pull_request run; `.git/info/attributes` and core.attributesFile are
whatever the runner had. None of them may turn a conflict into a clean merge.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fleetbot.cli.conflicts import run_conflicts
from fleetbot.git import Git
from fleetbot.git.chain import replay
from fleetbot.git.mergetree import (
    attr_source_supported,
    attribute_files,
    target_attributes,
)
from tests.fleet import plan_of, row
from tests.support.repo import Repo

UNION = "* merge=union\n"
PLAN = plan_of(row("#1", "feature/a", ["a.txt"]), row("#2", "feature/b", ["b.txt"]))


@pytest.fixture
def fleet(repo_factory) -> Repo:  # type: ignore[no-untyped-def]
    """#1 and #2 change the same line of a.txt: plain git stops on it."""
    return repo_factory(  # type: ignore[no-any-return]
        {"a.txt": "one\n"},
        {"feature/a": {"a.txt": "A\n"}, "feature/b": {"a.txt": "B\n"}},
    )


def strict_exit(repo: Repo) -> int:
    return run_conflicts(PLAN, Git(repo.path), fmt="json", strict=True)


def test_without_attributes_the_pair_conflicts(fleet: Repo) -> None:
    assert strict_exit(fleet) == 1


def test_a_pr_checkout_with_merge_union_cannot_clear_the_conflict(fleet: Repo) -> None:
    # the reproduction: the PR's own .gitattributes, checked out as the work tree
    fleet.git("checkout", "-q", "-b", "pr", "feature/b")
    fleet.commit({".gitattributes": UNION}, "the PR picks its merge rules")
    assert (fleet.path / ".gitattributes").read_text() == UNION
    plain = fleet.git("merge-tree", "--write-tree", "feature/a", "feature/b", check=False)
    assert "CONFLICT" not in plain  # git alone honours the checkout's file
    assert strict_exit(fleet) == 1


def test_an_untracked_gitattributes_in_the_work_tree_is_ignored(fleet: Repo) -> None:
    (fleet.path / ".gitattributes").write_text(UNION)
    assert strict_exit(fleet) == 1


def test_info_attributes_and_core_attributesfile_are_ignored(fleet: Repo, tmp_path: Path) -> None:
    (fleet.path / ".git" / "info").mkdir(exist_ok=True)
    (fleet.path / ".git" / "info" / "attributes").write_text(UNION)
    extra = tmp_path / "attrs"
    extra.write_text(UNION)
    fleet.git("config", "core.attributesFile", str(extra))
    assert strict_exit(fleet) == 1


def test_the_replay_stops_whatever_the_checkout_says(fleet: Repo) -> None:
    (fleet.path / ".gitattributes").write_text(UNION)
    (fleet.path / ".git" / "info" / "attributes").write_text(UNION)
    got = replay(Git(fleet.path), "main", [("#1", "feature/a"), ("#2", "feature/b")])
    assert (got.clean, got.stops_at, got.stops_at_issue, got.files) == (
        False, 2, "#2", ("a.txt",))


def test_the_targets_own_attributes_apply(repo_factory) -> None:  # type: ignore[no-untyped-def]
    # the target is trusted: its `merge=union` (in a subfolder too) is what the fan-in uses
    repo = repo_factory(
        {"a.txt": "one\n", "d/.gitattributes": "*.txt merge=union\n", "d/x.txt": "x\n",
         ".gitattributes": "a.txt merge=union\n"},
        {"feature/a": {"a.txt": "A\n", "d/x.txt": "xa\n"},
         "feature/b": {"a.txt": "B\n", "d/x.txt": "xb\n"}},
    )
    assert strict_exit(repo) == 0
    got = replay(Git(repo.path), "main", [("#1", "feature/a"), ("#2", "feature/b")])
    assert got.clean


def test_a_pr_that_removes_the_targets_attributes_does_not_change_them(
    repo_factory,  # type: ignore[no-untyped-def]
) -> None:
    repo = repo_factory(
        {"a.txt": "one\n", ".gitattributes": "a.txt merge=union\n"},
        {"feature/a": {"a.txt": "A\n"}, "feature/b": {"a.txt": "B\n"}},
    )
    (repo.path / ".gitattributes").write_text("a.txt -merge\n")  # the checkout says: text
    assert strict_exit(repo) == 0


def test_merges_write_to_the_real_object_store(fleet: Repo) -> None:
    git = Git(fleet.path)
    with target_attributes(git, fleet.head("main")) as shadow:
        tree = shadow.run("merge-tree", "--write-tree", fleet.head("feature/a"),
                          fleet.head("main")).strip()
    assert git.run("cat-file", "-t", tree).strip() == "tree"


# ---------------------------------------------------------------- which mechanism


@pytest.mark.parametrize(("version", "supported"), [
    ((2, 38), False), ((2, 39), False), ((2, 41), False), ((2, 42), True), ((3, 0), True),
])
def test_attr_source_by_version(version: tuple[int, int], supported: bool) -> None:
    assert attr_source_supported(version) is supported


def test_shadow_uses_git_attr_source_where_git_has_it(fleet: Repo) -> None:
    git, main = Git(fleet.path), fleet.head("main")
    fleet.git("checkout", "-q", "main")
    fleet.commit({".gitattributes": UNION})
    main = fleet.head("main")
    with target_attributes(git, main, version=(2, 42)) as new:
        assert new.env["GIT_ATTR_SOURCE"] == main
        assert list(new.repo.iterdir()) == []  # git reads the tree itself
    with target_attributes(git, main, version=(2, 39)) as old:
        assert "GIT_ATTR_SOURCE" not in old.env
        assert (old.repo / ".gitattributes").read_text() == UNION
    for shadow in (new, old):
        assert shadow.env["GIT_ATTR_NOSYSTEM"] == "1"
        assert shadow.config == (("core.attributesFile", "/dev/null"),)
        assert not Path(shadow.env["GIT_DIR"]).exists()  # removed afterwards


def test_attribute_files_keeps_regular_gitattributes_only() -> None:
    blob = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
    listing = "\0".join([
        f"100644 blob {blob}\t.gitattributes",
        f"100755 blob {blob}\tsub/dir/.gitattributes",
        f"120000 blob {blob}\tlink/.gitattributes",
        f"100644 blob {blob}\tnot.gitattributes",
        f"160000 commit {blob}\tmodule",
        f"100644 blob {blob}\t../.gitattributes",
        f"100644 blob {blob}\tx.gitattributes/.gitattributes",
        f"100644 blob {blob}\tdir\twith tab/.gitattributes",
        f"100644 blob {blob}\tlast/.gitattributes",
        "",
    ]).encode()
    assert attribute_files(listing) == [(".gitattributes", blob),
                                        ("sub/dir/.gitattributes", blob),
                                        ("x.gitattributes/.gitattributes", blob),
                                        ("dir\twith tab/.gitattributes", blob),
                                        ("last/.gitattributes", blob)]
    assert attribute_files(b"") == []
    assert attribute_files(f"100644 blob {blob}\ta.py\0".encode()) == []
