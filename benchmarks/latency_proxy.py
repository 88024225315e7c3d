"""The deploy benchmark's network: every AWS call answered ``latency`` after it was sent.

A proxy between the measured CLI and moto. It counts each operation (and
whether it mutates), keeps a log of calls for the critical path
(``critical_path.CallLog``), and can record read answers and replay them
(``recording``/``replay``, see ``deploy.bench``'s ``replay_noop``).

A call's ``latency`` counts from when the client sent it: the
``X-Bench-Sent`` header (``plugins/bench_sent.py``), else from when the
proxy read it. The proxy is one asyncio loop in one thread, so a burst of
requests is read as fast as they arrive. The thread-per-connection
``http.server`` proxy it replaces read the 13-27 requests of a deploy's
first burst 15-30 ms (up to 50+ ms) after they were sent: one GIL, a thread
started and a request parsed per connection; the deploy's critical path
paid for that lag. Moto is asked from a thread pool (it is slow: 5-20 ms
of CPU per request); a call whose answer came later than ``latency`` is
marked *late*.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import http.client
import socket
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Mapping

from critical_path import Call, CallLog

SENT_HEADER = "X-Bench-Sent"
Answer = tuple[int, list[tuple[str, str]], bytes]
# Hop-by-hop or recomputed: not passed on.
DROPPED = ("transfer-encoding", "content-length", "connection", "keep-alive")


class Proxy:
    """Forwards to moto and answers ``latency`` seconds after each request was sent."""

    def __init__(self, upstream: str) -> None:
        self.upstream = urllib.parse.urlparse(upstream)
        self.latency = 0.0
        self.counts: Counter[tuple[str, bool]] = Counter()
        self.log = CallLog()
        self.lock = threading.Lock()
        self.recording: dict[tuple[str, str, bytes], Answer] | None = None
        self.replay: dict[tuple[str, str, bytes], Answer] | None = None
        # Record and replay only until the first mutating request (a first
        # deploy: after its first write, moto's answers are no longer those
        # of an empty account).
        self.until_write = False
        self._moto = concurrent.futures.ThreadPoolExecutor(max_workers=64)
        self._loop = asyncio.new_event_loop()
        started = threading.Event()
        threading.Thread(target=self._run, args=(started,), daemon=True).start()
        started.wait()

    def _run(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=256)
        )
        port = server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        started.set()
        self._loop.run_forever()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            # Headers and body leave in one write here, but the client's
            # requests may not: no Nagle delays on either side.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while await self._one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Serve one request on a kept-alive connection; False once it is closed."""
        line = await reader.readline()
        if not line.strip():
            return False
        method, target, _version = line.decode("latin-1").split(" ", 2)
        headers: list[tuple[str, str]] = []
        while True:
            raw = await reader.readline()
            if raw in (b"\r\n", b"\n", b""):
                break
            name, _, value = raw.decode("latin-1").partition(":")
            headers.append((name.strip(), value.strip()))
        lower = {k.lower(): v for k, v in headers}
        length = int(lower.get("content-length") or 0)
        if length and lower.get("expect", "").lower() == "100-continue":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")  # botocore's large S3 uploads
        body = await reader.readexactly(length) if length else b""
        arrived = time.perf_counter()
        sent = lower.get(SENT_HEADER.lower())
        start = float(sent) if sent else arrived
        op, mutating = self.count(method, target, lower, body)
        if mutating and self.until_write:
            self.replay = self.recording = None
        key = (method, target, body)
        replay = self.replay
        if replay is not None and not mutating and key in replay:
            status, answer_headers, data = replay[key]
        else:
            status, answer_headers, data = await self._loop.run_in_executor(
                self._moto, self.forward, method, target, headers, body
            )
            recording = self.recording
            if recording is not None and not mutating:
                recording[key] = (status, answer_headers, data)
        # Exactly ``latency`` from the send, as if every answer came from a
        # region that far away; unless moto itself took longer than that:
        # then the call is "late" (moto's time, not the deploy's). A request
        # that reached the proxy late (the client's threads were busy between
        # the stamp and the send) is answered at once, and is not late.
        late = self.latency > 0 and time.perf_counter() - arrived > self.latency
        wait = start + self.latency - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        self.log.add(Call(start, time.perf_counter(), op, mutating, late))
        head = [f"HTTP/1.1 {status} {http.client.responses.get(status, '')}"]
        head += [f"{k}: {v}" for k, v in answer_headers if k.lower() not in DROPPED]
        if method == "HEAD":  # no body: the length is the object's, as moto said
            length_of = dict((k.lower(), v) for k, v in answer_headers).get("content-length", "0")
            head.append(f"Content-Length: {length_of}")
            payload = b""
        else:
            head.append(f"Content-Length: {len(data)}")
            payload = data
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload)
        await writer.drain()
        return lower.get("connection", "").lower() != "close"

    def forward(
        self, method: str, path: str, headers: list[tuple[str, str]], body: bytes
    ) -> Answer:
        """Moto's answer to one request: status, headers, body (in a pool thread)."""
        host = self.upstream.hostname or "127.0.0.1"
        conn = http.client.HTTPConnection(host, self.upstream.port, timeout=120)
        skip = ("host", SENT_HEADER.lower(), "connection", "content-length")
        sent = {k: v for k, v in headers if k.lower() not in skip}
        sent["Host"] = f"{host}:{self.upstream.port}"
        conn.request(method, path, body=body, headers=sent)
        resp = conn.getresponse()
        answer = (resp.status, resp.getheaders(), resp.read())
        conn.close()
        return answer

    def count(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[str, bool]:
        """The operation of a request (``headers``: lower-case names) and whether it mutates."""
        target = headers.get("x-amz-target")
        if target:
            op = target.rsplit(".", 1)[-1]
            mutating = not op.startswith(("Get", "List", "Describe", "Head"))
        elif body.startswith(b"Action=") or b"&Action=" in body:
            op = urllib.parse.parse_qs(body.decode())["Action"][0]
            mutating = not op.startswith(("Get", "List", "Describe", "Head"))
        else:
            # REST services: the service is in the signature's credential scope.
            auth = str(headers.get("authorization") or "")
            service = auth.split("Credential=", 1)[-1].split("/")[3] if "/" in auth else "?"
            parts = urllib.parse.urlparse(path).path.split("/")[1:4]
            op = f"{service}:{method} /{'/'.join(parts)}"
            mutating = method not in ("GET", "HEAD")
        with self.lock:
            self.counts[(op, mutating)] += 1
        return op, mutating

    def take(self) -> tuple[int, int, Counter[str]]:
        with self.lock:
            counts, self.counts = self.counts, Counter()
        total = sum(counts.values())
        mutating = sum(n for (op, m), n in counts.items() if m)
        return total, mutating, Counter({op: n for (op, m), n in counts.items() if m})
