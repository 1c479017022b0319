"""A stateful GitLab project behind `responses`, answering as GitLab's REST API v4 does
(and its GraphQL API at POST /api/graphql: tests/forge/fakegitlab_graphql.py).

Each route names the documentation page it follows; responses are copies of the doc
examples in tests/fixtures/gitlab/*.json with the project's values put in. The fake
checks the adapter by what it *accepts*: a query or body parameter the route's doc page
does not list is answered `400 {"error": "<name> does not have a valid value"}`-style
and recorded in `violations` (a test fails on any); per_page over 100 is clamped, as
GitLab does. Lists answer with GitLab's pagination headers (x-page, x-per-page,
x-next-page, x-prev-page, x-total, x-total-pages, Link).

Tiers and tokens, as documented:
- `tier = "free"`: an issue link with a `link_type` other than `relates_to` is refused
  403 "Blocked issues not available for current license"
  (https://docs.gitlab.com/ee/api/issue_links.html#create-an-issue-link);
- a `JOB-TOKEN` request may read MRs, their notes, approvals and diffs, and commit
  statuses; any other endpoint answers 401, any write 403
  (https://docs.gitlab.com/ee/ci/jobs/ci_job_token.html);
- `scopes`: a token without `api` is refused writes with GitLab's insufficient_scope
  body (https://docs.gitlab.com/ee/api/rest/authentication.html); `role = "guest"`
  refuses writes with `403 Forbidden`.

Issues (the dashboard, a person's issue) live in `issues`; a title over 255 characters or
a description over 1 MiB (1,048,576 characters) is refused 400 as GitLab's model
validation does (https://docs.gitlab.com/ee/development/issuable-like-models.html).
Ticking a task-list box in an issue's description, as a person does in the web editor,
is `tick()`: GitLab then adds the system note "marked the checklist item **<text>** as
completed" by that person (what GitLab's SystemNotes::IssuablesService#change_task_status
writes), listed by the issue's notes.

A new pipeline (`POST /pipeline`, ref and variables as documented) is recorded in
`pipelines` and answered with the documented shape; a ref that is no branch of
`branches` is refused 400 "Reference not found", as GitLab does.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import responses

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "gitlab"
MARKER = "<!-- fleetbot -->"
DOCS = "https://docs.gitlab.com/ee/api/"
PAGING = {"page", "per_page"}
TITLE_LIMIT = 255
DESCRIPTION_LIMIT = 1_048_576  # 1 megabyte, GitLab's issuable description limit


@cache
def _shape(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text())  # type: ignore[no-any-return]


def shape(fixture: str, /, **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = _copy(_shape(fixture))
    data.update(over)
    return data


def _copy(data: Any) -> Any:
    """A deep copy of JSON data: five times copy.deepcopy's speed, paid on every answer."""
    if isinstance(data, dict):
        return {k: _copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_copy(v) for v in data]
    return data


BOT = shape("user", id=9001, username="project_42_bot_fleet", name="fleetbot", bot=True)
HUMAN = shape("user", id=7, username="ada", name="Ada")


@dataclass
class MR:
    iid: int
    branch: str
    pipeline: str | None = "success"  # the head's CI job status; None: no pipeline
    draft: bool = False
    merged: bool = False
    description: str = ""
    labels: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    approved_by: list[int] = field(default_factory=list)
    approvals_required: int = 0
    head: str = ""  # the head commit; default: a made-up sha from the iid
    fork: int = 0  # the source project's id when the MR comes from a fork; 0: this project
    merged_as: str = ""  # merged: its merge commit (`merge_commit_sha`); "": null

    @property
    def sha(self) -> str:
        return self.head or f"{self.iid:040x}"


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str
    doc: str  # the doc page (under DOCS) the route follows
    query: frozenset[str] = frozenset()  # documented query parameters (paging allowed)
    body: frozenset[str] = frozenset()  # documented body parameters
    job_token: bool = False  # a CI_JOB_TOKEN may call it
    write: bool = False


def _r(method: str, pattern: str, doc: str, query: str = "", body: str = "",
       job_token: bool = False) -> Route:
    return Route(method, pattern, doc, frozenset(query.split()), frozenset(body.split()),
                 job_token, method != "GET")


