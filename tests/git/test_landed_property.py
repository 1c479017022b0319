"""Squash and rebase-merge detection equals plain git asked commit by commit: on random
fleets landed by squash, by squashing all but a branch's last commit (it went on), by
cherry-picking every commit, by cherry-picking some, and with unrelated target commits
between, fleetbot's carriers and landed parts (which diff only the branches and commits
shaped like a target commit) are what `git patch-id` of every diff says."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetbot.git import Git
from fleetbot.git.mergetree import gather
from fleetbot.model import LandedHow, LandedPart
from tests.fleet import plan_of, row
from tests.support.examples import examples
from tests.support.repo import GIT_ENV, Repo, make_repo

FILES = ("a.py", "b.py", "c.txt", "d/e.txt")
ENV = {**GIT_ENV, "PATH": "/usr/bin:/bin"}
BASE = {f: "".join(f"{f} line {i}\n" for i in range(6)) for f in FILES}

# a commit: (file, line index, new text) edits
edits = st.lists(st.tuples(st.sampled_from(FILES), st.integers(0, 5), st.integers(0, 3)),
                 min_size=1, max_size=2)
branches = st.lists(st.lists(edits, min_size=1, max_size=4), min_size=2, max_size=3)
# what the target does: squash branch i, squash it and revert that, squash all but its
# last commit, pick all its commits, pick them all and revert the picks (in one commit or
# one each), pick its first, revert the newest squash or revert (a revert of the
# revert), or move on
moves = st.lists(st.tuples(st.sampled_from(("squash", "undone", "prefix", "pick", "pick",
                                            "unpicked", "first", "revert", "other")),
                           st.integers(0, 2), edits), min_size=1, max_size=4)


def _apply(repo: Repo, change: list[tuple[str, int, int]], message: str) -> None:
    for path, line, value in change:
        text = (repo.path / path).read_text().splitlines(keepends=True)
        text[line] = f"{path} line {line} = {value} ({message})\n"
        (repo.path / path).write_text("".join(text))
    repo.git("add", "-A")
    repo.git("commit", "-q", "--allow-empty", "-m", message)


def _run(repo: Repo, *args: str) -> int:
    """Plain git's exit code (a conflicted squash or pick is part of the game)."""
    return subprocess.run(["git", *args], cwd=repo.path, env=ENV, capture_output=True,
                          check=False).returncode


def _pid(repo: Repo, *diff: str) -> str:
    patch = subprocess.run(["git", *diff], cwd=repo.path, capture_output=True, check=True,
                           env=ENV).stdout
    out = subprocess.run(["git", "patch-id", "--stable"], cwd=repo.path, input=patch,
                         capture_output=True, check=True, env=ENV).stdout.decode()
    return out.split()[0] if out.strip() else ""


def _expected(repo: Repo, names: list[str],
              ) -> tuple[dict[str, tuple[LandedHow, str]], dict[str, LandedPart]]:
    """Every diff's patch-id from its own git process: the branch's whole change against
    its merge-base, each of its own commits and the change up to each, each target commit
    after the oldest base."""
    bases = {n: repo.git("merge-base", "main", n).strip() for n in names}
    floor = repo.git("merge-base", "--octopus", *bases.values()).split()[0]
    target = repo.git("rev-list", "--first-parent", "main", f"^{floor}", "--").split()
    theirs: dict[str, str] = {}
    for sha in target:  # newest first: the newest carrier is kept
        theirs.setdefault(_pid(repo, "diff", f"{sha}^", sha), sha)
    theirs.pop("", None)
    out: dict[str, tuple[LandedHow, str]] = {}
    parts: dict[str, LandedPart] = {}
    for i, name in enumerate(names):
        if not repo.git("rev-list", f"main..{name}").split():
            continue
        whole = _pid(repo, "diff", bases[name], name)
        own = repo.git("rev-list", "--no-merges", name, "^main", "--").split()
        ids = [_pid(repo, "diff", f"{c}^", c) for c in own]
        if whole in theirs:
            out[f"#{i}"] = (LandedHow.PATCH, theirs[whole])
        elif own and all(p in theirs for p in ids):
            out[f"#{i}"] = (LandedHow.REBASED, theirs[ids[0]])
        else:  # landed in part: a squash of its first commits, or its oldest rebased
            ups = [(k, c, _pid(repo, "diff", bases[name], c)) for k, c in enumerate(own) if k]
            found = []
            picked = 0
            while picked < len(own) and ids[len(own) - 1 - picked] in theirs:
                picked += 1
            if 0 < picked < len(own):
                newest = len(own) - picked
                found.append(LandedPart(theirs[ids[newest]], own[newest], newest))
            found += [LandedPart(theirs[p], c, k) for k, c, p in ups if p in theirs][:1]
            if found:  # the fewer commits left wins; on a tie, the rebased ones
                parts[f"#{i}"] = min(found, key=lambda part: part.after)
    def undone(newest: str, oldest: str, later: list[str]) -> bool:
        """A later commit turns oldest^..newest around, and none does it again after."""
        undo = _pid(repo, "diff", newest, f"{oldest}^")
        redo = _pid(repo, "diff", f"{oldest}^", newest)
        last = next((c for c in later if _pid(repo, "diff", f"{c}^", c) in (undo, redo)), None)
        return last is not None and _pid(repo, "diff", f"{last}^", last) == undo

    for issue, (how, carrier) in list(out.items()):
        later = target[:target.index(carrier)] if carrier in target else []
        if how is LandedHow.PATCH and undone(carrier, carrier, later):
            del out[issue]
        elif how is LandedHow.REBASED:  # its k commits end at the carrier: undone at once,
            name = names[int(issue[1:])]  # or each by a later commit of its own
            k = len(repo.git("rev-list", "--no-merges", name, "^main", "--").split())
            span = target[target.index(carrier):][:k]
            if len(span) == k and (undone(span[0], span[-1], later)
                                   or all(undone(m, m, later) for m in span)):
                del out[issue]
    return out, parts


