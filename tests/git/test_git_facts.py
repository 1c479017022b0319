from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from fleetbot.errors import GitError
from fleetbot.git import Git
from fleetbot.git.facts import (
    parse_cat_file_batch,
    parse_diff_tree_stdin,
    parse_name_status,
    parse_symmetric_bases,
)
from fleetbot.git.refs import (
    RefTable,
    branch_candidates,
    default_target_name,
    parse_left_right,
    parse_refs,
    pick_newer,
)
from fleetbot.model import FileChange
from tests.fleet import facts, plan_of, row
from tests.support.repo import GIT_ENV, Repo, make_repo

# ---------------------------------------------------------------- parsers on text


def test_parse_name_status_reads_every_letter_and_renames() -> None:
    text = "M\0cli.py\0A\0new file.py\0D\0old.txt\0R087\0a/x.py\0b/y.py\0"
    assert parse_name_status(text) == (
        FileChange("cli.py", "M"),
        FileChange("new file.py", "A"),
        FileChange("old.txt", "D"),
        FileChange("b/y.py", "R", old_path="a/x.py"),
    )


def test_parse_name_status_empty_and_truncated() -> None:
    assert parse_name_status("") == ()
    assert parse_name_status("R100\0only-old\0") == ()


def test_parse_refs_keeps_symrefs() -> None:
    text = (
        "aaa refs/heads/main \n"
        "bbb refs/remotes/origin/HEAD refs/remotes/origin/trunk\n"
        "ccc refs/remotes/origin/trunk \n"
    )
    refs = parse_refs(text)
    assert refs.shas["refs/heads/main"] == "aaa"
    assert refs.symrefs == {"refs/remotes/origin/HEAD": "refs/remotes/origin/trunk"}
    assert default_target_name(refs) == "trunk"


@pytest.mark.parametrize(
    ("shas", "want"),
    [
        ({"refs/heads/main": "a", "refs/heads/master": "b"}, "main"),
        ({"refs/heads/master": "b"}, "master"),
        ({"refs/remotes/origin/main": "b"}, "main"),
        ({"refs/heads/dev": "b"}, None),
    ],
)
def test_default_target_without_origin_head(shas: dict[str, str], want: str | None) -> None:
    assert default_target_name(RefTable(shas, {})) == want


def test_branch_candidates_lists_local_then_origin() -> None:
    refs = RefTable({"refs/heads/f": "1", "refs/remotes/origin/f": "2",
                     "refs/remotes/origin/g": "3"}, {})
    assert branch_candidates(refs, "f") == (("f", "1"), ("origin/f", "2"))
    assert branch_candidates(refs, "g") == (("origin/g", "3"),)
    assert branch_candidates(refs, "h") == ()


def test_pick_newer_reads_the_ref_that_contains_the_other() -> None:
    local, remote = ("f", "1"), ("origin/f", "2")
    assert pick_newer(local, remote, (0, 3)) == (remote, "")
    assert pick_newer(local, remote, (2, 0)) == (local, "")
    assert pick_newer(local, remote, (2, 3)) == (local, (
        "f and origin/f have diverged (2 commit(s) only local, 3 only on origin): "
        "reading the local branch"))


def test_parse_left_right() -> None:
    assert parse_left_right("3\t5\n") == (3, 5)
    assert parse_left_right("garbage") == (0, 0)


def test_parse_cat_file_batch_counts_bytes_not_characters() -> None:
    body = "héllo\r\nwörld\n".encode()
    data = (
        b"1111 blob " + str(len(body)).encode() + b"\n" + body + b"\n"
        + b"abc:missing.py missing\n"
        + b"2222 tree 0\n\n"
    )
    assert parse_cat_file_batch(data, 3) == [body, None, None]


# ---------------------------------------------------------------- facts from real repos


