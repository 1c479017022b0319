"""Load a plan (.md, .yml/.yaml, .json) into a validated `Plan`.

Every form becomes the same dict (see `source`), which is validated against
`schemas/plan.schema.json` and turned into `Row`s by the cell grammar (`cells`). Every
problem names file:line and the fix; `load_plan` raises them all at once as
`PlanErrors`. What was read but not used rides along as `Plan.notices`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fleetbot import DEFAULT_PLAN
from fleetbot.errors import PlanError, PlanErrors
from fleetbot.model import Finding, FindingCode, Plan, PlanFormat, Row, Severity, Status
from fleetbot.plan.cells import (
    dependency_refs,
    is_none,
    is_placeholder,
    normalise_status,
    owned_paths,
    parse_issue,
    unwrap,
)
from fleetbot.plan.source import (
    Source,
    line_of,
    looks_binary,
    notice,
    read_markdown,
    read_structured,
)

if TYPE_CHECKING:
    from fleetbot.plan.schemas import PlanRecord

__all__ = ["detect_format", "load_plan", "normalise_status", "parse_plan", "read_text"]


def detect_format(path: Path) -> PlanFormat:
    suffix = path.suffix.lower()
    if suffix in (".yml", ".yaml"):
        return PlanFormat.YAML
    if suffix == ".json":
        return PlanFormat.JSON
    return PlanFormat.MARKDOWN


def decode_plan(data: bytes, file: str) -> str:
    """Plan bytes -> text; a byte that is not UTF-8 is a PlanError at its line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PlanError(
            f"the plan is not UTF-8 text (byte 0x{data[exc.start]:02x} on this line)",
            file=file, line=line,
            hint="save the plan as UTF-8 (a Latin-1 editor? `iconv -f latin1 -t utf-8`)",
        ) from None
    if looks_binary(text):
        raise PlanError(
            "the plan looks like a binary file", file=file, line=1,
            hint="point --plan at the Markdown, YAML or JSON plan",
        )
    return text.replace("\r\n", "\n")


def _repo_root(path: Path) -> Path | None:
    """The nearest folder above `path` (as written, links not followed) that holds .git."""
    for folder in path.absolute().parents:
        if (folder / ".git").exists():
            return folder
    return None


def read_text(path: Path) -> str:
    """The plan file's text, or a PlanError saying why it cannot be read. A plan inside
    a repository must stay inside it: a symlink out is refused (it could show any file)."""
    shown = str(path)
    if not path.exists():
        raise PlanError(
            "plan file not found", file=shown, code="invalid-file",
            hint="create it (`fleetbot plan init`) or pass --plan PATH",
        )
    if path.is_dir():
        raise PlanError("is a folder, not a plan file", file=shown, hint="pass --plan FILE")
    root = _repo_root(path)
    if root is not None and not path.resolve().is_relative_to(root.resolve()):
        raise PlanError(
            "the plan is a symlink to a file outside the repository; not read", file=shown,
            code="plan-outside-repo", hint="commit the plan itself inside the repository",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PlanError(
            f"cannot read the plan: {exc.strerror}", file=shown, hint="check its permissions"
        ) from exc
    return decode_plan(data, shown)


# a byte git could not decode, kept as a surrogate ("surrogateescape")
_UNDECODED = re.compile("[\udc80-\udcff]")


def load_plan(path: Path) -> Plan:
    """Read, parse and validate the plan; raise PlanErrors listing every error."""
    from fleetbot.plan.lint import structural_findings
    from fleetbot.plan.schemas import PlanRecord

    plan = parse_plan(read_text(path), str(path), detect_format(path),
                      record=PlanRecord.near(path))
    errors = [f for f in structural_findings(plan) if f.severity is Severity.ERROR]
    if errors:
        raise PlanErrors([
            PlanError(f.message, file=plan.source, line=f.line, hint=f.hint, code=f.code)
            for f in errors
        ])
    return plan


def read_source(text: str, source: str, fmt: str, record: PlanRecord | None = None) -> Source:
    found = _UNDECODED.search(text)
    if found is not None:  # bytes git could not decode, kept as surrogates
        bad = found.start()
        raise PlanError(
            "the plan is not UTF-8 text", file=source, line=text.count("\n", 0, bad) + 1,
            hint="save the plan as UTF-8 (a Latin-1 editor? `iconv -f latin1 -t utf-8`)",
        )
    if fmt == "markdown":
        return read_markdown(text, source) if record is None else read_markdown(
            text, source, record.table_spans)
    return read_structured(text, source, fmt)


def parse_plan(
    text: str, source: str = DEFAULT_PLAN, fmt: str = "markdown", *,
    record: PlanRecord | None = None,
) -> Plan:
    """Text -> Plan. Raises PlanErrors for schema and field errors (not for lint's
    cross-row checks, which `lint.structural_findings` finds). With a `record`, data
    already known valid against the same schema skips jsonschema, and a Markdown body
    read before skips markdown-it (plan/schemas.py)."""
    src = read_source(text, source, fmt, record)
    _validate(src, source, record)
    repo = str(src.data.get("repo") or "")
    rows: list[Row] = []
    errors: list[PlanError] = []
    notices = list(src.notices)
    for index, raw in enumerate(src.data["rows"]):
        try:
            row = _build_row(raw, line_of(src.lines, ("rows", index)), source, repo, notices)
        except PlanError as exc:
            errors.append(exc)
            continue
        if row is not None:
            rows.append(row)
    if errors:
        raise PlanErrors(errors)
    return Plan(
        rows=tuple(rows), source=source, format=PlanFormat(fmt),
        regenerable=tuple(src.data.get("regenerable") or ()), text=text,
        target=str(src.data.get("target") or ""), test=str(src.data.get("test") or ""),
        notices=tuple(notices),
    )


def _describe(value: Any) -> str:
    """A value's type in words: schema messages never echo values (the plan's own line
    is what they point at)."""
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false",
            int: "a number", float: "a number", type(None): "empty"}.get(type(value),
                                                                        "a value")


