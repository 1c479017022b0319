"""The classic example fleet, built for real: a small tasks app in a fresh git repository.

Three rows work in parallel. #42 adds `count` and #44 adds `clear`, and both put their
command into the same dispatch table in `tasks/cli.py`; #43 writes docs. The files are
Python strings here, so `fleetbot demo` works from a plain `pip install .` with no
network, no forge and no git identity (commits carry fleetbot's own).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from fleetbot import DEFAULT_PLAN
from fleetbot.git import FLEETBOT_IDENTITY, Git

# Kept equal to examples/orchestration-plan.md (a test checks it).
PLAN = """\
# Orchestration plan

Three agents work in parallel on the tasks app. Each row is one issue, on one branch, in
one worktree. fleetbot reads the table below; the prose around it is for people.

| Issue | Branch | Worktree | Files owned | Depends on | Status |
|---|---|---|---|---|---|
| #42 count | feature/42-count | ../tasks-42-count | `tasks/cli.py` (dispatch + new fn), `tasks/count.py`, `tests/test_count.py` | none | running |
| #43 docs | feature/43-docs | ../tasks-43-docs | `docs/**`, `README.md` | none | running |
| #44 clear | feature/44-clear | ../tasks-44-clear | `tasks/cli.py` (dispatch + new fn), `tasks/clear.py`, `tests/test_clear.py` | none | running |

## Notes