def test_facts_of_a_branch(repo_factory) -> None:  # type: ignore[no-untyped-def]
    repo = repo_factory({"a.txt": "a\n" * 20, "b.txt": "b\n", "c.txt": "c\n"})
    repo.checkout("feature/x", create=True)
    repo.commit({"a.txt": None, "moved.txt": "a\n" * 20, "b.txt": "B\n", "d.txt": "d\n"})
    repo.commit({"c.txt": None}, "second")
    repo.checkout("main")
    repo.commit({"other.txt": "o\n"}, "main moves on")
    got = facts(repo, plan_of(row("#1", "feature/x")))
    assert got.target == "main"
    assert got.target_ref == "main"
    assert got.target_sha == repo.head("main")
    (b,) = got.branches
    assert b.ref == "feature/x"
    assert b.head == repo.head("feature/x")
    assert b.merge_base == repo.head("main~1")
    assert (b.ahead, b.behind) == (2, 1)
    assert set(b.changes) == {
        FileChange("moved.txt", "R", old_path="a.txt"),
        FileChange("b.txt", "M"),
        FileChange("d.txt", "A"),
        FileChange("c.txt", "D"),
    }
    assert b.paths == {"a.txt", "moved.txt", "b.txt", "c.txt", "d.txt"}


def test_missing_branch_is_reported_not_fatal(repo_factory) -> None:  # type: ignore[no-untyped-def]
    repo = repo_factory({"a.txt": "a\n"}, {"feature/x": {"a.txt": "b\n"}})
    got = facts(repo, plan_of(row("#1", "feature/x"), row("#2", "feature/gone")))
    assert [b.issue for b in got.branches] == ["#1"]
    assert got.missing == ("#2",)


def test_merged_rows_are_skipped(repo_factory) -> None:  # type: ignore[no-untyped-def]
    from fleetbot.model import Status

    repo = repo_factory({"a.txt": "a\n"})
    got = facts(repo, plan_of(row("#1", "feature/deleted", status=Status.MERGED)))
    assert got.missing == ()
    assert got.branches == ()


def _clone(src: Repo, dest: Path, *extra: str) -> Repo:
    import os

    subprocess.run(
        ["git", "clone", "-q", *extra, f"file://{src.path}", str(dest)],
        check=True, capture_output=True, env={**os.environ, **GIT_ENV},
    )
    return Repo(dest)


