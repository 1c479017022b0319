"""`fleetbot ci`: run in a GitLab CI job (the example is docs/gitlab-ci.yml; options also
arrive as FLEETBOT_* variables, so nothing is spliced into the job's script)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from fleetbot.cli import label_prefix_option

if TYPE_CHECKING:
    from fleetbot.forge import Forge


@click.command("ci")
@click.option("--plan", "plan", envvar="FLEETBOT_PLAN", default="orchestration-plan.md",
              show_default=True, help="The plan's path, read from the target branch.")
@click.option("--target", envvar="FLEETBOT_TARGET", default="", metavar="BRANCH",
              help="The branch the fleet merges into. Default: CI_DEFAULT_BRANCH.")
@click.option("--comment/--no-comment", envvar="FLEETBOT_COMMENT", default=True,
              show_default=True, help="Keep one sticky note on each fleet MR.")
@click.option("--labels/--no-labels", envvar="FLEETBOT_LABELS", default=True,
              show_default=True, help="Keep the fleet labels on MRs and issues.")
@click.option("--links/--no-links", envvar="FLEETBOT_LINKS", default=True,
              show_default=True, help="Mirror `Depends on` as blocked-by issue links.")
@click.option("--statuses/--no-statuses", envvar="FLEETBOT_STATUSES", default=True,
              show_default=True, help="Set `fleetbot/order` on each fleet MR's head.")
@click.option("--strict/--no-strict", envvar="FLEETBOT_STRICT", default=False,
              show_default=True, help="Exit 1 when this MR has a blocking conflict.")
@label_prefix_option(envvar="FLEETBOT_LABEL_PREFIX")
@click.option("--dotenv", "dotenv_path", envvar="FLEETBOT_DOTENV", default="fleetbot.env",
              show_default=True, help="The dotenv report (artifacts:reports:dotenv).")
@click.option("--junit", "junit_path", envvar="FLEETBOT_JUNIT", default="fleetbot-junit.xml",
              show_default=True, help="The JUnit report (artifacts:reports:junit).")
@click.option("--repo", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The checkout. Default: $CI_PROJECT_DIR, else the current folder.")
@click.option("--dashboard/--no-dashboard", envvar="FLEETBOT_DASHBOARD", default=False,
              show_default=True, help="Keep one fleet dashboard issue current.")
@click.option("--dry-run", is_flag=True, envvar="FLEETBOT_DRY_RUN",
              help="Print every write it would make and make none.")
def ci(
    plan: str, target: str, comment: bool, labels: bool, links: bool, statuses: bool,
    strict: bool, label_prefix: str, dotenv_path: str, junit_path: str, repo: Path | None,
    dashboard: bool, dry_run: bool,
) -> int:
    """Run in a GitLab CI job: turn this pipeline into a fleet refresh.

    Reads CI_PIPELINE_SOURCE, CI_MERGE_REQUEST_IID, CI_MERGE_REQUEST_TARGET_BRANCH_NAME,
    CI_COMMIT_BRANCH, CI_DEFAULT_BRANCH, CI_PROJECT_PATH and CI_SERVER_URL. MR pipelines
    refresh the fleet, pushes to the default branch and schedules refresh all; the plan
    is read from the target branch and MR code is never run. Reports to the job log and
    the dotenv/JUnit artifacts; with GITLAB_TOKEN also writes notes, labels and statuses.
    """
    import os

    from fleetbot.action.gitlab_events import GitlabJob
    from fleetbot.action.gitlab_run import CiOptions, GitlabRun
    from fleetbot.git import Git

    job = GitlabJob.from_env(os.environ)
    where = repo or Path(os.environ.get("CI_PROJECT_DIR") or Path.cwd())
    git = Git.discover(where)
    opts = CiOptions(plan=plan, target=target, comment=comment, labels=labels, links=links,
                     statuses=statuses, strict=strict, label_prefix=label_prefix,
                     dry_run=dry_run, dotenv=dotenv_path, junit=junit_path,
                     dashboard=dashboard)

    def make_forge() -> Forge:
        from fleetbot.forge import pick_forge

        return pick_forge("gitlab", git=git, repo=job.project, gitlab_url=job.server)

    return GitlabRun(job, opts, git, make_forge, workdir=where).run().code
