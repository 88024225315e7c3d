"""Run a ``LocalServer`` on a background thread, for tests that talk to it over HTTP."""

from __future__ import annotations

import socket
import threading
from typing import Any

from chalice.local.server import LocalServer, RequestHandler


def serve_in_thread(
    handler: RequestHandler, sock: socket.socket, **kwargs: Any
) -> tuple[LocalServer, threading.Thread]:
    """Start a server for ``handler`` on ``sock`` in a daemon thread; returns both."""
    server = LocalServer(handler, sock, **kwargs)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread
