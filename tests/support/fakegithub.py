"""One small stateful GitHub for tests, speaking (and checking) GitHub's real shapes.

`FakeGithub` holds one repository's PRs, issues, comments, labels, blocked-by links and
commit statuses, and answers the REST and GraphQL calls fleetbot makes. Every REST response
is GitHub's own example (tests/fixtures/github/examples.json) with a few fields overridden,
validated against the OpenAPI response schema; every REST request body is validated against
the OpenAPI request schema (tests/support/githubschema.py); every GraphQL document, its variables and
the fake's answer against GitHub's SDL (tests/support/fakegraphql.py answers the two queries).
A request it does not know, or a shape that does not validate, is recorded in `violations`
(and fails the test: see `check()`), so a misspelt field fails here, not in a user's repo.

Every request is recorded (`requests`: method, path, JSON body, whether it carried a token).
Faults (a 502, a 502 after the write was applied, a secondary rate limit, a 401) are
injected with `fail(...)`; `read_only = True` answers every write with the 403 a fork's
token gets. It is served two ways (tests/support/fakeserver.py): `mount(fake, rsps)` behind
`responses`, or `serve(fake)` on 127.0.0.1 for a subprocess (bounded, stops itself).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.support.fakegraphql import AT, check, graphql, status_ctx
from tests.support.githubschema import documented, example, validate_request, validate_response

__all__ = ["MARKER", "FakeGithub", "Fault", "Pull", "Request", "check", "status_ctx"]

MARKER = "<!-- fleetbot -->"
COMMENT_LIMIT = 65_536  # GitHub answers a longer comment body with 422
VALIDATION_FAILED = {"message": "Validation Failed",
                     "documentation_url": "https://docs.github.com/rest"}
NOT_ACCESSIBLE = {"message": "Resource not accessible by integration",
                  "documentation_url": "https://docs.github.com/rest"}


@dataclass
class Request:
    method: str
    path: str
    body: Any = None
    authorized: bool = False
    url: str = ""

    @property
    def write(self) -> bool:
        return self.method != "GET" and self.path != "/graphql"


@dataclass
class Pull:
    number: int
    branch: str
    title: str = ""
    draft: bool = False
    review: str | None = None  # APPROVED | CHANGES_REQUESTED | REVIEW_REQUIRED
    body: str = ""
    sha: str = "a" * 40
    base: str = "main"
    checks: list[dict[str, Any]] = field(default_factory=list)  # rollup context nodes
    merged: bool = False
    files: list[str] = field(default_factory=list)
    fork: str = ""  # the head's repository when it is a fork ("owner/name"); "" = this one
    merged_as: str = ""  # merged: its merge (or squash) commit's oid, null when ""


@dataclass
class Fault:
    method: str
    pattern: str  # regex on the path
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    message: str = "Server Error"
    applied: bool = False  # perform the write, then still answer `status`
    times: int = 1


class FakeGithub:
    """GitHub for one repository, as far as fleetbot uses it."""

    def __init__(self, repo: str = "octo/fleet", base: str = "https://api.github.com") -> None:
        self.repo = repo
        self.base = base.rstrip("/")
        self.pulls: dict[int, Pull] = {}
        self.comments: dict[int, list[dict[str, Any]]] = {}
        self.labels: dict[int, list[str]] = {}  # PR or issue number -> label names
        self.repo_labels: dict[str, str] = {}  # name -> color
        self.deps: dict[int, set[int]] = {}  # issue -> the issues it is blocked by
        self.issues: set[int] = set()
        self.open_list: list[dict[str, Any]] = []  # what GET /issues lists (add_open_issue)
        self.statuses: dict[str, list[dict[str, Any]]] = {}  # sha -> statuses, oldest first
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        self.violations: list[str] = []
        self.read_only = False
        self.dependencies = True  # False: an older GHES, 404 on the dependencies endpoints
        self.issue_store: dict[int, dict[str, Any]] = {}  # created issues: title, body, ...
        self.viewer = "github-actions[bot]"  # who the token is
        self.writers: set[str] = set()  # logins with write access (collaborator permission)
        self.dispatched: list[tuple[str, str]] = []  # (workflow, ref) of workflow_dispatch
        self._next_id = 9000
        self._lock = threading.Lock()

    # ------------------------------------------------------------ setup and views

    def add_pull(self, number: int, branch: str, **kw: Any) -> Pull:
        pull = Pull(number, branch, **kw)
        self.pulls[number] = pull
        self.issues.add(number)
        return pull

    def add_open_issue(self, number: int, title: str, labels: tuple[str, ...] = (),
                       pull: bool = False) -> None:
        """An open issue (or, with `pull`, a PR as the issues endpoint lists it)."""
        data = example("GET /repos/{owner}/{repo}/issues", 200)[0]
        data.update(number=number, id=1000 + number, title=title, state="open",
                    labels=[self._label(n) for n in labels])
        if not pull:
            data.pop("pull_request", None)
        self.issues.add(number)
        self.open_list.append(data)

    def add_issue(self, title: str, body: str, labels: tuple[str, ...] = (),
                  creator: str = "octocat") -> int:
        """An open issue someone (`creator`) wrote; numbered after every PR and issue."""
        number = max([*self.issues, *self.pulls, *self.issue_store, 0]) + 1
        self.issues.add(number)
        self.issue_store[number] = {"title": title, "body": body, "creator": creator,
                                    "open": True}
        self.labels[number] = list(labels)
        for name in labels:
            self.repo_labels.setdefault(name, "ededed")
        return number

    def dashboards(self) -> list[int]:
        """The issues the bot created (what should be one dashboard)."""
        return [n for n, i in self.issue_store.items() if i["creator"] == self.viewer]

    def add_comment(self, number: int, body: str, author: str | None = None) -> int:
        """A comment by `author` (default: the token's own identity, `viewer`)."""
        self._next_id += 1
        self.comments.setdefault(number, []).append(
            {"id": self._next_id, "body": body, "author": author or self.viewer})
        return self._next_id

    def fail(self, method: str, pattern: str, status: int, **kw: Any) -> None:
        self.faults.append(Fault(method, pattern, status, **kw))

    @property
    def writes(self) -> list[Request]:
        return [r for r in self.requests if r.write]

    def sticky(self, number: int) -> list[dict[str, Any]]:
        return [c for c in self.comments.get(number, []) if MARKER in c["body"]]

    def comment_bodies(self, number: int) -> list[str]:
        return [c["body"] for c in self.comments.get(number, [])]

    def latest_status(self, sha: str, context: str) -> dict[str, Any] | None:
        found = [s for s in self.statuses.get(sha, []) if s["context"] == context]
        return found[-1] if found else None

    def check(self) -> None:
        """Fail the test if any request was unknown or any shape broke GitHub's schema."""
        assert not self.violations, self.violations

    # ------------------------------------------------------------ dispatch

    def handle(self, method: str, url: str, body: Any,
               authorized: bool) -> tuple[int, dict[str, str], str]:
        """(status, headers, JSON text) for one request; any transport calls this."""
        parts = urlsplit(url)
        prefix = urlsplit(self.base).path.rstrip("/")
        # GraphQL lives at /graphql (api.github.com) or /api/graphql (GHES, beside /api/v3)
        path = ("/graphql" if parts.path.endswith("/graphql")
                else unquote(parts.path)[len(prefix):])
        with self._lock:
            self.requests.append(Request(method, path, body, authorized, url))
            fault = next((f for f in self.faults if f.method == method and f.times > 0
                          and re.search(f.pattern, path)), None)
            if fault is not None:
                fault.times -= 1
                if fault.applied:
                    self._checked(method, path, parse_qs(parts.query), body)
                return fault.status, fault.headers, json.dumps({"message": fault.message})
            if self.read_only and method != "GET" and path != "/graphql":
                self._checked(method, path, {}, body, refuse=True)
                return 403, {}, json.dumps(NOT_ACCESSIBLE)
            status, payload, headers = self._checked(method, path, parse_qs(parts.query), body)
        return status, headers, json.dumps(payload) if payload is not None else ""

    def _checked(self, method: str, path: str, query: dict[str, list[str]],
                 body: Any, refuse: bool = False) -> tuple[int, Any, dict[str, str]]:
        try:
            return self._route(method, path, query, body, refuse)
        except Exception as exc:  # a schema violation or an unknown call: the test fails
            self.violations.append(f"{method} {path}: {type(exc).__name__}: {exc}"[:2000])
            raise

    def _route(self, method: str, path: str, query: dict[str, list[str]],
               body: Any, refuse: bool = False) -> tuple[int, Any, dict[str, str]]:
        """Validate the request, answer it (or, `refuse`, GitHub's 403), validate the answer."""
        if path == "/graphql" and method == "POST":
            return 200, graphql(self, body), {}
        r = f"/repos/{self.repo}"
        assert path.startswith(r + "/"), f"unexpected request {method} {path}"
        tail = path[len(r):]
        for pattern, endpoint, name in _ROUTES.get(method, ()):
            m = pattern.fullmatch(tail)
            if m:
                handler = getattr(self, name)
                if body is not None:
                    validate_request(endpoint, body)
                if refuse:  # a known write, refused as a read-only token is
                    if documented(endpoint, 403):
                        validate_response(endpoint, 403, NOT_ACCESSIBLE)
                    return 403, NOT_ACCESSIBLE, {}
                status, payload, *rest = handler(*m.groups(), body=body, query=query)
                if payload is not None and (200 <= status < 300 or documented(endpoint, status)):
                    validate_response(endpoint, status, payload)
                return status, payload, (rest[0] if rest else {})
        raise AssertionError(f"unexpected request {method} {path}")

    # ------------------------------------------------------------ REST

    def _not_found(self) -> tuple[int, Any]:
        return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}

    def _pull(self, number: str, **_: Any) -> tuple[int, Any]:
        pull = self.pulls.get(int(number))
        if pull is None:
            return self._not_found()
        data = example("GET /repos/{owner}/{repo}/pulls/{pull_number}", 200)
        data.update(id=2000 + pull.number, number=pull.number, title=pull.title, body=pull.body, draft=pull.draft,
                    state="closed" if pull.merged else "open", merged=pull.merged,
                    merged_at=AT if pull.merged else None,
                    html_url=f"https://github.com/{self.repo}/pull/{pull.number}",
                    labels=[self._label(n) for n in self.labels.get(pull.number, [])],
                    requested_teams=[])  # GitHub's example team lacks the required `type`
        data["head"]["ref"], data["head"]["sha"] = pull.branch, pull.sha
        data["base"]["ref"] = pull.base
        data["base"]["repo"]["full_name"] = self.repo
        data["head"]["repo"]["full_name"] = pull.fork or self.repo
        data["head"]["repo"]["fork"] = bool(pull.fork)
        return 200, data

    def _label(self, name: str) -> dict[str, Any]:
        label: dict[str, Any] = example("POST /repos/{owner}/{repo}/labels", 201)
        label.update(name=name, color=self.repo_labels.get(name, "ededed"))
        return label

    def _paged(self, path: str, items: list[Any], query: dict[str, list[str]]) -> Any:
        """GitHub's pagination: `per_page` (default 30) and `page`, with a Link header."""
        per_page = int(query.get("per_page", ["30"])[0])
        page = int(query.get("page", ["1"])[0])
        chunk = items[(page - 1) * per_page:page * per_page]
        headers = {}
        if page * per_page < len(items):
            keep = "".join(f"&{k}={v[0]}" for k, v in query.items()
                           if k not in ("page", "per_page"))
            url = (f"{self.base}/repos/{self.repo}{path}?per_page={per_page}&page={page + 1}"
                   f"{keep}")
            headers["Link"] = f'<{url}>; rel="next"'
        return 200, chunk, headers

    def _files(self, number: str, query: dict[str, list[str]], **_: Any) -> Any:
        template = example("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", 200)[0]
        files = [{**template, "filename": f} for f in self.pulls[int(number)].files]
        return self._paged(f"/pulls/{number}/files", files, query)

    def _issue(self, number: str, **_: Any) -> tuple[int, Any]:
        if int(number) not in self.issues:
            return self._not_found()
        data = example("GET /repos/{owner}/{repo}/issues/{issue_number}", 200)
        data.update(number=int(number), id=1000 + int(number),
                    repository_url=f"{self.base}/repos/{self.repo}")
        return 200, self._summarised(data, int(number))

    def _comment(self, c: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = example("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", 201)
        data.update(id=c["id"], body=c["body"])
        data["user"]["login"] = c.get("author", self.viewer)
        return data

    def _list_comments(self, number: str, query: dict[str, list[str]], **_: Any) -> Any:
        items = [self._comment(c) for c in self.comments.get(int(number), [])]
        return self._paged(f"/issues/{number}/comments", items, query)

    def _too_long(self, field: str, limit: int) -> tuple[int, Any]:
        return 422, {**VALIDATION_FAILED, "errors": [{
            "resource": "IssueComment" if field == "body" else "Status", "code": "custom",
            "field": field,
            "message": f"{field} is too long (maximum is {limit} characters)"}]}

    def _create_comment(self, number: str, body: Any, **_: Any) -> tuple[int, Any]:
        if len(body["body"]) > COMMENT_LIMIT:
            return self._too_long("body", COMMENT_LIMIT)
        cid = self.add_comment(int(number), body["body"])
        return 201, self._comment({"id": cid, "body": body["body"]})

    def _edit_comment(self, cid: str, body: Any, **_: Any) -> tuple[int, Any]:
        if len(body["body"]) > COMMENT_LIMIT:
            return self._too_long("body", COMMENT_LIMIT)
        for items in self.comments.values():
            for c in items:
                if c["id"] == int(cid):
                    c["body"] = body["body"]
                    return 200, self._comment(c)
        return self._not_found()

    def _create_label(self, body: Any, **_: Any) -> tuple[int, Any]:
        if body["name"] in self.repo_labels:
            return 422, {**VALIDATION_FAILED,
                         "errors": [{"resource": "Label", "code": "already_exists"}]}
        self.repo_labels[body["name"]] = body.get("color", "ededed")
        return 201, self._label(body["name"])

    def _add_labels(self, number: str, body: Any, **_: Any) -> tuple[int, Any]:
        have = self.labels.setdefault(int(number), [])
        for name in body["labels"]:
            self.repo_labels.setdefault(name, "ededed")
            if name not in have:
                have.append(name)
        return 200, [self._label(n) for n in have]

    def _remove_label(self, number: str, name: str, **_: Any) -> tuple[int, Any]:
        have = self.labels.get(int(number), [])
        if name not in have:
            return self._not_found()
        have.remove(name)
        return 200, [self._label(n) for n in have]

    def _issue_data(self, number: int) -> dict[str, Any]:
        return self._issue(str(number))[1]  # type: ignore[no-any-return]

    def _list_deps(self, number: str, **_: Any) -> tuple[int, Any]:
        if not self.dependencies:
            return self._not_found()
        return 200, [self._issue_data(n) for n in sorted(self.deps.get(int(number), set()))]

    def _list_blocking(self, number: str, **_: Any) -> tuple[int, Any]:
        if not self.dependencies:
            return self._not_found()
        return 200, [self._issue_data(n) for n in sorted(self.deps)
                     if int(number) in self.deps[n]]

    def _add_dep(self, number: str, body: Any, **_: Any) -> tuple[int, Any]:
        if not self.dependencies:
            return self._not_found()
        other = body["issue_id"] - 1000
        deps = self.deps.setdefault(int(number), set())
        if other in deps:
            return 422, VALIDATION_FAILED
        deps.add(other)
        return 201, self._issue_data(int(number))

    def _remove_dep(self, number: str, issue_id: str, **_: Any) -> tuple[int, Any]:
        self.deps.get(int(number), set()).discard(int(issue_id) - 1000)
        return 200, self._issue_data(int(number))

    def _issue_answer(self, number: int) -> dict[str, Any]:
        i = self.issue_store[number]
        data: dict[str, Any] = example("POST /repos/{owner}/{repo}/issues", 201)
        data.update(number=number, id=1000 + number, title=i["title"], body=i["body"],
                    state="open" if i["open"] else "closed",
                    html_url=f"https://github.com/{self.repo}/issues/{number}",
                    labels=[self._label(n) for n in self.labels.get(number, [])])
        data["user"]["login"] = i["creator"]
        return data

    def _create_issue(self, body: Any, **_: Any) -> tuple[int, Any]:
        if len(body.get("body") or "") > COMMENT_LIMIT:
            return self._too_long("body", COMMENT_LIMIT)
        number = self.add_issue(body["title"], body.get("body") or "",
                                tuple(body.get("labels") or ()), creator=self.viewer)
        return 201, self._issue_answer(number)

    def _edit_issue(self, number: str, body: Any, **_: Any) -> tuple[int, Any]:
        issue = self.issue_store.get(int(number))
        if issue is None:
            return self._not_found()
        if len(body.get("body") or "") > COMMENT_LIMIT:
            return self._too_long("body", COMMENT_LIMIT)
        issue.update({k: body[k] for k in ("title", "body") if k in body})
        return 200, self._issue_answer(int(number))

    def _permission(self, login: str, **_: Any) -> tuple[int, Any]:
        data = example("GET /repos/{owner}/{repo}/collaborators/{username}/permission", 200)
        data["permission"] = "write" if login in self.writers else "read"
        data["role_name"] = data["permission"]
        data["user"].update(login=login, role_name=data["permission"])  # GitHub's example
        return 200, data  # lacks the `role_name` its own schema requires

    def _dispatch(self, workflow: str, body: Any, **_: Any) -> tuple[int, Any]:
        self.dispatched.append((workflow, body["ref"]))
        return 204, None

    def _status(self, s: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = example("POST /repos/{owner}/{repo}/statuses/{sha}", 201)
        data.update(id=s["id"], state=s["state"], context=s["context"],
                    description=s["description"], target_url=s.get("target_url"))
        return data

    def _set_status(self, sha: str, body: Any, **_: Any) -> tuple[int, Any]:
        if len(body.get("description") or "") > 140:
            return self._too_long("description", 140)
        self._next_id += 1
        s = {"id": self._next_id, "context": body.get("context", "default"),
             "state": body["state"], "description": body.get("description"),
             "target_url": body.get("target_url")}
        self.statuses.setdefault(sha, []).append(s)
        return 201, self._status(s)

    def _latest_statuses(self, sha: str) -> list[dict[str, Any]]:
        latest: dict[str, dict[str, Any]] = {}
        for s in self.statuses.get(sha, []):
            latest[s["context"]] = s
        return list(latest.values())

    def _combined_status(self, ref: str, **_: Any) -> tuple[int, Any]:
        data = example("GET /repos/{owner}/{repo}/commits/{ref}/status", 200)
        template = data["statuses"][0]
        statuses = [{**template, "id": s["id"], "state": s["state"], "context": s["context"],
                     "description": s["description"], "target_url": s.get("target_url")}
                    for s in self._latest_statuses(ref)]
        states = {s["state"] for s in statuses}
        state = ("failure" if states & {"failure", "error"}
                 else "success" if states == {"success"} else "pending")
        data.update(sha=ref, state=state, statuses=statuses, total_count=len(statuses))
        return 200, data

    def _list_pulls(self, query: dict[str, list[str]], **_: Any) -> Any:
        items = [self._pull(str(n))[1] for n in sorted(self.pulls) if not self.pulls[n].merged]
        return self._paged("/pulls", items, query)

    def _list_issues(self, query: dict[str, list[str]], **_: Any) -> Any:
        """Open issues and PRs, filtered like GitHub: `labels` is a comma list, all must match.
        `state=all` lists every issue and PR the fake knows, `sort=created` (numbers are in
        creation order) in `direction`, each with its `issue_dependencies_summary` (absent
        on an older GHES, `dependencies = False`)."""
        state = query.get("state", ["open"])[0]
        assert state in ("open", "all"), state
        assert query.get("sort", ["created"]) == ["created"]
        wanted = [x for x in query.get("labels", [""])[0].split(",") if x]
        if state == "open":
            items = self.open_list
        else:
            numbers = sorted(self.issues | set(self.pulls) | set(self.issue_store),
                             reverse=query.get("direction", ["desc"]) == ["desc"])
            items = [self._listed(n) for n in numbers]
        items = [i for i in items if all(w in {lb["name"] for lb in i["labels"]} for w in wanted)]
        return self._paged("/issues", items, query)

    def _listed(self, number: int) -> dict[str, Any]:
        """Issue (or PR) `number` as GET /issues lists it."""
        data = next((dict(i) for i in self.open_list if i["number"] == number), None)
        if data is None:
            data = example("GET /repos/{owner}/{repo}/issues", 200)[0]
            data.update(number=number, id=1000 + number, title=f"#{number}",
                        labels=[self._label(n) for n in self.labels.get(number, [])])
            if number not in self.pulls:
                data.pop("pull_request", None)
        pull = self.pulls.get(number)
        data["state"] = "closed" if pull is not None and pull.merged else "open"
        return self._summarised(data, number)

    def _summarised(self, data: dict[str, Any], number: int) -> dict[str, Any]:
        """`data` with issue `number`'s `issue_dependencies_summary` as GitHub counts it
        (every issue here is open, so open and total agree); none on an older GHES."""
        data.pop("issue_dependencies_summary", None)
        if self.dependencies:
            blocking = sum(number in deps for deps in self.deps.values())
            blocked = len(self.deps.get(number, set()))
            data["issue_dependencies_summary"] = {
                "blocked_by": blocked, "total_blocked_by": blocked,
                "blocking": blocking, "total_blocking": blocking}
        return data

    def _list_labels(self, number: str, **_: Any) -> tuple[int, Any]:
        return 200, [self._label(n) for n in self.labels.get(int(number), [])]

    def _check_runs(self, ref: str, **_: Any) -> tuple[int, Any]:
        data = example("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", 200)
        data["check_runs"] = data["check_runs"][:1]
        data["total_count"] = 1
        return 200, data


def _index(routes: list[tuple[str, str, str, str]]
           ) -> dict[str, list[tuple[re.Pattern[str], str, str]]]:
    """The routes by method, each pattern compiled once: (pattern, endpoint, handler)."""
    out: dict[str, list[tuple[re.Pattern[str], str, str]]] = {}
    for verb, pattern, endpoint, name in routes:
        out.setdefault(verb, []).append((re.compile(pattern), endpoint, name))
    return out


_E = "/repos/{owner}/{repo}"
# (method, pattern on the path after /repos/{owner}/{repo}, OpenAPI endpoint, handler)
_ROUTES = _index([
    ("GET", r"/pulls/(\d+)", f"GET {_E}/pulls/{{pull_number}}", "_pull"),
    ("GET", r"/pulls/(\d+)/files", f"GET {_E}/pulls/{{pull_number}}/files", "_files"),
    ("GET", r"/issues/(\d+)", f"GET {_E}/issues/{{issue_number}}", "_issue"),
    ("GET", r"/issues/(\d+)/comments", f"GET {_E}/issues/{{issue_number}}/comments",
     "_list_comments"),
    ("POST", r"/issues/(\d+)/comments", f"POST {_E}/issues/{{issue_number}}/comments",
     "_create_comment"),
    ("PATCH", r"/issues/comments/(\d+)", f"PATCH {_E}/issues/comments/{{comment_id}}",
     "_edit_comment"),
    ("POST", r"/labels", f"POST {_E}/labels", "_create_label"),
    ("POST", r"/issues/(\d+)/labels", f"POST {_E}/issues/{{issue_number}}/labels",
     "_add_labels"),
    ("DELETE", r"/issues/(\d+)/labels/(.+)",
     f"DELETE {_E}/issues/{{issue_number}}/labels/{{name}}", "_remove_label"),
    ("GET", r"/issues/(\d+)/dependencies/blocked_by",
     f"GET {_E}/issues/{{issue_number}}/dependencies/blocked_by", "_list_deps"),
    ("GET", r"/issues/(\d+)/dependencies/blocking",
     f"GET {_E}/issues/{{issue_number}}/dependencies/blocking", "_list_blocking"),
    ("POST", r"/issues/(\d+)/dependencies/blocked_by",
     f"POST {_E}/issues/{{issue_number}}/dependencies/blocked_by", "_add_dep"),
    ("DELETE", r"/issues/(\d+)/dependencies/blocked_by/(\d+)",
     f"DELETE {_E}/issues/{{issue_number}}/dependencies/blocked_by/{{issue_id}}",
     "_remove_dep"),
    ("POST", r"/statuses/([0-9a-f]+)", f"POST {_E}/statuses/{{sha}}", "_set_status"),
    ("GET", r"/commits/([0-9a-f]+)/status", f"GET {_E}/commits/{{ref}}/status",
     "_combined_status"),
    ("POST", r"/issues", f"POST {_E}/issues", "_create_issue"),
    ("PATCH", r"/issues/(\d+)", f"PATCH {_E}/issues/{{issue_number}}", "_edit_issue"),
    ("GET", r"/collaborators/([^/]+)/permission",
     f"GET {_E}/collaborators/{{username}}/permission", "_permission"),
    ("POST", r"/actions/workflows/([^/]+)/dispatches",
     f"POST {_E}/actions/workflows/{{workflow_id}}/dispatches", "_dispatch"),
    # what a naive REST walk reads (benchmarks/api_calls.py)
    ("GET", r"/pulls", f"GET {_E}/pulls", "_list_pulls"),
    ("GET", r"/issues", f"GET {_E}/issues", "_list_issues"),
    ("GET", r"/issues/(\d+)/labels", f"GET {_E}/issues/{{issue_number}}/labels",
     "_list_labels"),
    ("GET", r"/commits/([0-9a-f]+)/check-runs", f"GET {_E}/commits/{{ref}}/check-runs",
     "_check_runs"),
])
