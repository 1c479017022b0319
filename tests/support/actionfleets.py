"""Fleets of the Action and forge tests (tests/actionkit.py, tests/gitlab/gitlabproject.py),
built once per test process and copied into each test's folder.

`copied(key, root, build)` runs `build(folder)` once per key: it makes repositories side
by side in `folder` (an origin and a clone of it, say) and returns facts about them (the
branches' heads, so no test asks git for them again). Each call copies the repositories
into `root` and returns the facts. The template is made cheap to copy: git's sample hooks
dropped, every object in one pack. A clone's `origin` URL (an absolute path into the
template) is repointed at the copy by rewriting its config, not by running git.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from pathlib import Path

from tests.support.repo import Repo, from_template

_FACTS: dict[Hashable, tuple[Path, dict[str, str]]] = {}  # key -> (built at, facts)


def copied(key: Hashable, root: Path, build: Callable[[Path], Mapping[str, str]]
           ) -> dict[str, str]:
    """The repositories `build` makes, copied into `root` (which may exist); its facts."""
    def made(folder: Path) -> None:
        folder.mkdir()
        facts = dict(build(folder))
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
        _repoint(repo / ".git" / "config", built_at, root)
    return dict(facts)


def _repoint(config: Path, built_at: Path, root: Path) -> None:
    """`url = <template>/x` in a clone's config becomes `url = <root>/x`."""
    if not config.is_file():
        return
    text = config.read_text()
    old, new = f"\turl = {built_at}/", f"\turl = {root}/"
    if old in text:
        assert not any(c in str(root) for c in '"\\\n'), root  # would need git's quoting
        config.write_text(text.replace(old, new))
