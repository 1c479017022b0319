"""`fleetbot conflicts` cold and warm against the careful naive check and git's floor.

    python benchmarks/conflicts_bench.py [--sizes 20,50,200] [--files 10000]
                                         [--naive-sample 0,200,200] [--runs 3]
    python benchmarks/conflicts_bench.py --repo DIR --plan PLAN   # a real-history fleet

Builds a synthetic repository (10,000 files, one `git fast-import`) with 200 branches, each
touching 5-20 files: 1-3 of 40 "hot" files that many rows edit (appends collide, edits of
distinct lines do not) and the rest spread over the cold files; a few rows drift outside
their owned files, and main moves on after the branches fork so some rows are stale. For
each N it writes a plan of the first N rows and times, in the same run (medians of --runs):

- fleetbot cold: `fleetbot conflicts --format json`, a new process, start-up included,
  with `FLEETBOT_NO_CACHE=1` (nothing remembered from an earlier run);
- fleetbot warm: the same run again on the unchanged fleet (a pre-push hook): its answer
  was kept by the first run (fleetbot/cli/answers.py), so it asks git for its layout and
  refs and prints it;
- fleetbot warm, facts only: the same with the answer dropped before each run, so the
  report is built again from the git-dir cache of merges, diffs and landings (what a run
  costs when the fleet changed in a way none of those answers depend on: a plan edit, one
  more row, another option);
- careful naive: one scratch worktree, `git checkout -f A && git merge --no-commit B &&
  git merge --abort` per pair. With a sample K > 0 only K random pairs are timed and the
  total is extrapolated to all pairs (said in the output);
- git's floor: every pair in one `git merge-tree --stdin` process; a git without
  `--stdin` (2.39 here) gets one `merge-tree --write-tree A B` process per pair instead,
  sampled like the naive check, and the output says so.

Each fleetbot figure also has its CPU time (user + system of fleetbot and the git processes
it started): on a shared machine the wall time carries everyone else's load, the CPU time is
what the check itself costs. The load average is printed before and after.

The repo goes to /dev/shm when it exists, else the system temp folder.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
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
ENV.pop("PYTHONDONTWRITEBYTECODE", None)
HOT = 40
LINES = 30


def byte_compile() -> None:
    """Compile fleetbot's modules as an install does (`pip install .` writes them): with
    PYTHONDONTWRITEBYTECODE set, as on some dev machines, an editable checkout would
    otherwise recompile every module on every run and the figures would measure that."""
    import fleetbot

    package = str(Path(fleetbot.__file__).parent)
    subprocess.run([sys.executable, "-m", "compileall", "-q", package], check=False,
                   capture_output=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""})


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


def run_fleetbot(repo: Path, plan: Path, *, cold: bool) -> tuple[float, str, float]:
    """(wall seconds, the JSON report, CPU seconds of fleetbot and its git processes)."""
    cmd = [*fleetbot_cmd(), "conflicts", "--repo", str(repo), "--plan", str(plan),
           "--format", "json"]
    env = {**ENV, "FLEETBOT_NO_CACHE": "1"} if cold else ENV
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    spent = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"fleetbot failed ({proc.returncode}): {proc.stderr}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return spent, proc.stdout, cpu


@dataclass(frozen=True)
class Timings:
    """Medians of one fleet's fleetbot runs (wall and CPU seconds), and its report."""

    cold: float
    warm: float
    facts: float  # warm, the kept answer dropped: built again from the git-dir cache
    cold_cpu: float
    warm_cpu: float
    facts_cpu: float
    report: dict[str, object]


def drop_answers(repo: Path) -> None:
    """Forget the answers fleetbot kept (fleetbot/cli/answers.py), not its facts cache."""
    common = git(repo, "rev-parse", "--path-format=absolute", "--git-common-dir").strip()
    shutil.rmtree(Path(common) / "fleetbot" / "answers", ignore_errors=True)


