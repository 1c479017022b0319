"""Conflict prediction, from cheapest to exact (DESIGN.md "Conflicts"). Pure: the plan and
the facts git gave (`GitFacts`) in, `Conflict` records out, each with evidence a reviewer
can run.

A stale branch (it no longer lands on the target) is said once, as `target`; pairs are
judged on landings, so it is never blamed on every other row. Dependent rows keep their
kind with `expected=True`; conflicts only on regenerated files carry `regenerable=True`.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from fleetbot.model import (
    BranchFacts,
    Conflict,
    ConflictKind,
    GitFacts,
    MergeResult,
    Plan,
    Row,
)
from fleetbot.plan.globs import anchor, row_owns
from fleetbot.plan.graph import ancestors, dependency_graph
from fleetbot.plan.lint import joints

if TYPE_CHECKING:  # the interface check's parser is imported only when it parses
    from fleetbot.analysis.pyapi import ApiChange, ApiReader

DEFAULT_REGENERABLE = (
    "poetry.lock", "uv.lock", "package-lock.json", "yarn.lock", "Cargo.lock", "go.sum",
    "pnpm-lock.yaml",
)


def predict(plan: Plan, facts: GitFacts, api: ApiReader | None = None,
            ) -> tuple[Conflict, ...]:
    """Every predicted conflict of the fleet, grouped by kind (plan, diff, drift, target,
    textual, interface) and within a kind in plan order; `api` reads Python files
    (`pyapi.PARSED` when None)."""
    regen = regenerable_patterns(plan)
    return (
        *plan_conflicts(plan),
        *diff_conflicts(plan, facts, regen),
        *drift_conflicts(plan, facts, regen),
        *target_conflicts(facts),
        *textual_conflicts(plan, facts, regen),
        *interface_conflicts(plan, facts, api),
    )


# ---------------------------------------------------------------- helpers


def regenerable_patterns(plan: Plan) -> tuple[str, ...]:
    """The defaults (lock files, at any depth) and the plan's own list (paths from the
    repo root, like Files owned)."""
    return (*DEFAULT_REGENERABLE, *(anchor(p) for p in plan.regenerable))


def shared_paths(a: BranchFacts, b: BranchFacts) -> tuple[str, ...]:
    """Files both branches changed since their merge-bases (renames count both names)."""
    return tuple(sorted(a.paths & b.paths))


@lru_cache(maxsize=64)
def _regen_spec(patterns: tuple[str, ...]) -> Any:
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(patterns)


def is_regenerable(path: str, patterns: Sequence[str] = DEFAULT_REGENERABLE) -> bool:
    """Is `path` regenerated rather than hand-merged (gitignore-style patterns)? Plain
    names and paths (the defaults, most plans) are matched without importing pathspec."""
    plain = _plain_regen(tuple(patterns))
    if plain is None:
        return bool(_regen_spec(tuple(patterns)).match_file(path))
    names, roots = plain
    return (any(part in names for part in path.split("/"))
            or any(path == r or path.startswith(r + "/") for r in roots))


@lru_cache(maxsize=64)
def _plain_regen(patterns: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...]] | None:
    """(names matched at any depth, paths from the root) when no pattern is a glob, a
    negation or a folder-only pattern; else None (gitignore rules then need pathspec).
    As in gitignore, a pattern without a slash matches a file or folder of that name
    anywhere, one with a slash is anchored at the root."""
    names, roots = set(), []
    for p in patterns:
        if not p or _GLOB_CHARS & set(p) or p != p.strip() or p.endswith("/"):
            return None
        if "/" in p:
            roots.append(p.lstrip("/"))
        else:
            names.add(p)
    return frozenset(names), tuple(roots)


def _split_regen(
    files: Sequence[str], regen: Sequence[str]
) -> list[tuple[tuple[str, ...], bool]]:
    """Hand-merged files and regenerated files, as separate groups (empty ones dropped)."""
    hand = tuple(f for f in files if not is_regenerable(f, regen))
    gen = tuple(f for f in files if is_regenerable(f, regen))
    return [(group, flag) for group, flag in ((hand, False), (gen, True)) if group]


def _expected(plan: Plan, a: str, b: str) -> bool:
    """`graph.dependency_path` of the two rows, from closures worked out once per plan
    (a 200-row fleet asks this for thousands of pairs)."""
    closures = _closures(plan)
    return a in closures and b in closures and (b in closures[a] or a in closures[b])


_memo: list[tuple[Plan, dict[str, frozenset[str]]]] = []


def _closures(plan: Plan) -> dict[str, frozenset[str]]:
    """issue -> everything it depends on, transitively; remembered for the last plan asked
    about (by identity: hashing a large plan on every call would cost what it saves)."""
    if _memo and _memo[0][0] is plan:
        return _memo[0][1]
    graph = dependency_graph(plan)
    out = {issue: frozenset(ancestors(graph, issue)) for issue in graph}
    _memo[:] = [(plan, out)]
    return out


def _q(*words: str) -> str:
    return " ".join(shlex.quote(w) for w in words)


def _target_ref(facts: GitFacts) -> str:
    return facts.target_ref or facts.target


def _ref(facts: GitFacts, issue: str) -> str:
    b = facts.branch(issue)
    return b.ref if b else issue


def _range(facts: GitFacts, issue: str) -> str:
    """What a row's changes are counted over, as a `git diff` range: from the target, or
    from the dependency its branch is stacked on (`git.stack`)."""
    b = facts.branch(issue)
    base = b.stacked_on[0].ref if b is not None and b.stacked_on else _target_ref(facts)
    return f"{base}...{_ref(facts, issue)}"


def _pair_order(plan: Plan, a: str, b: str) -> tuple[str, str]:
    index = plan.positions
    return (a, b) if index.get(a, 0) <= index.get(b, 0) else (b, a)


# ---------------------------------------------------------------- the kinds


def plan_conflicts(plan: Plan) -> list[Conflict]:
    """Independent rows whose owned globs can match a common path (the lint's joints)."""
    out = []
    for j in joints(plan):
        pa, pb = j.patterns
        same = pa if pa == pb else f"{pa} / {pb}"
        out.append(Conflict(
            kind=ConflictKind.PLAN, rows=(j.a.issue, j.b.issue), files=(j.example,),
            detail=f"{j.a.label} and {j.b.label} both own {same} and neither depends on "
            "the other",
            evidence=_q("fleetbot", "plan", "lint", "--plan", plan.source),
        ))
    return out


def diff_conflicts(plan: Plan, facts: GitFacts, regen: Sequence[str]) -> list[Conflict]:
    """Pairs of branches that changed a same file since their bases (the merge-base with
    the target, or the head of the dependency a branch is stacked on)."""
    out = []
    branches = facts.branches
    for i, j in _sharing(branches):
        a, b = branches[i], branches[j]
        common = shared_paths(a, b)
        x, y = _pair_order(plan, a.issue, b.issue)
        for files, flag in _split_regen(common, regen):
            shown = ", ".join(files)
            out.append(Conflict(
                kind=ConflictKind.DIFF, rows=(x, y), files=files,
                detail=f"{x} and {y} both changed {shown}",
                expected=_expected(plan, x, y), regenerable=flag,
                evidence=" ; ".join(
                    _q("git", "diff", "--stat", _range(facts, r), "--", *files)
                    for r in (x, y)
                ),
            ))
    return out


def _sharing(branches: Sequence[BranchFacts]) -> list[tuple[int, int]]:
    """The (i, j), i < j, of branches that changed a same path, through an index by path
    rather than by intersecting all pairs."""
    by_path: dict[str, list[int]] = {}
    for i, b in enumerate(branches):
        for path in b.paths:
            by_path.setdefault(path, []).append(i)
    return sorted({(i, j) for group in by_path.values()
                   for k, i in enumerate(group) for j in group[k + 1:]})


def drift_conflicts(plan: Plan, facts: GitFacts, regen: Sequence[str]) -> list[Conflict]:
    """Files a branch changed that its row does not own, grouped by the row(s) that do."""
    out = []
    owners = _owners_of(plan)
    for b in facts.branches:
        row = plan.by_issue(b.issue)
        if row is None or not row.files_owned:
            continue  # a row that owns nothing declared cannot drift
        groups: dict[tuple[str, ...], list[str]] = {}
        for path in sorted(b.paths):
            if _owns(row, path):
                continue
            who = tuple(r.issue for r in owners(path) if r.issue != row.issue)
            groups.setdefault(who, []).append(path)
        for who, paths in groups.items():
            for files, flag in _split_regen(paths, regen):
                out.append(_drift(plan, facts, row, who, files, flag))
    return out


_GLOB_CHARS = frozenset("*?[]\\!#")


@lru_cache(maxsize=4096)
def _plain_paths(patterns: tuple[str, ...]) -> tuple[str, ...] | None:
    """The owned patterns as plain root paths, or None if any is a glob."""
    out = []
    for p in patterns:
        if _GLOB_CHARS & set(p) or p != p.strip():
            return None
        out.append(anchor(p).strip("/"))
    return tuple(out)


def _owns(row: Row, path: str) -> bool:
    """`globs.row_owns`, answered without compiling a pathspec when every owned entry is a
    plain path (a path owns itself and everything beneath it)."""
    plain = _plain_paths(row.patterns)
    if plain is None:
        return row_owns(row, path)
    return any(path == p or path.startswith(p + "/") for p in plain)


def _owners_of(plan: Plan) -> Callable[[str], list[Row]]:
    """The rows that own a path (`_owns`), in plan order: rows of plain paths are found by
    the path and its folders, only rows with globs are matched one by one, so a drift
    check does not try every row for every path."""
    plain: dict[str, list[int]] = {}
    globbed: list[int] = []
    for i, row in enumerate(plan.rows):
        paths = _plain_paths(row.patterns)
        if paths is None:
            globbed.append(i)
        for p in dict.fromkeys(paths or ()):
            plain.setdefault(p, []).append(i)

    def owners(path: str) -> list[Row]:
        parts = path.split("/")
        found = {i for n in range(1, len(parts) + 1)
                 for i in plain.get("/".join(parts[:n]), ())}
        found.update(i for i in globbed if row_owns(plan.rows[i], path))
        return [plan.rows[i] for i in sorted(found)]

    return owners


def _drift(
    plan: Plan, facts: GitFacts, row: Row, who: tuple[str, ...], files: tuple[str, ...],
    regenerable: bool,
) -> Conflict:
    shown = ", ".join(files)
    if who:
        labels = ", ".join(_label(plan, w) for w in who)
        detail = f"{row.issue} changed {shown}, owned by {labels}"
        expected = all(_expected(plan, row.issue, w) for w in who)
    else:
        detail = f"{row.issue} changed {shown}, which no row owns"
        expected = False
    return Conflict(
        kind=ConflictKind.DRIFT, rows=(row.issue, *who), files=files, detail=detail,
        expected=expected, regenerable=regenerable,
        evidence=_q("git", "diff", "--name-status", _range(facts, row.issue), "--", *files),
    )


def _label(plan: Plan, issue: str) -> str:
    row = plan.by_issue(issue)
    return row.label if row else issue


def target_conflicts(facts: GitFacts) -> list[Conflict]:
    """Branches that no longer merge onto the target tip: stale, rebase them first."""
    out = []
    for la in facts.landings:
        if la.result.clean:
            continue
        out.append(Conflict(
            kind=ConflictKind.TARGET, rows=(la.issue,), files=la.result.files,
            detail=f"{la.issue} ({la.branch}) no longer merges onto {facts.target}: "
            f"{la.result.describe()}; rebase it onto {facts.target} first",
            evidence=_q("git", "merge-tree", "--write-tree", "--name-only", "--messages",
                        _target_ref(facts), _ref(facts, la.issue)),
        ))
    return out


def textual_conflicts(plan: Plan, facts: GitFacts, regen: Sequence[str]) -> list[Conflict]:
    """Pairs that each land alone but collide once both have landed."""
    out = []
    for pm in facts.pairs:
        if pm.result.clean:
            continue
        a, b = _pair_order(plan, *pm.rows)
        files = pm.result.files or _message_paths(pm.result)
        for group, flag in _split_regen(files, regen) or [((), False)]:
            out.append(Conflict(
                kind=ConflictKind.TEXTUAL, rows=(a, b), files=group,
                detail=f"{b} does not merge onto {facts.target} + {a}: "
                f"{pm.result.describe(group)}",
                expected=_expected(plan, a, b), regenerable=flag,
                evidence=_textual_evidence(facts, a, b),
            ))
    return out


def _message_paths(result: MergeResult) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p for c in result.conflicts for p in c.paths))


