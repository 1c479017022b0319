"""How many test runs `fleetbot verify` makes to find and name one semantic pair.

    python benchmarks/verify_bench.py          # prints a Markdown table

For N = 8, 20, 50 rows, a fresh repository where every row adds one file; the row at
N/3 and the row at 2N/3 each add a flag, and the test command (a Python script that
sleeps 50 ms) fails only when both flags are there: a semantic pair, each row green
alone. fleetbot's bisection is measured beside the two obvious strategies: testing every
prefix of the order (N runs, the merge-queue way) and every pair on the target
(N(N-1)/2 runs). The prefix strategy is run for real through the same worktree and
runner; the pair strategy's time is its run count times the measured mean cost of one
run (check-out + command), since 1,225 runs would dominate the benchmark. A second
`verify` of the unchanged fleet is served from the cache.
"""

from __future__ import annotations

import math
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fleetbot.fleet.verify import Scratch, VerifySpec, run_command, run_verify
from fleetbot.git import Git
from fleetbot.git.chain import build_chain
from fleetbot.model import Phase

SIZES = (8, 20, 50)
SLEEP = 0.05
CHECK = f"""\
import pathlib, sys, time
time.sleep({SLEEP})
sys.exit(1 if pathlib.Path("a.flag").exists() and pathlib.Path("b.flag").exists() else 0)
"""
ENV = {
    **os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env=ENV, check=True, capture_output=True)


def fleet(root: Path, n: int) -> tuple[Git, list[tuple[str, str]]]:
    """N rows on a fresh repo; rows n//3 and 2n//3 are the semantic pair."""
    repo = root / f"fleet{n}"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    (repo / "check.py").write_text(CHECK)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    a, b = max(1, n // 3), max(2, 2 * n // 3)
    steps = []
    for i in range(1, n + 1):
        _git(repo, "checkout", "-q", "-b", f"r{i}", "main")
        (repo / f"r{i}.txt").write_text(f"{i}\n")
        if i in (a, b):
            (repo / ("a.flag" if i == a else "b.flag")).write_text("x\n")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-qm", f"row {i}")
        _git(repo, "checkout", "-q", "main")
        steps.append((f"#{i}", f"r{i}"))
    return Git(repo), steps


def every_prefix(git: Git, steps: list[tuple[str, str]], command: str) -> tuple[int, float]:
    """Test the tip after every step, in order (a merge queue testing each position)."""
    chain = build_chain(git, "main", steps)
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fleetbot-bench-") as tmp:
        scratch = Scratch(git, Path(tmp) / "tree")
        runs = 0
        try:
            for step in chain.landed:
                runs += 1
                run_command(command, scratch.checkout(step.tip), 60)
        finally:
            scratch.remove()
    return runs, time.monotonic() - start


def main() -> None:
    command = f"{shlex.quote(sys.executable)} check.py"
    print(f"One semantic pair among N rows; the test command sleeps {SLEEP * 1000:.0f} ms.\n")
    print("| N | fleetbot runs | of which naming | bound | fleetbot time | cached re-run "
          "| every prefix (N) | every pair (N(N-1)/2) |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="fleetbot-verify-bench-") as tmp:
        for n in SIZES:
            git, steps = fleet(Path(tmp), n)
            spec = VerifySpec(target="main", target_ref="main", steps=tuple(steps),
                              command=command, timeout=60)
            start = time.monotonic()
            result = run_verify(git, spec)
            took = time.monotonic() - start
            assert result.verdict.value == "semantic", result
            naming = sum(1 for p in result.probes if not p.cached and p.phase in
                         (Phase.CONFIRM, Phase.ALONE, Phase.PARTNER))
            bound = 2 + math.ceil(math.log2(n)) + naming
            assert result.runs <= bound
            start = time.monotonic()
            again = run_verify(git, spec)
            cached = time.monotonic() - start
            assert again.runs == 0
            prefix_runs, prefix_time = every_prefix(git, steps, command)
            mean = prefix_time / max(prefix_runs, 1)
            pairs = n * (n - 1) // 2
            print(f"| {n} | {result.runs} | {naming} | {bound} | {took:.1f} s "
                  f"| {again.runs} runs, {cached:.1f} s "
                  f"| {prefix_runs} runs, {prefix_time:.1f} s "
                  f"| {pairs} runs, ~{pairs * mean:.0f} s (est.) |")
    print("\nbound = 2 + ceil(log2 N) + naming runs (confirm + alone + partner search). "
          "every pair is estimated from the measured mean cost of one run.")


if __name__ == "__main__":
    main()