def time_fleetbot(repo: Path, plan: Path, runs: int) -> Timings:
    """Cold, warm and warm-from-facts medians; all three must report the same."""
    cold = [run_fleetbot(repo, plan, cold=True) for _ in range(runs)]
    run_fleetbot(repo, plan, cold=False)  # fills the cache and keeps the answer
    warm = [run_fleetbot(repo, plan, cold=False) for _ in range(runs)]
    facts = []
    for _ in range(runs):
        drop_answers(repo)
        facts.append(run_fleetbot(repo, plan, cold=False))
    if not cold[-1][1] == warm[-1][1] == facts[-1][1]:
        raise SystemExit("fleetbot warm and cold reports differ")
    return Timings(*(statistics.median(t[i] for t in runs_)
                     for i in (0, 2) for runs_ in (cold, warm, facts)),
                   report=json.loads(cold[-1][1]))


def naive_pair(wt: Path, a: str, b: str) -> bool:
    """The careful naive check in one scratch worktree. True if the pair conflicts."""
    git(wt, "checkout", "-q", "-f", a)
    proc = subprocess.run(["git", "merge", "-q", "--no-commit", "--no-ff", b], cwd=wt,
                          capture_output=True, env=ENV, check=False)
    git(wt, "merge", "--abort", check=False)
    return proc.returncode != 0


def sample_pairs(names: list[str], sample: int, rng: random.Random) -> tuple[
    list[tuple[str, str]], int
]:
    pairs = list(combinations(names, 2))
    return (rng.sample(pairs, sample) if 0 < sample < len(pairs) else pairs), len(pairs)


def time_naive(repo: Path, names: list[str], sample: int,
               rng: random.Random) -> tuple[float, int, int]:
    """(total seconds, extrapolated when sampled; pairs timed; all pairs)"""
    chosen, total = sample_pairs(names, sample, rng)
    wt = repo.parent / "naive-wt"
    git(repo, "worktree", "add", "-q", "--detach", str(wt), names[0])
    try:
        start = time.perf_counter()
        for a, b in chosen:
            naive_pair(wt, a, b)
        spent = time.perf_counter() - start
    finally:
        git(repo, "worktree", "remove", "--force", str(wt))
    return spent * total / len(chosen), len(chosen), total


def has_stdin(repo: Path) -> bool:
    proc = subprocess.run(["git", "merge-tree", "--stdin"], cwd=repo, input=b"",
                          capture_output=True, env=ENV, check=False)
    return proc.returncode != 129


def time_floor(repo: Path, names: list[str], sample: int,
               rng: random.Random) -> tuple[float, str]:
    """git's own pace for every pair: one --stdin process, else per pair (sampled)."""
    if has_stdin(repo):
        pairs = list(combinations(names, 2))
        start = time.perf_counter()
        subprocess.run(["git", "merge-tree", "--stdin", "--name-only", "--messages"],
                       cwd=repo, input="".join(f"{a} {b}\n" for a, b in pairs).encode(),
                       capture_output=True, env=ENV, check=True)
        return time.perf_counter() - start, "one merge-tree --stdin"
    chosen, total = sample_pairs(names, sample, rng)
    start = time.perf_counter()
    for a, b in chosen:
        git(repo, "merge-tree", "--write-tree", "--name-only", a, b, check=False)
    spent = time.perf_counter() - start
    how = "no --stdin in this git: merge-tree per pair"
    if len(chosen) < total:
        how += f", {len(chosen)} of {total} timed"
    return spent * total / len(chosen), how


def measure(repo: Path, plan: Path, names: list[str], sample: int, runs: int,
            rng: random.Random) -> dict[str, object]:
    t = time_fleetbot(repo, plan, runs)
    kinds: dict[str, int] = {}
    for c in t.report["conflicts"]:  # type: ignore[attr-defined]
        kinds[c["kind"]] = kinds.get(c["kind"], 0) + 1
    naive, timed, total = time_naive(repo, names, sample, rng)
    floor, floor_how = time_floor(repo, names, sample, rng)
    return {"n": len(names), "pairs": total, "cold": t.cold, "warm": t.warm, "facts": t.facts,
            "naive": naive, "cold_cpu": t.cold_cpu, "warm_cpu": t.warm_cpu,
            "facts_cpu": t.facts_cpu,
            "naive_how": "all pairs" if timed == total else f"{timed} of {total} pairs timed",
            "floor": floor, "floor_how": floor_how,
            "found": ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))}


