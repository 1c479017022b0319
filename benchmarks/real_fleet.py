"""Cut a fleet of ~20 PRs from a real repository's history, for `conflicts_bench.py`.

    python benchmarks/real_fleet.py [--source /work/.mirror/numpy+numpy/repo] [--prs 20]
                                    [--dest DIR]
    python benchmarks/conflicts_bench.py --sizes "" --repo DIR --plan orchestration-plan.md

The last `--prs` pull requests merged on the first-parent line of the source's HEAD (merge
commits with two parents, "Merge pull request #N ...") are re-created as branches `pr/N`
off one common older base, the commit just before the oldest of them: each branch is its
PR's first-parent diff (`git cherry-pick -m 1`) on that base, as if the fleet had forked at
once and none had landed yet. A PR whose diff does not apply to the base is skipped and
an older one taken instead. `main` is the base and the target (the clone keeps no remote,
so `origin/HEAD`, where every PR has landed, is not the target); the plan
(`orchestration-plan.md`, left untracked in the clone) has one row per branch owning the
files its PR changed.

The clone shares the source's objects (`git clone --shared`), so cutting it takes seconds.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "LC_ALL": "C",
}
_PR = re.compile(r"Merge pull request #(\d+)")


def git(repo: Path, *args: str, check: bool = True) -> str:
    proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env=ENV,
                          check=False)
    if check and proc.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout


def pr_merges(repo: Path, head: str, wanted: int) -> list[tuple[str, str, str]]:
    """(merge commit, its first parent, PR number) of the newest PR merges, newest first;
    twice as many as wanted, as some will not apply to the base."""
    out = git(repo, "log", "--first-parent", "--merges", f"-{wanted * 3}",
              "--format=%H %P%x00%s", head)
    found = []
    for line in out.splitlines():
        ids, _, subject = line.partition("\0")
        parts = ids.split()
        m = _PR.match(subject)
        if m and len(parts) == 3:
            found.append((parts[0], parts[1], m.group(1)))
    return found


def cut(source: Path, dest: Path, prs: int) -> list[tuple[str, str, list[str]]]:
    if dest.exists():
        shutil.rmtree(dest)
    head = git(source, "rev-parse", "HEAD").strip()
    merges = pr_merges(source, head, prs)
    if len(merges) < prs:
        raise SystemExit(f"{source}: only {len(merges)} PR merges on the first-parent line")
    subprocess.run(["git", "clone", "-q", "--shared", "--no-checkout", str(source), str(dest)],
                   check=True, env=ENV)
    git(dest, "remote", "remove", "origin")  # the target is `main`, the base: nothing landed
    rows: list[tuple[str, str, list[str]]] = []
    base_index = prs - 1
    while True:
        base = merges[base_index][1]  # just before the oldest PR taken
        git(dest, "checkout", "-q", "-f", "-B", "main", base)
        rows = []
        for merge, _, number in merges[:base_index + 1]:
            branch = f"pr/{number}"
            git(dest, "checkout", "-q", "-f", "-B", branch, base)
            picked = subprocess.run(["git", "cherry-pick", "-m", "1", "--allow-empty", merge],
                                    cwd=dest, capture_output=True, env=ENV, check=False)
            if picked.returncode != 0:
                git(dest, "cherry-pick", "--abort", check=False)
                git(dest, "checkout", "-q", "-f", "main")
                git(dest, "branch", "-q", "-D", branch)
                continue
            files = git(dest, "diff", "--name-only", "-z", base, "HEAD").split("\0")
            rows.append((f"#{number}", branch, [f for f in files if f]))
        if len(rows) >= prs or base_index + 1 >= len(merges):
            break
        for _, branch, _ in rows:  # too many skipped: start from an older base
            git(dest, "branch", "-q", "-D", branch, check=False)
        base_index += prs - len(rows)
    git(dest, "checkout", "-q", "-f", "main")
    return rows[:prs]


def write_plan(path: Path, rows: list[tuple[str, str, list[str]]]) -> None:
    lines = ["# Real-history fleet", "",
             "| Issue | Branch | Worktree | Files owned | Depends on | Status |",
             "|---|---|---|---|---|---|"]
    for issue, branch, files in rows:
        owned = ", ".join(f"`{f}`" for f in files if "`" not in f and "|" not in f)
        lines.append(f"| {issue} | {branch} | | {owned} | none | running |")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default="/work/.mirror/numpy+numpy/repo")
    parser.add_argument("--prs", type=int, default=20)
    shm = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path("/tmp")
    parser.add_argument("--dest", default=str(shm / "fleetbot-real-fleet"))
    args = parser.parse_args()
    source, dest = Path(args.source), Path(args.dest)
    start = time.perf_counter()
    rows = cut(source, dest, args.prs)
    write_plan(dest / "orchestration-plan.md", rows)
    files = sum(len(f) for *_, f in rows)
    tracked = len(git(dest, "ls-files", "-z").split("\0")) - 1
    commits = git(dest, "rev-list", "--count", "main").strip()
    print(f"{dest}: {len(rows)} branches ({files} changed files in all) off "
          f"{git(dest, 'rev-parse', '--short', 'main').strip()}, a tree of {tracked} files "
          f"and {commits} commits of history; cut in {time.perf_counter() - start:.1f} s")
    print(f"now: {sys.executable} benchmarks/conflicts_bench.py --sizes '' --repo {dest} "
          f"--plan orchestration-plan.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
