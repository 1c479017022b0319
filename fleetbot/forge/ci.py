"""CI state from check runs and commit statuses, combined into one word. Pure.

GitHub reports CI twice: check runs (Actions and apps) and commit statuses (older
integrations). fleetbot folds both into success / pending / failure / none: the most
recent run of each check name counts (a re-run replaces a failure), and neutral or
skipped runs count as success.
"""

from __future__ import annotations

from collections.abc import Iterable

from fleetbot.frozen import frozen
from fleetbot.model import CIState

_SUCCESS = {"success", "neutral", "skipped"}
_PENDING_CONCLUSIONS = {"", "stale"}
_PENDING_STATES = {"pending", "expected", "queued", "in_progress", "waiting", "requested"}


@frozen
class Check:
    """One check run or commit status, normalised to lower case."""

    name: str
    state: CIState
    at: str = ""  # ISO time it finished (or started); newer wins per name


def check_run(name: str, status: str, conclusion: str | None, at: str = "") -> Check:
    """A check run (`status` queued/in_progress/completed, `conclusion` ...) -> Check."""
    status, concl = (status or "").lower(), (conclusion or "").lower()
    if status != "completed" or concl in _PENDING_CONCLUSIONS:
        return Check(name, CIState.PENDING, at)
    return Check(name, CIState.SUCCESS if concl in _SUCCESS else CIState.FAILURE, at)


def commit_status(context: str, state: str, at: str = "") -> Check:
    """A commit status (`success|pending|failure|error|expected`) -> Check."""
    state = (state or "").lower()
    if state in _PENDING_STATES:
        return Check(context, CIState.PENDING, at)
    return Check(context, CIState.SUCCESS if state == "success" else CIState.FAILURE, at)


def combine(checks: Iterable[Check]) -> CIState:
    """failure if any latest check failed, else pending if any runs, else success; none
    when there are no checks at all."""
    latest: dict[str, Check] = {}
    for check in checks:
        seen = latest.get(check.name)
        if seen is None or check.at >= seen.at:
            latest[check.name] = check
    states = {c.state for c in latest.values()}
    if not states:
        return CIState.NONE
    if CIState.FAILURE in states:
        return CIState.FAILURE
    if CIState.PENDING in states:
        return CIState.PENDING
    return CIState.SUCCESS
