"""`fleetbot conflicts`: which parallel branches will collide, how sure we are, the evidence.

Imports of the analysis are inside the command so `fleetbot --help` stays fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from fleetbot.cli import (
    fleet_options,
    format_option,
    strict_option,
)
from fleetbot.cli.answers import remembered
from fleetbot.model import ConflictKind

if TYPE_CHECKING:
    from rich.text import Text

    from fleetbot.git import Git
    from fleetbot.model import Conflict, Plan, Report

# what `conflicts` predicts: every kind but `semantic`, which only `verify` finds
KINDS = tuple(k for k in ConflictKind if k is not ConflictKind.SEMANTIC)
KIND_NAMES = tuple(k.value for k in KINDS)


@click.command("conflicts")
@fleet_options
@format_option
@strict_option
@click.option(
    "--kinds", default=None, metavar="K1,K2",
    help=f"Only these kinds, comma-separated: {', '.join(KIND_NAMES)}.",
)
@remembered("conflicts")
def conflicts(
    plan_path: Path | None, repo: Path | None, target: str | None, fmt: str, strict: bool,
    kinds: str | None,
) -> int:
    """Predict which branches collide: plan, diff, drift, target, textual, interface.

    Exits 0; with --strict, 1 when a blocking (textual or target) conflict exists.
    """
    from fleetbot.cli.common import find_repo
    from fleetbot.pipeline import load_fleet_plan

    wanted = parse_kinds(kinds)
    git = find_repo(repo)
    fleet = load_fleet_plan(git, plan_path, target)
    return run_conflicts(fleet.plan, git, target=target, fmt=fmt, strict=strict, kinds=wanted,
                         notes=fleet.notes)


def parse_kinds(text: str | None) -> frozenset[ConflictKind] | None:
    """`--kinds textual,target` -> the set; an unknown name, or none, is a usage error."""
    if text is None:
        return None
    from fleetbot.errors import UsageError

    names = {k.strip().lower() for k in text.split(",") if k.strip()}
    unknown = sorted(names - set(KIND_NAMES))
    if unknown:
        raise UsageError(
            f"--kinds: unknown kind {', '.join(unknown)}; choose from {', '.join(KIND_NAMES)}"
        )
    if not names:
        raise UsageError(f"--kinds: name at least one kind of {', '.join(KIND_NAMES)}")
    return frozenset(ConflictKind(n) for n in names)


def run_conflicts(
    plan: Plan, git: Git, *, target: str | None = None, fmt: str = "text",
    strict: bool = False, kinds: frozenset[ConflictKind] | None = None,
    notes: Sequence[str] = (),
) -> int:
    """The pipeline's conflicts, filtered and printed; the exit code (1 only with `strict`
    and a blocker)."""
    from fleetbot.cli.common import emit_json, emit_text, out_console
    from fleetbot.pipeline import build_report

    facts = build_report(git, plan, target=target, notes=notes, replay=False)  # none shown
    plan = facts.plan
    found = tuple(c for c in facts.conflicts if kinds is None or c.kind in kinds)
    if fmt == "json":
        emit_json(to_json(facts, found))
    elif fmt == "markdown":
        emit_text(to_markdown(plan, facts, found, kinds))
    else:
        console = out_console()
        for line in to_text(plan, facts, found, kinds):
            console.print(line)
    return 1 if strict and any(c.blocking for c in found) else 0


# ---------------------------------------------------------------- rendering (pure)


def conflict_json(c: Conflict) -> dict[str, Any]:
    return {
        "kind": c.kind.value, "rows": list(c.rows), "files": list(c.files),
        "detail": c.detail, "expected": c.expected, "regenerable": c.regenerable,
        "evidence": c.evidence,
    }


def to_json(facts: Report, found: Sequence[Conflict]) -> dict[str, Any]:
    """`{"target", "conflicts": [...], "missing_branches": [issue refs], "landed",
    "notes"}`: the notes are the Report's, as `check --format json` gives them."""
    return {
        "target": facts.target,
        "conflicts": [conflict_json(c) for c in found],
        "missing_branches": list(facts.missing_branches),
        "landed": [{"issue": la.issue, "how": la.how.value, "detail": la.describe()}
                   for la in facts.landed],
        "notes": list(facts.notes),
    }


def _who(plan: Plan, rows: Sequence[str]) -> str:
    labels = []
    for issue in rows:
        row = plan.by_issue(issue)
        labels.append(row.label if row else issue)
    return " × ".join(labels)


