#!/usr/bin/env python3
"""Time the Action's install step (action.yml, steps `key` and `install`), cold and warm.

    python benchmarks/action_install.py [--runs 3] [--python PATH] [--find-links DIR]

Runs the composite's own `key` and `install` scripts with bash, as a runner would (the
`${{ ... }}` expressions filled in the way the runner fills them), in a fresh RUNNER_TEMP:
*cold* starts with an empty cache folder (everything is downloaded), *warm* with the cache
folder a previous run left (what `actions/cache` restores), and a new venv. For comparison
it times the install the Action used before (`python -m venv` + `pip install -c`), cold and
warm with its pip cache. `--find-links DIR` installs from a folder of wheels with no index
(no network). Prints one line per case: median and best of --runs, in seconds.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent


def steps() -> dict[str, dict[str, Any]]:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    return {s["id"]: s for s in action["runs"]["steps"] if "id" in s}


def fill(value: str, ctx: dict[str, str]) -> str:
    """`${{ a.b.c }}` replaced from ctx (the few expressions the install steps use)."""
    return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: ctx[m.group(1)], value)


def read_outputs(path: Path) -> dict[str, str]:
    lines = path.read_text().splitlines() if path.exists() else []
    return dict(line.split("=", 1) for line in lines if "=" in line)


def run_step(step: dict[str, Any], ctx: dict[str, str], env: dict[str, str],
             temp: Path) -> dict[str, str]:
    out = temp / f"output-{step['id']}.txt"
    out.write_text("")
    step_env = {**env, "GITHUB_OUTPUT": str(out), "RUNNER_TEMP": str(temp),
                **{k: fill(str(v), ctx) for k, v in (step.get("env") or {}).items()}}
    subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                   env=step_env, check=True)
    return read_outputs(out)


def composite_install(temp: Path, python: str, env: dict[str, str]) -> float:
    """The Action's key + install steps in `temp`; seconds for both."""
    all_steps = steps()
    ctx = {"github.action_path": str(ROOT), "steps.python.outputs.python-path": python}
    started = time.perf_counter()
    for name, value in run_step(all_steps["key"], ctx, env, temp).items():
        ctx[f"steps.key.outputs.{name}"] = value
    run_step(all_steps["install"], ctx, env, temp)
    seconds = time.perf_counter() - started
    fleetbot = Path(ctx["steps.key.outputs.bin"]) / ("fleetbot" + ctx["steps.key.outputs.exe"])
    subprocess.run([str(fleetbot), "--version"], check=True, capture_output=True)
    return seconds


def pip_install(temp: Path, python: str, env: dict[str, str], cache: Path) -> float:
    """The install the Action used before: venv + pip, pip's download cache in `cache`."""
    venv = temp / "pip-venv"
    started = time.perf_counter()
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
                    "-c", str(ROOT / "action-constraints.txt"), str(ROOT)],
                   env={**env, "PIP_CACHE_DIR": str(cache)}, check=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--find-links", type=Path, default=None,
                        help="install from this folder of wheels, with no index")
    parser.add_argument("--no-pip", action="store_true", help="skip the pip comparison")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_", "VIRTUAL_ENV"))}
    if args.find_links:
        links = str(args.find_links.resolve())
        env.update({"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": links,
                    "UV_NO_INDEX": "1", "UV_FIND_LINKS": links, "UV_OFFLINE": "1"})
    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="fleetbot-install-") as tmp:
        base = Path(tmp)
        for i in range(args.runs):
            cold = base / f"cold{i}"
            cold.mkdir()
            results.setdefault("uv (composite), cold", []).append(
                composite_install(cold, args.python, env))
            warm = base / f"warm{i}"
            warm.mkdir()
            shutil.copytree(cold / "fleetbot-cache", warm / "fleetbot-cache", symlinks=True)
            results.setdefault("uv (composite), warm", []).append(
                composite_install(warm, args.python, env))
            if not args.no_pip:
                cache = base / f"pipcache{i}"
                results.setdefault("pip (before), cold", []).append(
                    pip_install(base / f"pcold{i}", args.python, env, cache))
                results.setdefault("pip (before), warm", []).append(
                    pip_install(base / f"pwarm{i}", args.python, env, cache))
    print(f"install step, {args.runs} run(s), python {args.python}"
          + (f", wheels from {args.find_links}" if args.find_links else ", from PyPI"))
    for name, times in results.items():
        print(f"  {name:24} median {statistics.median(times):6.2f} s   best {min(times):6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
