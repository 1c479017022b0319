"""Branch names as git accepts them: `git check-ref-format --branch`, as a pure function.

The rules are git's own (git-check-ref-format(1)), checked here without running git so
plan parsing and lint stay pure; tests compare this with the real command.
"""

from __future__ import annotations

_FORBIDDEN = frozenset(" ~^:?*[\\")


def branch_name_problem(name: str) -> str:
    """Why git would refuse `name` as a branch name, or "" when it is fine."""
    if not name:
        return "it is empty"
    if name.startswith("-"):
        return "it starts with `-`"
    if name == "HEAD":
        return "`HEAD` is not a branch name"
    if name == "@":
        return "`@` alone is not a branch name"
    for ch in name:
        if ord(ch) < 0x20 or ord(ch) == 0x7F:
            return "it contains a control character"
        if ch in _FORBIDDEN:
            return f"it contains {'a space' if ch == ' ' else repr(ch)}"
    if ".." in name:
        return "it contains `..`"
    if "@{" in name:
        return "it contains `@{`"
    if name.startswith("/") or name.endswith("/") or "//" in name:
        return "it starts or ends with `/`, or has `//`"
    if name.endswith("."):
        return "it ends with `.`"
    for part in name.split("/"):
        if part.startswith("."):
            return f"a part starts with `.` ({part!r})"
        if part.endswith(".lock"):
            return f"a part ends with `.lock` ({part!r})"
    return ""
