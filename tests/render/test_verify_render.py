"""verify's views and its cache, without running a test suite."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from fleetbot.fleet.verify import VerifyCache, output_tail
from fleetbot.model import Phase, Probe, RunOutcome, VerifyResult, VerifyVerdict
from fleetbot.render.verify import render_markdown, render_text
from tests.fleet.test_verify import project, worktrees
from tests.support.cli import Invocation

Invoke = Callable[..., Invocation]

RESULT = VerifyResult(
    verdict=VerifyVerdict.SEMANTIC, target="main", target_sha="a" * 40,
    command="pytest -q", rows=("#1", "#3"), output_tail="E   boom\n```x```",
    probes=(Probe(Phase.TARGET, (), RunOutcome.PASS, tree="b" * 40),
            Probe(Phase.TIP, ("#1", "#3"), RunOutcome.FAIL, tree="c" * 40, cached=True)),
    tested=("#1", "#3"), set_aside=(("#2", ("a.py",)),), notes=("a note",),
)


def test_text() -> None:
    assert render_text(RESULT) == (
        "verify: semantic conflict: #3 passes alone on main but fails once #1 lands\n"
        "  command: pytest -q\n"
        "  replayed onto main: #1, #3\n"
        "  not testable until resolved: #2 (does not merge: a.py)\n"
        "  1 test run, 1 answer from the cache, 2 trees tested\n"
        "  note: a note\n"
        "  output (last lines):\n"
        "    | E   boom\n"
        "    | ```x```"
    )


def test_markdown_fences_the_tail_longer_than_any_backtick_run() -> None:
    text = render_markdown(RESULT)
    assert "- command: `pytest -q`" in text
    assert "- not testable until resolved: #2 (does not merge: a.py)" in text
    assert "\n````text\nE   boom\n```x```\n````\n" in text


def test_output_tail_keeps_the_end() -> None:
    text = "\n".join(f"line {i}" for i in range(100))
    assert output_tail(text).splitlines() == [f"line {i}" for i in range(60, 100)]
    assert len(output_tail("x" * 10_000)) == 4000


def test_cache_round_trip_atomic_and_forgiving(tmp_path: Path) -> None:
    path = tmp_path / "fleetbot" / "verify-cache.json"
    cache = VerifyCache(path)
    cache.put("t1", "cmd", 0, RunOutcome.FAIL, "tail")
    cache.put("t1", "cmd", 1, RunOutcome.PASS, "")
    cache.put("t2", "cmd", 0, RunOutcome.TIMEOUT, "slow")  # never cached
    again = VerifyCache(path)
    assert again.get("t1", "cmd", 0) == (RunOutcome.FAIL, "tail")
    assert again.get("t1", "cmd", 1) == (RunOutcome.PASS, "")
    assert again.get("t1", "other", 0) is None
    assert again.get("t2", "cmd", 0) is None
    assert [p.name for p in path.parent.iterdir()] == ["verify-cache.json"]
    path.write_text("{not json")
    assert VerifyCache(path).entries == {}
    path.write_text(json.dumps({"version": 99, "entries": {"t1 cmd": []}}))
    assert VerifyCache(path).entries == {}


def test_markdown_format_and_plain_progress_when_piped(
    tmp_path: Path, cli_invoke: Invoke,
) -> None:
    repo = project(tmp_path, 2, rename=None, caller=None)
    out = cli_invoke(["verify", "--repo", str(repo.path), "--test", "true",
                      "--format", "markdown"]).out
    assert out.startswith("### fleetbot verify: passed\n")
    err = cli_invoke(["verify", "--repo", str(repo.path), "--test", "exit 0"]).err
    assert err.splitlines()[0].startswith("verify: target: the target alone (run 1, ")
    assert err.splitlines()[1].startswith("verify: tip: #1 + #2 (run 2, ")


def test_keep_into_a_folder_that_is_not_empty(
    tmp_path: Path, cli_invoke: Invoke,
) -> None:
    repo = project(tmp_path, 1, rename=None, caller=None)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "x").write_text("x")
    err = cli_invoke(["verify", "--repo", str(repo.path), "--test", "true", "--keep",
                      str(busy)], code=2).err
    assert err == f"error: --keep {busy}: the folder is not empty; name a new one\n"
    assert len(worktrees(repo)) == 1


def test_live_progress_on_a_terminal(tmp_path: Path) -> None:
    """On a terminal the progress is one live line (rich), not a line per run."""
    import os
    import pty
    import subprocess
    import sys

    repo = project(tmp_path, 1, rename=None, caller=None)
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "fleetbot", "verify", "--repo", str(repo.path),
         "--test", "sleep 0.3"],
        stdout=subprocess.PIPE, stderr=child, text=True,
        env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "100"},
    )
    os.close(child)
    seen = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    out, _ = proc.communicate(timeout=60)
    os.close(main)
    assert proc.returncode == 0
    assert out.startswith("verify: the fan-in of 1 row passes the tests")
    text = seen.decode("utf-8", "replace")
    assert "verify: target: the target alone (run 1" in text
    assert "\x1b[" in text  # drawn in place, not printed line after line
