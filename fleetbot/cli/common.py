"""Helpers shared by the commands: where the repo and plan are, and how output goes out.

JSON goes to stdout alone; messages go to stderr. Rich honours NO_COLOR and only
colours a terminal.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from fleetbot.git import Git
    from fleetbot.model import Plan

DEFAULT_PLAN = "orchestration-plan.md"


def find_repo(repo: Path | None) -> Git:
    """The git repository named by --repo, else the one around the current folder."""
    from fleetbot.git import Git

    return Git.discover(repo if repo is not None else Path.cwd())


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


def out_console() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def err_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def emit_json(data: Any) -> None:
    """Print JSON to stdout, nothing else."""
    import click

    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def emit_text(text: str) -> None:
    """Print plain text or Markdown to stdout without rich markup interpretation."""
    import click

    click.echo(text)
