"""The forge boundary: one small `Forge` protocol, and `pick_forge` to choose an adapter.

Only adapter-neutral types cross this line (`model.PullFacts`, `forge.state.ForgeState`,
`forge.state.Action`); no PyGithub or python-gitlab object leaks out. Importing this
package imports neither library: `pick_forge` imports the one adapter it returns.
Tokens are read from the environment only and are never printed or put in an error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from fleetbot.errors import ForgeError, UsageError
from fleetbot.forge.types import (
    MARKER,
    Action,
    ActionKind,
    Applied,
    DashboardIssue,
    ForgeState,
    IssueSummary,
    StickyComment,
)
from fleetbot.frozen import frozen

if TYPE_CHECKING:
    from fleetbot.git import Git
    from fleetbot.model import CommitStatus, PullFacts

__all__ = [
    "MARKER",
    "Action",
    "ActionKind",
    "Applied",
    "Forge",
    "ForgeError",
    "ForgeState",
    "IssueSummary",
    "Remote",
    "StickyComment",
    "parse_remote_url",
    "pick_forge",
    "read_state",
    "redact",
]

KINDS = ("github", "gitlab", "local", "auto")


@runtime_checkable
class Forge(Protocol):
    """What fleetbot needs from a code host. Reads return facts; writes go through `apply`."""

    kind: str  # "github" | "gitlab" | "local"
    repo: str  # "owner/name" or GitLab's "group/sub/project"; "" for local

    @property
    def web_url(self) -> str:
        """The repository's web page (for links people click); "" where there is none."""
        ...

    @property
    def can_write(self) -> bool:
        """A token is present (whether it may write is only known when a write is refused)."""
        ...

    def state(
        self, issues: Iterable[int] = (), *, label_prefix: str = "fleet:",
        branches: Iterable[str] = (), links: bool = True,
        planned_links: Mapping[int, frozenset[int]] | None = None,
    ) -> ForgeState:
        """Every open PR/MR (CI, review, labels, sticky comment, fleetbot's statuses), the
        merged PR of each of `branches` however long ago, the fleet labels and, for
        `issues`, their labels and (with `links`) blocked-by dependencies. With
        `planned_links` (issue -> what the plan says blocks it) a forge whose counts show
        exactly those links may take them as read. A missing issue or a forge without
        dependencies is a note in the state, not an error."""
        ...

    def pull(self, number: int) -> PullFacts:
        """One PR/MR by number, open or not; ForgeError when it does not exist."""
        ...

    def pull_files(self, number: int) -> tuple[str, ...]:
        """The paths a PR/MR changes (used for unplanned PRs only)."""
        ...

    def find_comment(self, number: int) -> StickyComment | None:
        """fleetbot's comment on PR/MR `number`, re-read now (before creating one)."""
        ...

    def can_push(self, login: str) -> bool:
        """Has `login` write access to the repository? (Who may act from the dashboard.)"""
        ...

    def find_dashboard(self, label: str) -> DashboardIssue | None:
        """fleetbot's own open dashboard issue (labelled `label`, with the dashboard marker,
        written by the token's identity), re-read now; None when there is none (or the
        forge has no dashboard: GitLab and local)."""
        ...

    def commit_statuses(self, shas: Iterable[str], context: str) -> Mapping[str, CommitStatus]:
        """sha -> the latest status `context` on that commit; a sha with none is absent.
        For heads `state()` did not cover (a merge queue's commit)."""
        ...

    def apply(self, actions: Sequence[Action]) -> Applied:
        """Carry out `actions` in order (statuses included) through the one apply loop;
        a refused write is in the answer, not raised, so independent writes still happen."""
        ...

    def open_issues(
        self, *, labels: Sequence[str] = (), limit: int = 100
    ) -> tuple[IssueSummary, ...]:
        """Open issues (never PRs/MRs), oldest first, with every label in `labels`; at
        most `limit`. Used by `plan init --from-forge`."""
        ...


def read_state(
    forge: Forge, issues: Iterable[int] = (), *, label_prefix: str = "fleet:"
) -> ForgeState:
    """`forge.state()` for read-only commands: without a token a refused read is not an
    error but a note saying what was skipped (facts then come from git alone)."""
    try:
        return forge.state(issues, label_prefix=label_prefix)
    except ForgeError as exc:
        if forge.can_write:
            raise
        var = "GITHUB_TOKEN" if forge.kind == "github" else "GITLAB_TOKEN"
        first = str(exc).splitlines()[0]
        return ForgeState(notes=(f"PRs, CI and labels skipped: no {var} ({first})",))


def with_statuses(forge: Forge, state: ForgeState, shas: Iterable[str],
                  context: str) -> ForgeState:
    """`state` with the `context` statuses of `shas` it did not read yet (GitHub reads
    open heads with the refresh; a merge queue's head, or GitLab, needs this call)."""
    from dataclasses import replace

    missing = [s for s in dict.fromkeys(shas) if s and s not in state.status_heads]
    if not missing:
        return state
    found = forge.commit_statuses(missing, context)
    return replace(state, statuses=state.statuses + tuple(found.values()),
                   status_heads=state.status_heads | frozenset(missing))


