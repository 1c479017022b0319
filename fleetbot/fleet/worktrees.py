"""The local fleet: which worktrees to make and what git says about each row.

Each command is a pure decision over facts (`plan_fan_out`; cleanup's `plan_cleanup` in
`cleanup.py`) and a thin shell (`gather_*`, `apply_*`) that reads git and carries the
decision out. The dashboard lines, brief, integrate and score live in `status.py`,
`brief.py`, `integrate.py` and `score.py`.
"""

from __future__ import annotations

import contextlib
import re
import shlex
from collections.abc import Iterable, Iterator, Sequence
from enum import Enum
from pathlib import Path

from fleetbot.analysis.stack import Restack, restacks
from fleetbot.errors import GitError, PlanError, UsageError
from fleetbot.fleet import paths
from fleetbot.frozen import frozen
from fleetbot.git import Git, safety
from fleetbot.git import worktrees as wt
from fleetbot.git.facts import ahead_behind, commit_times
from fleetbot.git.refs import REMOTE, RefTable, read_refs, resolve_rows
from fleetbot.model import (
    BranchFacts,
    Conflict,
    Landed,
    MergeStep,
    Plan,
    PullFacts,
    Replay,
    Row,
    Status,
)

# ---------------------------------------------------------------- rows and paths


def select_rows(plan: Plan, rows: str | None) -> tuple[Row, ...]:
    """The rows `--rows #42,#43` names (issue refs or branches), or every row."""
    if not rows:
        return plan.rows
    picked: list[Row] = []
    for ref in (r.strip() for r in rows.split(",")):
        if not ref:
            continue
        row = plan.find(ref)
        if row is None:
            known = ", ".join(r.issue for r in plan.rows)
            raise UsageError(f"--rows: no plan row is {ref!r} (rows: {known})")
        if row not in picked:
            picked.append(row)
    return tuple(picked)


def find_row(plan: Plan, ref: str) -> Row:
    row = plan.find(ref)
    if row is None:
        known = ", ".join(r.issue for r in plan.rows)
        raise UsageError(f"no plan row is {ref!r} (rows: {known})")
    return row


def issue_number(issue: str) -> str:
    """`#42`, `owner/repo#42`, `!7` -> "42" / "7"; anything else -> a slug of it."""
    m = re.search(r"(\d+)$", issue)
    return m.group(1) if m else slugify(issue)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def row_slug(row: Row) -> str:
    """The row's short name, else its branch's last part without a leading issue number."""
    if row.title:
        return slugify(row.title)
    tail = row.branch.rsplit("/", 1)[-1]
    return slugify(re.sub(rf"^{re.escape(issue_number(row.issue))}[-_]", "", tail)) or "work"


def worktree_path(row: Row, main_root: Path, *, root: Path | None = None) -> Path:
    """Where the row's worktree goes: its Worktree cell, else the sibling folder
    `<repo>-<issue number>-<slug>`. `root` (default: the folder holding the repository)
    is where every worktree must stay; a cell that leaves it is a PlanError naming the
    row (see fleet/paths.py)."""
    base = Path(norm(root if root is not None else main_root.parent))
    if not row.worktree:
        return Path(norm(base / f"{main_root.name}-{issue_number(row.issue)}-"
                                 f"{row_slug(row)}"))
    cell = row.worktree
    resolved = Path(norm(paths.place(cell, main_root=main_root, root=base)))
    problem = paths.cell_problem(cell) or paths.path_problem(
        resolved, root=base, main_root=Path(norm(main_root)))
    if problem:
        where = f" (plan line {row.line})" if row.line else ""
        raise PlanError(
            f"row {row.issue}{where}: the Worktree `{cell}` {problem}", line=row.line,
            code="worktree-outside",
            hint=f"write a folder name such as {main_root.name}-{issue_number(row.issue)}"
            f"-{row_slug(row)} (beside the repository) or leave the cell empty",
        )
    return resolved


def norm(path: Path | str) -> str:
    """An absolute path with `..` folded, symlinks resolved where they exist."""
    return str(Path(path).resolve())


