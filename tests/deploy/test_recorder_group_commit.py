"""Recorder: changes made while a write runs are written together by the next one.

The store below holds its first write until the test lets it go; by then
the other threads have made their change in memory (``CountingState`` says
when) and wait for the writer. No clock, no sleep: events and a condition.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from chalice.deploy.executor import Recorder
from chalice.deploy.state import DeployedState, load_state


class HeldStore:
    """Keeps each written state's resource names; the first write waits for ``release``."""

    def __init__(self, *, fail_first: bool = False) -> None:
        self.written: list[list[str]] = []
        self.entered = threading.Event()
        self.release = threading.Event()
        self.fail_first = fail_first

    def __call__(self, state: DeployedState) -> None:
        first = not self.entered.is_set()
        if first:
            self.entered.set()
            assert self.release.wait(10), "the test never released the first write"
            if self.fail_first:
                raise OSError("disk full")
        self.written.append([str(r["name"]) for r in state.resources])


class Changes:
    """Counts the state changes made in memory (by ``CountingState``)."""

    def __init__(self) -> None:
        self.count = 0
        self.changed = threading.Condition()

    def wait_for(self, count: int) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: self.count >= count, timeout=10), (
                f"only {self.count} of {count} changes were made in memory"
            )

    def state(self) -> DeployedState:
        changes = self

        class CountingState(DeployedState):
            def with_resource(self, *args: Any, **kwargs: Any) -> DeployedState:
                new = super().with_resource(*args, **kwargs)
                with changes.changed:
                    changes.count += 1
                    changes.changed.notify_all()
                return new

        return CountingState()


def _record_all(recorder: Recorder, names: list[str], errors: list[BaseException]) -> list[threading.Thread]:
    def record(name: str) -> None:
        try:
            recorder.record(name, "lambda_function", {"lambda_arn": f"arn:{name}"})
        except BaseException as err:  # noqa: BLE001 - kept for the test to look at
            errors.append(err)

    threads = [threading.Thread(target=record, args=(n,)) for n in names]
    threads[0].start()
    return threads


def test_changes_made_during_a_write_share_the_next_one(tmp_path: Path) -> None:
    store = HeldStore()
    changes = Changes()
    recorder = Recorder(tmp_path, "dev", changes.state(), store=store)
    names = [f"f{i}" for i in range(9)]
    errors: list[BaseException] = []
    threads = _record_all(recorder, names, errors)
    assert store.entered.wait(10)
    for t in threads[1:]:
        t.start()
    changes.wait_for(9)
    store.release.set()
    for t in threads:
        t.join(10)
    assert not errors
    assert len(store.written) == 2, store.written  # not nine writes in a row
    assert store.written[0] == ["f0"]
    assert sorted(store.written[1]) == sorted(names)


def test_a_failed_write_is_redone_by_the_next_writer(tmp_path: Path) -> None:
    store = HeldStore(fail_first=True)
    changes = Changes()
    recorder = Recorder(tmp_path, "dev", changes.state(), store=store)
    errors: list[BaseException] = []
    threads = _record_all(recorder, ["a", "b"], errors)
    assert store.entered.wait(10)
    threads[1].start()
    changes.wait_for(2)
    store.release.set()
    for t in threads:
        t.join(10)
    # The thread whose write failed hears of it; b's write includes a's change.
    assert [str(e) for e in errors] == ["disk full"]
    assert store.written == [["a", "b"]]


def test_flush_writes_even_when_nothing_changed(tmp_path: Path) -> None:
    written: list[int] = []
    recorder = Recorder(
        tmp_path, "dev", DeployedState.empty(), store=lambda s: written.append(len(s.resources))
    )
    recorder.record("a", "lambda_function", {"lambda_arn": "arn:a"})
    recorder.flush()
    recorder.flush()
    assert written == [1, 1, 1]


@pytest.mark.parametrize("count", [1, 5])
def test_the_local_file_has_every_change(tmp_path: Path, count: int) -> None:
    recorder = Recorder(tmp_path, "dev", DeployedState.empty())
    threads = [
        threading.Thread(
            target=recorder.record, args=(f"f{i}", "lambda_function", {"lambda_arn": f"arn:{i}"})
        )
        for i in range(count)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(r["name"] for r in load_state(tmp_path, "dev").resources) == [
        f"f{i}" for i in range(count)
    ]
