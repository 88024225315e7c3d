"""``chalice local``: serve a project's REST API on 127.0.0.1 like API Gateway would.

``run_local_server`` is the entry point the CLI calls. With autoreload (the
default) this process only holds the listening socket and watches a worker
process that imports the app and serves; when a source file changes the
worker exits and a fresh one starts on the same socket, so no client sees a
refused connection. Without autoreload the app is served in this process.

Only the REST API is emulated (see ``chalice.local.gateway``); event
sources, websockets and API keys are not. Nothing here talks to AWS.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from pathlib import Path
from typing import Any

from chalice.errors import UserError

__all__ = [
    "ChaliceRequestHandler",
    "ForbiddenError",
    "InvalidAuthorizerError",
    "LambdaContext",
    "LocalDevServer",
    "LocalGateway",
    "LocalGatewayException",
    "LocalServerError",
    "NotAuthorizedError",
    "create_local_server",
    "load_local_app",
    "run_local_server",
    "serve_app",
]

# Upstream's names, for tooling written against it (see chalice.local.compat);
# loaded on first use so ``chalice local`` does not pay for them.
_COMPAT = frozenset(
    [
        "ChaliceRequestHandler",
        "ForbiddenError",
        "InvalidAuthorizerError",
        "LambdaContext",
        "LocalDevServer",
        "LocalGateway",
        "LocalGatewayException",
        "NotAuthorizedError",
        "create_local_server",
    ]
)


def __getattr__(name: str) -> Any:
    if name in _COMPAT:
        from chalice.local import compat

        return getattr(compat, name)
    raise AttributeError(f"module 'chalice.local' has no attribute {name!r}")


class LocalServerError(UserError):
    """The local server cannot start (address in use, bad host...)."""


def configure_logging() -> None:
    """Root logger at INFO to stdout, so ``app.log.info`` shows up while serving."""
    root = logging.getLogger()
    if not any(getattr(h, "_chalice_local", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler._chalice_local = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(logging.INFO)


def load_local_app(project_dir: Path, stage: str) -> tuple[Any, Any]:
    """Load the stage config and the app, export the env vars, check the routes.

    The ``api_handler`` environment variables of the stage stay in
    ``os.environ`` for the life of the process, as they would in Lambda.
    Raises ``UserError`` subclasses (config, import, route validation).
    """
    from chalice.app import snapshot
    from chalice.config import Config
    from chalice.deploy.validate import validate_feature_flags, validate_routes
    from chalice.project import load_app

    config = Config.load(project_dir, stage=stage)
    env = config.scope("api_handler").environment_variables
    os.environ.update(env)
    app = load_app(project_dir, env=env)
    # As deploy (and upstream's local) would: an app that uses an experimental
    # feature without opting in fails here, not first at deploy time.
    described = snapshot(app)
    validate_feature_flags(described)
    validate_routes(described)
    return config, app


def bind_listener(host: str, port: int) -> socket.socket:
    """The listening socket, or a ``LocalServerError`` saying how to fix it."""
    import errno

    from chalice.local.server import bind_socket

    try:
        return bind_socket(host, port)
    except (OSError, OverflowError) as error:
        code = getattr(error, "errno", None)
        if code == errno.EADDRINUSE:
            fix = "Stop the other process using that port or pick another one with --port."
        elif code == errno.EACCES:
            fix = "Ports below 1024 need privileges: pick a port of 1024 or more with --port."
        else:
            # Not a port problem (EADDRNOTAVAIL, unknown host name...): the host is wrong.
            fix = (
                "Give --host an address of this machine: 127.0.0.1 (the default) for this "
                "machine only, or 0.0.0.0 to accept connections from other machines."
            )
        reason = getattr(error, "strerror", None) or str(error)
        raise LocalServerError(
            f"Cannot listen on {host}:{port}: {reason}",
            where=f"chalice local --host {host} --port {port}",
            fix=fix,
        ) from error


def serve_app(app: Any, config: Any, sock: socket.socket, *, access_log: bool = True) -> None:
    """Serve ``app`` on the listening ``sock`` until interrupted."""
    from chalice.local.gateway import LocalGateway
    from chalice.local.server import LocalServer, thread_local_app

    server = LocalServer(LocalGateway(thread_local_app(app), config), sock, access_log=access_log)
    host, port = server.address
    print(f"Serving on http://{host}:{port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


def run_local_server(
    project_dir: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    stage: str = "dev",
    autoreload: bool = True,
) -> None:
    """Run ``chalice local`` until Ctrl-C.

    Raises ``UserError`` subclasses for problems the user can fix (config,
    app import, routes, port in use) found before serving starts. With
    ``autoreload``, later errors in edited files are printed by the worker,
    which keeps watching and answers 500 until the files are fixed.
    """
    project_dir = Path(project_dir)
    configure_logging()
    if autoreload:
        from chalice.config import Config
        from chalice.local.reloader import run_with_reloader

        # The worker keeps serving (and watching) when app.py is broken, which
        # helps mid-edit; but a missing or invalid config (or not being in a
        # project at all) is better reported at once, with a non-zero exit.
        Config.load(project_dir, stage=stage)
        sock = bind_listener(host, port)
        try:
            run_with_reloader(project_dir, sock, stage=stage)
        finally:
            sock.close()
        return
    config, app = load_local_app(project_dir, stage)
    sock = bind_listener(host, port)
    try:
        serve_app(app, config, sock)
    except KeyboardInterrupt:
        pass
