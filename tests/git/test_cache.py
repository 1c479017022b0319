"""The git-dir cache: a repeated run on an unchanged fleet gives the same facts with far
fewer git processes; a broken or unwritable cache changes nothing."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from fleetbot import pipeline
from fleetbot.analysis.pyapi import PARSED, ApiChange
from fleetbot.git import Git
from fleetbot.git.cache import Cache, result_from_json, result_to_json
from fleetbot.git.chain import replay
from fleetbot.git.mergetree import gather
from fleetbot.model import ConflictKind, MergeConflict, MergeResult, SourceChange
from tests.fleet import plan_of, row
from tests.support.fleetrepo import example_plan, tasks_repo
from tests.support.repo import make_repo


class CountingGit(Git):
    """A real Git that counts the processes it starts."""

    calls: list[str]

    def __init__(self, repo: Path) -> None:
        super().__init__(repo)
        self.calls = []

    def run_full(self, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
        self.calls.append(args[0])
        return super().run_full(*args, **kw)

    def run_bytes(self, *args: str, **kw: Any) -> bytes:
        self.calls.append(" ".join(args[:2]) if args[0] == "cat-file" else args[0])
        return super().run_bytes(*args, **kw)

    def start(self, *args: str, **kw: Any) -> subprocess.Popen[bytes]:
        self.calls.append(" ".join(args[:2]))
        return super().start(*args, **kw)


def test_warm_run_gives_the_same_facts_with_fewer_processes(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    repo.checkout("main")
    repo.commit({"NOTES.md": "main moved on\n"}, "notes")  # so landings are looked for
    plan = example_plan()
    cold_git = CountingGit(repo.path)
    cold = gather(cold_git, plan)
    assert "patch-id" in cold_git.calls
    cache = repo.path / ".git" / "fleetbot" / "cache"
    assert sorted(p.name for p in cache.iterdir()) == [
        "ahead-behind.json", "api-lines.json", "bases.json", "changes.json", "landed.json",
        "merges.json",
    ]  # no blobs: no changed line of this fleet can touch a signature, so none is read
    warm_git = CountingGit(repo.path)
    assert gather(warm_git, plan) == cold
    # merges run in the shadow repository (target attributes), so they are counted by
    # what the cache holds: every landing and pair merge of the cold run
    assert json.loads((cache / "merges.json").read_text())
    for kind in ("rev-list", "patch-id"):
        assert kind not in warm_git.calls, warm_git.calls
    # no merge-base asked again, no landing commit written again (it is in the store)
    assert [c for c in cold_git.calls if "..." in c or c.startswith("hash-object")]
    assert [c for c in warm_git.calls if "..." in c or c.startswith("hash-object")] == []
    assert len(warm_git.calls) < len(cold_git.calls)


def test_warm_run_diffs_nothing_and_builds_no_shadow_repository(tmp_path: Path) -> None:
    """Changed files come from the cache by (base, head); with every merge remembered the
    shadow repository (rev-parse, ls-tree of the target) is never built."""
    repo = tasks_repo(tmp_path)
    plan = example_plan()
    cold_git = CountingGit(repo.path)
    cold = gather(cold_git, plan)
    assert {"diff-tree", "ls-tree"} <= set(cold_git.calls), cold_git.calls
    warm_git = CountingGit(repo.path)
    assert gather(warm_git, plan) == cold
    assert not {"diff-tree", "version", "ls-tree"} & set(warm_git.calls), warm_git.calls


def test_moved_branch_is_asked_again(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    plan = example_plan()
    gather(Git(repo.path), plan)
    repo.checkout("feature/44-clear")
    repo.commit({"tasks/clear.py": "X = 1\n"}, "more")
    repo.checkout("main")
    fresh = gather(Git(repo.path), plan)
    with_cache = CountingGit(repo.path)
    assert gather(with_cache, plan) == fresh
    assert with_cache.calls.count("merge-tree") == 0  # the new pairs are remembered too


def test_broken_cache_is_ignored_and_rewritten(tmp_path: Path, monkeypatch: Any) -> None:
    repo = tasks_repo(tmp_path)
    plan = example_plan()
    monkeypatch.setenv("FLEETBOT_NO_CACHE", "1")
    expected = gather(Git(repo.path), plan)
    assert not (repo.path / ".git" / "fleetbot").exists()
    monkeypatch.delenv("FLEETBOT_NO_CACHE")
    cache = repo.path / ".git" / "fleetbot" / "cache"
    cache.mkdir(parents=True)
    (cache / "merges.json").write_text("{not json")
    (cache / "landed.json").write_text(json.dumps({"version": 1, "entries": {"x": 1}}))
    (cache / "ahead-behind.json").write_text(json.dumps({"version": 99, "entries": {}}))
    assert gather(Git(repo.path), plan) == expected
    assert json.loads((cache / "merges.json").read_text())["version"] == 1
    assert not [p for p in cache.iterdir() if p.name.endswith(".tmp")]


def test_unwritable_cache_dir_is_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cache = Cache(blocker / "cache")  # a file where the folder should be
    cache.put("merges", "a b", [True])
    cache.save()
    assert cache.get("merges", "a b") == [True]


def test_merge_results_round_trip() -> None:
    result = MergeResult(clean=False, tree="t", files=("a", "b"), conflicts=(
        MergeConflict(sort="content", paths=("a",), message="CONFLICT (content): a"),))
    assert result_from_json(json.loads(json.dumps(result_to_json(result)))) == result
    assert result_from_json([1, 2]) is None
    assert result_from_json(None) is None




STEPS = [("#42", "feature/42-count"), ("#43", "feature/43-docs"), ("#44", "feature/44-clear")]


def test_warm_replay_starts_no_merge(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    cold = replay(Git(repo.path), "main", STEPS)
    assert cold.stops_at == 3  # #44 collides with #42 in tasks/cli.py
    warm_git = CountingGit(repo.path)
    assert replay(warm_git, "main", STEPS) == cold
    # the git dir, the target and every ref in one rev-parse: no shadow repo, no merge
    assert warm_git.calls == ["rev-parse", "rev-parse"]
    assert len(json.loads((repo.path / ".git/fleetbot/cache/chain.json").read_text())[
        "entries"]) == 3


def test_replay_after_gc_and_a_push_merges_again(tmp_path: Path, monkeypatch: Any) -> None:
    """The remembered tips are unreferenced commits: after `git gc` removed them, a step
    the cache does not know cannot start from one, so the chain is replayed whole."""
    repo = tasks_repo(tmp_path)
    replay(Git(repo.path), "main", STEPS)
    repo.checkout("feature/44-clear")
    repo.commit({"tasks/clear.py": "X = 2\n"}, "more")
    repo.checkout("main")
    repo.git("gc", "-q", "--prune=now")
    got = replay(Git(repo.path), "main", STEPS)
    monkeypatch.setenv("FLEETBOT_NO_CACHE", "1")
    assert got == replay(Git(repo.path), "main", STEPS)
    assert got.stops_at == 3


class CountingApi:
    """The interface check's parser, counting what it parses."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def defined(self, src: SourceChange) -> frozenset[str]:
        self.calls.append(("defined", f"{src.issue} {src.path}"))
        return PARSED.defined(src)

    def mentions(self, src: SourceChange, names: frozenset[str]) -> frozenset[str]:
        self.calls.append(("mentions", f"{src.issue} {src.path}"))
        return PARSED.mentions(src, names)

    def changes(self, src: SourceChange) -> tuple[ApiChange, ...]:
        self.calls.append(("changes", f"{src.issue} {src.path}"))
        return PARSED.changes(src)

    def uses(self, src: SourceChange) -> frozenset[str]:
        self.calls.append(("uses", f"{src.issue} {src.path}"))
        return PARSED.uses(src)


