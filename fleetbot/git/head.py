"""Which branch is checked out: what `fleetbot check` highlights."""

from __future__ import annotations

from fleetbot.git import Git


def current_branch(git: Git) -> str | None:
    """The branch checked out where `git` runs, or None when HEAD is detached."""
    proc = git.run_full("symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    name = proc.stdout.strip()
    return name if proc.returncode == 0 and name else None
