"""Rate-limit waits bounded by the time the run has left: one home for GitHub and GitLab.

A forge that says "slow down" (GitHub: 403/429 with `Retry-After`, `x-ratelimit-reset` or
the secondary-limit message; GitLab: 429 with `Retry-After` or `RateLimit-Reset`) is waited
for only while the wait fits in the time left before the run's deadline; a longer wait gives
up at once with a `ForgeError` typed RATE_LIMIT (or SECONDARY_RATE_LIMIT) that says when the
limit resets, instead of sleeping past the job's timeout. `rate_limit` and `bounded` are
pure; `Deadline` carries the clock and the sleep, so tests inject both and never sleep.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import field
from datetime import datetime, timezone
from enum import Enum

from fleetbot.errors import ForgeCause, ForgeError, UsageError
from fleetbot.frozen import frozen

DEFAULT_BUDGET = 600.0  # seconds a run may spend waiting in all: a 10-minute job
SECONDARY_WAIT = 60.0  # GitHub: "wait at least one minute" when no header says how long
BUDGET_VAR = "FLEETBOT_TIME_BUDGET"  # seconds from the start of the run
DEADLINE_VAR = "FLEETBOT_DEADLINE"  # an absolute time: epoch seconds or ISO 8601


class LimitKind(str, Enum):
    PRIMARY = "primary"  # the token's hourly budget is spent
    SECONDARY = "secondary"  # GitHub's limit on bursts (too many requests at once)

    @property
    def cause(self) -> ForgeCause:
        return (ForgeCause.SECONDARY_RATE_LIMIT if self is LimitKind.SECONDARY
                else ForgeCause.RATE_LIMIT)


@frozen
class Limit:
    """A rate-limit answer: which limit, how long the forge asks to wait, when it resets."""

    kind: LimitKind
    wait: float  # seconds
    resets_at: float  # epoch seconds


def rate_limit(status: int, headers: Mapping[str, str], message: str, now: float, *,
               secondary: bool = True) -> Limit | None:
    """The limit an answer reports, or None when it is no rate limit (a plain 403 is a
    missing permission). `x-ratelimit-remaining: 0` (GitLab: `RateLimit-Remaining`) or
    "API rate limit" is the primary limit; the "secondary rate limit" message, or a
    `Retry-After` while requests remain, is GitHub's secondary one (`secondary=False`:
    a forge that has none, GitLab)."""
    if status not in (403, 429):
        return None
    low = {k.lower(): str(v) for k, v in (headers or {}).items()}
    text = message.lower()
    spent = (low.get("x-ratelimit-remaining") or low.get("ratelimit-remaining")) == "0"
    after = retry_after(low.get("retry-after"), now)
    reset = _number(low.get("x-ratelimit-reset") or low.get("ratelimit-reset"))
    if "secondary rate limit" in text or (after is not None and not spent
                                          and "rate limit" not in text):
        kind = LimitKind.SECONDARY
    elif spent or "rate limit" in text or status == 429:
        kind = LimitKind.PRIMARY
    else:
        return None
    if not secondary:
        kind = LimitKind.PRIMARY
    if after is not None:
        wait = after
    elif reset is not None:
        wait = max(0.0, reset - now) + 1.0  # +1: the reset happens somewhere in that second
    else:
        wait = SECONDARY_WAIT
    return Limit(kind, wait, reset if reset is not None and after is None else now + wait)


def bounded(limit: Limit, left: float) -> float | None:
    """The wait to make (the forge's own), or None to give up: it would not end in time."""
    return limit.wait if limit.wait <= left else None


def give_up_text(who: str, limit: Limit, left: float) -> str:
    """The sentence a run that gave up on a rate limit ends with: which limit, when it
    resets, how long the run had left, what happens next."""
    which = ("secondary rate limit (too many requests at once)"
             if limit.kind is LimitKind.SECONDARY else "API rate limit (the token's budget)")
    return (f"gave up: {who}'s {which} asks to wait {limit.wait:.0f}s, until "
            f"{utc(limit.resets_at)}, "
            f"more than the {left:.0f}s this run has left ({BUDGET_VAR}); "
            "the next run after the reset catches up")


def utc(epoch: float) -> str:
    """`2027-01-16 11:46:40 UTC`: when a limit resets, as a person reads it."""
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _now() -> float:
    return time.time()


def _sleep(seconds: float) -> None:
    time.sleep(seconds)  # looked up at call time: tests patch time.sleep


@frozen
class Deadline:
    """When the run must be done, with the clock and the sleep it waits with."""

    at: float  # epoch seconds
    now: Callable[[], float] = field(default=_now, compare=False)
    sleep: Callable[[float], None] = field(default=_sleep, compare=False)

    @classmethod
    def after(cls, seconds: float = DEFAULT_BUDGET, *,
              now: Callable[[], float] = _now,
              sleep: Callable[[float], None] = _sleep) -> Deadline:
        return cls(now() + seconds, now, sleep)

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, now: Callable[[], float] = _now,
                 sleep: Callable[[float], None] = _sleep) -> Deadline:
        """FLEETBOT_DEADLINE (an absolute time), else FLEETBOT_TIME_BUDGET seconds from
        now, else DEFAULT_BUDGET; a value that is neither is a usage error (exit 2)."""
        at = env.get(DEADLINE_VAR, "").strip()
        if at:
            when = _number(at)
            if when is None:
                try:
                    parsed = datetime.fromisoformat(at.replace("Z", "+00:00"))
                except ValueError:
                    raise UsageError(f"{DEADLINE_VAR}={at!r} is not a time: give epoch seconds "
                                     "or ISO 8601 (2026-12-01T20:45:00Z)") from None
                if parsed.tzinfo is None:
                    parsed = parsed.replace(tzinfo=timezone.utc)
                when = parsed.timestamp()
            return cls(when, now, sleep)
        budget = env.get(BUDGET_VAR, "").strip()
        if budget:
            seconds = _number(budget)
            if seconds is None or seconds < 0:
                raise UsageError(f"{BUDGET_VAR}={budget!r} is not a number of seconds "
                                 "(for example 600)")
            return cls.after(seconds, now=now, sleep=sleep)
        return cls.after(now=now, sleep=sleep)

    def left(self) -> float:
        return max(0.0, self.at - self.now())

    def wait_for(self, limit: Limit, who: str) -> float:
        """Sleep the forge's wait if it ends in time, else raise the typed give-up."""
        left = self.left()
        wait = bounded(limit, left)
        if wait is None:
            raise ForgeError(give_up_text(who, limit, left), cause=limit.kind.cause,
                             status=429, resets_at=limit.resets_at)
        if wait > 0:
            self.sleep(wait)
        return wait


def _number(text: str | None) -> float | None:
    try:
        value = float(text) if text else None
    except ValueError:
        return None
    return value if value is not None and value == value and abs(value) != float("inf") else None


def retry_after(text: str | None, now: float) -> float | None:
    """`Retry-After` as seconds from now (a number of seconds, or an HTTP date); None when
    absent or unreadable."""
    if text is None or not text.strip():
        return None
    seconds = _number(text.strip())
    if seconds is not None:
        return max(0.0, seconds)
    try:
        when = email.utils.parsedate_to_datetime(text.strip())
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)
