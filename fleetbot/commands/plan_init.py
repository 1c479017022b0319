"""`fleetbot plan init`: write a starter plan from a list of issues.

Branches and worktrees are derived; "Files owned" is left empty on purpose: deciding
who owns which seam is the one thing a person has to do before the fan-out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import click

from fleetbot.cli import dry_run_option, plan_option, repo_option
from fleetbot.errors import ExitCode, UsageError

_ISSUE = re.compile(r"^\s*(?P<ref>(?:[\w.-]+/[\w.-]+)?[#!]?\d+)\s*(?::\s*(?P<name>.*))?$")


def parse_issue_option(value: str) -> tuple[str, str]:
    """`42:count`, `#42:count`, `owner/repo#42:count`, `!7:fix` -> (ref, slug)."""
    m = _ISSUE.match(value)
    if m is None:
        raise UsageError(f"--issue {value!r}: write it as NUMBER:short-name, e.g. 42:count")
    ref = m.group("ref")
    if ref[0].isdigit():
        ref = "#" + ref
    name = re.sub(r"[^a-z0-9]+", "-", (m.group("name") or "").lower()).strip("-")
    return ref, name


def starter_plan(issues: Sequence[tuple[str, str]], *, prefix: str = "feature/") -> str:
    """The plan text: prose, the table with one planned row per issue, and notes."""
    if not issues:
        raise UsageError("name at least one issue: --issue 42:count (repeatable)")
    seen: set[str] = set()
    rows = []
    for ref, name in issues:
        if ref in seen:
            raise UsageError(f"--issue {ref} is given twice")
        seen.add(ref)
        number = re.sub(r"\D", "", ref.rsplit("#", 1)[-1].rsplit("!", 1)[-1])
        branch = f"{prefix}{number}" + (f"-{name}" if name else "")
        label = f"{ref} {name}".strip()
        rows.append(f"| {label} | {branch} |  |  | none | planned |")
    return "\n".join([
        "# Orchestration plan",
        "",
        "One row per issue: one branch, one worktree, one agent. Before `fleetbot fan-out`,",
        "fill in **Files owned** for every row (paths or globs from the repo root) and the",
        "**Depends on** column, then run `fleetbot plan lint` to see which rows would collide.",
        "",
        "| Issue | Branch | Worktree | Files owned | Depends on | Status |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        "## Notes",
        "",
        "Worktree is empty: `fleetbot fan-out` puts each row beside the repo as",
        "`<repo>-<issue>-<name>`. Write a folder there to choose another.",
        "",
    ])


@click.command()
@plan_option
@repo_option
@click.option("--issue", "issues", multiple=True, metavar="NUMBER:NAME",
              help="An issue and a short name, e.g. 42:count. Repeat for each row.")
@click.option("--branch-prefix", default="feature/", show_default=True,
              help="Prefix of the derived branch names.")
@click.option("--force", is_flag=True, help="Overwrite an existing plan file.")
@dry_run_option
def init(plan_path: Path | None, repo: Path | None, issues: tuple[str, ...],
         branch_prefix: str, force: bool, dry_run: bool) -> int:
    """Write a starter plan with one row per --issue; Files owned is left for you.

    \b
      fleetbot plan init --issue 42:count --issue 43:docs --issue 44:clear
    """
    # TODO(forge): without --issue, list the open issues from the forge when a token is set.
    from fleetbot.commands._common import emit_text, resolve_plan_path
    from fleetbot.plan import parse_plan

    text = starter_plan([parse_issue_option(i) for i in issues], prefix=branch_prefix)
    path = resolve_plan_path(plan_path, repo)
    parse_plan(text, str(path))  # what we write must load
    if dry_run:
        emit_text(text.rstrip("\n"))
        click.echo(f"(dry run: {path} not written)", err=True)
        return ExitCode.OK
    if path.exists() and not force:
        raise UsageError(f"{path} exists; pass --force to overwrite it, or --plan another path")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    click.echo(f"wrote {path} with {len(issues)} row(s); fill in Files owned, then run "
               "`fleetbot plan lint`", err=True)
    return ExitCode.OK