def worktree_of(worktrees: Iterable[wt.Worktree], branch: str) -> wt.Worktree | None:
    if not branch:  # a row without a branch has no worktree (a detached one has branch "")
        return None
    return next((w for w in worktrees if w.branch == branch and not w.bare), None)


# ---------------------------------------------------------------- fan-out


class FanOut(str, Enum):
    CREATE = "create"  # new branch from the target, new worktree
    CHECKOUT = "checkout"  # existing branch, new worktree
    TRACK = "track"  # the branch is only origin's: a local one tracking it, new worktree
    SKIP = "skip"
    REFUSE = "refuse"


@frozen
class FanOutStep:
    issue: str
    branch: str
    path: str
    action: FanOut
    reason: str = ""
    start: str = ""  # what the new branch starts from: the target (CREATE), origin's (TRACK)
    landed: bool = False  # SKIP because the row's work is already in the target


def plan_fan_out(
    rows: Sequence[Row],
    *,
    worktrees: Sequence[wt.Worktree],
    branches: frozenset[str],
    paths: dict[str, str],
    occupied: frozenset[str],
    target: str,
    merged: frozenset[str] = frozenset(),
    remote: frozenset[str] = frozenset(),
) -> tuple[FanOutStep, ...]:
    """Decide, per row, to create, check out, skip or refuse its worktree.

    `paths` maps issue -> wanted absolute path; `occupied` holds the wanted paths that
    already exist on disk; `branches` are the local branches, `remote` the branches only
    origin has (a fresh clone's): those are checked out from origin's copy, never made
    anew from the target (which would leave the row's pushed work out of its worktree).
    Never touches the main worktree.
    """
    by_path = {norm(w.path): w for w in worktrees}
    steps: list[FanOutStep] = []
    claimed: dict[str, str] = {}  # path -> the earlier row that makes its worktree there
    for row in rows:
        path = paths[row.issue]

        def step(action: FanOut, reason: str = "", start: str = "", row: Row = row,
                 path: str = path, landed: bool = False) -> FanOutStep:
            return FanOutStep(row.issue, row.branch, path, action, reason, start, landed)

        have = worktree_of(worktrees, row.branch)
        at_path = by_path.get(path)
        if not row.branch:  # `git worktree add -b ''` would fail half-way through
            steps.append(step(FanOut.SKIP, "no branch decided yet: write one in the plan's "
                              "Branch cell"))
        elif row.status is Status.MERGED:
            steps.append(step(FanOut.SKIP, "merged (plan status)", landed=True))
        elif row.issue in merged and have is None:
            steps.append(step(FanOut.SKIP, f"merged into {target}", landed=True))
        elif have is not None and have.main:
            steps.append(step(FanOut.REFUSE, f"{row.branch} is checked out in the main worktree "
                              f"{have.path}; switch that worktree to another branch first"))
        elif have is not None and have.prunable:
            remove = shlex.join(["git", "worktree", "remove", have.path])
            steps.append(step(FanOut.REFUSE, f"its worktree {have.path} is gone (deleted by "
                              f"hand?); `{remove}` forgets it, then fan-out again"))
        elif have is not None:
            steps.append(step(FanOut.SKIP, f"already checked out at {have.path}"))
        elif at_path is not None and at_path.main:
            steps.append(step(FanOut.REFUSE, f"{path} is the main worktree; give the row "
                              "another Worktree in the plan"))
        elif at_path is not None:
            other = at_path.branch or "a detached HEAD"
            steps.append(step(FanOut.REFUSE, f"{path} is already the worktree of {other}"))
        elif path in claimed:
            steps.append(step(FanOut.REFUSE, f"{claimed[path]}'s worktree goes there: the "
                              "plan gives both rows this folder; give this row its own"))
        elif path in occupied:
            steps.append(step(FanOut.REFUSE, f"{path} exists and is not a worktree; move it "
                              "away or set another Worktree in the plan"))
        elif row.branch in branches:
            steps.append(step(FanOut.CHECKOUT, "branch exists"))
        elif row.branch in remote:
            steps.append(step(FanOut.TRACK, f"from {REMOTE}/{row.branch}, tracking it",
                              start=f"{REMOTE}/{row.branch}"))
        else:
            steps.append(step(FanOut.CREATE, f"new branch from {target}", start=target))
        if steps[-1].action in (FanOut.CREATE, FanOut.CHECKOUT, FanOut.TRACK):
            claimed[path] = row.issue
    return tuple(steps)


