"""Issue 12 item 7 (outside the plan): blobs are sized before they are read; output that
cannot be written ends with exit 2 and one message, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fleetbot.action.runner import append_summary, write_outputs
from fleetbot.errors import UsageError
from fleetbot.git import Git
from fleetbot.git.facts import MAX_BLOB, parse_batch_check, read_blobs
from tests.fleet import facts, plan_of, row
from tests.support.repo import Repo

BIG_LINES = 25_000_000  # "x = 1\n" * 25M = 150 MB


def big_repo(repo_factory, branches: int, lines: int = BIG_LINES) -> Repo:  # type: ignore[no-untyped-def]
    repo: Repo = repo_factory({"small.py": "def f(a):\n    return a\n"})
    body = "x = 1\n" * lines
    repo.commit({"big.py": body}, f"a {len(body) // 1_000_000} MB module")
    for i in range(branches):
        repo.branch(f"b{i}", {"big.py": f"y = {i}\n" + body[6:], "small.py": f"V{i} = 1\n"})
    return repo


@pytest.mark.slow
@pytest.mark.parametrize("read", [
    "read_blobs(git, specs)",  # an older git's two processes
    "[read_small_blobs(git, specs)[1][s] for s in specs]",  # one conversation (2.36+)
])
def test_six_branches_on_a_150_mb_file_read_no_big_blob(repo_factory, read: str) -> None:  # type: ignore[no-untyped-def]
    repo = big_repo(repo_factory, 6)
    script = (
        "import sys\n"
        "from fleetbot.git import Git\n"
        "from fleetbot.git.facts import read_blobs, read_small_blobs\n"
        "specs = ['main:big.py'] + [f'b{i}:big.py' for i in range(6)] + ['b0:small.py']\n"
        "git = Git(sys.argv[1])\n"
        f"got = {read}\n"
        "print(got.count(None), repr(got[-1]))\n"
        # VmHWM: this process's peak (ru_maxrss would carry the parent's over exec)
        "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))\n"
    )
    out = subprocess.run([sys.executable, "-c", script, str(repo.path)], capture_output=True,
                         text=True, check=True).stdout.split("\n")
    assert out[0] == "7 'V0 = 1\\n'"
    assert int(out[1]) < 150_000  # KiB: far below one 150 MB blob, let alone seven


def test_interface_says_it_skipped_the_large_file(repo_factory) -> None:  # type: ignore[no-untyped-def]
    from fleetbot.analysis.analyse import analyse

    repo = big_repo(repo_factory, 2, lines=MAX_BLOB // 6 + 1)  # just over the cap
    assert len((repo.path / "big.py").read_bytes()) > MAX_BLOB
    plan = plan_of(row("#1", "b0", ["big.py", "small.py"]), row("#2", "b1", ["x.py"]))
    got = facts(repo, plan)
    assert sorted((s.issue, s.path, s.too_large) for s in got.sources) == [
        ("#1", "big.py", True), ("#1", "small.py", False),
        ("#2", "big.py", True), ("#2", "small.py", False)]
    notes = analyse(plan, got).notes
    assert "interface: skipped 2 Python files too large to read: big.py (#1), big.py (#2)" \
        in notes


def test_read_blobs_small_missing_and_binary(repo_factory) -> None:  # type: ignore[no-untyped-def]
    repo = repo_factory({"a.py": "A = 1\n", "bin.py": "a\0b"})
    got = read_blobs(Git(repo.path), ["main:a.py", "main:nope.py", "main:bin.py", "main:a.py"],
                     max_bytes=5)
    assert got == [None, None, None, None]  # "A = 1\n" is 6 bytes: over a 5-byte cap
    got = read_blobs(Git(repo.path), ["main:a.py", "main:nope.py", "main:bin.py"])
    assert got == ["A = 1\n", None, None]


def test_parse_batch_check() -> None:
    data = (b"e69de29bb2d1d6434b8b29ae775ad8c2e48c5391 blob 12\n"
            b"main:a b blob 5 missing\n"
            b"4b825dc642cb6eb9a060e54bf8d69288fbee4904 tree 0\n")
    assert parse_batch_check(data, 4) == [
        ("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391", 12), None, None, None]


# ---------------------------------------------------------------- output that cannot be written


def fleetbot(args: list[str], cwd: Path, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fleetbot", *args], cwd=cwd,
                          capture_output=True, text=True, **kw)  # type: ignore[call-overload, no-any-return]


def test_full_disk_on_stdout_is_exit_2(tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "fleetbot", "--help"], cwd=tmp_path,
                              stdout=full, stderr=subprocess.PIPE, text=True)
    assert proc.returncode == 2
    assert proc.stderr == "error: No space left on device\n"


def test_closed_stdout_is_exit_2_without_a_traceback(repo_factory) -> None:  # type: ignore[no-untyped-def]
    repo = repo_factory({"a.txt": "a\n"}, {f"f{i}": {f"{i}.txt": "x\n"} for i in range(3)})
    plan = "".join(f"| #{i} | f{i} | | {i}.txt | | running |\n" for i in range(3))
    (repo.path / "p.md").write_text("| Issue | Branch | Worktree | Files owned | Depends on "
                                    "| Status |\n|---|---|---|---|---|---|\n" + plan * 1)
    r, w = os.pipe()
    os.close(r)  # the reader is gone before anything is written: `| head -0`
    proc = subprocess.run([sys.executable, "-m", "fleetbot", "conflicts", "--plan", "p.md"],
                          cwd=repo.path, stdout=w, stderr=subprocess.PIPE, text=True)
    os.close(w)
    assert proc.returncode == 2
    assert proc.stderr == ("error: the output was closed before fleetbot finished writing "
                           "(broken pipe)\n")


def test_non_utf8_file_name_on_a_strict_utf8_stdout(repo_factory) -> None:  # type: ignore[no-untyped-def]
    repo = repo_factory({"a.txt": "a\n"})
    name = os.fsdecode(b"bad\xff\x1b]0;T\x07.py")
    repo.branch("f1", {name: "x\n"})
    (repo.path / "p.md").write_text("| Issue | Branch | Worktree | Files owned | Depends on "
                                    "| Status |\n|---|---|---|---|---|---|\n"
                                    "| #1 | f1 | | a.txt | | running |\n")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict", "COLUMNS": "200"}
    for fmt, shown in (("text", "bad\\xff\\x1b]0;T\\x07.py"),
                       ("json", "bad\\udcff\\u001b]0;T\\u0007.py")):
        runs = [subprocess.run(
            [sys.executable, "-m", "fleetbot", "conflicts", "--plan", "p.md", "--format", fmt],
            cwd=repo.path, capture_output=True, env=env) for _ in range(2)]
        proc = runs[0]
        assert proc.returncode == 0, proc.stderr
        out = proc.stdout.decode("utf-8")  # strict: valid UTF-8
        assert shown in out
        assert "\x1b" not in out and "\x07" not in out
        # the second run prints the answer the first kept (cli/answers.py): the same bytes
        assert (runs[1].returncode, runs[1].stdout, runs[1].stderr) == (
            0, proc.stdout, proc.stderr)
    assert len(list((repo.path / ".git" / "fleetbot" / "answers").iterdir())) == 2


def test_a_carriage_return_in_a_file_name_is_reported_as_git_names_it(
        repo_factory, cli_invoke) -> None:  # type: ignore[no-untyped-def]
    name = "a\rb.py"
    repo = repo_factory({name: "x = 1\n", "keep.txt": "k\n"},
                        {"f1": {name: "x = 2\n"}, "f2": {name: "x = 3\n"}})
    (repo.path / "p.md").write_text("| Issue | Branch | Worktree | Files owned | Depends on "
                                    "| Status |\n|---|---|---|---|---|---|\n"
                                    "| #1 | f1 | | keep.txt | | running |\n"
                                    "| #2 | f2 | | keep.txt | | running |\n")
    got = cli_invoke(["conflicts", "--repo", str(repo.path), "--plan",
                      str(repo.path / "p.md"), "--format", "json"])
    files = {c["kind"]: c["files"] for c in json.loads(got.out)["conflicts"]}
    assert files["diff"] == files["textual"] == [name]
    shown = cli_invoke(["conflicts", "--repo", str(repo.path), "--plan",
                        str(repo.path / "p.md"), "--format", "markdown"]).out
    assert "| a\\\\rb.py |" in shown and "a b.py" not in shown


def test_a_full_disk_for_the_job_summary_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"cannot write GITHUB_STEP_SUMMARY \(/dev/full\): "
                                         "No space left on device"):
        append_summary("/dev/full", "# report\n")
    with pytest.raises(UsageError, match="cannot write GITHUB_OUTPUT"):
        write_outputs("/dev/full", {"verdict": "clean"})
