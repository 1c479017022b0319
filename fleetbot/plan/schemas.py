"""The JSON Schemas in `schemas/`, found both in a wheel and in a source checkout."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any


@lru_cache(maxsize=8)
def load_schema(name: str) -> dict[str, Any]:
    """`load_schema("plan")` -> the parsed `schemas/plan.schema.json`."""
    filename = f"{name}.schema.json"
    packaged = resources.files("fleetbot").joinpath("schemas").joinpath(filename)
    if packaged.is_file():
        text = packaged.read_text(encoding="utf-8")
    else:  # editable install / source checkout
        text = (Path(__file__).resolve().parents[2] / "schemas" / filename).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data
