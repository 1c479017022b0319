"""The GitHub Actions runner environment: what a step reads and writes.

Everything the runner gives a step arrives in environment variables and files; everything a
step says back goes to files (`$GITHUB_OUTPUT`, `$GITHUB_STEP_SUMMARY`) or to stdout as
workflow commands (`::warning file=...::`, `::add-mask::`). This module is that boundary and
nothing else, so the event logic in `fleetbot.action.events` stays pure. Workflow commands
are formatted (pure) in `fleetbot.render.workflow`; only the small `write_*`/`emit` functions
here touch files or stdout.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from fleetbot.errors import UsageError
from fleetbot.frozen import frozen
from fleetbot.render.escape import no_command, terminal_lines


@frozen
class ActionEnv:
    """The variables a workflow step gets from the runner (only the ones fleetbot reads)."""

    event_name: str = ""
    event_path: str = ""
    repository: str = ""  # owner/name
    api_url: str = "https://api.github.com"
    server_url: str = "https://github.com"
    workspace: str = ""
    step_summary: str = ""
    output: str = ""
    token: str = ""
    run_url: str = ""
    ref: str = ""  # GITHUB_REF: for scheduled and comment runs, the default branch

    @property
    def branch(self) -> str:
        """GITHUB_REF's branch name, "" when it names no branch (a tag, a PR merge ref)."""
        return self.ref.removeprefix("refs/heads/") if self.ref.startswith("refs/heads/") else ""

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> ActionEnv:
        """The runner's variables; the token: FLEETBOT_TOKEN, INPUT_TOKEN or GITHUB_TOKEN."""
        env = os.environ if environ is None else environ
        server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
        repo = env.get("GITHUB_REPOSITORY", "")
        run_id = env.get("GITHUB_RUN_ID", "")
        return cls(
            event_name=env.get("GITHUB_EVENT_NAME", ""),
            event_path=env.get("GITHUB_EVENT_PATH", ""),
            repository=repo,
            api_url=env.get("GITHUB_API_URL", "https://api.github.com").rstrip("/"),
            server_url=server,
            workspace=env.get("GITHUB_WORKSPACE", ""),
            step_summary=env.get("GITHUB_STEP_SUMMARY", ""),
            output=env.get("GITHUB_OUTPUT", ""),
            token=(env.get("FLEETBOT_TOKEN") or env.get("INPUT_TOKEN")
                   or env.get("GITHUB_TOKEN") or ""),
            run_url=f"{server}/{repo}/actions/runs/{run_id}" if repo and run_id else "",
            ref=env.get("GITHUB_REF", ""),
        )

    def require(self) -> None:
        """Fail with one clear message when not run inside a workflow."""
        missing = [name for name, value in (
            ("GITHUB_EVENT_NAME", self.event_name),
            ("GITHUB_EVENT_PATH", self.event_path),
            ("GITHUB_REPOSITORY", self.repository),
        ) if not value]
        if missing:
            raise UsageError(
                f"`fleetbot action` runs inside a GitHub Actions workflow; {', '.join(missing)}"
                " not set. Locally, use `fleetbot check` or set them to replay an event."
            )


def read_event(path: str) -> dict[str, Any]:
    """The webhook payload the runner saved at GITHUB_EVENT_PATH."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsageError(f"GITHUB_EVENT_PATH {path}: no such file") from exc
    except (OSError, ValueError) as exc:
        raise UsageError(f"GITHUB_EVENT_PATH {path}: not a JSON event payload ({exc})") from exc
    if not isinstance(data, dict):
        raise UsageError(f"GITHUB_EVENT_PATH {path}: the payload is not a JSON object")
    return data


def emit(line: str, stream: TextIO | None = None) -> None:
    """Write one workflow command (made by `command`) to stdout, where the runner reads
    them. Nothing else goes out this way: a command is one line by construction."""
    if "\n" in line or "\r" in line:
        raise ValueError("a workflow command is one line")
    out = stream or sys.stdout
    out.write(line + "\n")
    out.flush()


def log_text(text: str) -> str:
    """A log message as the runner will show it, never obeyed: controls escaped, no
    `::` run, and no line that could start a workflow command."""
    return "\n".join(no_command(line) for line in terminal_lines(text.rstrip("\n")).split("\n"))


def log(text: str, stream: TextIO | None = None) -> None:
    """Write a message to stderr (the runner reads workflow commands there too)."""
    err = stream or sys.stderr
    err.write(log_text(text) + "\n")
    err.flush()


# ---------------------------------------------------------------- files


def format_outputs(values: Mapping[str, str], *, delimiter: str | None = None) -> str:
    """Step outputs in the multi-line `name<<DELIMITER` syntax, one random delimiter per run.

    The delimiter is random so a value cannot end the block early and inject outputs; a
    value that contains it anyway is refused.
    """
    mark = delimiter or f"ghadelimiter_{secrets.token_hex(16)}"
    lines = []
    for name, value in values.items():
        if mark in name or mark in value:
            raise ValueError("an output contains the delimiter")
        if "\n" in name or "<<" in name:
            raise ValueError(f"bad output name {name!r}")
        lines.append(f"{name}<<{mark}\n{value}\n{mark}\n")
    return "".join(lines)


def write_outputs(path: str, values: Mapping[str, str]) -> None:
    """Append outputs to $GITHUB_OUTPUT (nothing when it is not set)."""
    _append(path, format_outputs(values), "GITHUB_OUTPUT")


def append_summary(path: str, markdown: str) -> None:
    """Append Markdown to the job summary ($GITHUB_STEP_SUMMARY; nothing when unset)."""
    _append(path, markdown.rstrip("\n") + "\n", "GITHUB_STEP_SUMMARY")


def _append(path: str, text: str, name: str) -> None:
    """One append in one write; a full disk or a missing folder is a clear UsageError.
    Text is written with surrogateescape: a non-UTF-8 path goes back out as its bytes."""
    if not path:
        return
    data = text.encode("utf-8", "surrogateescape")
    try:
        with open(path, "ab") as fh:
            fh.write(data)
    except OSError as exc:
        raise UsageError(f"cannot write {name} ({path}): {exc.strerror or exc}") from exc
