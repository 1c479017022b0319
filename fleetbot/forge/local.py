"""No forge: facts come from git alone, there are no PRs, and nothing can be written."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from fleetbot.errors import ForgeError
from fleetbot.forge.types import Action, ForgeState, IssueSummary
from fleetbot.model import PullFacts

if TYPE_CHECKING:
    from fleetbot.git import Git

SKIPPED = "no forge (GitHub/GitLab) detected: PRs, CI, labels and comments were skipped"


class LocalForge:
    """The git-only stand-in, so read-only commands work anywhere."""

    kind = "local"
    repo = ""

    def __init__(self, git: Git | None = None) -> None:
        self.git = git

    @property
    def can_write(self) -> bool:
        return False

    def state(
        self, issues: Iterable[int] = (), *, label_prefix: str = "fleet:"
    ) -> ForgeState:
        return ForgeState(notes=(SKIPPED,))

    def pull(self, number: int) -> PullFacts:
        raise ForgeError(f"no forge to read PR #{number} from: pass --forge github|gitlab")

    def pull_files(self, number: int) -> tuple[str, ...]:
        return ()

    def apply(self, actions: Sequence[Action]) -> list[Action]:
        if actions:
            raise ForgeError(
                "no forge to write to: pass --forge github|gitlab (or use --dry-run). "
                "Nothing was written."
            )
        return []

    def set_commit_status(self, sha: str, context: str, state: str, description: str) -> None:
        raise ForgeError("no forge to set a commit status on: pass --forge github|gitlab")

    def open_issues(
        self, *, labels: Sequence[str] = (), limit: int = 100
    ) -> tuple[IssueSummary, ...]:
        raise ForgeError(
            "no forge to list issues from: pass --forge github|gitlab (or name the rows "
            "with --issue 42:count)"
        )
