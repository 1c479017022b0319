"""The issue's "done when", end to end through the CLI on a real repo with the example plan."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.cli import Invocation, invoke
from tests.support.fleetkit import fanned_copy
from tests.support.fleetrepo import CLI, cli_with, tasks_repo
from tests.support.repo import Repo

Invoke = Callable[..., Invocation]


def fleet(cli_invoke: Invoke, repo: Repo, *args: str, code: int = 0) -> Invocation:
    """`fleetbot ARGS --repo REPO`, which must exit `code`."""
    return cli_invoke([*args, "--repo", str(repo.path)], code=code)


def agents_work(root: Path) -> None:
    """What three agents do in their worktrees: commit their rows' changes."""
    work = {
        "tasks-42-count": {"tasks/cli.py": cli_with("count"), "tasks/count.py": "N = 1\n"},
        "tasks-43-docs": {"docs/guide.md": "# guide\n", "README.md": "# tasks\n\nSee docs.\n"},
        "tasks-44-clear": {"tasks/cli.py": cli_with("clear"), "tasks/clear.py": "X = 0\n"},
    }
    for folder, files in work.items():
        tree = Repo(root / folder)
        tree.commit(files, f"work in {folder}")


def _fan_out_and_work(root: Path) -> None:
    repo = tasks_repo(root, branches=False)
    invoke(["fan-out", "--brief", "--repo", str(repo.path)])
    agents_work(root)


@pytest.fixture
def fanned(tmp_path: Path) -> Repo:
    """The example plan fanned out with briefs, each agent's work committed in its worktree
    (built once per process, copied with its worktrees repointed)."""
    fanned_copy("fleet-cli-fanned", tmp_path, _fan_out_and_work)
    return Repo(tmp_path / "tasks")


def test_fan_out_makes_three_worktrees_with_briefs_in_their_git_dirs(
        tmp_path: Path, cli_invoke: Invoke) -> None:
    repo = tasks_repo(tmp_path, branches=False)
    out = fleet(cli_invoke, repo, "fan-out", "--dry-run", "--brief").out
    assert "would create #42" in out
    assert not (tmp_path / "tasks-42-count").exists()
    out = fleet(cli_invoke, repo, "fan-out", "--brief").out
    for folder, branch in [("tasks-42-count", "feature/42-count"),
                           ("tasks-43-docs", "feature/43-docs"),
                           ("tasks-44-clear", "feature/44-clear")]:
        tree = Repo(tmp_path / folder)
        assert tree.git("rev-parse", "--abbrev-ref", "HEAD").strip() == branch
        assert tree.git("status", "--porcelain") == ""  # the brief is not in the tree
        gitdir = Path(tree.git("rev-parse", "--absolute-git-dir").strip())
        assert (gitdir / "fleetbot-brief.md").read_text().startswith("# Brief for #")
    brief44 = (repo.path / ".git/worktrees/tasks-44-clear/fleetbot-brief.md").read_text()
    assert "with #42 on `tasks/cli.py`" in brief44
    out = fleet(cli_invoke, repo, "fan-out", "--rows", "#42").out
    assert out.startswith("skip") and "#43" not in out


def test_fan_out_refuses_the_branch_of_the_main_worktree(
        tmp_path: Path, cli_invoke: Invoke) -> None:
    repo = tasks_repo(tmp_path, branches=False)
    repo.checkout("feature/43-docs", create=True)
    out = fleet(cli_invoke, repo, "fan-out", "--target", "main", code=1).out
    assert "refuse #43" in out
    assert "main worktree" in out
    assert (tmp_path / "tasks-42-count").is_dir()


def test_brief_json_and_markdown(fanned: Repo, cli_invoke: Invoke) -> None:
    out = fleet(cli_invoke, fanned, "brief", "#42", "--format", "json").out
    data = json.loads(out)
    assert data["branch"] == "feature/42-count"
    assert data["owns"][0] == "tasks/cli.py (dispatch + new fn)"
    assert {"pattern": "docs/**", "owner": "#43"} in data["must_not_touch"]
    (collision,) = data["collisions"]
    assert collision["other"] == "#44"
    assert collision["files"] == ["tasks/cli.py"]
    out = fleet(cli_invoke, fanned, "brief", "feature/43-docs", "--format", "markdown").out
    assert "## Collisions\n- none predicted" in out
    err = fleet(cli_invoke, fanned, "brief", "#99", code=2).err
    assert "no plan row is '#99'" in err


