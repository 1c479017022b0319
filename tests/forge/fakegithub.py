"""A small stateful GitHub behind `responses`, speaking GitHub's real shapes.

Every REST response it sends is GitHub's own example (tests/fixtures/github/examples.json)
with a few fields overridden, and is validated against the OpenAPI response schema; every
REST request body is validated against the OpenAPI request schema; every GraphQL document
is validated against GitHub's SDL. So a misspelt field fails here, not in a user's repo.
Faults (a 502, a 502 after the write was applied, a secondary rate limit, a 403) are
injected with `fail(...)`.
"""

from __future__ import annotations

import copy
import gzip
import json
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import jsonschema
import responses

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "github"
MARKER = "<!-- fleetbot -->"


@lru_cache(maxsize=1)
def openapi() -> dict[str, Any]:
    return json.loads((FIXTURES / "openapi.json").read_text())  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def examples() -> dict[str, Any]:
    return json.loads((FIXTURES / "examples.json").read_text())  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def graphql_schema():  # type: ignore[no-untyped-def]
    from graphql import build_schema

    sdl = gzip.decompress((FIXTURES / "schema.graphql.gz").read_bytes()).decode()
    schema = build_schema(sdl, assume_valid_sdl=True)
    # GitHub's SDL breaks a newer graphql-core rule about deprecated interface fields;
    # the documents we send are still checked field by field against it
    schema._validation_errors = []  # type: ignore[attr-defined]
    return schema


def validate_graphql(query: str) -> None:
    from graphql import parse, validate

    errors = validate(graphql_schema(), parse(query))
    assert not errors, [e.message for e in errors]


@cache
def _validator(endpoint: str, part: str, status: str = "") -> jsonschema.Draft202012Validator:
    entry = openapi()["endpoints"][endpoint]
    schema = entry["request"] if part == "request" else entry["responses"][status]
    root = {**schema, "components": openapi()["components"]}
    return jsonschema.Draft202012Validator(root)


def validate_response(endpoint: str, status: int, body: Any) -> None:
    _validator(endpoint, "response", str(status)).validate(body)


def validate_request(endpoint: str, body: Any) -> None:
    _validator(endpoint, "request").validate(body)


def example(endpoint: str, status: int) -> Any:
    return copy.deepcopy(examples()[f"{endpoint} {status}"])


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


@dataclass
class Fault:
    method: str
    pattern: str  # regex on the path
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    message: str = "Server Error"
    applied: bool = False  # perform the write, then still answer `status`
    times: int = 1


def check(name: str, conclusion: str | None = "SUCCESS", status: str = "COMPLETED",
          at: str = "2026-01-01T00:00:00Z") -> dict[str, Any]:
    return {"__typename": "CheckRun", "name": name, "status": status, "conclusion": conclusion,
            "startedAt": at, "completedAt": at if status == "COMPLETED" else None}


def status_ctx(context: str, state: str = "SUCCESS",
               at: str = "2026-01-01T00:00:00Z") -> dict[str, Any]:
    return {"__typename": "StatusContext", "context": context, "state": state, "createdAt": at}


