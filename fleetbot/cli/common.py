"""Helpers shared by the commands: where the repo and plan are, and how output goes out.

JSON goes to stdout alone; messages go to stderr. Rich honours NO_COLOR and only
colours a terminal. Everything printed passes `render.escape`'s last checks: no raw control
character from a repository, no line that a CI runner would take as a workflow command.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

from fleetbot import DEFAULT_PLAN
from fleetbot.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from fleetbot.git import Git
    from fleetbot.model import Plan



def find_repo(repo: Path | None) -> Git:
    """The git repository named by --repo, else the one around the current folder; found
    once per command run, so every part of it (cli/answers.py, the report) reads the
    same refs through the same `Git`."""
    import click

    from fleetbot.git import Git

    ctx = click.get_current_context(silent=True)
    key = f"fleetbot.repo {repo}"
    if ctx is not None and key in ctx.meta:
        return cast("Git", ctx.meta[key])
    git = Git.discover(repo if repo is not None else Path.cwd())
    if ctx is not None:
        ctx.meta[key] = git
    return git


def resolve_plan_path(plan_path: Path | None, repo: Path | None) -> Path:
    """--plan as given; else orchestration-plan.md at the repo's top (or here, outside git)."""
    if plan_path is not None:
        return plan_path
    from fleetbot.errors import GitError

    try:
        root = find_repo(repo).repo
    except GitError:
        root = repo if repo is not None else Path.cwd()
    return root / DEFAULT_PLAN


def load_plan(plan_path: Path | None, repo: Path | None) -> Plan:
    """Load and validate the plan (raises PlanError with file:line on bad input)."""
    from fleetbot.plan.parse import load_plan as _load

    return _load(resolve_plan_path(plan_path, repo))


class OutputClosed(UsageError):
    """stdout went away before the report was written (`fleetbot check | head -1`).
    Not an OSError: click and rich turn a broken pipe into a silent exit 1."""

    def __init__(self) -> None:
        super().__init__("the output was closed before fleetbot finished writing (broken pipe)")


@contextmanager
def _pipe_guard() -> Iterator[None]:
    try:
        yield
    except BrokenPipeError as exc:
        raise OutputClosed() from exc


class StreamWrapper(io.TextIOBase):
    """A text stream over another one that is that stream to whoever asks what it is (a
    terminal, which one, its encoding): rich and click print the same through it."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._stream, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self._stream, "errors", None) or "strict"


class GuardedStream(StreamWrapper):
    """A text stream that lets no line start a workflow command and writes a byte that
    was not UTF-8 as `\\xNN` (a strict UTF-8 stdout cannot take it). Rich writes whole
    renders; a partial line waits for its newline or a flush."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self._pending = ""
        self._at_start = True

    def write(self, text: str) -> int:
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        with _pipe_guard():
            for line in lines:
                self._stream.write(self._safe(line) + "\n")
                self._at_start = True
        return len(text)

    def _safe(self, line: str) -> str:
        from fleetbot.render.escape import controls, no_command

        return controls(no_command(line) if self._at_start else line, keep=_KEEP)

    def flush(self) -> None:
        with _pipe_guard():
            if self._pending:
                self._stream.write(self._safe(self._pending))
                self._pending, self._at_start = "", False
            self._stream.flush()


# rich's own colour codes and a tab stay; everything else not printable is escaped
_KEEP = "\x1b\t"


def out_console() -> Console:
    return _console(sys.stdout)


def err_console() -> Console:
    return _console(sys.stderr)


def _console(stream: TextIO) -> Console:
    """A rich Console on `stream` through GuardedStream (which raises OutputClosed)."""
    from rich.console import Console

    return Console(file=cast(TextIO, GuardedStream(stream)), highlight=False, soft_wrap=True)


def write_raw(stream: TextIO, text: str) -> None:
    """Write text that went through these checks before (a remembered answer) as it is."""
    with _pipe_guard():
        stream.write(text)
        stream.flush()


def emit_json(data: Any) -> None:
    """Print JSON to stdout, nothing else: valid UTF-8, no raw control character."""
    import click

    from fleetbot.render.escape import json_text

    with _pipe_guard():
        click.echo(json_text(data))


def emit_text(text: str) -> None:
    """Print plain text or Markdown to stdout without rich markup interpretation."""
    import click

    from fleetbot.render.escape import output_text

    with _pipe_guard():
        click.echo(output_text(text))