`#42` and `#44` both add a command to the dispatch in `tasks/cli.py`: fleetbot flags that
joint, and recommends merging one after the other.
"""  # noqa: E501

CLI = '''\
"""tasks: a tiny to-do list on the command line."""

import sys

from tasks.store import load, save


def add(args):
    save(load() + [" ".join(args)])


def show(args):
    for number, task in enumerate(load(), start=1):
        print(f"{number}. {task}")


COMMANDS = {
    "add": add,
    "list": show,
}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS:
        print("usage: tasks {" + ",".join(COMMANDS) + "} ...")
        return 2
    COMMANDS[argv[0]](argv[1:])
    return 0
'''

STORE = '''\
"""Tasks live in a text file, one per line."""

from pathlib import Path

FILE = Path("tasks.txt")


def load():
    return FILE.read_text().splitlines() if FILE.exists() else []


def save(tasks):
    FILE.write_text("".join(t + "\\n" for t in tasks))
'''

BASE: dict[str, str] = {
    DEFAULT_PLAN: PLAN,
    "README.md": "# tasks\n\nA tiny to-do list: `python -m tasks add milk`.\n",
    "tasks/__init__.py": "",
    "tasks/__main__.py": "import sys\n\nfrom tasks.cli import main\n\nsys.exit(main())\n",
    "tasks/cli.py": CLI,
    "tasks/store.py": STORE,
    "tests/test_cli.py": (
        "from tasks.cli import main\n\n\ndef test_usage():\n    assert main([]) == 2\n"
    ),
}



def cli_with(name: str) -> str:
    """tasks/cli.py with command `name` (from tasks/NAME.py) added to the dispatch."""
    return CLI.replace(
        "from tasks.store import load, save\n",
        f"from tasks.{name} import {name}\nfrom tasks.store import load, save\n",
    ).replace('    "list": show,\n', f'    "list": show,\n    "{name}": {name},\n')


# One commit per row; both feature rows add a line at the same place in the dispatch.
BRANCHES: dict[str, tuple[str, dict[str, str]]] = {
    "feature/42-count": ("#42: tasks count", {
        "tasks/cli.py": cli_with("count"),
        "tasks/count.py": (
            '"""tasks count: how many tasks are left."""\n\nfrom tasks.store import load\n\n\n'
            "def count(args):\n    print(len(load()))\n"
        ),
        "tests/test_count.py": (
            "from tasks.count import count\n\n\ndef test_count(capsys):\n    count([])\n"
            '    assert capsys.readouterr().out == "0\\n"\n'
        ),
    }),
    "feature/43-docs": ("#43: usage docs", {
        "docs/usage.md": (
            "# Using tasks\n\n```sh\npython -m tasks add milk\npython -m tasks list\n```\n"
        ),
        "README.md": (
            "# tasks\n\nA tiny to-do list: `python -m tasks add milk`.\n\n"
            "See [docs/usage.md](docs/usage.md).\n"
        ),
    }),
    "feature/44-clear": ("#44: tasks clear", {
        "tasks/cli.py": cli_with("clear"),
        "tasks/clear.py": (
            '"""tasks clear: forget every task."""\n\nfrom tasks.store import save\n\n\n'
            "def clear(args):\n    save([])\n"
        ),
        "tests/test_clear.py": (
            "from tasks.clear import clear\nfrom tasks.store import load\n\n\n"
            "def test_clear(tmp_path, monkeypatch):\n    monkeypatch.chdir(tmp_path)\n"
            "    clear([])\n    assert load() == []\n"
        ),
    }),
}

# The demo repo ignores the user's git config (signing, hooks, templates) on purpose.
# Commits are dated now (not FLEETBOT_IDENTITY's fixed date) so a --keep repo reads
# naturally in `fleetbot status`.
_ENV = {
    **{k: v for k, v in FLEETBOT_IDENTITY.items() if not k.endswith("_DATE")},
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def build_example(path: Path) -> Git:
    """Make the example repository at `path` (created; must not exist or be empty)."""
    return _build(path, BASE, BRANCHES)


def _build(path: Path, base: Mapping[str, str],
           branches: Mapping[str, tuple[str, Mapping[str, str]]]) -> Git:
    """One `git fast-import` writes every commit (main, then one per branch from it) and one
    `update-ref` transaction points the branches at them, with a reflog entry that says
    each got a commit of its own (what landed.py reads): seven git processes, not one per
    add, commit and checkout."""
    path.mkdir(parents=True, exist_ok=True)
    git = Git(path, env=_ENV)
    git.run("init", "-q")
    git.run("symbolic-ref", "HEAD", "refs/heads/main")
    # who and when as `git commit` would write them (a GIT_*_DATE set outside wins)
    who = (git.run("var", "GIT_AUTHOR_IDENT").strip(),
           git.run("var", "GIT_COMMITTER_IDENT").strip())
    names = ["main", *branches]
    stream = [_import_commit(1, None, "tasks: add and list", base, who)]
    stream += [_import_commit(mark, ":1", message, files, who)
               for mark, (message, files) in enumerate(branches.values(), start=2)]
    marks = path.resolve() / ".git" / "fleetbot-demo-marks"
    git.run_bytes("fast-import", "--quiet", "--done", f"--export-marks={marks}",
                  input=b"".join(stream) + b"done\n")
    shas = dict(line.split() for line in marks.read_text().splitlines())
    marks.unlink()
    updates = [f"create refs/heads/{name} {shas[f':{mark}']}\n"
               for mark, name in enumerate(names, start=1)]
    updates.append(f"delete {_IMPORT_REF} {shas[f':{len(names)}']}\n")
    git.run("update-ref", "--stdin", "--create-reflog", "-m", "commit: fleetbot demo",
            input="".join(updates))
    git.run("reset", "-q", "--hard")  # main's files in the work tree and the index
    return Git(path)


# where fast-import leaves its last commit until update-ref names the branches
_IMPORT_REF = "refs/fleetbot-demo/import"


def _import_commit(mark: int, parent: str | None, message: str,
                   files: Mapping[str, str], who: tuple[str, str]) -> bytes:
    """One commit of a fast-import stream by `who` (author and committer idents)."""
    msg = (message + "\n").encode()
    out = [f"commit {_IMPORT_REF}\nmark :{mark}\nauthor {who[0]}\ncommitter {who[1]}\n"
           f"data {len(msg)}\n".encode() + msg]
    if parent is not None:
        out.append(f"from {parent}\n".encode())
    for name, text in files.items():
        data = text.encode("utf-8")
        out.append(f"M 100644 inline {name}\ndata {len(data)}\n".encode() + data + b"\n")
    return b"".join(out) + b"\n"


def land_first(git: Git, style: str, branch: str = "feature/42-count") -> None:
    """Land one demo branch on main the way a forge would: squash (one new commit),
    merge (a merge commit, then the branch deleted, as GitHub does) or rebase (its commits
    replayed onto main)."""
    git.run("checkout", "-q", "main", env=_ENV)
    if style == "squash":
        git.run("merge", "-q", "--squash", branch, env=_ENV)
        git.run("commit", "-q", "--no-verify", "--no-gpg-sign", "-m",
                "Add the count command (#42)", env=_ENV)
    elif style == "merge":
        git.run("merge", "-q", "--no-ff", "--no-edit", branch, env=_ENV)
        git.run("branch", "-q", "-D", branch, env=_ENV)
    else:
        base = git.run("merge-base", "main", branch, env=_ENV).strip()
        for sha in git.run("rev-list", "--reverse", f"{base}..{branch}", env=_ENV).split():
            # the forge commits as itself, so the replayed commits are new ones
            git.run("cherry-pick", "--allow-empty", sha,
                    env={**_ENV, "GIT_COMMITTER_NAME": "forge", "GIT_COMMITTER_EMAIL": "f@x"})


# ---------------------------------------------------------------- `demo --semantic`

# A fleet whose rows all merge cleanly but do not compose: #51 renames `store.load` to
# `read_tasks` (and updates every caller it can see), #52's new `stats` command still
# calls `load`. `conflicts` warns (an interface #51 changes and #52 uses); `verify` runs
# the tests on the replayed fan-in and confirms it, naming both rows. The tests are
# stdlib unittest, so the demo needs nothing but Python.
SEMANTIC_TEST = "python -m unittest discover -s tests -t ."

SEMANTIC_PLAN = f"""\
---
test: {SEMANTIC_TEST}
---

