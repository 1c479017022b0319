"""One error hierarchy, mapped to exit codes in one place (`cli.py`).

Every error a user can cause is a `FleetbotError` carrying a message a person can act
on; anything else reaching the top is a bug and exits 3.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum, IntEnum


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
    """Several plan errors at once (lint found more than one); the first leads, and each
    one after it is a line of its own that says `error:` as the first does when printed."""

    def __init__(self, errors: Sequence[PlanError]) -> None:
        self.errors = list(errors)
        first = self.errors[0]
        super().__init__(
            first.message, file=first.file, line=first.line, hint=first.hint, code=first.code
        )
        if len(self.errors) > 1:
            rest = "\n".join(f"error: {e}" for e in self.errors[1:])
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


class ForgeCause(str, Enum):
    """Why the forge said no, decided from the answer (status, headers, body), never from
    a message: callers branch on this, so no one parses "(403)" back out of text."""

    AUTH = "auth"  # 401: the token was rejected
    PERMISSION = "permission"  # 403: the token may not do this
    RATE_LIMIT = "rate-limit"  # the primary limit is spent (403/429, remaining 0)
    SECONDARY_RATE_LIMIT = "secondary-rate-limit"  # GitHub's abuse limit (403/429)
    NOT_FOUND = "not-found"  # 404 (or a GraphQL NOT_FOUND)
    LICENCE = "licence"  # the forge's edition lacks the feature (GitLab tiers)
    TOO_LARGE = "too-large"  # a body over the forge's limit (422 on a comment)
    UNREACHABLE = "unreachable"  # no answer: DNS, connection, timeout
    NO_TOKEN = "no-token"  # a write was wanted and no token is set
    OTHER = "other"

    @property
    def stops_writes(self) -> bool:
        """Every later write would fail the same way: stop instead of trying each."""
        return self in _STOPPING


_STOPPING = frozenset({ForgeCause.AUTH, ForgeCause.RATE_LIMIT,
                       ForgeCause.SECONDARY_RATE_LIMIT, ForgeCause.UNREACHABLE,
                       ForgeCause.NO_TOKEN})


class ForgeError(FleetbotError):
    """The forge refused or failed, typed by `cause` (with the HTTP `status`, 0 when there
    was no answer); never carries the token."""

    def __init__(self, message: str, *, cause: ForgeCause = ForgeCause.OTHER,
                 status: int = 0, resets_at: float = 0.0) -> None:
        super().__init__(message)
        self.cause = cause
        self.status = status
        self.resets_at = resets_at  # a rate limit's reset (epoch seconds), 0 when unknown


class UsageError(FleetbotError):
    """Options that do not fit together, or a missing precondition."""