def print_table(rows: list[dict[str, object]]) -> None:
    print("\n| fleet | N | pairs | fleetbot cold | fleetbot warm | warm, facts only "
          "| careful naive | git floor | naive/cold | naive/warm | naive/facts | cold/floor "
          "| CPU cold / warm / facts |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        cold, warm, facts = (float(r[k]) for k in ("cold", "warm", "facts"))  # type: ignore[arg-type]
        naive, floor = float(r["naive"]), float(r["floor"])  # type: ignore[arg-type]
        cpu = " / ".join(f"{float(r[k]):.2f}" for k in ("cold_cpu", "warm_cpu", "facts_cpu"))  # type: ignore[arg-type]
        print(f"| {r['fleet']} | {r['n']} | {r['pairs']} | {cold:.2f} s | {warm:.2f} s | "
              f"{facts:.2f} s | {naive:.1f} s ({r['naive_how']}) | "
              f"{floor:.2f} s ({r['floor_how']}) | {naive / cold:.0f}x | {naive / warm:.0f}x | "
              f"{naive / facts:.0f}x | {cold / floor:.1f}x | {cpu} s |")


def branches_of(repo: Path, plan: Path) -> list[str]:
    """The plan's branches that exist in the repo (as fleetbot reads the plan)."""
    from fleetbot.plan.parse import load_plan

    names = [r.branch for r in load_plan(plan).rows]
    return [n for n in names
            if git(repo, "rev-parse", "-q", "--verify", n, check=False).strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20,50,200")
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--naive-sample", default="0,200,200",
                        help="pairs to time per size (0 = all pairs), comma-separated")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", default=None, help="where to build the repo")
    parser.add_argument("--repo", default=None, help="also measure this real-history fleet")
    parser.add_argument("--plan", default="orchestration-plan.md",
                        help="its plan, inside --repo")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    samples = [int(s) for s in args.naive_sample.split(",")]
    repo_sample = samples[-1]  # for --repo
    samples = (samples + [samples[-1]] * len(sizes))[:len(sizes)]  # one per size
    base = args.dir or ("/dev/shm" if Path("/dev/shm").is_dir() else None)
    if base:
        Path(base).mkdir(parents=True, exist_ok=True)
    byte_compile()
    version = git(Path("."), "version").strip()
    print(f"{version}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    rng = random.Random(args.seed)
    rows: list[dict[str, object]] = []
    if sizes:
        with tempfile.TemporaryDirectory(prefix="fleetbot-bench-", dir=base) as tmp:
            start = time.perf_counter()
            repo, branches = build_repo(Path(tmp), args.files, max(sizes), args.seed)
            print(f"synthetic repo: {args.files} files, {max(sizes)} branches, built in "
                  f"{time.perf_counter() - start:.1f} s under {tmp}")
            for n, sample in zip(sizes, samples, strict=True):
                plan = repo / f"plan-{n}.md"  # inside the repo: fleetbot reads no other
                write_plan(plan, branches[:n])
                row = measure(repo, plan, [b.name for b in branches[:n]], sample, args.runs,
                              rng)
                row["fleet"] = "synthetic"
                print(f"N={n}: {row}", flush=True)
                rows.append(row)
    if args.repo:
        repo = Path(args.repo).resolve()
        plan = repo / args.plan
        names = branches_of(repo, plan)
        if len(names) < 2:
            raise SystemExit(f"{plan}: fewer than two of its branches exist in {repo}")
        row = measure(repo, plan, names, repo_sample, args.runs, rng)
        row["fleet"] = repo.name
        rows.append(row)
    print_table(rows)
    print(f"load {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
