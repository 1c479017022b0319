"""How fast is `fleetbot --help`, and does importing the CLI load a forge library?

    python benchmarks/startup.py [--runs 20]

Prints the median and best wall time of `fleetbot --help` over N runs (each a new
process, as a user meets it) and the modules `python -X importtime` shows for
`import fleetbot.cli` that should never be there (PyGithub, python-gitlab, requests).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time

FORBIDDEN = ("github", "gitlab", "requests", "jsonschema", "rich")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    exe = shutil.which("fleetbot")
    cmd = [exe, "--help"] if exe else [sys.executable, "-m", "fleetbot", "--help"]
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    print(f"fleetbot --help: median {statistics.median(times) * 1000:.0f} ms, "
          f"best {min(times) * 1000:.0f} ms over {args.runs} runs")
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", "import fleetbot.cli"],
                          capture_output=True, text=True, check=True)
    loaded = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()}
    heavy = sorted(m for m in loaded if m.split(".")[0] in FORBIDDEN)
    print("heavy modules imported by `import fleetbot.cli`:", ", ".join(heavy) or "none")
    return 1 if heavy else 0


if __name__ == "__main__":
    raise SystemExit(main())
