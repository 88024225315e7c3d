"""Console output for long operations: live progress on a terminal, plain lines in logs.

``info`` lines (what was created, results) are always printed as they come.
While an ``activity`` runs on a TTY, a status line at the bottom shows a spinner,
the activity and the elapsed time, redrawn in place and cleared before every
other line, so a slow step (building wheels, waiting for IAM) visibly progresses.
When stdout is not a terminal (CI logs, pipes) there is no status line and no
control characters: just the plain lines. ``info``/``warn`` make this usable
wherever a ``chalice.package.UI`` is expected. Must not import botocore.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

_CLEAR_LINE = "\r\x1b[K"
_SPINNER = "|/-\\"


class ConsoleUI:
    """Thread-safe console reporter (deploy steps run and report in parallel)."""

    def __init__(self, *, out: TextIO | None = None, err: TextIO | None = None,
                 tty: bool | None = None, clock: Callable[[], float] = time.monotonic,
                 interval: float = 0.1) -> None:  # fmt: skip
        self._out = out if out is not None else sys.stdout
        self._err = err if err is not None else sys.stderr
        isatty = getattr(self._out, "isatty", None)
        self._tty = tty if tty is not None else bool(isatty and isatty())
        self._clock = clock
        self._interval = interval
        self._lock = threading.Lock()
        self._status: str | None = None
        self._status_shown = False
        self._started = 0.0
        self._ticks = 0

    @property
    def is_tty(self) -> bool:
        """Whether a live status line is drawn (stdout is a terminal)."""
        return self._tty

    def _clear_status(self) -> None:
        if self._status_shown:
            self._out.write(_CLEAR_LINE)
            self._status_shown = False

    def _draw_status(self) -> None:
        if self._status is None:
            return
        elapsed = int(self._clock() - self._started)
        spin = _SPINNER[self._ticks % len(_SPINNER)]
        self._out.write(f"{_CLEAR_LINE}{spin} {self._status} ({elapsed}s)")
        self._status_shown = True

    def info(self, message: str) -> None:
        """A line of output that stays."""
        with self._lock:
            self._clear_status()
            self._out.write(message + "\n")
            if self._tty:
                self._draw_status()
            self._out.flush()

    def warn(self, message: str) -> None:
        """A warning on stderr."""
        with self._lock:
            self._clear_status()
            self._out.flush()
            self._err.write(message + "\n")
            self._err.flush()
            if self._tty:
                self._draw_status()
                self._out.flush()

    def tick(self) -> None:
        """Redraw the status line (the spinner thread calls this)."""
        with self._lock:
            self._ticks += 1
            if self._tty:
                self._draw_status()
                self._out.flush()

    @contextmanager
    def activity(self, label: str) -> Iterator[None]:
        """Show ``label`` with a spinner and elapsed time while the block runs (TTY only)."""
        if not self._tty:
            yield
            return
        stop = threading.Event()
        with self._lock:
            self._status = label
            self._started = self._clock()
            self._draw_status()
            self._out.flush()

        def spin() -> None:
            while not stop.wait(self._interval):
                self.tick()

        thread = threading.Thread(target=spin, name="chalice-progress", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
            with self._lock:
                self._status = None
                self._clear_status()
                self._out.flush()
