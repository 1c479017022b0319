"""No forge: facts come from git alone, there are no PRs, and nothing can be written."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from fleetbot.errors import ForgeCause, ForgeError
from fleetbot.forge.types import (
    Action,
    Applied,
    DashboardIssue,
    ForgeState,
    IssueSummary,
    Refusal,
    StickyComment,
)
from fleetbot.model import CommitStatus, PullFacts

if TYPE_CHECKING:
    pass

SKIPPED = "no forge (GitHub/GitLab) detected: PRs, CI, labels and comments were skipped"


class LocalForge:
    """The git-only stand-in, so read-only commands work anywhere."""

    kind = "local"
    repo = ""

    @property
    def web_url(self) -> str:
        return ""

    @property
    def can_write(self) -> bool:
        return False

    def state(
        self, issues: Iterable[int] = (), *, label_prefix: str = "fleet:",
        branches: Iterable[str] = (), links: bool = True,
        planned_links: Mapping[int, frozenset[int]] | None = None,
    ) -> ForgeState:
        return ForgeState(notes=(SKIPPED,))

    def pull(self, number: int) -> PullFacts:
        raise ForgeError(f"no forge to read PR #{number} from: pass --forge github|gitlab",
                         cause=ForgeCause.NOT_FOUND)

    def pull_files(self, number: int) -> tuple[str, ...]:
        return ()

    def find_comment(self, number: int) -> StickyComment | None:
        return None

    def can_push(self, login: str) -> bool:
        return False  # no forge, nobody to ask

    def find_dashboard(self, label: str) -> DashboardIssue | None:
        return None  # no forge, no dashboard issue

    def commit_statuses(self, shas: Iterable[str], context: str) -> Mapping[str, CommitStatus]:
        return {}

    def apply(self, actions: Sequence[Action]) -> Applied:
        if not actions:
            return Applied()
        text = ("no forge to write to: pass --forge github|gitlab (or use --dry-run). "
                "Nothing was written.")
        return Applied(refused=(Refusal(actions[0], ForgeCause.NO_TOKEN, text),),
                       skipped=tuple(actions[1:]))

    def open_issues(
        self, *, labels: Sequence[str] = (), limit: int = 100
    ) -> tuple[IssueSummary, ...]:
        raise ForgeError(
            "no forge to list issues from: pass --forge github|gitlab (or name the rows "
            "with --issue 42:count)"
        )
