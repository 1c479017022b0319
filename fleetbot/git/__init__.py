"""The git adapter. `Git.run` is the one place in fleetbot that starts `git`.

Arguments always go as a list (never through a shell), the environment is pinned so
output is parseable and no prompt can hang a CI job, and synthetic commits carry
fleetbot's own identity so they work on runners with no git config.
Parsers of git's output live beside the callers and take plain strings.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, TypeVar

from fleetbot.errors import GitError

T = TypeVar("T")

FLEETBOT_IDENTITY = {
    "GIT_AUTHOR_NAME": "fleetbot",
    "GIT_AUTHOR_EMAIL": "fleetbot@users.noreply.github.com",
    "GIT_COMMITTER_NAME": "fleetbot",
    "GIT_COMMITTER_EMAIL": "fleetbot@users.noreply.github.com",
    # fixed dates keep synthetic commit ids reproducible across runs
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00+0000",
    "GIT_COMMITTER_DATE": "2000-01-01T00:00:00+0000",
}

_PINNED_ENV = {
    "LC_ALL": "C",
    "LANG": "C",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_PAGER": "cat",
    "PAGER": "cat",
    "GIT_OPTIONAL_LOCKS": "0",
}


class Git:
    """Runs git in one repository. Cheap to make: the constructor does no I/O.

    `env` and `config` (``-c key=value`` pairs) go to every command this instance runs:
    the hook that lets merges run with the target's attributes only (git/mergetree.py).
    """

    def __init__(
        self, repo: Path | str, *, env: Mapping[str, str] | None = None,
        config: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.repo = Path(repo)
        self.env = dict(env or {})
        self.config = tuple(config)

    def _argv(self, args: Sequence[str]) -> list[str]:
        return ["git", *(a for k, v in self.config for a in ("-c", f"{k}={v}")), *args]

    @classmethod
    def discover(cls, start: Path | str = ".") -> Git:
        """The repository around `start` (its top level), or a clear GitError."""
        path = Path(start)
        if not path.exists():
            raise GitError(f"{path}: no such folder", hint="pass --repo DIR of a git repository")
        out = cls(path).run(
            "rev-parse", "--show-toplevel",
            error=f"{path.resolve()} is not inside a git repository",
            hint="run fleetbot inside a git checkout or pass --repo DIR",
        )
        return cls(out.strip())

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
        """Like `run` but returns the whole CompletedProcess (for exit-code answers)."""
        argv = self._argv(args)
        full_env = {**os.environ, **_PINNED_ENV, **self.env, **(env or {})}
        try:
            proc = subprocess.run(
                argv, cwd=self.repo, input=input, capture_output=True, text=True,
                env=full_env, check=False, encoding="utf-8", errors="surrogateescape",
            )
        except FileNotFoundError as exc:
            raise self._not_found(argv) from exc
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
        try:
            proc = subprocess.run(
                argv, cwd=self.repo, input=input, capture_output=True, env=full_env,
                check=False,
            )
        except FileNotFoundError as exc:
            raise self._not_found(argv) from exc
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
        try:
            return subprocess.Popen(
                argv, cwd=self.repo, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=stderr if stderr is not None else subprocess.DEVNULL, env=full_env,
            )
        except FileNotFoundError as exc:
            raise self._not_found(argv) from exc

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


def parse_version(text: str) -> tuple[int, int]:
    """`git version 2.39.5` -> (2, 39); unknown shapes give (0, 0)."""
    for word in text.split():
        parts = word.split(".")
        if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
            return int(parts[0]), int(parts[1])
    return (0, 0)


def parallel(jobs: Sequence[Callable[[], T]], workers: int | None = None) -> list[T]:
    """Run short git processes side by side (they are start-up bound); order kept."""
    if len(jobs) <= 1:
        return [job() for job in jobs]
    from fleetbot.git.threads import run_all  # not concurrent.futures: it imports logging

    return run_all(jobs, workers or min(8, 2 * (os.cpu_count() or 2)))
