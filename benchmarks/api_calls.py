"""How many GitHub API requests one refresh of a fleet costs, counted through `responses`.

    python benchmarks/api_calls.py          # prints a Markdown table

fleetbot's refresh (every open PR with head ref, draft, review decision, labels, CI
rollup and the sticky comment) against the naive REST walk that lists the PRs and then,
per PR, reads its check runs, its combined status, its comments and its labels (1 + 4N).
Both run against the same fake GitHub (tests/fakegithub.py), which validates every
request and response against GitHub's published schemas.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import requests
import responses

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fleetbot.forge.github import GithubForge
from tests.fakegithub import MARKER, FakeGithub, check
from tests.fakeserver import mount

SIZES = (5, 30, 100)


def fleet(rsps: responses.RequestsMock, n: int) -> FakeGithub:
    gh = mount(FakeGithub(), rsps)
    for i in range(1, n + 1):
        gh.add_pull(i, f"feat/{i}", sha=f"{i:040x}", checks=[check("test"), check("lint")])
        gh.labels[i] = ["fleet:running"]
        gh.add_comment(i, f"{MARKER}\nreport {i}")
    return gh


def fleetbot_refresh(n: int) -> int:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        gh = fleet(rsps, n)
        state = GithubForge("octo/fleet", token="t", throttle=False).state()
        assert len(state.pulls) == n and len(state.comments) == n
        return len(gh.requests)


def sync_reads(n: int) -> int:
    """What `fleetbot sync` reads: the refresh plus the plan issues' labels and blocked-by
    links (GitHub's GraphQL schema has no issue dependencies yet: one REST call each)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        gh = fleet(rsps, n)
        gh.issues.update(range(1, n + 1))
        GithubForge("octo/fleet", token="t", throttle=False).state(issues=range(1, n + 1))
        return len(gh.requests)


def naive_rest_walk(n: int) -> int:
    base = "https://api.github.com/repos/octo/fleet"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        gh = fleet(rsps, n)
        s = requests.Session()
        pulls = s.get(f"{base}/pulls", params={"per_page": 100}).json()
        for p in pulls:
            sha = p["head"]["sha"]
            s.get(f"{base}/commits/{sha}/check-runs")
            s.get(f"{base}/commits/{sha}/status")
            s.get(f"{base}/issues/{p['number']}/comments", params={"per_page": 100})
            s.get(f"{base}/issues/{p['number']}/labels")
        return len(gh.requests)


def main() -> None:
    print("| open PRs | fleetbot refresh | naive REST walk (1 + 4N) | `sync` reads (N rows) |")
    print("|---:|---:|---:|---:|")
    for n in SIZES:
        ours = fleetbot_refresh(n)
        naive = naive_rest_walk(n)
        assert naive == 1 + 4 * n, naive
        print(f"| {n} | {ours} | {naive} | {sync_reads(n)} |", flush=True)
    if fleetbot_refresh(30) > 6:
        raise SystemExit("a 30-PR refresh must cost at most 6 requests")


# ---------------------------------------------------------------- GitLab

GITLAB_SIZES = ((5, 20), (30, 130), (100, 250))  # (fleet MRs, open MRs in the project)


def gitlab_project(rsps: responses.RequestsMock, fleet_size: int, open_mrs: int) -> Any:
    """A GitLab project with `open_mrs` open MRs, the first `fleet_size` of them the
    fleet's, each fleet MR with the bot's note on top of 30 older ones (tests/forge/
    fakegitlab.py: GitLab's REST shapes, pagination headers, refused unknown parameters)."""
    from tests.forge.fakegitlab import BOT, FakeGitlab

    gl = FakeGitlab(rsps)
    for i in range(1, open_mrs + 1):
        gl.add_mr(i, f"feat/{i}", labels=["fleet:running"] if i <= fleet_size else [])
    for i in range(1, fleet_size + 1):
        for j in range(30):
            gl.add_note(i, f"comment {j}")
        gl.add_note(i, f"{MARKER}\nreport {i}", author=BOT)
    return gl


def gitlab_reads(fleet_size: int, open_mrs: int, *, issues: bool = False,
                 scoped: bool = True) -> int:
    """HTTP requests of one `GitlabForge.state()`, follow-up pages and retries counted
    (the adapter's own counter, checked against the fake's log)."""
    from fleetbot.forge.gitlab import GitlabForge

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        gl = gitlab_project(rsps, fleet_size, open_mrs)
        forge = GitlabForge("grp/proj", url="https://gitlab.example.com", token="t",
                            fleet={f"feat/{i}" for i in range(1, fleet_size + 1)}
                            if scoped else None)
        state = forge.state(range(1, fleet_size + 1) if issues else ())
        assert len(state.comments) == fleet_size, len(state.comments)
        assert state.requests == len(gl.calls), (state.requests, len(gl.calls))
        gl.check()
        return state.requests


def gitlab_main() -> None:
    print()
    print("| fleet MRs | open MRs | fleetbot refresh | every open MR in detail | "
          "`sync` reads (N issues) |")
    print("|---:|---:|---:|---:|---:|")
    for n, m in GITLAB_SIZES:
        print(f"| {n} | {m} | {gitlab_reads(n, m)} | {gitlab_reads(n, m, scoped=False)} | "
              f"{gitlab_reads(n, m, issues=True)} |", flush=True)
    ours = gitlab_reads(30, 130)
    if ours > 5 + 3 * 30:
        raise SystemExit(f"a 30-MR GitLab refresh must cost at most 5 + 3N requests: {ours}")


if __name__ == "__main__":
    main()
    gitlab_main()
