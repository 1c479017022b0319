"""Reading what the Action trusts from the remote: the target's plan and PR heads as objects.

The Action never checks out a PR: it fetches each head as `refs/pull/N/head` (which works
for forks too and keeps a contributor's branch name out of every git command) into
fleetbot's own ref namespace, and reads files only from the target branch. All of it goes
through `Git.run`, arguments as a list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from fleetbot.errors import GitError, PlanError
from fleetbot.git import Git, output_lines
from fleetbot.git.facts import as_text, read_objects
from fleetbot.plan.refname import branch_name_problem

PULL_NAMESPACE = "refs/fleetbot/pull"


def pull_ref(number: int) -> str:
    """Where fleetbot keeps PR `number`'s head: `refs/fleetbot/pull/<n>`."""
    return f"{PULL_NAMESPACE}/{int(number)}"


def remote_names(git: Git) -> tuple[str, ...]:
    """The repository's remotes (remembered: git/__init__.py)."""
    return git.memo(("remotes",), lambda: tuple(git.run("remote").split()))


def has_remote(git: Git, remote: str = "origin") -> bool:
    return remote in remote_names(git)


_URL = re.compile(
    r"^(?:(?:https?|ssh|git)://(?:[^@/]+@)?(?P<h1>[^/:]+)(?::\d+)?/"
    r"|(?:[^@/]+@)?(?P<h2>[^/:]+):)(?P<path>.+?)(?:\.git)?/?$"
)


def url_host_path(url: str) -> tuple[str, str] | None:
    """`git@github.com:o/r.git`, `https://gitlab.example.com/g/s/p` -> (host, "o/r"); None
    for a URL with no owner/name path (a local folder, a bare name)."""
    m = _URL.match(url.strip())
    if not m:
        return None
    host = (m.group("h1") or m.group("h2") or "").lower()
    path = m.group("path").strip("/")
    return (host, path) if "/" in path else None


def origin_url(git: Git) -> str:
    """origin's URL ("" without one), asked once while the repository is unchanged: the
    forge is picked by it and issue refs are read against it in the same command."""

    def read() -> str:
        proc = git.run_full("remote", "get-url", "origin", check=False)
        return proc.stdout.strip() if proc.returncode == 0 else ""

    return git.memo(("origin-url",), read)


def origin_path(git: Git) -> str:
    """This repository's `owner/name` as origin's URL says it ("" without one): what an
    issue ref of this repository may be written with (`owner/name#42`)."""
    found = url_host_path(origin_url(git))
    return found[1] if found else ""


def check_branch_name(branch: str) -> str:
    """`branch` if git accepts it as a branch name, else a GitError (no option injection):
    git's rules as plan/refname.py keeps them (tested against `check-ref-format`)."""
    if not branch or branch.startswith("-"):
        raise GitError(f"not a branch name: {branch!r}", hint="pass --target BRANCH")
    if branch_name_problem(branch):
        raise GitError(f"not a valid branch name: {branch!r}", hint="pass --target BRANCH")
    return branch


def fetch_target(git: Git, branch: str, remote: str = "origin") -> str:
    """Fetch `branch` into `refs/remotes/<remote>/<branch>`; return that ref."""
    check_branch_name(branch)
    ref = f"refs/remotes/{remote}/{branch}"
    git.run(
        "fetch", "--quiet", "--no-tags", "--no-recurse-submodules", remote,
        f"+refs/heads/{branch}:{ref}",
        error=f"could not fetch the target branch {branch!r} from {remote}",
        hint="check the `target` input and that the workflow checks out with fetch-depth: 0",
    )
    return f"{remote}/{branch}"


def fetch_pulls(git: Git, numbers: Iterable[int], remote: str = "origin", *,
                head: str = "refs/pull/{n}/head") -> dict[int, str]:
    """Fetch each PR's head as `refs/pull/N/head` (GitLab: `head` is
    `refs/merge-requests/{n}/head`) into `refs/fleetbot/pull/N`.

    Returns number -> head commit for the ones fetched. One fetch for all; if that fails
    (a PR whose ref is gone), each is tried alone and the missing ones are left out.
    """
    wanted = sorted({int(n) for n in numbers if int(n) > 0})
    if not wanted:
        return {}
    specs = [f"+{head.format(n=n)}:{pull_ref(n)}" for n in wanted]
    base = ["fetch", "--quiet", "--no-tags", "--no-recurse-submodules", remote]
    proc = git.run_full(*base, *specs, check=False)
    if proc.returncode != 0:
        for spec in specs:
            git.run_full(*base, spec, check=False)
    found = dict(line.split(" ")[::-1] for line in output_lines(git.run(
        "for-each-ref", "--format=%(objectname) %(refname)", f"{PULL_NAMESPACE}/"))
        if " " in line)
    return {n: found[pull_ref(n)] for n in wanted if pull_ref(n) in found}


def show_file(git: Git, ref: str, path: str) -> str | None:
    """The text of `path` at commit `ref`, or None when no file is there (one process)."""
    (found,) = read_objects(git, [f"{ref}:{path.lstrip('/')}"])
    return as_text(found[1]) if found is not None and found[0] == "blob" else None


def read_plan_text(git: Git, ref: str, path: str) -> str:
    """The plan as committed on the target: never the PR's copy, never the worktree's.
    The target and the file are asked in one process."""
    commit, found = read_objects(git, [f"{ref}^{{commit}}", f"{ref}:{path.lstrip('/')}"])
    if commit is None:
        raise GitError(f"the target {ref!r} is not in this clone",
                       hint="check out with fetch-depth: 0, or pass --target")
    if found is None or found[0] != "blob":
        raise PlanError(
            f"no plan at {path} on {ref}", file=path,
            hint=f"commit the plan to the target branch, or set the `plan` input "
            f"(the Action reads it from {ref}, never from the PR)",
        )
    return as_text(found[1])


def pin_heads(git: Git, heads: dict[str, str], remote: str = "origin") -> None:
    """Point `refs/remotes/<remote>/<branch>` at each PR's fetched head.

    The branch names are the plan's (read from the target, so trusted); the commits are
    the PRs' heads as GitHub keeps them, so a fork's PR — whose branch is not on origin —
    is analysed like any other, and every row is read at exactly the commit whose status
    fleetbot sets.
    """
    for branch in heads:
        check_branch_name(branch)
    if heads:
        git.run("update-ref", "--stdin", input="".join(
            f"update refs/remotes/{remote}/{branch} {sha}\n"
            for branch, sha in sorted(heads.items())),
            error="could not record the PRs' heads")
