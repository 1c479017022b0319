"""The GraphQL half of tests/forge/fakegitlab.py: POST /api/graphql answered from the fake
project's state, as GitLab's GraphQL API does (https://docs.gitlab.com/api/graphql/).

The document is validated against tests/fixtures/gitlab/schema.graphql (the reference's
types, fields and arguments, https://docs.gitlab.com/api/graphql/reference/): a field or an
argument the reference does not list is refused with graphql-ruby's words and
`extensions` (`Field 'x' doesn't exist on type 'Y'`, code `undefinedField`), `data`
absent, HTTP 200 — as GitLab answers. Connections have `nodes` and `pageInfo`, honour
`first:`/`last:` (at most 100, GitLab's max_page_size, a larger one clamped) and opaque
`after:`/`before:` cursors; IDs are global (`gid://gitlab/MergeRequest/10001`). A plan
issue that does not exist is simply absent from `Project.issues(iids:)`, as GitLab leaves
it out. `fail_field` makes one field resolve to an error (GitLab's partial answer: `data`
with that field null, and an `errors` entry with its `path`).
"""

from __future__ import annotations

import base64
import json
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    build_schema,
    execute,
    parse,
    validate,
)

if TYPE_CHECKING:
    from tests.forge.fakegitlab import MR, FakeGitlab

SDL = Path(__file__).resolve().parent.parent / "fixtures" / "gitlab" / "schema.graphql"
MAX_PAGE = 100


@cache
def schema() -> GraphQLSchema:
    return build_schema(SDL.read_text())


def gid(kind: str, number: int) -> str:
    return f"gid://gitlab/{kind}/{number}"


def answer(fake: FakeGitlab, body: Any, user: dict[str, Any] | None) -> dict[str, Any]:
    """GitLab's answer to one GraphQL request by `user` (None: anonymous)."""
    document, refused = _checked(str(body.get("query") or ""))
    if refused:
        return {"errors": refused}
    assert document is not None
    root = {"currentUser": None if user is None else {"id": gid("User", user["id"]),
                                                      "username": user["username"]},
            "project": lambda info, fullPath: _project(fake) if fullPath == fake.path else None}
    result = execute(schema(), document, root_value=root,
                     variable_values=body.get("variables") or {})
    out: dict[str, Any] = {"data": result.data}
    if result.errors:
        out["errors"] = [_error(e) for e in result.errors]
    return out


@cache
def _checked(query: str) -> tuple[DocumentNode | None, list[dict[str, Any]]]:
    """`query` parsed and validated once (fleetbot sends the same document every refresh):
    the document, or GitLab's refusal of it."""
    try:
        document = parse(query)
    except GraphQLError as exc:
        return None, [_error(exc)]
    refused = validate(schema(), document)
    return (None, [_error(e) for e in refused]) if refused else (document, [])


def _error(exc: GraphQLError) -> dict[str, Any]:
    """graphql-core's refusal in graphql-ruby's words, as GitLab sends it."""
    out: dict[str, Any] = {"message": exc.message}
    if exc.locations:
        out["locations"] = [{"line": x.line, "column": x.column} for x in exc.locations]
    if exc.path:
        out["path"] = list(exc.path)
    if m := re.match(r"Cannot query field '(\w+)' on type '(\w+)'", exc.message):
        out["message"] = f"Field '{m[1]}' doesn't exist on type '{m[2]}'"
        out["extensions"] = {"code": "undefinedField", "typeName": m[2], "fieldName": m[1]}
    elif m := re.match(r"Unknown argument '(\w+)' on field '\w+\.(\w+)'", exc.message):
        out["message"] = f"Field '{m[2]}' doesn't accept argument '{m[1]}'"
        out["extensions"] = {"code": "argumentNotAccepted", "name": m[2], "typeName": "Field",
                             "argumentName": m[1]}
    return out


def connection(items: list[Any], first: int | None = None, after: str | None = None,
               last: int | None = None, before: str | None = None, **_: Any) -> dict[str, Any]:
    """One page of a connection, Relay-style, as GitLab's keyset pagination gives it."""
    lo = _index(after) + 1 if after else 0
    hi = _index(before) if before else len(items)
    if first is not None:
        hi = min(hi, lo + min(first, MAX_PAGE))
    if last is not None:
        lo = max(lo, hi - min(last, MAX_PAGE))
    if first is None and last is None:
        hi = min(hi, lo + MAX_PAGE)
    return {"count": len(items), "nodes": items[lo:hi], "pageInfo": {
        "hasNextPage": hi < len(items), "hasPreviousPage": lo > 0,
        "startCursor": _cursor(lo) if hi > lo else None,
        "endCursor": _cursor(hi - 1) if hi > lo else None}}


