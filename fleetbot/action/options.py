"""What a CI run is asked to do: the inputs the GitHub Action (`fleetbot action`) and the
GitLab job (`fleetbot ci`) share, declared once. Each run adds only its own extras
(`action.run.Options`, `action.gitlab_run.CiOptions`); the click side is
`fleetbot.cli.options.run_options`."""

from __future__ import annotations

from fleetbot import DEFAULT_PLAN
from fleetbot.frozen import frozen


@frozen
class RunOptions:
    plan: str = DEFAULT_PLAN
    target: str = ""
    comment: bool = True
    labels: bool = True
    links: bool = True
    strict: bool = False
    label_prefix: str = "fleet:"
    dry_run: bool = False
