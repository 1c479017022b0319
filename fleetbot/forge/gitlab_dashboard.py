"""The GitLab adapter's dashboard half: the fleet dashboard issue (found by marker and
the token user's authorship, created once), a ticked box read back from the issue's system
notes (GitLab CI has no issue-edit trigger), who may ask from it (the members API), and
the verify pipeline it starts; over the plumbing of forge/gitlab_http.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fleetbot.forge import _apply
from fleetbot.forge import types as st
from fleetbot.forge.gitlab_http import GitlabProject
from fleetbot.forge.gitlab_shapes import DEVELOPER, TITLE_LIMIT, ticked_item

# what the verify pipeline gets: its `fleetbot-verify` job runs only when it is set
VERIFY_VARIABLES = {"FLEETBOT_VERIFY": "1"}


class GitlabDashboard(GitlabProject):
    """The dashboard issue, its ticked boxes and the pipelines it starts."""

    _pipelines: list[str]  # the web_url of each pipeline this adapter started

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

    def can_push(self, login: str) -> bool:
        """Is `login` a member with at least the Developer role (inherited membership
        counts)? One read of the project's members, made only when a box was ticked."""
        if self.job_token:
            return False
        found = self._list("/members/all", f"reading {login}'s role", query=login)
        return any(m.get("username") == login and int(m.get("access_level") or 0) >= DEVELOPER
                   for m in found)

    def find_dashboard(self, label: str) -> st.DashboardIssue | None:
        """The bot's open dashboard issue: labelled `label`, with the marker in its
        description, written by the token's user (a person's issue with the marker is
        never taken for it). One request; None with a job token, which may not list issues."""
        if self.job_token:
            return None
        found = self._list("/issues", "reading the fleet dashboard", labels=label,
                           state="opened", order_by="created_at", sort="asc")
        for issue in found:
            author = int((issue.get("author") or {}).get("id") or 0)
            if st.DASHBOARD_MARKER in (issue.get("description") or "") and \
                    author == self.user_id():
                return st.DashboardIssue(int(issue["iid"]), str(issue["description"]),
                                         str(issue.get("title") or ""),
                                         str(issue.get("web_url") or ""))
        return None

    def ticked_by(self, number: int, text: str) -> str:
        """Who ticked the box whose text starts with `text` on issue `number`: the author
        of the newest system note saying so (GitLab CI has no issue-edit trigger, so the
        next pipeline asks the notes); "" when no note says. One request."""
        for n in self._list(f"/issues/{number}/notes", f"reading notes of #{number}",
                            sort="desc", order_by="created_at", get_all=False):
            if ticked_item(n).startswith(text):
                return str((n.get("author") or {}).get("username") or "")
        return ""

    def start_pipeline(self, ref: str, variables: Mapping[str, str]) -> str:
        """A new pipeline on branch `ref` with `variables` (the dashboard's verify box):
        its web_url, also kept for `started_pipelines()`. No transient retry: a 5xx may
        hide a started pipeline, and a second one would run the tests twice.
        https://docs.gitlab.com/ee/api/pipelines.html#create-a-new-pipeline"""
        data = self._do(lambda: self._gl.http_post(
            f"{self._project}/pipeline", post_data={
                "ref": ref, "variables": [{"key": k, "value": v} for k, v in variables.items()]},
            retry_transient_errors=False), f"starting a pipeline on {ref}",
            kind=st.ActionKind.START_PIPELINE)
        url = str(data.get("web_url") or "")
        self._pipelines.append(url)
        return url

    def started_pipelines(self) -> tuple[str, ...]:
        """The web_url of each pipeline started through `apply()`, oldest first."""
        return tuple(self._pipelines)

    def create_dashboard(self, title: str, body: str, label: str) -> int:
        """The dashboard issue, created once and labelled as it is created (so the next
        refresh finds it): re-read before creating and before a retry of a failed POST."""
        kind = st.ActionKind.CREATE_ISSUE

        def find() -> st.StickyComment | None:
            found = self.find_dashboard(label)
            return None if found is None else st.StickyComment(found.number, found.number,
                                                                 found.body)

        def post() -> int:
            data = self._do(lambda: self._gl.http_post(
                f"{self._project}/issues", post_data={
                    "title": title[:TITLE_LIMIT], "description": body, "labels": label},
                retry_transient_errors=False), "creating the fleet dashboard issue", kind=kind)
            return int(data["iid"])

        def edit(number: int) -> None:
            self._do(lambda: self._gl.http_put(
                f"{self._project}/issues/{number}",
                post_data={"title": title[:TITLE_LIMIT], "description": body}),
                f"editing the fleet dashboard #{number}", kind=kind)

        return _apply.create_once(find, post, edit, body)
