"""`fleetbot ci`: run in a GitLab CI job (the example is docs/gitlab-ci.yml; options also
arrive as FLEETBOT_* variables, so nothing is spliced into the job's script)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from fleetbot.cli.options import run_options

if TYPE_CHECKING:
    from fleetbot.action.options import RunOptions
    from fleetbot.forge import Forge


@click.command("ci")
@run_options(review="MR", default_target="CI_DEFAULT_BRANCH", workdir="CI_PROJECT_DIR")
@click.option("--statuses/--no-statuses", envvar="FLEETBOT_STATUSES", default=True,
              show_default=True, help="Set `fleetbot/order` on each fleet MR's head.")
@click.option("--dotenv", "dotenv_path", envvar="FLEETBOT_DOTENV", default="fleetbot.env",
              show_default=True, help="The dotenv report (artifacts:reports:dotenv).")
@click.option("--junit", "junit_path", envvar="FLEETBOT_JUNIT", default="fleetbot-junit.xml",
              show_default=True, help="The JUnit report (artifacts:reports:junit).")
@click.option("--dashboard/--no-dashboard", envvar="FLEETBOT_DASHBOARD", default=False,
              show_default=True, help="Keep one fleet dashboard issue current.")
@click.option("--verify-result", envvar="FLEETBOT_VERIFY_RESULT", default="", metavar="FILE",
              help="The JSON of the `fleetbot-verify` job (untrusted: validated, escaped, "
              "ignored unless its heads are the current ones).")
def ci(
    run: RunOptions, repo: Path | None, statuses: bool, dotenv_path: str, junit_path: str,
    dashboard: bool, verify_result: str,
) -> int:
    """Run in a GitLab CI job: turn this pipeline into a fleet refresh.

    Reads CI_PIPELINE_SOURCE, CI_MERGE_REQUEST_IID, CI_MERGE_REQUEST_TARGET_BRANCH_NAME,
    CI_COMMIT_BRANCH, CI_DEFAULT_BRANCH, CI_PROJECT_PATH and CI_SERVER_URL. MR pipelines
    refresh the fleet, pushes to the default branch and schedules refresh all; the plan
    is read from the target branch and MR code is never run. Reports to the job log and
    the dotenv/JUnit artifacts; with GITLAB_TOKEN also writes notes, labels and statuses.
    """
    import os
    from dataclasses import asdict

    from fleetbot.action.gitlab_events import GitlabJob
    from fleetbot.action.gitlab_run import CiOptions, GitlabRun
    from fleetbot.git import Git

    job = GitlabJob.from_env(os.environ)
    where = repo or Path(os.environ.get("CI_PROJECT_DIR") or Path.cwd())
    git = Git.discover(where)
    opts = CiOptions(**asdict(run), statuses=statuses, dotenv=dotenv_path, junit=junit_path,
                     dashboard=dashboard, verify_result=verify_result)

    def make_forge() -> Forge:
        from fleetbot.forge import pick_forge

        return pick_forge("gitlab", git=git, repo=job.project, gitlab_url=job.server)

    return GitlabRun(job, opts, git, make_forge, workdir=where).run().code
