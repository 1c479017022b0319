"""Load a plan (.md, .yml/.yaml, .json) into a validated `Plan`.

Every form becomes the same dict (see `plan_source`), which is validated against
`schemas/plan.schema.json` and turned into `Row`s. Every problem names file:line and
the fix; `load_plan` raises them all at once as `PlanErrors`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fleetbot.errors import PlanError, PlanErrors
from fleetbot.model import OwnedPath, Plan, PlanFormat, Row, Severity, Status
from fleetbot.plan.source import Source, line_of, looks_binary, read_markdown, read_structured

NONE_WORDS = frozenset({"", "none", "-", "—", "–", "n/a", "na", "nothing"})

STATUS_WORDS: dict[Status, tuple[str, ...]] = {
    Status.PLANNED: ("planned", "todo", "to do", "pending", "new", "open", "not started", "idea"),
    Status.QUEUED: ("queued", "ready", "next", "up next", "scheduled"),
    Status.RUNNING: ("running", "in progress", "wip", "doing", "active", "started", "working"),
    Status.REVIEW: ("review", "in review", "pr", "pr open", "reviewing", "needs review"),
    Status.MERGED: ("merged", "done", "landed", "complete", "completed", "closed", "shipped"),
    Status.BLOCKED: ("blocked", "waiting", "on hold", "stuck", "paused"),
}
_STATUS_LOOKUP = {word: status for status, words in STATUS_WORDS.items() for word in words}

_ISSUE = re.compile(r"^((?:[\w.-]+/[\w./-]+)?[#!]\d+|\d+)(?=$|[\s:,.)\]-])[\s:,.\-–—]*(.*)$")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_NOTE = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")


def detect_format(path: Path) -> PlanFormat:
    suffix = path.suffix.lower()
    if suffix in (".yml", ".yaml"):
        return PlanFormat.YAML
    if suffix == ".json":
        return PlanFormat.JSON
    return PlanFormat.MARKDOWN


def read_text(path: Path) -> str:
    """The plan file's text, or a PlanError saying why it cannot be read."""
    shown = str(path)
    if not path.exists():
        raise PlanError(
            "plan file not found", file=shown, code="invalid-file",
            hint="create it (`fleetbot plan init`) or pass --plan PATH",
        )
    if path.is_dir():
        raise PlanError("is a folder, not a plan file", file=shown, hint="pass --plan FILE")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PlanError(
            f"cannot read the plan: {exc.strerror}", file=shown, hint="check its permissions"
        ) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanError(
            "the plan is not UTF-8 text (a binary file?)", file=shown, line=1,
            hint="point --plan at the Markdown, YAML or JSON plan",
        ) from exc
    if looks_binary(text):
        raise PlanError(
            "the plan looks like a binary file", file=shown, line=1,
            hint="point --plan at the Markdown, YAML or JSON plan",
        )
    return text.replace("\r\n", "\n")


def load_plan(path: Path) -> Plan:
    """Read, parse and validate the plan; raise PlanErrors listing every error."""
    from fleetbot.plan.lint import structural_findings

    plan = parse_plan(read_text(path), str(path), detect_format(path))
    errors = [f for f in structural_findings(plan) if f.severity is Severity.ERROR]
    if errors:
        raise PlanErrors([
            PlanError(f.message, file=plan.source, line=f.line, hint=f.hint, code=f.code)
            for f in errors
        ])
    return plan


def read_source(text: str, source: str, fmt: str) -> Source:
    if fmt == "markdown":
        return read_markdown(text, source)
    return read_structured(text, source, fmt)


def parse_plan(text: str, source: str = "orchestration-plan.md", fmt: str = "markdown") -> Plan:
    """Text -> Plan. Raises PlanErrors for schema and field errors (not for lint's
    cross-row checks, which `lint.structural_findings` finds)."""
    src = read_source(text, source, fmt)
    _validate(src, source)
    rows: list[Row] = []
    errors: list[PlanError] = []
    for index, raw in enumerate(src.data["rows"]):
        try:
            rows.append(_build_row(raw, line_of(src.lines, ("rows", index)), source))
        except PlanError as exc:
            errors.append(exc)
    if errors:
        raise PlanErrors(errors)
    return Plan(
        rows=tuple(rows), source=source, format=PlanFormat(fmt),
        regenerable=tuple(src.data.get("regenerable") or ()), text=text,
        target=str(src.data.get("target") or ""), test=str(src.data.get("test") or ""),
    )


def _validate(src: Source, file: str) -> None:
    import jsonschema

    from fleetbot.plan.schemas import load_schema

    validator = jsonschema.Draft202012Validator(load_schema("plan"))
    found = sorted(validator.iter_errors(src.data), key=lambda e: list(map(str, e.absolute_path)))
    if not found:
        return
    errors = []
    for err in found:
        path = tuple(err.absolute_path)
        where = ".".join(str(p) for p in path) or "the plan"
        if err.validator == "additionalProperties":
            extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
            allowed = ", ".join(err.schema.get("properties", {}))
            message = f"unknown field {', '.join(map(repr, extra))} in {where}"
            hint = f"use only: {allowed}"
        elif err.validator == "required":
            message = f"{where}: {err.message}"
            hint = "every row needs at least `issue` and `branch`"
        elif err.validator == "minItems" and path == ("rows",):
            message = "the plan has no rows"
            hint = "add at least one row"
        else:
            message = f"{where}: {err.message}"
            hint = "see schemas/plan.schema.json for the expected types"
        errors.append(
            PlanError(message, file=file, line=line_of(src.lines, path), hint=hint, code="schema")
        )
    raise PlanErrors(errors)


