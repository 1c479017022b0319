"""A `Forge` in memory, declared against the Protocol (mypy checks it), for the shells.

It keeps a forge's state (PRs, comments, labels, issues and their blocked-by links,
commit statuses), answers `state()` from it, carries out every `Action` on it, and
records what was applied, so a shell's decisions (the Action's run, `sync`, `comment`)
are tested without HTTP. `refuse[kind] = cause` refuses every write of that kind the way
a forge would; the HTTP fakes (tests/support/fakegithub.py, tests/forge/fakegitlab.py) stay for
the adapters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from fleetbot.errors import ForgeCause, ForgeError
from fleetbot.forge import Forge
from fleetbot.forge._apply import apply_all
from fleetbot.forge.types import (
    MARKER,
    Action,
    ActionKind,
    Applied,
    DashboardIssue,
    ForgeState,
    IssueFacts,
    IssueSummary,
    StickyComment,
)
from fleetbot.model import CommitStatus, PullFacts, PullState


@dataclass
class FakeForge:
    """One repository's forge, as fleetbot sees it."""

    kind: str = "github"
    repo: str = "octo/tasks"
    token: bool = True
    pulls: dict[int, PullFacts] = field(default_factory=dict)
    comments: dict[int, list[StickyComment]] = field(default_factory=dict)
    labels: dict[tuple[int, bool], list[str]] = field(default_factory=dict)  # (n, on_issue)
    repo_labels: set[str] = field(default_factory=set)
    issues: dict[int, set[int]] = field(default_factory=dict)  # issue -> blocked by
    statuses: dict[tuple[str, str], CommitStatus] = field(default_factory=dict)
    refuse: dict[ActionKind, ForgeCause] = field(default_factory=dict)
    applied: list[Action] = field(default_factory=list)  # every write made, in order
    reads: int = 0  # state() and other read calls
    dashboards: dict[int, DashboardIssue] = field(default_factory=dict)  # the bot's issues
    writers: set[str] = field(default_factory=set)  # logins with write access
    _ids: int = 9000

    # ------------------------------------------------------------ setup

    def add_pull(self, number: int, branch: str, **kw: object) -> PullFacts:
        pull = PullFacts(number, branch, **kw)  # type: ignore[arg-type]
        self.pulls[number] = pull
        return pull

    def merge(self, number: int) -> None:
        self.pulls[number] = replace(self.pulls[number], state=PullState.MERGED)

    def body(self, number: int) -> str:
        (only,) = self.comments[number]
        return only.body

    def labels_on(self, number: int, on_issue: bool = False) -> set[str]:
        return set(self.labels.get((number, self._shared(number, on_issue)), []))

    def _shared(self, number: int, on_issue: bool) -> bool:
        """GitHub numbers PRs and issues together: a PR's labels are its issue's."""
        return on_issue and not (self.kind == "github" and number in self.pulls)

    # ------------------------------------------------------------ the Protocol

    @property
    def web_url(self) -> str:
        return f"https://forge.invalid/{self.repo}" if self.repo else ""

    @property
    def can_write(self) -> bool:
        return self.token

    def state(self, issues: Iterable[int] = (), *, label_prefix: str = "fleet:",
              branches: Iterable[str] = (), links: bool = True,
              planned_links: Mapping[int, frozenset[int]] | None = None) -> ForgeState:
        self.reads += 1
        pulls = list(self.pulls.values())
        return ForgeState(
            pulls=tuple(replace(p, labels=tuple(self.labels.get((p.number, False), [])))
                        for p in pulls if p.state is PullState.OPEN),
            merged=tuple(replace(p, labels=tuple(self.labels.get((p.number, False), [])))
                         for p in pulls if p.state is PullState.MERGED),
            comments=tuple(c[0] for n, c in sorted(self.comments.items())
                           if c and self.pulls.get(n, PullFacts(0, "")).state
                           is PullState.OPEN),
            repo_labels=frozenset(n for n in self.repo_labels if n.startswith(label_prefix)),
            issues=tuple(
                IssueFacts(n, id=1000 + n, labels=tuple(self.labels.get(
                    (n, self._shared(n, True)), [])), blocked_by=tuple(sorted(self.issues[n])))
                for n in sorted(set(issues)) if n in self.issues),
            missing_issues=tuple(n for n in sorted(set(issues)) if n not in self.issues),
            statuses=tuple(s for s in self.statuses.values()
                           if any(p.head_sha == s.sha for p in pulls)),
            status_heads=frozenset(p.head_sha for p in pulls
                                   if p.state is PullState.OPEN and p.head_sha),
            requests=1,
        )

    def pull(self, number: int) -> PullFacts:
        if number not in self.pulls:
            raise ForgeError(f"PR #{number} not found in {self.repo}",
                             cause=ForgeCause.NOT_FOUND, status=404)
        return self.pulls[number]

    def pull_files(self, number: int) -> tuple[str, ...]:
        return ()

    def find_comment(self, number: int) -> StickyComment | None:
        return next((c for c in self.comments.get(number, []) if MARKER in c.body), None)

    def can_push(self, login: str) -> bool:
        self.reads += 1
        return login in self.writers

    def find_dashboard(self, label: str) -> DashboardIssue | None:
        self.reads += 1
        return next(iter(self.dashboards.values()), None)

    def commit_statuses(self, shas: Iterable[str], context: str) -> Mapping[str, CommitStatus]:
        self.reads += 1
        return {sha: self.statuses[(sha, context)] for sha in shas
                if (sha, context) in self.statuses}

    def open_issues(self, *, labels: Sequence[str] = (),
                    limit: int = 100) -> tuple[IssueSummary, ...]:
        return tuple(IssueSummary(n, f"issue {n}") for n in sorted(self.issues))[:limit]

    def apply(self, actions: Sequence[Action]) -> Applied:
        return apply_all(actions, self._write, forge="Fake", repo=self.repo,
                         can_write=self.token, token_hint="FAKE_TOKEN",
                         permission=lambda kind: kind.value)

    # ------------------------------------------------------------ writes

    def _write(self, a: Action) -> None:
        if a.kind in self.refuse:
            raise ForgeError(f"refused {a.describe()}", cause=self.refuse[a.kind], status=403)
        K = ActionKind
        if a.kind is K.CREATE_COMMENT:
            assert self.find_comment(a.number) is None, "a second sticky comment"
            self._ids += 1
            self.comments.setdefault(a.number, []).append(StickyComment(a.number, self._ids,
                                                                        a.body))
        elif a.kind is K.EDIT_COMMENT:
            self.comments[a.number] = [StickyComment(a.number, a.comment_id, a.body)]
        elif a.kind is K.CREATE_ISSUE:
            assert not self.dashboards, "a second dashboard issue"
            self._ids += 1
            self.dashboards[self._ids] = DashboardIssue(self._ids, a.body, a.title)
        elif a.kind is K.EDIT_ISSUE:
            self.dashboards[a.number] = DashboardIssue(a.number, a.body, a.title)
        elif a.kind is K.DISPATCH_WORKFLOW:
            pass  # recorded in `applied`
        elif a.kind is K.CREATE_LABEL:
            self.repo_labels.add(a.label)
        elif a.kind is K.ADD_LABEL:
            have = self.labels.setdefault((a.number, self._shared(a.number, a.on_issue)), [])
            assert a.label not in have, f"{a.label} added twice to #{a.number}"
            have.append(a.label)
        elif a.kind is K.REMOVE_LABEL:
            self.labels[(a.number, self._shared(a.number, a.on_issue))].remove(a.label)
        elif a.kind is K.ADD_DEPENDENCY:
            self.issues[a.number].add(a.other)
        elif a.kind is K.REMOVE_DEPENDENCY:
            self.issues[a.number].discard(a.other)
        elif a.kind is K.SET_STATUS:
            assert len(a.description) <= 140
            self.statuses[(a.sha, a.context)] = CommitStatus(a.sha, a.context, a.state,
                                                             a.description, a.target_url)
        self.applied.append(a)


def _check(fake: FakeForge) -> Forge:
    """mypy proves FakeForge is a Forge: this fails type-checking if it drifts."""
    return fake