# ---------------------------------------------------------------- tokens


GITHUB_TOKEN_VARS = ("GITHUB_TOKEN", "GH_TOKEN")
GITLAB_TOKEN_VARS = ("GITLAB_TOKEN", "CI_JOB_TOKEN")


def token_from_env(kind: str, env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """(token, variable name) for `kind`; ("", "") when none is set. Never logged."""
    env = os.environ if env is None else env
    names = GITHUB_TOKEN_VARS if kind == "github" else GITLAB_TOKEN_VARS
    for name in names:
        value = env.get(name, "").strip()
        if value:
            return value, name
    return "", ""


def redact(text: str, secrets: Sequence[str]) -> str:
    """`text` with every secret (and any `token ...`/`Bearer ...` header value) masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return re.sub(r"(?i)\b(token|bearer)\s+[A-Za-z0-9_\-.]{8,}", r"\1 ***", text)


# ---------------------------------------------------------------- remotes


@frozen
class Remote:
    """Where a remote URL points: the host kind, its host and the project path."""

    kind: str  # github | gitlab
    host: str
    path: str  # owner/name


def parse_remote_url(url: str) -> Remote | None:
    """`git@github.com:o/r.git`, `https://gitlab.example.com/g/s/p` -> Remote; else None.

    A host with "gitlab" in its name is GitLab; github.com or a host with "github" is
    GitHub; anything else is unknown (pass --forge).
    """
    from fleetbot.git.remote import url_host_path

    found = url_host_path(url)
    if found is None:
        return None
    host, path = found
    if "gitlab" in host:
        return Remote("gitlab", host, path)
    if "github" in host:
        return Remote("github", host, path)
    return None


# ---------------------------------------------------------------- choosing


def pick_forge(
    kind: str = "auto",
    *,
    git: Git | None = None,
    repo: str | None = None,
    gitlab_url: str | None = None,
    env: Mapping[str, str] | None = None,
    throttle: bool = True,
) -> Forge:
    """The adapter for `kind` (github|gitlab|local|auto).

    auto: GITHUB_REPOSITORY -> GitHub, CI_PROJECT_PATH -> GitLab, else the `origin` remote
    URL, else local. The API base comes from GITHUB_API_URL (GitHub Enterprise Server) or
    --gitlab-url / CI_SERVER_URL. `repo` overrides the detected owner/name. Without a token
    the adapter still reads public data; writes then fail with a clear ForgeError.
    FLEETBOT_NO_THROTTLE=1 turns GitHub's pacing off (tests against a fake GitHub).
    """
    env = os.environ if env is None else env
    throttle = throttle and env.get("FLEETBOT_NO_THROTTLE", "") in ("", "0", "false")
    if kind not in KINDS:
        raise UsageError(f"unknown forge {kind!r}: use one of {', '.join(KINDS)}")
    remote = None
    if kind != "local" and git is not None:
        from fleetbot.git.remote import origin_url

        remote = parse_remote_url(origin_url(git))
    if kind == "auto":
        if env.get("GITHUB_REPOSITORY"):
            kind = "github"
        elif env.get("CI_PROJECT_PATH"):
            kind = "gitlab"
        elif remote is not None:
            kind = remote.kind
        else:
            kind = "local"
    if kind == "local":
        from fleetbot.forge.local import LocalForge

        return LocalForge()
    path = repo or _repo_path(kind, env, remote)
    token, token_var = token_from_env(kind, env)
    from fleetbot.forge.ratelimit import Deadline

    deadline = Deadline.from_env(env)  # FLEETBOT_DEADLINE / FLEETBOT_TIME_BUDGET
    if kind == "github":
        from fleetbot.forge.github import GithubForge

        api = env.get("GITHUB_API_URL") or _github_api_for(remote)
        # the workflow job fleetbot runs in is a check run on the PR: it is not CI
        own = tuple(x for x in (env.get("GITHUB_JOB"), env.get("FLEETBOT_JOB_NAME")) if x)
        return GithubForge(path, token=token, base_url=api, throttle=throttle, own_checks=own,
                           deadline=deadline)
    from fleetbot.forge.gitlab import GitlabForge

    url = gitlab_url or env.get("CI_SERVER_URL") or (
        f"https://{remote.host}" if remote is not None and remote.kind == "gitlab"
        else "https://gitlab.com"
    )
    job_token = token if token_var == "CI_JOB_TOKEN" else ""
    return GitlabForge(path, url=url, token="" if job_token else token, job_token=job_token,
                       deadline=deadline)


def _repo_path(kind: str, env: Mapping[str, str], remote: Remote | None) -> str:
    var = "GITHUB_REPOSITORY" if kind == "github" else "CI_PROJECT_PATH"
    if env.get(var):
        return env[var]
    if remote is not None:
        return remote.path
    raise UsageError(
        f"cannot tell which {kind} repository this is: set {var} or add an `origin` remote"
    )


def _github_api_for(remote: Remote | None) -> str:
    """api.github.com for github.com; `https://HOST/api/v3` for a GitHub Enterprise host."""
    if remote is None or remote.host in ("github.com", "www.github.com"):
        return "https://api.github.com"
    return f"https://{remote.host}/api/v3"
