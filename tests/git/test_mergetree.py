from __future__ import annotations

from pathlib import Path

import pytest

from fleetbot.git import Git
from fleetbot.git.chain import replay
from fleetbot.git.mergetree import (
    conflict_sort,
    land,
    merge_many,
    merge_trees,
    parse_merge_tree,
    parse_merge_tree_stdin,
)
from fleetbot.model import MergeConflict, MergeResult
from tests.fleet import git_of, heads
from tests.support.fleetrepo import BASE as EXAMPLE_BASE
from tests.support.fleetrepo import BRANCHES as EXAMPLE_BRANCHES
from tests.support.repo import Repo

TREE = "2bd03d7260044e484d91606b4b95e658b737fd82"
TREE2 = "e8c8d08b5863c54d998d3744a1ce996cabfb3ff1"

# Real output of git 2.39 `merge-tree --write-tree -z --name-only --messages` / `--stdin`.
CONTENT = (
    f"{TREE}\0d0/f1.txt\0\0"
    "1\0d0/f1.txt\0Auto-merging\0Auto-merging d0/f1.txt\n\0"
    "1\0d0/f1.txt\0CONFLICT (contents)\0CONFLICT (content): Merge conflict in d0/f1.txt\n\0"
)
MODIFY_DELETE = (
    f"{TREE2}\0d0/f1.txt\0\0"
    "1\0d0/f1.txt\0CONFLICT (modify/delete)\0CONFLICT (modify/delete): d0/f1.txt deleted "
    "in b3 and modified in b1.  Version b1 of d0/f1.txt left in tree.\n\0"
)


# ---------------------------------------------------------------- parsers on text


def test_parse_content_conflict() -> None:
    got = parse_merge_tree(CONTENT, clean=False)
    assert got == MergeResult(
        clean=False, tree=TREE, files=("d0/f1.txt",),
        conflicts=(MergeConflict(
            "content", ("d0/f1.txt",), "CONFLICT (content): Merge conflict in d0/f1.txt"
        ),),
    )
    assert got.sorts_of("d0/f1.txt") == ("content",)


def test_parse_clean_merge() -> None:
    assert parse_merge_tree(f"{TREE}\0\0", clean=True) == MergeResult(clean=True, tree=TREE)


def test_parse_stdin_stream_of_three_merges() -> None:
    text = f"0\0{CONTENT}\0" + f"0\0{MODIFY_DELETE}\0" + f"1\0{TREE2}\0\0\0"
    got = parse_merge_tree_stdin(text)
    assert [r.clean for r in got] == [False, False, True]
    assert got[0].sorts_of("d0/f1.txt") == ("content",)
    assert got[1].sorts_of("d0/f1.txt") == ("modify/delete",)
    assert got[2] == MergeResult(clean=True, tree=TREE2)


def test_parse_stdin_rename_rename_names_three_paths() -> None:
    text = (
        f"0\0{TREE}\0a.txt\0b.txt\0c.txt\0\0"
        "3\0a.txt\0b.txt\0c.txt\0CONFLICT (rename/rename)\0CONFLICT (rename/rename): a.txt "
        "renamed to b.txt in X and to c.txt in Y.\n\0\0"
    )
    (got,) = parse_merge_tree_stdin(text)
    assert got.files == ("a.txt", "b.txt", "c.txt")
    assert got.sorts_of("c.txt") == ("rename/rename",)


@pytest.mark.parametrize(
    ("kind", "message", "want"),
    [
        ("Auto-merging", "Auto-merging x", None),
        ("CONFLICT (contents)", "CONFLICT (add/add): Merge conflict in x", "add/add"),
        ("CONFLICT (contents)", "CONFLICT (content): Merge conflict in x", "content"),
        ("CONFLICT (binary)", "Cannot merge binary files: x", "binary"),
        ("CONFLICT (file/directory)", "CONFLICT (file/directory): ...", "file/directory"),
    ],
)
def test_conflict_sort(kind: str, message: str, want: str | None) -> None:
    assert conflict_sort(kind, message) == want