def test_the_interface_check_parses_an_unchanged_fleet_once(
        tmp_path: Path, monkeypatch: Any) -> None:
    """What parsing said is kept by blob id: a second report parses nothing and says the
    same; a damaged record is parsed again; without the cache every run parses."""
    model = "from dataclasses import dataclass\n\n\n@dataclass\nclass Task:\n    title: str\n"
    repo = make_repo(tmp_path, {"tasks/model.py": model}, {
        "field": {"tasks/model.py": model + "    done: bool\n"},
        "user": {"tasks/count.py": "from tasks.model import Task\n\n\n"
                                   "def count(ts: list[Task]) -> int:\n    return len(ts)\n"},
    })
    plan = plan_of(row("#1", "field", ["tasks/model.py"]), row("#2", "user", ["tasks/count.py"]))
    api = CountingApi()
    monkeypatch.setattr(pipeline, "parsing_reader", lambda: api)
    # who mentions `Task` is asked once per file: the uses step asks the same names again
    parsed = [("changes", "#1 tasks/model.py"), ("defined", "#1 tasks/model.py"),
              ("mentions", "#1 tasks/model.py"), ("mentions", "#2 tasks/count.py"),
              ("uses", "#1 tasks/model.py"), ("uses", "#2 tasks/count.py")]
    first = pipeline.build_report(Git(repo.path), plan)
    assert [c.rows for c in first.conflicts if c.kind is ConflictKind.INTERFACE] == [
        ("#1", "#2")]
    assert sorted(api.calls) == parsed
    api.calls.clear()
    assert pipeline.build_report(Git(repo.path), plan) == first
    assert api.calls == []
    record = repo.path / ".git" / "fleetbot" / "cache" / "api-changes.json"
    kept = json.loads(record.read_text())
    kept["entries"] = {k: [["Task", 1, None, None]] for k in kept["entries"]}
    record.write_text(json.dumps(kept))
    assert pipeline.build_report(Git(repo.path), plan) == first
    assert api.calls == [("changes", "#1 tasks/model.py")]
    api.calls.clear()
    monkeypatch.setattr("fleetbot.__version__", "99.0.0")  # another fleetbot reads again
    assert pipeline.build_report(Git(repo.path), plan) == first
    assert sorted(api.calls) == parsed
    api.calls.clear()
    monkeypatch.setenv("FLEETBOT_NO_CACHE", "1")  # nothing remembered within a run either
    assert pipeline.build_report(Git(repo.path), plan) == first
    assert sorted(api.calls) == sorted([*parsed, ("mentions", "#1 tasks/model.py"),
                                        ("mentions", "#2 tasks/count.py")])