def test_clone_uses_origin_head_and_remote_branches(repo_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    src = repo_factory({"a.txt": "a\n"}, {"feature/x": {"a.txt": "b\n"}})
    src.git("branch", "-m", "main", "trunk")
    clone = _clone(src, tmp_path / "clone")
    clone.git("checkout", "-q", "--detach")
    clone.git("branch", "-D", "trunk")
    got = facts(clone, plan_of(row("#1", "feature/x")))
    assert got.target == "trunk"
    assert got.target_ref == "origin/trunk"
    assert got.branches[0].ref == "origin/feature/x"
    explicit = facts(clone, plan_of(row("#1", "feature/x")), target="origin/trunk")
    assert explicit.target == "trunk"  # shown as the branch, as the Action passes it
    assert explicit.target_ref == "origin/trunk"


def test_target_option_overrides(repo_factory) -> None:  # type: ignore[no-untyped-def]
    repo = repo_factory({"a.txt": "a\n"}, {"dev": {"b.txt": "b\n"}, "feature/x": {"c.txt": "c\n"}})
    got = facts(repo, plan_of(row("#1", "feature/x")), target="dev")
    assert got.target == "dev"
    assert got.target_sha == repo.head("dev")
    assert facts(repo, plan_of(), target=repo.head("dev")).target_sha == repo.head("dev")


# ---------------------------------------------------------------- git errors


def test_not_a_repository(tmp_path: Path) -> None:
    from fleetbot.git.mergetree import gather

    with pytest.raises(GitError, match="is not inside a git repository"):
        gather(Git(tmp_path), plan_of(), None)


def test_unknown_target(repo_factory) -> None:  # type: ignore[no-untyped-def]
    repo = repo_factory({"a.txt": "a\n"})
    with pytest.raises(GitError, match="unknown target 'nope'") as err:
        facts(repo, plan_of(), target="nope")
    assert "--target" in str(err.value)


def test_no_default_target(repo_factory) -> None:  # type: ignore[no-untyped-def]
    repo = repo_factory({"a.txt": "a\n"})
    repo.git("branch", "-m", "main", "trunk")
    with pytest.raises(GitError, match="pass --target"):
        facts(repo, plan_of())


def test_shallow_clone_without_merge_base_says_unshallow(repo_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    src = repo_factory({"a.txt": "a\n"}, {"feature/x": {"b.txt": "b\n"}})
    src.commit({"c.txt": "c\n"}, "main moves")
    src.commit({"d.txt": "d\n"}, "main moves again")
    clone = _clone(src, tmp_path / "shallow", "--depth", "1", "--no-single-branch")
    with pytest.raises(GitError, match="shallow") as err:
        facts(clone, plan_of(row("#1", "feature/x")))
    assert "git fetch --unshallow" in str(err.value)
    assert "fetch-depth: 0" in str(err.value)


def test_unrelated_history_is_a_clear_error(repo_factory) -> None:  # type: ignore[no-untyped-def]
    repo = repo_factory({"x": "x\n"})
    repo.git("checkout", "-q", "--orphan", "lonely")
    repo.commit({"y": "y\n"}, "unrelated")
    repo.checkout("main")
    with pytest.raises(GitError, match="shares no history"):
        facts(repo, plan_of(row("#1", "lonely")))


def test_parse_symmetric_bases() -> None:
    text = "t\na\n^m1\nt\nb\n^m2\n^m3\nt\nc\n"
    assert parse_symmetric_bases(text) == ["m1", "m2", None]


def test_parse_diff_tree_stdin_groups_by_commit() -> None:
    one, two, three = "a" * 40, "b" * 40, "c" * 40
    text = f"{one}\0M\0x.py\0R100\0old\0new\0{two}\0{three}\0A\0{'d' * 40}\0"
    assert parse_diff_tree_stdin(text) == [
        (FileChange("x.py", "M"), FileChange("new", "R", old_path="old")),
        (),
        (FileChange("d" * 40, "A"),),  # a path that looks like an id is still a path
    ]


def test_batched_facts_match_one_by_one(repo_factory) -> None:  # type: ignore[no-untyped-def]
    from fleetbot.git.facts import all_branch_facts, branch_facts

    repo = repo_factory({"a.txt": "a\n"}, {
        "x": {"a.txt": "x\n"}, "y": {"b.txt": "y\n", "a.txt": None}, "same": {},
    })
    git = Git(repo.path)
    found = [(f"#{i}", b, b, repo.head(b)) for i, b in enumerate(("x", "y", "same"))]
    target = repo.head("main")
    batched = all_branch_facts(git, target, found)
    single = tuple(branch_facts(git, issue=i, branch=b, ref=r, head=h, target_sha=target)
                   for i, b, r, h in found)
    assert batched == single
    assert batched[2].changes == ()


def _blob_repo(tmp_path: Path, many: list[str]) -> Repo:
    files = {"a.py": "A = 1\r\n", "big.py": "x = 1\n" * 100, "sp ace.py": "S = 2\n",
             "d0/x.py": "X = 0\n", **{name: f"M = {i}\n" for i, name in enumerate(many)}}
    repo = make_repo(tmp_path, files, name="blobs")
    (repo.path / "bin.py").write_bytes(b"\x00\x01")
    repo.git("add", "bin.py")
    repo.git("commit", "-q", "-m", "binary")
    return repo


def _two_processes(git: Git, specs: list[str]) -> tuple[object, object]:
    from fleetbot.git.facts import blob_info, read_blobs

    usable = [s for s in specs if "\n" not in s]
    return (blob_info(git, usable), dict(zip(usable, read_blobs(git, usable, max_bytes=100),
                                             strict=True)))


SPECS = ["main:a.py", "main:big.py", "main:sp ace.py", "main:bin.py", "main:none.py",
         "main:d0", "main:a.py\nmain:b"]


def test_small_blobs_in_one_conversation_answer_as_two_processes(tmp_path: Path) -> None:
    """Sizes, ids and texts from one `cat-file --batch-command` equal `blob_info` and
    `read_blobs` (missing, a tree, binary, too big, CRLF, a space in a path, a newline),
    and a git without --batch-command gets the two processes."""
    from fleetbot.git.facts import read_small_blobs

    repo = _blob_repo(tmp_path, [])
    git = Git(repo.path)
    want = _two_processes(git, SPECS)
    assert read_small_blobs(git, SPECS, max_bytes=100) == want
    info, texts = want
    assert isinstance(info, dict) and isinstance(texts, dict)
    assert texts["main:a.py"] == "A = 1\r\n" and texts["main:big.py"] is None
    assert info["main:big.py"] is not None and info["main:d0"] is None
    assert texts["main:bin.py"] is None and info["main:none.py"] is None
    shim = tmp_path / "oldgit"
    shim.mkdir()
    (shim / "git").write_text('#!/bin/sh\nfor a in "$@"; do [ "$a" = --batch-command ] && '
                              'exit 129; done\nexec /usr/bin/git "$@"\n')
    (shim / "git").chmod(0o755)
    old = Git(repo.path, env={"PATH": f"{shim}:/usr/bin:/bin"})
    assert read_small_blobs(old, SPECS, max_bytes=100) == want


@pytest.mark.slow
def test_small_blobs_of_a_big_fleet_do_not_deadlock(tmp_path: Path) -> None:
    """1,500 long paths: 120 kB of commands and 80 kB of answers, more than a pipe holds
    either way; the same answers as two processes."""
    from fleetbot.git.facts import read_small_blobs

    many = [f"d{i % 30}/{'f' * 60}{i}.py" for i in range(1500)]
    repo = _blob_repo(tmp_path, many)
    git = Git(repo.path)
    specs = [*SPECS, *(f"main:{name}" for name in many)]
    assert read_small_blobs(git, specs, max_bytes=100) == _two_processes(git, specs)


def test_merge_bases_are_gits_and_are_remembered_except_in_a_shallow_clone(
        tmp_path: Path) -> None:
    from fleetbot.git.cache import Cache
    from fleetbot.git.facts import merge_bases

    repo = make_repo(tmp_path, {"a.txt": "a\n"}, {"f": {"b.txt": "b\n"}, "g": {"c.txt": "c\n"}})
    repo.commit({"a.txt": "a2\n"}, "main moves")
    orphan = repo.git("commit-tree", repo.head("main^{tree}"), "-m", "no history").strip()
    main, f, g = repo.head("main"), repo.head("f"), repo.head("g")
    pairs = [(main, f), (f, g), (main, orphan), (main, f)]
    git = Git(repo.path)
    cache = Cache.of(git)
    expected = [repo.git("merge-base", a, b, check=False).strip() or None for a, b in pairs]
    assert merge_bases(git, pairs, cache) == expected == [
        repo.head("main~1"), repo.head("main~1"), None, repo.head("main~1")]
    # remembered: a Git with no repository behind it answers the same
    nowhere = Git(tmp_path / "nowhere")
    nowhere._layout = git.layout()
    assert merge_bases(nowhere, pairs, cache) == expected

    shallow = Repo(tmp_path / "shallow")
    repo.git("clone", "-q", "--depth=1", "--no-single-branch", f"file://{repo.path}",
             str(shallow.path))
    sgit = Git(shallow.path)
    kept = Cache.of(sgit)
    merge_bases(sgit, [(shallow.head("origin/main"), shallow.head("origin/f"))], kept)
    assert kept.keys("bases") == []  # a deeper fetch may find the base: asked again
