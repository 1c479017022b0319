"""The GitHub adapter: PyGithub's requester for HTTP, one GraphQL query for a refresh.

Cost: a refresh is one GraphQL request per 50 open PRs (head ref, draft, review
decision, labels, status-check rollup and fleetbot's earlier comment all come back
together), against 1 + 4N for a REST walk. Retries are PyGithub's `GithubRetry` (5xx),
with rate-limit waits bounded by the run's deadline (forge/ratelimit.py) — except that a
POST which fails with a 5xx is *not* repeated blindly, because GitHub may have applied
it: creating a comment re-reads the PR's comments for the marker before trying again.
No PyGithub object leaves this module; the token is never in a message.
"""

from __future__ import annotations

import contextlib
import json
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

import requests
from github import Auth, Github, GithubException, GithubRetry
from github.GithubException import RateLimitExceededExceedsMaxWait
from urllib3.util.retry import Retry

from fleetbot.errors import ForgeCause, ForgeError
from fleetbot.forge import _apply, redact
from fleetbot.forge import types as st
from fleetbot.forge.ci import Check, check_run, combine, commit_status
from fleetbot.forge.github_links import plan_links
from fleetbot.forge.github_queries import (
    DASHBOARD,
    FLEET_STATE,
    MORE_CONTEXTS,
    VIEWER,
    plan_query,
)
from fleetbot.forge.ratelimit import (
    Deadline,
    Limit,
    bounded,
    give_up_text,
    rate_limit,
    retry_after,
)
from fleetbot.model import (
    CIState,
    CommitStatus,
    PullFacts,
    PullState,
    ReviewState,
    StatusState,
    fork_head,
)

PAGE_SIZE = 50
OWN_CONTEXTS = ("fleetbot/",)  # commit statuses fleetbot sets itself: not CI
ATTEMPTS = 3  # tries of a POST that failed with a 5xx
BACKOFF = 1.0  # seconds, doubled per attempt; tests patch time.sleep
MAX_DESCRIPTION = 140  # GitHub rejects a longer status description

# What a 403 on each write means the token lacks (GitHub Actions `permissions:` names).
PERMISSION = {
    st.ActionKind.CREATE_COMMENT: "pull-requests: write",
    st.ActionKind.EDIT_COMMENT: "pull-requests: write",
    st.ActionKind.CREATE_LABEL: "issues: write",
    st.ActionKind.ADD_LABEL: "issues: write` and `pull-requests: write",
    st.ActionKind.REMOVE_LABEL: "issues: write` and `pull-requests: write",
    st.ActionKind.ADD_DEPENDENCY: "issues: write",
    st.ActionKind.REMOVE_DEPENDENCY: "issues: write",
    st.ActionKind.SET_STATUS: "statuses: write",
    st.ActionKind.CREATE_ISSUE: "issues: write",
    st.ActionKind.EDIT_ISSUE: "issues: write",
    st.ActionKind.DISPATCH_WORKFLOW: "actions: write",
}


def decipher(status: int, headers: Mapping[str, str], data: Any) -> ForgeCause:
    """GitHub's answer -> why it said no (gidgethub's `decipher_response`, for causes).

    A 403 is a rate limit when `x-ratelimit-remaining` is 0 or the body says "secondary
    rate limit", and only otherwise a missing permission; a 422 about the body's length
    is a size problem.
    """
    low = {k.lower(): v for k, v in (headers or {}).items()}
    message = str(data.get("message", "")) if isinstance(data, dict) else str(data or "")
    text = (message + " " + json.dumps(data.get("errors", "")) if isinstance(data, dict)
            else message).lower()
    if status == 0:
        return ForgeCause.UNREACHABLE
    if status == 401:
        return ForgeCause.AUTH
    if status in (403, 429):
        limit = rate_limit(status, low, text, 0.0)  # forge/ratelimit.py: one reading
        return ForgeCause.PERMISSION if limit is None else limit.kind.cause
    if status in (404, 410):
        return ForgeCause.NOT_FOUND
    if status == 413 or (status == 422 and ("too long" in text or "too large" in text)):
        return ForgeCause.TOO_LARGE
    return ForgeCause.OTHER

_REVIEW = {
    "APPROVED": ReviewState.APPROVED,
    "CHANGES_REQUESTED": ReviewState.CHANGES_REQUESTED,
    "REVIEW_REQUIRED": ReviewState.REVIEW_REQUIRED,
}