def _cursor(i: int) -> str:
    return base64.b64encode(json.dumps({"id": str(i)}).encode()).decode()


def _index(cursor: str) -> int:
    return int(json.loads(base64.b64decode(cursor))["id"])


def _failing(fake: FakeGitlab, where: str, value: Any) -> Any:
    """`value`, or a resolver that fails when the test made `where` fail."""
    if where not in fake.fail_field:
        return value

    def fail(info: Any, **_: Any) -> Any:
        raise GraphQLError(f"Internal server error: {where}")

    return fail


def _project(fake: FakeGitlab) -> dict[str, Any]:
    def mrs(info: Any, iids: list[str] | None = None, sourceBranches: list[str] | None = None,
            state: str | None = None, **page: Any) -> dict[str, Any]:
        found = [m for m in sorted(fake.mrs.values(), key=lambda m: -m.iid)
                 if (iids is None or str(m.iid) in iids)
                 and (sourceBranches is None or m.branch in sourceBranches)
                 and state in (None, "all", "merged" if m.merged else "opened")]
        return connection([_mr(fake, m) for m in found], **page)

    def issues(info: Any, iids: list[str] | None = None, **page: Any) -> dict[str, Any]:
        numbers = [int(i) for i in iids or ()]
        return connection([_issue(fake, n) for n in sorted(numbers, reverse=True)
                           if n not in fake.missing_issues], **page)

    def labels(info: Any, searchTerm: str = "", **page: Any) -> dict[str, Any]:
        return connection([{"id": gid("ProjectLabel", 100 + i), "title": n, "color": c}
                           for i, (n, c) in enumerate(sorted(fake.labels.items()))
                           if searchTerm in n], **page)

    return {"id": gid("Project", fake.project_id), "fullPath": fake.path,
            "mergeRequests": mrs, "issues": issues, "labels": labels}


def _user(uid: int) -> dict[str, Any]:
    return {"id": gid("User", uid), "username": f"user{uid}"}


def _mr(fake: FakeGitlab, mr: MR) -> dict[str, Any]:
    left = max(mr.approvals_required - len(mr.approved_by), 0)
    notes = sorted(fake.notes.get(mr.iid, []), key=lambda n: (n["created_at"], n["id"]))
    return {
        "id": gid("MergeRequest", 10000 + mr.iid), "iid": str(mr.iid),
        "sourceBranch": mr.branch, "diffHeadSha": mr.sha, "approved": left == 0,
        "approvalsLeft": left, "approvalsRequired": mr.approvals_required,
        "approvedBy": lambda info, **page: connection([_user(u) for u in mr.approved_by],
                                                     **page),
        "userNotesCount": sum(not n["system"] for n in notes),
        "notes": _failing(fake, f"notes!{mr.iid}", lambda info, filter=None, **page: connection(
            [{"id": gid("Note", n["id"]), "body": n["body"], "system": n["system"],
              "author": {"id": gid("User", n["author"]["id"]),
                         "username": n["author"]["username"]}} for n in notes], **page)),
    }


def _issue(fake: FakeGitlab, iid: int) -> dict[str, Any]:
    def linked(info: Any, filter: str | None = None, **page: Any) -> dict[str, Any]:
        kinds = {None: ("relates_to", "blocks", "is_blocked_by"), "RELATED": ("relates_to",),
                 "BLOCKED_BY": ("is_blocked_by",), "BLOCKS": ("blocks",)}[filter]
        return connection([{"linkId": gid("WorkItems::RelatedWorkItemLink", lid),
                            "linkType": kind,
                            "workItem": {"id": gid("WorkItem", 1000 + other),
                                         "iid": str(other)}}
                           for other, lid, kind in fake.links.get(iid, []) if kind in kinds],
                          **page)

    labels = fake.issue_labels.get(iid, [])
    return {"id": gid("Issue", 1000 + iid), "iid": str(iid), "state": "opened",
            "labels": lambda info, **page: connection(
                [{"id": gid("ProjectLabel", 900 + i), "title": n, "color": "#ededed"}
                 for i, n in enumerate(labels)], **page),
            "linkedWorkItems": _failing(fake, f"links#{iid}", linked)}
