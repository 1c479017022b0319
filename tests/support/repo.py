"""The one repo builder of the tests: real temporary git repositories from a small
description, in one call (`make_repo`), a template cache that builds a repo once per test
process and copies it (`from_template`), and the N-row fleet of the scale tests
(`big_fleet`). tests/support/fleetrepo.py and tests/support/bigfleet.py are thin
uses of it.

    repo = make_repo(tmp_path, {"cli.py": "a\\n"}, branches={
        "feature/count": {"cli.py": "a\\ncount\\n"},
        "feature/docs": {"docs/x.md": "hi\\n", "old.txt": None},   # None deletes
    })

Branches fork from the base commit unless `parent` names another branch in
`branch_from`. The identity and dates are pinned and no user config is read.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fleetbot.git import forget

if TYPE_CHECKING:
    from tests.support.fakegithub import FakeGithub

Files = Mapping[str, "str | None"]

_EMPTY_TEMPLATE = tempfile.mkdtemp(prefix="fleetbot-git-template-")
for _folder in ("info", "hooks"):  # the folders git's own template makes
    os.mkdir(os.path.join(_EMPTY_TEMPLATE, _folder))
atexit.register(shutil.rmtree, _EMPTY_TEMPLATE, True)

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
    "GIT_AUTHOR_DATE": "2026-01-01T12:00:00+0000",
    "GIT_COMMITTER_DATE": "2026-01-01T12:00:00+0000",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    # no `git maintenance run --auto` after each commit, merge and fetch (about 500
    # processes a run, each counting loose objects in a repo that lives a second)
    "GIT_CONFIG_COUNT": "1",
    "GIT_CONFIG_KEY_0": "maintenance.auto",
    "GIT_CONFIG_VALUE_0": "false",
    # a bare template: `git init` and `git clone` copy no sample hooks (14 files a repo)
    "GIT_TEMPLATE_DIR": _EMPTY_TEMPLATE,
}


@dataclass
class Repo:
    path: Path

    def git(self, *args: str, check: bool = True, input: str | None = None) -> str:
        forget()  # the repo changes behind fleetbot's back: nothing it remembered holds
        proc = subprocess.run(
            ["git", *args], cwd=self.path, capture_output=True, text=True, input=input,
            env={**os.environ, **GIT_ENV}, check=False,
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
        return proc.stdout

    def write(self, files: Files) -> None:
        for name, content in files.items():
            target = self.path / name
            if content is None:
                if target.exists():
                    target.unlink()
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)

    def commit(self, files: Files, message: str = "change") -> str:
        """Write `files` (None deletes), commit everything, return the new head."""
        self.write(files)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.head()

    def head(self, ref: str = "HEAD") -> str:
        return self.git("rev-parse", ref).strip()

    def checkout(self, ref: str, *, create: bool = False) -> None:
        self.git("checkout", "-q", *(["-b"] if create else []), ref)

    def branch(self, name: str, files: Files, *, start: str = "main", message: str = "") -> str:
        """Create `name` from `start` with one commit of `files`; back on the original head
        (one fast-import, which leaves the work tree alone, where the paths allow it)."""
        stream = _commit(name, 1, start, message or f"work on {name}", files)
        forget()
        if stream is not None and subprocess.run(
                ["git", "fast-import", "--quiet", "--done"], cwd=self.path,
                input=stream + b"done\n", capture_output=True,
                env={**os.environ, **GIT_ENV}, check=False).returncode == 0:
            return self.head(f"refs/heads/{name}")
        current = self.git("rev-parse", "--abbrev-ref", "HEAD").strip()
        self.git("checkout", "-q", "-b", name, start)
        head = self.commit(files, message or f"work on {name}")
        self.git("checkout", "-q", current)
        return head


def make_repo(
    root: Path,
    base: Files,
    branches: Mapping[str, Files] | None = None,
    *,
    branch_from: Mapping[str, str] | None = None,
    name: str = "repo",
) -> Repo:
    """A repo at root/name with `base` committed on main and one commit per branch."""
    path = root / name
    path.mkdir(parents=True)
    repo = Repo(path)
    repo.git("init", "-q", "-b", "main")
    stream = _import_stream(base, branches or {}, branch_from or {})
    if stream is not None and subprocess.run(
            ["git", "fast-import", "--quiet", "--done"], cwd=path, input=stream,
            capture_output=True, env={**os.environ, **GIT_ENV}, check=False).returncode == 0:
        repo.git("reset", "-q", "--hard")
        return repo
    # a path fast-import would need quoted or refuses: the step-by-step way, same commits
    shutil.rmtree(path / ".git")
    repo.git("init", "-q", "-b", "main")
    repo.commit(base, "base")
    for branch, files in (branches or {}).items():
        repo.branch(branch, files, start=(branch_from or {}).get(branch, "main"))
    return repo


# the pinned identity and date as fast-import writes them (GIT_ENV's, in seconds)
_WHO = "Test Author <author@example.com> 1767268800 +0000"


def _import_stream(base: Files, branches: Mapping[str, Files],
                   branch_from: Mapping[str, str]) -> bytes | None:
    """The `git fast-import` stream of `make_repo`'s commits: the same commits (trees,
    messages, identity, dates, so the same ids) as committing step by step, in one git
    process instead of six per branch. None when a path or a start needs the slow way."""
    marks = {"main": 1}
    out = [_commit("main", 1, None, "base", base)]
    for mark, (branch, files) in enumerate(branches.items(), start=2):
        start = branch_from.get(branch, "main")
        if start not in marks or branch in marks:
            return None
        out.append(_commit(branch, mark, f":{marks[start]}", f"work on {branch}", files))
        marks[branch] = mark
    if any(c is None for c in out):
        return None
    return b"".join(c for c in out if c is not None) + b"done\n"


def _commit(branch: str, mark: int, parent: str | None, message: str,
            files: Files) -> bytes | None:
    """One commit of a fast-import stream on `branch`, from `parent` (a mark or any
    commit-ish), with `files` changed (None deletes); None when a path needs quoting."""
    msg = (message + "\n").encode()
    lines = [f"commit refs/heads/{branch}\nmark :{mark}\nauthor {_WHO}\n"
             f"committer {_WHO}\ndata {len(msg)}\n".encode() + msg]
    if parent is not None:
        lines.append(f"from {parent}\n".encode())
    for name, content in files.items():
        if not name or name[0] in '" ' or "\n" in name or "\\" in name:
            return None
        path = os.fsencode(name)  # bytes as the file system would name it
        if content is None:
            lines.append(b"D " + path + b"\n")
        else:
            data = content.encode()
            lines.append(b"M 100644 inline " + path + f"\ndata {len(data)}\n".encode()
                         + data + b"\n")
    return b"".join(lines) + b"\n"


# ---------------------------------------------------------------- built once, copied

_TEMPLATES: dict[Hashable, Path] = {}


def from_template(key: Hashable, dest: Path, build: Callable[[Path], object]) -> None:
    """Fill `dest` (which must not exist) with what `build(path)` makes: built once per test
    process in a private folder, then copied, so a fixture used by fifty tests runs git once.
    Only for repos without absolute paths inside (no linked worktrees); a clone's `origin`
    URL is the caller's to repoint."""
    src = _TEMPLATES.get(key)
    if src is None:
        root = Path(tempfile.mkdtemp(prefix="fleetbot-template-"))
        atexit.register(shutil.rmtree, root, True)
        src = root / dest.name
        build(src)
        _TEMPLATES[key] = src
    shutil.copytree(src, dest, symlinks=True)
    if (dest / ".git" / "index").exists():
        # copied files have new inodes and times: refresh the index, or git sees every file
        # as possibly changed (`merge --abort` refuses "not uptodate" entries)
        subprocess.run(["git", "update-index", "-q", "--refresh"], cwd=dest,
                       capture_output=True, env={**os.environ, **GIT_ENV}, check=False)


