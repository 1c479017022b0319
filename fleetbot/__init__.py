"""fleetbot: keeps the fan-in of a fleet of parallel branches honest."""

import os

__version__ = "0.1.0"

# the coordination plan's file, at the top of the repository and on the target branch
DEFAULT_PLAN = "orchestration-plan.md"


def remembering() -> bool:
    """Whether fleetbot keeps what it learns in the git dir (the caches of facts, the
    plan record, the kept answers): not with FLEETBOT_NO_CACHE set."""
    return not os.environ.get("FLEETBOT_NO_CACHE")
