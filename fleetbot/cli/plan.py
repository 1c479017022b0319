"""`fleetbot plan lint|show|init`: read and check the coordination plan."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import click

from fleetbot import files
from fleetbot.cli import dry_run_option, format_option, plan_option, repo_option, strict_option
from fleetbot.errors import ExitCode, PlanError


@click.group()
def plan() -> None:
    """Read, lint, fix and start the coordination plan."""


@plan.command()
@plan_option
@repo_option
@format_option
@strict_option
@click.option("--fix", is_flag=True, help="Write the smallest fix for each joint into the plan.")
@dry_run_option
def lint(
    plan_path: Path | None, repo: Path | None, fmt: str, strict: bool, fix: bool, dry_run: bool
) -> int:
    """Check the plan: structure, dependencies, cycles, and joints (rows that own a
    common file with no dependency between them).

    Exit 0 without errors (1 with --strict when there are warnings), 2 on errors.
    """
    from fleetbot.cli.common import resolve_plan_path
    from fleetbot.model import Severity
    from fleetbot.plan.lint import fix_joints, lint_error, lint_plan
    from fleetbot.plan.parse import detect_format, parse_plan, read_text

    path = resolve_plan_path(plan_path, repo)
    source = str(path)
    protected = _protected_branches(repo)
    before = files.snapshot(path) if fix and not dry_run and path.is_file() else None
    try:
        loaded = parse_plan(read_text(path), source, detect_format(path))
        findings = lint_plan(loaded, protected)
    except PlanError as exc:
        loaded = None
        findings = lint_error(exc)
    findings = [f if f.file else _with_file(f, source) for f in findings]
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if fix and loaded is not None and not errors:
        new_text, added = fix_joints(loaded)
        if added:
            _report_fix(path, loaded.text, new_text, dry_run, [
                f"{issue} now depends on {' and '.join(deps)} "
                f"(lands after {'it' if len(deps) == 1 else 'them'})"
                for issue, deps in added.items()
            ], before)
            if not dry_run:
                findings = lint_plan(parse_plan(new_text, source, loaded.format), protected)
    _print_findings(findings, fmt, source)
    if errors:
        return ExitCode.BAD_INPUT
    if strict and findings:
        return ExitCode.FINDINGS
    return ExitCode.OK


def _protected_branches(repo: Path | None) -> tuple[str, ...]:
    """The repo's default branch (a row may not name it); () outside a repository."""
    from fleetbot.cli.common import find_repo
    from fleetbot.errors import GitError
    from fleetbot.git.refs import default_target_name, read_refs

    try:
        refs = read_refs(find_repo(repo))
    except GitError:
        return ()
    name = default_target_name(refs)
    return (name,) if name else ()


def _with_file(finding: Any, file: str) -> Any:
    from dataclasses import replace

    return replace(finding, file=file)


def _report_fix(path: Path, old: str, new: str, dry_run: bool, added: list[str],
                before: files.Snapshot | None = None) -> None:
    from fleetbot.cli.common import err_console

    console = err_console()
    if dry_run:
        diff = difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True),
            fromfile=str(path), tofile=f"{path} (fixed)",
        )
        click.echo("".join(diff), err=True, nl=False)
        console.print(f"dry run: {path} not written; it would say: {'; '.join(added)}")
        return
    files.write_like(path, new, before)  # atomic; refuses if the plan changed meanwhile
    console.print(f"fixed {path}: {'; '.join(added)}")


