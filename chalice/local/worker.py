"""The serving process of ``chalice local --autoreload``.

Started by ``chalice.local.reloader`` with the listening socket's descriptor.
It loads the app, serves it on a background thread, and polls the project's
files; on a change it exits with ``RESTART_EXIT_CODE`` so the parent starts
a fresh worker. If the app cannot be loaded (a typo mid-edit) it prints the
error and answers every request with a 500 saying so, still watching for
the fix, instead of dying. Not meant to be run by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import threading
import time
import traceback
from collections.abc import Iterable
from pathlib import Path

from chalice.local.reloader import RESTART_EXIT_CODE, FileWatcher
from chalice.local.responses import GatewayResponse


class BrokenAppHandler:
    """Answers every request with the error that stopped the app from loading."""

    def __init__(self, message: str) -> None:
        self._body = json.dumps(
            {"message": "chalice local could not load the app", "error": message}
        ).encode()

    def handle_request(
        self,
        method: str,
        target: str,
        headers: Iterable[tuple[str, str]],
        body: bytes,
        *,
        source_ip: str = "127.0.0.1",
    ) -> GatewayResponse:
        return GatewayResponse(500, {"Content-Type": "application/json"}, {}, self._body)


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m chalice.local.worker")
    parser.add_argument("--project-dir", required=True, type=Path)
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--fd", required=True, type=int)
    parser.add_argument("--poll-seconds", default=0.5, type=float)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Serve until a watched file changes (exit 3) or the parent goes away."""
    from chalice.errors import UserError
    from chalice.local import configure_logging, load_local_app
    from chalice.local.gateway import LocalGateway
    from chalice.local.server import LocalServer, RequestHandler, thread_local_app

    args = _parse_args(sys.argv[1:] if argv is None else argv)
    configure_logging()
    parent = os.getppid()
    # Snapshot before importing: an edit made during the import still counts.
    watcher = FileWatcher(args.project_dir)
    sock = socket.socket(fileno=args.fd)
    handler: RequestHandler
    try:
        config, app = load_local_app(args.project_dir, args.stage)
        handler = LocalGateway(thread_local_app(app), config)
    except UserError as error:
        print(f"Error: {error}", file=sys.stderr, flush=True)
        print("Waiting for a change to the project's files...", file=sys.stderr, flush=True)
        handler = BrokenAppHandler(str(error))
    except Exception:
        text = traceback.format_exc()
        print(text, file=sys.stderr, flush=True)
        handler = BrokenAppHandler(text.strip().splitlines()[-1])
    server = LocalServer(handler, sock)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.address
    print(f"Serving on http://{host}:{port}", flush=True)
    try:
        while True:
            time.sleep(args.poll_seconds)
            if os.getppid() != parent:
                return 0
            changed = watcher.changed()
            if changed:
                print(f"Restarting: {', '.join(changed)} changed.", flush=True)
                server.shutdown()
                return RESTART_EXIT_CODE
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Daemon connection threads may be mid-request; do not wait for them.
    os._exit(code)
