"""Load a plan (.md/.yml/.json) into a validated `Plan`. (Being written: issue #2.)"""

from __future__ import annotations

from pathlib import Path

from fleetbot.errors import PlanError
from fleetbot.model import Plan


def load_plan(path: Path) -> Plan:
    """Read, parse and validate the plan at `path`."""
    raise PlanError("plan loading is not implemented yet", file=str(path))