def test_status_shows_ahead_dirty_and_the_predicted_collision(
        fanned: Repo, tmp_path: Path, cli_invoke: Invoke) -> None:
    Repo(tmp_path / "tasks-43-docs").commit({"tasks/__init__.py": "VERSION = 2\n"}, "drift")
    (tmp_path / "tasks-43-docs" / "notes.txt").write_text("wip\n")
    out = fleet(cli_invoke, fanned, "status", "--format", "json").out
    rows = {r["issue"]: r for r in json.loads(out)["rows"]}
    assert rows["#42"]["ahead"] == 1
    assert rows["#42"]["behind"] == 0
    assert rows["#42"]["dirty"] is False
    assert rows["#43"]["dirty"] is True
    assert rows["#43"]["dirty_files"] == ["notes.txt"]
    assert rows["#42"]["collisions"] == ["#44 tasks/cli.py (plan, diff, textual)"]
    assert rows["#43"]["ahead"] == 2
    assert rows["#43"]["drift"] == ["tasks/__init__.py"]
    assert rows["#42"]["drift"] == []
    assert rows["#44"]["worktree"].endswith("tasks-44-clear")
    out = fleet(cli_invoke, fanned, "status", "--format", "markdown").out
    assert "| #43 | feature/43-docs | tasks-43-docs | +2/-0 | dirty (1) |" in out
    assert "| tasks/\\_\\_init\\_\\_.py |" in out  # escaped: renders as tasks/__init__.py


def test_status_says_what_is_missing(tmp_path: Path, cli_invoke: Invoke) -> None:
    repo = tasks_repo(tmp_path, branches=False)
    repo.branch("feature/42-count", {"tasks/count.py": "N = 1\n"})
    out = fleet(cli_invoke, repo, "status", "--format", "json").out
    rows = {r["issue"]: r for r in json.loads(out)["rows"]}
    assert rows["#42"]["missing"] == ["worktree"]
    assert rows["#42"]["ahead"] == 1
    assert rows["#43"]["missing"] == ["branch", "worktree"]
    out = fleet(cli_invoke, repo, "status").out
    assert "no branch" in out
    err = fleet(cli_invoke, repo, "status", "--watch", "1", "--format", "json", code=2).err
    assert "--watch" in err


def test_integrate_stops_on_44_then_continue_then_cleanup_and_score(
        fanned: Repo, tmp_path: Path, cli_invoke: Invoke) -> None:
    main_before = fanned.head("main")
    out = fleet(cli_invoke, fanned, "integrate", "--dry-run").out
    assert "1. #42 feature/42-count" in out
    assert "3. #44 feature/44-clear  (collides with #42" in out
    assert "predicted: #42 and #44 tasks/cli.py (plan, diff, textual)" in out
    assert "the replay stops at step 3 (#44) on tasks/cli.py" in out
    err = fleet(cli_invoke, fanned, "integrate", code=1).err
    assert "merging #44 clear (feature/44-clear) into fleet/integration stopped" in err
    assert "conflict with #42 in tasks/cli.py (as predicted: #42 tasks/cli.py (plan, diff, " \
        "textual))" in err
    assert "Merged so far: #42, #43." in err
    assert "fleetbot integrate --continue" in err
    assert "<<<<<<<" in (fanned.path / "tasks/cli.py").read_text()
    err = fleet(cli_invoke, fanned, "integrate", "--continue", code=2).err
    assert "still unmerged: tasks/cli.py" in err
    both = cli_with("count").replace('    "count": count,\n',
                                     '    "count": count,\n    "clear": clear,\n')
    (fanned.path / "tasks/cli.py").write_text(both)
    fanned.git("add", "tasks/cli.py")
    err = fleet(cli_invoke, fanned, "integrate", "--continue").err
    assert "all 3 rows merged" in err
    assert fanned.head("main") == main_before
    # land it: main fast-forwards to the integration branch
    fanned.checkout("main")
    fanned.git("merge", "-q", "--ff-only", "fleet/integration")
    (tmp_path / "tasks-42-count" / "scratch.py").write_text("unsaved\n")
    out = fleet(cli_invoke, fanned, "cleanup", "--dry-run", code=1).out
    assert "would remove #43" in out
    out = fleet(cli_invoke, fanned, "cleanup", "--dry-run", "--format", "json", code=1).out
    steps = {r["issue"]: r for r in json.loads(out)["rows"]}
    assert steps["#42"]["refused"].startswith("it holds untracked work")
    assert steps["#42"]["loses"] == ["untracked: scratch.py (8 B)"]
    assert steps["#43"]["remove_worktree"] is True
    assert (tmp_path / "tasks-43-docs").exists()
    out = fleet(cli_invoke, fanned, "cleanup", "--delete-branches", code=1).out
    assert "refuse #42" in out
    assert "  would lose: untracked: scratch.py (8 B)\n" in out
    assert not (tmp_path / "tasks-43-docs").exists()
    assert not (tmp_path / "tasks-44-clear").exists()
    assert (tmp_path / "tasks-42-count" / "scratch.py").exists()
    assert fanned.git("branch", "--list", "feature/43-docs") == ""
    out = fleet(cli_invoke, fanned, "cleanup", "--force").out
    assert "  loses: untracked: scratch.py (8 B)\n" in out
    assert not (tmp_path / "tasks-42-count").exists()
    out = fleet(cli_invoke, fanned, "score", "--format", "json").out
    data = json.loads(out)
    assert data["predicted"] == [["#42", "#44"]]
    assert data["met"] == [["#42", "#44"]]
    assert data["precision"] == 1.0
    assert data["recall"] == 1.0
    assert (data["rows"], data["depth"], data["width"]) == (3, 1, 3)
    assert data["serialised"] == ["#44"]
    out = fleet(cli_invoke, fanned, "score", "--format", "markdown").out
    assert "| precision / recall | 100% / 100% |" in out


