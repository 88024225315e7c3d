"""``chalice.concurrency.concurrently``: independent calls at once, results in order.

No test sleeps: a barrier or an event makes each call wait for another to
have started, which only calls run at once can satisfy (the timeouts are
hang guards, never pass conditions).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from chalice.concurrency import concurrently


def test_calls_run_at_once_and_results_keep_their_order() -> None:
    barrier = threading.Barrier(2, timeout=30)

    def read(value: str) -> str:
        barrier.wait()
        return value

    assert concurrently(lambda: read("subscriptions"), lambda: read("policy")) == [
        "subscriptions",
        "policy",
    ]
    assert concurrently() == []


def test_every_call_runs_then_the_first_error_is_raised() -> None:
    started = threading.Barrier(2, timeout=30)  # both calls are in flight at once
    ran: list[str] = []

    def first() -> None:
        started.wait()
        ran.append("first")
        raise ValueError("first failed")

    def second() -> None:
        started.wait()
        ran.append("second")
        raise KeyError("second failed")

    with pytest.raises(ValueError, match="first failed"):
        concurrently(first, second)
    assert sorted(ran) == ["first", "second"]


def test_the_last_call_runs_in_the_caller_s_thread() -> None:
    # Each call but the last gets a thread, started in order (a started
    # thread runs until its call is sent, so the first listed goes out
    # first); the last runs in the caller's thread, once the others started.
    caller = threading.current_thread()
    go = threading.Event()
    seen: list[tuple[str, bool]] = []
    lock = threading.Lock()

    def call(name: str) -> Callable[[], str]:
        def run() -> str:
            with lock:
                seen.append((name, threading.current_thread() is caller))
            if name == "last":
                go.set()
            else:
                assert go.wait(30)
            return name

        return run

    assert concurrently(call("first"), call("second"), call("last")) == ["first", "second", "last"]
    assert [s for s in seen if s[1]] == [("last", True)]
    assert {name for name, here in seen if not here} == {"first", "second"}
