"""What blocks each plan issue on GitHub, in few reads (issue 16's budget).

GitHub's GraphQL schema has no issue dependencies, and each REST issue's
`issue_dependencies_summary` counts links without naming them. So: one issue list, newest
first down to the oldest plan issue, says how many issues block each plan issue and how
many it blocks. When every count is exactly what the plan's links make, those links are
taken as read (an idle refresh reads no link at all); a person's swap of two links that
keeps every count is the one change this cannot see, so scheduled runs read in full.
Otherwise only the cheaper side of the links that exist is read: `blocked_by` of each blocked
plan issue, or `blocking` of each plan issue that blocks (one read for a fan-in on a
foundation row). Only links between two plan issues of this repository are fleetbot's.
Every page is counted. The adapter supplies `get(url, params, doing) -> (items, next page's
URL or None)`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fleetbot.errors import ForgeCause, ForgeError

Get = Callable[[str, "dict[str, Any] | None", str], "tuple[Any, str | None]"]


def plan_links(get: Get, repo: str, numbers: list[int],
               planned: Mapping[int, frozenset[int]] | None = None,
               ) -> tuple[dict[int, tuple[int, ...]], bool, int]:
    """(plan issue -> the plan issues that block it, whether this GitHub has issue
    dependencies, requests made). `planned` (issue -> what the plan says blocks it) is
    taken as read when the counts match it exactly. An issue without a summary (an older
    GHES) is read by `blocked_by`, and a 404 there means no dependencies API at all:
    nothing more is read."""
    counts, made = dependency_counts(get, repo, numbers)
    if planned is not None and counts_match(counts, numbers, planned):
        return {x: tuple(sorted(ys)) for x, ys in planned.items() if ys}, True, made
    plan = set(numbers)
    blocked = [n for n in numbers if counts.get(n, (1, 0))[0] > 0]
    blocking = [n for n in numbers if counts.get(n, (0, 0))[1] > 0]
    found: dict[int, set[int]] = {}
    try:
        if len(counts) == len(numbers) and len(blocking) < len(blocked):
            for y in blocking:
                xs, n = dependencies(get, repo, y, "blocking")
                made += n
                for x in set(xs) & plan:
                    found.setdefault(x, set()).add(y)
        else:
            for x in blocked:
                ys, n = dependencies(get, repo, x, "blocked_by")
                made += n
                found[x] = set(ys) & plan
    except ForgeError as exc:
        if exc.cause is not ForgeCause.NOT_FOUND:
            raise
        return {}, False, made + 1  # an older GHES: no issue dependencies at all
    return {x: tuple(sorted(ys)) for x, ys in found.items()}, True, made


def dependencies(get: Get, repo: str, number: int, side: str) -> tuple[list[int], int]:
    """The issues of this repository on one side (`blocked_by`, `blocking`) of #number's
    dependencies, every page read; and the requests made."""
    here = f"/repos/{repo}".lower()
    found: list[int] = []
    made = 0
    params: dict[str, Any] | None = {"per_page": 100}
    url: str | None = f"/repos/{repo}/issues/{number}/dependencies/{side}"
    doing = (f"reading what blocks #{number}" if side == "blocked_by"
             else f"reading what #{number} blocks")
    while url:
        data, url = get(url, params, doing)
        made, params = made + 1, None
        found += [int(i["number"]) for i in data or []
                  if str(i.get("repository_url") or here).lower().endswith(here)]
    return found, made


def dependency_counts(get: Get, repo: str, numbers: list[int]
                      ) -> tuple[dict[int, tuple[int, int]], int]:
    """(issues blocking it, issues it blocks) for each of `numbers`, from the issue list
    newest first down to the oldest plan issue; and the requests made. A number not
    listed, or listed without a summary (an older GHES), is absent."""
    wanted = set(numbers)
    found: dict[int, tuple[int, int]] = {}
    made = 0
    params: dict[str, Any] | None = {"state": "all", "sort": "created", "direction": "desc",
                                     "per_page": 100}
    url: str | None = f"/repos/{repo}/issues"
    while url:
        data, url = get(url, params, "reading which plan issues are blocked")
        made, params = made + 1, None
        for item in data or []:
            summary = item.get("issue_dependencies_summary")
            if item.get("number") in wanted and isinstance(summary, dict):
                found[int(item["number"])] = (int(summary.get("total_blocked_by") or 0),
                                              int(summary.get("total_blocking") or 0))
        listed = [int(i["number"]) for i in data or [] if "number" in i]
        if wanted <= set(found) or not listed or min(listed) <= min(wanted):
            break
    return found, made


def counts_match(counts: Mapping[int, tuple[int, int]], numbers: list[int],
                 planned: Mapping[int, frozenset[int]]) -> bool:
    """Does every plan issue block, and is it blocked by, exactly as many issues as the
    plan's links make? (Any other link, here or in another repository, adds to a count.)"""
    blocking: dict[int, int] = {}
    for ys in planned.values():
        for y in ys:
            blocking[y] = blocking.get(y, 0) + 1
    return all(counts.get(n) == (len(planned.get(n, ())), blocking.get(n, 0))
               for n in numbers)