def gather_fan_out(git: Git, rows: Sequence[Row], target: str) -> tuple[FanOutStep, ...]:
    """Read worktrees, branches and the disk, then decide (`plan_fan_out`)."""
    trees = wt.list_worktrees(git)
    root = main_root(trees)
    paths = {row.issue: str(worktree_path(row, root)) for row in rows}
    occupied = frozenset(p for p in paths.values() if _occupied(Path(p)))
    refs = read_refs(git).shas
    branches = frozenset(r.branch for r in rows if f"refs/heads/{r.branch}" in refs)
    remote = frozenset(r.branch for r in rows if f"refs/remotes/{REMOTE}/{r.branch}" in refs)
    merged = merged_issues(git, rows, target)
    return plan_fan_out(rows, worktrees=trees, branches=branches, paths=paths,
                        occupied=occupied, target=target, merged=merged,
                        remote=remote - branches)


def _occupied(path: Path) -> bool:
    if path.is_dir():
        return any(path.iterdir())
    return path.exists()


def main_root(trees: Sequence[wt.Worktree]) -> Path:
    if not trees or trees[0].bare:
        raise GitError("fleetbot needs a repository with a main worktree (not a bare one)")
    return Path(trees[0].path)


def apply_fan_out(git: Git, steps: Sequence[FanOutStep]) -> None:
    done: list[str] = []
    for s in steps:
        if s.action not in (FanOut.CREATE, FanOut.CHECKOUT, FanOut.TRACK):
            continue
        with said_so_far("fan-out", done):
            wt.add_worktree(git, Path(s.path), s.branch,
                            start=s.start if s.action is not FanOut.CHECKOUT else None,
                            track=s.action is FanOut.TRACK)
        done.append(f"{s.issue} at {s.path}")


# ---------------------------------------------------------------- row facts (status, cleanup)


@frozen
class RowFacts:
    """What git says about one row, for the dashboard and cleanup."""

    issue: str
    branch: str
    branch_exists: bool  # here or on origin (the ref `check` reads)
    worktree: str = ""  # where the branch is checked out; "" when nowhere
    main: bool = False  # that worktree is the main one
    ahead: int | None = None
    behind: int | None = None
    dirty: tuple[str, ...] | None = None  # None: no worktree to look at
    last_commit: int | None = None  # unix seconds of the branch tip
    merged: bool = False  # landed on the target (any merge style)
    landed: str = ""  # how: `squash-merged in 1a2b3c4`
    local: bool = False  # a local branch of that name exists (what cleanup may delete)


