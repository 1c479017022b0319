"""A command fleetbot suggests is one a user (or a coding agent reading the brief) can paste:
every name in it is shell-quoted, so a branch `f/x;touch$IFS/tmp/pwned` or a folder with a
space is one word, never a second command. The brief used to print
`git push -u origin f/x;touch$IFS/tmp/pwned`."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from fleetbot.fleet import brief
from fleetbot.fleet.worktrees import FanOut, plan_fan_out
from fleetbot.git import worktrees as wt
from fleetbot.git.safety import Loss, LossKind, keep_commands
from fleetbot.model import Row

NAMES = ["f/x;touch$IFS/tmp/pwned", "f/$(id)", "f/`id`", "f/a&&b", "f/it's"]


def _commands(text: str) -> list[str]:
    """The command's code span (what a reader copies): from the backtick before `git` to
    the last one, so a backtick inside a quoted name stays in."""
    return [text[text.index("`git ") + 1:text.rindex("`")]]


@pytest.mark.parametrize("branch", NAMES)
def test_the_briefs_push_command_pushes_that_branch(branch: str) -> None:
    push = brief._finish(branch, "#7", "main")[2]
    assert shlex.split(_commands(push)[0]) == ["git", "push", "-u", "origin", branch]


@pytest.mark.parametrize("name", NAMES)
def test_keep_commands_name_the_folder_and_branch_as_one_word(name: str) -> None:
    where = f"/tmp/wt {name}"
    losses = [Loss(LossKind.COMMIT, "1a2b3c4 work"), Loss(LossKind.UNTRACKED, "x.py"),
              Loss(LossKind.IGNORED, ".env"), Loss(LossKind.HIDDEN, "y.py")]
    branch, stash, ignored, hidden = keep_commands(where, losses, branch=name)
    assert shlex.split(branch.split("   #")[0]) == ["git", "branch", f"keep/{name}", "1a2b3c4"]
    assert shlex.split(stash.split("   #")[0]) == [
        "git", "-C", where, "stash", "push", "--include-untracked"]
    assert shlex.split(_commands(ignored)[0]) == ["git", "-C", where, "stash", "push", "--all"]
    assert shlex.split(hidden.split(" --no-skip")[0]) == ["git", "-C", where, "update-index"]


def test_fan_out_names_a_gone_worktree_as_one_word(tmp_path: Path) -> None:
    gone = str(tmp_path / "wt;rm -rf ~")
    row = Row(issue="#1", branch="f/a", worktree=gone)
    trees = [wt.Worktree(path=str(tmp_path / "main"), head="0" * 40, branch="main"),
             wt.Worktree(path=gone, head="1" * 40, branch="f/a", prunable="gone")]
    (step,) = plan_fan_out([row], worktrees=trees, branches=frozenset({"f/a"}),
                           paths={"#1": gone}, occupied=frozenset(), target="main")
    assert step.action is FanOut.REFUSE
    assert shlex.split(_commands(step.reason)[0]) == ["git", "worktree", "remove", gone]
