"""The ``chalice local`` HTTP server: sockets in, ``LocalGateway`` calls out.

One thread per connection (views may block, or call the server itself, so
a single event loop would deadlock where API Gateway would not), with
``TCP_NODELAY`` and each response written in a single ``sendall``:
upstream's server split replies into several small writes and stalled
~40 ms per keep-alive request on Nagle's algorithm. The listen backlog is
large so bursts of clients queue instead of being refused. Malformed HTTP
gets a 400 and a closed connection; an exception from the app gets API
Gateway's 502 and a logged traceback, never a dead server.

This module owns sockets and threads only; request semantics live in
``chalice.local.gateway``.
"""

from __future__ import annotations

import json
import logging
import selectors
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from chalice.local import responses
from chalice.local.http11 import BadRequest, RequestReader, encode_response
from chalice.local.responses import GatewayResponse

LOG = logging.getLogger("chalice.local")
ACCESS_LOG = logging.getLogger("chalice.local.access")

LISTEN_BACKLOG = 1024
# Idle keep-alive connections are closed after this long (API Gateway: 350 s
# for websockets, far less for REST; browsers reconnect transparently).
IDLE_TIMEOUT_SECONDS = 120.0
RECV_SIZE = 65536


class RequestHandler(Protocol):
    """What the server needs from the gateway."""

    def handle_request(
        self,
        method: str,
        target: str,
        headers: Iterable[tuple[str, str]],
        body: bytes,
        *,
        source_ip: str = ...,
    ) -> GatewayResponse: ...


def bind_socket(host: str, port: int, *, backlog: int = LISTEN_BACKLOG) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0 picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except BaseException:
        sock.close()
        raise
    return sock


def _header_pairs(response: GatewayResponse) -> list[tuple[str, str]]:
    pairs = list(response.headers.items())
    if response.multi_value_headers:
        single = {name.lower() for name in response.headers}
        for name, values in response.multi_value_headers.items():
            if name.lower() in single:
                # Both maps name it: the multi-value list is the full story.
                pairs = [p for p in pairs if p[0].lower() != name.lower()]
            pairs.extend((name, value) for value in values)
    return pairs


