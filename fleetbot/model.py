"""The facts fleetbot gathers and the results it derives: frozen dataclasses and enums.

Nothing here does I/O or imports an adapter. Rows are named everywhere by their
normalised issue ref (`#42`, `owner/repo#42`, `!7`), which is what reports print.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import field
from enum import Enum
from functools import cached_property

from fleetbot import DEFAULT_PLAN
from fleetbot.frozen import frozen


class Status(str, Enum):
    """A row's normalised status word."""

    PLANNED = "planned"
    QUEUED = "queued"
    RUNNING = "running"
    REVIEW = "review"
    MERGED = "merged"
    BLOCKED = "blocked"
    DROPPED = "dropped"  # cancelled or abandoned: leaves the merge order like a merged row


class PlanFormat(str, Enum):
    """The file form a plan was written in."""

    MARKDOWN = "markdown"
    YAML = "yaml"
    JSON = "json"


@frozen
class OwnedPath:
    """One entry of "Files owned": a path or gitignore-style glob, and an optional note."""

    pattern: str
    note: str = ""


@frozen
class Row:
    """One plan row: an issue worked on one branch in one worktree."""

    issue: str  # normalised ref: "#42", "owner/repo#42", "!7"
    branch: str
    line: int = 0  # 1-based line in the plan file (0: unknown)
    title: str = ""  # the short name written after the ref ("#42 count" -> "count")
    worktree: str = ""  # as written; empty means derived from the branch
    files_owned: tuple[OwnedPath, ...] = ()
    depends_on: tuple[str, ...] = ()  # refs as written: issue refs or branch names
    status: Status = Status.PLANNED
    status_raw: str = ""

    @property
    def patterns(self) -> tuple[str, ...]:
        return tuple(p.pattern for p in self.files_owned)

    @property
    def label(self) -> str:
        """How reports name the row: `#42 count`."""
        return f"{self.issue} {self.title}".strip()


@frozen
class Plan:
    """A parsed, validated plan. Lookup helpers are pure."""

    rows: tuple[Row, ...]
    source: str = DEFAULT_PLAN  # the path as shown in messages
    format: PlanFormat = PlanFormat.MARKDOWN
    regenerable: tuple[str, ...] = ()  # globs of files regenerated rather than merged
    target: str = ""  # front matter `target:`: the branch the fleet merges into ("" = default)
    test: str = ""  # front matter `test:`: the project's test command, for `verify`
    text: str = ""  # the original text, kept so `lint --fix` can edit it in place
    notices: tuple[Finding, ...] = ()  # what parsing read but did not use (lint reports it)

    def find(self, ref: str) -> Row | None:
        """The row a dependency ref names, by issue ref (`#42`, `42`) or by branch."""
        key = ref.strip()
        for row in self.rows:
            if key in (row.issue, row.branch):
                return row
        if key.isdigit() or (key.startswith("#") and key[1:].isdigit()):
            want = "#" + key.lstrip("#")
            for row in self.rows:
                if row.issue == want or row.issue.endswith(want):
                    return row
        return None

    def dependencies(self, row: Row) -> tuple[Row, ...]:
        """The rows `row` depends on directly (unknown refs are skipped: lint reports them)."""
        found = (self.find(ref) for ref in row.depends_on)
        return tuple(r for r in found if r is not None and r is not row)

    def by_issue(self, issue: str) -> Row | None:
        return self._row_of.get(issue)

    @cached_property
    def _row_of(self) -> dict[str, Row]:
        """issue -> its row (the first); frozen, so made once per Plan."""
        return {r.issue: r for r in reversed(self.rows)}

    @cached_property
    def positions(self) -> dict[str, int]:
        """issue -> the index of its row in the plan (a duplicated issue: its last)."""
        return {r.issue: i for i, r in enumerate(self.rows)}


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTICE = "notice"  # something fleetbot read but does not use: said, never an error


