"""fleetbot: keeps the fan-in of a fleet of parallel branches honest."""

__version__ = "0.1.0"

# the coordination plan's file, at the top of the repository and on the target branch
DEFAULT_PLAN = "orchestration-plan.md"
