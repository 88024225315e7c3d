"""The ``chalice local`` HTTP server: sockets in, ``LocalGateway`` calls out.

Design: one event-loop thread owns the listening socket and every idle
connection (a ``selectors`` loop); it parses requests and runs the app
inline, then writes the response with one ``sendall`` on a ``TCP_NODELAY``
socket. No thread handoff per request means no GIL convoy: upstream's
thread-per-connection server (which also split replies into small writes
and stalled ~40 ms per keep-alive request on Nagle's algorithm) managed 23
requests/s at concurrency 1.

A view may block (sleep, call a slow service, even call this server), which
would freeze a plain event loop. A watchdog notices a dispatch running
longer than ``stall_seconds`` and promotes a fresh thread to own the loop;
the blocked thread finishes its request on its own, hands the connection
back and exits. So the server stays responsive like a threaded one while
fast requests never pay for threads.

The listen backlog is large so bursts of clients queue instead of being
refused. Malformed HTTP gets a 400 and a closed connection; an exception
from the app gets API Gateway's 502 and a logged traceback, never a dead
server. This module owns sockets and threads only; request semantics live
in ``chalice.local.gateway``.
"""

from __future__ import annotations

import collections
import json
import logging
import selectors
import socket
import threading
import time
from collections.abc import Iterable
from typing import Protocol

from chalice.local import responses
from chalice.local.http11 import CONTINUE, BadRequest, Request, RequestParser, encode_response
from chalice.local.responses import GatewayResponse
from chalice.local.threadlocal import thread_local_app as thread_local_app  # re-exported

LOG = logging.getLogger("chalice.local")
ACCESS_LOG = logging.getLogger("chalice.local.access")

LISTEN_BACKLOG = 1024
# Idle keep-alive connections are closed after this long.
IDLE_TIMEOUT_SECONDS = 120.0
# A dispatch running longer than this hands the event loop to a new thread.
STALL_SECONDS = 0.05
# On shutdown, how long in-flight requests may take to arrive and be answered,
# and how long a connection must have been idle to be closed right away.
DRAIN_SECONDS = 1.0
DRAIN_IDLE_SECONDS = 0.25
RECV_SIZE = 65536
_DONTWAIT = getattr(socket, "MSG_DONTWAIT", 0)
_WAKE = "wake"


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
        for name, values in response.multi_value_headers.items():
            lower = name.lower()
            # Both maps name it: the multi-value list is the full story.
            pairs = [p for p in pairs if p[0].lower() != lower]
            pairs.extend((name, value) for value in values)
    return pairs


class _Connection:
    __slots__ = ("sock", "parser", "source_ip", "last_active")

    def __init__(self, sock: socket.socket, source_ip: str) -> None:
        self.sock = sock
        self.parser = RequestParser()
        self.source_ip = source_ip
        self.last_active = time.monotonic()