class FindingCode(str, Enum):
    """Every lint/plan finding code (str-valued: JSON shows the same words)."""

    INVALID_FILE = "invalid-file"
    SCHEMA = "schema"
    NO_PLAN_TABLE = "no-plan-table"
    MISSING_COLUMN = "missing-column"
    MALFORMED_ROW = "malformed-row"
    EMPTY_FIELD = "empty-field"
    DUPLICATE_ISSUE = "duplicate-issue"
    DUPLICATE_BRANCH = "duplicate-branch"
    DUPLICATE_WORKTREE = "duplicate-worktree"
    UNKNOWN_DEPENDENCY = "unknown-dependency"
    SELF_DEPENDENCY = "self-dependency"
    CYCLE = "cycle"
    JOINT = "joint"
    UNKNOWN_STATUS = "unknown-status"
    STATUS_CONTRADICTION = "status-contradiction"  # the plan's Status word and git disagree
    UNKNOWN_FRONT_MATTER = "unknown-front-matter"
    UNUSED_COLUMN = "unused-column"
    UNDECIDED = "undecided"
    BAD_BRANCH = "bad-branch"
    TARGET_BRANCH = "target-branch"
    MULTIPLE_PLAN_TABLES = "multiple-plan-tables"
    NO_FILES_OWNED = "no-files-owned"
    UNMATCHABLE_PATH = "unmatchable-path"
    PLAN_OUTSIDE_REPO = "plan-outside-repo"
    TOO_DEEP = "too-deep"

    def __str__(self) -> str:
        return self.value


@frozen
class Finding:
    """One lint finding; `rows` are issue refs, `line` a 1-based line of `file`."""

    severity: Severity
    code: FindingCode
    message: str
    line: int = 0
    rows: tuple[str, ...] = ()
    hint: str = ""
    file: str = ""


class ConflictKind(str, Enum):
    """From cheapest to exact; see DESIGN.md "Conflicts"."""

    PLAN = "plan"  # owned globs of independent rows overlap
    DIFF = "diff"  # two branches changed a same file
    DRIFT = "drift"  # a branch changed files its row does not own
    TARGET = "target"  # a branch no longer merges onto the target tip
    TEXTUAL = "textual"  # landing both collides (exact, by merge-tree)
    INTERFACE = "interface"  # a changed Python signature another branch uses (warning)
    SEMANTIC = "semantic"  # both merge cleanly, the tests fail only together (`verify`)


BLOCKING_KINDS = frozenset({ConflictKind.TEXTUAL, ConflictKind.TARGET, ConflictKind.SEMANTIC})


@frozen
class Conflict:
    """A predicted collision with the evidence a reviewer needs to check it."""

    kind: ConflictKind
    rows: tuple[str, ...]  # issue refs, one (drift/target) or two
    files: tuple[str, ...] = ()
    detail: str = ""
    expected: bool = False  # the plan already serialises these rows
    regenerable: bool = False  # only regenerated files collide: regenerate after merging
    evidence: str = ""  # a command a reviewer can run to see it

    @property
    def blocking(self) -> bool:
        return self.kind in BLOCKING_KINDS and not self.expected and not self.regenerable


class ChangeStatus(str, Enum):
    """git's letter for how a file changed (`diff --name-status`)."""

    ADDED = "A"
    MODIFIED = "M"
    DELETED = "D"
    RENAMED = "R"
    COPIED = "C"
    TYPE_CHANGED = "T"
    UNMERGED = "U"
    UNKNOWN = "X"

    @classmethod
    def of(cls, letter: str) -> ChangeStatus:
        """The status for git's letter (`R100` -> RENAMED); unknown letters -> UNKNOWN."""
        try:
            return cls(letter[:1])
        except ValueError:
            return cls.UNKNOWN


@frozen
class FileChange:
    """One file a branch changed since its merge-base."""

    path: str
    status: ChangeStatus = ChangeStatus.MODIFIED
    old_path: str = ""  # for renames and copies


@frozen
class StackBase:
    """A dependency whose head a row's branch is built on (and the target does not hold
    yet): the row's changes and drift are counted from that head, not from the target."""

    issue: str
    ref: str  # the dependency's branch ref as read: "feature/x" or "origin/feature/x"
    head: str


@frozen
class LandedPart:
    """A branch's first commits, landed as one target commit (squash-merged, and then the
    branch went on): its changes are counted from `through`, and `git rebase --onto
    <target> <through> <branch>` replays just the commits after it."""

    carrier: str  # the target's commit that holds them ("" when only the forge knows)
    through: str  # the branch's newest commit whose change (from its base) that carrier is
    after: int  # the branch's own commits after `through`, still to land
    pull: int = 0  # the merged PR that landed them, when the forge says so