def _valid(data: Any) -> bool:
    """Whether `data` is valid against the plan schema, by the validator generated from it
    ahead of time (plan/validator_gen.py): a valid plan never imports jsonschema."""
    from fleetbot.plan.plan_validator import validate

    try:
        validate(data)  # type: ignore[no-untyped-call]
    except Exception:  # invalid (JsonSchemaValueException), or odd data: jsonschema judges
        return False
    return True


def _validate(src: Source, file: str, record: PlanRecord | None = None) -> None:
    from fleetbot.plan.schemas import load_schema, validation_key

    data = src.data
    if src.kind == "markdown":  # table cells are text by construction: check one row
        data = {**data, "rows": data["rows"][:1]}
    key = validation_key("plan", data) if record is not None else ""
    if record is not None and key in record:
        return
    if _valid(data):
        if record is not None:
            record.add(key)
        return
    import jsonschema  # words the errors (and is the judge should the two ever disagree)

    validator = jsonschema.Draft202012Validator(load_schema("plan"))
    found = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if not found:
        if record is not None:
            record.add(key)
        return
    where_kind = "the front matter" if src.kind == "markdown" else "the plan"
    errors = []
    for err in found:
        path = tuple(err.absolute_path)
        where = _where(path) or where_kind
        if src.kind == "markdown" and path and path[0] != "rows":
            where = f"front matter `{where}`"
        at = path
        if err.validator == "additionalProperties":
            extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
            allowed = ", ".join(k for k in err.schema.get("properties", {}) if k != "rows")
            message = f"unknown field {', '.join(map(repr, extra))} in {where}"
            hint = f"use only: {allowed}"
            at = (*path, extra[0]) if extra and (*path, extra[0]) in src.lines else path
        elif err.validator == "required":
            message = f"{where}: {err.message}"  # names the schema's field, not a value
            hint = "every row needs at least `issue` and `branch`"
        elif err.validator == "minItems" and path == ("rows",):
            message = "the plan has no rows"
            hint = "add at least one row"
        elif err.validator in ("type", "anyOf"):
            expected = err.validator_value if err.validator == "type" else ""
            if isinstance(expected, list):
                expected = " or ".join(expected)
            wanted = f"; expected {expected}" if expected else ""
            message = f"{where}: {_describe(err.instance)} is not accepted here{wanted}"
            hint = "see schemas/plan.schema.json for the expected types"
        else:
            message = f"{where}: invalid value ({err.validator})"
            hint = "see schemas/plan.schema.json for the expected types"
        errors.append(
            PlanError(message, file=file, line=line_of(src.lines, at), hint=hint, code="schema")
        )
    raise PlanErrors(errors)