# ---------------------------------------------------------------- real merges


def test_land_clean_and_stale(repo_factory) -> None:  # type: ignore[no-untyped-def]
    repo = repo_factory({"a.txt": "1\n2\n3\n"}, {
        "fresh": {"b.txt": "b\n"}, "stale": {"a.txt": "S\n2\n3\n"},
    })
    repo.commit({"a.txt": "M\n2\n3\n"}, "main moves")
    git = git_of(repo)
    target = repo.head("main")
    fresh = land(git, target, "#1", "fresh", repo.head("fresh"))
    assert fresh.result.clean
    assert fresh.commit
    parents = repo.git("rev-list", "--parents", "-n", "1", fresh.commit).split()[1:]
    assert parents == [target, repo.head("fresh")]
    assert "fleetbot" in repo.git("log", "-1", "--format=%an %cn", fresh.commit)
    stale = land(git, target, "#2", "stale", repo.head("stale"))
    assert not stale.result.clean
    assert stale.commit == ""
    assert stale.result.files == ("a.txt",)


def test_stdin_and_per_pair_paths_agree(repo_factory) -> None:  # type: ignore[no-untyped-def]
    repo = repo_factory({"a.txt": "1\n2\n3\n", "d.txt": "d\n"}, {
        "x": {"a.txt": "X\n2\n3\n"}, "y": {"a.txt": "Y\n2\n3\n"}, "z": {"d.txt": None},
        "w": {"d.txt": "D\n"},
    })
    git = git_of(repo)
    pairs = [("x", "y"), ("x", "z"), ("z", "w"), ("x", "w")]
    one = merge_many(git, pairs, stdin=False)
    many = merge_many(git, pairs, stdin=None)
    assert [r.clean for r in one] == [False, True, False, True]
    assert [(r.clean, r.files, r.conflicts) for r in one] == [
        (r.clean, r.files, r.conflicts) for r in many
    ]
    assert one[2].sorts_of("d.txt") == ("modify/delete",)
    assert merge_many(git, []) == []


def test_merge_trees_sorts(repo_factory) -> None:  # type: ignore[no-untyped-def]
    repo = repo_factory({"x.txt": "x\n" * 10}, {
        "add1": {"new.txt": "one\n"}, "add2": {"new.txt": "two\n"},
        "ren1": {"x.txt": None, "y.txt": "x\n" * 10}, "ren2": {"x.txt": None, "z.txt": "x\n" * 10},
        "file": {"lib": "a file\n"}, "dir": {"lib/mod.py": "a dir\n"},
    })
    git = git_of(repo)
    assert merge_trees(git, "add1", "add2").sorts_of("new.txt") == ("add/add",)
    assert "rename/rename" in {c.sort for c in merge_trees(git, "ren1", "ren2").conflicts}
    fd = merge_trees(git, "file", "dir")
    assert not fd.clean
    assert "file/directory" in {c.sort for c in fd.conflicts}


# ---------------------------------------------------------------- replay


