"""CI from check runs and commit statuses."""

from __future__ import annotations

from fleetbot.forge.ci import check_run, combine, commit_status
from fleetbot.model import CIState


def test_none_without_checks() -> None:
    assert combine([]) is CIState.NONE


def test_neutral_and_skipped_are_success() -> None:
    runs = [check_run("a", "completed", "neutral"), check_run("b", "completed", "skipped")]
    assert combine(runs) is CIState.SUCCESS


def test_latest_run_of_a_name_counts() -> None:
    runs = [check_run("t", "completed", "failure", "2026-01-01"),
            check_run("t", "completed", "success", "2026-01-02")]
    assert combine(runs) is CIState.SUCCESS
    assert combine(list(reversed(runs))) is CIState.SUCCESS


def test_failure_beats_pending_beats_success() -> None:
    assert combine([check_run("a", "in_progress", None), commit_status("s", "error")]) \
        is CIState.FAILURE
    assert combine([check_run("a", "queued", None), commit_status("s", "success")]) \
        is CIState.PENDING
    assert combine([check_run("a", "completed", "cancelled")]) is CIState.FAILURE