def test_integrate_abort_restores_and_refuses_a_dirty_tree(
        fanned: Repo, cli_invoke: Invoke) -> None:
    (fanned.path / "tasks/cli.py").write_text(CLI + "# edit\n")
    err = fleet(cli_invoke, fanned, "integrate", code=2).err
    assert "not clean" in err
    fanned.git("checkout", "--", "tasks/cli.py")
    fleet(cli_invoke, fanned, "integrate", "--into", "fleet/try", code=1)
    err = fleet(cli_invoke, fanned, "integrate", code=2).err
    assert "already in progress" in err
    err = fleet(cli_invoke, fanned, "integrate", "--abort").err
    assert "integration aborted" in err
    assert fanned.git("rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    assert fanned.git("status", "--porcelain", "--untracked-files=no") == ""
    assert fanned.git("branch", "--list", "fleet/try") == ""
    err = fleet(cli_invoke, fanned, "integrate", "--continue", code=2).err
    assert "no integration in progress" in err


def test_integrate_refuses_an_untracked_file_a_row_would_overwrite(
        fanned: Repo, cli_invoke: Invoke) -> None:
    (fanned.path / "docs").mkdir(exist_ok=True)
    (fanned.path / "docs/guide.md").write_text("untracked, in the way of #43\n")
    before = fanned.git("for-each-ref")
    err = fleet(cli_invoke, fanned, "integrate", code=2).err
    assert err == ("error: integrate would overwrite files that are not committed here "
                   "(untracked or ignored): docs/guide.md (written by #43 docs); move them out "
                   "of the worktree first (nothing was changed)\n")
    assert fanned.git("for-each-ref") == before
    assert fanned.git("rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    assert (fanned.path / "docs/guide.md").read_text().startswith("untracked")


def test_integrate_interrupted_by_git_says_where_you_are_then_abort(
        fanned: Repo, cli_invoke: Invoke) -> None:
    hook = fanned.path / ".git/hooks/pre-merge-commit"
    hook.write_text("#!/bin/sh\n[ -f .git/let-one-merge ] || { touch .git/let-one-merge; "
                    "exit 0; }\necho refused by hook >&2\nexit 1\n")
    hook.chmod(0o755)
    err = fleet(cli_invoke, fanned, "integrate", code=2).err
    assert "merging feature/43-docs into fleet/integration failed" in err
    assert "refused by hook" in err
    at = fanned.head("fleet/integration")[:12]
    assert (f"now: you are on fleet/integration; fleet/integration is at {at}; merged so "
            "far: #42; `fleetbot integrate --abort` puts everything back") in err
    assert "Traceback" not in err
    err = fleet(cli_invoke, fanned, "integrate", "--abort").err
    assert fanned.git("rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    assert fanned.git("branch", "--list", "fleet/integration") == ""
    assert fanned.git("status", "--porcelain") == ""


def interrupt_after(rounds: int, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """`time.sleep` that records each wait and stops `--watch` (Ctrl-C) at the n-th."""
    import time

    calls: list[float] = []

    def sleep(seconds: float) -> None:
        calls.append(seconds)
        if len(calls) == rounds:
            raise KeyboardInterrupt

    monkeypatch.setattr(time, "sleep", sleep)
    return calls


def test_status_watch_redraws_until_interrupted(
        fanned: Repo, cli_invoke: Invoke, monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = interrupt_after(2, monkeypatch)
    out = fleet(cli_invoke, fanned, "status", "--watch", "0.5").out
    assert calls == [0.5, 0.5]
    assert "#42" in out
    # piped (as here): each refresh printed whole, with a separator
    assert out.count("fleet status (target main)") == 2
    assert out.count("-- refreshed; next in 0.5s (Ctrl-C stops) --") == 2


class FakeForge:
    """Records what status asks; answers with one open PR for #42."""

    kind = "github"
    repo = "me/tasks"
    can_write = True

    def __init__(self) -> None:
        self.calls: list[str] = []

    def state(self, issues: object = (), *, label_prefix: str = "fleet:") -> object:
        from fleetbot.forge import ForgeState
        from fleetbot.model import CIState, PullFacts, ReviewState

        self.calls.append("state")
        return ForgeState(pulls=(PullFacts(7, "feature/42-count", ci=CIState.SUCCESS,
                                           review=ReviewState.APPROVED),))


def test_status_shows_pr_ci_and_review_with_a_forge(
        fanned: Repo, cli_invoke: Invoke, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import fleetbot.forge

    fake = FakeForge()
    monkeypatch.setattr(fleetbot.forge, "pick_forge", lambda kind, git=None: fake)
    out = fleet(cli_invoke, fanned, "status", "--format", "json").out
    rows = {r["issue"]: r for r in json.loads(out)["rows"]}
    assert (rows["#42"]["pr"], rows["#42"]["ci"], rows["#42"]["review"]) == (
        "#7", "success", "approved")
    assert rows["#43"]["pr"] is None
    out = fleet(cli_invoke, fanned, "status").out
    assert "PR" in out.splitlines()[1]
    assert "#7" in out
    assert fake.calls == ["state", "state"]
    out = fleet(cli_invoke, fanned, "status", "--forge", "local").out
    assert "PR" not in out.splitlines()[1]
    assert fake.calls == ["state", "state"]


def test_status_without_a_token_does_not_ask_the_forge(
        fanned: Repo, cli_invoke: Invoke, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import fleetbot.forge

    fake = FakeForge()
    fake.can_write = False
    monkeypatch.setattr(fleetbot.forge, "pick_forge", lambda kind, git=None: fake)
    out = fleet(cli_invoke, fanned, "status", "--format", "json").out
    assert json.loads(out)["rows"][0]["pr"] is None
    assert fake.calls == []


def test_fan_out_json_for_tools(tmp_path: Path, cli_invoke: Invoke) -> None:
    repo = tasks_repo(tmp_path, branches=False)
    done = fleet(cli_invoke, repo, "fan-out", "--brief", "--format", "json")
    out, err = done.out, done.err
    data = json.loads(out)
    first = data["rows"][0]
    assert (first["issue"], first["action"], first["start"]) == ("#42", "create", "main")
    assert first["brief"].endswith("worktrees/tasks-42-count/fleetbot-brief.md")
    assert "create #42" in err


def test_status_watch_says_a_note_once(tmp_path: Path, cli_invoke: Invoke,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    up = tasks_repo(tmp_path)
    plan = tmp_path / "plan.md"
    plan.write_text("| Issue | Branch | Files owned |\n|---|---|---|\n"
                    "| #42 | Feature/42-Count | tasks/cli.py |\n")
    interrupt_after(3, monkeypatch)
    got = cli_invoke(["status", "--repo", str(up.path), "--plan", str(plan), "--watch", "1"])
    assert got.out.count("fleet status (target main)") == 3
    assert got.err == ("note: #42: branch 'Feature/42-Count' does not exist here or on "
                       "origin; 'feature/42-count' does (write that in the plan)\n")
