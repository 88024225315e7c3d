"""``app.log``'s setup, imported on first use of ``app.log``.

Kept out of ``_app`` because ``logging`` is one of the costliest stdlib
imports at cold start and many functions never log. Standard library only.
"""

from __future__ import annotations

import logging
import sys
from typing import Any


class _StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler writing to ``sys.stdout`` as it is at each record.

    Upstream binds the handler to the ``sys.stdout`` of construction time.
    Ours is created on first use, possibly inside a test whose captured
    stdout is closed by the next test; following ``sys.stdout`` avoids
    writing to a dead stream. For a program that never swaps ``sys.stdout``
    it is the same thing.
    """

    @property
    def stream(self) -> Any:
        return sys.stdout

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def make_logger(name: str, configure: bool, debug: bool, *, set_level: bool) -> logging.Logger:
    """``logging.getLogger(name)``, configured exactly as upstream's constructor does.

    With ``configure`` and no stdout handler yet: one stdout handler with
    upstream's format, no propagation, level DEBUG/ERROR from ``debug``.
    Otherwise the logger is left alone (level included), unless ``debug``
    was assigned (``set_level``).
    """
    log = logging.getLogger(name)
    if configure:
        has_stdout = any(
            isinstance(h, logging.StreamHandler) and getattr(h, "stream", None) is sys.stdout
            for h in log.handlers
        )
        if not has_stdout:
            handler = _StdoutHandler()
            handler.setFormatter(logging.Formatter("%(name)s - %(levelname)s - %(message)s"))
            log.addHandler(handler)
            log.propagate = False
            set_level = True
    if set_level:
        log.setLevel(logging.DEBUG if debug else logging.ERROR)
    return log