def test_a_fleet_forked_at_the_tip_reads_no_patch_ids(tmp_path: Path) -> None:
    """No target commit after any branch's base can carry a branch (squash, rebase): the
    landing check asks nothing, and says what the patch-ids would."""
    repo = tasks_repo(tmp_path)
    git = CountingGit(repo.path)
    facts = gather(git, example_plan())
    assert {b.merge_base for b in facts.branches} == {repo.head("main")}
    assert facts.landed == ()
    assert not {"patch-id", "log"} & set(git.calls), git.calls


def test_kept_folders_are_asked_once(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"src/pkg/a.py": "a\n", "docs/x.md": "x\n"})
    head = repo.head("main")
    git = CountingGit(repo.path)
    cache = Cache.of(git)
    from fleetbot.git.facts import kept_folders

    asked = [head, head], [{"src", "gone"}, {"docs/x.md", "src/pkg"}]
    want = [{"src"}, {"src/pkg"}]  # a file is not a folder, a missing path is gone
    assert kept_folders(git, *asked, cache) == want
    assert git.calls.count("cat-file --batch-check=%(objecttype)") == 1
    assert kept_folders(git, *asked, cache) == want
    assert git.calls.count("cat-file --batch-check=%(objecttype)") == 1


MODEL = "from dataclasses import dataclass\n\n\n@dataclass\nclass Task:\n    title: str\n"
UTIL = "def helper(a):\n    return a\n\n\ndef other():\n    return 1\n"


