"""How many examples a property test runs.

The quick default run (`pytest -n 2`, the README's command) takes a few per property so the
suite stays fast; CI's second step (`.ci/run`) sets FLEETBOT_FULL_PROPERTIES=1 and runs the
`property`-marked tests with the full count (at least 50, as the issues ask).
"""

from __future__ import annotations

import os

FULL = os.environ.get("FLEETBOT_FULL_PROPERTIES") == "1"


def examples(full: int, quick: int = 10) -> int:
    """`full` in CI's property step, at most `quick` otherwise."""
    return full if FULL else min(full, quick)