ROUTES = (
    _r("GET", r"/user", "users.html#for-normal-users-1"),
    _r("GET", r"", "projects.html#get-a-single-project", "statistics license with_custom_attributes"),
    _r("GET", r"/merge_requests", "merge_requests.html#list-project-merge-requests",
       "state order_by sort source_branch target_branch labels scope search view "
       "with_labels_details draft wip iids[] author_id", job_token=True),
    _r("GET", r"/merge_requests/(\d+)", "merge_requests.html#get-single-mr",
       "render_html include_diverged_commits_count include_rebase_in_progress", job_token=True),
    _r("PUT", r"/merge_requests/(\d+)", "merge_requests.html#update-mr",
       body="add_labels remove_labels labels title description"),
    _r("GET", r"/merge_requests/(\d+)/diffs", "merge_requests.html#list-merge-request-diffs",
       "unidiff", job_token=True),
    _r("GET", r"/merge_requests/(\d+)/approvals",
       "merge_request_approvals.html#get-configuration-for-approvals-on-a-merge-request",
       job_token=True),
    _r("GET", r"/merge_requests/(\d+)/notes", "notes.html#list-all-merge-request-notes",
       "sort order_by", job_token=True),
    _r("POST", r"/merge_requests/(\d+)/notes", "notes.html#create-new-merge-request-note",
       body="body created_at internal merge_request_diff_head_sha"),
    _r("PUT", r"/merge_requests/(\d+)/notes/(\d+)", "notes.html#modify-existing-merge-request-note",
       body="body"),
    _r("GET", r"/labels", "labels.html#list-labels",
       "with_counts include_ancestor_groups search archived"),
    _r("POST", r"/labels", "labels.html#create-a-new-label", body="name color description priority"),
    _r("GET", r"/issues", "issues.html#list-project-issues",
       "iids[] state labels order_by sort search milestone"),
    _r("POST", r"/issues", "issues.html#new-issue", body="title description labels"),
    _r("PUT", r"/issues/(\d+)", "issues.html#edit-an-issue",
       body="add_labels remove_labels labels title description"),
    _r("GET", r"/issues/(\d+)/notes", "notes.html#list-project-issue-notes", "sort order_by"),
    _r("GET", r"/members/all", "members.html#list-all-members-of-a-group-or-project-including-"
       "inherited-and-invited-members", "query user_ids show_seat_info state"),
    _r("GET", r"/issues/(\d+)/links", "issue_links.html#list-issue-relations"),
    _r("POST", r"/issues/(\d+)/links", "issue_links.html#create-an-issue-link",
       body="target_project_id target_issue_iid link_type"),
    _r("DELETE", r"/issues/(\d+)/links/(\d+)", "issue_links.html#delete-an-issue-link"),
    _r("GET", r"/repository/commits/([0-9a-f]{40})/statuses",
       "commits.html#list-the-statuses-of-a-commit", "ref stage name pipeline_id all order_by sort",
       job_token=True),
    _r("POST", r"/pipeline", "pipelines.html#create-a-new-pipeline", body="ref variables inputs"),
    _r("POST", r"/statuses/([0-9a-f]{40})", "commits.html#set-the-pipeline-status-of-a-commit",
       body="state ref name context target_url description coverage pipeline_id"),
)
STATUS_STATES = ("pending", "running", "success", "failed", "canceled", "skipped")


