"""Console output for long operations: live progress on a terminal, plain lines in logs.

On a TTY, ``progress`` rewrites one status line in place (so a deploy shows what
it is doing without scrolling); when stdout is not a terminal (CI logs, pipes),
progress lines are printed once each, plainly, with no control characters.
``info`` lines are always kept. ``info``/``warn`` make it a
``chalice.deploy.reporter.Reporter`` and a ``chalice.package.UI``. This module must not import botocore.
"""

from __future__ import annotations

import sys
import threading
from typing import TextIO

_CLEAR_LINE = "\r\x1b[K"


class ConsoleUI:
    """The reporter the CLI hands to deploy, delete, package and local builds.

    Thread-safe: deploy steps run in parallel and report concurrently.
    """

    def __init__(
        self,
        *,
        out: TextIO | None = None,
        err: TextIO | None = None,
        tty: bool | None = None,
        show_progress: bool = True,
    ) -> None:
        self._out = out if out is not None else sys.stdout
        self._err = err if err is not None else sys.stderr
        isatty = getattr(self._out, "isatty", None)
        self._tty = tty if tty is not None else bool(isatty and isatty())
        self._show_progress = show_progress
        self._lock = threading.Lock()
        self._status_shown = False

    @property
    def is_tty(self) -> bool:
        """Whether progress is drawn in place (stdout is a terminal)."""
        return self._tty

    def _clear_status(self) -> None:
        if self._status_shown:
            self._out.write(_CLEAR_LINE)
            self._status_shown = False

    def progress(self, message: str) -> None:
        """A transient status ("Creating IAM role..."): in place on a TTY, else one line."""
        if not self._show_progress:
            return
        with self._lock:
            if self._tty:
                self._clear_status()
                self._out.write(message.splitlines()[0] if message else "")
                self._status_shown = True
            else:
                self._out.write(message + "\n")
            self._out.flush()

    def info(self, message: str) -> None:
        """A line of output that stays (results, summaries)."""
        with self._lock:
            self._clear_status()
            self._out.write(message + "\n")
            self._out.flush()

    def warn(self, message: str) -> None:
        """A warning on stderr."""
        with self._lock:
            self._clear_status()
            self._out.flush()
            self._err.write(message + "\n")
            self._err.flush()

    def finish(self) -> None:
        """Remove a leftover status line (call when the operation ends)."""
        with self._lock:
            self._clear_status()
            self._out.flush()