def _print_findings(findings: list[Any], fmt: str, source: str) -> None:
    from fleetbot.cli.common import emit_json, emit_text, out_console
    from fleetbot.model import Severity
    from fleetbot.render.common import plural

    if fmt == "json":
        emit_json({"plan": source, "findings": [
            {"severity": f.severity.value, "code": f.code, "line": f.line,
             "message": f.message, "rows": list(f.rows), "hint": f.hint}
            for f in findings
        ]})
        return
    if fmt == "markdown":
        if not findings:
            emit_text(f"**{source}**: no findings.")
            return
        lines = ["| | line | code | message |", "|---|---|---|---|"]
        for f in findings:
            mark = {Severity.ERROR: "❌", Severity.WARNING: "⚠️"}.get(f.severity, "ℹ️")
            lines.append(f"| {mark} | {f.line} | `{f.code}` | {_md(f.message)} |")
        emit_text("\n".join(lines))
        return
    console = out_console()
    if not findings:
        console.print(f"[green]✓[/green] {source}: no findings")
        return
    for f in findings:
        colour = {"error": "red", "warning": "yellow"}.get(f.severity.value, "cyan")
        where = f"{f.file or source}:{f.line}:" if f.line else f"{f.file or source}:"
        console.print(
            f"{where} [{colour}]{f.severity.value}[/{colour}] "
            f"[bold]{f.code}[/bold]: {_rich(f.message)}"
        )
        if f.hint:
            console.print(f"  fix: {_rich(f.hint)}")
    counts = {s: sum(f.severity is s for f in findings) for s in Severity}
    console.print(", ".join(plural(n, s.value) for s, n in counts.items()
                            if n or s is not Severity.NOTICE))


def _rich(text: str) -> str:
    """A finding for the terminal: a plan cell's control characters as visible escapes
    (`\\x1b`, never an escape sequence the terminal obeys), `::` unable to start a
    workflow command, and rich's markup taken literally."""
    from rich.markup import escape

    from fleetbot.render.escape import terminal

    return escape(terminal(text))


def _md(text: str) -> str:
    from fleetbot.render.escape import md

    return md(text)


def _code(text: str) -> str:
    from fleetbot.render.escape import code

    return code(text)


@plan.command()
@plan_option
@repo_option
@format_option
def show(plan_path: Path | None, repo: Path | None, fmt: str) -> int:
    """Print the plan as fleetbot reads it."""
    from fleetbot.cli.common import emit_json, emit_text, load_plan, out_console

    loaded = load_plan(plan_path, repo)
    rows = [
        {"issue": r.issue, "title": r.title, "branch": r.branch, "worktree": r.worktree,
         "files_owned": [{"pattern": p.pattern, "note": p.note} for p in r.files_owned],
         "depends_on": list(r.depends_on), "status": r.status.value, "line": r.line}
        for r in loaded.rows
    ]
    if fmt == "json":
        emit_json({"plan": loaded.source, "format": loaded.format,
                   "regenerable": list(loaded.regenerable), "rows": rows})
        return ExitCode.OK
    if fmt == "markdown":
        out = ["| Issue | Branch | Files owned | Depends on | Status |", "|---|---|---|---|---|"]
        for r in loaded.rows:
            owned = ", ".join(_code(p) for p in r.patterns) or "—"
            deps = ", ".join(r.depends_on) or "—"
            out.append(f"| {_md(r.label)} | {_code(r.branch)} | {owned} | {_md(deps)} "
                       f"| {r.status.value} |")
        emit_text("\n".join(out))
        return ExitCode.OK
    from rich.table import Table

    from fleetbot.render.common import plural

    table = Table(title=f"{loaded.source} ({plural(len(loaded.rows), 'row')})",
                  title_justify="left")
    for column in ("Issue", "Branch", "Files owned", "Depends on", "Status"):
        table.add_column(column, overflow="fold")
    for r in loaded.rows:
        owned = "\n".join(
            f"{p.pattern}" + (f" ({p.note})" if p.note else "") for p in r.files_owned
        )
        table.add_row(_rich(r.label), _rich(r.branch), _rich(owned) or "—",
                      _rich(", ".join(r.depends_on)) or "—", r.status.value)
    out_console().print(table)
    return ExitCode.OK


def _attach_init() -> None:
    """`plan init` lives in its own module (fleet work); attach it when present."""
    try:
        from fleetbot.cli.plan_init import init
    except ImportError:
        return
    plan.add_command(init)


_attach_init()
