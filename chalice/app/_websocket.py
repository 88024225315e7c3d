"""Websocket support: ``WebsocketEvent``, ``WebsocketAPI`` and the handler wrapper.

``WebsocketAPI`` sends to / closes / inspects connections through the
``apigatewaymanagementapi`` client of the boto3 session the user assigns to
``app.websocket_api.session`` (boto3 is never imported here). The endpoint is
remembered from each event and resolved only when a call needs it, so a
handler that never sends works without any region configured. Loaded lazily.
"""

from __future__ import annotations

import os

from chalice.app._errors import BadRequestError, WebsocketDisconnectedError
from chalice.app._middleware import _ChainCache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from chalice.app._middleware import MiddlewareHost

_UNSET: Any = object()


class WebsocketEvent:
    """A websocket ``$connect``/``$default``/``$disconnect`` invocation.

    ``body`` is the message text, or ``None`` when the event has none
    (upstream gave the string ``'None'``; see docs/quirks.rst).
    """

    __slots__ = ("_event_dict", "context", "domain_name", "stage", "connection_id", "body", "_json")

    def __init__(self, event_dict: dict[str, Any], context: Any) -> None:
        self._event_dict = event_dict
        self.context = context
        if not isinstance(event_dict, dict):
            event_dict = {}
        request_context = event_dict.get("requestContext")
        if not isinstance(request_context, dict):
            request_context = {}
        self.domain_name: str | None = request_context.get("domainName")
        self.stage: str | None = request_context.get("stage")
        self.connection_id: str | None = request_context.get("connectionId")
        body = event_dict.get("body")
        if body is not None and event_dict.get("isBase64Encoded"):
            from binascii import a2b_base64

            try:
                body = a2b_base64(body).decode("utf-8")
            except ValueError:
                pass
        self.body: str | None = body
        self._json: Any = _UNSET

    @property
    def json_body(self) -> Any:
        """The body parsed as JSON (cached); ``BadRequestError`` if it is not JSON."""
        value = self._json
        if value is _UNSET:
            if self.body is None:
                raise BadRequestError("Error Parsing JSON")
            import json

            try:
                value = json.loads(self.body)
            except (ValueError, RecursionError):
                raise BadRequestError("Error Parsing JSON") from None
            self._json = value
        return value

    def to_dict(self) -> dict[str, Any]:
        """The raw Lambda event."""
        return self._event_dict


# Upstream's exact messages (tests and log alerts match on them).
_NO_SESSION = "Assign app.websocket_api.session to a boto3 session before using the WebsocketAPI"
_NOT_CONFIGURED = "WebsocketAPI.configure must be called before using the WebsocketAPI"
_NO_REGION = (
    "Unable to retrieve the region name when configuring the websocket client.  Either set "
    "the 'AWS_REGION' environment variable or assign 'app.websocket_api.session' to a boto3 "
    "session."
)


class WebsocketAPI:
    """``app.websocket_api``: talk back to connected websocket clients."""

    __slots__ = ("session", "_endpoint", "_api_id", "_client")

    _WEBSOCKET_ENDPOINT_TEMPLATE = "https://{domain_name}/{stage}"

    def __init__(self, env: dict[str, str] | None = None) -> None:
        #: A boto3 ``Session``; assign it before calling send/close/info.
        self.session: Any = None
        self._endpoint: str | None = None
        self._api_id: tuple[str, str] | None = None
        self._client: Any = None

    def configure(self, domain_name: str, stage: str) -> None:
        """Use ``https://<domain_name>/<stage>`` (no-op once an endpoint is set)."""
        if self._endpoint is not None:
            return
        self._endpoint = self._WEBSOCKET_ENDPOINT_TEMPLATE.format(
            domain_name=domain_name, stage=stage
        )

    def configure_from_api_id(self, api_id: str, stage: str) -> None:
        """Use the default execute-api domain of ``api_id`` (resolved on first use)."""
        if self._endpoint is not None:
            return
        self._api_id = (api_id, stage)

    def _region(self) -> str:
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        if not region and self.session is not None:
            region = getattr(self.session, "region_name", None)
        if not region:
            raise ValueError(_NO_REGION)
        return str(region)

    def _get_client(self) -> Any:
        if self.session is None:
            raise ValueError(_NO_SESSION)
        if self._endpoint is None and self._api_id is not None:
            api_id, stage = self._api_id
            region = self._region()
            suffix = ".amazonaws.com.cn" if region.startswith("cn-") else ".amazonaws.com"
            self.configure(f"{api_id}.execute-api.{region}{suffix}", stage)
        if self._endpoint is None:
            raise ValueError(_NOT_CONFIGURED)
        if self._client is None:
            self._client = self.session.client(
                "apigatewaymanagementapi", endpoint_url=self._endpoint
            )
        return self._client

    def send(self, connection_id: str, message: str | bytes) -> None:
        """Send ``message`` to a connected client."""
        client = self._get_client()
        try:
            client.post_to_connection(ConnectionId=connection_id, Data=message)
        except client.exceptions.GoneException:
            raise WebsocketDisconnectedError(connection_id) from None

    def close(self, connection_id: str) -> None:
        """Disconnect a client."""
        client = self._get_client()
        try:
            client.delete_connection(ConnectionId=connection_id)
        except client.exceptions.GoneException:
            raise WebsocketDisconnectedError(connection_id) from None

    def info(self, connection_id: str) -> Any:
        """``GetConnection`` of a client (connectedAt, identity, lastActiveAt)."""
        client = self._get_client()
        try:
            return client.get_connection(ConnectionId=connection_id)
        except client.exceptions.GoneException:
            raise WebsocketDisconnectedError(connection_id) from None


class WebsocketEventSourceHandler:
    """Lambda entry point of a websocket handler.

    Records the API id/stage for ``app.websocket_api``, runs the
    ``websocket`` middleware and the user function, and turns the result into
    what API Gateway expects (a dict with ``statusCode``).
    """

    __slots__ = ("func", "websocket_api", "_cache", "__name__")

    def __init__(self, func: Callable[[WebsocketEvent], Any], websocket_api: Any = None) -> None:
        self.func = func
        self.websocket_api = websocket_api
        self._cache = _ChainCache()
        self.__name__ = getattr(func, "__name__", "handler")

    def bind(self, host: MiddlewareHost, websocket_api: WebsocketAPI | None = None) -> None:
        """Attach to the app (middleware and ``websocket_api``) at registration."""
        self._cache.host = host
        if websocket_api is not None:
            self.websocket_api = websocket_api

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        request_context = event.get("requestContext") if isinstance(event, dict) else None
        if not isinstance(request_context, dict):
            request_context = {}
        api = self.websocket_api
        if api is not None and "apiId" in request_context:
            api.configure_from_api_id(request_context["apiId"], request_context.get("stage", ""))
        ws_event = WebsocketEvent(event, context)
        host = self._cache.host
        if host is None or not host.middleware_handlers:
            result = self.func(ws_event)
        else:
            result = self._cache.get("websocket", self.func)(ws_event)
        return _to_websocket_result(result)


def _to_websocket_result(result: Any) -> dict[str, Any]:
    to_dict = getattr(result, "to_dict", None)
    if to_dict is not None and hasattr(result, "status_code"):
        return to_dict()  # type: ignore[no-any-return]
    if isinstance(result, dict):
        if "statusCode" not in result:
            return {**result, "statusCode": 200}
        return result
    return {"statusCode": 200}
