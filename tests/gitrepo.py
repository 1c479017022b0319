"""Old import path of the repo builder: it lives in tests/support/repo.py."""

from tests.support.repo import GIT_ENV, Files, Repo, make_repo

__all__ = ["GIT_ENV", "Files", "Repo", "make_repo"]
