"""How many GitHub API requests a whole Action refresh costs, counted through `responses`.

    python benchmarks/api_calls.py          # prints a Markdown table

A real fleet (N rows, each with its branch, PR and issue; `Depends on` chains every fifth
row to the one before, so N/5 issues are blocked, each by another) in real git repositories,
and `fleetbot action` run in-process on a `workflow_dispatch` against the fake GitHub
(tests/support/fakegithub.py, which validates every request and response against GitHub's published
schemas). Three runs per size: the first refresh (everything to write), the idle refresh
right after it (nothing changed), and a refresh after one PR got a new head commit. Reads
and writes are counted apart, every follow-up page included. Then the same at N = 30 for a
fan-in (every row depends on the first) and with `links: false`.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import responses

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fleetbot.cli import run
from tests.support.actionkit import API, TOKEN
from tests.support.bigfleet import big_fleet
from tests.support.fakegithub import FakeGithub
from tests.support.fakeserver import mount
from tests.support.repo import GIT_ENV, Repo

SIZES = (5, 30, 100)


def _depends(i: int, shape: str) -> str:
    if shape == "fan-in":
        return "#100" if i else "none"
    return f"#{99 + i}" if i % 5 == 4 else "none"


def _plan(n: int, shape: str = "chain") -> str:
    rows = "".join(
        f"| #{100 + i} r{i} | feat/{i} | ../w{i} | `src/m{i}.py` | "
        f"{_depends(i, shape)} | running |\n" for i in range(n))
    return ("# plan\n\n| Issue | Branch | Worktree | Files owned | Depends on | Status |\n"
            "|---|---|---|---|---|---|\n" + rows)


def _fleet(root: Path, n: int, shape: str) -> tuple[Repo, Repo, FakeGithub]:
    return big_fleet(root, n, _plan(n, shape), {"README.md": "x\n"},
                     lambda i: {f"src/m{i}.py": f"v = {i}\n"})


def _env(root: Path, checkout: Repo) -> dict[str, str]:
    event = root / "event.json"
    event.write_text(json.dumps({"inputs": {}, "ref": "refs/heads/main",
                                 "repository": {"default_branch": "main"}}))
    for name in ("summary.md", "output.txt"):
        (root / name).write_text("")
    return {"GITHUB_EVENT_NAME": "workflow_dispatch", "GITHUB_EVENT_PATH": str(event),
            "GITHUB_REPOSITORY": "octo/tasks", "GITHUB_API_URL": API,
            "GITHUB_WORKSPACE": str(checkout.path), "GITHUB_RUN_ID": "1",
            "GITHUB_STEP_SUMMARY": str(root / "summary.md"),
            "GITHUB_OUTPUT": str(root / "output.txt"), "FLEETBOT_TOKEN": TOKEN, **GIT_ENV}


def _refresh(gh: FakeGithub, links: bool) -> tuple[int, int]:
    """(reads, writes) of one `fleetbot action --no-throttle` run."""
    gh.requests.clear()
    code = run(["action", "--no-throttle", "--links" if links else "--no-links"])
    assert code == 0, code
    gh.check()
    writes = len(gh.writes)
    return len(gh.requests) - writes, writes


def measure(n: int, shape: str = "chain", links: bool = True) -> dict[str, tuple[int, int]]:
    with tempfile.TemporaryDirectory() as tmp, \
            responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        root = Path(tmp)
        origin, checkout, gh = _fleet(root, n, shape)
        mount(gh, rsps)
        saved = dict(os.environ)
        os.environ.update(_env(root, checkout))
        try:
            first = _refresh(gh, links)
            idle = _refresh(gh, links)
            head = origin.branch("feat/0-next", {"src/m0.py": "v = 'new'\n"}, start="feat/0")
            origin.git("update-ref", "refs/pull/1/head", head)
            origin.git("branch", "-f", "feat/0", head)
            checkout.git("fetch", "-q", "origin")
            gh.pulls[1].sha = head
            changed = _refresh(gh, links)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        return {"first": first, "idle": idle, "changed": changed}


def main() -> None:
    print("| open PRs (rows) | plan | first refresh: reads / writes | idle refresh | "
          "after one push |")
    print("|---:|---|---:|---:|---:|")
    runs = [(n, "chain", True) for n in SIZES] + [(30, "fan-in", True), (30, "chain", False)]
    for n, shape, links in runs:
        m = measure(n, shape, links)
        cells = " | ".join(f"{r} / {w}" for r, w in (m["first"], m["idle"], m["changed"]))
        what = (f"every 5th row blocked ({n // 5} link{'s' * (n > 5)})" if shape == "chain"
                else f"all on row 1 ({n - 1} links)")
        print(f"| {n} | {what if links else '`links: false`'} | {cells} |", flush=True)
        if m["idle"][1]:
            raise SystemExit(f"an idle refresh at N = {n} wrote {m['idle'][1]} time(s)")
        if n == 30 and max(m["first"][0], m["changed"][0] - n // 5 * (shape == "chain")) > 6:
            raise SystemExit(f"a 30-PR refresh must read at most 6 times (beside one read per "
                             f"blocked issue of a chain): {m}")


# ---------------------------------------------------------------- GitLab

GITLAB_SIZES = ((5, 20), (30, 130), (100, 250))  # (fleet MRs, open MRs in the project)
GITLAB_URL = "https://gitlab.example.com"
JOB_URL = f"{GITLAB_URL}/grp/proj/-/jobs/1"


def gitlab_project(rsps: responses.RequestsMock, fleet_size: int, open_mrs: int,
                   heads: dict[int, str] | None = None) -> Any:
    """A GitLab project with `open_mrs` open MRs, the first `fleet_size` of them the
    fleet's (`feat/1` ...), each fleet MR with 30 notes by people (tests/forge/
    fakegitlab.py: GitLab's REST shapes, pagination headers, refused unknown parameters)."""
    from tests.forge.fakegitlab import FakeGitlab

    gl = FakeGitlab(rsps, url=GITLAB_URL)
    for i in range(1, open_mrs + 1):
        gl.add_mr(i, f"feat/{i}" if i <= fleet_size else f"other/{i}",
                  head=(heads or {}).get(i, ""), description=f"Closes #{100 + i}")
    for i in range(1, fleet_size + 1):
        for j in range(30):
            gl.add_note(i, f"comment {j}")
    return gl


