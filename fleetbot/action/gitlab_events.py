"""GitLab CI's pipeline -> what to refresh. Pure: the job's predefined variables in, the
same `Refresh` the GitHub Action decides (action/events.py) out.

GitLab starts a pipeline from a source (`CI_PIPELINE_SOURCE`,
https://docs.gitlab.com/ee/ci/jobs/job_rules.html#ci_pipeline_source-predefined-variable):

- `merge_request_event`: an MR pipeline; the fleet around that MR changed, if it targets
  the fleet's branch;
- `push` to the default branch (or the fleet's target): the target moved under every MR;
- `schedule`, `web`, `api`, `trigger`: a scheduled or manual run refreshes everything;
- anything else (a push to another branch, a tag, a child pipeline): ignored, with a
  notice saying why.
"""

from __future__ import annotations

from collections.abc import Mapping

from fleetbot.action.events import Refresh, Scope
from fleetbot.errors import UsageError
from fleetbot.frozen import frozen
from fleetbot.model import fork_head

REFRESH_ALL = frozenset({"schedule", "web", "api", "trigger"})


@frozen
class GitlabJob:
    """The predefined variables fleetbot reads (docs.gitlab.com/ee/ci/variables/
    predefined_variables.html)."""

    source: str  # CI_PIPELINE_SOURCE
    project: str  # CI_PROJECT_PATH
    server: str = "https://gitlab.com"  # CI_SERVER_URL
    default_branch: str = ""  # CI_DEFAULT_BRANCH
    branch: str = ""  # CI_COMMIT_BRANCH (unset in MR and tag pipelines)
    tag: str = ""  # CI_COMMIT_TAG
    mr_iid: int = 0  # CI_MERGE_REQUEST_IID
    mr_source: str = ""  # CI_MERGE_REQUEST_SOURCE_BRANCH_NAME
    mr_target: str = ""  # CI_MERGE_REQUEST_TARGET_BRANCH_NAME
    mr_project: str = ""  # CI_MERGE_REQUEST_PROJECT_PATH (the MR's target project)
    mr_source_project: str = ""  # CI_MERGE_REQUEST_SOURCE_PROJECT_PATH (a fork's, or it)
    job_url: str = ""  # CI_JOB_URL

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> GitlabJob:
        """The job's variables; a UsageError outside GitLab CI (no CI_PIPELINE_SOURCE)."""
        missing = [v for v in ("CI_PIPELINE_SOURCE", "CI_PROJECT_PATH") if not env.get(v)]
        if missing:
            raise UsageError(
                f"`fleetbot ci` runs in a GitLab CI job: {' and '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not set (outside GitLab CI, use "
                "`fleetbot sync --forge gitlab`)")
        iid = env.get("CI_MERGE_REQUEST_IID", "").strip()
        if iid and not iid.isdigit():
            raise UsageError(f"CI_MERGE_REQUEST_IID is not a number: {iid!r}")
        return cls(
            source=env["CI_PIPELINE_SOURCE"], project=env["CI_PROJECT_PATH"],
            server=env.get("CI_SERVER_URL") or "https://gitlab.com",
            default_branch=env.get("CI_DEFAULT_BRANCH", ""),
            branch=env.get("CI_COMMIT_BRANCH", ""), tag=env.get("CI_COMMIT_TAG", ""),
            mr_iid=int(iid or 0), mr_source=env.get("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", ""),
            mr_target=env.get("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", ""),
            mr_project=env.get("CI_MERGE_REQUEST_PROJECT_PATH", ""),
            mr_source_project=env.get("CI_MERGE_REQUEST_SOURCE_PROJECT_PATH", ""),
            job_url=env.get("CI_JOB_URL", ""),
        )


def decide_gitlab(job: GitlabJob, *, target: str = "") -> Refresh:
    """Turn one pipeline into a Refresh. `target`: the fleet's branch ("" = the default)."""
    want = target or job.default_branch
    source = job.source
    if source == "merge_request_event":
        about = Refresh(source, pull=job.mr_iid, branch=job.mr_source, base=job.mr_target)
        if want and job.mr_target and job.mr_target != want:
            return _ignore(about, f"MR !{job.mr_iid} targets `{job.mr_target}`, not the "
                           f"fleet's target `{want}`: ignored.")
        # a fork's MR pipeline runs in the fork, without the project's variables
        in_fork = bool(job.mr_project) and job.mr_project != job.project
        # run in the parent project or not, a fork's MR never stands for a row
        source_project = job.mr_source_project or job.mr_project
        fork = in_fork or bool(job.mr_project and source_project != job.mr_project)
        branch = fork_head(source_project.rpartition("/")[0] or source_project,
                           job.mr_source) if fork else job.mr_source
        return Refresh(source, scope=Scope.ALL, pull=job.mr_iid, branch=branch,
                       base=job.mr_target, read_only=in_fork,
                       notice=f"MR !{job.mr_iid} pipeline: refreshing the fleet.")
    if source == "push":
        if job.tag or not job.branch:
            return _ignore(Refresh(source), "a tag pipeline: nothing for fleetbot to do.")
        if job.branch != want:
            return _ignore(Refresh(source, base=job.branch),
                           f"push to `{job.branch}`, not the fleet's target `{want}`: MR "
                           "pipelines refresh the fleet; ignored.")
        return Refresh(source, scope=Scope.ALL, base=job.branch,
                       notice=f"push to `{job.branch}`: refreshing the fleet.")
    if source in REFRESH_ALL:
        return Refresh(source, scope=Scope.ALL, base=want,
                       notice=f"{source} pipeline: refreshing the fleet.")
    return _ignore(Refresh(source), f"fleetbot ignores `{source}` pipelines.")


def _ignore(about: Refresh, notice: str) -> Refresh:
    from dataclasses import replace

    return replace(about, scope=Scope.IGNORE, notice=notice)
