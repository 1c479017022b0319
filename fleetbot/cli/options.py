"""Option stacks shared by several commands.

`run_options` is the inputs `fleetbot action` (GitHub) and `fleetbot ci` (GitLab) share:
the same flags and FLEETBOT_* variables, declared once, handed to the command as one
`RunOptions` (the command adds its own extras next to it).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

import click

from fleetbot import DEFAULT_PLAN
from fleetbot.action.options import RunOptions
from fleetbot.cli import label_prefix_option

F = TypeVar("F", bound=Callable[..., Any])

_SHARED = tuple(f.name for f in fields(RunOptions))


def run_options(*, review: str, default_target: str, workdir: str) -> Callable[[F], F]:
    """The shared CI inputs; `review` names a PR or MR, `default_target` where the default
    target comes from, `workdir` the variable that names the checkout."""
    stack = [
        click.option("--plan", "plan", envvar="FLEETBOT_PLAN", default=DEFAULT_PLAN,
                     show_default=True, help="The plan's path, read from the target branch."),
        click.option("--target", envvar="FLEETBOT_TARGET", default="", metavar="BRANCH",
                     help=f"The branch the fleet merges into. Default: {default_target}."),
        click.option("--comment/--no-comment", envvar="FLEETBOT_COMMENT", default=True,
                     show_default=True,
                     help=f"Keep one sticky {'comment' if review == 'PR' else 'note'} on "
                     f"each fleet {review}."),
        click.option("--labels/--no-labels", envvar="FLEETBOT_LABELS", default=True,
                     show_default=True, help=f"Keep the fleet labels on {review}s and issues."),
        click.option("--links/--no-links", envvar="FLEETBOT_LINKS", default=True,
                     show_default=True, help="Mirror `Depends on` as blocked-by issue links."),
        click.option("--strict/--no-strict", envvar="FLEETBOT_STRICT", default=False,
                     show_default=True,
                     help=f"Exit 1 when this {review}'s own landing is blocked: it is stale, "
                     "the replayed fan-in stops at its step, or it drifts."),
        label_prefix_option(envvar="FLEETBOT_LABEL_PREFIX"),
        click.option("--repo", type=click.Path(file_okay=False, path_type=Path), default=None,
                     help=f"The checkout. Default: ${workdir}, else the current folder."),
        click.option("--dry-run", is_flag=True, envvar="FLEETBOT_DRY_RUN",
                     help="Print every write it would make and make none."),
    ]

    def decorate(command: F) -> F:
        @functools.wraps(command)
        def gathered(**kw: Any) -> Any:
            shared = RunOptions(**{name: kw.pop(name) for name in _SHARED})
            return command(run=shared, **kw)

        wrapped: Any = gathered
        for option in reversed(stack):
            wrapped = option(wrapped)
        return wrapped  # type: ignore[no-any-return]

    return decorate
