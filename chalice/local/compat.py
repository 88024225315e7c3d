"""Upstream's ``chalice.local`` names, as thin shims over our local emulation.

Test suites and conftest files written for upstream Chalice import these:

* ``LocalGateway(app, config).handle_request(method=, path=, headers=, body=)``
  returning the Lambda proxy result dict (``statusCode``, ``headers``,
  ``multiValueHeaders``, ``body``), and raising ``ForbiddenError`` /
  ``NotAuthorizedError`` / ``InvalidAuthorizerError`` (each with
  ``headers`` and ``body``) when the gateway itself refuses the request;
* ``LocalDevServer(app, config, host, port)`` with ``serve_forever()``,
  ``shutdown()`` and ``server`` (``server.shutdown()``,
  ``server.server_close()``, ``server.server_address``), to serve an app
  from a background thread;
* ``ChaliceRequestHandler``, subclassed to silence the access log;
* ``LocalGateway._generate_lambda_event``, overridden (by pytest-chalice)
  to add to each event's ``requestContext``.

They delegate to ``chalice.local.gateway`` and ``chalice.local.server``;
nothing here re-implements request handling. New code should prefer
``chalice.test.Client`` (in-process) or ``chalice local``. This module
must not import botocore; it opens sockets only when a ``LocalDevServer``
is created.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalice.local.context import LambdaContext
from chalice.local.gateway import LocalGateway as _Gateway
from chalice.local.responses import GatewayResponse

__all__ = [
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


class LocalGatewayException(Exception):
    """The emulated API Gateway answered without invoking the app.

    ``CODE`` is the HTTP status; ``headers`` and ``body`` (bytes) are the
    response API Gateway would send.
    """

    CODE = 0

    def __init__(self, headers: dict[str, str], body: bytes | None = None) -> None:
        super().__init__(body)
        self.headers = headers
        self.body = body


class ForbiddenError(LocalGatewayException):
    """403: no route matches the path, or the authorizer's policy denies it."""

    CODE = 403


class NotAuthorizedError(LocalGatewayException):
    """401: the built-in authorizer's token header is missing."""

    CODE = 401


class InvalidAuthorizerError(LocalGatewayException):
    """500: the built-in authorizer returned nothing usable."""

    CODE = 500


_ERRORS: dict[int, type[LocalGatewayException]] = {
    403: ForbiddenError,
    401: NotAuthorizedError,
    500: InvalidAuthorizerError,
}


class LocalGateway:
    """Upstream's in-process gateway: ``handle_request`` returns the proxy result dict.

    ``config`` is a ``chalice.config.Config`` (``Config()`` for defaults).
    Exceptions the app raises outside its own error handling propagate.
    """

    def __init__(self, app_object: Any, config: Any) -> None:
        self._gateway = _Gateway(
            app_object, config, event_hook=lambda event: self._generate_lambda_event(event)
        )

    def _generate_lambda_event(self, event: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        """The proxy event about to be sent to the app.

        Subclasses (pytest-chalice's gateway, for one) override this, call
        ``super()`` and adjust the event, e.g. ``event["requestContext"]``.
        """
        return event

    def handle_request(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str] | None,
        body: bytes | str | None,
    ) -> dict[str, Any]:
        """Serve one request (``path`` may carry a query string)."""
        if body is None:
            body = b""
        elif isinstance(body, str):
            body = body.encode("utf-8")
        result = self._gateway.invoke(method, path, dict(headers or {}), body)
        if not isinstance(result, GatewayResponse):
            return result  # type: ignore[no-any-return]
        headers_out = {k: v for k, v in result.headers.items() if k != "Content-Type"}
        error = _ERRORS.get(result.status_code)
        if error is not None:
            raise error(headers_out, result.body)
        return {
            "statusCode": result.status_code,
            "headers": headers_out,
            "multiValueHeaders": dict(result.multi_value_headers),
            "body": result.body.decode("utf-8") if result.body else None,
        }


class ChaliceRequestHandler:
    """Placeholder for upstream's request handler class, for subclassing only.

    Our server does not use ``http.server`` handlers. Passing a subclass as
    ``LocalDevServer(handler_cls=...)`` is accepted; since such subclasses
    exist to quieten the per-request log, it turns the access log off.
    """

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - upstream's name
        """Upstream's per-request log hook; overriding it has no other effect here."""


class LocalDevServer:
    """Serve an app on ``host:port`` (port 0 picks a free one) until ``shutdown()``.

    The socket is bound when the object is created, so ``server.server_address``
    is known before ``serve_forever()`` runs (typically in a thread).
    """

    def __init__(
        self,
        app_object: Any,
        config: Any,
        host: str,
        port: int,
        handler_cls: type[Any] = ChaliceRequestHandler,
        server_cls: type[Any] | None = None,
    ) -> None:
        from chalice.local.server import LocalServer, bind_socket, thread_local_app

        self.app_object = thread_local_app(app_object)
        self.host = host
        self.port = port
        gateway = _Gateway(self.app_object, config)
        self.server = LocalServer(
            gateway, bind_socket(host, port), access_log=handler_cls is ChaliceRequestHandler
        )

    def serve_forever(self) -> None:
        """Print the URL and serve until ``shutdown()`` is called (from another thread)."""
        host, port = self.server.address
        print(f"Serving on http://{host}:{port}", flush=True)
        self.server.serve_forever()

    def shutdown(self) -> None:
        """Stop serving and release the socket."""
        self.server.shutdown()
        self.server.server_close()


def create_local_server(app_obj: Any, config: Any, host: str, port: int) -> LocalDevServer:
    """``LocalDevServer(app_obj, config, host, port)``, as upstream's helper."""
    return LocalDevServer(app_obj, config, host, port)