def _where(path: tuple[object, ...]) -> str:
    """A schema path as a person counts it: ("rows", 2, "branch") -> "row 3 `branch`"."""
    if len(path) >= 2 and path[0] == "rows" and isinstance(path[1], int):
        rest = ".".join(str(p) for p in path[2:])
        return f"row {path[1] + 1}" + (f" `{rest}`" if rest else "")
    return ".".join(str(p) for p in path)


def _undecided(what: str, words: tuple[str, ...] | list[str], line: int, issue: str) -> Finding:
    shown = ", ".join(repr(w) for w in words)
    return notice(FindingCode.UNDECIDED, f"{issue or 'a row'}: {what} not decided yet ({shown})",
                  line, "fill it in when it is decided; until then fleetbot treats it as empty",
                  severity=Severity.WARNING, rows=(issue,) if issue else ())


def _build_row(raw: dict[str, Any], line: int, file: str, repo: str,
               notices: list[Finding]) -> Row | None:
    """One row dict -> Row (None for a row with no issue yet, said in `notices`)."""
    issue_text = unwrap(str(raw.get("issue", "")))
    if not issue_text:
        raise PlanError(
            "this row has no issue", file=file, line=line, code="empty-field",
            hint="write the issue it works on, like `#42` or `#42 short-name`",
        )
    if is_none(issue_text) or is_placeholder(issue_text):
        rest = "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in raw.items()
                         if k != "issue" and str(v or "").strip())
        found = _undecided("the issue is", [issue_text], line, "")
        notices.append(replace(found, message=f"{found.message}: the row is left out of the "
                               f"plan until it has one ({rest or 'no other cells'})"))
        return None
    try:
        issue, title = parse_issue(issue_text, repo)
    except ValueError:
        raise PlanError(
            f"{issue_text[:60]!r} is not an issue reference", file=file, line=line,
            code="schema", hint="write `#42`, `42`, `GH-42`, an issue URL, `owner/repo#42` "
            "or `!7`, optionally followed by a name",
        ) from None
    more, _ = dependency_refs(title)
    if more and title.lstrip(" ,&").lower().startswith(("#", "gh-", "and #")):
        notices.append(notice(
            FindingCode.UNDECIDED, f"{issue}: the Issue cell names several issues "
            f"({issue}, {', '.join(more)}); fleetbot tracks the row as {issue}", line,
            "give each issue its own row, or name the others in the row's notes",
            severity=Severity.WARNING, rows=(issue,),
        ))
        title = ""
    branch_text = str(raw.get("branch") or "").strip()
    branch = unwrap(branch_text)
    if not branch:
        raise PlanError(
            "this row has no branch", file=file, line=line, code="empty-field",
            hint="write the branch the row is worked on, like `feature/42-count`",
        )
    if is_none(branch) or is_placeholder(branch) or branch.startswith("("):
        notices.append(_undecided("the branch is", [branch], line, issue))
        branch = ""
    title = str(raw.get("title") or title)
    status_raw = str(raw.get("status") or "").strip()
    status = normalise_status(status_raw) or Status.PLANNED
    owned, owned_undecided = owned_paths(raw.get("files_owned"))
    if owned_undecided:
        notices.append(_undecided("Files owned are", owned_undecided, line, issue))
    deps, deps_undecided = dependency_refs(raw.get("depends_on"), repo)
    if deps_undecided:
        notices.append(_undecided("Depends on is", deps_undecided, line, issue))
    # a folder, written as on Windows or not (`..\\wt-42`): the same folder everywhere
    worktree = unwrap(str(raw.get("worktree") or "")).replace("\\", "/")
    if is_none(worktree) or is_placeholder(worktree):
        if worktree:
            notices.append(_undecided("the worktree is", [worktree], line, issue))
        worktree = ""
    return Row(
        issue=issue, branch=branch, line=line, title=title, worktree=worktree,
        files_owned=owned, depends_on=deps, status=status, status_raw=status_raw,
    )
