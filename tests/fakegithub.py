"""A small stateful GitHub for tests: the REST and GraphQL calls fleetbot's adapter makes.

One `FakeGitHub` holds the repository's PRs, comments, labels, issues and commit statuses
and answers requests from its `handle()`; it is served two ways:

- `serve(fake)`: a threading `http.server` on 127.0.0.1 (port 0) for the end-to-end test
  that runs the installed `fleetbot action` as a subprocess. It is bounded: it answers at
  most `max_requests` requests and stops itself after `lifetime` seconds;
- `fake.mount(rsps, base_url)`: the same handler behind `responses`, for in-process tests.

Every request is recorded (method, path, JSON body, whether it carried a token), so a test
checks exactly what fleetbot asked for and wrote. `read_only=True` answers every write
with GitHub's 403 for a fork's token.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import responses

NOT_ACCESSIBLE = {
    "message": "Resource not accessible by integration",
    "documentation_url": "https://docs.github.com/rest",
}


@dataclass
class Request:
    method: str
    path: str
    body: Any = None
    authorized: bool = False

    @property
    def write(self) -> bool:
        return self.method in ("POST", "PATCH", "PUT", "DELETE") and self.path != "/graphql"


@dataclass
class Pull:
    number: int
    branch: str
    sha: str
    title: str = ""
    base: str = "main"
    state: str = "OPEN"  # OPEN | MERGED | CLOSED
    draft: bool = False
    body: str = ""
    labels: list[str] = field(default_factory=list)


@dataclass
class FakeGitHub:
    owner: str = "octo"
    name: str = "tasks"
    pulls: list[Pull] = field(default_factory=list)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # number -> list
    repo_labels: set[str] = field(default_factory=set)
    issue_labels: dict[int, list[str]] = field(default_factory=dict)
    statuses: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # sha -> list
    read_only: bool = False
    requests: list[Request] = field(default_factory=list)
    _next_id: int = 1000
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # ------------------------------------------------------------ views for tests

    @property
    def writes(self) -> list[Request]:
        return [r for r in self.requests if r.write]

    def comment_bodies(self, number: int) -> list[str]:
        return [c["body"] for c in self.comments.get(number, [])]

    def latest_status(self, sha: str, context: str) -> dict[str, str] | None:
        found = [s for s in self.statuses.get(sha, []) if s["context"] == context]
        return found[-1] if found else None

    def labels_on(self, number: int) -> list[str]:
        pull = self._pull(number)
        return pull.labels if pull is not None else self.issue_labels.get(number, [])

    # ------------------------------------------------------------ the handler

    def handle(self, method: str, url: str, body: Any, authorized: bool) -> tuple[int, Any]:
        """(HTTP status, JSON body) for one request."""
        path = urllib.parse.urlparse(url).path
        path = re.sub(r"^/api/v3", "", path)
        with self._lock:
            self.requests.append(Request(method, path, body, authorized))
            if method != "GET" and path != "/graphql" and self.read_only:
                return 403, NOT_ACCESSIBLE
            return self._route(method, path, body)

    def _route(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        if path == "/graphql" and method == "POST":
            return 200, self._graphql(body or {})
        prefix = f"/repos/{self.owner}/{self.name}"
        if not path.startswith(prefix):
            return 404, {"message": "Not Found"}
        tail = path[len(prefix):]
        routes: list[tuple[str, str, Any]] = [
            ("GET", r"/issues/(\d+)/comments", self._list_comments),
            ("POST", r"/issues/(\d+)/comments", self._create_comment),
            ("PATCH", r"/issues/comments/(\d+)", self._edit_comment),
            ("POST", r"/labels", self._create_label),
            ("POST", r"/issues/(\d+)/labels", self._add_labels),
            ("DELETE", r"/issues/(\d+)/labels/([^/]+)", self._remove_label),
            ("GET", r"/issues/(\d+)/dependencies/blocked_by", lambda *_: (200, [])),
            ("POST", r"/issues/(\d+)/dependencies/blocked_by", lambda *_: (201, {})),
            ("GET", r"/issues/(\d+)", self._issue),
            ("POST", r"/statuses/([0-9a-f]+)", self._create_status),
            ("GET", r"/commits/([0-9a-f]+)/status", self._combined_status),
            ("GET", r"/commits/([0-9a-f]+)/statuses", self._list_statuses),
            ("GET", r"/pulls/(\d+)", self._rest_pull),
        ]
        for verb, pattern, fn in routes:
            m = re.fullmatch(pattern, tail)
            if m and verb == method:
                result: tuple[int, Any] = fn(body, *m.groups())
                return result
        return 404, {"message": f"Not Found: {method} {tail}"}

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _pull(self, number: int) -> Pull | None:
        return next((p for p in self.pulls if p.number == number), None)

    def _list_comments(self, body: Any, number: str) -> tuple[int, Any]:
        return 200, self.comments.get(int(number), [])

    def _create_comment(self, body: Any, number: str) -> tuple[int, Any]:
        comment = {"id": self._new_id(), "body": body["body"], "user": {"login": "bot"}}
        self.comments.setdefault(int(number), []).append(comment)
        return 201, comment

    def _edit_comment(self, body: Any, comment_id: str) -> tuple[int, Any]:
        for items in self.comments.values():
            for c in items:
                if c["id"] == int(comment_id):
                    c["body"] = body["body"]
                    return 200, c
        return 404, {"message": "Not Found"}

    def _create_label(self, body: Any) -> tuple[int, Any]:
        if body["name"] in self.repo_labels:
            return 422, {"message": "Validation Failed"}
        self.repo_labels.add(body["name"])
        return 201, {"name": body["name"], "color": body.get("color", "")}

    def _add_labels(self, body: Any, number: str) -> tuple[int, Any]:
        target = self._labels_list(int(number))
        for name in body["labels"]:
            if name not in target:
                target.append(name)
        return 200, [{"name": n} for n in target]

    def _remove_label(self, body: Any, number: str, name: str) -> tuple[int, Any]:
        target = self._labels_list(int(number))
        label = urllib.parse.unquote(name)
        if label not in target:
            return 404, {"message": "Label does not exist"}
        target.remove(label)
        return 200, [{"name": n} for n in target]

    def _labels_list(self, number: int) -> list[str]:
        pull = self._pull(number)
        return pull.labels if pull is not None else self.issue_labels.setdefault(number, [])

    def _issue(self, body: Any, number: str) -> tuple[int, Any]:
        return 200, {"id": 5000 + int(number), "number": int(number), "state": "open"}

    def _create_status(self, body: Any, sha: str) -> tuple[int, Any]:
        status = {"context": body.get("context", "default"), "state": body["state"],
                  "description": body.get("description", "")}
        self.statuses.setdefault(sha, []).append(status)
        return 201, {"id": self._new_id(), **status}

    def _list_statuses(self, body: Any, sha: str) -> tuple[int, Any]:
        return 200, list(reversed(self.statuses.get(sha, [])))

    def _combined_status(self, body: Any, sha: str) -> tuple[int, Any]:
        latest: dict[str, dict[str, str]] = {}
        for s in self.statuses.get(sha, []):
            latest[s["context"]] = s
        return 200, {"sha": sha, "state": "pending", "statuses": list(latest.values()),
                     "total_count": len(latest)}

    def _rest_pull(self, body: Any, number: str) -> tuple[int, Any]:
        pull = self._pull(int(number))
        if pull is None:
            return 404, {"message": "Not Found"}
        return 200, {
            "number": pull.number, "title": pull.title, "state": pull.state.lower(),
            "merged": pull.state == "MERGED", "draft": pull.draft, "body": pull.body,
            "html_url": f"https://github.com/{self.owner}/{self.name}/pull/{pull.number}",
            "head": {"ref": pull.branch, "sha": pull.sha}, "base": {"ref": pull.base},
            "labels": [{"name": n} for n in pull.labels],
        }

    # ------------------------------------------------------------ GraphQL

    def _graphql(self, body: dict[str, Any]) -> dict[str, Any]:
        query = str(body.get("query", ""))
        variables = body.get("variables") or {}
        if "FleetIssues" in query:
            repo: dict[str, Any] = {}
            for n in re.findall(r"i(\d+): issueOrPullRequest", query):
                number = int(n)
                labels = self.labels_on(number)
                repo[f"i{n}"] = {"number": number, "databaseId": 5000 + number,
                                 "state": "OPEN", "labels": {"nodes": [{"name": x} for x in labels]}}
            return {"data": {"repository": repo}}
        prefix = str(variables.get("labelQuery", ""))
        open_pulls = [self._node(p, with_comments=True) for p in self.pulls if p.state == "OPEN"]
        merged = [self._node(p) for p in self.pulls if p.state == "MERGED"]
        return {"data": {"repository": {
            "labels": {"nodes": [{"name": n} for n in sorted(self.repo_labels)
                                 if prefix.lower() in n.lower()]},
            "merged": {"nodes": merged},
            "pullRequests": {"pageInfo": {"hasNextPage": False, "endCursor": None},
                             "nodes": open_pulls},
        }}}

    def _node(self, p: Pull, with_comments: bool = False) -> dict[str, Any]:
        node: dict[str, Any] = {
            "number": p.number, "title": p.title, "state": p.state, "isDraft": p.draft,
            "url": f"https://github.com/{self.owner}/{self.name}/pull/{p.number}",
            "headRefName": p.branch, "headRefOid": p.sha, "baseRefName": p.base,
            "reviewDecision": None, "body": p.body,
            "labels": {"nodes": [{"name": n} for n in p.labels]},
        }
        if with_comments:
            node["comments"] = {"nodes": [{"databaseId": c["id"], "body": c["body"]}
                                          for c in self.comments.get(p.number, [])]}
            latest: dict[str, dict[str, str]] = {}
            for s in self.statuses.get(p.sha, []):
                latest[s["context"]] = s
            node["statusCheckRollup"] = {"contexts": {"nodes": [
                {"__typename": "StatusContext", "context": s["context"], "state": s["state"].upper(),
                 "createdAt": "2026-01-01T00:00:00Z"} for s in latest.values()
            ]}} if latest else None
        else:
            node["mergedAt"] = "2026-01-01T00:00:00Z"
        return node

    # ------------------------------------------------------------ serving it

    def mount(self, rsps: responses.RequestsMock, base_url: str) -> None:
        """Answer every request to `base_url` from this fake, through `responses`."""
        def callback(request: Any) -> tuple[int, dict[str, str], str]:
            body = json.loads(request.body) if request.body else None
            status, data = self.handle(
                request.method, request.url, body, "Authorization" in request.headers
            )
            return status, {"Content-Type": "application/json"}, json.dumps(data)

        parts = urllib.parse.urlsplit(base_url.rstrip("/"))
        port = r"(:\d+)?" if parts.port is None else ""
        pattern = re.compile(
            re.escape(f"{parts.scheme}://{parts.netloc}") + port + re.escape(parts.path) + r"/.*"
        )
        for method in ("GET", "POST", "PATCH", "DELETE", "PUT"):
            rsps.add_callback(method, pattern, callback=callback)


@contextmanager
def serve(
    fake: FakeGitHub, *, max_requests: int = 500, lifetime: float = 60.0
) -> Iterator[str]:
    """Serve `fake` on 127.0.0.1 (a free port); yields the base URL; always stops."""
    count = {"n": 0}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            count["n"] += 1
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if count["n"] > max_requests:
                status, data = 429, {"message": "fake GitHub: request budget spent"}
            else:
                body = json.loads(raw) if raw else None
                status, data = fake.handle(
                    self.command, self.path, body, "Authorization" in self.headers
                )
            out = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    timer = threading.Timer(lifetime, server.shutdown)
    timer.daemon = True
    timer.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        timer.cancel()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
