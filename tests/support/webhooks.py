"""The vendored GitHub webhook examples (scripts/vendor_webhooks.py) as test inputs."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

WEBHOOKS = Path(__file__).parent.parent / "fixtures" / "github" / "webhooks"


def payload(name: str) -> dict[str, Any]:
    """A fresh copy of `tests/fixtures/github/webhooks/<name>.json` (edit it freely)."""
    data = json.loads((WEBHOOKS / f"{name}.json").read_text())
    assert isinstance(data, dict)
    return copy.deepcopy(data)
