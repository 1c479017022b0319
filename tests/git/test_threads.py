"""Plain-thread jobs (git/threads.py): answers in order, exceptions handed on."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from fleetbot.git import parallel
from fleetbot.git.threads import Job, run_all


def test_run_all_keeps_the_order_and_bounds_the_workers() -> None:
    running, most = 0, 0
    lock = threading.Lock()
    gate = threading.Barrier(2)

    def job(i: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        if i < 2:
            gate.wait(timeout=10)  # the first two run side by side
        with lock:
            running -= 1
        return i * i

    assert run_all([lambda i=i: job(i) for i in range(7)], 2) == [i * i for i in range(7)]
    assert most == 2
    assert run_all([], 4) == []
    assert parallel([lambda: 1, lambda: 2], 3) == [1, 2]


def test_run_all_raises_the_first_error_in_job_order() -> None:
    def boom(msg: str) -> int:
        raise ValueError(msg)

    with pytest.raises(ValueError, match="first"):
        run_all([lambda: 1, lambda: boom("first"), lambda: boom("second")], 3)


def test_a_job_returns_or_raises_and_is_waited_for() -> None:
    with Job(lambda: 41 + 1) as job:
        assert job.result() == 42

    def fail() -> int:
        raise KeyError("x")

    with pytest.raises(KeyError):
        Job(fail).result()


def test_fleetbots_git_layer_does_not_import_concurrent_futures() -> None:
    code = ("import sys, fleetbot.git.mergetree, fleetbot.git.landed, fleetbot.git.chain; "
            "print('concurrent.futures' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"