def _clean(text: str) -> str:
    """Markdown links -> their text; emphasis and backticks off."""
    return _LINK.sub(r"\1", text).replace("**", "").replace("`", "").strip()


def parse_issue(value: Any) -> tuple[str, str]:
    """`#42 count` -> ("#42", "count"); `42` -> ("#42", ""); raises ValueError."""
    text = _clean(str(value))
    match = _ISSUE.match(text)
    if not match:
        raise ValueError(text)
    ref, title = match.group(1), match.group(2).strip()
    if ref.isdigit():
        ref = "#" + ref
    return ref, title


def normalise_ref(ref: str) -> str:
    """A dependency ref as written -> issue ref (`42` -> `#42`) or branch name."""
    text = _clean(ref)
    note = _NOTE.match(text)
    if note and note.group(1):
        text = note.group(1)
    text = text.strip()
    try:
        issue, _ = parse_issue(text)
    except ValueError:
        return text
    return issue if " " not in text else text


def split_list(value: Any) -> list[str]:
    """A cell or list -> items: commas split, except inside (...) or `...`."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    items: list[str] = []
    cur: list[str] = []
    depth, tick = 0, False
    for ch in str(value):
        if ch == "`":
            tick = not tick
        elif not tick and ch == "(":
            depth += 1
        elif not tick and ch == ")":
            depth = max(0, depth - 1)
        if ch in ",;" and depth == 0 and not tick:
            items.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    items.append("".join(cur).strip())
    return [i for i in items if i and i.lower() not in NONE_WORDS]


def parse_owned(item: str) -> OwnedPath:
    """`` `cli.py` (dispatch + new fn) `` -> OwnedPath("cli.py", "dispatch + new fn")."""
    note = ""
    match = _NOTE.match(item)
    if match and match.group(1):
        item, note = match.group(1), match.group(2).strip()
    return OwnedPath(pattern=item.replace("`", "").strip(), note=note)


def normalise_status(word: Any) -> Status | None:
    """A free status word -> Status; None when unknown (lint warns)."""
    text = re.sub(r"[^a-z ]", " ", str(word or "").lower())
    text = " ".join(text.split())
    if not text:
        return Status.PLANNED
    if text in _STATUS_LOOKUP:
        return _STATUS_LOOKUP[text]
    for status_word, status in _STATUS_LOOKUP.items():
        if text.startswith(status_word + " "):
            return status
    return None


def _build_row(raw: dict[str, Any], line: int, file: str) -> Row:
    issue_text = str(raw.get("issue", "")).strip()
    branch = _clean(str(raw.get("branch") or ""))
    if not _clean(issue_text):
        raise PlanError(
            "this row has no issue", file=file, line=line, code="empty-field",
            hint="write the issue it works on, like `#42` or `#42 short-name`",
        )
    if not branch:
        raise PlanError(
            "this row has no branch", file=file, line=line, code="empty-field",
            hint="write the branch the row is worked on, like `feature/42-count`",
        )
    if any(c.isspace() for c in branch) or branch.startswith("-"):
        raise PlanError(
            f"{branch!r} is not a valid branch name", file=file, line=line, code="schema",
            hint="branch names have no spaces and do not start with `-`",
        )
    try:
        issue, title = parse_issue(issue_text)
    except ValueError:
        raise PlanError(
            f"{issue_text!r} is not an issue reference", file=file, line=line, code="schema",
            hint="write `#42`, `42`, `owner/repo#42` or `!7`, optionally followed by a name",
        ) from None
    title = str(raw.get("title") or title)
    status_raw = str(raw.get("status") or "").strip()
    status = normalise_status(status_raw) or Status.PLANNED
    return Row(
        issue=issue, branch=branch, line=line, title=title,
        worktree=_clean(str(raw.get("worktree") or "")),
        files_owned=tuple(parse_owned(i) for i in split_list(raw.get("files_owned"))),
        depends_on=tuple(normalise_ref(str(i)) for i in split_list(raw.get("depends_on"))),
        status=status, status_raw=status_raw,
    )


def dependency_graph(plan: Plan) -> dict[str, set[str]]:
    """issue -> issues it depends on (known rows only)."""
    return {row.issue: {d.issue for d in plan.dependencies(row)} for row in plan.rows}


def ancestors(graph: dict[str, set[str]], issue: str) -> set[str]:
    """Everything `issue` depends on, transitively."""
    seen: set[str] = set()
    todo = list(graph.get(issue, ()))
    while todo:
        cur = todo.pop()
        if cur not in seen:
            seen.add(cur)
            todo.extend(graph.get(cur, ()))
    return seen


def dependency_path(plan: Plan, a: Row, b: Row) -> bool:
    """True when one row depends on the other, directly or transitively."""
    graph = dependency_graph(plan)
    return b.issue in ancestors(graph, a.issue) or a.issue in ancestors(graph, b.issue)


def rows_named(plan: Plan, refs: Iterable[str]) -> tuple[Row, ...]:
    """Rows selected by refs such as `#42,feature/x` (for `--rows`)."""
    out = []
    for ref in refs:
        row = plan.find(normalise_ref(ref))
        if row is None:
            raise PlanError(
                f"no row {ref!r} in the plan", file=plan.source,
                hint="name rows by issue (#42) or branch",
            )
        out.append(row)
    return tuple(out)
