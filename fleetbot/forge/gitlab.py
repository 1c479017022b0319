"""The GitLab adapter: python-gitlab's HTTP layer with `retry_transient_errors=True`.

MRs by source branch, head pipeline status, labels, notes carrying the marker, and issue
links (`is_blocked_by`). A note is created without python-gitlab's transient retry: a
5xx may hide an applied POST, so the MR's notes are re-read for the marker first.
No python-gitlab object leaves this module; the token is never in a message.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import gitlab
import requests
from gitlab.exceptions import GitlabError, GitlabHttpError

from fleetbot.errors import ForgeCause, ForgeError
from fleetbot.forge import _apply, redact
from fleetbot.forge import types as st
from fleetbot.model import CIState, CommitStatus, PullFacts, PullState, ReviewState, StatusState

# GitLab pipeline status -> fleetbot CI state
_PIPELINE = {
    "success": CIState.SUCCESS, "skipped": CIState.SUCCESS, "manual": CIState.SUCCESS,
    "failed": CIState.FAILURE, "canceled": CIState.FAILURE,
    "created": CIState.PENDING, "waiting_for_resource": CIState.PENDING,
    "preparing": CIState.PENDING, "pending": CIState.PENDING, "running": CIState.PENDING,
    "scheduled": CIState.PENDING,
}
_STATUS = {StatusState.SUCCESS: "success", StatusState.PENDING: "pending",
           StatusState.FAILURE: "failed", StatusState.ERROR: "failed"}
_STATUS_BACK = {"success": StatusState.SUCCESS, "failed": StatusState.FAILURE,
                "canceled": StatusState.ERROR}
PERMISSION = "the Developer role and a token with the `api` scope"


def decipher(status: int, message: str) -> ForgeCause:
    """GitLab's answer -> why it said no; a 403 "not available for current license"
    (a feature of a higher tier) is a licence problem, not a permission one."""
    text = (message or "").lower()
    if status == 0:
        return ForgeCause.UNREACHABLE
    if status == 401:
        return ForgeCause.AUTH
    if status == 403:
        return ForgeCause.LICENCE if "licen" in text else ForgeCause.PERMISSION
    if status == 404:
        return ForgeCause.NOT_FOUND
    if status == 429:
        return ForgeCause.RATE_LIMIT
    if status == 413 or "too large" in text or "too long" in text:
        return ForgeCause.TOO_LARGE
    return ForgeCause.OTHER


def pipeline_ci(pipeline: dict[str, Any] | None) -> CIState:
    if not pipeline:
        return CIState.NONE
    return _PIPELINE.get(str(pipeline.get("status", "")), CIState.NONE)


class GitlabForge:
    """One GitLab project (gitlab.com or self-managed)."""

    kind = "gitlab"

    def __init__(
        self, repo: str, *, url: str = "https://gitlab.com", token: str = "", job_token: str = ""
    ) -> None:
        self.repo = repo
        self.url = url.rstrip("/")
        self._secrets = [token, job_token]
        self._gl = gitlab.Gitlab(
            self.url, private_token=token or None, job_token=job_token or None,
            retry_transient_errors=True, per_page=100,
        )
        self._project = "/projects/" + urllib.parse.quote(repo, safe="")

    @property
    def can_write(self) -> bool:
        return any(self._secrets)

    # ------------------------------------------------------------ plumbing

    def _error(self, exc: Exception, doing: str) -> ForgeError:
        status = 0
        cause = ForgeCause.UNREACHABLE
        if isinstance(exc, GitlabError):
            status = int(exc.response_code or 0)
            cause = decipher(status, str(exc.error_message or ""))
            text = f"GitLab answered {status} when {doing} in {self.repo}: {exc.error_message}"
            if cause is ForgeCause.AUTH:
                text += " (the token was rejected: check GITLAB_TOKEN / CI_JOB_TOKEN)"
        else:
            text = f"could not reach GitLab at {self.url} when {doing}: {exc}"
        return ForgeError(redact(text, self._secrets), cause=cause, status=status)

    def _do(self, call: Callable[[], Any], doing: str, ok: tuple[int, ...] = ()) -> Any:
        try:
            return call()
        except (GitlabError, requests.RequestException) as exc:
            if isinstance(exc, GitlabError) and exc.response_code in ok:
                return None
            raise self._error(exc, doing) from None

    def _list(self, path: str, doing: str, **query: Any) -> list[dict[str, Any]]:
        get_all = query.pop("get_all", True)
        query.setdefault("per_page", 100)
        return self._do(  # type: ignore[no-any-return]
            lambda: self._gl.http_list(self._project + path, query_data=query, get_all=get_all),
            doing,
        )

    def _get(self, path: str, doing: str) -> dict[str, Any]:
        return self._do(lambda: self._gl.http_get(self._project + path), doing)  # type: ignore[no-any-return]

    # ------------------------------------------------------------ reads

    def state(
        self, issues: Iterable[int] = (), *, label_prefix: str = "fleet:",
        branches: Iterable[str] = (), links: bool = True,
    ) -> st.ForgeState:
        """The Protocol's refresh. `branches` is not used yet: merged MRs are still the 20
        most recently updated (the GitLab issue replaces that window)."""
        opened = self._list("/merge_requests", "listing open merge requests", state="opened")
        merged = self._list("/merge_requests", "listing merged merge requests", state="merged",
                            order_by="updated_at", per_page=20, get_all=False)
        labels = self._list("/labels", "listing labels", search=label_prefix)
        count = 3
        pulls: list[PullFacts] = []
        comments: list[st.StickyComment] = []
        for mr in opened:
            iid = int(mr["iid"])
            full = self._get(f"/merge_requests/{iid}", f"reading MR !{iid}")
            notes = self._list(f"/merge_requests/{iid}/notes", f"reading notes of MR !{iid}",
                               sort="asc")
            count += 2
            pulls.append(_pull(full))
            note = next((n for n in notes if st.MARKER in (n.get("body") or "")), None)
            if note is not None:
                comments.append(st.StickyComment(iid, int(note["id"]), note["body"]))
        facts: list[st.IssueFacts] = []
        if issues:
            wanted = sorted(set(issues))
            found = self._list("/issues", "reading the plan's issues", **{"iids[]": wanted})
            count += 1
            for issue in found:
                iid = int(issue["iid"])
                links_of = (self._list(f"/issues/{iid}/links", f"reading links of #{iid}")
                            if links else [])
                count += 1 if links else 0
                blocked = [(int(x["iid"]), int(x["issue_link_id"])) for x in links_of
                           if x.get("link_type") == "is_blocked_by"]
                facts.append(st.IssueFacts(
                    number=iid, id=int(issue["id"]), state=str(issue.get("state", "")),
                    labels=tuple(issue.get("labels") or ()),
                    blocked_by=tuple(n for n, _ in blocked), link_ids=tuple(blocked),
                ))
        return st.ForgeState(
            pulls=tuple(pulls), merged=tuple(_pull(m) for m in merged), comments=tuple(comments),
            repo_labels=frozenset(lbl["name"] for lbl in labels), issues=tuple(facts),
            requests=count,
        )

    def open_issues(
        self, *, labels: Sequence[str] = (), limit: int = 100
    ) -> tuple[st.IssueSummary, ...]:
        """Open issues (state=opened), oldest first, by iid."""
        query: dict[str, Any] = {"state": "opened", "order_by": "created_at", "sort": "asc",
                                 "per_page": min(max(limit, 1), 100),
                                 "get_all": limit > 100}
        if labels:
            query["labels"] = ",".join(labels)
        items = self._list("/issues", "listing open issues", **query)
        return tuple(
            st.IssueSummary(int(i["iid"]), str(i.get("title") or ""),
                            tuple(str(lb) for lb in i.get("labels") or []))
            for i in items[:limit]
        )

    def pull(self, number: int) -> PullFacts:
        try:
            return _pull(self._gl.http_get(f"{self._project}/merge_requests/{number}"))  # type: ignore[arg-type]
        except GitlabHttpError as exc:
            if exc.response_code == 404:
                raise ForgeError(f"MR !{number} not found in {self.repo}",
                                 cause=ForgeCause.NOT_FOUND, status=404) from None
            raise self._error(exc, f"reading MR !{number}") from None
        except (GitlabError, requests.RequestException) as exc:
            raise self._error(exc, f"reading MR !{number}") from None

    def pull_files(self, number: int) -> tuple[str, ...]:
        diffs = self._list(f"/merge_requests/{number}/diffs", f"listing files of MR !{number}")
        return tuple(str(d.get("new_path") or d.get("old_path")) for d in diffs)

    def find_comment(self, number: int) -> st.StickyComment | None:
        notes = self._list(f"/merge_requests/{number}/notes", f"reading notes of MR !{number}")
        note = next((n for n in notes if st.MARKER in (n.get("body") or "")), None)
        return None if note is None else st.StickyComment(number, int(note["id"]), note["body"])

    # ------------------------------------------------------------ writes

    def apply(self, actions: Sequence[st.Action]) -> st.Applied:
        """Carry out `actions` through the shared loop (forge/_apply.py)."""
        return _apply.apply_all(
            actions, self._apply_one, forge="GitLab", repo=self.repo, can_write=self.can_write,
            token_hint="GITLAB_TOKEN", permission=lambda kind: PERMISSION,
        )

    def _apply_one(self, a: st.Action) -> None:
        K = st.ActionKind
        p = self._project
        if a.kind is K.CREATE_COMMENT:
            self.create_comment(a.number, a.body)
        elif a.kind is K.EDIT_COMMENT:
            self._do(lambda: self._gl.http_put(
                f"{p}/merge_requests/{a.number}/notes/{a.comment_id}", post_data={"body": a.body}),
                a.describe())
        elif a.kind is K.CREATE_LABEL:
            self._do(lambda: self._gl.http_post(
                f"{p}/labels", post_data={"name": a.label, "color": f"#{a.color}",
                                          "description": "Managed by fleetbot"}),
                a.describe(), ok=(409,))
        elif a.kind in (K.ADD_LABEL, K.REMOVE_LABEL):
            kind = "issues" if a.on_issue else "merge_requests"
            key = "add_labels" if a.kind is K.ADD_LABEL else "remove_labels"
            self._do(lambda: self._gl.http_put(
                f"{p}/{kind}/{a.number}", post_data={key: a.label}), a.describe())
        elif a.kind is K.ADD_DEPENDENCY:
            project_id = self._project_id()
            self._do(lambda: self._gl.http_post(
                f"{p}/issues/{a.number}/links",
                post_data={"target_project_id": project_id, "target_issue_iid": a.other,
                           "link_type": "is_blocked_by"}), a.describe(), ok=(409,))
        elif a.kind is K.REMOVE_DEPENDENCY:
            self._do(lambda: self._gl.http_delete(f"{p}/issues/{a.number}/links/{a.other_id}"),
                     a.describe(), ok=(404,))
        elif a.kind is K.SET_STATUS:
            body = {"state": _STATUS[a.state], "name": a.context,
                    "description": a.description[:140]}
            if a.target_url:
                body["target_url"] = a.target_url
            self._do(lambda: self._gl.http_post(f"{p}/statuses/{a.sha}", post_data=body),
                     a.describe())

    def _project_id(self) -> int:
        return int(self._get("", "reading the project")["id"])

    def create_comment(self, number: int, body: str) -> int:
        """The sticky note, created once (forge/_apply.py `create_once`); the POST skips
        python-gitlab's transient retry, since a 5xx may hide an applied note."""
        notes = f"{self._project}/merge_requests/{number}/notes"

        def post() -> int:
            data = self._do(lambda: self._gl.http_post(
                notes, post_data={"body": body}, retry_transient_errors=False),
                f"creating the note on MR !{number}")
            return int(data["id"])

        def edit(note_id: int) -> None:
            self._do(lambda: self._gl.http_put(f"{notes}/{note_id}", post_data={"body": body}),
                     f"editing the note on MR !{number}")

        return _apply.create_once(lambda: self.find_comment(number), post, edit, body)

    def can_push(self, login: str) -> bool:
        return False  # the dashboard is GitHub-only for now

    def find_dashboard(self, label: str) -> st.DashboardIssue | None:
        return None  # the dashboard is GitHub-only for now (the shell says so)

    def commit_statuses(self, shas: Iterable[str], context: str) -> dict[str, CommitStatus]:
        """sha -> the latest status named `context` (GitLab's commit status API)."""
        out: dict[str, CommitStatus] = {}
        for sha in dict.fromkeys(shas):
            found = self._list(f"/repository/commits/{sha}/statuses",
                               f"reading statuses of {sha[:7]}", name=context)
            mine = [x for x in found if x.get("name") == context]
            if mine:
                latest = max(mine, key=lambda x: int(x.get("id") or 0))
                out[sha] = CommitStatus(
                    sha, context,
                    _STATUS_BACK.get(str(latest.get("status")), StatusState.PENDING),
                    str(latest.get("description") or ""), str(latest.get("target_url") or ""))
        return out


def _pull(mr: dict[str, Any]) -> PullFacts:
    state = {"opened": PullState.OPEN, "merged": PullState.MERGED}.get(
        str(mr.get("state")), PullState.CLOSED)
    needs_approval = mr.get("detailed_merge_status") == "not_approved"
    return PullFacts(
        number=int(mr["iid"]), branch=mr["source_branch"], title=mr.get("title") or "",
        url=mr.get("web_url") or "", state=state,
        draft=bool(mr.get("draft") or mr.get("work_in_progress")),
        review=ReviewState.REVIEW_REQUIRED if needs_approval else ReviewState.NONE,
        ci=pipeline_ci(mr.get("head_pipeline")), head_sha=mr.get("sha") or "",
        base=mr.get("target_branch") or "", labels=tuple(mr.get("labels") or ()),
        body=mr.get("description") or "",
    )