class _GaveUp(RateLimitExceededExceedsMaxWait):
    """A rate-limit wait that would not end before the run's deadline (forge/ratelimit.py)."""

    def __init__(self, limit: Limit, left: float, status: int, headers: dict[str, str]) -> None:
        super().__init__(status, {"message": f"{limit.kind.value} rate limit"}, headers,
                         wait=limit.wait)
        self.limit, self.left = limit, left


class _BoundedRetry(GithubRetry):
    """GithubRetry whose rate-limit waits are forge/ratelimit.py's: the forge's own wait
    (Retry-After, the primary limit's reset, a minute for a bare secondary limit) when it
    ends before the deadline, else `_GaveUp` at once; every sleep goes through the
    deadline's injected sleep."""

    def __init__(self, deadline: Deadline | None = None, planned: float | None = None,
                 **kw: Any) -> None:
        super().__init__(**kw)
        self.deadline = deadline or Deadline.after()
        self.planned = planned  # the rate-limit wait before the next try

    def new(self, **kw: Any) -> Any:
        kw.setdefault("deadline", self.deadline)
        kw.setdefault("planned", None)
        return super().new(**kw)

    def increment(self, method: str | None = None, url: str | None = None,  # type: ignore[override]
                  response: Any = None, error: Exception | None = None,
                  _pool: Any = None, _stacktrace: Any = None) -> Retry:
        if response is None or response.status not in (403, 429):
            return super().increment(method, url, response, error, _pool, _stacktrace)
        headers = dict(response.headers)
        content: Any = b""
        with contextlib.suppress(ValueError):
            content = json.loads(self.get_content(response, url or "") or b"{}")
        message = str(content.get("message", "")) if isinstance(content, dict) else ""
        limit = rate_limit(response.status, headers, message, self.deadline.now())
        if limit is None:  # a 403 that is no limit: a missing permission, not retried
            raise GithubException(response.status, content, headers)
        wait = bounded(limit, self.deadline.left())
        if wait is None:
            raise _GaveUp(limit, self.deadline.left(), response.status, headers)
        retry = Retry.increment(self, method, url, response, error, _pool, _stacktrace)
        retry.planned = wait
        return retry

    def sleep(self, response: Any = None) -> None:
        """The planned rate-limit wait, else the backoff (a 5xx's Retry-After at most
        until the deadline)."""
        wait = self.planned
        if wait is None:
            header = response.headers.get("Retry-After") if response is not None else None
            after = retry_after(header, self.deadline.now()) or 0.0
            wait = min(max(self.get_backoff_time(), after), self.deadline.left())
        if wait > 0:
            self.deadline.sleep(wait)


class _WriteRetry(_BoundedRetry):
    """A bounded retry that does not repeat a POST after a 5xx (it may have been applied);
    rate-limit refusals (403/429) were not applied and are retried as usual."""

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if method.upper() == "POST" and status_code >= 500:
            return False
        return bool(super().is_retry(method, status_code, has_retry_after))


def _retry(cls: type[_BoundedRetry], total: int, deadline: Deadline | None = None) -> GithubRetry:
    methods = Retry.DEFAULT_ALLOWED_METHODS | {"GET", "POST", "PATCH"}
    return cls(total=total, backoff_factor=0.5, allowed_methods=methods, read=0,
               status_forcelist=[*range(500, 600), 403, 429], deadline=deadline)