def headline(plan: Plan, facts: Report, found: Sequence[Conflict],
             kinds: frozenset[ConflictKind] | None = None) -> str:
    """The decision in one line: how many collisions and which pairs, or that all is clear.
    With `kinds` (`--kinds`) it speaks of those kinds only: "no blocking collisions" or
    "land cleanly" would be claims about the kinds it was told not to show."""
    from fleetbot.render.common import plural

    blocking = [c for c in found if c.blocking]
    if blocking:
        parts = []
        for c in blocking:
            what = "stale, rebase first" if c.kind is ConflictKind.TARGET else c.kind.value
            files = ", ".join(c.files[:3]) + (" …" if len(c.files) > 3 else "")
            parts.append(f"{_who(plan, c.rows)} ({what}: {files})" if files else
                         f"{_who(plan, c.rows)} ({what})")
        n = len(blocking)
        return f"{plural(n, 'collision')} on {facts.target}: " + "; ".join(parts)
    n = len(facts.branches)
    if kinds is not None:
        asked = " or ".join(k.value for k in KINDS if k in kinds)
        unshown = "; the other kinds are not shown (--kinds)"
        if not found:
            return (f"No {asked} conflicts among {plural(n, 'branch', 'branches')} on "
                    f"{facts.target}{unshown}.")
    if found:
        counts: dict[str, int] = {}
        for c in found:
            counts[c.kind.value] = counts.get(c.kind.value, 0) + 1
        summary = ", ".join(f"{k} {n}" for k, n in counts.items())
        if kinds is not None:
            return f"{len(found)} to review on {facts.target} ({summary}){unshown}."
        return f"No blocking collisions on {facts.target}; {len(found)} to review ({summary})."
    return (f"No conflicts: {plural(n, 'branch', 'branches')} "
            f"{'lands' if n == 1 else 'land'} cleanly on {facts.target}.")


def _tags(c: Conflict) -> str:
    tags = [t for t, on in (("expected", c.expected), ("regenerable", c.regenerable)) if on]
    return f" ({', '.join(tags)})" if tags else ""


def _missing_line(plan: Plan, facts: Report) -> str:
    names = []
    for issue in facts.missing_branches:
        row = plan.by_issue(issue)
        names.append(f"{issue} ({row.branch or 'branch not decided yet'})" if row else issue)
    return "Missing branches (not checked): " + ", ".join(names)


def to_text(plan: Plan, facts: Report, found: Sequence[Conflict],
            kinds: frozenset[ConflictKind] | None = None) -> list[Text]:
    """Terminal lines: the decision first, then each conflict with its evidence. Every
    text from the repository goes through `escape.terminal` (one line, no `::`)."""
    from rich.text import Text

    from fleetbot.render.escape import terminal as t

    lines = [Text(t(headline(plan, facts, found, kinds)), style="bold red" if any(
        c.blocking for c in found) else "bold green" if not found else "bold yellow")]
    if facts.missing_branches:
        lines.append(Text(t(_missing_line(plan, facts)), style="yellow"))
    if facts.landed:
        from fleetbot.render.common import landed_lines

        lines.append(Text(t("Landed (left out): " + "; ".join(landed_lines(facts))),
                              style="green"))
    lines.extend(Text(t(f"note: {n}"), style="dim") for n in facts.notes)
    ordered = sorted(found, key=lambda c: not c.blocking)
    for c in ordered:
        lines.append(Text(""))
        head = Text(f"{c.kind.value:<9}", style="bold red" if c.blocking else "bold")
        head.append(t(f" {_who(plan, c.rows)}{_tags(c)}"))
        lines.append(head)
        if c.files:
            lines.append(Text(f"  files:    {t(', '.join(c.files))}"))
        lines.append(Text(f"  why:      {t(c.detail)}"))
        if c.evidence:
            lines.append(Text(f"  evidence: {t(c.evidence)}", style="dim"))
    return lines


def to_markdown(plan: Plan, facts: Report, found: Sequence[Conflict],
                kinds: frozenset[ConflictKind] | None = None) -> str:
    """The same report for a PR comment or job summary."""
    from fleetbot.render.escape import md as md_escape
    from fleetbot.render.escape import one_line

    lines = [f"**{md_escape(headline(plan, facts, found, kinds))}**", ""]
    if facts.missing_branches:
        lines += [md_escape(_missing_line(plan, facts)), ""]
    if found:
        lines += ["| kind | rows | files | why |", "|---|---|---|---|"]
        for c in sorted(found, key=lambda c: not c.blocking):
            kind = f"**{c.kind.value}**" if c.blocking else c.kind.value
            lines.append(
                f"| {kind}{md_escape(_tags(c))} | {md_escape(_who(plan, c.rows))} | "
                f"{md_escape(', '.join(c.files))} | {md_escape(c.detail)} |"
            )
        lines += ["", "<details><summary>Evidence</summary>", ""]
        for c in found:
            if c.evidence:
                lines += [f"- {c.kind.value} {md_escape(' × '.join(c.rows))}:", "",
                          "  ```sh", f"  {one_line(c.evidence)}", "  ```"]
        lines += ["", "</details>"]
    if facts.notes:
        lines += ["", *(f"- note: {md_escape(n)}" for n in facts.notes)]
    return "\n".join(lines).rstrip() + "\n"
