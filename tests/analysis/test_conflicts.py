from __future__ import annotations

import os
import subprocess
from pathlib import Path

from fleetbot.analysis.conflicts import is_regenerable
from fleetbot.git.pairs import may_collide
from fleetbot.model import ChangeStatus, FileChange
from tests.fleet import facts, of_kind, plan_of, predict, row
from tests.support.fleetrepo import example_plan, tasks_repo
from tests.support.repo import GIT_ENV

# the example fleet (fleetbot/fleet/demo.py's, through tests/support/fleetrepo.py)
EXAMPLE_PLAN = example_plan()

FAR = "".join(f"line {i}\n" for i in range(40))


def test_example_fleet_plan_and_textual_on_cli_nothing_for_43(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    found = predict(repo, EXAMPLE_PLAN)
    (plan,) = of_kind(found, "plan")
    (textual,) = of_kind(found, "textual")
    for c in (plan, textual):
        assert c.rows == ("#42", "#44")
        assert c.files == ("tasks/cli.py",)
    assert "content" in textual.detail
    assert textual.blocking
    assert not any("#43" in c.rows for c in found)
    assert of_kind(found, "target") == []
    assert of_kind(found, "drift") == []


def test_same_file_far_apart_is_diff_not_textual(repo_factory) -> None:  # type: ignore[no-untyped-def]
    repo = repo_factory({"big.txt": FAR}, {
        "top": {"big.txt": FAR.replace("line 1\n", "TOP\n")},
        "bottom": {"big.txt": FAR.replace("line 38\n", "BOTTOM\n")},
    })
    plan = plan_of(row("#1", "top", ["big.txt"], deps=()), row("#2", "bottom", ["other"]))
    found = predict(repo, plan)
    (diff,) = of_kind(found, "diff")
    assert diff.rows == ("#1", "#2")
    assert diff.files == ("big.txt",)
    assert not diff.blocking
    assert of_kind(found, "textual") == []


def test_delete_versus_edit_is_textual_modify_delete(repo_factory) -> None:  # type: ignore[no-untyped-def]
    repo = repo_factory({"old.py": FAR}, {
        "remove": {"old.py": None}, "edit": {"old.py": FAR + "more\n"},
    })
    found = predict(repo, plan_of(row("#1", "remove"), row("#2", "edit")))
    (textual,) = of_kind(found, "textual")
    assert textual.files == ("old.py",)
    assert "modify/delete" in textual.detail


def test_edit_outside_globs_is_drift_naming_the_file_and_owner(repo_factory) -> None:  # type: ignore[no-untyped-def]
    repo = repo_factory({"src/a.py": "a\n", "src/b.py": "b\n", "notes.txt": "n\n"}, {
        "wander": {"src/a.py": "A\n", "src/b.py": "B\n", "notes.txt": "N\n"},
    })
    plan = plan_of(row("#1", "wander", ["src/a.py"]), row("#2", "other", ["src/b.py"],
                                                         title="bee"))
    found = of_kind(predict(repo, plan), "drift")
    owned = next(c for c in found if c.files == ("src/b.py",))
    assert owned.rows == ("#1", "#2")
    assert "owned by #2 bee" in owned.detail
    orphan = next(c for c in found if c.files == ("notes.txt",))
    assert orphan.rows == ("#1",)
    assert "no row owns" in orphan.detail
    assert orphan.evidence == "git diff --name-status main...wander -- notes.txt"


def test_target_moved_under_a_branch_is_target_once(repo_factory) -> None:  # type: ignore[no-untyped-def]
    repo = repo_factory({"a.txt": "1\n2\n3\n"}, {"stale": {"a.txt": "S\n2\n3\n"}})
    repo.commit({"a.txt": "M\n2\n3\n"}, "main moves under the branch")
    repo.branch("fresh", {"a.txt": "M\n2\nF\n"})  # forks from the new tip
    found = predict(repo, plan_of(row("#1", "stale"), row("#2", "fresh")))
    (target,) = of_kind(found, "target")
    assert target.rows == ("#1",)
    assert target.files == ("a.txt",)
    assert "rebase it onto main first" in target.detail
    assert target.blocking
    # merged head to head the stale branch "collides" with #2; it is not blamed on it
    assert of_kind(found, "textual") == []


def test_dependent_rows_keep_kind_but_are_expected(repo_factory) -> None:  # type: ignore[no-untyped-def]
    repo = repo_factory({"a.txt": "1\n"}, {"one": {"a.txt": "one\n"}, "two": {"a.txt": "two\n"}})
    found = predict(repo, plan_of(row("#1", "one", ["a.txt"]), row("#2", "two", ["a.txt"],
                                                                 deps=["#1"])))
    (textual,) = of_kind(found, "textual")
    assert textual.expected
    assert not textual.blocking
    assert of_kind(found, "plan") == []  # a joint needs independent rows
    assert all(c.expected for c in of_kind(found, "diff"))


def test_regenerable_files_never_block(repo_factory) -> None:  # type: ignore[no-untyped-def]
    repo = repo_factory({"poetry.lock": "x = 1\n", "gen/api.py": "v = 1\n", "a.txt": "a\n"}, {
        "p": {"poetry.lock": "x = 2\n", "gen/api.py": "v = 2\n"},
        "q": {"poetry.lock": "x = 3\n", "gen/api.py": "v = 3\n"},
    })
    plan = plan_of(row("#1", "p"), row("#2", "q"), regenerable=["gen/**"])
    (textual,) = of_kind(predict(repo, plan), "textual")
    assert textual.regenerable
    assert not textual.blocking
    assert set(textual.files) == {"poetry.lock", "gen/api.py"}


def test_mixed_regenerable_and_hand_merged_files_are_split(repo_factory) -> None:  # type: ignore[no-untyped-def]
    repo = repo_factory({"uv.lock": "1\n", "a.txt": "a\n"}, {
        "p": {"uv.lock": "2\n", "a.txt": "p\n"}, "q": {"uv.lock": "3\n", "a.txt": "q\n"},
    })
    found = of_kind(predict(repo, plan_of(row("#1", "p"), row("#2", "q"))), "textual")
    assert sorted((c.files, c.regenerable) for c in found) == [
        (("a.txt",), False), (("uv.lock",), True),
    ]


def test_interface_warning_for_changed_dataclass_used_elsewhere(repo_factory) -> None:  # type: ignore[no-untyped-def]
    model = "from dataclasses import dataclass\n\n\n@dataclass\nclass Task:\n    title: str\n"
    repo = repo_factory({"tasks/model.py": model, "tasks/x.py": "y = 1\n"}, {
        "field": {"tasks/model.py": model + "    done: bool\n"},
        "user": {"tasks/count.py": "from tasks.model import Task\n\n\n"
                                   "def count(ts: list[Task]) -> int:\n    return len(ts)\n"},
        "blind": {"tasks/x.py": "y = 2  # Task\n"},  # a comment is not a use
    })
    plan = plan_of(row("#1", "field", ["tasks/model.py"]), row("#2", "user", ["tasks/count.py"]),
                   row("#3", "blind", ["tasks/x.py"]))
    found = predict(repo, plan)
    (warning,) = of_kind(found, "interface")
    assert warning.rows == ("#1", "#2")
    assert warning.files == ("tasks/model.py", "tasks/count.py")
    assert warning.detail == (
        "#1 changes `Task{title: str}` → `Task{title: str, done: bool}` (required field `done` "
        "added) (tasks/model.py); #2 uses it in tasks/count.py"
    )
    assert not warning.blocking


def test_no_interface_warning_for_an_optional_field_or_a_body_change(repo_factory) -> None:  # type: ignore[no-untyped-def]
    model = ("from dataclasses import dataclass\n\n\n@dataclass\nclass Task:\n    title: str\n\n\n"
             "def make(t):\n    return Task(t)\n")
    repo = repo_factory({"tasks/model.py": model}, {
        "field": {"tasks/model.py": model.replace("    title: str\n",
                                                  "    title: str\n    done: bool = False\n")},
        "body": {"tasks/model.py": model.replace("return Task(t)", "return Task(t.strip())")},
        "user": {"tasks/count.py": "from tasks.model import Task, make\n\n\n"
                                   "def count(ts: list[Task]) -> int:\n    return len(ts)\n"},
    })
    plan = plan_of(row("#1", "field", ["tasks/model.py"]), row("#2", "user", ["tasks/count.py"]),
                   row("#3", "body", ["tasks/model.py"]))
    assert of_kind(predict(repo, plan), "interface") == []


def test_evidence_commands_reproduce_the_conflict(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    (textual,) = of_kind(predict(repo, EXAMPLE_PLAN), "textual")
    proc = subprocess.run(
        textual.evidence, shell=True, cwd=repo.path, capture_output=True, text=True,
        env={**os.environ, **GIT_ENV},
    )
    assert proc.returncode == 1, proc.stderr
    assert "CONFLICT (content)" in proc.stdout
    assert "tasks/cli.py" in proc.stdout


def test_may_collide_file_against_directory_and_vacated_folders() -> None:
    def add(*paths: str) -> tuple[FileChange, ...]:
        return tuple(FileChange(p, ChangeStatus.ADDED) for p in paths)

    assert may_collide(add("lib"), add("lib/mod.py"))
    assert may_collide(add("x/y/z.py"), add("x/y"))
    assert not may_collide(add("lib/a.py"), add("lib/b.py"))
    moved = (FileChange("d2/a.txt", ChangeStatus.RENAMED, "d1/a.txt"),)
    assert may_collide(moved, add("d1/new.txt"))  # directory rename detection
    assert not may_collide(moved, add("d3/new.txt"))


def test_file_directory_clash_is_textual(repo_factory) -> None:  # type: ignore[no-untyped-def]
    repo = repo_factory({"a.txt": "a\n"}, {"f": {"lib": "file\n"}, "d": {"lib/mod.py": "dir\n"}})
    found = predict(repo, plan_of(row("#1", "f"), row("#2", "d")))
    (textual,) = of_kind(found, "textual")
    assert "file/directory" in textual.detail


def test_is_regenerable_defaults_match_at_any_depth() -> None:
    assert is_regenerable("web/package-lock.json")
    assert is_regenerable("go.sum")
    assert not is_regenerable("src/lock.py")


def test_pairs_are_only_merged_where_files_overlap(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    got = facts(repo, EXAMPLE_PLAN)
    assert [p.rows for p in got.pairs] == [("#42", "#44")]
    assert [la.result.clean for la in got.landings] == [True, True, True]
