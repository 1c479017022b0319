"""The plan validator generated from schemas/plan.schema.json (plan/validator_gen.py) is
what the schema makes today, and accepts exactly what jsonschema accepts."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fleetbot.errors import PlanErrors
from fleetbot.plan import validator_gen
from fleetbot.plan.parse import _valid, parse_plan
from fleetbot.plan.plan_validator import validate
from fleetbot.plan.schemas import load_schema, schema_text
from tests.support.examples import examples

JSONSCHEMA = jsonschema.Draft202012Validator(load_schema("plan"))


def test_the_committed_module_is_what_the_schema_generates() -> None:
    assert validator_gen.MODULE.read_text("utf-8") == validator_gen.generate(
        schema_text("plan")), "regenerate: python -m fleetbot.plan.validator_gen"


SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([1.0, 2.5]),
                   st.sampled_from(["", "#1", "a.py", "f/a", "main"]))
VALUE = st.recursive(SCALAR, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.tuples(inner),
    st.dictionaries(st.sampled_from(["x", "issue", "rows"]), inner, max_size=2)),
    max_leaves=6)
ROW_KEYS = ["issue", "branch", "title", "worktree", "files_owned", "depends_on", "status",
            "extra"]
ROW = st.dictionaries(st.sampled_from(ROW_KEYS), VALUE, max_size=8)
PLAN_KEYS = ["regenerable", "target", "test", "repo", "fleetbot", "other"]
PLAN = st.builds(
    lambda top, rows, with_rows: {**top, **({"rows": rows} if with_rows else {})},
    st.dictionaries(st.sampled_from(PLAN_KEYS), VALUE, max_size=4),
    st.one_of(st.lists(ROW, max_size=3), VALUE), st.booleans(),
)
# rows that are mostly valid, so both verdicts are met often
GOOD_ROW = st.fixed_dictionaries(
    {"issue": st.one_of(st.sampled_from(["#1", "#2 two"]), st.integers(1, 9)),
     "branch": st.sampled_from(["f/a", "f/b"])},
    optional={k: st.one_of(st.none(), st.sampled_from(["a.py", ""]),
                           st.lists(st.one_of(st.sampled_from(["a.py"]), st.integers(0, 2),
                                              st.booleans()), max_size=2), st.integers(0, 1))
              for k in ROW_KEYS[2:]},
)
NEAR = st.builds(
    lambda top, rows: {**top, "rows": rows},
    st.fixed_dictionaries({}, optional={
        "regenerable": st.lists(st.sampled_from(["*.lock", ""]), max_size=2),
        "target": st.sampled_from(["main", ""]), "repo": st.sampled_from(["o/r", 1]),
        "fleetbot": st.one_of(st.just({}), st.just([]))}),
    st.lists(GOOD_ROW, max_size=3),
)


def _jsonschema_valid(data: Any) -> bool:
    return not any(True for _ in JSONSCHEMA.iter_errors(data))


@pytest.mark.property
@settings(max_examples=examples(400, 60), deadline=None)
@given(st.one_of(PLAN, NEAR))
def test_the_generated_validator_agrees_with_jsonschema(data: dict[str, Any]) -> None:
    assert _valid(data) is _jsonschema_valid(data), json.dumps(data, default=str)


@pytest.mark.parametrize("data", [
    {"rows": [{"issue": "#1", "branch": "f/a"}]},
    {"rows": [{"issue": 1.0, "branch": "f/a", "files_owned": ["a.py", 2]}], "target": "m"},
    {"rows": [{"issue": "#1", "branch": "f/a", "depends_on": None, "worktree": None}]},
])
def test_valid_plans(data: dict[str, Any]) -> None:
    assert _valid(data) and _jsonschema_valid(data)
    assert validate(data) is data


@pytest.mark.parametrize("data", [
    {}, {"rows": []}, {"rows": [{"issue": "#1"}]}, {"rows": [{"issue": True, "branch": "b"}]},
    {"rows": [{"issue": "#1", "branch": "b", "files_owned": ("a.py",)}]},
    {"rows": [{"issue": "#1", "branch": "b", "files_owned": [None]}]},
    {"rows": [{"issue": "#1", "branch": "b"}], "target": ""},
    {"rows": [{"issue": "#1", "branch": "b"}], "nope": 1},
    {"rows": [{"issue": "#1", "branch": "b", "nope": 1}]}, [],
])
def test_invalid_plans(data: Any) -> None:
    assert not _valid(data) and not _jsonschema_valid(data)


def test_an_invalid_plan_is_still_worded_by_jsonschema_with_its_line() -> None:
    text = "rows:\n  - issue: '#1'\n    branch: f/a\n    colour: red\n"
    with pytest.raises(PlanErrors) as info:
        parse_plan(text, "plan.yaml", "yaml")
    (error,) = info.value.errors
    assert error.message == "unknown field 'colour' in row 1"
    assert error.line == 4  # the unknown key's own line, not the row's first


def test_a_valid_plan_never_imports_jsonschema(tmp_path: Any) -> None:
    plan = tmp_path / "orchestration-plan.md"
    plan.write_text("| Issue | Branch | Files owned |\n|---|---|---|\n| #1 | f/a | `a.py` |\n")
    code = ("import sys; from pathlib import Path; from fleetbot.plan.parse import parse_plan;"
            f"parse_plan(Path({str(plan)!r}).read_text()); "
            "print('jsonschema' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"
