"""The GitLab adapter's plumbing: one project's REST API v4 (and the GraphQL endpoint
beside it) through python-gitlab's HTTP layer (`retry_transient_errors=True`), every HTTP
answer counted, a refusal typed by its cause (forge/gitlab_shapes.py `decipher`) and
scrubbed of the token. No python-gitlab object leaves this module and forge/gitlab.py.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import gitlab
import requests
from gitlab.exceptions import GitlabError

from fleetbot.errors import ForgeCause, ForgeError
from fleetbot.forge import redact as _redact
from fleetbot.forge import types as st
from fleetbot.forge.gitlab_shapes import decipher, missing_grant
from fleetbot.forge.ratelimit import Deadline, rate_limit

__all__ = ["GitlabProject"]


class GitlabProject:
    """One GitLab project's REST API: python-gitlab's HTTP layer with
    `retry_transient_errors=True`, every answer counted in `requests` (follow-up pages and
    retries included), refusals typed, the token never in a message."""

    def __init__(
        self, repo: str, *, url: str = "https://gitlab.com", token: str = "",
        job_token: str = "", deadline: Deadline | None = None,
    ) -> None:
        self.repo = repo
        self.url = url.rstrip("/")
        self.job_token = bool(job_token) and not token
        self.requests = 0
        self._secrets = [token, job_token]
        self._user: int | None = None
        self._project_id: int | None = None
        self._gl = gitlab.Gitlab(
            self.url, private_token=token or None, job_token=None if token else job_token or None,
            retry_transient_errors=True, per_page=100,
        )
        self._gl.session.hooks["response"].append(self._count)
        self._deadline = deadline or Deadline.after()
        self._gl.session.hooks["response"].append(self._rate_limit)
        self._project = "/projects/" + urllib.parse.quote(repo, safe="")

    def _count(self, response: requests.Response, *args: Any, **kw: Any) -> None:
        self.requests += 1

    def _rate_limit(self, response: requests.Response, *args: Any, **kw: Any) -> None:
        """A 429 waits as on GitHub (forge/ratelimit.py): the wait here, bounded by the
        deadline, or a typed give-up; python-gitlab's own retry then sleeps 0."""
        if response.status_code != 429:
            return
        limit = rate_limit(429, response.headers, "", self._deadline.now(), secondary=False)
        if limit is not None:
            self._deadline.wait_for(limit, f"GitLab ({self.repo})")
        response.headers["Retry-After"] = "0"

    @property
    def web_url(self) -> str:
        """The project's web page (`<web_url>/issues/N` redirects to the issue)."""
        return f"{self.url}/{self.repo}"

    @property
    def can_write(self) -> bool:
        """A personal/project token is set (a job token may not write notes or labels)."""
        return bool(self._secrets[0])

    def _error(self, exc: Exception, doing: str, kind: st.ActionKind | None = None) -> ForgeError:
        if not isinstance(exc, GitlabError):
            text = f"could not reach GitLab at {self.url} when {doing}: {exc}"
            return ForgeError(_redact(text, self._secrets), cause=ForgeCause.UNREACHABLE)
        status = int(exc.response_code or 0)
        message = str(exc.error_message or "")
        cause = decipher(status, message)
        text = f"GitLab answered {status} when {doing} in {self.repo}: {message}"
        if cause is ForgeCause.AUTH:
            text += " (the token was rejected: check GITLAB_TOKEN / CI_JOB_TOKEN)"
        elif cause is ForgeCause.PERMISSION:
            text = (f"GitLab refused ({status}) {doing} in {self.repo}: missing "
                    f"{missing_grant(_body(exc), kind)}")
        return ForgeError(_redact(text, self._secrets), cause=cause, status=status)

    def _do(self, call: Callable[[], Any], doing: str, ok: tuple[int, ...] = (),
            kind: st.ActionKind | None = None) -> Any:
        try:
            return call()
        except (GitlabError, requests.RequestException) as exc:
            if isinstance(exc, GitlabError) and exc.response_code in ok:
                return None
            raise self._error(exc, doing, kind) from None

    def _list(self, path: str, doing: str, **query: Any) -> list[dict[str, Any]]:
        """Every page of a listing (`get_all=False`: the first page only)."""
        get_all = query.pop("get_all", True)
        query.setdefault("per_page", 100)
        return self._do(  # type: ignore[no-any-return]
            lambda: self._gl.http_list(self._project + path, query_data=query,
                                       get_all=get_all),
            doing)

    def _pages(self, path: str, doing: str, **query: Any) -> Iterator[dict[str, Any]]:
        """A listing read lazily: the next page is fetched only when iterated to."""
        query.setdefault("per_page", 100)
        items = self._do(lambda: self._gl.http_list(self._project + path, query_data=query,
                                                    iterator=True), doing)
        while True:
            try:
                yield self._do(lambda: next(items), doing)
            except StopIteration:
                return

    def _graphql(self, query: str, variables: dict[str, Any], doing: str) -> dict[str, Any]:
        """One POST /api/graphql through the same counted session (a refusal typed as the
        REST ones are); the answer as sent, `errors` and partial `data` included
        (https://docs.gitlab.com/api/graphql/)."""
        return self._do(lambda: self._gl.http_post(  # type: ignore[no-any-return]
            f"{self.url}/api/graphql", post_data={"query": query, "variables": variables}),
            doing)

    def _get(self, path: str, doing: str) -> dict[str, Any]:
        return self._do(lambda: self._gl.http_get(self._project + path), doing)  # type: ignore[no-any-return]

    def user_id(self) -> int | None:
        """The token's user (GET /user, once); None with a job token, which may not ask,
        or without a token (a public project's notes are read by marker alone)."""
        if self._user is None and self._secrets[0]:
            self._user = int(self._do(lambda: self._gl.http_get("/user"),
                                      "reading the token's user")["id"])
        return self._user

    def project_id(self) -> int:
        """The project's numeric id: from the refresh's MR or issue listings (each item
        carries `project_id`), else GET /projects/:id, once per run."""
        if self._project_id is None:
            self._project_id = int(self._get("", "reading the project")["id"])
        return self._project_id

    def _learn_project(self, items: Sequence[dict[str, Any]]) -> None:
        """The project id, from a listing of this project's MRs or issues (no extra read)."""
        if self._project_id is None and items and items[0].get("project_id"):
            self._project_id = int(items[0]["project_id"])


def _body(exc: GitlabError) -> Any:
    raw = exc.response_body
    try:
        return json.loads(raw.decode() if isinstance(raw, bytes) else str(raw or ""))
    except ValueError:
        return None
