"""The GitLab adapter: what fleetbot reads from and writes to one project, over the
plumbing in forge/gitlab_http.py (python-gitlab's HTTP layer, every answer counted).

Reads are budgeted (docs/forges.md has the figures): the open MRs are listed once, and
only the fleet's MRs (source branch in the plan, `branches`) are read in detail: one
GraphQL request per 100 of them (forge/gitlab_graphql.py) brings the labels, the token's
user, their approvals and newest notes (the bot's own note is the one its user wrote), and
the plan's issues with their blocked-by links; each head's commit statuses (CI and
`fleetbot/order`) stay one REST read, which GraphQL has no field for. What a GraphQL answer
leaves open (an older note, a partial answer, a GitLab whose schema lacks a field) is read
over REST, for that MR or issue only. The project id comes from the MR listing (else one
read, once). Every HTTP answer, follow-up pages and retries included, is counted in
`requests`.

Honest limits: a `CI_JOB_TOKEN` cannot read labels, issues, issue links or the project,
so those reads are skipped with one note naming the scope needed; a Free-tier licence
refusal of `is_blocked_by` links is typed (ForgeCause.LICENCE) and stops link writes for
the run with one note, while labels, notes and statuses are still written; the refusal is
remembered as the project label `fleet:no-blocked-links`, which the labels read of every
later refresh sees, so no later run tries (or reads) a link.
The fleet dashboard is an issue (forge/gitlab_dashboard.py).
No python-gitlab object leaves the adapter; the token is never in a message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from fleetbot.errors import ForgeCause, ForgeError
from fleetbot.forge import _apply
from fleetbot.forge import gitlab_graphql as gql
from fleetbot.forge import types as st
from fleetbot.forge.gitlab_dashboard import VERIFY_VARIABLES, GitlabDashboard
from fleetbot.forge.gitlab_shapes import (
    GRAPHQL_NOTE,
    JOB_TOKEN_NOTE,
    LICENCE_NOTE,
    NO_LINKS_DESCRIPTION,
    NO_LINKS_LABEL,
    NO_LINKS_NOTE,
    STATUS,
    STATUS_BACK,
    TITLE_LIMIT,
    TOKEN_HINT,
    decipher,
    issue_facts,
    jobs_ci,
    mr_facts,
    own_note,
    permission,
    review_state,
)
from fleetbot.forge.ratelimit import Deadline
from fleetbot.model import ORDER_CONTEXT, CIState, CommitStatus, PullFacts, StatusState

__all__ = ["JOB_TOKEN_NOTE", "LICENCE_NOTE", "GitlabForge", "decipher"]


class GitlabForge(GitlabDashboard):
    """One GitLab project (gitlab.com or self-managed): fleetbot's reads and writes over
    the HTTP plumbing of `GitlabProject` (forge/gitlab_http.py), the dashboard issue's
    from `GitlabDashboard` (forge/gitlab_dashboard.py)."""

    kind = "gitlab"

    def __init__(
        self, repo: str, *, url: str = "https://gitlab.com", token: str = "",
        job_token: str = "", deadline: Deadline | None = None,
    ) -> None:
        super().__init__(repo, url=url, token=token, job_token=job_token, deadline=deadline)
        self._links_refused = False
        self._prefix = "fleet:"  # the label prefix of the last refresh (state())
        self._pipelines: list[str] = []  # the web_url of each pipeline this adapter started
        self._no_sticky: set[int] = set()  # MRs whose every note `state()` read: none ours

    # ------------------------------------------------------------ reads

    def state(
        self, issues: Iterable[int] = (), *, label_prefix: str = "fleet:",
        branches: Iterable[str] = (), links: bool = True,
        planned_links: Mapping[int, frozenset[int]] | None = None,
    ) -> st.ForgeState:
        """The Protocol's refresh. `branches` (the plan's) are the fleet: only their open
        MRs are read in detail, and a branch without an open MR is looked up among the
        merged ones by source branch, however long ago (without `branches`: every open MR
        in detail and the 20 most recently merged). The labels, the token's user, the fleet
        MRs' approvals and newest notes and the plan's issues with their links come from
        one GraphQL request per 100 MRs (forge/gitlab_graphql.py); each head's commit
        statuses stay one REST read. A job token (which GraphQL does not take) reads all
        over REST and skips what it may not read, said in one note. `planned_links` is
        not needed: the links cost nothing beside the issues in that request."""
        start = self.requests
        self._prefix = label_prefix
        fleet = frozenset(branches) or None
        wanted = sorted(set(issues))
        notes: list[str] = [JOB_TOKEN_NOTE] if self.job_token else []
        opened = self._list("/merge_requests", "listing open merge requests", state="opened")
        self._learn_project(opened)
        pulls = {int(mr["iid"]): mr_facts(mr) for mr in opened}
        # a fork's MR is never a fleet MR (its branch reads `project-<id>:<name>`)
        mine = [mr for mr in opened if not pulls[int(mr["iid"])].fork
                and (fleet is None or pulls[int(mr["iid"])].branch in fleet)]
        merged = self._merged(fleet, {str(mr["source_branch"]) for mr in mine})
        read = None if self.job_token else self._refresh_graphql(
            [int(mr["iid"]) for mr in mine], wanted, label_prefix, links=links, notes=notes)
        labels = self._labels(label_prefix, read)
        no_links = label_prefix + NO_LINKS_LABEL
        refused_before = no_links in labels
        if refused_before and links:
            notes.append(NO_LINKS_NOTE.format(label=no_links))
        comments: list[st.StickyComment] = []
        statuses: list[CommitStatus] = []
        heads: set[str] = set()
        for mr in mine:
            iid = int(mr["iid"])
            sha = str(mr.get("sha") or "")
            ci = CIState.NONE
            if sha:
                ci, own = self._head_statuses(sha, ORDER_CONTEXT)
                heads.add(sha)
                statuses += [own] if own is not None else []
            pulls[iid] = replace(pulls[iid], ci=ci,
                                 review=review_state(self._approvals(mr, read), mr))
            note = self._sticky(mr, read)
            if note is not None:
                comments.append(note)
        facts = () if self.job_token else self._issues(
            wanted, links=links and not refused_before, read=read)
        return st.ForgeState(
            pulls=tuple(pulls[n] for n in sorted(pulls)), merged=merged,
            comments=tuple(comments), repo_labels=frozenset(labels),
            issues=facts, statuses=tuple(statuses), status_heads=frozenset(heads),
            requests=self.requests - start, notes=tuple(notes),
            links_supported=not (self.job_token or refused_before),
            missing_issues=tuple(sorted(set(wanted) - {f.number for f in facts}))
            if not self.job_token else (),
        )

    def _refresh_graphql(self, mrs: list[int], issues: list[int], prefix: str, *,
                         links: bool, notes: list[str]) -> gql.Refresh | None:
        """The GraphQL half of a refresh, every follow-up labels page included; None (and
        one note) when this GitLab's schema cannot answer the query, so REST reads all."""
        out = gql.Refresh()
        pending = gql.batches(self.repo, mrs, issues, prefix, links=links)
        while pending:
            variables = pending.pop(0)
            answer = self._graphql(gql.QUERY, variables, "reading the fleet over GraphQL")
            why = gql.refused(answer)
            if why:
                notes.append(GRAPHQL_NOTE.format(why=why))
                return None
            after = gql.read(answer, out)
            if after is not None:
                pending.insert(0, gql.more_labels(variables, after))
        if self._user is None and out.user:
            self._user = out.user
        return out

    def _labels(self, prefix: str, read: gql.Refresh | None) -> list[str]:
        """The fleet labels: from GraphQL, else one REST listing; none with a job token."""
        if self.job_token:
            return []
        if read is not None:
            return read.labels
        return [str(lbl["name"]) for lbl in self._list("/labels", "listing labels",
                                                       search=prefix)]

    def _approvals(self, mr: dict[str, Any], read: gql.Refresh | None) -> dict[str, Any] | None:
        """An MR's approvals: from GraphQL, else one REST read, unless the list already
        says they are missing (`detailed_merge_status` `not_approved`)."""
        iid = int(mr["iid"])
        if read is not None and iid in read.approvals:
            return read.approvals[iid]
        if mr.get("detailed_merge_status") == "not_approved":
            return None
        return self._get(f"/merge_requests/{iid}/approvals", f"reading approvals of MR !{iid}")

    def _sticky(self, mr: dict[str, Any], read: gql.Refresh | None) -> st.StickyComment | None:
        """The bot's note: among the newest notes GraphQL gave, else (older notes than that
        page, or no page) the REST search; an MR without notes is not asked. An MR whose
        every note was read without the bot's is remembered, so its note is created
        without reading them again."""
        iid = int(mr["iid"])
        page = None if read is None else read.notes.get(iid)
        older = read is not None and iid in read.more_notes
        found = None if page is None else own_note(iid, page, self.user_id)
        if found is None and (page is None or older):
            found = self.find_comment(iid) if mr.get("user_notes_count", 1) else None
        if found is None:
            self._no_sticky.add(iid)
        else:
            self._no_sticky.discard(iid)
        return found

    def _merged(self, fleet: frozenset[str] | None, open_branches: set[str]
                ) -> tuple[PullFacts, ...]:
        """Merged MRs: for a fleet, each branch without an open MR, however long ago it
        merged: the 100 most recently updated merged MRs in one read when two or more
        are wanted, then one lookup by source branch for each still missing; without a
        fleet, the 20 most recently updated."""
        def recent(per_page: int, **by: str) -> list[dict[str, Any]]:
            return self._list("/merge_requests", "listing merged merge requests",
                              state="merged", order_by="updated_at", per_page=per_page,
                              get_all=False, **by)

        if fleet is None:
            return tuple(mr_facts(m) for m in recent(20))
        wanted = sorted(fleet - open_branches)
        found: dict[str, PullFacts] = {}
        # the newest from this project: a fork's namesake MR does not land the row
        if len(wanted) > 1:
            for f in map(mr_facts, recent(100)):
                if not f.fork:
                    found.setdefault(f.branch, f)
        for branch in [b for b in wanted if b not in found]:
            for f in [f for f in map(mr_facts, recent(5, source_branch=branch))
                      if not f.fork][:1]:
                found[branch] = f
        return tuple(found[b] for b in wanted if b in found)

    def _head_statuses(self, sha: str, context: str) -> tuple[CIState, CommitStatus | None]:
        """One read of a head's latest commit statuses (GitLab makes every CI job one):
        its CI, from the jobs, and fleetbot's own `context` status."""
        found = self._list(f"/repository/commits/{sha}/statuses",
                           f"reading statuses of {sha[:7]}")
        return jobs_ci([x for x in found if x.get("name") != context]), \
            own_status(found, sha, context)

    def _issues(self, wanted: list[int], *, links: bool = True,
                read: gql.Refresh | None = None) -> tuple[st.IssueFacts, ...]:
        """The plan's issues (from GraphQL, else one REST listing) and, with `links`, each
        one's blocked-by links (from GraphQL, else one REST read per issue)."""
        if not wanted:
            return ()
        found_issues = read.issues if read is not None else self._list(
            "/issues", "reading the plan's issues", **{"iids[]": wanted})
        self._learn_project(found_issues)
        out = []
        for issue in found_issues:
            iid = int(issue["iid"])
            if not links:
                blocked: list[tuple[int, int]] = []
            elif read is not None and iid in read.links:
                blocked = read.links[iid]
            else:
                blocked = [(int(x["iid"]), int(x["issue_link_id"])) for x in self._list(
                    f"/issues/{iid}/links", f"reading links of #{iid}")
                    if x.get("link_type") == "is_blocked_by"]
            out.append(issue_facts(issue, blocked))
        return tuple(out)

    def pull(self, number: int) -> PullFacts:
        try:
            return mr_facts(self._get(f"/merge_requests/{number}", f"reading MR !{number}"))
        except ForgeError as exc:
            if exc.cause is ForgeCause.NOT_FOUND:
                raise ForgeError(f"MR !{number} not found in {self.repo}",
                                 cause=ForgeCause.NOT_FOUND, status=404) from None
            raise

    def pull_files(self, number: int) -> tuple[str, ...]:
        diffs = self._list(f"/merge_requests/{number}/diffs", f"listing files of MR !{number}")
        return tuple(str(d.get("new_path") or d.get("old_path")) for d in diffs)

    def find_comment(self, number: int) -> st.StickyComment | None:
        """The bot's own note: newest first, stopping at the first page that has it; with
        a job token (no GET /user) the marker alone says which note is fleetbot's. The
        token's user is asked for only once a note with the marker turns up."""
        return own_note(number, self._pages(
            f"/merge_requests/{number}/notes", f"reading notes of MR !{number}",
            sort="desc", order_by="created_at"), self.user_id)

    def commit_statuses(self, shas: Iterable[str], context: str) -> dict[str, CommitStatus]:
        """sha -> the latest status named `context` (GitLab's commit status API)."""
        found = {sha: own_status(self._list(
            f"/repository/commits/{sha}/statuses", f"reading statuses of {sha[:7]}",
            name=context), sha, context) for sha in dict.fromkeys(shas)}
        return {sha: status for sha, status in found.items() if status is not None}

    # ------------------------------------------------------------ writes

    def apply(self, actions: Sequence[st.Action]) -> st.Applied:
        """Carry out `actions` through the shared loop (forge/_apply.py); a licence refusal
        of a link is no failure: the run's other link writes are skipped, said once, and
        the refusal is remembered as a project label (`fleet:no-blocked-links`) that the
        next refresh's labels read finds, so no later run tries a link again."""
        self._links_refused = False
        applied = _apply.apply_all(
            actions, self._apply_one, forge="GitLab", repo=self.repo, can_write=self.can_write,
            token_hint=TOKEN_HINT, permission=permission,
        )
        if not self._links_refused:
            return applied
        licence = [r for r in applied.refused if r.cause is ForgeCause.LICENCE]
        label = self._prefix + NO_LINKS_LABEL
        remember = st.Action(st.ActionKind.CREATE_LABEL, label=label, color="cccccc",
                             description=NO_LINKS_DESCRIPTION)
        written, refused = applied.written, tuple(
            r for r in applied.refused if r.cause is not ForgeCause.LICENCE)
        try:
            self._apply_one(remember)
            written += (remember,)
        except ForgeError as exc:  # not remembered: the next run tries one link again
            refused += (st.Refusal(remember, exc.cause, str(exc).splitlines()[0]),)
        return st.Applied(written, refused, applied.skipped + tuple(r.action for r in licence),
                          notes=(LICENCE_NOTE.format(label=label),))

    def _apply_one(self, a: st.Action) -> None:
        K = st.ActionKind
        p = self._project
        if a.kind is K.ADD_DEPENDENCY and self._links_refused:
            raise ForgeError(LICENCE_NOTE.format(label=self._prefix + NO_LINKS_LABEL),
                             cause=ForgeCause.LICENCE, status=403)
        if a.kind is K.CREATE_COMMENT:
            self.create_comment(a.number, a.body)
        elif a.kind is K.EDIT_COMMENT:
            self._do(lambda: self._gl.http_put(
                f"{p}/merge_requests/{a.number}/notes/{a.comment_id}", post_data={"body": a.body}),
                a.describe(), kind=a.kind)
        elif a.kind is K.CREATE_LABEL:
            self._do(lambda: self._gl.http_post(
                f"{p}/labels", post_data={"name": a.label, "color": f"#{a.color}",
                                          "description": a.description or "fleetbot"}),
                a.describe(), ok=(409,), kind=a.kind)
        elif a.kind in (K.ADD_LABEL, K.REMOVE_LABEL):
            kind = "issues" if a.on_issue else "merge_requests"
            key = "add_labels" if a.kind is K.ADD_LABEL else "remove_labels"
            self._do(lambda: self._gl.http_put(
                f"{p}/{kind}/{a.number}", post_data={key: a.label}), a.describe(), kind=a.kind)
        elif a.kind is K.ADD_DEPENDENCY:
            project_id = self.project_id()
            try:
                self._do(lambda: self._gl.http_post(
                    f"{p}/issues/{a.number}/links",
                    post_data={"target_project_id": project_id, "target_issue_iid": a.other,
                               "link_type": "is_blocked_by"}), a.describe(), ok=(409,),
                    kind=a.kind)
            except ForgeError as exc:
                self._links_refused = exc.cause is ForgeCause.LICENCE
                raise
        elif a.kind is K.REMOVE_DEPENDENCY:
            self._do(lambda: self._gl.http_delete(f"{p}/issues/{a.number}/links/{a.other_id}"),
                     a.describe(), ok=(404,), kind=a.kind)
        elif a.kind is K.CREATE_ISSUE:
            self.create_dashboard(a.title, a.body, a.label)
        elif a.kind is K.EDIT_ISSUE:
            self._do(lambda: self._gl.http_put(
                f"{p}/issues/{a.number}",
                post_data={"title": a.title[:TITLE_LIMIT], "description": a.body}),
                a.describe(), kind=a.kind)
        elif a.kind is K.START_PIPELINE:
            self.start_pipeline(a.ref, VERIFY_VARIABLES)
        elif a.kind is K.SET_STATUS:
            body = {"state": STATUS[a.state], "name": a.context,
                    "description": a.description[:140]}
            if a.target_url:
                body["target_url"] = a.target_url
            self._do(lambda: self._gl.http_post(f"{p}/statuses/{a.sha}", post_data=body),
                     a.describe(), kind=a.kind)

    def create_comment(self, number: int, body: str) -> int:
        """The sticky note, created once (forge/_apply.py `create_once`); the POST skips
        python-gitlab's transient retry, since a 5xx may hide an applied note. When this
        run's `state()` read every note of the MR and none was ours, the first try creates
        without reading them again (the job's `resource_group` keeps two refreshes apart);
        a retry re-reads as always."""
        notes = f"{self._project}/merge_requests/{number}/notes"
        kind = st.ActionKind.CREATE_COMMENT
        absent = number in self._no_sticky
        self._no_sticky.discard(number)

        def post() -> int:
            data = self._do(lambda: self._gl.http_post(
                notes, post_data={"body": body}, retry_transient_errors=False),
                f"creating the note on MR !{number}", kind=kind)
            return int(data["id"])

        def edit(note_id: int) -> None:
            self._do(lambda: self._gl.http_put(f"{notes}/{note_id}", post_data={"body": body}),
                     f"editing the note on MR !{number}", kind=kind)

        return _apply.create_once(lambda: self.find_comment(number), post, edit, body,
                                  absent=absent)


def own_status(found: Sequence[dict[str, Any]], sha: str, context: str) -> CommitStatus | None:
    """The newest of a head's commit statuses named `context` (fleetbot's own), or None."""
    mine = [x for x in found if x.get("name") == context]
    if not mine:
        return None
    latest = max(mine, key=lambda x: int(x.get("id") or 0))
    return CommitStatus(sha, context,
                        STATUS_BACK.get(str(latest.get("status")), StatusState.PENDING),
                        str(latest.get("description") or ""), str(latest.get("target_url") or ""))
