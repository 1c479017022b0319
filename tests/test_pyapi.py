from __future__ import annotations

from fleetbot.analysis.pyapi import changed_names, referenced_names, signatures

OLD = '''
from dataclasses import dataclass


@dataclass
class Task:
    title: str


def add(title: str) -> Task:
    """doc"""
    return Task(title)


def helper():
    return 1
'''


def test_signature_ignores_bodies_and_line_numbers() -> None:
    moved = "\n\n" + OLD.replace('"""doc"""', "x = 1")
    assert signatures(OLD) == signatures(moved)


def test_changed_names_sees_fields_parameters_and_removals() -> None:
    new = OLD.replace("    title: str\n", "    title: str\n    done: bool = False\n")
    new = new.replace("def add(title: str)", "def add(title: str, done: bool)")
    new = new.replace("def helper():\n    return 1\n", "")
    new += "\n\ndef brand_new():\n    pass\n"
    assert changed_names(OLD, new) == ("Task", "add", "helper")


def test_new_and_unparsable_files() -> None:
    assert changed_names(None, OLD) == ()
    assert set(changed_names(OLD, None)) == {"Task", "add", "helper"}
    assert signatures("def broken(:\n") == {}


def test_referenced_names() -> None:
    text = "from tasks.model import Task\nimport tasks\n\nx = tasks.add('a')  # helper\n"
    names = referenced_names(text)
    assert {"Task", "add", "tasks"} <= names
    assert "helper" not in names
    assert "Task" in referenced_names("this is not python Task(")
