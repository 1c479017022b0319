from __future__ import annotations

import pytest

from fleetbot.analysis.pyapi import (
    api_changes,
    changed_names,
    referenced_names,
    signatures,
)
from fleetbot.git import Git
from fleetbot.git.facts import changed_lines_many, parse_patch_stdin
from fleetbot.git.mergetree import touches_api
from tests.support.repo import make_repo

OLD = '''
from dataclasses import dataclass


@dataclass
class Task:
    title: str
    size: int = 1


def add(title: str, done: bool = False) -> Task:
    """doc"""
    return Task(title)


def load(path, *, strict=False):
    return path


def helper():
    return 1
'''


def change(old: str, new: str) -> list[tuple[str, str | None, str]]:
    return [(c.name, c.new, c.describe()) for c in api_changes(OLD, OLD.replace(old, new))]


def test_signature_ignores_bodies_and_line_numbers() -> None:
    moved = "\n\n" + OLD.replace('"""doc"""', "x = 1")
    assert signatures(OLD) == signatures(moved)


@pytest.mark.parametrize(("old", "new"), [
    ("def helper():", "def helper(verbose=None):"),  # an optional parameter added
    ("def load(path, *, strict=False):", "def load(path=None, *, strict=False):"),
    ("def load(path, *, strict=False):", "def load(path, *, strict=False, quiet=True):"),
    ("def load(path, *, strict=False):", "def load(path, *args, strict=False, **kw):"),
    ("    size: int = 1\n", "    size: int = 1\n    done: bool = False\n"),  # optional field
    ('"""doc"""', "pass"),  # a body
])
def test_compatible_changes_are_not_warnings(old: str, new: str) -> None:
    assert change(old, new) == []


@pytest.mark.parametrize(("old", "new", "name", "shown"), [
    ("def helper():", "def helper(verbose):", "helper",
     "changes `helper()` → `helper(verbose)` (required parameter `verbose` added)"),
    ("def add(title: str, done: bool = False)", "def add(title: str)", "add",
     "changes `add(title: str, done: bool=…) -> Task` → `add(title: str) -> Task` "
     "(parameter `done` removed)"),
    ("def load(path, *, strict=False):", "def load(file, *, strict=False):", "load",
     "changes `load(path, strict=…)` → `load(file, strict=…)` "
     "(parameter `path` renamed to `file`)"),
    ("def add(title: str, done: bool = False)", "def add(done: bool, title: str)", "add",
     "changes `add(title: str, done: bool=…) -> Task` → `add(done: bool, title: str) -> Task` "
     "(parameters reordered (`title` was at position 1))"),
    ("def load(path, *, strict=False):", "def load(path, *, strict):", "load",
     "changes `load(path, strict=…)` → `load(path, strict)` (parameter `strict` now required)"),
    ("    size: int = 1\n", "", "Task",
     "changes `Task{title: str, size: int = …}` → `Task{title: str}` (field `size` removed)"),
    ("    title: str\n", "    title: bytes\n", "Task",
     "changes `Task{title: str, size: int = …}` → `Task{title: bytes, size: int = …}` "
     "(field `title` retyped str → bytes)"),
    ("    size: int = 1\n", "    size: int = 1\n    done: bool\n", "Task",
     "changes `Task{title: str, size: int = …}` → `Task{title: str, size: int = …, done: bool}` "
     "(required field `done` added)"),
    ("def helper():\n    return 1\n", "", "helper", "removes `helper`"),
])
def test_incompatible_changes_show_old_and_new(old: str, new: str, name: str, shown: str) -> None:
    ((got_name, _, got_shown),) = change(old, new)
    assert (got_name, got_shown) == (name, shown)


def test_new_and_unparsable_files() -> None:
    assert changed_names(None, OLD) == ()
    assert changed_names(OLD, None) == ("Task", "add", "helper", "load")
    assert api_changes(OLD, None)[0].describe() == "removes `Task`"
    assert signatures("def broken(:\n") == {}


def test_referenced_names() -> None:
    text = "from tasks.model import Task\nimport tasks\n\nx = tasks.add('a')  # helper\n"
    names = referenced_names(text)
    assert {"Task", "add", "tasks"} <= names
    assert "helper" not in names
    assert "Task" in referenced_names("this is not python Task(")


def test_touches_api_sees_signature_lines_not_bodies() -> None:
    assert not touches_api(["    return 1", "    x = compute(y) + 1", "# note"])
    for line in ("def f(a):", "async def f():", "class T:", "@dataclass", "    done: bool",
                 "    path=None,", "    path,", ") -> int:"):
        assert touches_api([line]), line


def test_patch_lines_from_one_diff_tree_process(tmp_path) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo(tmp_path, {"a.py": "def f():\n    return 1\n", "b.txt": "x\n"})
    base = repo.head()
    repo.commit({"a.py": "def f():\n    return 2\n", "c.py": "class C:\n    pass\n",
                 "b.txt": "y\n"}, "edit")
    head = repo.head()
    git = Git(repo.path)
    got = changed_lines_many(git, [(base, head), (head, head)])
    assert got == [{"a.py": ["    return 1", "    return 2"],
                    "c.py": ["class C:", "    pass"]}, {}]
    assert not touches_api(got[0]["a.py"]) and touches_api(got[0]["c.py"])
    assert parse_patch_stdin("") == []
