"""`git.jobs`: results and errors come back to the caller, a `with` block waits for every
job, `parallel` keeps the order and its bound; and no command imports concurrent.futures."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from fleetbot.git.jobs import Jobs, parallel


def test_a_job_returns_its_value_and_raises_its_error_where_asked() -> None:
    def fail() -> int:
        raise ValueError("boom")

    with Jobs() as pool:
        good = pool.submit(lambda a, b=0: a + b, 2, b=3)
        bad = pool.submit(fail)
        assert good.result() == 5
        with pytest.raises(ValueError, match="boom"):
            bad.result()


def test_leaving_the_block_waits_for_every_job() -> None:
    finished: list[str] = []

    def slow() -> None:
        time.sleep(0.05)
        finished.append("slow")

    def caller() -> None:
        with Jobs() as pool:
            pool.submit(slow)
            raise KeyError("the caller fails first")

    with pytest.raises(KeyError):
        caller()
    assert finished == ["slow"]


def test_parallel_keeps_the_order_the_bound_and_the_first_error() -> None:
    running, most = 0, 0
    lock = threading.Lock()

    def job(i: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.01)
        with lock:
            running -= 1
        if i in (3, 5):
            raise ValueError(f"job {i}")
        return i * i

    assert parallel([lambda i=i: i * i for i in range(7)], workers=3) == [
        i * i for i in range(7)]
    with pytest.raises(ValueError, match="job 3"):
        parallel([lambda i=i: job(i) for i in range(8)], workers=2)
    assert most == 2
    assert parallel([], workers=2) == [] and parallel([lambda: 1]) == [1]


def test_a_conflicts_run_imports_neither_concurrent_futures_nor_logging(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.support.fleetrepo import tasks_repo

    repo = tasks_repo(tmp_path)
    probe = ("import sys\nfrom fleetbot.cli import run\nrun(['conflicts', '--format', 'json'])\n"
             "sys.stdout.flush()\n"
             "print(sorted({'concurrent', 'logging'} & {m.split('.')[0] for m in sys.modules}),"
             " file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", probe], cwd=repo.path, capture_output=True,
                          text=True, check=False)
    assert proc.stderr.strip().splitlines()[-1] == "[]", proc.stderr
    assert '"conflicts"' in proc.stdout
