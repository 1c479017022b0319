"""Small builders for conflict tests: plan rows in one line, facts from a real repo."""

from __future__ import annotations

from collections.abc import Sequence

from fleetbot.git import Git
from fleetbot.model import Conflict, ConflictKind, GitFacts, Plan
from tests.support.factories import plan, row
from tests.support.repo import Repo

plan_of = plan  # the factories' names, as the conflict tests have long called them


def facts(repo: Repo, plan: Plan, target: str | None = None, **kw: object) -> GitFacts:
    from fleetbot.git.mergetree import gather

    return gather(Git(repo.path), plan, target, **kw)  # type: ignore[arg-type]


def predict(repo: Repo, plan: Plan, target: str | None = None) -> tuple[Conflict, ...]:
    from fleetbot.analysis.conflicts import predict as _predict

    return _predict(plan, facts(repo, plan, target))


def of_kind(found: Sequence[Conflict], kind: str) -> list[Conflict]:
    return [c for c in found if c.kind is ConflictKind(kind)]


def heads(repo: Repo) -> str:
    """Every ref and the worktree state: what a read-only operation must leave alone."""
    return repo.git("for-each-ref") + repo.git("status", "--porcelain") + repo.git(
        "rev-parse", "HEAD"
    )


def git_of(repo: Repo) -> Git:
    return Git(repo.path)


__all__ = ["facts", "git_of", "heads", "of_kind", "plan_of", "predict", "row"]
