"""fleetbot: keeps the fan-in of a fleet of parallel branches honest."""

__version__ = "0.1.0"