@frozen
class BranchFacts:
    """What git says about one row's branch."""

    issue: str
    branch: str
    ref: str  # the ref actually read: "feature/x" or "origin/feature/x"
    head: str
    merge_base: str
    changes: tuple[FileChange, ...] = ()  # since `base`
    ahead: int = 0
    behind: int = 0
    stacked_on: tuple[StackBase, ...] = ()  # dependencies whose heads it contains
    landed_part: LandedPart | None = None  # its first commits are on the target already

    @property
    def base(self) -> str:
        """What `changes` are counted from: the newest commit of its own already landed,
        else the nearest stacked dependency's head, else the merge-base with the target."""
        if self.landed_part is not None:
            return self.landed_part.through
        return self.stacked_on[0].head if self.stacked_on else self.merge_base

    @property
    def start(self) -> str:
        """Where the branch's own work begins, landed or not: the nearest stacked
        dependency's head, else the merge-base with the target."""
        return self.stacked_on[0].head if self.stacked_on else self.merge_base

    @property
    def paths(self) -> frozenset[str]:
        """Every path the branch touched, old names of renames included."""
        out = {c.path for c in self.changes}
        out.update(c.old_path for c in self.changes if c.old_path)
        return frozenset(out)


class CIState(str, Enum):
    SUCCESS = "success"
    PENDING = "pending"
    FAILURE = "failure"
    NONE = "none"


class StatusState(str, Enum):
    """A commit status's state, as fleetbot writes and reads it (GitLab: `failed` for both
    failure and error, `running` for pending)."""

    SUCCESS = "success"
    PENDING = "pending"
    FAILURE = "failure"
    ERROR = "error"


ORDER_CONTEXT = "fleetbot/order"  # the commit status that carries the merge order


@frozen
class OrderStatus:
    """The `fleetbot/order` status one PR head should carry."""

    issue: str
    pull: int
    sha: str
    state: StatusState
    description: str
    context: str = ORDER_CONTEXT


@frozen
class CommitStatus:
    """One commit status on one commit, as the forge shows it (the latest per context)."""

    sha: str
    context: str
    state: StatusState
    description: str = ""
    target_url: str = ""


class ReviewState(str, Enum):
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"
    REVIEW_REQUIRED = "review_required"
    NONE = "none"


class PullState(str, Enum):
    OPEN = "open"
    CLOSED = "closed"
    MERGED = "merged"


@frozen
class PullFacts:
    """One open (or just merged) PR/MR as the forge shows it, adapter types stripped."""

    number: int
    branch: str
    title: str = ""
    url: str = ""
    state: PullState = PullState.OPEN
    draft: bool = False
    review: ReviewState = ReviewState.NONE
    ci: CIState = CIState.NONE
    head_sha: str = ""
    base: str = ""
    labels: tuple[str, ...] = ()
    body: str = ""
    fork: bool = False  # its head is in another repository: it never stands for a row
    merged_as: str = ""  # merged: the target's commit that landed it (merge or squash)


def fork_head(owner: str, branch: str) -> str:
    """A fork PR's head as the forge shows it, `owner:branch`: never a plan branch (git
    refuses `:` in branch names), so a fork named like a row cannot stand for it."""
    return f"{owner or 'fork'}:{branch}"


class BlockerKind(str, Enum):
    """Why a step cannot merge yet."""

    DEPENDENCY = "dependency"  # a row it depends on has not landed (`ref`: its issue)
    NO_BRANCH = "no-branch"  # the row's branch does not exist (`ref`: the branch)
    CI_FAILING = "ci-failing"  # its PR's CI fails (`ref`: the PR, "#12")
    PLAN_BLOCKED = "plan-blocked"  # the plan marks the row blocked


@frozen
class Blocker:
    """One typed reason a step waits; renderers turn it into words, nobody parses them."""

    kind: BlockerKind
    ref: str = ""
    detail: str = ""

    def describe(self) -> str:
        if self.kind is BlockerKind.DEPENDENCY:
            return self.ref
        if self.kind is BlockerKind.NO_BRANCH:  # words for "blocked by …"
            return f"a missing branch ({self.ref})" if self.ref else "a branch not decided yet"
        if self.kind is BlockerKind.CI_FAILING:
            return "CI failing"
        return "marked blocked in the plan" + (f" ({self.detail})" if self.detail else "")