def gitlab_reads(fleet_size: int, open_mrs: int, *, issues: bool = False,
                 scoped: bool = True) -> int:
    """HTTP requests of one `GitlabForge.state()` once the bot's notes exist, follow-up
    pages and retries counted (the adapter's own counter, checked against the fake's log):
    REST for the open MR list and each head's commit statuses, GraphQL for the rest."""
    from fleetbot.forge.gitlab import GitlabForge
    from tests.forge.fakegitlab import BOT, MARKER

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        gl = gitlab_project(rsps, fleet_size, open_mrs)
        for i in range(1, fleet_size + 1):
            gl.add_note(i, f"{MARKER}\nreport {i}", author=BOT)
        forge = GitlabForge("grp/proj", url=GITLAB_URL, token="t")
        branches = [f"feat/{i}" for i in range(1, fleet_size + 1)] if scoped else []
        state = forge.state(range(101, 101 + fleet_size) if issues else (), branches=branches)
        assert len(state.comments) == fleet_size, len(state.comments)
        assert state.requests == len(gl.calls), (state.requests, len(gl.calls))
        gl.check()
        return state.requests


def _gitlab_plan(n: int) -> str:
    """Row i (1..n): issue #100+i on `feat/i` (MR !i); every fifth row depends on the
    one before, as in the GitHub fleet."""
    rows = "".join(
        f"| #{100 + i} r{i} | feat/{i} | ../w{i} | `src/m{i}.py` | "
        f"{f'#{99 + i}' if i % 5 == 0 else 'none'} | running |\n" for i in range(1, n + 1))
    return ("# plan\n\n| Issue | Branch | Worktree | Files owned | Depends on | Status |\n"
            "|---|---|---|---|---|---|\n" + rows)