@pytest.mark.property
@settings(max_examples=examples(50, 2), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(branches, moves)
def test_carriers_equal_patch_ids_asked_one_by_one(
        fleet: list[list[list[tuple[str, int, int]]]],
        steps: list[tuple[str, int, list[tuple[str, int, int]]]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = make_repo(Path(tmp), BASE)
        names = [f"feature/{i}" for i in range(len(fleet))]
        for name, commits in zip(names, fleet, strict=True):
            repo.git("checkout", "-q", "-b", name, "main")
            for k, change in enumerate(commits):
                _apply(repo, change, f"{name} {k}")
        repo.git("checkout", "-q", "main")
        _apply(repo, [("c.txt", 0, 9)], "main moves first")  # picks make new commits
        for n, (how, i, change) in enumerate(steps):
            name = names[i % len(names)]
            own = repo.git("rev-list", "--reverse", f"main..{name}").split()
            if how in ("squash", "prefix", "undone"):
                tip = f"{name}~1" if how == "prefix" else name
                merged = _run(repo, "merge", "--squash", tip) == 0
                if merged and _run(repo, "diff", "--cached", "--quiet"):
                    repo.git("commit", "-q", "-m", f"squash {name}")
                    if how == "undone":
                        repo.git("revert", "--no-edit", "HEAD")
                repo.git("reset", "-q", "--hard")
            elif how == "revert":  # the newest squash on main, or a revert of it
                last = repo.git("log", "-1", "--format=%H", "--grep=^squash",
                                "--grep=^Revert", "main").strip()
                if last and _run(repo, "revert", "--no-edit", last):
                    repo.git("revert", "--abort", check=False)
            elif how in ("pick", "first", "unpicked") and own:
                picked = 0
                for sha in own[:1] if how == "first" else own:
                    if _run(repo, "cherry-pick", "--allow-empty", sha):
                        repo.git("cherry-pick", "--abort", check=False)
                        break
                    picked += 1
                if how == "unpicked" and picked:  # GitHub's Revert, or `git revert A..B`
                    one = ["--no-commit"] if i % 2 else []
                    if _run(repo, "revert", "--no-edit", *one, f"HEAD~{picked}..HEAD"):
                        repo.git("revert", "--abort", check=False)
                    elif one and _run(repo, "diff", "--cached", "--quiet"):
                        repo.git("commit", "-q", "-m", "Revert the picks")
                    repo.git("reset", "-q", "--hard")
            else:
                _apply(repo, change, f"main {n}")
        plan = plan_of(*(row(f"#{i}", b) for i, b in enumerate(names)))
        facts = gather(Git(repo.path), plan)
        got = {la.issue: (la.how, la.commit) for la in facts.landed
               if la.how in (LandedHow.PATCH, LandedHow.REBASED)}
        want, parts = _expected(repo, names)
        assert got == want
        whole = {la.issue for la in facts.landed}  # a no-op landing too: no part of it
        assert {b.issue: b.landed_part for b in facts.branches if b.landed_part} == {
            issue: part for issue, part in parts.items() if issue not in whole}
