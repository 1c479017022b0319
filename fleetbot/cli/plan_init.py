"""`fleetbot plan init`: write a starter plan from a list of issues.

Branches and worktrees are derived; "Files owned" is left empty on purpose: deciding
who owns which seam is the one thing a person has to do before the fan-out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import click

from fleetbot import files
from fleetbot.cli import dry_run_option, plan_option, repo_option
from fleetbot.errors import ExitCode, FleetbotError, UsageError
from fleetbot.forge.types import IssueSummary
from fleetbot.render import escape

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


def slug(title: str, *, words: int = 4, length: int = 30) -> str:
    """A short branch-safe name from an issue title: `Fix the | pipe!` -> `fix-the-pipe`."""
    parts = re.sub(r"[^a-z0-9]+", " ", title.lower()).split()[:words]
    out = ""
    for part in parts:
        candidate = f"{out}-{part}" if out else part
        if len(candidate) > length:
            break
        out = candidate
    return out or (parts[0][:length] if parts else "")


def issues_from_forge(summaries: Sequence[IssueSummary]) -> list[tuple[str, str, str]]:
    """(ref, slug, escaped title) per open issue, for `starter_plan`."""
    return [(f"#{i.number}", slug(i.title), escape.md(i.title)) for i in summaries]


def starter_plan(issues: Sequence[tuple[str, str] | tuple[str, str, str]], *,
                 prefix: str = "feature/") -> str:
    """The plan text: prose, the table with one planned row per issue, and notes.

    An issue is (ref, slug) or (ref, slug, title): the title must already be escaped
    for a Markdown table cell (`fleetbot.render.escape.md`)."""
    if not issues:
        raise UsageError("name at least one issue: --issue 42:count (repeatable), or take the "
                         "open issues of GitHub/GitLab with --from-forge")
    seen: set[str] = set()
    rows = []
    for issue in issues:
        ref, name = issue[0], issue[1]
        title = issue[2] if len(issue) > 2 else ""
        if ref in seen:
            raise UsageError(f"--issue {ref} is given twice")
        seen.add(ref)
        number = re.sub(r"\D", "", ref.rsplit("#", 1)[-1].rsplit("!", 1)[-1])
        branch = f"{prefix}{number}" + (f"-{name}" if name else "")
        label = f"{ref} {title or name}".strip()
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
@click.option("--from-forge", is_flag=True,
              help="One row per open issue on GitHub/GitLab (needs GITHUB_TOKEN/GITLAB_TOKEN).")
@click.option("--forge", "forge_kind", type=click.Choice(["auto", "github", "gitlab", "local"]),
              default="auto", show_default=True, help="Where the issues live (--from-forge).")
@click.option("--label", "labels", multiple=True, metavar="LABEL",
              help="With --from-forge: only issues with this label (repeat: all of them).")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 1000),
              help="With --from-forge: at most this many issues.")
@click.option("--branch-prefix", default="feature/", show_default=True,
              help="Prefix of the derived branch names.")
@click.option("--force", is_flag=True, help="Overwrite an existing plan file.")
@dry_run_option
def init(plan_path: Path | None, repo: Path | None, issues: tuple[str, ...],
         from_forge: bool, forge_kind: str, labels: tuple[str, ...], limit: int,
         branch_prefix: str, force: bool, dry_run: bool) -> int:
    """Write a starter plan with one row per --issue; Files owned is left for you.

    \b
      fleetbot plan init --issue 42:count --issue 43:docs --issue 44:clear
      fleetbot plan init --from-forge --label fleet   # needs GITHUB_TOKEN / GITLAB_TOKEN
    """
    from fleetbot.cli.common import emit_text, resolve_plan_path
    from fleetbot.plan.parse import parse_plan

    rows: list[tuple[str, str] | tuple[str, str, str]] = [parse_issue_option(i) for i in issues]
    if from_forge:
        if issues:
            raise UsageError("--from-forge and --issue do not mix: use one or the other")
        rows = list(_forge_rows(repo, forge_kind, labels, limit))
        if not rows:
            wanted = f" labelled {', '.join(labels)}" if labels else ""
            raise UsageError(f"the forge has no open issues{wanted}: nothing to plan")
    elif labels:
        raise UsageError("--label only filters --from-forge")
    issues_count = len(rows)
    text = starter_plan(rows, prefix=branch_prefix)
    path = resolve_plan_path(plan_path, repo)
    parse_plan(text, str(path))  # what we write must load
    if dry_run:
        emit_text(text.rstrip("\n"))
        click.echo(f"(dry run: {path} not written)", err=True)
        return ExitCode.OK
    before = files.snapshot(path)
    if before.data is not None and not force:
        raise UsageError(f"{path} exists; pass --force to overwrite it, or --plan another path")
    path.parent.mkdir(parents=True, exist_ok=True)
    files.write_like(path, text, before)  # atomic; keeps an overwritten plan's CRLF and BOM
    rows_word = "row" if issues_count == 1 else "rows"
    click.echo(f"wrote {path} with {issues_count} {rows_word}; fill in Files owned (until "
               "then `fleetbot plan lint` warns no-files-owned for each row)", err=True)
    return ExitCode.OK


def _forge_rows(repo: Path | None, forge_kind: str, labels: Sequence[str],
                limit: int) -> list[tuple[str, str, str]]:
    """The open issues of the detected forge; without a token, say which variable to set."""
    from fleetbot.cli.common import find_repo
    from fleetbot.forge import GITHUB_TOKEN_VARS, GITLAB_TOKEN_VARS, pick_forge

    try:
        git = find_repo(repo)
    except FleetbotError:  # not in a repo: GITHUB_REPOSITORY / CI_PROJECT_PATH may say
        git = None
    forge = pick_forge(forge_kind, git=git)
    if forge.kind != "local" and not forge.can_write:
        names = GITHUB_TOKEN_VARS if forge.kind == "github" else GITLAB_TOKEN_VARS
        raise UsageError(
            f"--from-forge reads {forge.repo}'s open issues and needs a token: set "
            f"{' or '.join(names)} (or name the rows with --issue 42:count)"
        )
    return issues_from_forge(forge.open_issues(labels=labels, limit=limit))