def _interface_fleet(tmp_path: Path) -> Any:
    return make_repo(tmp_path, {"tasks/model.py": MODEL, "tasks/util.py": UTIL}, {
        "field": {"tasks/model.py": MODEL + "    done: bool\n"},
        "user": {"tasks/count.py": "from tasks.model import Task\nfrom tasks.util import "
                                   "other\n\n\ndef count(ts: list[Task]) -> int:\n"
                                   "    return len(ts) + other()\n"},
        "args": {"tasks/util.py": UTIL.replace("def other():", "def other(n):")},
    })


def test_an_unchanged_fleet_reads_no_source(tmp_path: Path) -> None:
    repo = _interface_fleet(tmp_path)
    plan = plan_of(row("#1", "field", ["tasks/model.py"]), row("#2", "user", ["tasks/count.py"]))
    first = pipeline.build_report(CountingGit(repo.path), plan)
    git = CountingGit(repo.path)
    assert pipeline.build_report(git, plan) == first
    assert not [c for c in git.calls if c.startswith("cat-file")], git.calls
    assert [c.rows for c in first.conflicts if c.kind is ConflictKind.INTERFACE] == [
        ("#1", "#2")]


def test_a_new_question_reads_the_unread_sources_at_once(tmp_path: Path) -> None:
    """A row joins whose change to `other` the others were never asked about: the texts
    left unread are read then, in one process, and the report is a cold run's."""
    repo = _interface_fleet(tmp_path)
    two = plan_of(row("#1", "field", ["tasks/model.py"]), row("#2", "user", ["tasks/count.py"]))
    three = plan_of(*two.rows, row("#3", "args", ["tasks/util.py"]))
    pipeline.build_report(Git(repo.path), two)
    git = CountingGit(repo.path)
    warm = pipeline.build_report(git, three)
    # #3's blob ids (beside its patch) and texts, then the texts left unread, at once
    assert [c for c in git.calls if c.startswith("cat-file --batch")] == [
        "cat-file --batch-check", "cat-file --batch", "cat-file --batch-command"]
    assert [c.rows for c in warm.conflicts if c.kind is ConflictKind.INTERFACE] == [
        ("#1", "#2"), ("#3", "#2")]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FLEETBOT_NO_CACHE", "1")
        assert pipeline.build_report(Git(repo.path), three) == warm


def test_nothing_is_read_when_no_changed_line_can_touch_a_signature(tmp_path: Path) -> None:
    """Bodies edited and a module added: the interface check will parse nothing, so its
    sources are read no further than the patch that says so (no blob id, no size, no
    text), and a run with the cache says the same."""
    repo = make_repo(tmp_path, {"tasks/util.py": UTIL}, {
        "body": {"tasks/util.py": UTIL.replace("return a", "return a + 1")},
        "new": {"tasks/extra.py": "def extra():\n    return 2\n"},
    })
    plan = plan_of(row("#1", "body", ["tasks/util.py"]), row("#2", "new", ["tasks/extra.py"]))
    git = CountingGit(repo.path)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FLEETBOT_NO_CACHE", "1")
        cold = gather(git, plan)
    assert sorted(cold.sources, key=lambda s: s.issue) == [
        SourceChange(issue="#1", path="tasks/util.py", touches_api=False),
        SourceChange(issue="#2", path="tasks/extra.py", touches_api=True),
    ]
    # equality leaves the texts and `unread` out (a text is what its id says): so asked
    assert [(s.old, s.new, s.unread) for s in cold.sources] == [(None, None, False)] * 2
    assert not [c for c in git.calls if c.startswith("cat-file --batch")], git.calls
    assert gather(Git(repo.path), plan) == gather(Git(repo.path), plan) == cold