def big_fleet(root: Path, n: int, plan: str, base: Mapping[str, str],
              change: Callable[[int], dict[str, str]]) -> tuple[Repo, Repo, FakeGithub]:
    """A fleet of N rows for the scale tests and the request benchmark: an origin with one
    branch and `refs/pull/N/head` per row (`feat/i` commits `change(i)`), a full clone, and
    a fake GitHub that knows every PR and plan issue (#100 + i for row i, PR i + 1).
    Returns (origin, checkout, fake GitHub)."""
    from tests.support.actionkit import API
    from tests.support.fakegithub import FakeGithub

    origin = make_repo(root, {"orchestration-plan.md": plan, **base},
                       {f"feat/{i}": change(i) for i in range(n)}, name="origin")
    heads = dict(line.split() for line in origin.git(
        "for-each-ref", "--format=%(refname:lstrip=2) %(objectname)", "refs/heads/feat/"
    ).splitlines())
    origin.git("update-ref", "--stdin", input="".join(
        f"create refs/pull/{i + 1}/head {heads[f'feat/{i}']}\n" for i in range(n)))
    gh = FakeGithub("octo/tasks", base=API)
    for i in range(n):
        gh.add_pull(i + 1, f"feat/{i}", sha=heads[f"feat/{i}"], body=f"Closes #{100 + i}")
        gh.issues.add(100 + i)
    checkout = Repo(root / "checkout")
    origin.git("clone", "-q", str(origin.path), str(checkout.path))
    return origin, checkout, gh
