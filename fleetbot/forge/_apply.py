"""The one apply loop both adapters use: one refusal text, create-once for comments.

An adapter supplies `write_one(action)` (raising a typed `ForgeError`) and the permission
each kind of write needs; this loop decides what a refusal means for the writes after it:
a cause that fails every write (no token, a rejected token, a spent rate limit, no
answer) stops the rest; a missing permission skips only the writes that need the same
permission; a label that could not be created is not added. Everything else still
happens, and the `Applied` says what was and was not written.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from fleetbot.errors import ForgeCause, ForgeError
from fleetbot.forge.ratelimit import utc
from fleetbot.forge.types import Action, ActionKind, Applied, Refusal, StickyComment

ATTEMPTS = 3  # tries of a create that failed with a 5xx or no answer
BACKOFF = 1.0  # seconds, doubled per attempt; tests patch time.sleep


def apply_all(
    actions: Sequence[Action],
    write_one: Callable[[Action], None],
    *,
    forge: str,
    repo: str,
    can_write: bool,
    token_hint: str,
    permission: Callable[[ActionKind], str],
) -> Applied:
    """Carry out `actions` in order with `write_one`; never raises for a refused write."""
    if not actions:
        return Applied()
    if not can_write:
        first = actions[0]
        text = (f"no {forge} token: set {token_hint} to write to {repo} "
                "(or use --dry-run). Nothing was written.")
        return Applied(refused=(Refusal(first, ForgeCause.NO_TOKEN, text),),
                       skipped=tuple(actions[1:]))
    written: list[Action] = []
    refused: list[Refusal] = []
    skipped: list[Action] = []
    denied: set[str] = set()  # permissions a refusal showed the token lacks
    missing_labels: set[str] = set()
    for i, action in enumerate(actions):
        if permission(action.kind) in denied or (
            action.kind is ActionKind.ADD_LABEL and action.label in missing_labels
        ):
            skipped.append(action)
            if action.kind is ActionKind.CREATE_LABEL:
                missing_labels.add(action.label)
            continue
        try:
            write_one(action)
        except ForgeError as exc:
            refused.append(Refusal(action, exc.cause, refusal_text(
                forge, repo, action, exc, permission(action.kind))))
            if exc.cause.stops_writes:
                skipped.extend(actions[i + 1:])
                break
            if exc.cause is ForgeCause.PERMISSION:
                denied.add(permission(action.kind))
            if action.kind is ActionKind.CREATE_LABEL:
                missing_labels.add(action.label)
            continue
        written.append(action)
    return Applied(tuple(written), tuple(refused), tuple(skipped))


def refusal_text(forge: str, repo: str, action: Action, exc: ForgeError, perm: str) -> str:
    """The one sentence a refused write gets, by cause; says how to fix it."""
    doing = f"{forge} refused to {action.describe()} in {repo}"
    status = f" ({exc.status})" if exc.status else ""
    if exc.cause is ForgeCause.PERMISSION and forge != "GitHub":
        return f"{str(exc).splitlines()[0]}; needs {perm}." if str(exc) else f"{doing}: {perm}"
    if exc.cause is ForgeCause.PERMISSION:
        return (f"{doing}{status}: the token lacks `{perm}`. In a workflow, grant "
                f"`permissions: {perm}`; pull requests from forks only get a read-only token.")
    if exc.cause in (ForgeCause.RATE_LIMIT, ForgeCause.SECONDARY_RATE_LIMIT):
        which = "secondary" if exc.cause is ForgeCause.SECONDARY_RATE_LIMIT else "primary"
        if exc.resets_at:  # a wait past the run's deadline (forge/ratelimit.py)
            return (f"{doing}{status}: the {which} rate limit is spent until "
                    f"{utc(exc.resets_at)}, after this run's deadline; the next run catches up.")
        return f"{doing}{status}: the {which} rate limit is spent; the next run catches up."
    if exc.cause is ForgeCause.TOO_LARGE:
        return f"{doing}{status}: the body is over the forge's size limit."
    first = str(exc).splitlines()[0] if str(exc) else exc.cause.value
    return f"{doing}: {first}"


def create_once(
    find: Callable[[], StickyComment | None],
    post: Callable[[], int],
    edit: Callable[[int], None],
    body: str,
    *,
    absent: bool = False,
) -> int:
    """Create the sticky comment once: re-read before creating and before every retry,
    so neither a racing run nor a 5xx-but-applied POST leaves two comments. `absent`: this
    run's refresh read every comment and none was ours, so the first try posts unread."""
    for attempt in range(ATTEMPTS):
        found = None if absent and attempt == 0 else find()
        if found is not None:
            if found.body.strip() != body.strip():
                edit(found.id)
            return found.id
        try:
            return post()
        except ForgeError as exc:
            retry = exc.status >= 500 or exc.cause is ForgeCause.UNREACHABLE
            if not retry or attempt == ATTEMPTS - 1:
                raise
        time.sleep(BACKOFF * 2**attempt)
    return 0  # pragma: no cover