@frozen
class MergeStep:
    """One position in the recommended merge order, with why it is there."""

    position: int
    issue: str
    branch: str
    reasons: tuple[str, ...] = ()
    blocked_by: tuple[Blocker, ...] = ()

    @property
    def waits(self) -> bool:
        """Blockers that hold a started row back (a missing branch only means not started)."""
        return any(b.kind is not BlockerKind.NO_BRANCH for b in self.blocked_by)


@frozen
class ReplayStop:
    """One step of the replayed fan-in that will need a resolution; the replay goes on
    from it with both sides kept, as the fan-in does once it is resolved."""

    position: int
    issue: str
    files: tuple[str, ...] = ()
    detail: str = ""


@frozen
class Replay:
    """The recommended order replayed as a chain of merge-trees onto the target tip.
    `stops` lists every step that will need a resolution; `stops_at`, `files` and
    `detail` describe the first."""

    clean: bool
    stops_at: int | None = None
    stops_at_issue: str | None = None
    files: tuple[str, ...] = ()
    detail: str = ""
    stops: tuple[ReplayStop, ...] = ()


class LandedHow(str, Enum):
    """How fleetbot knows a row's work is in the target (DESIGN.md "Landed")."""

    PR_MERGED = "pr-merged"  # the forge says the row's PR merged
    ANCESTOR = "ancestor"  # its head is an ancestor of the target (merge commit, fast-forward)
    NO_OP = "no-op"  # landing it would change nothing (squash, rebase-merge, cherry-pick)
    PATCH = "patch"  # its whole change equals a commit's on the target (a squash, later edited)
    REBASED = "rebased"  # each of its commits has an equivalent on the target (rebase-merge)
    HISTORY = "history"  # its branch is gone; a merge on the target names the branch or issue
    PLAN = "plan"  # its branch is gone and the plan says merged: nothing in git contradicts it


@frozen
class Landed:
    """A row whose work has landed, with the evidence."""

    issue: str
    how: LandedHow
    commit: str = ""  # the target's commit that landed it, when known
    pull: int = 0  # its merged PR, when known
    at: int = 0  # unix seconds of that commit (0: unknown)
    head: str = ""  # the branch's head that landed (a merged PR's last commit), when known
    into: str = ""  # the branch its PR merged into, when the forge says (it may not be ours)

    def describe(self) -> str:
        """`squash-merged in 1a2b3c4`, `merged at 1a2b3c4`, `PR #101 merged`."""
        short = self.commit[:7]
        if self.how is LandedHow.PR_MERGED:
            return f"PR #{self.pull} merged" + (f" in {short}" if short else "")
        if self.how is LandedHow.ANCESTOR:
            return f"merged at {short}" if short else "merged"
        if self.how is LandedHow.HISTORY:
            return f"merged in {short} (branch deleted)"
        if self.how is LandedHow.PLAN:
            return "marked merged in the plan (branch deleted)"
        if self.how is LandedHow.REBASED:
            return f"rebase-merged, ending at {short}"
        return f"squash-merged in {short}" if short else "its changes are in the target"