class FakeGithub:
    """GitHub for one repository, as far as fleetbot uses it."""

    def __init__(self, rsps: responses.RequestsMock, repo: str = "octo/fleet",
                 base: str = "https://api.github.com") -> None:
        self.repo = repo
        self.base = base.rstrip("/")
        self.prefix = urlsplit(self.base).path.rstrip("/")
        self.pulls: dict[int, Pull] = {}
        self.comments: dict[int, list[dict[str, Any]]] = {}
        self.labels: dict[int, list[str]] = {}
        self.repo_labels: dict[str, str] = {}
        self.deps: dict[int, set[int]] = {}
        self.issues: set[int] = set()
        self.open_list: list[dict[str, Any]] = []  # what GET /issues lists (add_open_issue)
        self.calls: list[tuple[str, str, Any]] = []
        self.urls: list[str] = []
        self.faults: list[Fault] = []
        self.read_only = False
        self._next_id = 9000
        host = re.escape(urlsplit(self.base).netloc)
        for method in ("GET", "POST", "PATCH", "DELETE", "PUT"):
            rsps.add_callback(method, re.compile(rf"https?://{host}(:\d+)?/.*"),
                              callback=self._handle)

    # ------------------------------------------------------------ setup

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

    def add_comment(self, number: int, body: str) -> int:
        self._next_id += 1
        self.comments.setdefault(number, []).append({"id": self._next_id, "body": body})
        return self._next_id

    def fail(self, method: str, pattern: str, status: int, **kw: Any) -> None:
        self.faults.append(Fault(method, pattern, status, **kw))

    @property
    def writes(self) -> list[tuple[str, str, Any]]:
        return [c for c in self.calls if c[0] != "GET" and not c[1].endswith("/graphql")]

    def sticky(self, number: int) -> list[dict[str, Any]]:
        return [c for c in self.comments.get(number, []) if MARKER in c["body"]]

    # ------------------------------------------------------------ dispatch

    def _handle(self, request: Any) -> tuple[int, dict[str, str], str]:
        url = urlsplit(request.url)
        # GraphQL lives at /graphql (api.github.com) or /api/graphql (GHES, beside /api/v3)
        path = "/graphql" if url.path.endswith("/graphql") else unquote(url.path)[len(self.prefix):]
        self.urls.append(request.url)
        query = parse_qs(url.query)
        body = json.loads(request.body) if request.body else None
        method = request.method
        self.calls.append((method, path, body))
        fault = next((f for f in self.faults if f.method == method and f.times > 0
                      and re.search(f.pattern, path)), None)
        if fault is not None:
            fault.times -= 1
            if fault.applied:
                self._route(method, path, query, body)
            return fault.status, fault.headers, json.dumps({"message": fault.message})
        if self.read_only and method != "GET" and not path.endswith("/graphql"):
            return 403, {}, json.dumps({"message": "Resource not accessible by integration"})
        status, payload, headers = self._route(method, path, query, body)
        return status, headers, json.dumps(payload) if payload is not None else ""

    def _route(self, method: str, path: str, query: dict[str, list[str]],
               body: Any) -> tuple[int, Any, dict[str, str]]:
        if path == "/graphql":
            return 200, self._graphql(body), {}
        r = f"/repos/{self.repo}"
        assert path.startswith(r), path
        tail = path[len(r):]
        routes = [
            ("GET", r"/pulls/(\d+)", "GET /repos/{owner}/{repo}/pulls/{pull_number}", self._pull),
            ("GET", r"/pulls/(\d+)/files", "GET /repos/{owner}/{repo}/pulls/{pull_number}/files",
             self._files),
            ("GET", r"/issues/(\d+)", "GET /repos/{owner}/{repo}/issues/{issue_number}",
             self._issue),
            ("GET", r"/issues/(\d+)/comments",
             "GET /repos/{owner}/{repo}/issues/{issue_number}/comments", self._list_comments),
            ("POST", r"/issues/(\d+)/comments",
             "POST /repos/{owner}/{repo}/issues/{issue_number}/comments", self._create_comment),
            ("PATCH", r"/issues/comments/(\d+)",
             "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", self._edit_comment),
            ("POST", r"/labels", "POST /repos/{owner}/{repo}/labels", self._create_label),
            ("POST", r"/issues/(\d+)/labels",
             "POST /repos/{owner}/{repo}/issues/{issue_number}/labels", self._add_labels),
            ("DELETE", r"/issues/(\d+)/labels/(.+)",
             "DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}",
             self._remove_label),
            ("GET", r"/issues/(\d+)/dependencies/blocked_by",
             "GET /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by",
             self._list_deps),
            ("POST", r"/issues/(\d+)/dependencies/blocked_by",
             "POST /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by",
             self._add_dep),
            ("DELETE", r"/issues/(\d+)/dependencies/blocked_by/(\d+)",
             "DELETE /repos/{owner}/{repo}/issues/{issue_number}"
             + "/dependencies/blocked_by/{issue_id}",
             self._remove_dep),
            ("POST", r"/statuses/([0-9a-f]+)", "POST /repos/{owner}/{repo}/statuses/{sha}",
             self._status),
            # what a naive REST walk reads (benchmarks/api_calls.py)
            ("GET", r"/pulls", "GET /repos/{owner}/{repo}/pulls", self._list_pulls),
            ("GET", r"/issues", "GET /repos/{owner}/{repo}/issues", self._list_issues),
            ("GET", r"/issues/(\d+)/labels",
             "GET /repos/{owner}/{repo}/issues/{issue_number}/labels", self._list_labels),
            ("GET", r"/commits/([0-9a-f]+)/check-runs",
             "GET /repos/{owner}/{repo}/commits/{ref}/check-runs", self._check_runs),
            ("GET", r"/commits/([0-9a-f]+)/status",
             "GET /repos/{owner}/{repo}/commits/{ref}/status", self._combined_status),
        ]
        for verb, pattern, endpoint, handler in routes:
            m = re.fullmatch(pattern, tail)
            if verb == method and m:
                if body is not None:
                    validate_request(endpoint, body)
                status, payload, *rest = handler(*m.groups(), body=body, query=query)
                if 200 <= status < 300 and payload is not None:
                    validate_response(endpoint, status, payload)
                return status, payload, (rest[0] if rest else {})
        raise AssertionError(f"unexpected request {method} {path}")

    # ------------------------------------------------------------ REST

    def _not_found(self) -> tuple[int, Any]:
        return 404, {"message": "Not Found",
                     "documentation_url": "https://docs.github.com/rest"}

    def _pull(self, number: str, **_: Any) -> tuple[int, Any]:
        pull = self.pulls.get(int(number))
        if pull is None:
            return self._not_found()
        data = example("GET /repos/{owner}/{repo}/pulls/{pull_number}", 200)
        data.update(number=pull.number, title=pull.title, body=pull.body, draft=pull.draft,
                    state="closed" if pull.merged else "open", merged=pull.merged,
                    merged_at="2026-01-01T00:00:00Z" if pull.merged else None,
                    labels=[self._label(n) for n in self.labels.get(pull.number, [])],
                    requested_teams=[])  # GitHub's example team lacks the required `type`
        data["head"]["ref"], data["head"]["sha"] = pull.branch, pull.sha
        data["base"]["ref"] = pull.base
        return 200, data

    def _label(self, name: str) -> dict[str, Any]:
        label = example("POST /repos/{owner}/{repo}/labels", 201)
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
        data.update(number=int(number), id=1000 + int(number))
        return 200, data

    def _comment(self, number: int, c: dict[str, Any], status: int) -> dict[str, Any]:
        data = example("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", 201)
        data.update(id=c["id"], body=c["body"])
        return data

    def _list_comments(self, number: str, query: dict[str, list[str]], **_: Any) -> Any:
        items = [self._comment(int(number), c, 200) for c in self.comments.get(int(number), [])]
        return self._paged(f"/issues/{number}/comments", items, query)

    def _create_comment(self, number: str, body: Any, **_: Any) -> tuple[int, Any]:
        cid = self.add_comment(int(number), body["body"])
        return 201, self._comment(int(number), {"id": cid, "body": body["body"]}, 201)

    def _edit_comment(self, cid: str, body: Any, **_: Any) -> tuple[int, Any]:
        for number, items in self.comments.items():
            for c in items:
                if c["id"] == int(cid):
                    c["body"] = body["body"]
                    return 200, self._comment(number, c, 200)
        return self._not_found()

    def _create_label(self, body: Any, **_: Any) -> tuple[int, Any]:
        if body["name"] in self.repo_labels:
            return 422, {"message": "Validation Failed",
                         "errors": [{"resource": "Label", "code": "already_exists"}]}
        self.repo_labels[body["name"]] = body["color"]
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
        return 200, [self._issue_data(n) for n in sorted(self.deps.get(int(number), set()))]

    def _add_dep(self, number: str, body: Any, **_: Any) -> tuple[int, Any]:
        other = body["issue_id"] - 1000
        deps = self.deps.setdefault(int(number), set())
        if other in deps:
            return 422, {"message": "Validation Failed"}
        deps.add(other)
        return 201, self._issue_data(int(number))

    def _remove_dep(self, number: str, issue_id: str, **_: Any) -> tuple[int, Any]:
        self.deps.get(int(number), set()).discard(int(issue_id) - 1000)
        return 200, self._issue_data(int(number))

    def _status(self, sha: str, body: Any, **_: Any) -> tuple[int, Any]:
        data = example("POST /repos/{owner}/{repo}/statuses/{sha}", 201)
        data.update(state=body["state"], context=body.get("context", "default"),
                    description=body.get("description"))
        return 201, data

    def _list_pulls(self, query: dict[str, list[str]], **_: Any) -> Any:
        items = [self._pull(str(n))[1] for n in sorted(self.pulls) if not self.pulls[n].merged]
        return self._paged("/pulls", items, query)

    def _list_issues(self, query: dict[str, list[str]], **_: Any) -> Any:
        """Open issues and PRs, filtered like GitHub: `labels` is a comma list, all must match."""
        assert query.get("state", ["open"]) == ["open"]
        wanted = [x for x in query.get("labels", [""])[0].split(",") if x]
        items = [i for i in self.open_list
                 if all(w in {lb["name"] for lb in i["labels"]} for w in wanted)]
        return self._paged("/issues", items, query)

    def _list_labels(self, number: str, **_: Any) -> tuple[int, Any]:
        return 200, [self._label(n) for n in self.labels.get(int(number), [])]

    def _check_runs(self, ref: str, **_: Any) -> tuple[int, Any]:
        data = example("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", 200)
        data["check_runs"] = data["check_runs"][:1]
        data["total_count"] = 1
        return 200, data

    def _combined_status(self, ref: str, **_: Any) -> tuple[int, Any]:
        return 200, example("GET /repos/{owner}/{repo}/commits/{ref}/status", 200)

    # ------------------------------------------------------------ GraphQL

    def _graphql(self, body: Any) -> Any:
        query, variables = body["query"], body.get("variables") or {}
        validate_graphql(query)
        if "query FleetState" in query:
            return {"data": {"repository": self._fleet_state(variables)}}
        if "query FleetIssues" in query:
            numbers = [int(n) for n in re.findall(r"i(\d+): issueOrPullRequest", query)]
            return {"data": {"repository": {f"i{n}": self._gql_issue(n) for n in numbers}}}
        raise AssertionError("unexpected GraphQL query")

    def _gql_labels(self, number: int) -> dict[str, Any]:
        return {"nodes": [{"name": n} for n in self.labels.get(number, [])]}

    def _gql_issue(self, number: int) -> dict[str, Any] | None:
        if number not in self.issues:
            return None
        return {"number": number, "databaseId": 1000 + number, "issueState": "OPEN",
                "labels": self._gql_labels(number)}

    def _gql_pull(self, p: Pull) -> dict[str, Any]:
        return {
            "number": p.number, "title": p.title, "url": f"https://github.com/{self.repo}/pull/"
            f"{p.number}", "state": "MERGED" if p.merged else "OPEN", "isDraft": p.draft,
            "headRefName": p.branch, "headRefOid": p.sha, "baseRefName": p.base,
            "reviewDecision": p.review, "body": p.body, "labels": self._gql_labels(p.number),
        }

    def _fleet_state(self, v: dict[str, Any]) -> dict[str, Any]:
        open_pulls = sorted((p for p in self.pulls.values() if not p.merged),
                            key=lambda p: p.number)
        start = int(v["after"]) if v.get("after") else 0
        page = open_pulls[start:start + v["pageSize"]]
        end = start + len(page)
        nodes = []
        for p in page:
            node = self._gql_pull(p)
            node["comments"] = {"nodes": [{"databaseId": c["id"], "body": c["body"]}
                                          for c in self.comments.get(p.number, [])[-100:]]}
            node["statusCheckRollup"] = (
                {"contexts": {"nodes": p.checks}} if p.checks else None
            )
            nodes.append(node)
        repo: dict[str, Any] = {"pullRequests": {
            "pageInfo": {"hasNextPage": end < len(open_pulls), "endCursor": str(end)},
            "nodes": nodes,
        }}
        if v["first"]:
            repo["labels"] = {"nodes": [{"name": n} for n in self.repo_labels
                                        if v["labelQuery"] in n]}
            repo["merged"] = {"nodes": [{**self._gql_pull(p), "mergedAt": "2026-01-01T00:00:00Z"}
                                        for p in self.pulls.values() if p.merged]}
        return repo
