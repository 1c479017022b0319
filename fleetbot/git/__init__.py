"""The git adapter. `Git.run` is the one place in fleetbot that starts `git`.

Arguments always go as a list (never through a shell), the environment is pinned so
output is parseable and no prompt can hang a CI job, and synthetic commits carry
fleetbot's own identity so they work on runners with no git config.
Parsers of git's output live beside the callers and take plain strings.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Hashable, Mapping, Sequence
from pathlib import Path
from typing import IO, TypeVar, cast

from fleetbot.errors import GitError
from fleetbot.frozen import frozen

T = TypeVar("T")

FLEETBOT_IDENTITY = {
    "GIT_AUTHOR_NAME": "fleetbot",
    "GIT_AUTHOR_EMAIL": "fleetbot@users.noreply.github.com",
    "GIT_COMMITTER_NAME": "fleetbot",
    "GIT_COMMITTER_EMAIL": "fleetbot@users.noreply.github.com",
    # one fixed date keeps synthetic commit ids reproducible across runs; why it is in
    # the future: git/mergetree.py, SYNTHETIC
    "GIT_AUTHOR_DATE": "2099-01-01T00:00:00+0000",  # git refuses dates from 2100 on
    "GIT_COMMITTER_DATE": "2099-01-01T00:00:00+0000",
}

_PINNED_ENV = {
    "LC_ALL": "C",
    "LANG": "C",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_PAGER": "cat",
    "PAGER": "cat",
    "GIT_OPTIONAL_LOCKS": "0",
}


@frozen
class Layout:
    """Where a repository lives, asked once: its top level (None when bare), this
    worktree's git dir, the common git dir (cache, worktrees), whether it is shallow, and
    where its objects are and their hash (for the merges' shadow repository)."""

    toplevel: Path | None
    git_dir: Path
    common_dir: Path
    shallow: bool
    objects: Path
    object_format: str


# Subcommands that never move a ref, a worktree's HEAD or the worktree list; any other
# command run through a Git forgets what `Git.memo` remembered (git/__init__.py:_may_write).
_READERS = frozenset({
    "rev-parse", "for-each-ref", "show-ref", "cat-file", "show", "log", "rev-list",
    "diff", "diff-tree", "diff-index", "diff-files", "merge-base", "ls-tree", "ls-files",
    "merge-tree", "hash-object", "commit-tree", "mktree", "patch-id", "check-ref-format",
    "check-attr", "check-ignore", "version", "status", "name-rev", "var", "grep",
})


def _subcommand(args: Sequence[str]) -> tuple[str, Sequence[str]]:
    """(`commit`, its arguments) of `git -c k=v commit -q ...`."""
    i = 0
    while i < len(args) and args[i] in ("-c", "-C"):
        i += 2
    return (args[i], args[i + 1:]) if i < len(args) else ("", ())


def _may_write(args: Sequence[str]) -> bool:
    """Whether `git <args>` may change refs, HEADs or worktrees (unknown: yes)."""
    sub, after = _subcommand(args)
    rest = [a for a in after if not a.startswith("-")]
    if sub in _READERS:
        return False
    if sub == "worktree":
        return rest[:1] != ["list"]
    if sub == "remote":
        return bool(rest) and rest[0] not in ("get-url", "show")
    if sub == "symbolic-ref":
        return len(rest) != 1
    if sub == "config":
        return not any(a in ("--get", "--get-all", "--get-regexp", "--list", "-l")
                       for a in after)
    return True


_generation = 0  # bumped by every command that may write, in any Git of this process


def generation() -> int:
    """How many times remembered answers were dropped in this process: unchanged between
    two calls, no command that may move a ref ran in between."""
    return _generation


def forget() -> None:
    """Drop every remembered answer: something outside fleetbot's Git may have changed
    the repository (a user's test command, the next round of `status --watch`)."""
    global _generation
    _generation += 1


class Git:
    """Runs git in one repository. Cheap to make: the constructor does no I/O.

    `env` and `config` (``-c key=value`` pairs) go to every command this instance runs:
    the hook that lets merges run with the target's attributes only (git/mergetree.py).
    `memo` keeps answers that only change when refs or worktrees move (the ref table, the
    worktree list, the remotes) until any Git of this process runs a command that may
    move them, so a command asks each once however many parts need it.
    """

    def __init__(
        self, repo: Path | str, *, env: Mapping[str, str] | None = None,
        config: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.repo = Path(repo)
        self.env = dict(env or {})
        self.config = tuple(config)
        self._memo: dict[Hashable, tuple[int, object]] = {}
        self._layout: Layout | None = None  # kept across writes: only a fetch can change it

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`, remembered under `key` until a command that may write runs."""
        kept = self._memo.get(key)
        if kept is not None and kept[0] == _generation:
            return cast(T, kept[1])
        value = compute()
        self._memo[key] = (_generation, value)
        return value

    def layout(self) -> Layout:
        """Top level, git dirs and shallowness in one `rev-parse`, asked once: they move
        only when a fetch deepens a shallow clone (then asked again)."""
        if self._layout is None:
            self._layout = self._read_layout()
        return self._layout

    def _read_layout(self) -> Layout:
        args = ("rev-parse", "--path-format=absolute", "--absolute-git-dir",
                "--git-common-dir", "--is-shallow-repository", "--git-path", "objects",
                "--show-object-format", "--show-toplevel")
        proc = self.run_full(*args, check=False)
        lines = output_lines(proc.stdout)
        if len(lines) < 5:
            raise GitError(f"{self.repo.resolve()} is not inside a git repository",
                           argv=self._argv(args), code=proc.returncode,
                           stderr=proc.stderr,
                           hint="run fleetbot inside a git checkout or pass --repo DIR")
        top = Path(lines[5]) if proc.returncode == 0 and len(lines) > 5 else None
        return Layout(top, Path(lines[0]), Path(lines[1]), lines[2].strip() == "true",
                      Path(lines[3]), lines[4].strip())

    def _argv(self, args: Sequence[str]) -> list[str]:
        return ["git", *(a for k, v in self.config for a in ("-c", f"{k}={v}")), *args]

    @classmethod
    def discover(cls, start: Path | str = ".") -> Git:
        """The repository around `start` (its top level), or a clear GitError."""
        path = Path(start)
        if not path.exists():
            raise GitError(f"{path}: no such folder", hint="pass --repo DIR of a git repository")
        found = cls(path)._read_layout()
        if found.toplevel is None:
            raise GitError(f"{path.resolve()} is not inside a git work tree",
                           hint="run fleetbot inside a git checkout or pass --repo DIR")
        git = cls(found.toplevel)
        git._layout = found
        return git

    def run(
        self,
        *args: str,
        input: str | None = None,
        check: bool = True,
        env: Mapping[str, str] | None = None,
        error: str = "",
        hint: str = "",
        ok_codes: Sequence[int] = (0,),
    ) -> str:
        """Run `git <args>` and return stdout; raise GitError on an unexpected exit code."""
        return self.run_full(
            *args, input=input, check=check, env=env, error=error, hint=hint, ok_codes=ok_codes
        ).stdout

    def run_full(
        self,
        *args: str,
        input: str | None = None,
        check: bool = True,
        env: Mapping[str, str] | None = None,
        error: str = "",
        hint: str = "",
        ok_codes: Sequence[int] = (0,),
    ) -> subprocess.CompletedProcess[str]:
        """Like `run` but returns the whole CompletedProcess (for exit-code answers).

        Git's bytes are decoded as they are (UTF-8, undecodable bytes kept as surrogates),
        never through Python's text mode: its newline translation turned a carriage return
        in a file name into a newline, so a path was reported as one git does not have."""
        argv = self._argv(args)
        full_env = {**os.environ, **_PINNED_ENV, **self.env, **(env or {})}
        writes = self._before(args)
        try:
            raw = subprocess.run(
                argv, cwd=self.repo, capture_output=True, env=full_env, check=False,
                input=None if input is None else input.encode("utf-8", "surrogateescape"),
            )
        except FileNotFoundError as exc:
            raise self._not_found(argv) from exc
        proc = subprocess.CompletedProcess(
            argv, raw.returncode, raw.stdout.decode("utf-8", "surrogateescape"),
            raw.stderr.decode("utf-8", "surrogateescape"))
        if writes:
            forget()  # again: an answer read meanwhile (another thread) is not kept
        if check and proc.returncode not in ok_codes:
            raise GitError(
                error or f"git {args[0] if args else ''} failed",
                argv=argv, code=proc.returncode, stderr=proc.stderr, hint=hint,
            )
        return proc

    def run_bytes(
        self, *args: str, input: bytes | None = None, error: str = "", hint: str = "",
    ) -> bytes:
        """Run `git <args>` with raw bytes in and out (for `cat-file --batch`, whose sizes
        count bytes: text mode would translate CRLF and break them)."""
        argv = self._argv(args)
        full_env = {**os.environ, **_PINNED_ENV, **self.env}
        writes = self._before(args)
        try:
            proc = subprocess.run(
                argv, cwd=self.repo, input=input, capture_output=True, env=full_env,
                check=False,
            )
        except FileNotFoundError as exc:
            raise self._not_found(argv) from exc
        if writes:
            forget()
        if proc.returncode != 0:
            raise GitError(
                error or f"git {args[0] if args else ''} failed", argv=argv,
                code=proc.returncode, stderr=proc.stderr.decode("utf-8", "replace"), hint=hint,
            )
        return proc.stdout

    def start(self, *args: str, stderr: IO[bytes] | None = None) -> subprocess.Popen[bytes]:
        """Start `git <args>` for a conversation over its stdin and stdout (bytes), such
        as `merge-tree --stdin`, which answers each line as it reads it. stderr goes to a
        file (or nowhere), never a pipe nobody reads, so git cannot block on it."""
        argv = self._argv(args)
        full_env = {**os.environ, **_PINNED_ENV, **self.env}
        self._before(args)
        try:
            return subprocess.Popen(
                argv, cwd=self.repo, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=stderr if stderr is not None else subprocess.DEVNULL, env=full_env,
            )
        except FileNotFoundError as exc:
            raise self._not_found(argv) from exc

    def _before(self, args: Sequence[str]) -> bool:
        """Forget what a command that may write could change; whether it may write."""
        if not _may_write(args):
            return False
        forget()
        sub, after = _subcommand(args)
        if sub == "fetch" and (self._layout is None or self._layout.shallow or any(
                a.startswith(("--depth", "--deepen", "--shallow", "--unshallow"))
                for a in after)):
            self._layout = None  # only a shallow clone's depth moves with a fetch
        return True

    def _not_found(self, argv: Sequence[str]) -> GitError:
        """A missing folder (a worktree deleted by hand) is not a missing git."""
        if not self.repo.is_dir():
            return GitError(f"{self.repo}: no such folder (was it deleted by hand?)",
                            argv=argv, hint="check the path; `git worktree list` shows "
                            "worktrees whose folder is gone")
        return GitError("git is not installed or not on PATH", hint="install git")

    def version(self) -> tuple[int, int]:
        """git's (major, minor), for features such as `merge-tree --stdin` (2.40+): asked
        once per git executable in a process (a long run or a test session asks often)."""
        import shutil

        path = {**os.environ, **self.env}.get("PATH")
        exe = shutil.which("git", path=path) or ""
        if exe and exe in _VERSIONS:
            return _VERSIONS[exe]
        found = parse_version(self.run("version"))
        if exe:
            _VERSIONS[exe] = found
        return found


_VERSIONS: dict[str, tuple[int, int]] = {}  # git executable -> its version


def output_lines(text: str) -> list[str]:
    """The lines of a git command's output, split on newlines only: `str.splitlines` also
    splits on a carriage return, form feeds, U+2028 and more, which a file name or a
    commit subject (written by anyone) may hold, and which git prints as they are."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def parse_version(text: str) -> tuple[int, int]:
    """`git version 2.39.5` -> (2, 39); unknown shapes give (0, 0)."""
    for word in text.split():
        parts = word.split(".")
        if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
            return int(parts[0]), int(parts[1])
    return (0, 0)
