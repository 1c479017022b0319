"""Git work side by side on plain threads.

`concurrent.futures` imports `logging` (about 10 ms of a cold run's start); the few jobs
fleetbot overlaps (a git process each, start-up bound) need only a thread, its answer
and its exception.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Generic, TypeVar

T = TypeVar("T")


class Job(Generic[T]):
    """`fn()` started on its own thread; `result()` waits and returns its answer or raises
    its exception. As a context, leaving waits for it, as a `ThreadPoolExecutor` does."""

    def __init__(self, fn: Callable[[], T]) -> None:
        self._fn = fn
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._fn()
        except BaseException as exc:  # handed to whoever asks for the result
            self._error = exc

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]

    def __enter__(self) -> Job[T]:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._thread.join()


def run_all(jobs: Sequence[Callable[[], T]], workers: int) -> list[T]:
    """Each job's answer, in order, at most `workers` running at once; the first
    exception (in job order) is raised once all have ended."""
    if len(jobs) <= 1 or workers <= 1:
        return [job() for job in jobs]
    answers: list[T | None] = [None] * len(jobs)
    errors: list[BaseException | None] = [None] * len(jobs)
    lock = threading.Lock()
    todo = iter(range(len(jobs)))

    def worker() -> None:
        while True:
            with lock:
                i = next(todo, None)
            if i is None:
                return
            try:
                answers[i] = jobs[i]()
            except BaseException as exc:
                errors[i] = exc

    threads = [threading.Thread(target=worker, daemon=True)
               for _ in range(min(workers, len(jobs)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for error in errors:
        if error is not None:
            raise error
    return answers  # type: ignore[return-value]