class LocalServer:
    """Serves ``handler`` on a listening socket until ``shutdown()``.

    ``sock`` is a bound, listening socket (see ``bind_socket``); it may have
    been inherited from the autoreload parent.
    """

    def __init__(
        self,
        handler: RequestHandler,
        sock: socket.socket,
        *,
        access_log: bool = True,
        idle_timeout: float = IDLE_TIMEOUT_SECONDS,
    ) -> None:
        self._handler = handler
        self._sock = sock
        self._access_log = access_log
        self._idle_timeout = idle_timeout
        self._stopping = threading.Event()
        self._stopped = threading.Event()
        self._wake_r, self._wake_w = socket.socketpair()
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._serving_thread: int | None = None

    @property
    def address(self) -> tuple[str, int]:
        """The (host, port) actually listened on."""
        host, port = self._sock.getsockname()[:2]
        return str(host), int(port)

    def serve_forever(self) -> None:
        """Accept connections until ``shutdown()``; each gets its own thread."""
        self._serving_thread = threading.get_ident()
        selector = selectors.DefaultSelector()
        selector.register(self._sock, selectors.EVENT_READ)
        selector.register(self._wake_r, selectors.EVENT_READ)
        self._sock.setblocking(False)
        try:
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self._wake_r:
                        return
                    self._accept_ready()
        finally:
            selector.close()
            self._stopped.set()

    def _accept_ready(self) -> None:
        # Drain the backlog: several clients may be waiting.
        while True:
            try:
                conn, addr = self._sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as error:
                LOG.warning("accept() failed: %s", error)
                time.sleep(0.01)
                return
            conn.setblocking(True)
            thread = threading.Thread(target=self._serve_connection, args=(conn, addr), daemon=True)
            thread.start()

    def shutdown(self, *, close_connections: bool = True) -> None:
        """Stop accepting and (by default) close open connections."""
        self._stopping.set()
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass
        if self._serving_thread not in (None, threading.get_ident()):
            self._stopped.wait(5)
        if close_connections:
            with self._lock:
                for conn in list(self._connections):
                    try:
                        conn.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

    def server_close(self) -> None:
        """Release the listening socket."""
        self._sock.close()
        self._wake_r.close()
        self._wake_w.close()

    def _serve_connection(self, conn: socket.socket, addr: Any) -> None:
        with self._lock:
            self._connections.add(conn)
        source_ip = str(addr[0]) if isinstance(addr, tuple) else "127.0.0.1"
        try:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.settimeout(self._idle_timeout)
            recv = conn.recv
            reader = RequestReader(lambda: recv(RECV_SIZE), conn.sendall)
            while not self._stopping.is_set():
                try:
                    request = reader.read_request()
                except BadRequest as error:
                    self._send_bad_request(conn, error)
                    return
                if request is None:
                    return
                started = time.perf_counter()
                response = self._dispatch(
                    request.method, request.target, request.headers, request.body, source_ip
                )
                conn.sendall(
                    encode_response(
                        response.status_code,
                        _header_pairs(response),
                        response.body,
                        keep_alive=request.keep_alive,
                        head_only=request.method == "HEAD",
                        version=request.version,
                    )
                )
                if self._access_log:
                    ACCESS_LOG.info(
                        '%s "%s %s %s" %d %d %.1fms',
                        source_ip,
                        request.method,
                        request.target,
                        request.version,
                        response.status_code,
                        len(response.body),
                        (time.perf_counter() - started) * 1000,
                    )
                if not request.keep_alive:
                    return
        except (OSError, TimeoutError):
            # Client went away or idled out: nothing to answer.
            return
        finally:
            with self._lock:
                self._connections.discard(conn)
            try:
                conn.close()
            except OSError:
                pass

    def _dispatch(
        self,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        body: bytes,
        source_ip: str,
    ) -> GatewayResponse:
        try:
            return self._handler.handle_request(method, target, headers, body, source_ip=source_ip)
        except Exception:
            LOG.exception(
                "%s %s: the function failed; answering 502 as API Gateway would", method, target
            )
            return responses.bad_lambda_response()

    def _send_bad_request(self, conn: socket.socket, error: BadRequest) -> None:
        LOG.info("Bad request: %s", error)
        if error.status == 413:
            gateway = responses.request_too_large()
            body = gateway.body
        else:
            body = json.dumps({"message": str(error)}).encode()
        try:
            conn.sendall(encode_response(error.status, [], body, keep_alive=False))
        except OSError:
            pass


def serve_in_thread(
    handler: RequestHandler, sock: socket.socket, **kwargs: Any
) -> tuple[LocalServer, threading.Thread]:
    """Start a server on a background thread (tests, embedding)."""
    server = LocalServer(handler, sock, **kwargs)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def thread_local_app(app: Any) -> Any:
    """Make ``app.current_request`` and ``app.lambda_context`` per thread.

    The runtime stores the request being served on the app object, which is
    right in Lambda (one request per process at a time) but wrong in a
    threaded server. The instance's class is swapped for a subclass whose two
    attributes live in a ``threading.local``; nothing else changes.
    """
    base = type(app)
    if getattr(base, "_chalice_local_thread_safe", False):
        return app
    state = threading.local()

    def _getter(name: str) -> Callable[[Any], Any]:
        return lambda self: getattr(state, name, None)

    def _setter(name: str) -> Callable[[Any, Any], None]:
        def set_value(self: Any, value: Any) -> None:
            setattr(state, name, value)

        return set_value

    namespace: dict[str, Any] = {
        "__slots__": (),
        "_chalice_local_thread_safe": True,
        "current_request": property(_getter("current_request"), _setter("current_request")),
        "lambda_context": property(_getter("lambda_context"), _setter("lambda_context")),
    }
    app.__class__ = type(f"Local{base.__name__}", (base,), namespace)
    return app
