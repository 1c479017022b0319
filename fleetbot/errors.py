"""One error hierarchy, mapped to exit codes in one place (`cli.py`).

Every error a user can cause is a `FleetbotError` carrying a message a person can act
on; anything else reaching the top is a bug and exits 3.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes, shared by every command."""

    OK = 0
    FINDINGS = 1  # findings that should block (only with --strict)
    BAD_INPUT = 2  # plan, config, git state, permissions, usage
    BUG = 3  # an unexpected error: please report it
    INTERRUPTED = 130


class FleetbotError(Exception):
    """Base of every error a user can cause; `str()` is the whole message."""

    exit_code: ExitCode = ExitCode.BAD_INPUT


class PlanError(FleetbotError):
    """A plan that cannot be read or is invalid; points at `file:line` and says the fix."""

    def __init__(
        self, message: str, *, file: str = "", line: int = 0, hint: str = "",
        code: str = "invalid-file",
    ) -> None:
        self.code = code  # a FindingCode value
        self.file = file
        self.line = line
        self.hint = hint
        self.message = message
        super().__init__(self._format())

    def _format(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file and self.line else (
            f"{self.file}: " if self.file else ""
        )
        fix = f"\n  fix: {self.hint}" if self.hint else ""
        return f"{where}{self.message}{fix}"


class PlanErrors(PlanError):
    """Several plan errors at once (lint found more than one); the first leads."""

    def __init__(self, errors: Sequence[PlanError]) -> None:
        self.errors = list(errors)
        first = self.errors[0]
        super().__init__(
            first.message, file=first.file, line=first.line, hint=first.hint, code=first.code
        )
        if len(self.errors) > 1:
            rest = "\n".join(str(e) for e in self.errors[1:])
            self.args = (f"{self.args[0]}\n{rest}",)

    def __str__(self) -> str:
        return str(self.args[0])


class GitError(FleetbotError):
    """A git command failed: shows the command, its exit code and stderr."""

    def __init__(
        self, message: str, *, argv: Sequence[str] = (), code: int | None = None,
        stderr: str = "", hint: str = "",
    ) -> None:
        self.argv = list(argv)
        self.code = code
        self.stderr = stderr.strip()
        self.hint = hint
        parts = [message]
        if self.argv:
            parts.append(f"  command: {' '.join(self.argv)} (exit {self.code})")
        if self.stderr:
            parts.append("  " + self.stderr.replace("\n", "\n  "))
        if hint:
            parts.append(f"  fix: {hint}")
        super().__init__("\n".join(parts))


class ForgeError(FleetbotError):
    """The forge refused or failed; never carries the token."""


class UsageError(FleetbotError):
    """Options that do not fit together, or a missing precondition."""