def test_replay_stops_at_the_colliding_step(repo_factory, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    repo = repo_factory(EXAMPLE_BASE, EXAMPLE_BRANCHES)
    before = heads(repo)
    for key in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(key)  # like a fresh CI runner: no identity at all
    got = replay(git_of(repo), "main", [
        ("#42", "feature/42-count"), ("#43", "feature/43-docs"), ("#44", "feature/44-clear"),
    ])
    assert not got.clean
    assert (got.stops_at, got.stops_at_issue, got.files) == (3, "#44", ("tasks/cli.py",))
    assert "content" in got.detail
    assert heads(repo) == before


def test_replay_clean(repo_factory) -> None:  # type: ignore[no-untyped-def]
    repo = repo_factory(EXAMPLE_BASE, EXAMPLE_BRANCHES)
    got = replay(git_of(repo), "main", [("#43", "feature/43-docs"), ("#42", "feature/42-count")])
    assert got.clean
    assert got.stops_at is None
    assert got.files == ()
    assert replay(git_of(repo), "main", []).clean


def test_replay_unknown_target(repo_factory) -> None:  # type: ignore[no-untyped-def]
    from fleetbot.errors import GitError

    repo = repo_factory(EXAMPLE_BASE)
    with pytest.raises(GitError, match="unknown target"):
        replay(git_of(repo), "nope", [])


def test_batched_commits_are_the_bytes_commit_tree_writes(repo_factory) -> None:  # type: ignore[no-untyped-def]
    from fleetbot.git.mergetree import commit_tree, commit_trees

    repo = repo_factory(EXAMPLE_BASE, EXAMPLE_BRANCHES)
    git = git_of(repo)
    tree = repo.head("main^{tree}")
    parents = (repo.head("main"), repo.head("feature/43-docs"))
    (batched,) = commit_trees(git, [(tree, parents, "fleetbot: land x (#1)")])
    assert batched == commit_tree(git, tree, parents, "fleetbot: land x (#1)")
    assert commit_trees(git, []) == []


def test_land_all_with_and_without_stdin(repo_factory) -> None:  # type: ignore[no-untyped-def]
    from fleetbot.git.mergetree import land_all

    repo = repo_factory({"a.txt": "1\n2\n3\n"}, {"fresh": {"b.txt": "b\n"},
                                                 "stale": {"a.txt": "S\n2\n3\n"}})
    repo.commit({"a.txt": "M\n2\n3\n"}, "main moves")
    git = git_of(repo)
    found = [("#1", "fresh", "fresh", repo.head("fresh")),
             ("#2", "stale", "stale", repo.head("stale"))]
    one = land_all(git, repo.head("main"), found, stdin=False)
    many = land_all(git, repo.head("main"), found, stdin=True)
    assert one == many
    assert [la.result.clean for la in one] == [True, False]
    assert one[0].commit == land(git, repo.head("main"), "#1", "fresh", repo.head("fresh")).commit


def test_replay_unknown_branch_is_a_clear_error(repo_factory) -> None:  # type: ignore[no-untyped-def]
    from fleetbot.errors import GitError

    repo = repo_factory(EXAMPLE_BASE)
    with pytest.raises(GitError, match="unknown ref 'feature/none'") as err:
        replay(git_of(repo), "main", [("#1", "feature/none")])
    assert "2.38" not in str(err.value)


@pytest.mark.parametrize("object_format", ["sha1", "sha256"])
def test_a_commit_already_stored_is_not_written_again(tmp_path: Path,
                                                      object_format: str) -> None:
    from fleetbot.git.mergetree import CommitWriter, commit_tree

    repo = Repo(tmp_path / "repo")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main", f"--object-format={object_format}")
    main = repo.commit({"a.txt": "a\n"}, "base")
    tree = repo.head("main^{tree}")
    git = Git(repo.path)
    with CommitWriter(git) as writer:
        first = writer.commit(tree, (main,), "fleetbot: land x (#1)")
        assert writer._proc is not None  # new: written by hash-object
    assert first == commit_tree(git, tree, (main,), "fleetbot: land x (#1)")
    assert repo.git("cat-file", "-t", first).strip() == "commit"
    with CommitWriter(git) as again:
        assert again.commit(tree, (main,), "fleetbot: land x (#1)") == first
        assert again._proc is None  # stored already: no git process at all
        other = again.commit(tree, (main, first), "fleetbot: land y (#2)")
        assert again._proc is not None
    assert repo.git("cat-file", "-t", other).strip() == "commit"
    repo.git("gc", "-q", "--prune=now")  # packed now: written again, same id
    with CommitWriter(git) as packed:
        assert packed.commit(tree, (main,), "fleetbot: land x (#1)") == first