@frozen
class Report:
    """Everything a renderer needs; built by `analyse()`, rendered by `render/`."""

    target: str
    plan: Plan
    findings: tuple[Finding, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    missing_branches: tuple[str, ...] = ()  # issue refs whose branch does not exist
    branches: tuple[BranchFacts, ...] = ()
    order: tuple[MergeStep, ...] = ()
    replay: Replay | None = None
    pulls: tuple[PullFacts, ...] = ()
    current_issue: str | None = None  # the row of the branch checked out, for `check`
    notes: tuple[str, ...] = field(default=())  # what was skipped and why
    landed: tuple[Landed, ...] = ()  # rows whose work is in the target, with the evidence
    target_ref: str = ""  # the target ref actually read: "main" or "origin/main"

    def landed_row(self, issue: str) -> Landed | None:
        return next((la for la in self.landed if la.issue == issue), None)


# ---------------------------------------------------------------- merge-tree facts (issue 3)


@frozen
class MergeConflict:
    """One CONFLICT message of a merge-tree: its sort ("content", "modify/delete",
    "rename/rename", "add/add" ...) and the paths it names."""

    sort: str
    paths: tuple[str, ...] = ()
    message: str = ""


@frozen
class MergeResult:
    """What one `git merge-tree --write-tree` said: clean or not, and on which files."""

    clean: bool
    tree: str = ""
    files: tuple[str, ...] = ()  # conflicted files, as git lists them
    conflicts: tuple[MergeConflict, ...] = ()

    def describe(self, files: Sequence[str] | None = None) -> str:
        """`tasks/cli.py (content); old.txt (modify/delete)` for the given or all files."""
        parts = []
        for path in files if files is not None else self.files:
            sorts = self.sorts_of(path)
            parts.append(f"{path} ({', '.join(sorts)})" if sorts else path)
        if not parts and not self.clean:
            return ", ".join(sorted({c.sort for c in self.conflicts})) or "conflict"
        return "; ".join(parts)

    def sorts_of(self, path: str) -> tuple[str, ...]:
        """The sorts of conflict git reported for `path` (empty if it named none)."""
        seen: dict[str, None] = {}
        for c in self.conflicts:
            if path in c.paths:
                seen.setdefault(c.sort, None)
        return tuple(seen)


@frozen
class Landing:
    """One branch merged onto the target tip, kept as a synthetic commit
    (parents: target, branch) so pairs can be merged the way the fan-in meets them."""

    issue: str
    branch: str
    result: MergeResult
    commit: str = ""  # empty when the landing conflicts (the branch is stale)


@frozen
class PairMerge:
    """Two landings merged together: does B still land on (target + A)?"""

    rows: tuple[str, str]  # issue refs, in plan order
    result: MergeResult


@frozen
class SourceChange:
    """Old (merge-base) and new (branch head) text of one changed Python file;
    None where the file does not exist on that side or could not be read, or was left
    `unread`: the interface check's reader remembers what those blobs say (by id). When no
    changed line of the fleet can touch a signature the check parses nothing, and its
    sources carry no text and no id (`git.mergetree.read_sources`)."""

    issue: str
    path: str
    # the texts are what the blob ids say: two sources are the same whether read or not
    old: str | None = field(default=None, compare=False, repr=False)
    new: str | None = field(default=None, compare=False, repr=False)
    too_large: bool = False  # over the size cap: not read, so `interface` skipped it
    touches_api: bool = True  # a changed line may be part of a top-level signature
    old_id: str = ""  # the blob ids of `old` and `new` ("" where unknown): what the
    new_id: str = ""  # interface check learnt of a text is remembered by them
    unread: bool = field(default=False, compare=False)

    @property
    def has_old(self) -> bool:
        """The file exists before the change with a text to check (read or remembered)."""
        return self.old is not None or (self.unread and bool(self.old_id))

    @property
    def has_new(self) -> bool:
        return self.new is not None or (self.unread and bool(self.new_id))


@frozen
class GitFacts:
    """Everything `conflicts.predict` needs from git, gathered by `git.mergetree.gather`."""

    target: str  # the name reports show: "main"
    target_sha: str
    target_ref: str = ""  # the ref actually read: "main" or "origin/main"
    branches: tuple[BranchFacts, ...] = ()
    missing: tuple[str, ...] = ()  # issue refs of rows whose branch does not exist
    landings: tuple[Landing, ...] = ()
    pairs: tuple[PairMerge, ...] = ()
    sources: tuple[SourceChange, ...] = ()
    landed: tuple[Landed, ...] = ()  # rows whose work is in the target (they leave the rest)
    notes: tuple[str, ...] = ()  # ref choices worth saying (stale local target, divergence)

    def branch(self, issue: str) -> BranchFacts | None:
        return self._branch_of.get(issue)

    def landing(self, issue: str) -> Landing | None:
        return self._landing_of.get(issue)

    @cached_property
    def _branch_of(self) -> dict[str, BranchFacts]:
        """issue -> its BranchFacts (the first, as a scan would find it): the analysis asks
        once per pair and per conflict, a scan each time made it quadratic."""
        return {b.issue: b for b in reversed(self.branches)}

    @cached_property
    def _landing_of(self) -> dict[str, Landing]:
        return {la.issue: la for la in reversed(self.landings)}


# ---------------------------------------------------------------- the speculative chain


@frozen
class ChainStep:
    """One step of the replayed fan-in: landed onto the previous tip (`tip` is the new
    synthetic commit; `result` says whether it needed a resolution), or set aside because
    it does not merge there (`tip` empty; `build_chain` without `keep_both`)."""

    issue: str
    ref: str
    head: str  # the branch head the step merged
    result: MergeResult
    tip: str = ""  # the chain's commit after this step; empty when set aside

    @property
    def landed(self) -> bool:
        return bool(self.tip)

    @property
    def files(self) -> tuple[str, ...]:
        """The conflicting files of a step that did not merge cleanly (git's list, else
        the messages')."""
        return self.result.files or tuple(
            dict.fromkeys(p for c in self.result.conflicts for p in c.paths)
        )


@frozen
class Chain:
    """An ordered fan-in replayed onto `base`, every stop recorded (none ends it)."""

    base: str  # the target commit the chain starts from
    steps: tuple[ChainStep, ...] = ()

    @property
    def tip(self) -> str:
        """The commit after the last step that landed (the base when none did)."""
        return next((s.tip for s in reversed(self.steps) if s.tip), self.base)

    @property
    def landed(self) -> tuple[ChainStep, ...]:
        return tuple(s for s in self.steps if s.landed)

    @property
    def set_aside(self) -> tuple[ChainStep, ...]:
        return tuple(s for s in self.steps if not s.landed)


# ---------------------------------------------------------------- verify (issue 17)


class VerifyVerdict(str, Enum):
    """What `fleetbot verify` concluded about the replayed fan-in."""

    PASSED = "passed"  # the tip passes the tests
    SEMANTIC = "semantic"  # a row passes alone but fails after its partner(s) land
    ROW_FAILS = "row-fails"  # the first failing row fails on the target alone too
    TARGET_FAILS = "target-fails"  # the target alone fails: nothing is blamed on rows
    FLAKY = "flaky"  # a failure that did not reproduce on a second run
    TIMEOUT = "timeout"  # a run took longer than --timeout
    NOTHING = "nothing"  # no row lands: nothing to test beyond the target


class RunOutcome(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    TIMEOUT = "timeout"


class Phase(str, Enum):
    """Why a run was made: the budget is 2 + ceil(log2 N) + the naming runs."""

    TARGET = "target"
    TIP = "tip"
    BISECT = "bisect"
    CONFIRM = "confirm"  # the first failing tree again: rules out a flaky test
    ALONE = "alone"  # the failing row alone on the target
    PARTNER = "partner"  # the search for the smallest set that makes it fail


@frozen
class Probe:
    """One test of one tree: which steps were landed, how it went, whether it was run
    now or served from the cache."""

    phase: Phase
    steps: tuple[str, ...]  # issue refs landed on the target, in order
    outcome: RunOutcome
    tree: str = ""
    cached: bool = False
    tail: str = ""  # the end of the command's output (failures only)


@frozen
class VerifyResult:
    """`fleetbot verify`'s answer, also the file the CI job hands to the writing job."""

    verdict: VerifyVerdict
    target: str
    target_sha: str
    command: str
    rows: tuple[str, ...] = ()  # the failing row last, its partners before it
    output_tail: str = ""
    probes: tuple[Probe, ...] = ()
    flaky: bool = False
    heads: tuple[tuple[str, str], ...] = ()  # (issue, branch head) of every step replayed
    tested: tuple[str, ...] = ()  # the rows that landed in the chain, in order
    set_aside: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (issue, files): untestable
    notes: tuple[str, ...] = ()

    @property
    def runs(self) -> int:
        """Test runs made now (cached answers do not count)."""
        return sum(1 for p in self.probes if not p.cached)

    @property
    def trees(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.tree for p in self.probes if p.tree))

    @property
    def culprit(self) -> str | None:
        return self.rows[-1] if self.rows else None

    @property
    def partners(self) -> tuple[str, ...]:
        return self.rows[:-1]
