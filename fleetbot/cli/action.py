"""`fleetbot action`: run as the GitHub Action (action.yml calls it; inputs arrive as
FLEETBOT_* environment variables, so nothing is spliced into a shell script)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from fleetbot.cli import label_prefix_option

if TYPE_CHECKING:
    from fleetbot.forge import Forge


@click.command("action")
@click.option("--plan", "plan", envvar="FLEETBOT_PLAN", default="orchestration-plan.md",
              show_default=True, help="The plan's path, read from the target branch.")
@click.option("--target", envvar="FLEETBOT_TARGET", default="", metavar="BRANCH",
              help="The branch the fleet merges into. Default: the repository's default.")
@click.option("--comment/--no-comment", envvar="FLEETBOT_COMMENT", default=True,
              show_default=True, help="Keep one sticky comment on each fleet PR.")
@click.option("--labels/--no-labels", envvar="FLEETBOT_LABELS", default=True,
              show_default=True, help="Keep the fleet labels on PRs and issues.")
@click.option("--links/--no-links", envvar="FLEETBOT_LINKS", default=True,
              show_default=True, help="Mirror `Depends on` as blocked-by issue links.")
@click.option("--strict/--no-strict", envvar="FLEETBOT_STRICT", default=False,
              show_default=True,
              help="Exit 1 when this PR has a textual/target conflict or drift.")
@label_prefix_option(envvar="FLEETBOT_LABEL_PREFIX")
@click.option("--not-in-plan", type=click.Choice(["note", "silent"]),
              envvar="FLEETBOT_NOT_IN_PLAN", default="note", show_default=True,
              help="A PR whose branch is in no row: a notice, or nothing.")
@click.option("--order-outside/--no-order-outside", envvar="FLEETBOT_ORDER_OUTSIDE",
              default=True, show_default=True,
              help="Set `fleetbot/order` to success on open PRs outside the plan, so the "
              "check is safe to require.")
@click.option("--repo", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The checkout. Default: $GITHUB_WORKSPACE, else the current folder.")
@click.option("--no-throttle", is_flag=True, hidden=True, envvar="FLEETBOT_NO_THROTTLE",
              help="Do not pace API calls (tests against a fake GitHub).")
@click.option("--dry-run", is_flag=True, envvar="FLEETBOT_DRY_RUN",
              help="Print every write it would make and make none.")
@click.option("--verify-result", envvar="FLEETBOT_VERIFY_RESULT", default="", metavar="FILE",
              help="The JSON of a `fleetbot verify` job (untrusted: validated, escaped, "
              "ignored unless its heads are the current ones).")
@click.option("--dashboard/--no-dashboard", envvar="FLEETBOT_DASHBOARD", default=False,
              show_default=True,
              help="Keep one fleet dashboard issue (labelled `<prefix>dashboard`) current.")
@click.option("--verify-workflow", envvar="FLEETBOT_VERIFY_WORKFLOW", default="",
              metavar="FILE", help="The workflow the dashboard's “verify the fan-in” box "
              "dispatches (workflow_dispatch), e.g. fleetbot-verify.yml.")
def action(
    plan: str, target: str, comment: bool, labels: bool, links: bool, strict: bool,
    label_prefix: str, not_in_plan: str, order_outside: bool, repo: Path | None,
    no_throttle: bool, dry_run: bool, verify_result: str, dashboard: bool,
    verify_workflow: str,
) -> int:
    """Run as the GitHub Action: turn this workflow's event into a fleet refresh.

    Reads GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REPOSITORY and GITHUB_API_URL;
    writes the job summary, annotations and step outputs, and (with a token that may
    write) the sticky comments, labels and the `fleetbot/order` commit statuses.
    """
    import os

    from fleetbot.action.run import ActionRun, Options
    from fleetbot.action.runner import ActionEnv, read_event
    from fleetbot.git import Git

    env = ActionEnv.from_environ()
    env.require()
    payload = read_event(env.event_path)
    where = repo or (Path(env.workspace) if env.workspace else Path.cwd())
    git = Git.discover(where)
    opts = Options(
        plan=plan, target=target, comment=comment, labels=labels, links=links, strict=strict,
        label_prefix=label_prefix, not_in_plan=not_in_plan, order_outside=order_outside,
        dry_run=dry_run, verify_result=verify_result, dashboard=dashboard,
        verify_workflow=verify_workflow,
    )

    def make_forge() -> Forge:
        from fleetbot.forge import pick_forge

        forge_env = {**os.environ, "GITHUB_TOKEN": env.token, "GITHUB_API_URL": env.api_url,
                     "GITHUB_REPOSITORY": env.repository}
        return pick_forge("github", git=git, repo=env.repository, env=forge_env,
                          throttle=not no_throttle)

    return ActionRun(env, opts, git, make_forge, payload).run().code
