"""The brief for the agent that works one row: what it owns, what it must leave alone,
what it waits for, whom it will collide with, and how to finish.

`build_brief` is pure (plan + predicted conflicts + order in, `Brief` out); the
renderers give text, Markdown (escaped: plan cells are untrusted) and JSON.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict

from fleetbot.analysis.stack import Restack
from fleetbot.fleet.status import collisions_of
from fleetbot.frozen import frozen
from fleetbot.model import Conflict, ConflictKind, Landed, MergeStep, Plan, Row
from fleetbot.render import escape

BRIEF_FILE = "fleetbot-brief.md"

_Fmt = Callable[[str], str]


@frozen
class Fence:
    """A path this row must not touch because another row owns it."""

    pattern: str
    owner: str


@frozen
class Dependency:
    issue: str
    branch: str
    merged: bool
    landed: str = ""  # how it landed: `squash-merged in 1a2b3c4`
    restack: str = ""  # landed without its head under this branch: the `git rebase --onto`


@frozen
class Collision:
    other: str  # the other row's issue
    kind: str
    files: tuple[str, ...]
    advice: str


@frozen
class Brief:
    issue: str
    title: str
    branch: str
    target: str
    worktree: str
    owns: tuple[str, ...]  # patterns, with the plan's note in parentheses
    must_not_touch: tuple[Fence, ...]
    depends_on: tuple[Dependency, ...]
    collisions: tuple[Collision, ...]
    warnings: tuple[str, ...]  # drift / stale target about this row itself
    finish: tuple[str, ...]
    restack: str = ""  # its own first commits landed: the `git rebase --onto` for the rest
    restack_why: str = ""  # `Restack.describe()`, ending in "restack it with"

    def as_json(self) -> dict[str, object]:
        return asdict(self)


def build_brief(
    plan: Plan,
    row: Row,
    *,
    target: str,
    merge_ref: str = "",
    worktree: str = "",
    merged: Collection[Landed] = (),
    conflicts: Sequence[Conflict] = (),
    order: Sequence[MergeStep] = (),
    restacks: Sequence[Restack] = (),
) -> Brief:
    """The brief for `row`: its PR goes into `target` (the branch's name, `main`), and git
    merges `merge_ref` (what is read, `origin/main`; `target` when not given). `merged` holds
    the rows already landed on the target;
    `restacks` the rows whose landed dependency must be rebased away (analysis.stack)."""
    how = {la.issue: la.describe() for la in merged}
    mine = set(row.patterns)
    fences = tuple(
        Fence(p.pattern, other.issue)
        for other in plan.rows if other is not row
        for p in other.files_owned if p.pattern not in mine
    )
    again = {r.dependency.issue: r.command for r in restacks if r.issue == row.issue}
    deps = tuple(Dependency(d.issue, d.branch, d.issue in how, how.get(d.issue, ""),
                            again.get(d.issue, ""))
                 for d in plan.dependencies(row))
    position = {s.issue: s.position for s in order}
    merge_ref = merge_ref or target
    own = next((r for r in restacks if r.issue == row.issue and r.own), None)
    restacked = any(r.issue == row.issue for r in restacks)
    warnings = [_warning(c, merge_ref, restacked) for c in conflicts if c.rows == (row.issue,)
                and not (own is not None and c.kind is ConflictKind.TARGET)]
    collisions: list[Collision] = []
    for other, group in collisions_of(conflicts, row.issue).items():
        merged_view = Conflict(
            kind=group[0].kind, rows=(row.issue, other),
            files=tuple(dict.fromkeys(f for c in group for f in c.files)),
            expected=all(c.expected for c in group),
        )
        kinds = ", ".join(dict.fromkeys(c.kind.value for c in group))
        collisions.append(Collision(other, kinds, merged_view.files,
                                    _advice(merged_view, row.issue, other, position, merge_ref)))
    return Brief(
        issue=row.issue, title=row.title, branch=row.branch, target=target, worktree=worktree,
        owns=tuple(f"{p.pattern} ({p.note})" if p.note else p.pattern for p in row.files_owned),
        must_not_touch=fences, depends_on=deps, collisions=tuple(collisions),
        warnings=tuple(warnings), finish=_finish(row.branch, row.issue, target),
        restack=own.command if own else "", restack_why=own.describe() if own else "",
    )


def _advice(c: Conflict, me: str, other: str, position: dict[str, int], target: str) -> str:
    files = ", ".join(c.files) or "the shared files"
    if c.expected:
        return (f"expected: the plan orders you and {other}; let the first one land, then "
                f"merge {target} into this branch and resolve {files}")
    mine, theirs = position.get(me), position.get(other)
    if mine is not None and theirs is not None and mine < theirs:
        return (f"you merge before {other}: keep your edits to {files} small and additive "
                f"(a new line beside the existing ones), and land soon")
    if mine is not None and theirs is not None:
        return (f"{other} merges first: once it lands, merge {target} into this branch and "
                f"resolve {files} before you open the PR (keep both sides' additions)")
    return (f"coordinate with {other} on {files}: whoever lands second merges {target} "
            "in and resolves them")


def _warning(c: Conflict, target: str, restacked: bool = False) -> str:
    """A one-row conflict's warning; a stale branch that must be restacked off a landed
    dependency is told so (merging the target in would meet the dependency's old
    commits)."""
    files = ", ".join(c.files)
    if c.kind is ConflictKind.DRIFT:
        return f"this branch changed files it does not own: {files}; revert them or ask"
    if c.kind is ConflictKind.TARGET and restacked:
        return f"this branch no longer merges onto {target} ({files}); restack it first " \
               "(Depends on)"
    if c.kind is ConflictKind.TARGET:
        return f"this branch no longer merges onto {target} ({files}); merge {target} in"
    return f"{c.kind.value}: {c.detail or files}"


def _plain(text: str) -> str:
    return text


def _ticked(text: str) -> str:
    return f"`{text}`"


def _finish(branch: str, issue: str, target: str, *, code: _Fmt = _ticked,
            esc: _Fmt = _plain) -> tuple[str, ...]:
    """The last steps; `code` formats branch names and commands, `esc` the plan's other
    words. Markdown passes its own, so a command stays a code span (never
    `\\`fleetbot check\\``) while a hostile branch name is still neutralised. A row
    without a branch yet gets one step: decide it (no `git push origin ''`)."""
    if not branch:
        again = shlex.join(["fleetbot", "brief", issue])
        return (f"the branch is not decided yet: choose one, write it in the plan's Branch "
                f"cell of {esc(issue)}, then run {code(again)} again",)
    return (
        f"commit on {code(branch)} only; mention {esc(issue)} in the commit messages",
        f"run {code('fleetbot check')} and the tests before pushing",
        code(shlex.join(["git", "push", "-u", "origin", branch])),
        f"open a pull request from {code(branch)} into {code(target)} with "
        f"{code('Closes ' + issue)} in its description",
    )


# ---------------------------------------------------------------- rendering


def render_text(b: Brief) -> str:
    """Plain text for a terminal: every plan-derived text on one line, escapes shown."""
    return _render(b, code=escape.terminal, esc=escape.terminal, head="", bullet="  - ",
                   finish=[escape.terminal(s) for s in b.finish])


def render_markdown(b: Brief) -> str:
    """Markdown with every plan-derived text escaped (no HTML, mention or broken span)."""
    return _render(b, code=_md_code, esc=escape.md, head="## ", bullet="- ",
                   finish=_finish(b.branch, b.issue, b.target, code=_md_code, esc=escape.md))


def _md_code(text: str) -> str:
    return escape.code(text, table=False)


def _render(b: Brief, *, code: _Fmt, esc: _Fmt, head: str, bullet: str,
            finish: Sequence[str]) -> str:
    title = f"{b.issue} {b.title}".strip()
    lines = [f"{'# ' if head else ''}Brief for {esc(title)}", ""]
    branch = code(b.branch) if b.branch else "not decided yet (the plan's Branch cell),"
    lines.append(f"Branch {branch} into {code(b.target)}"
                 + (f", worktree {code(b.worktree)}" if b.worktree else "") + ".")

    def section(name: str, items: Sequence[str], empty: str) -> None:
        lines.extend(["", f"{head}{name}"])
        lines.extend(f"{bullet}{i}" for i in items)
        if not items:
            lines.append(f"{bullet}{empty}")

    section("You own", [code(p) for p in b.owns], "nothing listed: ask before editing")
    section("Do not touch (owned by other rows)",
            [f"{code(f.pattern)} ({esc(f.owner)})" for f in b.must_not_touch], "nothing")
    section("Depends on", [
        f"{esc(d.issue)} ({code(d.branch)}): " + (f"has landed ({esc(d.landed)})" if d.merged
                                                 else "NOT merged yet; wait or build on it")
        + (f"; this branch still carries its old commits: restack it with {code(d.restack)}"
           if d.restack else "")
        for d in b.depends_on], "nothing: start now")
    section("Collisions", [
        f"with {esc(c.other)} on {', '.join(code(f) for f in c.files) or '?'} "
        f"({c.kind}): {esc(c.advice)}" for c in b.collisions], "none predicted")
    warnings = [*([f"{esc(b.restack_why)} {code(b.restack)}"] if b.restack else []),
                *(esc(w) for w in b.warnings)]
    if warnings:
        section("Warnings", warnings, "")
    section("When you are done", list(finish), "")
    return "\n".join(lines) + "\n"
