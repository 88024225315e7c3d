"""Progress output of deploy/delete: lines per resource, printed in plan order.

Steps run in parallel, but their lines are buffered per step and flushed in
plan order, so the output reads as if the deploy had run one resource at a
time. This module only writes text; it never decides anything.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable


def _stdout(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _stderr(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


class Reporter:
    """Where deploy/delete/plan write: ``info`` to stdout, ``warn`` to stderr."""

    def __init__(
        self,
        *,
        out: Callable[[str], None] = _stdout,
        err: Callable[[str], None] = _stderr,
    ) -> None:
        self._out = out
        self._err = err
        self._lock = threading.Lock()

    def info(self, text: str) -> None:
        with self._lock:
            for line in text.rstrip("\n").split("\n"):
                self._out(line)

    def warn(self, text: str) -> None:
        with self._lock:
            for line in text.rstrip("\n").split("\n"):
                self._err(line)


class OrderedOutput:
    """Buffers lines per step index; releases them to ``reporter`` in index order."""

    def __init__(self, reporter: Reporter, count: int) -> None:
        self._reporter = reporter
        self._buffers: list[list[str]] = [[] for _ in range(count)]
        self._done = [False] * count
        self._next = 0
        self._lock = threading.Lock()

    def say(self, index: int, line: str) -> None:
        with self._lock:
            self._buffers[index].append(line)
            if index == self._next:
                self._flush_current()

    def _flush_current(self) -> None:
        buf = self._buffers[self._next]
        for line in buf:
            self._reporter.info(line)
        buf.clear()

    def finish(self, index: int) -> None:
        """Step ``index`` is over; print everything that is now in order."""
        with self._lock:
            self._done[index] = True
            while self._next < len(self._done):
                self._flush_current()
                if not self._done[self._next]:
                    return
                self._next += 1

    def flush_all(self) -> None:
        """Print whatever is left (after a failure), still in index order."""
        with self._lock:
            while self._next < len(self._buffers):
                self._flush_current()
                self._next += 1