class FakeGitlab:
    def __init__(self, rsps: responses.RequestsMock, path: str = "grp/proj",
                 url: str = "https://gitlab.example.com") -> None:
        self.path = path
        self.base = f"{url}/api/v4/projects/{quote(path, safe='')}"
        self.project_id = 42
        self.tier = "premium"  # "free": no blocked-by links
        self.scopes = ("api",)
        self.role = "maintainer"  # "guest": every write refused
        self.mrs: dict[int, MR] = {}
        self.notes: dict[int, list[dict[str, Any]]] = {}
        self.labels: dict[str, str] = {}
        self.issue_labels: dict[int, list[str]] = {}
        self.open_issues: list[tuple[int, str, tuple[str, ...]]] = []  # iid, title, labels
        self.links: dict[int, list[tuple[int, int, str]]] = {}  # issue -> (other, id, type)
        self.statuses: dict[str, list[dict[str, Any]]] = {}  # sha -> commit statuses
        self.issues: dict[int, dict[str, Any]] = {}  # iid -> a full issue (GitLab's shape)
        self.issue_notes: dict[int, list[dict[str, Any]]] = {}
        self.members: dict[str, int] = {"ada": 30}  # username -> access level (30 Developer)
        self.branches: set[str] = {"main"}  # refs a new pipeline may run on
        self.pipelines: list[dict[str, Any]] = []  # started: the answers, with `variables`
        self.calls: list[tuple[str, str, Any]] = []
        self.violations: list[str] = []
        self.fail_next: list[tuple[str, str, int, bool]] = []  # method, regex, status, applied
        self.missing_issues: set[int] = set()  # deleted: neither REST nor GraphQL lists them
        self.fail_field: set[str] = set()  # GraphQL fields that fail: notes!<iid>, links#<iid>
        self.graphql = True  # False: this GitLab's schema lacks the fields (an older one)
        self._ids = 500
        host = re.escape(urlsplit(url).netloc)
        for method in ("GET", "POST", "PUT", "DELETE"):
            rsps.add_callback(method, re.compile(rf"https?://{host}(:\d+)?/api/(v4/.*|graphql)"),
                              callback=self._handle, content_type="application/json")

    # ------------------------------------------------------------ arranging

    def add_mr(self, iid: int, branch: str, **kw: Any) -> MR:
        self.mrs[iid] = MR(iid, branch, **kw)
        if self.mrs[iid].pipeline is not None:
            self.add_status(self.mrs[iid].sha, "test", self.mrs[iid].pipeline or "success")
        return self.mrs[iid]

    def add_note(self, iid: int, body: str, author: dict[str, Any] | None = None) -> int:
        self._ids += 1
        self.notes.setdefault(iid, []).append(shape(
            "note", id=self._ids, body=body, author=author or HUMAN, noteable_iid=iid,
            project_id=self.project_id, created_at=f"2026-12-01T{self._ids // 3600 % 24:02d}:{self._ids // 60 % 60:02d}:"
                       f"{self._ids % 60:02d}Z"))
        return self._ids

    def add_status(self, sha: str, name: str, status: str, **kw: Any) -> dict[str, Any]:
        self._ids += 1
        item = shape("commit_status", id=self._ids, sha=sha, name=name, status=status,
                     allow_failure=False, **kw)
        self.statuses.setdefault(sha, []).append(item)
        return item

    def add_issue(self, iid: int, title: str, description: str = "",
                  author: dict[str, Any] | None = None, labels: tuple[str, ...] = ()
                  ) -> dict[str, Any]:
        self.issues[iid] = shape(
            "issue", id=1000 + iid, iid=iid, project_id=self.project_id, title=title,
            description=description, author=author or HUMAN, labels=list(labels),
            state="opened", web_url=f"{self.base.split('/api/v4')[0]}/{self.path}/-/issues/{iid}")
        return self.issues[iid]

    def tick(self, iid: int, text: str, by: dict[str, Any] = HUMAN) -> None:
        """`by` ticks the box whose line holds `text` in issue `iid`'s description."""
        issue = self.issues[iid]
        lines = issue["description"].split("\n")
        i = next(n for n, line in enumerate(lines) if text in line and "- [ ]" in line)
        lines[i] = lines[i].replace("- [ ]", "- [x]", 1)
        issue["description"] = "\n".join(lines)
        item = lines[i].split("] ", 1)[1]
        self._ids += 1
        self.issue_notes.setdefault(iid, []).append(shape(
            "note", id=self._ids, body=f"marked the checklist item **{item}** as completed",
            author=by, system=True, noteable_type="Issue", noteable_iid=iid,
            noteable_id=1000 + iid, project_id=self.project_id,
            created_at=f"2026-12-01T12:00:{self._ids % 60:02d}Z"))

    def dashboards(self) -> list[dict[str, Any]]:
        return [i for i in self.issues.values() if "<!-- fleetbot:dashboard -->"
                in (i["description"] or "")]

    @property
    def writes(self) -> list[tuple[str, str, Any]]:
        return [c for c in self.calls if c[0] != "GET" and c[1] != "/graphql"]

    def sticky(self, iid: int) -> list[dict[str, Any]]:
        return [n for n in self.notes.get(iid, []) if MARKER in n["body"]]

    def check(self) -> None:
        assert not self.violations, self.violations

    # ------------------------------------------------------------ dispatch

    def _handle(self, request: Any) -> tuple[int, dict[str, str], str]:
        url = urlsplit(request.url)
        query = parse_qs(url.query)
        body = json.loads(request.body) if request.body else {}
        tail = url.path.removeprefix("/api/v4")
        job = "JOB-TOKEN" in request.headers
        if url.path == "/api/graphql" and request.method == "POST":
            return self._graphql(request, body, job)
        if tail != "/user":
            prefix = urlsplit(self.base).path.removeprefix("/api/v4")
            if not tail.startswith(prefix):
                return self._violation(f"{request.method} {tail}: not this project")
            tail = tail[len(prefix):]
        self.calls.append((request.method, tail, body or None))
        route = next((r for r in ROUTES if r.method == request.method
                      and re.fullmatch(r.pattern, tail)), None)
        if route is None:
            return self._violation(f"{request.method} {tail}: no such documented route")
        unknown = sorted(set(query) - route.query - PAGING) + sorted(set(body) - route.body)
        if unknown:
            return self._violation(f"{request.method} {tail}: {', '.join(unknown)} not in "
                                   f"{DOCS}{route.doc}")
        if (job and not route.job_token) or (tail == "/user" and not (
                job or "PRIVATE-TOKEN" in request.headers)):
            return 401, {}, json.dumps({"message": "401 Unauthorized"})
        if route.write and job:
            return 403, {}, json.dumps({"message": "403 Forbidden"})
        if route.write and "api" not in self.scopes:
            return 403, {}, json.dumps({
                "error": "insufficient_scope", "scope": "api",
                "error_description": "The request requires higher privileges than provided "
                                     "by the access token."})
        if route.write and self.role == "guest":
            return 403, {}, json.dumps({"message": "403 Forbidden"})
        for i, (method, pattern, status, applied) in enumerate(self.fail_next):
            if method == request.method and re.fullmatch(pattern, tail):
                del self.fail_next[i]
                if applied:
                    self._route(request.method, tail, query, body)
                return status, {}, json.dumps({"message": "502 Bad Gateway"})
        status, payload, headers = self._route(request.method, tail, query, body)
        return status, headers, json.dumps(payload)

    def _graphql(self, request: Any, body: Any, job: bool) -> tuple[int, dict[str, str], str]:
        """POST /api/graphql (tests/forge/fakegitlab_graphql.py): a personal or project
        token in `PRIVATE-TOKEN` or `Authorization: Bearer`, else anonymous; a job token is
        not for GraphQL (https://docs.gitlab.com/ee/ci/jobs/ci_job_token.html)."""
        from tests.forge import fakegitlab_graphql

        self.calls.append(("POST", "/graphql", body))
        if job:
            return self._violation("POST /api/graphql with a CI_JOB_TOKEN")
        if set(body) - {"query", "variables", "operationName"}:
            return self._violation(f"POST /api/graphql: {sorted(body)}")
        for i, (method, pattern, status, _) in enumerate(self.fail_next):
            if method == "POST" and re.fullmatch(pattern, "/graphql"):
                del self.fail_next[i]
                return status, {}, json.dumps({"message": "502 Bad Gateway"})
        if not self.graphql:  # an older GitLab: the reference's newer fields are unknown
            return 200, {}, json.dumps({"errors": [{
                "message": "Field 'linkedWorkItems' doesn't exist on type 'Issue'",
                "extensions": {"code": "undefinedField", "typeName": "Issue",
                               "fieldName": "linkedWorkItems"}}]})
        token = "PRIVATE-TOKEN" in request.headers or \
            str(request.headers.get("Authorization") or "").startswith("Bearer ")
        return 200, {}, json.dumps(fakegitlab_graphql.answer(self, body, BOT if token else None))

    def _violation(self, text: str) -> tuple[int, dict[str, str], str]:
        self.violations.append(text)
        return 400, {}, json.dumps({"error": text})

    def _route(self, method: str, tail: str, query: dict[str, list[str]],
               body: Any) -> tuple[int, Any, dict[str, str]]:
        def m(pattern: str) -> re.Match[str] | None:
            return re.fullmatch(pattern, tail)

        def q(name: str, default: str = "") -> str:
            return query.get(name, [default])[0]

        if method == "GET" and tail == "/user":
            return 200, BOT, {}
        if method == "GET" and tail == "":
            return 200, shape("project", id=self.project_id, path_with_namespace=self.path), {}
        if method == "GET" and tail == "/merge_requests":
            state = q("state", "all")
            mrs = [mr for mr in self.mrs.values() if state == "all"
                   or ("merged" if mr.merged else "opened") == state]
            if q("source_branch"):
                mrs = [mr for mr in mrs if mr.branch == q("source_branch")]
            mrs.sort(key=lambda x: x.iid, reverse=q("sort", "desc") == "desc")
            return self._paged(tail, [self._mr(mr, full=False) for mr in mrs], query)
        if (g := m(r"/merge_requests/(\d+)(/.*)?")) and int(g[1]) not in self.mrs:
            return 404, {"message": "404 Not found"}, {}
        if method == "GET" and (g := m(r"/merge_requests/(\d+)")):
            return 200, self._mr(self.mrs[int(g[1])], full=True), {}
        if method == "PUT" and (g := m(r"/merge_requests/(\d+)")):
            mr = self.mrs[int(g[1])]
            self._labels(mr.labels, body)
            return 200, self._mr(mr, full=True), {}
        if method == "GET" and (g := m(r"/merge_requests/(\d+)/diffs")):
            return self._paged(tail, [{"old_path": f, "new_path": f, "diff": "", "new_file": False,
                                       "renamed_file": False, "deleted_file": False}
                                      for f in self.mrs[int(g[1])].files], query)
        if method == "GET" and (g := m(r"/merge_requests/(\d+)/approvals")):
            mr = self.mrs[int(g[1])]
            left = max(mr.approvals_required - len(mr.approved_by), 0)
            return 200, shape("approvals", id=10000 + mr.iid, iid=mr.iid,
                              project_id=self.project_id, approved=left == 0,
                              approvals_required=mr.approvals_required, approvals_left=left,
                              approved_by=[{"user": shape("user", id=u)}
                                           for u in mr.approved_by]), {}
        if method == "GET" and (g := m(r"/merge_requests/(\d+)/notes")):
            notes = sorted(self.notes.get(int(g[1]), []),
                           key=lambda n: (n[q("order_by", "created_at")], n["id"]),
                           reverse=q("sort", "desc") == "desc")
            return self._paged(tail, notes, query)
        if method == "POST" and (g := m(r"/merge_requests/(\d+)/notes")):
            nid = self.add_note(int(g[1]), body["body"], author=BOT)
            return 201, next(n for n in self.notes[int(g[1])] if n["id"] == nid), {}
        if method == "PUT" and (g := m(r"/merge_requests/(\d+)/notes/(\d+)")):
            note = next((n for n in self.notes.get(int(g[1]), []) if n["id"] == int(g[2])), None)
            if note is None:
                return 404, {"message": "404 Note Not Found"}, {}
            if note["author"]["id"] != BOT["id"]:
                return 403, {"message": "403 Forbidden"}, {}
            note["body"] = body["body"]
            return 200, note, {}
        if method == "GET" and tail == "/labels":
            items = [shape("label", name=n, color=c) for n, c in self.labels.items()
                     if q("search") in n]
            return self._paged(tail, items, query)
        if method == "POST" and tail == "/labels":
            if body["name"] in self.labels:
                return 409, {"message": "Label already exists"}, {}
            if not re.fullmatch(r"#[0-9a-fA-F]{6}", str(body.get("color", ""))):
                return 400, {"message": {"color": ["must be a valid color code"]}}, {}
            self.labels[body["name"]] = body["color"]
            return 201, shape("label", name=body["name"], color=body["color"]), {}
        if method == "GET" and tail == "/issues":
            return self._issues(query)
        if method == "POST" and tail == "/issues":
            if (bad := self._too_long(body)) is not None:
                return 400, bad, {}
            iid = max([*self.issues, *(i for i, _, _ in self.open_issues), 0]) + 1
            issue = self.add_issue(iid, body["title"], body.get("description") or "", author=BOT)
            self._labels(issue["labels"], {"add_labels": body.get("labels") or ""})
            return 201, issue, {}
        if method == "PUT" and (g := m(r"/issues/(\d+)")) and int(g[1]) in self.issues:
            if (bad := self._too_long(body)) is not None:
                return 400, bad, {}
            issue = self.issues[int(g[1])]
            issue.update({k: body[k] for k in ("title", "description") if k in body})
            self._labels(issue["labels"], body)
            return 200, issue, {}
        if method == "PUT" and (g := m(r"/issues/(\d+)")):
            labels = self.issue_labels.setdefault(int(g[1]), [])
            self._labels(labels, body)
            return 200, shape("issue", iid=int(g[1]), labels=labels), {}
        if method == "GET" and (g := m(r"/issues/(\d+)/notes")):
            notes = sorted(self.issue_notes.get(int(g[1]), []),
                           key=lambda n: (n[q("order_by", "created_at")], n["id"]),
                           reverse=q("sort", "desc") == "desc")
            return self._paged(tail, notes, query)
        if method == "GET" and tail == "/members/all":
            found = [shape("member", id=100 + i, username=name, name=name.title(),
                           access_level=level)
                     for i, (name, level) in enumerate(self.members.items())
                     if q("query").lower() in name.lower()]
            return self._paged(tail, found, query)
        if method == "GET" and (g := m(r"/issues/(\d+)/links")):
            return 200, [shape("issue_link", id=1000 + other, iid=other, issue_link_id=lid,
                               link_type=kind) for other, lid, kind in self.links.get(int(g[1]), [])], {}
        if method == "POST" and (g := m(r"/issues/(\d+)/links")):
            kind = str(body.get("link_type") or "relates_to")
            if kind not in ("relates_to", "blocks", "is_blocked_by"):
                return 400, {"error": "link_type does not have a valid value"}, {}
            if kind != "relates_to" and self.tier == "free":
                return 403, {"message": "Blocked issues not available for current license"}, {}
            if int(body["target_project_id"]) != self.project_id:
                return 404, {"message": "404 Project Not Found"}, {}
            other = int(body["target_issue_iid"])
            if any(o == other for o, _, _ in self.links.get(int(g[1]), [])):
                return 409, {"message": "Issue(s) already assigned"}, {}
            self._ids += 1
            self.links.setdefault(int(g[1]), []).append((other, self._ids, kind))
            return 201, {"source_issue": shape("issue", iid=int(g[1])),
                         "target_issue": shape("issue", iid=other), "link_type": kind}, {}
        if method == "DELETE" and (g := m(r"/issues/(\d+)/links/(\d+)")):
            before = self.links.get(int(g[1]), [])
            after = [x for x in before if x[1] != int(g[2])]
            if len(after) == len(before):
                return 404, {"message": "404 Not found"}, {}
            self.links[int(g[1])] = after
            return 200, {}, {}
        if method == "POST" and tail == "/pipeline":
            return self._new_pipeline(body)
        if method == "POST" and (g := m(r"/statuses/([0-9a-f]+)")):
            if body.get("state") not in STATUS_STATES:
                return 400, {"error": "state does not have a valid value"}, {}
            item = self.add_status(g[1], body.get("name") or body.get("context") or "default",
                                   body["state"], description=body.get("description"),
                                   target_url=body.get("target_url"))
            return 201, item, {}
        if method == "GET" and (g := m(r"/repository/commits/([0-9a-f]+)/statuses")):
            found = [x for x in self.statuses.get(g[1], []) if not q("name") or x["name"] == q("name")]
            if q("all") != "true":  # the latest per name, as documented
                latest: dict[str, dict[str, Any]] = {}
                for x in found:
                    latest[x["name"]] = x
                found = list(latest.values())
            return self._paged(tail, found, query)
        raise AssertionError(f"route without answer: {method} {tail}")  # pragma: no cover

    def _new_pipeline(self, body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        variables = body.get("variables") or []
        if not isinstance(variables, list) or not all(
                isinstance(v, dict) and set(v) <= {"key", "value", "variable_type"}
                and "key" in v for v in variables):
            return 400, {"error": "variables is invalid"}, {}
        if body.get("ref") not in self.branches:
            return 400, {"message": {"base": ["Reference not found"]}}, {}
        n = len(self.pipelines) + 1
        started = shape("pipeline", id=900 + n, iid=n, project_id=self.project_id,
                        ref=body["ref"], sha="0" * 40, status="created",
                        web_url=f"https://gitlab.example.com/{self.path}/-/pipelines/{900 + n}")
        self.pipelines.append({**started, "variables": variables})
        return 201, started, {}

    def _issues(self, query: dict[str, list[str]]) -> tuple[int, Any, dict[str, str]]:
        if "iids[]" in query:
            iids = [int(x) for x in query["iids[]"] if int(x) not in self.missing_issues]
            items = [shape("issue", id=1000 + i, iid=i, project_id=self.project_id,
                           labels=self.issue_labels.get(i, [])) for i in iids]
        else:
            wanted = [x for x in query.get("labels", [""])[0].split(",") if x]
            items = [shape("issue", id=1000 + i, iid=i, title=t, labels=list(lbs))
                     for i, t, lbs in self.open_issues if all(w in lbs for w in wanted)]
            state = query.get("state", ["all"])[0]
            items += [i for i in self.issues.values() if all(w in i["labels"] for w in wanted)
                      and state in ("all", i["state"])]
            items.sort(key=lambda i: i["iid"], reverse=query.get("sort", ["desc"])[0] == "desc")
        return self._paged("/issues", items, query)

    @staticmethod
    def _too_long(body: dict[str, Any]) -> dict[str, Any] | None:
        """GitLab's 400 for a title or description over its limit, else None."""
        errors = {}
        if len(str(body.get("title") or "")) > TITLE_LIMIT:
            errors["title"] = [f"is too long (maximum is {TITLE_LIMIT} characters)"]
        if len(str(body.get("description") or "")) > DESCRIPTION_LIMIT:
            errors["description"] = [f"is too long (maximum is {DESCRIPTION_LIMIT} characters)"]
        return {"message": errors} if errors else None

    def _labels(self, have: list[str], body: dict[str, Any]) -> None:
        for name in filter(None, str(body.get("add_labels", "")).split(",")):
            if name not in have:
                have.append(name)
            self.labels.setdefault(name, "#ededed")
        for name in filter(None, str(body.get("remove_labels", "")).split(",")):
            if name in have:
                have.remove(name)

    def _paged(self, tail: str, items: list[Any], query: dict[str, list[str]]
               ) -> tuple[int, Any, dict[str, str]]:
        """One page and GitLab's offset-pagination headers
        (https://docs.gitlab.com/ee/api/rest/index.html#pagination)."""
        per_page = min(int(query.get("per_page", ["20"])[0]), 100)
        page = int(query.get("page", ["1"])[0])
        pages = max(math.ceil(len(items) / per_page), 1)
        rest = [(k, v) for k, vs in query.items() if k not in PAGING for v in vs]

        def link(n: int) -> str:
            return f"{self.base}{tail}?" + urlencode([*rest, ("page", n), ("per_page", per_page)])

        headers = {"x-page": str(page), "x-per-page": str(per_page), "x-total": str(len(items)),
                   "x-total-pages": str(pages),
                   "x-next-page": str(page + 1) if page < pages else "",
                   "x-prev-page": str(page - 1) if page > 1 else ""}
        rels = ([f'<{link(page + 1)}>; rel="next"'] if page < pages else []) + [
            f'<{link(1)}>; rel="first"', f'<{link(pages)}>; rel="last"']
        headers["Link"] = ", ".join(rels)
        return 200, items[(page - 1) * per_page:page * per_page], headers

    def _mr(self, mr: MR, full: bool) -> dict[str, Any]:
        data = shape("merge_request", iid=mr.iid, id=10000 + mr.iid, source_branch=mr.branch,
                     title=f"MR {mr.iid}", description=mr.description, draft=mr.draft,
                     state="merged" if mr.merged else "opened", labels=list(mr.labels),
                     sha=mr.sha, project_id=self.project_id,
                     merge_commit_sha=mr.merged_as or None,
                     web_url=f"{self.base.split('/api/v4')[0]}/{self.path}/-/merge_requests/"
                             f"{mr.iid}",
                     source_project_id=mr.fork or self.project_id,
                     target_project_id=self.project_id,
                     user_notes_count=sum(not n["system"] for n in self.notes.get(mr.iid, [])),
                     detailed_merge_status="not_approved"
                     if len(mr.approved_by) < mr.approvals_required else "mergeable")
        if full:
            data["head_pipeline"] = (None if mr.pipeline is None else
                                     {**data["head_pipeline"], "status": mr.pipeline, "sha": mr.sha})
        else:  # the list endpoint carries no pipeline
            data.pop("head_pipeline", None)
            data.pop("pipeline", None)
        return data
