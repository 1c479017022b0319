"""Annotations, outputs and notes the Action adds around the report."""

from __future__ import annotations

import json
from dataclasses import replace

from fleetbot.errors import PlanError, PlanErrors
from fleetbot.model import (
    Blocker,
    BlockerKind,
    Conflict,
    ConflictKind,
    Finding,
    MergeStep,
    Plan,
    Replay,
    ReplayStop,
    Report,
    Row,
    Severity,
    Status,
)
from fleetbot.render.workflow import (
    blocks_strictly,
    conflict_annotations,
    finding_annotations,
    not_in_fleet_note,
    outputs,
    plan_error_annotations,
    plan_error_summary,
    read_only_note,
    strongest,
    verdict_word,
)

ROWS = (Row("#42", "feature/42-count"), Row("#43", "feature/43-docs"),
        Row("#44", "feature/44-clear"))
PLAN = Plan(rows=ROWS)
TEXTUAL = Conflict(ConflictKind.TEXTUAL, ("#42", "#44"), files=("tasks/cli.py",))
DRIFT = Conflict(ConflictKind.DRIFT, ("#43",), files=("tasks/cli.py", "setup.cfg"))
ORDER = (MergeStep(1, "#42", "feature/42-count"), MergeStep(2, "#43", "feature/43-docs"),
         MergeStep(3, "#44", "feature/44-clear", blocked_by=(Blocker(BlockerKind.DEPENDENCY, "#42"),)))


def report(*conflicts: Conflict, plan: Plan = PLAN) -> Report:
    return Report(target="origin/main", plan=plan, conflicts=conflicts, order=ORDER)


def test_annotations_land_on_the_files_of_the_prs_conflicts() -> None:
    lines = conflict_annotations(report(TEXTUAL, DRIFT), ["#44"])
    assert lines == [
        "::warning file=tasks/cli.py,title=fleetbot%3A textual conflict with #42::"
        "#44 and #42: collides when both land"
    ]


def test_drift_annotations_name_each_file() -> None:
    lines = conflict_annotations(report(TEXTUAL, DRIFT), ["#43"])
    assert [line.split("::")[1] for line in lines] == [
        "warning file=tasks/cli.py,title=fleetbot%3A scope drift",
        "warning file=setup.cfg,title=fleetbot%3A scope drift",
    ]


def test_regenerable_conflicts_are_not_annotated() -> None:
    regen = Conflict(ConflictKind.TEXTUAL, ("#42", "#44"), files=("uv.lock",), regenerable=True)
    assert conflict_annotations(report(regen), ["#42"]) == []


def test_plan_warnings_are_pinned_to_their_row() -> None:
    finding = Finding(Severity.WARNING, "joint", "#42 and #44 both own tasks/cli.py", line=10,
                      hint="make #44 depend on #42")
    r = Report(target="main", plan=Plan(rows=ROWS, source="plan.md"), findings=(finding,))
    assert finding_annotations(r) == [
        "::warning file=plan.md,line=10,title=fleetbot%3A plan joint::"
        "#42 and #44 both own tasks/cli.py (fix: make #44 depend on #42)"
    ]


def test_plan_errors_become_error_annotations_with_file_and_line() -> None:
    exc = PlanErrors([PlanError("unknown dependency #9", file="orchestration-plan.md", line=8,
                                hint="fix the ref")])
    assert plan_error_annotations(exc) == [
        "::error file=orchestration-plan.md,line=8,title=fleetbot%3A invalid plan::"
        "unknown dependency #9 (fix: fix the ref)"
    ]
    summary = plan_error_summary(exc, "origin/main")
    assert "`orchestration-plan.md:8`: unknown dependency #9" in summary
    assert "Nothing was written" in summary


def test_strict_blocks_the_row_the_replay_stops_at_and_drift_only_when_not_expected(
) -> None:
    stopped = replace(report(TEXTUAL), replay=Replay(
        clean=False, stops_at=3, stops_at_issue="#44", files=("tasks/cli.py",),
        stops=(ReplayStop(3, "#44", ("tasks/cli.py",)),)))
    assert blocks_strictly(stopped, "#44")
    assert not blocks_strictly(stopped, "#42")  # it lands first: #44 rebases after it
    assert not blocks_strictly(report(TEXTUAL), "#44")  # no replay stop: nothing to resolve
    assert blocks_strictly(report(DRIFT), "#43")
    assert not blocks_strictly(report(DRIFT), "#42")
    expected = Conflict(ConflictKind.TEXTUAL, ("#42", "#44"), expected=True)
    assert not blocks_strictly(report(expected), "#44")
    assert not blocks_strictly(report(Conflict(ConflictKind.DIFF, ("#42", "#44"))), "#44")


def test_verdict_words() -> None:
    assert verdict_word(report()) == "clean"
    assert verdict_word(report(Conflict(ConflictKind.DIFF, ("#42", "#44")))) == "warnings"
    assert verdict_word(report(TEXTUAL)) == "conflicts"


def test_outputs_name_the_next_pr_and_the_order_as_json() -> None:
    out = outputs("conflicts", report(TEXTUAL, DRIFT), {"#42": 12, "#44": 14})
    assert out["verdict"] == "conflicts"
    assert out["conflicts"] == "2"
    assert out["next"] == "#12"
    order = json.loads(out["order"])
    assert order[2] == {"position": 3, "issue": "#44", "branch": "feature/44-clear",
                        "pull": 14, "blocked_by": ["#42"], "reasons": []}


def test_next_skips_merged_rows_and_falls_back_to_the_issue() -> None:
    plan = Plan(rows=(Row("#42", "feature/42-count", status=Status.MERGED), *ROWS[1:]))
    assert outputs("clean", report(plan=plan), {})["next"] == "#43"


def test_outputs_without_a_report() -> None:
    assert outputs("ignored") == {"verdict": "ignored", "conflicts": "0", "next": "",
                                  "order": "[]"}


def test_notes_escape_what_comes_from_branches() -> None:
    note = not_in_fleet_note(7, "x`y", "orchestration-plan.md")
    assert "`x'y`" in note
    assert "pull_request_target" in read_only_note("pull_request")


def test_a_pair_colliding_three_ways_is_one_conflict_and_one_annotation() -> None:
    plan_c = Conflict(ConflictKind.PLAN, ("#42", "#44"), files=("tasks/cli.py",))
    diff_c = Conflict(ConflictKind.DIFF, ("#42", "#44"), files=("tasks/cli.py",))
    r = report(plan_c, diff_c, TEXTUAL, DRIFT)
    assert strongest(r.conflicts) == [DRIFT, TEXTUAL]
    assert outputs("conflicts", r)["conflicts"] == "2"
    assert len(conflict_annotations(r, ["#44"])) == 1
