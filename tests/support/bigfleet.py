"""Old import path of the N-row fleet builder: it lives in tests/support/repo.py."""

from tests.support.repo import big_fleet

__all__ = ["big_fleet"]