class GithubForge:
    """One GitHub (or GitHub Enterprise Server) repository."""

    kind = "github"

    def __init__(
        self,
        repo: str,
        *,
        token: str = "",
        base_url: str = "https://api.github.com",
        throttle: bool = True,
        retries: int = 5,
        page_size: int = PAGE_SIZE,
        own_checks: Iterable[str] = (),
        deadline: Deadline | None = None,
    ) -> None:
        if repo.count("/") != 1:
            raise ForgeError(f"GitHub repository {repo!r} is not owner/name")
        self.repo = repo
        self.owner, self.name = repo.split("/")
        self.base_url = base_url.rstrip("/")
        self.page_size = page_size
        self.own_checks = frozenset(own_checks)  # this job's check runs: not CI
        self._no_sticky: set[int] = set()  # PRs whose every comment `state()` read: none ours
        self._token = token
        self._login: str | None = None  # the token's login, read once (`viewer_login`)
        deadline = deadline or Deadline.after()  # one deadline for reads and writes
        auth = Auth.Token(token) if token else None
        pace: dict[str, Any] = {} if throttle else {
            "seconds_between_requests": None, "seconds_between_writes": None,
        }
        # two clients, one connection setup each and no I/O here: reads (GraphQL is a
        # POST that is safe to repeat) and writes (a POST is never repeated after a 5xx)
        self._read = Github(auth=auth, base_url=self.base_url,
                            retry=_retry(_BoundedRetry, retries, deadline), per_page=100,
                            **pace).requester
        self._write = Github(auth=auth, base_url=self.base_url,
                             retry=_retry(_WriteRetry, retries, deadline), per_page=100,
                             **pace).requester

    @property
    def web_url(self) -> str:
        """github.com for the public API; GitHub Enterprise Server's host otherwise."""
        web = ("https://github.com" if self.base_url == "https://api.github.com"
               else self.base_url.removesuffix("/api/v3"))
        return f"{web}/{self.repo}"

    @property
    def can_write(self) -> bool:
        return bool(self._token)

    # ------------------------------------------------------------ plumbing

    def _path(self, tail: str) -> str:
        return f"/repos/{self.owner}/{self.name}{tail}"

    def _error(self, exc: Exception, doing: str) -> ForgeError:
        """A ForgeError typed by cause, that a person can act on, with the token scrubbed."""
        status = 0
        cause = ForgeCause.UNREACHABLE
        resets_at = 0.0
        if isinstance(exc, GithubException):
            status = exc.status
            cause = decipher(exc.status, exc.headers or {}, exc.data)
            message = ""
            if isinstance(exc.data, dict):
                message = str(exc.data.get("message", ""))
            text = f"GitHub answered {exc.status} when {doing} in {self.repo}"
            if message:
                text += f": {message}"
            if cause is ForgeCause.AUTH:
                text += " (the token was rejected: check GITHUB_TOKEN / GH_TOKEN)"
            if isinstance(exc, _GaveUp):
                cause, resets_at = exc.limit.kind.cause, exc.limit.resets_at
                text = (f"GitHub answered {exc.status} when {doing} in {self.repo}: "
                        + give_up_text("GitHub", exc.limit, exc.left))
            elif cause is ForgeCause.SECONDARY_RATE_LIMIT:
                text += " (GitHub's secondary rate limit: too many requests at once)"
            elif cause is ForgeCause.RATE_LIMIT:
                text += " (the token's rate limit is spent until it resets)"
        else:
            text = f"could not reach GitHub at {self.base_url} when {doing}: {exc}"
        return ForgeError(redact(text, [self._token]), cause=cause, status=status,
                          resets_at=resets_at)

    def _call(
        self, verb: str, url: str, *, body: Any = None, params: dict[str, Any] | None = None,
        write: bool = False, doing: str = "",
    ) -> tuple[dict[str, Any], Any]:
        requester = self._write if write else self._read
        try:
            return requester.requestJsonAndCheck(verb, url, parameters=params, input=body)
        except (GithubException, requests.RequestException) as exc:
            raise self._error(exc, doing or f"{verb} {url}") from None

    def _pages(self, url: str, doing: str) -> Iterator[Any]:
        """Every item of a paginated REST list, following the Link header."""
        params: dict[str, Any] | None = {"per_page": 100}
        next_url: str | None = url
        while next_url:
            headers, data = self._call("GET", next_url, params=params, doing=doing)
            yield from data or []
            next_url = _next_link(headers.get("link", ""))
            params = None

    def _graphql(self, query: str, variables: dict[str, Any],
                 doing: str) -> tuple[dict[str, Any], list[str]]:
        """(data, paths of missing nodes). GitHub answers a missing node (a deleted issue)
        with `errors: [{type: NOT_FOUND}]` beside the rest of the data: that is a finding
        for the caller, not a failed run; any other error is."""
        try:
            _, body = self._read.requestJsonAndCheck(
                "POST", self._read.graphql_url, input={"query": query, "variables": variables})
        except (GithubException, requests.RequestException) as exc:
            raise self._error(exc, doing) from None
        errors = (body or {}).get("errors") or []
        other = [e for e in errors if e.get("type") != "NOT_FOUND"]
        if other:
            text = "; ".join(str(e.get("message", "")) for e in other[:3])
            raise ForgeError(redact(f"GitHub's GraphQL API refused {doing} in {self.repo}: "
                                    f"{text}", [self._token]))
        missing = [".".join(str(x) for x in e.get("path") or []) for e in errors]
        return (body or {}).get("data") or {}, missing

    # ------------------------------------------------------------ reads

    def state(
        self, issues: Iterable[int] = (), *, label_prefix: str = "fleet:",
        branches: Iterable[str] = (), links: bool = True,
        planned_links: Mapping[int, frozenset[int]] | None = None,
    ) -> st.ForgeState:
        pulls: list[PullFacts] = []
        comments: list[st.StickyComment] = []
        labels: frozenset[str] = frozenset()
        statuses: list[CommitStatus] = []
        after: str | None = None
        count = 0
        while True:
            variables = {"owner": self.owner, "name": self.name, "pageSize": self.page_size,
                         "after": after, "first": after is None, "labelQuery": label_prefix}
            data, _ = self._graphql(FLEET_STATE, variables, "listing open pull requests")
            count += 1
            repo = data.get("repository")
            if repo is None:
                raise ForgeError(f"GitHub repository {self.repo} not found (or not visible)",
                                 cause=ForgeCause.NOT_FOUND)
            if after is None:
                labels = frozenset(n["name"] for n in (repo.get("labels") or {}).get("nodes", []))
                self._login = str((data.get("viewer") or {}).get("login") or "")
            conn = repo["pullRequests"]
            for node in conn["nodes"]:
                count += self._all_contexts(node)
                pulls.append(_pull(node, PullState.OPEN, self.own_checks))
                statuses.extend(own_statuses(node.get("headRefOid") or "",
                                             node.get("statusCheckRollup")))
                found = _sticky(node["number"], node.get("comments") or {})
                if found is not None:
                    comments.append(found)
                elif len((node.get("comments") or {}).get("nodes") or []) < 100:
                    self._no_sticky.add(int(node["number"]))  # every comment seen: none ours
            page = conn["pageInfo"]
            if not page["hasNextPage"]:
                break
            after = page["endCursor"]
        state = st.ForgeState(
            pulls=tuple(pulls), comments=tuple(comments), repo_labels=labels,
            statuses=tuple(statuses),
            status_heads=frozenset(p.head_sha for p in pulls if p.head_sha),
        )
        numbers, names = sorted(set(issues)), list(dict.fromkeys(branches))
        if numbers or names:
            state, n = self._plan_items(state, numbers, names, links, planned_links)
            count += n
        return replace(state, requests=count)

    def _all_contexts(self, node: dict[str, Any]) -> int:
        """Complete a PR's rollup past its first 100 checks, in place; the requests made."""
        rollup = node.get("statusCheckRollup") or {}
        contexts = rollup.get("contexts") or {}
        made = 0
        while (contexts.get("pageInfo") or {}).get("hasNextPage"):
            variables = {"owner": self.owner, "name": self.name, "number": node["number"],
                         "after": contexts["pageInfo"]["endCursor"]}
            data, _ = self._graphql(MORE_CONTEXTS, variables,
                                    f"reading the checks of #{node['number']}")
            made += 1
            more = (((data.get("repository") or {}).get("pullRequest") or {})
                    .get("statusCheckRollup") or {}).get("contexts") or {}
            contexts["nodes"] = [*contexts.get("nodes", []), *more.get("nodes", [])]
            contexts["pageInfo"] = more.get("pageInfo") or {}
        return made

    def _plan_items(self, state: st.ForgeState, numbers: list[int], branches: list[str],
                    links: bool, planned: Mapping[int, frozenset[int]] | None = None,
                    ) -> tuple[st.ForgeState, int]:
        """The plan's issues (labels, ids; a missing one is a note, not a failure), the
        merged PR of each plan branch, and, with `links`, what blocks each issue."""
        data, _ = self._graphql(
            plan_query(numbers, branches), {"owner": self.owner, "name": self.name},
            "reading the plan's issues")
        repo = data.get("repository") or {}
        count = 1
        merged = [_pull(nodes[0], PullState.MERGED, self.own_checks)
                  for i in range(len(branches))
                  if (nodes := (repo.get(f"b{i}") or {}).get("nodes") or [])]
        facts: list[st.IssueFacts] = []
        missing: list[int] = []
        notes: list[str] = []
        supported = True
        present = [n for n in numbers if repo.get(f"i{n}") is not None]
        blocked: dict[int, tuple[int, ...]] = {}
        if links and present:
            blocked, supported, read = plan_links(self._page, self.repo, present, planned)
            count += read
            if not supported:
                notes.append(f"links not supported here: {self.base_url} has no issue "
                             "dependencies API; `Depends on` is not mirrored")
        for n in numbers:
            node = repo.get(f"i{n}")
            if node is None:
                missing.append(n)
                continue
            blockers = blocked.get(n, ())
            status = str(node.get("issueState") or node.get("pullState") or "").lower()
            # a PullRequest's databaseId is the pull's id, not its issue's id that the
            # dependency API wants: 0 makes `apply` read the issue id over REST instead
            issue_id = int(node.get("databaseId") or 0) if "issueState" in node else 0
            facts.append(st.IssueFacts(
                number=n, id=issue_id, state=status,
                labels=tuple(lbl["name"] for lbl in node["labels"]["nodes"]), blocked_by=blockers,
            ))
        if missing:
            shown = ", ".join(f"#{n}" for n in missing)
            notes.append(f"plan issue(s) {shown} not found in {self.repo} (mistyped, deleted "
                         "or transferred?): their rows get no issue label or link")
        return replace(state, merged=tuple(merged), issues=tuple(facts),
                       missing_issues=tuple(missing), links_supported=supported,
                       notes=state.notes + tuple(notes)), count

    def _page(self, url: str, params: dict[str, Any] | None,
              doing: str) -> tuple[Any, str | None]:
        """One page of a REST list, and the next page's URL (None: the last)."""
        headers, data = self._call("GET", url, params=params, doing=doing)
        return data, _next_link(headers.get("link", ""))

    def open_issues(
        self, *, labels: Sequence[str] = (), limit: int = 100
    ) -> tuple[st.IssueSummary, ...]:
        """Open issues, oldest first; the issues endpoint also returns PRs (items with a
        `pull_request` key), which are skipped. One request per 100 items."""
        params: dict[str, Any] | None = {
            "state": "open", "sort": "created", "direction": "asc", "per_page": 100,
        }
        if labels:
            assert params is not None
            params["labels"] = ",".join(labels)
        found: list[st.IssueSummary] = []
        next_url: str | None = self._path("/issues")
        while next_url and len(found) < limit:
            headers, data = self._call("GET", next_url, params=params, doing="listing open issues")
            for item in data or []:
                if "pull_request" in item or len(found) >= limit:
                    continue
                found.append(st.IssueSummary(
                    int(item["number"]), str(item.get("title") or ""),
                    tuple(lb["name"] if isinstance(lb, dict) else str(lb)
                          for lb in item.get("labels") or []),
                ))
            next_url = _next_link(headers.get("link", ""))
            params = None
        return tuple(found)

    def pull(self, number: int) -> PullFacts:
        try:
            _, data = self._read.requestJsonAndCheck("GET", self._path(f"/pulls/{number}"))
        except GithubException as exc:
            if exc.status == 404:
                raise ForgeError(f"PR #{number} not found in {self.repo}",
                                 cause=ForgeCause.NOT_FOUND, status=404) from None
            raise self._error(exc, f"reading PR #{number}") from None
        except requests.RequestException as exc:
            raise self._error(exc, f"reading PR #{number}") from None
        return _rest_pull(data)

    def pull_files(self, number: int) -> tuple[str, ...]:
        return tuple(
            f["filename"] for f in self._pages(self._path(f"/pulls/{number}/files"),
                                               f"listing files of PR #{number}")
        )

    def viewer_login(self) -> str:
        """The token's login ("" without a token): read by the refresh's first page, else
        one GraphQL request (`GET /user` is refused to an Actions token, `viewer` is not)."""
        if self._login is None:
            if not self._token:
                return ""
            data, _ = self._graphql(VIEWER, {}, "reading the token's login")
            self._login = str((data.get("viewer") or {}).get("login") or "")
        return self._login

    def find_comment(self, number: int) -> st.StickyComment | None:
        """Re-read a PR's comments (before creating one) for the bot's own: the marker
        *and* written by the token's login; a person's comment with the marker is not it."""
        me = self.viewer_login().lower()
        if not me:
            return None
        for c in self._pages(self._path(f"/issues/{number}/comments"),
                             f"reading comments of #{number}"):
            author = str((c.get("user") or {}).get("login") or "").lower()
            if author == me and st.MARKER in (c.get("body") or ""):
                return st.StickyComment(number, int(c["id"]), c["body"])
        return None

    def find_dashboard(self, label: str) -> st.DashboardIssue | None:
        """The bot's open dashboard issue (one GraphQL request): labelled `label`, with
        the marker, written by this token's identity; None when there is none."""
        data, _ = self._graphql(DASHBOARD, {"owner": self.owner, "name": self.name,
                                            "label": label}, "reading the fleet dashboard")
        nodes = (((data.get("repository") or {}).get("issues") or {}).get("nodes") or [])
        for n in nodes:
            if n and n.get("viewerDidAuthor") and st.DASHBOARD_MARKER in (n.get("body") or ""):
                return st.DashboardIssue(int(n["number"]), n["body"], str(n.get("title") or ""),
                                         str(n.get("url") or ""))
        return None

    def can_push(self, login: str) -> bool:
        """Has `login` write access here (admin, maintain or write)? One REST request,
        made only when someone ticked a dashboard box."""
        name = urllib.parse.quote(login, safe="")
        try:
            _, data = self._call("GET", self._path(f"/collaborators/{name}/permission"),
                                 doing=f"reading @{login}'s permission")
        except ForgeError as exc:
            if exc.cause is ForgeCause.NOT_FOUND:
                return False
            raise
        return str((data or {}).get("permission") or "") in ("admin", "write")

    # ------------------------------------------------------------ writes

    def apply(self, actions: Sequence[st.Action]) -> st.Applied:
        """Carry out `actions` through the shared loop (forge/_apply.py)."""
        return _apply.apply_all(
            actions, self._apply_one, forge="GitHub", repo=self.repo,
            can_write=bool(self._token), token_hint="GITHUB_TOKEN or GH_TOKEN",
            permission=lambda kind: PERMISSION.get(kind, "write"),
        )

    def _apply_one(self, a: st.Action) -> None:
        K = st.ActionKind
        if a.kind is K.CREATE_COMMENT:
            self.create_comment(a.number, a.body)
        elif a.kind is K.EDIT_COMMENT:
            self._call("PATCH", self._path(f"/issues/comments/{a.comment_id}"),
                       body={"body": a.body}, write=True, doing=a.describe())
        elif a.kind is K.CREATE_ISSUE:
            self.create_dashboard(a.title, a.body, a.label)
        elif a.kind is K.EDIT_ISSUE:
            self._call("PATCH", self._path(f"/issues/{a.number}"),
                       body={"title": a.title, "body": a.body}, write=True, doing=a.describe())
        elif a.kind is K.DISPATCH_WORKFLOW:
            name = urllib.parse.quote(a.workflow, safe="")
            self._call("POST", self._path(f"/actions/workflows/{name}/dispatches"),
                       body={"ref": a.ref}, write=True, doing=a.describe())
        elif a.kind is K.CREATE_LABEL:
            self._post(self._path("/labels"), {"name": a.label, "color": a.color,
                       "description": a.description or "fleetbot"}, a.describe(), ok=(422,))
        elif a.kind is K.ADD_LABEL:
            self._post(self._path(f"/issues/{a.number}/labels"), {"labels": [a.label]},
                       a.describe())
        elif a.kind is K.REMOVE_LABEL:
            name = urllib.parse.quote(a.label, safe="")
            self._delete(self._path(f"/issues/{a.number}/labels/{name}"), a.describe())
        elif a.kind is K.ADD_DEPENDENCY:
            other_id = a.other_id or self._issue_id(a.other)
            self._post(self._path(f"/issues/{a.number}/dependencies/blocked_by"),
                       {"issue_id": other_id}, a.describe(), ok=(422,))
        elif a.kind is K.REMOVE_DEPENDENCY:
            other_id = a.other_id or self._issue_id(a.other)
            self._delete(self._path(f"/issues/{a.number}/dependencies/blocked_by/{other_id}"),
                         a.describe())
        elif a.kind is K.SET_STATUS:
            body = {"state": a.state.value, "context": a.context,
                    "description": a.description[:MAX_DESCRIPTION]}
            if a.target_url:
                body["target_url"] = a.target_url
            self._post(self._path(f"/statuses/{a.sha}"), body, a.describe())

    def _issue_id(self, number: int) -> int:
        _, data = self._call("GET", self._path(f"/issues/{number}"), doing=f"reading #{number}")
        return int(data["id"])

    def _post(self, url: str, body: Any, doing: str, ok: tuple[int, ...] = ()) -> Any:
        """POST something idempotent (adding a label twice is harmless): retried on 5xx."""
        return self._retrying(lambda: self._raw("POST", url, body), doing, ok)

    def _delete(self, url: str, doing: str) -> None:
        self._retrying(lambda: self._raw("DELETE", url, None), doing, ok=(404,))

    def _raw(self, verb: str, url: str, body: Any) -> Any:
        return self._write.requestJsonAndCheck(verb, url, input=body)[1]

    def _retrying(self, call: Callable[[], Any], doing: str, ok: tuple[int, ...] = ()) -> Any:
        """Try an idempotent `call` up to ATTEMPTS times on 5xx/connection errors."""
        for attempt in range(ATTEMPTS):
            try:
                return call()
            except GithubException as exc:
                if exc.status in ok:
                    return None
                if exc.status < 500 or attempt == ATTEMPTS - 1:
                    raise self._error(exc, doing) from None
            except requests.RequestException as exc:
                if attempt == ATTEMPTS - 1:
                    raise self._error(exc, doing) from None
            time.sleep(BACKOFF * 2**attempt)
        return None  # pragma: no cover

    def create_comment(self, number: int, body: str) -> int:
        """The sticky comment, created once (forge/_apply.py `create_once`). When this
        run's `state()` read every comment of the PR and none was ours, the first try
        creates without reading them again (one read per new PR saved; the workflow's
        concurrency group keeps two refreshes apart); a retry re-reads as always."""
        absent = number in self._no_sticky
        self._no_sticky.discard(number)

        def post() -> int:
            try:
                data = self._raw("POST", self._path(f"/issues/{number}/comments"),
                                 {"body": body})
            except (GithubException, requests.RequestException) as exc:
                raise self._error(exc, f"creating the comment on #{number}") from None
            return int(data["id"])

        def edit(comment_id: int) -> None:
            self._call("PATCH", self._path(f"/issues/comments/{comment_id}"),
                       body={"body": body}, write=True, doing=f"editing comment on #{number}")

        return _apply.create_once(lambda: self.find_comment(number), post, edit, body,
                                  absent=absent)

    def create_dashboard(self, title: str, body: str, label: str) -> int:
        """The dashboard issue, created once and labelled as it is created (so the next
        refresh finds it): a failed POST is re-read before it is retried."""
        def find() -> st.StickyComment | None:
            found = self.find_dashboard(label)
            return None if found is None else st.StickyComment(found.number, found.number,
                                                                 found.body)

        def post() -> int:
            try:
                data = self._raw("POST", self._path("/issues"),
                                 {"title": title, "body": body, "labels": [label]})
            except (GithubException, requests.RequestException) as exc:
                raise self._error(exc, "creating the fleet dashboard issue") from None
            return int(data["number"])

        def edit(number: int) -> None:
            self._call("PATCH", self._path(f"/issues/{number}"),
                       body={"title": title, "body": body}, write=True,
                       doing=f"editing the fleet dashboard #{number}")

        return _apply.create_once(find, post, edit, body)

    def commit_statuses(self, shas: Iterable[str], context: str) -> dict[str, CommitStatus]:
        """sha -> the latest status `context` on it (absent: none set). One GET per sha;
        `state()` already brings fleetbot's statuses on open PR heads from the rollup."""
        out: dict[str, CommitStatus] = {}
        for sha in dict.fromkeys(shas):
            _, data = self._call("GET", self._path(f"/commits/{sha}/status"),
                                 params={"per_page": 100},
                                 doing=f"reading statuses of {sha[:7]}")
            for s in (data or {}).get("statuses") or []:
                if s.get("context") == context:
                    out[sha] = CommitStatus(sha, context, _status_state(s.get("state")),
                                            str(s.get("description") or ""),
                                            str(s.get("target_url") or ""))
                    break
        return out


