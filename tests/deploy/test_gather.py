"""``resources.base.gather``: a planner's independent reads go out together."""

from __future__ import annotations

import threading

import pytest

from chalice.deploy.resources.base import gather


def test_reads_run_at_once_and_answers_keep_their_order() -> None:
    # Each read waits for the other to start: in series this would break the
    # barrier (the timeout is a hang guard only, never a pass condition).
    barrier = threading.Barrier(2, timeout=30)

    def read(value: str) -> str:
        barrier.wait()
        return value

    assert gather(lambda: read("subscriptions"), lambda: read("policy")) == [
        "subscriptions",
        "policy",
    ]


def test_every_read_finishes_then_the_first_error_is_raised() -> None:
    finished: list[str] = []

    def fails() -> None:
        raise ValueError("refused")

    def works() -> str:
        finished.append("works")
        return "ok"

    with pytest.raises(ValueError, match="refused"):
        gather(fails, works)
    assert finished == ["works"]
    assert gather() == []