def _gitlab_env(checkout: Repo) -> dict[str, str]:
    return {"CI_PIPELINE_SOURCE": "schedule", "CI_PROJECT_PATH": "grp/proj",
            "CI_SERVER_URL": GITLAB_URL, "CI_DEFAULT_BRANCH": "main",
            "CI_PROJECT_DIR": str(checkout.path), "CI_JOB_URL": JOB_URL,
            "GITLAB_TOKEN": "glpat-benchmark", **GIT_ENV}


def _ci(gl: Any, *args: str) -> tuple[int, int]:
    """(reads, writes) of one `fleetbot ci` job."""
    import contextlib
    import io

    gl.calls.clear()
    with contextlib.redirect_stdout(io.StringIO()) as out:
        code = run(["ci", *args])
    assert code == 0, (code, out.getvalue()[-2000:])
    gl.check()
    writes = len(gl.writes)
    return len(gl.calls) - writes, writes


def gitlab_measure(n: int, open_mrs: int, *args: str) -> dict[str, tuple[int, int]]:
    """A whole scheduled `fleetbot ci` job on a fleet of `n` rows in real git (the
    GitHub fleet's plan and branches, `refs/merge-requests/N/head` as GitLab keeps them)
    in a project with `open_mrs` open MRs: first, idle, after one push."""
    from tests.support.repo import make_repo

    with tempfile.TemporaryDirectory() as tmp, \
            responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        root = Path(tmp)
        origin = make_repo(root, {"orchestration-plan.md": _gitlab_plan(n),
                                  "README.md": "x\n"}, name="origin")
        heads = {}
        for i in range(1, n + 1):
            heads[i] = origin.branch(f"feat/{i}", {f"src/m{i}.py": f"v = {i}\n"})
            origin.git("update-ref", f"refs/merge-requests/{i}/head", heads[i])
        checkout = Repo(root / "checkout")
        origin.git("clone", "-q", str(origin.path), str(checkout.path))
        gl = gitlab_project(rsps, n, open_mrs, heads)
        saved = dict(os.environ)
        os.environ.update(_gitlab_env(checkout))
        try:
            first = _ci(gl, *args)
            idle = _ci(gl, *args)
            head = origin.branch("feat/1-next", {"src/m1.py": "v = 'new'\n"}, start="feat/1")
            origin.git("update-ref", "refs/merge-requests/1/head", head)
            origin.git("branch", "-f", "feat/1", head)
            gl.mrs[1].head = head
            gl.add_status(head, "test", "success")
            changed = _ci(gl, *args)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        return {"first": first, "idle": idle, "changed": changed}


def gitlab_main() -> None:
    print()
    print("GitLab: a whole scheduled `fleetbot ci` job (reads / writes)")
    print()
    print("| fleet MRs | open MRs | first job | idle job | after one push | "
          "idle, `--no-links` |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n, m in GITLAB_SIZES:
        full = gitlab_measure(n, m)
        lean = gitlab_measure(n, m, "--no-links")
        cells = " | ".join(f"{r} / {w}" for r, w in (full["first"], full["idle"],
                                                        full["changed"], lean["idle"]))
        print(f"| {n} | {m} | {cells} |", flush=True)
        if full["idle"][1] or lean["idle"][1]:
            raise SystemExit(f"an idle GitLab job at N = {n} wrote something")
    print()
    print("GitLab: one refresh read (`GitlabForge.state()`, the bot's notes in place)")
    print()
    print("| fleet MRs | open MRs | refresh | every open MR in detail | "
          "with the N plan issues and their links |")
    print("|---:|---:|---:|---:|---:|")
    for n, m in GITLAB_SIZES:
        print(f"| {n} | {m} | {gitlab_reads(n, m)} | {gitlab_reads(n, m, scoped=False)} | "
              f"{gitlab_reads(n, m, issues=True)} |", flush=True)
    for ours in (gitlab_reads(30, 130), gitlab_reads(30, 130, issues=True)):
        if ours > 3 + 30:
            raise SystemExit(f"a 30-MR GitLab refresh must cost at most 3 + N requests: {ours}")


if __name__ == "__main__":
    main()
    gitlab_main()