# ---------------------------------------------------------------- parsing (pure)


def _status_state(word: Any) -> StatusState:
    try:
        return StatusState(str(word or "").lower())
    except ValueError:
        return StatusState.PENDING


def _next_link(link: str) -> str | None:
    for part in link.split(","):
        if 'rel="next"' in part:
            return part.split(";")[0].strip().strip("<>")
    return None


def _sticky(number: int, comments: dict[str, Any]) -> st.StickyComment | None:
    """The bot's own comment: the marker, written by the token (`viewerDidAuthor`)."""
    for c in comments.get("nodes") or []:
        if c and c.get("viewerDidAuthor") and st.MARKER in (c.get("body") or ""):
            return st.StickyComment(number, int(c["databaseId"]), c["body"])
    return None


def ci_from_rollup(rollup: dict[str, Any] | None,
                   own_checks: frozenset[str] = frozenset()) -> CIState:
    """statusCheckRollup.contexts -> one CIState (see forge/ci.py for the rules); the
    checks fleetbot runs as (`own_checks`: its job) and its own statuses do not count."""
    if not rollup:
        return CIState.NONE
    checks: list[Check] = []
    for node in (rollup.get("contexts") or {}).get("nodes") or []:
        if node.get("__typename") == "CheckRun" and node.get("name") in own_checks:
            continue
        if node.get("__typename") == "CheckRun":
            at = node.get("completedAt") or node.get("startedAt") or ""
            checks.append(check_run(node["name"], node["status"], node.get("conclusion"), at))
        elif node.get("__typename") == "StatusContext":
            if str(node.get("context", "")).startswith(OWN_CONTEXTS):
                continue  # fleetbot's own `fleetbot/order` says nothing about CI
            checks.append(commit_status(node["context"], node["state"], node.get("createdAt", "")))
    return combine(checks)


