"""Git asks once: the version per git executable, the layout per instance, and
memoised answers until a command that may write runs (or `forget`)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from fleetbot.errors import GitError
from fleetbot.git import Git, _may_write, forget, output_lines, parse_version
from fleetbot.git.refs import read_refs
from tests.support.repo import GIT_ENV, make_repo


def test_version_is_asked_once_per_git_executable(tmp_path: Path) -> None:
    shim = tmp_path / "bin"
    shim.mkdir()
    fake = shim / "git"
    fake.write_text("#!/bin/sh\necho 'git version 9.1.0'\n")
    fake.chmod(0o755)
    path = f"{shim}{os.pathsep}{os.environ.get('PATH', '')}"
    assert Git(tmp_path, env={"PATH": path}).version() == (9, 1)
    fake.write_text("#!/bin/sh\necho 'git version 8.0.0'\n")  # not asked again
    assert Git(tmp_path, env={"PATH": path}).version() == (9, 1)
    real = Git(tmp_path).run("version")
    assert Git(tmp_path).version() == parse_version(real) != (9, 1)  # another executable


def test_a_memo_holds_across_readers_and_is_dropped_by_a_writer(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"a.txt": "a\n"})
    git = Git(repo.path)
    first = read_refs(git)
    # moved behind fleetbot's back, without the test helpers' forget(): still remembered
    subprocess.run(["git", "branch", "x"], cwd=repo.path, check=True,
                   env={**os.environ, **GIT_ENV})
    git.run("rev-parse", "HEAD")  # a reader keeps the memo
    assert read_refs(git) is first
    git.run("tag", "t1")  # a writer (not on the readers' list) drops it
    assert "refs/heads/x" in read_refs(git).shas
    subprocess.run(["git", "branch", "y"], cwd=repo.path, check=True,
                   env={**os.environ, **GIT_ENV})
    forget()
    assert "refs/heads/y" in read_refs(git).shas


@pytest.mark.parametrize(("args", "writes"), [
    (("rev-parse", "HEAD"), False),
    (("-c", "core.hooksPath=/dev/null", "merge-tree", "--write-tree", "a", "b"), False),
    (("worktree", "list", "--porcelain"), False),
    (("worktree", "add", "x"), True),
    (("remote",), False),
    (("remote", "get-url", "origin"), False),
    (("remote", "add", "o", "u"), True),
    (("symbolic-ref", "--quiet", "--short", "HEAD"), False),
    (("symbolic-ref", "HEAD", "refs/heads/x"), True),
    (("config", "--get", "user.name"), False),
    (("config", "user.name", "x"), True),
    (("merge", "--no-ff", "x"), True),
    (("some-new-command",), True),
    ((), True),
])
def test_what_may_write(args: tuple[str, ...], writes: bool) -> None:
    assert _may_write(args) is writes


def test_the_layout_in_one_question_and_outside_a_repository(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"a.txt": "a\n"})
    (repo.path / "sub").mkdir()
    git = Git.discover(repo.path / "sub")
    layout = git.layout()
    assert (layout.toplevel, layout.git_dir, layout.common_dir, layout.shallow) == (
        repo.path.resolve(), repo.path.resolve() / ".git", repo.path.resolve() / ".git",
        False)
    assert (layout.objects, layout.object_format) == (
        repo.path.resolve() / ".git" / "objects", "sha1")
    outside = tmp_path / "plain"
    outside.mkdir()
    with pytest.raises(GitError, match="is not inside a git repository"):
        Git.discover(outside)


def test_a_fetch_asks_the_layout_again_only_where_it_can_move_it(tmp_path: Path) -> None:
    """A plain fetch cannot change where a full clone lives; a shallow clone's depth moves
    with any fetch, and --unshallow/--depth move it in any clone."""
    origin = make_repo(tmp_path, {"a.txt": "a\n"}, name="origin")
    origin.commit({"a.txt": "b\n"}, "second")
    shallow, full = tmp_path / "shallow", tmp_path / "full"
    origin.git("clone", "-q", "--depth", "1", f"file://{origin.path}", str(shallow))
    origin.git("clone", "-q", str(origin.path), str(full))
    git = Git(full)
    kept = git.layout()
    git.run("fetch", "-q", "origin")
    assert git.layout() is kept
    git.run("fetch", "-q", "--depth", "1", "origin")
    assert git.layout() is not kept and git.layout().shallow
    git = Git(shallow)
    assert git.layout().shallow
    git.run("fetch", "-q", "--unshallow", "origin")
    assert not git.layout().shallow


def test_git_output_and_input_keep_their_bytes(tmp_path: Path) -> None:
    """A carriage return in a file name comes back as git prints it (Python's text mode
    made it a newline: a path git does not have), and so does a CRLF a command is given."""
    repo = make_repo(tmp_path, {"a\rb.py": "x = 1\n", "c.txt": "c\n"})
    git = Git(repo.path)
    assert git.run("ls-tree", "-r", "-z", "--name-only", "HEAD") == "a\rb.py\0c.txt\0"
    assert git.run_full("ls-tree", "--name-only", "HEAD", "--", "a\rb.py").stdout == \
        '"a\\rb.py"\n'
    blob = git.run("hash-object", "-w", "--stdin", input="one\r\ntwo\r").strip()
    assert git.run_bytes("cat-file", "blob", blob) == b"one\r\ntwo\r"


def test_output_lines_split_on_newlines_only() -> None:
    assert output_lines("a\rb\u2028c\x0cd\x1ce\nf\n") == ["a\rb\u2028c\x0cd\x1ce", "f"]
    assert output_lines("a\n\nb") == ["a", "", "b"]
    assert output_lines("") == []
    assert output_lines("\n") == [""]