class _Token:
    """Identifies the thread that currently owns the event loop."""

    __slots__ = ()


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
        stall_seconds: float = STALL_SECONDS,
    ) -> None:
        self._handler = handler
        self._sock = sock
        self._access_log = access_log
        self._idle_timeout = idle_timeout
        self._stall_seconds = stall_seconds
        self._stopping = threading.Event()
        self._stopped = threading.Event()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._selector = selectors.DefaultSelector()
        self._lock = threading.Lock()
        self._owner: _Token | None = None
        self._dispatch_started: float | None = None
        self._dispatching: _Connection | None = None
        self._handback: collections.deque[_Connection] = collections.deque()
        self._last_sweep = time.monotonic()
        self._serving_thread: int | None = None

    @property
    def address(self) -> tuple[str, int]:
        """The (host, port) actually listened on."""
        host, port = self._sock.getsockname()[:2]
        return str(host), int(port)

    @property
    def server_address(self) -> tuple[str, int]:
        """``address`` under ``socketserver``'s name (upstream tooling reads it)."""
        return self.address

    # -- lifecycle -------------------------------------------------------

    def serve_forever(self) -> None:
        """Serve until ``shutdown()``."""
        self._serving_thread = threading.get_ident()
        self._sock.setblocking(False)
        self._selector.register(self._sock, selectors.EVENT_READ, None)
        self._selector.register(self._wake_r, selectors.EVENT_READ, _WAKE)
        token = _Token()
        with self._lock:
            self._owner = token
        watchdog = threading.Thread(target=self._watch, name="chalice-local-watchdog", daemon=True)
        watchdog.start()
        self._run_loop(token, None)
        # This thread may have handed the loop to another one; wait for it.
        self._stopped.wait()

    def shutdown(self) -> None:
        """Stop serving and close every idle connection."""
        self._stopping.set()
        self._wake()
        if self._serving_thread not in (None, threading.get_ident()):
            self._stopped.wait(5)

    def server_close(self) -> None:
        """Release the listening socket."""
        self._sock.close()
        self._wake_r.close()
        self._wake_w.close()
        self._selector.close()

    def _wake(self) -> None:
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass

    # -- the event loop --------------------------------------------------

    def _run_loop(self, token: _Token, stuck: _Connection | None) -> None:
        if stuck is not None:
            # Its former thread is still serving it; it comes back by handback.
            try:
                self._selector.unregister(stuck.sock)
            except (KeyError, ValueError):
                pass
        while not self._stopping.is_set():
            for key, _ in self._selector.select(timeout=1.0):
                data = key.data
                if data is None:
                    if not self._accept(token):
                        return
                elif data is _WAKE:
                    if not self._drain_wake(token):
                        return
                elif not self._readable(token, data):
                    return  # another thread owns the loop now
                if self._stopping.is_set():
                    break
            now = time.monotonic()
            if now - self._last_sweep > 1.0:
                self._sweep(now)
        if self._drain(token):
            self._close_all()
            self._stopped.set()

    def _drain(self, token: _Token) -> bool:
        """Stop accepting; answer requests already on their way, then stop.

        A client whose connection was accepted just before the stop (an
        autoreload restart) gets its answer instead of a reset; connections
        not yet accepted stay in the backlog for the next worker. Returns
        False if the loop was handed to another thread meanwhile.
        """
        try:
            self._selector.unregister(self._sock)
        except (KeyError, ValueError):
            pass
        deadline = time.monotonic() + DRAIN_SECONDS
        while time.monotonic() < deadline:
            now = time.monotonic()
            conns = [
                key.data
                for key in list(self._selector.get_map().values())
                if isinstance(key.data, _Connection)
            ]
            remaining = 0
            for conn in conns:
                # Idle keep-alive connections: clients reconnect on close.
                if now - conn.last_active > DRAIN_IDLE_SECONDS and not conn.parser.pending:
                    self._close(conn)
                else:
                    remaining += 1
            if not remaining:
                break
            for key, _ in self._selector.select(timeout=0.05):
                if key.data is _WAKE:
                    if not self._drain_wake(token):
                        return False
                elif isinstance(key.data, _Connection) and not self._readable(token, key.data):
                    return False
        return True

    def _accept(self, token: _Token) -> bool:
        while True:
            try:
                sock, addr = self._sock.accept()
            except (BlockingIOError, InterruptedError):
                return True
            except OSError as error:
                LOG.warning("accept() failed: %s", error)
                return True
            sock.setblocking(True)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            ip = str(addr[0]) if isinstance(addr, tuple) else "127.0.0.1"
            conn = _Connection(sock, ip)
            # Clients usually send the request right behind the handshake:
            # serving it now saves a trip through select() and, for
            # one-request connections, ever registering the socket.
            try:
                data: bytes | None = sock.recv(RECV_SIZE, _DONTWAIT)
            except (BlockingIOError, InterruptedError):
                data = None
            except OSError:
                _close_quietly(sock)
                continue
            if data is None:
                self._selector.register(sock, selectors.EVENT_READ, conn)
                continue
            if not data:
                _close_quietly(sock)
                continue
            conn.parser.feed(data)
            if not self._process(token, conn):
                return False
            if sock.fileno() != -1:
                self._selector.register(sock, selectors.EVENT_READ, conn)

    def _drain_wake(self, token: _Token) -> bool:
        try:
            while self._wake_r.recv(4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        while self._handback:
            conn = self._handback.popleft()
            if self._stopping.is_set():
                _close_quietly(conn.sock)
                continue
            self._selector.register(conn.sock, selectors.EVENT_READ, conn)
            # A pipelined request may already be complete in its buffer.
            if conn.parser.pending and not self._process(token, conn):
                return False
        return True

    def _close(self, conn: _Connection) -> None:
        try:
            self._selector.unregister(conn.sock)
        except (KeyError, ValueError):
            pass
        _close_quietly(conn.sock)

    def _close_all(self) -> None:
        for key in list(self._selector.get_map().values()):
            if isinstance(key.data, _Connection):
                self._close(key.data)

    def _sweep(self, now: float) -> None:
        self._last_sweep = now
        for key in list(self._selector.get_map().values()):
            conn = key.data
            if isinstance(conn, _Connection) and now - conn.last_active > self._idle_timeout:
                self._close(conn)

    def _readable(self, token: _Token, conn: _Connection) -> bool:
        try:
            data = conn.sock.recv(RECV_SIZE, _DONTWAIT)
        except (BlockingIOError, InterruptedError):
            return True
        except OSError:
            self._close(conn)
            return True
        if not data:
            self._close(conn)
            return True
        conn.last_active = time.monotonic()
        conn.parser.feed(data)
        return self._process(token, conn)

    def _process(self, token: _Token, conn: _Connection) -> bool:
        """Serve every complete request buffered on ``conn``; False if the loop was lost."""
        while True:
            try:
                request = conn.parser.next_request()
            except BadRequest as error:
                self._send_bad_request(conn.sock, error)
                self._close(conn)
                return True
            except Exception:  # a parser bug must not take the server down
                LOG.exception("Could not parse a request")
                self._send_bad_request(conn.sock, BadRequest("Malformed request"))
                self._close(conn)
                return True
            if conn.parser.wants_continue:
                conn.parser.wants_continue = False
                if not _send(conn.sock, CONTINUE):
                    self._close(conn)
                    return True
            if request is None:
                return True
            with self._lock:
                self._dispatching = conn
                self._dispatch_started = time.monotonic()
            sent = self._respond(conn, request)
            with self._lock:
                owner = self._owner is token
                if owner:
                    self._dispatching = None
                    self._dispatch_started = None
            keep = sent and request.keep_alive and not self._stopping.is_set()
            if not owner:
                if keep:
                    self._handback.append(conn)
                    self._wake()
                else:
                    _close_quietly(conn.sock)
                return False
            if not keep:
                self._close(conn)
                return True
            conn.last_active = time.monotonic()

    def _respond(self, conn: _Connection, request: Request) -> bool:
        started = time.perf_counter()
        keep_alive = request.keep_alive and not self._stopping.is_set()
        head_only = request.method == "HEAD"
        try:
            response = self._handler.handle_request(
                request.method, request.target, request.headers, request.body,
                source_ip=conn.source_ip,
            )  # fmt: skip
            payload = encode_response(
                response.status_code, _header_pairs(response), response.body,
                keep_alive=keep_alive, head_only=head_only, version=request.version,
            )  # fmt: skip
        except Exception:
            LOG.exception(
                "%s %s: the function failed; answering 502 as API Gateway would",
                request.method,
                request.target,
            )
            response = responses.bad_lambda_response()
            payload = encode_response(
                response.status_code, _header_pairs(response), response.body,
                keep_alive=keep_alive, head_only=head_only, version=request.version,
            )  # fmt: skip
        sent = _send(conn.sock, payload)
        if self._access_log:
            ACCESS_LOG.info(
                '%s "%s %s %s" %d %d %.1fms',
                conn.source_ip,
                request.method,
                request.target,
                request.version,
                response.status_code,
                len(response.body),
                (time.perf_counter() - started) * 1000,
            )
        return sent

    def _send_bad_request(self, sock: socket.socket, error: BadRequest) -> None:
        LOG.info("Bad request: %s", error)
        if error.status == 413:
            body = responses.request_too_large().body
        else:
            body = json.dumps({"message": str(error)}).encode()
        _send(sock, encode_response(error.status, [], body, keep_alive=False))

    # -- the watchdog ----------------------------------------------------

    def _watch(self) -> None:
        interval = max(self._stall_seconds / 2, 0.005)
        while not self._stopping.wait(interval):
            with self._lock:
                started = self._dispatch_started
                if started is None or time.monotonic() - started < self._stall_seconds:
                    continue
                stuck = self._dispatching
                token = _Token()
                self._owner = token
                self._dispatch_started = None
                self._dispatching = None
            thread = threading.Thread(
                target=self._run_loop, args=(token, stuck), name="chalice-local-loop", daemon=True
            )
            thread.start()


def _send(sock: socket.socket, data: bytes) -> bool:
    try:
        sock.sendall(data)
    except OSError:
        return False
    return True


def _close_quietly(sock: socket.socket) -> None:
    try:
        sock.close()
    except OSError:
        pass
