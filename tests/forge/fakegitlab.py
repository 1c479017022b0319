"""A small stateful GitLab project behind `responses`, answering with the shapes of GitLab's
REST docs (tests/fixtures/gitlab/*.json) with a few fields overridden."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import responses

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "gitlab"
MARKER = "<!-- fleetbot -->"


@cache
def _shape(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text())  # type: ignore[no-any-return]


def shape(fixture: str, /, **over: Any) -> dict[str, Any]:
    data = copy.deepcopy(_shape(fixture))
    data.update(over)
    return data


@dataclass
class MR:
    iid: int
    branch: str
    pipeline: str | None = "success"
    draft: bool = False
    merged: bool = False
    description: str = ""
    labels: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


class FakeGitlab:
    def __init__(self, rsps: responses.RequestsMock, path: str = "grp/proj",
                 url: str = "https://gitlab.example.com") -> None:
        self.path = path
        self.project_id = 42
        self.mrs: dict[int, MR] = {}
        self.notes: dict[int, list[dict[str, Any]]] = {}
        self.labels: dict[str, str] = {}
        self.issue_labels: dict[int, list[str]] = {}
        self.open_issues: list[tuple[int, str, tuple[str, ...]]] = []  # iid, title, labels
        self.links: dict[int, list[tuple[int, int]]] = {}  # issue -> [(blocking iid, link id)]
        self.calls: list[tuple[str, str, Any]] = []
        self.fail_next: list[tuple[str, str, int, bool]] = []  # method, regex, status, applied
        self.read_only = False
        self.statuses: dict[str, list[dict[str, Any]]] = {}  # sha -> commit statuses
        self.licence_refuses: str = ""  # a regex of paths answered 403 "not available for
        # current license" (a feature of a higher tier)
        self._ids = 500
        host = re.escape(urlsplit(url).netloc)
        for method in ("GET", "POST", "PUT", "DELETE"):
            rsps.add_callback(method, re.compile(rf"https?://{host}(:\d+)?/api/v4/.*"),
                              callback=self._handle, content_type="application/json")

    def add_mr(self, iid: int, branch: str, **kw: Any) -> MR:
        self.mrs[iid] = MR(iid, branch, **kw)
        return self.mrs[iid]

    def add_note(self, iid: int, body: str) -> int:
        self._ids += 1
        self.notes.setdefault(iid, []).append({"id": self._ids, "body": body})
        return self._ids

    @property
    def writes(self) -> list[tuple[str, str, Any]]:
        return [c for c in self.calls if c[0] != "GET"]

    def sticky(self, iid: int) -> list[dict[str, Any]]:
        return [n for n in self.notes.get(iid, []) if MARKER in n["body"]]

    # ------------------------------------------------------------ dispatch

    def _handle(self, request: Any) -> tuple[int, dict[str, str], str]:
        url = urlsplit(request.url)
        prefix = "/api/v4/projects/" + self.path.replace("/", "%2F")
        assert url.path.startswith(prefix), url.path
        tail = url.path[len(prefix):]
        query = parse_qs(url.query)
        body = json.loads(request.body) if request.body else None
        self.calls.append((request.method, tail, body))
        for i, (method, pattern, status, applied) in enumerate(self.fail_next):
            if method == request.method and re.fullmatch(pattern, tail):
                del self.fail_next[i]
                if applied:
                    self._route(request.method, tail, query, body)
                return status, {}, json.dumps({"message": "error"})
        if self.licence_refuses and re.fullmatch(self.licence_refuses, tail):
            return 403, {}, json.dumps({"message": "403 Forbidden - This feature is not "
                                        "available for current license"})
        if self.read_only and request.method != "GET":
            return 403, {}, json.dumps({"message": "403 Forbidden"})
        status, payload, headers = self._route(request.method, tail, query, body)
        return status, headers, json.dumps(payload)

    def _route(self, method: str, tail: str, query: dict[str, list[str]],
               body: Any) -> tuple[int, Any, dict[str, str]]:
        def m(pattern: str) -> re.Match[str] | None:
            return re.fullmatch(pattern, tail)

        if method == "GET" and tail == "":
            return 200, {"id": self.project_id, "path_with_namespace": self.path}, {}
        if method == "GET" and tail == "/merge_requests":
            state = query.get("state", ["opened"])[0]
            mrs = [mr for mr in self.mrs.values() if mr.merged == (state == "merged")]
            items = [self._mr(mr, full=False) for mr in sorted(mrs, key=lambda x: x.iid)]
            return self._paged(tail, items, query)
        if method == "GET" and (g := m(r"/merge_requests/(\d+)")):
            mr = self.mrs.get(int(g[1]))
            if mr is None:
                return 404, {"message": "404 Not found"}, {}
            return 200, self._mr(mr, full=True), {}
        if method == "PUT" and (g := m(r"/merge_requests/(\d+)")):
            mr = self.mrs[int(g[1])]
            self._labels(mr.labels, body)
            return 200, self._mr(mr, full=True), {}
        if method == "GET" and (g := m(r"/merge_requests/(\d+)/diffs")):
            return 200, [{"old_path": f, "new_path": f, "diff": ""}
                         for f in self.mrs[int(g[1])].files], {}
        if method == "GET" and (g := m(r"/merge_requests/(\d+)/notes")):
            return self._paged(tail, [shape("note", **n) for n in self.notes.get(int(g[1]), [])],
                               query)
        if method == "POST" and (g := m(r"/merge_requests/(\d+)/notes")):
            nid = self.add_note(int(g[1]), body["body"])
            return 201, shape("note", id=nid, body=body["body"]), {}
        if method == "PUT" and (g := m(r"/merge_requests/(\d+)/notes/(\d+)")):
            note = next(n for n in self.notes[int(g[1])] if n["id"] == int(g[2]))
            note["body"] = body["body"]
            return 200, shape("note", **note), {}
        if method == "GET" and tail == "/labels":
            search = query.get("search", [""])[0]
            return 200, [shape("label", name=n, color=c) for n, c in self.labels.items()
                         if search in n], {}
        if method == "POST" and tail == "/labels":
            if body["name"] in self.labels:
                return 409, {"message": "Label already exists"}, {}
            self.labels[body["name"]] = body["color"]
            return 201, shape("label", name=body["name"], color=body["color"]), {}
        if method == "GET" and tail == "/issues" and "iids[]" not in query:
            assert query["state"] == ["opened"]
            wanted = [x for x in query.get("labels", [""])[0].split(",") if x]
            items = [shape("issue", id=1000 + i, iid=i, title=t, labels=list(lbs))
                     for i, t, lbs in self.open_issues if all(w in lbs for w in wanted)]
            return self._paged(tail, items, query)
        if method == "GET" and tail == "/issues":
            iids = [int(x) for x in query.get("iids[]", [])]
            return 200, [shape("issue", id=1000 + i, iid=i, labels=self.issue_labels.get(i, []))
                         for i in iids], {}
        if method == "PUT" and (g := m(r"/issues/(\d+)")):
            labels = self.issue_labels.setdefault(int(g[1]), [])
            self._labels(labels, body)
            return 200, shape("issue", iid=int(g[1]), labels=labels), {}
        if method == "GET" and (g := m(r"/issues/(\d+)/links")):
            return 200, [shape("issue_link", iid=other, issue_link_id=lid,
                               link_type="is_blocked_by")
                         for other, lid in self.links.get(int(g[1]), [])], {}
        if method == "POST" and (g := m(r"/issues/(\d+)/links")):
            assert body["link_type"] == "is_blocked_by"
            assert body["target_project_id"] == self.project_id
            self._ids += 1
            self.links.setdefault(int(g[1]), []).append((int(body["target_issue_iid"]), self._ids))
            return 201, {"source_issue": shape("issue", iid=int(g[1])),
                         "target_issue": shape("issue", iid=int(body["target_issue_iid"])),
                         "link_type": "is_blocked_by"}, {}
        if method == "DELETE" and (g := m(r"/issues/(\d+)/links/(\d+)")):
            self.links[int(g[1])] = [x for x in self.links.get(int(g[1]), [])
                                     if x[1] != int(g[2])]
            return 200, {}, {}
        if method == "POST" and (g := m(r"/statuses/([0-9a-f]+)")):
            assert body["state"] in ("pending", "running", "success", "failed", "canceled")
            self._ids += 1
            status = {"id": self._ids, "sha": g[1], "status": body["state"],
                      "name": body["name"], "description": body.get("description"),
                      "target_url": body.get("target_url")}
            self.statuses.setdefault(g[1], []).append(status)
            return 201, status, {}
        if method == "GET" and (g := m(r"/repository/commits/([0-9a-f]+)/statuses")):
            name = query.get("name", [""])[0]
            found = [x for x in self.statuses.get(g[1], []) if not name or x["name"] == name]
            return self._paged(tail, found, query)
        raise AssertionError(f"unexpected {method} {tail}")

    def _labels(self, have: list[str], body: dict[str, Any]) -> None:
        for name in filter(None, str(body.get("add_labels", "")).split(",")):
            if name not in have:
                have.append(name)
            self.labels.setdefault(name, "#ededed")
        for name in filter(None, str(body.get("remove_labels", "")).split(",")):
            if name in have:
                have.remove(name)

    def _paged(self, tail: str, items: list[Any], query: dict[str, list[str]]) -> Any:
        per_page = int(query.get("per_page", ["20"])[0])
        page = int(query.get("page", ["1"])[0])
        chunk = items[(page - 1) * per_page:page * per_page]
        headers = {}
        if page * per_page < len(items):
            base = "https://gitlab.example.com/api/v4/projects/" + self.path.replace("/", "%2F")
            q = "&".join(f"{k}={v[0]}" for k, v in query.items() if k not in ("page", "per_page"))
            headers["Link"] = f'<{base}{tail}?{q}&page={page + 1}&per_page={per_page}>; rel="next"'
        return 200, chunk, headers

    def _mr(self, mr: MR, full: bool) -> dict[str, Any]:
        data = shape("merge_request", iid=mr.iid, id=10000 + mr.iid, source_branch=mr.branch,
                     title=f"MR {mr.iid}", description=mr.description, draft=mr.draft,
                     state="merged" if mr.merged else "opened", labels=list(mr.labels))
        if full:
            data["head_pipeline"] = (
                None if mr.pipeline is None else {**data["head_pipeline"], "status": mr.pipeline}
            )
        else:  # the list endpoint carries no pipeline
            data.pop("head_pipeline")
            data.pop("pipeline")
        return data
