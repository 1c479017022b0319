"""The repository's own JSON schemas (schemas/*.schema.json) as validators: each read and
checked against its meta-schema once per test process (a check costs about 60 ms)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


@cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    """The validator of schemas/NAME.schema.json, whose schema is itself valid."""
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def validate(name: str, data: Any) -> None:
    """Fail the test unless `data` validates against schemas/NAME.schema.json."""
    validator(name).validate(data)
