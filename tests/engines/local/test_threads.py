"""Thread settings: math pools capped, and the priority worker's order."""

from __future__ import annotations

import threading

import pytest

from openrealtime.engines.local.threads import PriorityWorker, limit_math_threads


def test_math_pools_are_capped_unless_set() -> None:
    env = {"OMP_NUM_THREADS": "4"}
    limit_math_threads(1, env)
    assert env == {
        "OMP_NUM_THREADS": "4",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "OMP_WAIT_POLICY": "PASSIVE",
    }


def test_the_worker_runs_the_lowest_priority_first_then_by_arrival() -> None:
    worker = PriorityWorker("test")
    gate = threading.Event()
    ran: list[str] = []
    blocker = worker.submit(0, gate.wait)
    jobs = [worker.submit(p, ran.append, name) for p, name in ((2, "c"), (1, "b1"), (0, "a"))]
    jobs.append(worker.submit(1, ran.append, "b2"))
    gate.set()
    blocker.result(timeout=5)
    for job in jobs:
        job.result(timeout=5)
    assert ran == ["a", "b1", "b2", "c"]
    worker.shutdown()


def test_failures_reach_the_caller_and_shutdown_cancels_what_is_queued() -> None:
    worker = PriorityWorker("test")
    with pytest.raises(ZeroDivisionError):
        worker.submit(0, lambda: 1 / 0).result(timeout=5)
    gate, started = threading.Event(), threading.Event()

    def hold() -> bool:
        started.set()
        return gate.wait()

    running = worker.submit(0, hold)
    started.wait(timeout=5)
    queued = worker.submit(0, lambda: "never")
    worker.shutdown()
    gate.set()
    assert running.result(timeout=5) is True
    with pytest.raises(RuntimeError, match="shut down"):
        worker.submit(0, lambda: None)
    worker._thread.join(timeout=5)
    assert queued.cancelled()
