"""`fleetbot action`: run as the GitHub Action (action.yml calls it; inputs arrive as
FLEETBOT_* environment variables, so nothing is spliced into a shell script)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from fleetbot.cli.options import run_options

if TYPE_CHECKING:
    from fleetbot.action.options import RunOptions
    from fleetbot.forge import Forge


@click.command("action")
@run_options(review="PR", default_target="the repository's default",
             workdir="GITHUB_WORKSPACE")
@click.option("--not-in-plan", type=click.Choice(["note", "silent"]),
              envvar="FLEETBOT_NOT_IN_PLAN", default="note", show_default=True,
              help="A PR whose branch is in no row: a notice, or nothing.")
@click.option("--order-outside/--no-order-outside", envvar="FLEETBOT_ORDER_OUTSIDE",
              default=True, show_default=True,
              help="Set `fleetbot/order` to success on open PRs outside the plan, so the "
              "check is safe to require.")
@click.option("--no-throttle", is_flag=True, hidden=True, envvar="FLEETBOT_NO_THROTTLE",
              help="Do not pace API calls (tests against a fake GitHub).")
@click.option("--verify-result", envvar="FLEETBOT_VERIFY_RESULT", default="", metavar="FILE",
              help="The JSON of a `fleetbot verify` job (untrusted: validated, escaped, "
              "ignored unless its heads are the current ones).")
@click.option("--dashboard/--no-dashboard", envvar="FLEETBOT_DASHBOARD", default=False,
              show_default=True,
              help="Keep one fleet dashboard issue (labelled `<prefix>dashboard`) current.")
@click.option("--verify-workflow", envvar="FLEETBOT_VERIFY_WORKFLOW", default="",
              metavar="FILE", help="The workflow the dashboard's “verify the fan-in” box "
              "dispatches (workflow_dispatch), e.g. fleetbot-verify.yml.")
@click.option("--time-budget", envvar="FLEETBOT_TIME_BUDGET", type=click.FloatRange(min=0),
              default=None, metavar="SECONDS",
              help="Seconds the run may take, rate-limit waits included (default 600): a "
              "longer wait gives up at once and says when the limit resets.")
def action(
    run: RunOptions, repo: Path | None, not_in_plan: str, order_outside: bool,
    no_throttle: bool, verify_result: str, dashboard: bool, verify_workflow: str,
    time_budget: float | None,
) -> int:
    """Run as the GitHub Action: turn this workflow's event into a fleet refresh.

    Reads GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REPOSITORY and GITHUB_API_URL;
    writes the job summary, annotations and step outputs, and (with a token that may
    write) the sticky comments, labels and the `fleetbot/order` commit statuses.
    """
    import os
    import time
    from dataclasses import asdict

    from fleetbot.action.run import ActionRun, Options
    from fleetbot.action.runner import ActionEnv, read_event
    from fleetbot.forge.ratelimit import DEADLINE_VAR, DEFAULT_BUDGET
    from fleetbot.git import Git

    started = time.time()  # the time budget counts from here, git work included
    env = ActionEnv.from_environ()
    env.require()
    payload = read_event(env.event_path)
    where = repo or (Path(env.workspace) if env.workspace else Path.cwd())
    git = Git.discover(where)
    opts = Options(**asdict(run), not_in_plan=not_in_plan, order_outside=order_outside,
                   verify_result=verify_result, dashboard=dashboard,
                   verify_workflow=verify_workflow)

    def make_forge() -> Forge:
        from fleetbot.forge import pick_forge

        forge_env = {**os.environ, "GITHUB_TOKEN": env.token, "GITHUB_API_URL": env.api_url,
                     "GITHUB_REPOSITORY": env.repository}
        forge_env.setdefault(DEADLINE_VAR, str(started + (
            DEFAULT_BUDGET if time_budget is None else time_budget)))
        return pick_forge("github", git=git, repo=env.repository, env=forge_env,
                          throttle=not no_throttle)

    return ActionRun(env, opts, git, make_forge, payload).run().code