def gather_row_facts(
    git: Git, plan: Plan, target: str, predictions: Predictions | None = None,
) -> tuple[RowFacts, ...]:
    """Worktree, branch, ahead/behind, dirt, age and landed-ness of every row: landings
    and ahead/behind are the pipeline's (`predictions`, else the same gather is asked)."""
    if predictions is None:
        from fleetbot.git.mergetree import gather

        facts = gather(git, plan, target)
        landed, branches = facts.landed, facts.branches
    else:
        landed, branches = predictions.landed, predictions.branches
    how = {la.issue: la.describe() for la in landed}
    counts = {b.issue: (b.head, b.ahead, b.behind) for b in branches}
    trees = wt.list_worktrees(git)
    table = read_refs(git)
    refs = row_refs(git, plan, table)
    times = commit_times(git, (table.shas[r] for r in refs.values() if r in table.shas))
    out: list[RowFacts] = []
    for row in plan.rows:
        tree = worktree_of(trees, row.branch)
        if tree is not None and not Path(tree.path).is_dir():
            tree = None  # its folder is gone: `git worktree prune` will forget it
        dirty = wt.dirty_files(Git(tree.path)) if tree is not None else None
        ref = refs.get(row.issue)
        if ref is None:
            out.append(RowFacts(row.issue, row.branch, False, tree.path if tree else "",
                                bool(tree and tree.main), dirty=dirty,
                                merged=row.issue in how, landed=how.get(row.issue, "")))
            continue
        sha = table.shas.get(ref, "")
        head, ahead, behind = counts.get(row.issue, ("", 0, 0))
        if head != sha:  # not among the pipeline's branches: asked on its own
            ahead, behind = ahead_behind(git, target, ref)
        out.append(RowFacts(
            row.issue, row.branch, True, tree.path if tree else "", bool(tree and tree.main),
            ahead=ahead, behind=behind, dirty=dirty, last_commit=times.get(sha, 0),
            merged=row.issue in how, landed=how.get(row.issue, ""),
            local=f"refs/heads/{row.branch}" in table.shas,
        ))
    return tuple(out)


@contextlib.contextmanager
def said_so_far(command: str, done: Sequence[str]) -> Iterator[None]:
    """A git failure mid-way says what is already done, so the repo state is known."""
    try:
        yield
    except GitError as exc:
        so_far = ", ".join(done) or "nothing"
        raise safety.failed_mid_way(
            exc, f"{command} had done {so_far}; nothing else was changed — fix the cause "
                 f"and run `fleetbot {command}` again") from exc


# ---------------------------------------------------------------- predictions


@frozen
class Predictions:
    """The conflicts and merge order the analysis predicts, as the fleet commands use them."""

    conflicts: tuple[Conflict, ...]
    order: tuple[MergeStep, ...]
    replay: Replay | None = None  # the order replayed by merge-tree (when asked): its stops
    landed: tuple[Landed, ...] = ()  # rows whose work is in the target, with how
    restacks: tuple[Restack, ...] = ()  # rows to rebase off a dependency landed by squash
    branches: tuple[BranchFacts, ...] = ()  # what git says of each row's branch
    notes: tuple[str, ...] = ()  # the Report's notes (a diverged or misspelt branch)


def predict(git: Git, plan: Plan, target: str, *, pulls: Sequence[PullFacts] = (),
            replay: bool = False) -> Predictions:
    """Conflicts (every kind) and the recommended merge order, from the same pipeline as
    `fleetbot check`, so the fleet commands and the PR comment agree. The replay only with
    `replay` (`integrate` shows its stops; `status`, `brief` and `score` show none of it)."""
    from fleetbot.pipeline import build_report

    report = build_report(git, plan, target=target, pulls=pulls, replay=replay)
    return Predictions(report.conflicts, report.order, report.replay, report.landed,
                       restacks(report), report.branches, report.notes)


def merged_issues(git: Git, rows: Sequence[Row], target: str) -> frozenset[str]:
    """Rows whose work has landed on the target, by any merge style: the pipeline's one
    landed detector (`git.landed`), so every fleet command agrees with `check`."""
    from fleetbot.git.mergetree import gather

    facts = gather(git, Plan(rows=tuple(rows)), target)
    return frozenset(la.issue for la in facts.landed)


def row_refs(git: Git, plan: Plan, table: RefTable | None = None) -> dict[str, str]:
    """Each row's branch as a full refname: the one the pipeline reads (git/refs.py: the
    local branch, or origin's copy when it is newer or the only one), so `status`,
    `integrate` and `score` read the commits `check` does. `table`: refs already read."""
    found = resolve_rows(git, table or read_refs(git),
                         [(r.issue, r.branch) for r in plan.rows])
    return {issue: f"refs/remotes/{ref.ref}" if ref.ref.startswith(f"{REMOTE}/")
            and ref.ref != ref.branch else f"refs/heads/{ref.ref}"
            for issue, ref in found.items()}
