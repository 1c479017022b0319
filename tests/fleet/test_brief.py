from __future__ import annotations

import json

from fleetbot.fleet.brief import build_brief, render_markdown, render_text
from fleetbot.model import (
    Conflict,
    ConflictKind,
    Landed,
    LandedHow,
    MergeStep,
    OwnedPath,
    Plan,
    Row,
)

PLAN = Plan(rows=(
    Row("#1", "feature/1-core", title="core", files_owned=(OwnedPath("core/**"),)),
    Row("#2", "feature/2-ui", title="ui <b>@team</b>",
        files_owned=(OwnedPath("ui/**"), OwnedPath("core/api.py", "one fn")),
        depends_on=("#1",)),
    Row("#3", "feature/3-cli", title="cli", files_owned=(OwnedPath("core/api.py"),)),
))
ORDER = (MergeStep(1, "#1", "feature/1-core"), MergeStep(2, "#3", "feature/3-cli"),
         MergeStep(3, "#2", "feature/2-ui"))


def test_brief_content() -> None:
    conflicts = [
        Conflict(ConflictKind.TEXTUAL, ("#3", "#2"), ("core/api.py",)),
        Conflict(ConflictKind.PLAN, ("#1", "#2"), ("core/api.py",), expected=True),
        Conflict(ConflictKind.DRIFT, ("#2",), ("README.md",)),
        Conflict(ConflictKind.PLAN, ("#1", "#3"), ("core/api.py",)),
    ]
    b = build_brief(PLAN, PLAN.rows[1], target="main", merged={Landed("#1", LandedHow.ANCESTOR, "abc1234")}, conflicts=conflicts,
                    order=ORDER)
    assert b.owns == ("ui/**", "core/api.py (one fn)")
    assert [(f.pattern, f.owner) for f in b.must_not_touch] == [("core/**", "#1")]
    assert [(d.issue, d.merged) for d in b.depends_on] == [("#1", True)]
    by_other = {c.other: c for c in b.collisions}
    assert by_other["#3"].advice.startswith("#3 merges first")
    assert by_other["#1"].advice.startswith("expected")
    assert b.warnings == ("this branch changed files it does not own: README.md; revert "
                          "them or ask",)
    assert "Closes #2" in b.finish[-1]
    first = build_brief(PLAN, PLAN.rows[2], target="main", conflicts=conflicts, order=ORDER)
    assert first.collisions[0].advice.startswith("you merge before #2")
    unordered = build_brief(PLAN, PLAN.rows[2], target="main", conflicts=conflicts)
    assert unordered.collisions[0].advice.startswith("coordinate with #2")
    json.dumps(b.as_json())  # serialisable as is


def test_markdown_escapes_plan_text_and_text_does_not() -> None:
    b = build_brief(PLAN, PLAN.rows[1], target="main")
    md = render_markdown(b)
    assert "<b>" not in md
    assert "@team" not in md
    assert "&lt;b&gt;@\u200dteam" in md
    assert "- `core/**` (#1)" in md
    assert "NOT merged yet" in md
    assert "ui <b>@team</b>" in render_text(b)


def test_the_pr_goes_into_the_branch_and_git_merges_the_ref_read() -> None:
    conflicts = [Conflict(ConflictKind.TARGET, ("#3",), ("core/api.py",)),
                 Conflict(ConflictKind.TEXTUAL, ("#1", "#3"), ("core/api.py",))]
    b = build_brief(PLAN, PLAN.rows[2], target="main", merge_ref="origin/main",
                    conflicts=conflicts, order=ORDER)
    assert b.target == "main"
    assert b.warnings == ("this branch no longer merges onto origin/main (core/api.py); "
                          "merge origin/main in",)
    assert "merge origin/main into this branch" in b.collisions[0].advice
    assert b.finish[-1] == ("open a pull request from `feature/3-cli` into `main` with "
                            "`Closes #3` in its description")
    assert render_text(b).splitlines()[2].startswith("Branch feature/3-cli into main")
