"""Fleets of the Action and forge tests (tests/support/actionkit.py, tests/gitlab/gitlabproject.py),
built once per test process and copied into each test's folder.

`copied(key, root, build)` runs `build(folder)` once per key: it makes repositories side
by side in `folder` (an origin and a clone of it, say) and returns facts about them (the
branches' heads, so no test asks git for them again). Each call copies the repositories
into `root` and returns the facts. The template is made cheap to copy: git's sample hooks
dropped, every object in one pack. A clone's `origin` URL (an absolute path into the
template) is repointed at the copy by rewriting its config, not by running git.

A build may also run fleetbot once on what it made (tests that start "after the first
refresh": tests/support/actionkit.py's `after_first_run`, tests/gitlab/gitlabproject.py's
`after_first_job`): the copy then holds that run's refs, cache and runner files, and the
facts the fake forge's state (`state_of`, put into a new fake with `restore`), so each
test starts exactly where its own first run would have left it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from tests.support.repo import Files, Repo, from_template, make_repo

T = TypeVar("T")
_FACTS: dict[Hashable, tuple[Path, Any]] = {}  # key -> (built at, facts)


def origin_and_clone(root: Path, base: Files,
                     branches: Mapping[str, tuple[str, Files]],
                     reviews: Mapping[int, str], ref: str) -> dict[str, str]:
    """An origin with one commit per branch (message, files) and each review's head ref
    (`ref` formatted with its number: `refs/pull/{n}/head`), and a clone of it at
    root/checkout; the branches' heads."""
    origin = make_repo(root, dict(base), name="origin")
    heads = {branch: origin.branch(branch, files, message=message)
             for branch, (message, files) in branches.items()}
    origin.git("update-ref", "--stdin", input="".join(
        f"create {ref.format(n=n)} {heads[branch]}\n" for n, branch in reviews.items()))
    origin.git("clone", "-q", str(origin.path), str(root / "checkout"))
    return heads


def copied(key: Hashable, root: Path, build: Callable[[Path], T]) -> T:
    """What `build` makes, copied into `root` (which may exist); a copy of its facts."""
    def made(folder: Path) -> None:
        folder.mkdir()
        facts = build(folder)
        for repo in sorted(p for p in folder.iterdir() if (p / ".git").is_dir()):
            Repo(repo).git("repack", "-a", "-d", "-q")
            for sample in (repo / ".git" / "hooks").glob("*.sample"):
                sample.unlink()
        _FACTS[key] = (folder, facts)

    staging = root / ".template"
    from_template(("actionfleets", key), staging, made)
    built_at, facts = _FACTS[key]
    for repo in list(staging.iterdir()):
        repo.rename(root / repo.name)
    staging.rmdir()
    for repo in root.iterdir():
        _repoint(repo / ".git", built_at, root)
    return copy.deepcopy(facts)  # type: ignore[no-any-return]


def _repoint(git_dir: Path, built_at: Path, root: Path) -> None:
    """`url = <template>/x` in a clone's config becomes `url = <root>/x` (and the URL a
    fetch noted in FETCH_HEAD with it)."""
    config = git_dir / "config"
    if not config.is_file():
        return
    text = config.read_text()
    old, new = f"\turl = {built_at}/", f"\turl = {root}/"
    if old in text:
        assert not any(c in str(root) for c in '"\\\n'), root  # would need git's quoting
        config.write_text(text.replace(old, new))
    fetched = git_dir / "FETCH_HEAD"
    if fetched.is_file():
        fetched.write_text(fetched.read_text().replace(f"{built_at}/", f"{root}/"))


def state_of(fake: object) -> dict[str, Any]:
    """A fake forge's state: every attribute but its lock, deep-copied."""
    return {k: copy.deepcopy(v) for k, v in vars(fake).items() if k != "_lock"}


def restore(fake: T, state: dict[str, Any]) -> T:
    """`fake` (a new one, mounted where the test wants it) given `state`'s attributes."""
    for k, v in copy.deepcopy(state).items():
        setattr(fake, k, v)
    return fake


def ref_head(repo: Repo, ref: str) -> str:
    """What `git rev-parse <ref>` answers for a full ref name, read from its loose ref file
    when it has one (git's own first place to look; a loose file wins over packed-refs),
    else asked of git."""
    loose = repo.path / ".git" / ref
    if ref.startswith("refs/") and loose.is_file():
        sha = loose.read_text().strip()
        if len(sha) == 40 and all(c in "0123456789abcdef" for c in sha):
            return sha
    return repo.head(ref)
