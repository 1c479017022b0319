"""A property: random sequences of fleet commands never lose a commit or a user's file.

After every step: each commit reachable before (from any ref or worktree HEAD) is still
reachable, unless it is one of integrate's own merges or the command's output named it;
each file a person wrote (untracked, ignored, or an edit) still holds what they wrote,
unless the command's output named it (a --force that listed it).
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.cli import invoke
from tests.support.examples import examples
from tests.support.fleetrepo import tasks_repo
from tests.support.repo import Repo

ROWS = ("tasks-42-count", "tasks-43-docs", "tasks-44-clear")
EDITS = (".env", "notes.txt", "docs/guide.md", "README.md")

edit = st.tuples(st.just("edit"), st.sampled_from(("tasks", "tasks-43-docs", *ROWS)),
                 st.sampled_from(EDITS))
step = st.one_of(  # the cheap steps (no fleetbot run) twice: more state per second
    st.just(("fan-out",)),
    st.tuples(st.just("commit"), st.sampled_from(("tasks", *ROWS))),
    st.tuples(st.just("commit"), st.sampled_from(ROWS)),
    edit, edit, st.just(("land",)),
    st.just(("integrate",)),
    st.just(("integrate-force",)),
    st.just(("continue",)),
    st.just(("abort",)),
    st.just(("land",)),
    st.just(("cleanup",)),
    st.just(("cleanup-force",)),
    st.just(("cleanup-force",)),
)


def reachable(repo: Repo) -> set[str]:
    heads = [line.split()[1] for line in repo.git("worktree", "list", "--porcelain").splitlines()
             if line.startswith("HEAD ")]
    return set(repo.git("rev-list", "--all", *heads).split())


def own_merges(repo: Repo, commits: set[str]) -> set[str]:
    if not commits:
        return set()
    out = repo.git("show", "-s", "--format=%H %s", *sorted(commits))
    return {line.split()[0] for line in out.splitlines() if line.endswith("[fleetbot integrate]")}


def fanned_fleet(root: Path) -> None:
    """The example fleet with `.env` ignored, fanned out, #43 landed (its worktree may go):
    built once, copied per example."""
    repo = tasks_repo(root)
    repo.commit({".gitignore": ".env\n"}, "ignore .env")
    invoke(["fan-out", "--repo", str(repo.path)])
    repo.git("merge", "-q", "--no-ff", "-m", "land #43", "feature/43-docs")


class Fleet:
    """The repo, the user's files (path -> what they wrote) and one step at a time."""

    def __init__(self, template: Path, root: Path) -> None:
        shutil.copytree(template, root, symlinks=True)
        self.root = root
        self.repo = Repo(root / "tasks")
        for row in ROWS:  # point the copied worktrees at the copy, both ways
            for link in (root / row / ".git", root / "tasks/.git/worktrees" / row / "gitdir"):
                link.write_text(link.read_text().replace(str(template), str(root)))
        assert str(template) not in self.repo.git("worktree", "list")
        self.files: dict[Path, str] = {}
        self.counter = itertools.count()

    def cli(self, *args: str) -> str:
        # any of fleetbot's exits (a refusal is fine), never a crash: invoke fails on one
        done = invoke([*args, "--repo", str(self.repo.path)], code=None)
        text = done.out + done.err
        assert done.code in (0, 1, 2), f"{args}: exit {done.code}\n{text}"
        assert "Traceback" not in text, text
        return text

    def do(self, action: tuple[str, ...]) -> str:
        kind = action[0]
        if kind == "fan-out":
            return self.cli("fan-out")
        if kind == "commit":
            tree = self.root / action[1]
            if tree.is_dir():
                n = next(self.counter)
                Repo(tree).commit({f"work/{n}.txt": f"{n}\n"}, f"work {n}")
                self.files = {p: c for p, c in self.files.items() if not p.is_relative_to(tree)
                              or p.name in (".env",)}  # committed now: not loose any more
            return ""
        if kind == "edit":
            tree = self.root / action[1]
            if tree.is_dir():
                path = tree / action[2]
                path.parent.mkdir(parents=True, exist_ok=True)
                text = f"mine {next(self.counter)}\n"
                path.write_text(text)
                self.files[path] = text
            return ""
        if kind == "integrate":
            return self.cli("integrate")
        if kind == "integrate-force":
            return self.cli("integrate", "--force")
        if kind == "continue":
            for name in self.repo.git("diff", "--name-only", "--diff-filter=U").split():
                (self.repo.path / name).write_text("resolved\n")
                self.repo.git("add", name)
            return self.cli("integrate", "--continue")
        if kind == "abort":
            return self.cli("integrate", "--abort")
        if kind == "land":
            if self.repo.git("rev-parse", "--abbrev-ref", "HEAD").strip() == "main" and \
                    not self.repo.git("status", "--porcelain", "--untracked-files=no"):
                branch = ["feature/42-count", "feature/43-docs", "feature/44-clear"][
                    next(self.counter) % 3]
                self.repo.git("merge", "-q", "--no-ff", "-m", f"land {branch}", branch,
                              check=False)
                self.repo.git("merge", "--abort", check=False)
            return ""
        if kind == "cleanup":
            return self.cli("cleanup", "--delete-branches")
        return self.cli("cleanup", "--force", "--delete-branches")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import os

    from tests.support.repo import GIT_ENV

    root = tmp_path_factory.mktemp("template")
    saved = {k: os.environ.get(k) for k in GIT_ENV}
    os.environ.update(GIT_ENV)  # the autouse isolation is per test; this runs before it
    try:
        fanned_fleet(root)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return root


@pytest.mark.property
@settings(max_examples=examples(30, 2), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=2, max_size=4))
def test_no_command_loses_a_commit_or_a_file(tmp_path_factory: pytest.TempPathFactory,
                                             template: Path,
                                             steps: list[tuple[str, ...]]) -> None:
    fleet = Fleet(template, tmp_path_factory.mktemp("fleet") / "root")
    for tree, name in (("tasks", ".env"), ("tasks-43-docs", ".env"),
                       ("tasks-42-count", "notes.txt"), ("tasks-43-docs", "notes.txt")):
        fleet.do(("edit", tree, name))  # a person's files are everywhere from the start
    for action in steps:
        before = reachable(fleet.repo)
        said = fleet.do(action)
        gone = before - reachable(fleet.repo)
        gone -= own_merges(fleet.repo, gone)
        gone = {c for c in gone if c[:7] not in said}
        assert not gone, f"{action} lost commits {gone}\n{said}"
        for path, text in list(fleet.files.items()):
            rel = str(path.relative_to(path.parents[len(path.relative_to(fleet.root).parts)
                                                    - 2]))
            if path.is_file() and path.read_text() == text:
                continue
            assert rel in said or path.name in said, \
                f"{action} changed {path} without saying so\n{said}"
            del fleet.files[path]
