"""How fast does fleetbot start, and does a command import what it does not use?

    python benchmarks/startup.py [--runs 20]

Prints the median and best wall time of `fleetbot --help` over N runs (each a new
process, as a user meets it), the median of `fleetbot check` on the demo fleet (built
once with `fleetbot demo --keep`; the first check fills the git-dir cache, the timed ones
are warm, as a pre-push hook meets it), and the modules `python -X importtime` shows for
`import fleetbot.cli` and for a JSON `check` that should never be there.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from conflicts_bench import byte_compile

FORBIDDEN = ("github", "gitlab", "requests", "jsonschema", "rich")
FORBIDDEN_JSON_CHECK = ("github", "gitlab", "requests", "rich", "yaml")


def fleetbot() -> list[str]:
    exe = shutil.which("fleetbot", path=str(Path(sys.executable).parent)) or shutil.which(
        "fleetbot")
    return [exe] if exe else [sys.executable, "-m", "fleetbot"]


def median_ms(cmd: list[str], runs: int, cwd: Path | None = None) -> tuple[float, float, float]:
    """(median wall ms, best wall ms, median CPU ms: user + system of the process and the
    git processes it started). On a shared machine the wall time carries everyone's load;
    the CPU time is what the command itself costs."""
    times, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, check=False, capture_output=True)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return (statistics.median(times) * 1000, min(times) * 1000,
            statistics.median(cpu) * 1000)


def heavy(argv: list[str], forbidden: tuple[str, ...], cwd: Path | None = None) -> list[str]:
    proc = subprocess.run([sys.executable, "-X", "importtime", *argv], cwd=cwd,
                          capture_output=True, text=True, check=False)
    loaded = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()
              if line.startswith("import time:")}
    return sorted(m for m in loaded if m.split(".")[0] in forbidden)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    byte_compile()
    print(f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    med, best, cpu = median_ms([*fleetbot(), "--help"], args.runs)
    print(f"fleetbot --help: median {med:.0f} ms, best {best:.0f} ms, CPU median {cpu:.0f} ms "
          f"over {args.runs} runs")
    bad = heavy(["-c", "import fleetbot.cli"], FORBIDDEN)
    print("heavy modules imported by `import fleetbot.cli`:", ", ".join(bad) or "none")
    with tempfile.TemporaryDirectory(prefix="fleetbot-startup-") as tmp:
        demo = Path(tmp) / "demo"
        subprocess.run([*fleetbot(), "demo", "--keep", str(demo)], check=True,
                       capture_output=True, env={**os.environ, "NO_COLOR": "1"})
        repo = next(p.parent for p in demo.rglob("orchestration-plan.md"))
        check = [*fleetbot(), "check", "--format", "json"]
        subprocess.run(check, cwd=repo, check=False, capture_output=True)  # fills the cache
        runs = max(3, args.runs // 4)
        med, best, cpu = median_ms(check, runs, cwd=repo)
        print(f"fleetbot check on the demo fleet: median {med:.0f} ms, best {best:.0f} ms, "
              f"CPU median {cpu:.0f} ms over {runs} runs")
        bad_check = heavy(["-m", "fleetbot", "check", "--format", "json"],
                          FORBIDDEN_JSON_CHECK, cwd=repo)
        print("unneeded modules imported by `check --format json`:",
              ", ".join(bad_check) or "none")
    return 1 if bad or bad_check else 0


if __name__ == "__main__":
    raise SystemExit(main())