def _textual_evidence(facts: GitFacts, a: str, b: str) -> str:
    """Land a on the target, then merge b onto that: no checkout, no ref touched."""
    t, ra, rb = _target_ref(facts), _ref(facts, a), _ref(facts, b)
    landed = (
        f"$(git commit-tree -m land -p {shlex.quote(t)} -p {shlex.quote(ra)} "
        f"$(git merge-tree --write-tree {shlex.quote(t)} {shlex.quote(ra)}))"
    )
    return f"git merge-tree --write-tree --name-only --messages {landed} {shlex.quote(rb)}"


def parsing_reader() -> ApiReader:
    """`pyapi.PARSED`, the reader that parses: imported only by a run that parses (a fleet
    whose changed lines touch no signature never loads the parser)."""
    from fleetbot.analysis.pyapi import PARSED

    return PARSED


def interface_conflicts(plan: Plan, facts: GitFacts, api: ApiReader | None = None,
                        ) -> list[Conflict]:
    """A branch changes the signature of a top-level Python name that another branch's
    changed files use (a warning: no line-based merge sees it)."""
    # cheap first: only files defining a name some other branch's files even mention
    # are parsed, and only the files mentioning a changed name are parsed for uses
    defining = [src for src in facts.sources if src.has_old and src.touches_api]
    if not defining:  # no changed line can be part of a signature: nothing to read
        return []
    api = api if api is not None else parsing_reader()
    readers = [src for src in facts.sources if src.has_new]
    said: dict[str, set[str]] = {}  # name -> issues whose changed files mention it
    asked: set[str] = set()

    def learn(names: Iterable[str]) -> None:
        todo = frozenset(names) - asked
        if todo:
            asked.update(todo)
            for src in readers:
                for name in api.mentions(src, todo):
                    said.setdefault(name, set()).add(src.issue)

    def elsewhere(name: str, issue: str) -> bool:
        return bool(said.get(name, set()) - {issue})

    tops = [api.defined(src) for src in defining]
    learn(n for names in tops for n in names)
    changed: dict[str, dict[str, tuple[str, ApiChange]]] = {}  # issue -> name -> (file, change)
    for src, names in zip(defining, tops, strict=True):
        if not any(elsewhere(n, src.issue) for n in names):
            continue
        found = api.changes(src)
        learn(c.name for c in found)
        for change in found:
            if elsewhere(change.name, src.issue):
                changed.setdefault(src.issue, {}).setdefault(change.name, (src.path, change))
    if not changed:
        return []
    wanted = frozenset(n for names in changed.values() for n in names)
    uses: dict[str, dict[str, list[str]]] = {}  # issue -> name -> files that use it
    for src in readers:
        if not api.mentions(src, wanted):
            continue
        for name in api.uses(src) & wanted:
            uses.setdefault(src.issue, {}).setdefault(name, []).append(src.path)
    out = []
    issues = [b.issue for b in facts.branches]
    for a in issues:
        for b in issues:
            if a == b or a not in changed:
                continue
            hits = sorted(n for n in changed[a] if n in uses.get(b, {}))
            if not hits:
                continue
            def_files = tuple(dict.fromkeys(changed[a][n][0] for n in hits))
            use_files = tuple(dict.fromkeys(f for n in hits for f in uses[b][n]))
            what = "; ".join(changed[a][n][1].describe() for n in hits)
            out.append(Conflict(
                kind=ConflictKind.INTERFACE, rows=(a, b),
                files=tuple(dict.fromkeys((*def_files, *use_files))),
                detail=f"{a} {what} ({', '.join(def_files)}); "
                f"{b} uses {'it' if len(hits) == 1 else 'them'} in {', '.join(use_files)}",
                expected=_expected(plan, a, b),
                evidence=_q("git", "diff", _range(facts, a), "--", *def_files),
            ))
    return out