# Orchestration plan

Three agents work on the tasks app. Their files do not overlap and every branch merges
cleanly; `fleetbot verify` checks that they also work together.

| Issue | Branch | Worktree | Files owned | Depends on | Status |
|---|---|---|---|---|---|
| #51 rename | feature/51-rename | ../tasks-51-rename | `tasks/store.py`, `tasks/cli.py`, `tests/test_store.py` | none | running |
| #52 stats | feature/52-stats | ../tasks-52-stats | `tasks/stats.py`, `tests/test_stats.py` | none | running |
| #53 docs | feature/53-docs | ../tasks-53-docs | `docs/**` | none | running |
"""  # noqa: E501

_STORE_TEST = '''\
import os
import tempfile
import unittest

from tasks.store import {load}, save


class StoreTest(unittest.TestCase):
    def test_round_trip(self):
        with tempfile.TemporaryDirectory() as tmp:
            here = os.getcwd()
            os.chdir(tmp)
            try:
                save(["milk"])
                self.assertEqual({load}(), ["milk"])
            finally:
                os.chdir(here)
'''

SEMANTIC_BASE: dict[str, str] = {
    **{k: v for k, v in BASE.items() if k not in (DEFAULT_PLAN, "tests/test_cli.py")},
    DEFAULT_PLAN: SEMANTIC_PLAN,
    "tests/__init__.py": "",
    "tests/test_store.py": _STORE_TEST.format(load="load"),
}

SEMANTIC_BRANCHES: dict[str, tuple[str, dict[str, str]]] = {
    "feature/51-rename": ("#51: store.load is now read_tasks", {
        "tasks/store.py": STORE.replace("def load():", "def read_tasks():"),
        "tasks/cli.py": CLI.replace("import load, save", "import read_tasks, save")
        .replace("load()", "read_tasks()"),
        "tests/test_store.py": _STORE_TEST.format(load="read_tasks"),
    }),
    "feature/52-stats": ("#52: tasks stats", {
        "tasks/stats.py": (
            '"""tasks stats: how much is on the list."""\n\nfrom tasks.store import load\n\n\n'
            "def stats(args):\n    tasks = load()\n"
            '    print(f"{len(tasks)} tasks, {sum(map(len, tasks))} characters")\n'
        ),
        "tests/test_stats.py": (
            "import contextlib\nimport io\nimport os\nimport tempfile\nimport unittest\n\n"
            "from tasks.stats import stats\n\n\nclass StatsTest(unittest.TestCase):\n"
            "    def test_empty(self):\n        out = io.StringIO()\n"
            "        with tempfile.TemporaryDirectory() as tmp:\n            here = os.getcwd()\n"
            "            os.chdir(tmp)\n            try:\n"
            "                with contextlib.redirect_stdout(out):\n"
            "                    stats([])\n            finally:\n                os.chdir(here)\n"
            '        self.assertEqual(out.getvalue(), "0 tasks, 0 characters\\n")\n'
        ),
    }),
    "feature/53-docs": ("#53: usage docs", {
        "docs/usage.md": "# Using tasks\n\n```sh\npython -m tasks add milk\n```\n",
    }),
}


def build_semantic_example(path: Path) -> Git:
    """The `demo --semantic` repository at `path`: three rows that merge cleanly, two of
    which break each other's tests."""
    return _build(path, SEMANTIC_BASE, SEMANTIC_BRANCHES)