def own_statuses(sha: str, rollup: dict[str, Any] | None) -> tuple[CommitStatus, ...]:
    """fleetbot's own commit statuses on a PR head, as the rollup shows them (no extra
    request: the refresh reads them with the PR)."""
    nodes = ((rollup or {}).get("contexts") or {}).get("nodes") or []
    return tuple(
        CommitStatus(sha, str(n["context"]), _status_state(n.get("state")),
                     str(n.get("description") or ""), str(n.get("targetUrl") or ""))
        for n in nodes
        if n.get("__typename") == "StatusContext" and str(n.get("context", "")).startswith(
            OWN_CONTEXTS)
    )


def _pull(node: dict[str, Any], state: PullState,
          own_checks: frozenset[str] = frozenset()) -> PullFacts:
    fork = bool(node.get("isCrossRepository"))
    owner = str((node.get("headRepository") or {}).get("nameWithOwner") or "").partition("/")[0]
    return PullFacts(
        number=int(node["number"]),
        branch=fork_head(owner, node["headRefName"]) if fork else node["headRefName"],
        fork=fork,
        title=node.get("title") or "",
        url=node.get("url") or "",
        state=state,
        draft=bool(node.get("isDraft")),
        review=_REVIEW.get(node.get("reviewDecision") or "", ReviewState.NONE),
        ci=ci_from_rollup(node.get("statusCheckRollup"), own_checks),
        head_sha=node.get("headRefOid") or "",
        base=node.get("baseRefName") or "",
        labels=tuple(n["name"] for n in (node.get("labels") or {}).get("nodes", [])),
        body=node.get("body") or "",
        merged_as=str((node.get("mergeCommit") or {}).get("oid") or ""),
    )


def _rest_pull(data: dict[str, Any]) -> PullFacts:
    merged = data.get("merged") or data.get("merged_at")
    state = PullState.MERGED if merged else PullState(data["state"])
    head, base = data["head"].get("repo"), (data.get("base") or {}).get("repo") or {}
    fork = head is None or str(head.get("full_name") or "").lower() != str(
        base.get("full_name") or "").lower()
    owner = str((head or {}).get("full_name") or "").partition("/")[0]
    branch = data["head"]["ref"]
    return PullFacts(
        number=int(data["number"]), branch=fork_head(owner, branch) if fork else branch,
        fork=fork, title=data.get("title") or "",
        url=data.get("html_url") or "", state=state, draft=bool(data.get("draft")),
        head_sha=data["head"]["sha"], base=data["base"]["ref"],
        labels=tuple(lbl["name"] for lbl in data.get("labels") or []), body=data.get("body") or "",
        merged_as=str(data.get("merge_commit_sha") or "") if merged else "",
    )
