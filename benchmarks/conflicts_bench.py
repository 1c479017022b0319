"""How fast is `fleetbot conflicts` against the naive pairwise check?

    python benchmarks/conflicts_bench.py [--sizes 10,20,50] [--files 20000]
                                         [--naive-sample 0,0,60] [--runs 3]

Builds a synthetic repository (20,000 files, one `git fast-import`) with 50 branches, each
touching 5-20 files: 1-3 of 40 "hot" files that many rows edit (a dispatch table, a
settings module: appends collide, edits of distinct lines do not) and the rest spread over
the cold files; a few rows drift outside their owned files, and main moves on after the
branches fork so some rows are stale. For each N it writes a plan of the first N rows and
times, in the same run:

- fleetbot: `fleetbot conflicts --format json` end to end (a new process, start-up included;
  median of --runs);
- naive: for each pair, a temporary worktree of one branch and `git merge --no-commit
  --no-ff` of the other (then abort and remove). With a sample size K > 0 only K random
  pairs are timed and the total is extrapolated to all pairs (said in the output).

Prints both and their ratio. The repo goes to /dev/shm when it exists (checking out 20,000
files on a slow disk would only flatter fleetbot), else the system temp folder.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "LC_ALL": "C",
}
HOT = 40
LINES = 30


def git(repo: Path, *args: str, input: bytes | None = None, check: bool = True) -> str:
    proc = subprocess.run(["git", *args], cwd=repo, input=input, capture_output=True,
                          env=ENV, check=False)
    if check and proc.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed: {proc.stderr.decode()}")
    return proc.stdout.decode()


@dataclass
class Branch:
    name: str
    issue: str
    changes: dict[str, str | None] = field(default_factory=dict)
    owned: list[str] = field(default_factory=list)
    fork: int = 0  # which main commit it forks from


def cold_path(i: int) -> str:
    return f"src/pkg{i // 250:03d}/mod{i:05d}.py"


def hot_path(i: int) -> str:
    return f"app/hot{i:02d}.py"


def base_text(seed: int) -> str:
    return "".join(f"value_{seed}_{k} = {k}\n" for k in range(LINES))


def make_branches(n: int, files: int, rng: random.Random) -> list[Branch]:
    out = []
    for b in range(n):
        br = Branch(name=f"feature/b{b:02d}", issue=f"#{100 + b}", fork=rng.randrange(3))
        touched = rng.randint(5, 20)
        hot = rng.sample(range(HOT), rng.choice((1, 1, 2, 3)))
        for h in hot:
            lines = base_text(10**6 + h).splitlines(keepends=True)
            if rng.random() < 0.35:  # append to a registry: collides with other appenders
                lines.append(f"registry_{b} = {b}\n")
            else:  # edit one line: collides only with an edit of the same/adjacent line
                k = rng.randrange(LINES)
                lines[k] = f"value_{h}_{k} = 'edited by {b}'\n"
            br.changes[hot_path(h)] = "".join(lines)
        for c in rng.sample(range(files - HOT), touched - len(hot)):
            r = rng.random()
            path = cold_path(c)
            if r < 0.1:
                br.changes[path] = None  # delete
            else:
                lines = base_text(c).splitlines(keepends=True)
                lines[rng.randrange(LINES)] = f"# edited by {b}\n"
                br.changes[path] = "".join(lines)
        br.changes[f"src/new/b{b:02d}.py"] = f"def f{b}():\n    return {b}\n"
        br.owned = sorted(br.changes)
        if rng.random() < 0.2:  # this row wanders outside its owned files
            br.owned = br.owned[1:]
        out.append(br)
    return out


def fast_import_stream(files: int, branches: list[Branch], rng: random.Random) -> bytes:
    """One stream: the base commit, two more main commits, the branches, main moving on."""
    parts: list[bytes] = []

    def data(text: str) -> None:
        raw = text.encode()
        parts.append(b"data %d\n" % len(raw) + raw + b"\n")

    def commit(ref: str, mark: int, msg: str, parent: int | None,
               changes: dict[str, str | None]) -> None:
        parts.append(f"commit {ref}\nmark :{mark}\n".encode())
        parts.append(b"committer bench <bench@example.com> 1700000000 +0000\n")
        data(msg)
        if parent is not None:
            parts.append(f"from :{parent}\n".encode())
        for path, text in changes.items():
            if text is None:
                parts.append(f"D {path}\n".encode())
            else:
                parts.append(f"M 100644 inline {path}\n".encode())
                data(text)

    base: dict[str, str | None] = {cold_path(i): base_text(i) for i in range(files - HOT)}
    base.update({hot_path(h): base_text(10**6 + h) for h in range(HOT)})
    commit("refs/heads/main", 1, "base", None, base)
    commit("refs/heads/main", 2, "main 1", 1, {"CHANGELOG.md": "one\n"})
    commit("refs/heads/main", 3, "main 2", 2, {"CHANGELOG.md": "one\ntwo\n"})
    for i, br in enumerate(branches):
        commit(f"refs/heads/{br.name}", 100 + i, f"work on {br.issue}", 1 + br.fork, br.changes)
    # main moves on under the branches: edits a few hot lines (some rows become stale)
    moved = {}
    for h in rng.sample(range(HOT), 4):
        lines = base_text(10**6 + h).splitlines(keepends=True)
        lines.append("registry_main = 'main'\n")
        moved[hot_path(h)] = "".join(lines)
    commit("refs/heads/main", 4, "main moves on", 3, moved)
    return b"".join(parts)


def build_repo(root: Path, files: int, n: int, seed: int) -> tuple[Path, list[Branch]]:
    rng = random.Random(seed)
    repo = root / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    branches = make_branches(n, files, rng)
    git(repo, "fast-import", "--quiet", input=fast_import_stream(files, branches, rng))
    git(repo, "checkout", "-q", "-f", "main")
    return repo, branches


def write_plan(path: Path, branches: list[Branch]) -> None:
    lines = [
        "# Bench plan", "",
        "| Issue | Branch | Worktree | Files owned | Depends on | Status |",
        "|---|---|---|---|---|---|",
    ]
    for br in branches:
        owned = ", ".join(f"`{p}`" for p in br.owned)
        lines.append(f"| {br.issue} b{br.issue[1:]} | {br.name} | | {owned} | none | running |")
    path.write_text("\n".join(lines) + "\n")


def fleetbot_cmd() -> list[str]:
    exe = shutil.which("fleetbot", path=str(Path(sys.executable).parent)) or shutil.which(
        "fleetbot")
    return [exe] if exe else [sys.executable, "-m", "fleetbot"]


def time_fleetbot(repo: Path, plan: Path, runs: int) -> tuple[float, dict[str, object]]:
    cmd = [*fleetbot_cmd(), "conflicts", "--repo", str(repo), "--plan", str(plan),
           "--format", "json"]
    times, out = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=ENV, check=False)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise SystemExit(f"fleetbot failed ({proc.returncode}): {proc.stderr}")
        out = proc.stdout
    return statistics.median(times), json.loads(out)


def naive_pair(repo: Path, wt: Path, a: str, b: str) -> bool:
    """The naive check: a worktree of a, merge b, see, clean up. True if it conflicts."""
    git(repo, "worktree", "add", "-q", "--detach", str(wt), a)
    proc = subprocess.run(["git", "merge", "-q", "--no-commit", "--no-ff", b], cwd=wt,
                          capture_output=True, env=ENV, check=False)
    git(wt, "merge", "--abort", check=False)
    git(repo, "worktree", "remove", "--force", str(wt))
    return proc.returncode != 0


def time_naive(repo: Path, branches: list[Branch], sample: int,
               rng: random.Random) -> tuple[float, int, int, int]:
    """(total seconds, extrapolated when sampled; pairs timed; all pairs; conflicts seen)"""
    pairs = list(combinations([b.name for b in branches], 2))
    chosen = rng.sample(pairs, sample) if 0 < sample < len(pairs) else pairs
    wt = repo.parent / "naive-wt"
    start = time.perf_counter()
    conflicts = sum(naive_pair(repo, wt, a, b) for a, b in chosen)
    spent = time.perf_counter() - start
    return spent * len(pairs) / len(chosen), len(chosen), len(pairs), conflicts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,20,50")
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--naive-sample", default="0,0,60",
                        help="pairs to time per size (0 = all pairs), comma-separated")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", default=None, help="where to build the repo")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    samples = [int(s) for s in args.naive_sample.split(",")]
    samples += [samples[-1]] * (len(sizes) - len(samples))
    base = args.dir or ("/dev/shm" if Path("/dev/shm").is_dir() else None)
    if base:
        Path(base).mkdir(parents=True, exist_ok=True)
    version = git(Path("."), "version").strip()
    with tempfile.TemporaryDirectory(prefix="fleetbot-bench-", dir=base) as tmp:
        start = time.perf_counter()
        repo, branches = build_repo(Path(tmp), args.files, max(sizes), args.seed)
        print(f"repo: {args.files} files, {max(sizes)} branches, built in "
              f"{time.perf_counter() - start:.1f} s under {tmp} ({version}, "
              f"{os.cpu_count()} cores)")
        rng = random.Random(args.seed)
        rows = []
        for n, sample in zip(sizes, samples, strict=True):
            plan = Path(tmp) / f"plan-{n}.md"
            write_plan(plan, branches[:n])
            fb, report = time_fleetbot(repo, plan, args.runs)
            kinds: dict[str, int] = {}
            for c in report["conflicts"]:  # type: ignore[attr-defined]
                kinds[c["kind"]] = kinds.get(c["kind"], 0) + 1
            naive, timed, total, seen = time_naive(repo, branches[:n], sample, rng)
            how = "all pairs" if timed == total else f"{timed} of {total} pairs, extrapolated"
            print(f"N={n:>2}: fleetbot {fb:6.2f} s | naive {naive:7.1f} s ({how}; "
                  f"{seen} of {timed} conflicted) | {naive / fb:5.0f}x | found "
                  + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
            rows.append((n, fb, naive, how))
        print("\n| N | pairs | fleetbot conflicts | naive (worktree + merge per pair) | ratio |")
        print("|---|---|---|---|---|")
        for n, fb, naive, how in rows:
            print(f"| {n} | {n * (n - 1) // 2} | {fb:.2f} s | {naive:.1f} s ({how}) | "
                  f"{naive / fb:.0f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
