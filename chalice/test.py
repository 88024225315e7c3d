"""``chalice.test``: drive a Chalice app in-process from tests.

``Client(app)`` gives three helpers:

* ``client.http`` sends HTTP requests through the same API Gateway
  emulation as ``chalice local`` (routing, CORS preflight, authorizers,
  binary bodies) without opening a socket;
* ``client.lambda_`` invokes any Lambda entry point of the app by name;
* ``client.events`` builds sample event payloads to invoke them with.

During each call ``os.environ`` holds the environment variables the stage
config gives that function, and is restored afterwards. This module never
talks to AWS and never starts a server.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import attrs

from chalice.local import sample_events as _events
from chalice.local.context import LambdaContext, TestLambdaContext
from chalice.local.gateway import LocalGateway
from chalice.local.settings import API_HANDLER, LocalSettings, function_timeout_ms, load_settings

__all__ = [
    "Client",
    "FunctionNotFoundError",
    "HTTPResponse",
    "InvokeResponse",
    "TestEventsClient",
    "TestHTTPClient",
    "TestLambdaClient",
]

_T = TypeVar("_T")


class FunctionNotFoundError(Exception):
    """``client.lambda_.invoke`` was given a name the app does not define."""

    def __init__(self, name: str, known: list[str] | None = None) -> None:
        message = f"Unknown function: {name}"
        if known:
            message += f" (known functions: {', '.join(sorted(known))})"
        super().__init__(message)
        self.name = name


@attrs.frozen
class HTTPResponse:
    """What ``client.http`` returns: the response as API Gateway would send it.

    ``headers`` merges the single-value headers with the multi-value ones
    (whose values are lists), as the app returned them.
    """

    body: bytes
    headers: dict[str, Any]
    status_code: int

    @property
    def json_body(self) -> Any:
        """The body parsed as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None


@attrs.frozen
class InvokeResponse:
    """What ``client.lambda_.invoke`` returns: the function's return value."""

    payload: Any


@contextmanager
def _patched_environ(values: Mapping[str, str]) -> Iterator[None]:
    # Restore exactly what was there before, including keys that were absent.
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update({key: str(value) for key, value in values.items()})
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


class TestHTTPClient:
    """Sends requests through the local API Gateway emulation."""

    __test__ = False  # not a pytest test class

    def __init__(self, gateway: LocalGateway, settings: LocalSettings) -> None:
        self._gateway = gateway
        self._env = settings.scope(API_HANDLER).environment_variables

    def request(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str] | None = None,
        body: bytes | str = b"",
    ) -> HTTPResponse:
        """Send ``method path`` (query string allowed) and return the response.

        Exceptions the app lets escape its error handling propagate to the
        test, where they are easier to debug than a 502; so does the
        ``TypeError`` of a view result JSON cannot encode (as upstream).
        """
        if isinstance(body, str):
            body = body.encode("utf-8")
        with _patched_environ(self._env):
            response = self._gateway.handle_request(method.upper(), path, dict(headers or {}), body)
        merged: dict[str, Any] = dict(response.headers)
        merged.update(response.multi_value_headers)
        return HTTPResponse(body=response.body, headers=merged, status_code=response.status_code)

    def get(self, path: str, **kwargs: Any) -> HTTPResponse:
        """``GET path``; keyword arguments as for ``request``."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> HTTPResponse:
        """``POST path``; keyword arguments as for ``request``."""
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> HTTPResponse:
        """``PUT path``; keyword arguments as for ``request``."""
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> HTTPResponse:
        """``PATCH path``; keyword arguments as for ``request``."""
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> HTTPResponse:
        """``DELETE path``; keyword arguments as for ``request``."""
        return self.request("DELETE", path, **kwargs)

    def options(self, path: str, **kwargs: Any) -> HTTPResponse:
        """``OPTIONS path`` (answered by the gateway when the app has no OPTIONS route)."""
        return self.request("OPTIONS", path, **kwargs)

    def head(self, path: str, **kwargs: Any) -> HTTPResponse:
        """``HEAD path``; keyword arguments as for ``request``."""
        return self.request("HEAD", path, **kwargs)


class TestLambdaClient:
    """Invokes the app's Lambda entry points by function name."""

    __test__ = False

    def __init__(self, app: Any, settings: LocalSettings) -> None:
        self._app = app
        self._settings = settings

    def invoke(self, function_name: str, payload: Any = None) -> InvokeResponse:
        """Call the handler named ``function_name`` with ``payload`` (default ``{}``).

        Raises ``FunctionNotFoundError`` for an unknown name; exceptions from
        the function propagate.
        """
        handlers: Mapping[str, Callable[..., Any]] = getattr(self._app, "handler_map", {})
        handler = handlers.get(function_name)
        if handler is None:
            raise FunctionNotFoundError(function_name, list(handlers))
        scoped = self._settings.scope(function_name)
        context = LambdaContext(
            function_name, scoped.lambda_memory_size, function_timeout_ms(scoped)
        )
        with _patched_environ(scoped.environment_variables):
            result = handler({} if payload is None else payload, context)
        return InvokeResponse(payload=result)


class TestEventsClient:
    """Builds sample event payloads for ``client.lambda_.invoke``."""

    __test__ = False

    def generate_sns_event(
        self,
        message: str,
        subject: str = "",
        message_attributes: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """An SNS notification carrying ``message``."""
        return _events.sns_event(message, subject, message_attributes)

    def generate_s3_event(
        self, bucket: str, key: str, event_name: str = "ObjectCreated:Put"
    ) -> dict[str, Any]:
        """An S3 notification for ``bucket``/``key``."""
        return _events.s3_event(bucket, key, event_name)

    def generate_sqs_event(
        self, message_bodies: list[str], queue_name: str = "queue-name"
    ) -> dict[str, Any]:
        """An SQS batch with one record per body."""
        return _events.sqs_event(message_bodies, queue_name)

    def generate_cw_event(
        self,
        source: str,
        detail_type: str,
        detail: dict[str, Any],
        resources: list[str],
        region: str = "us-west-2",
    ) -> dict[str, Any]:
        """A CloudWatch/EventBridge event (also what a schedule delivers)."""
        return _events.cloudwatch_event(source, detail_type, detail, resources, region)

    def generate_kinesis_event(
        self, message_bodies: list[bytes], stream_name: str = "stream-name"
    ) -> dict[str, Any]:
        """A Kinesis batch with one record per payload."""
        return _events.kinesis_event(message_bodies, stream_name)

    def generate_dynamodb_event(
        self,
        records: list[dict[str, Any]],
        table_name: str = "table-name",
        event_name: str = "INSERT",
    ) -> dict[str, Any]:
        """A DynamoDB stream batch (extension; upstream has no such generator)."""
        return _events.dynamodb_event(records, table_name, event_name)

    def generate_websocket_event(
        self,
        route_key: str = "$default",
        body: str | None = None,
        connection_id: str = "local-connection-id",
    ) -> dict[str, Any]:
        """A websocket connect/message/disconnect event (extension)."""
        return _events.websocket_event(route_key, body, connection_id)

    def generate_http_api_event(
        self,
        method: str = "GET",
        path: str = "/",
        *,
        query_string: str = "",
        headers: dict[str, str] | None = None,
        body: str | bytes | None = None,
        route_key: str = "$default",
        path_parameters: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """An HTTP API / function URL event, payload format 2.0 (extension).

        The app itself is the handler: ``app(event, None)`` returns a 2.0
        result dict (``client.http`` builds such events for HTTP stages).
        """
        return _events.http_api_event(
            method,
            path,
            query_string=query_string,
            headers=headers,
            body=body,
            route_key=route_key,
            path_parameters=path_parameters,
        )


class Client:
    """Test client for a Chalice app; use it as a context manager.

    ``stage_name`` and ``project_dir`` select the ``.chalice/config.json``
    whose environment variables, memory size and timeout apply; a project
    without a (valid) config file gets defaults. ``client.http`` serves the
    app as the stage's ``api_gateway_type`` says (a REST API by default, an
    HTTP API with payload format 2.0 for ``"HTTP"``); ``api_gateway_type``
    overrides it.
    """

    __test__ = False

    def __init__(
        self,
        app: Any,
        stage_name: str = "dev",
        project_dir: str = ".",
        *,
        api_gateway_type: str | None = None,
    ) -> None:
        self._app = app
        # "REST" or "HTTP"; None reads the stage's api_gateway_type (default REST).
        self._api_gateway_type = api_gateway_type
        self._stage_name = stage_name
        self._project_dir = project_dir
        self._settings: LocalSettings | None = None
        self._http: TestHTTPClient | None = None
        self._lambda: TestLambdaClient | None = None
        self._events: TestEventsClient | None = None

    @property
    def settings(self) -> LocalSettings:
        """The stage config (loaded on first use)."""
        if self._settings is None:
            self._settings = load_settings(Path(self._project_dir), self._stage_name)
        return self._settings

    @property
    def http(self) -> TestHTTPClient:
        """HTTP requests through the API Gateway emulation."""
        if self._http is None:
            gateway = LocalGateway(
                self._app,
                self.settings,
                context_class=TestLambdaContext,
                api_gateway_type=self._api_gateway_type,
            )
            self._http = TestHTTPClient(gateway, self.settings)
        return self._http

    @property
    def lambda_(self) -> TestLambdaClient:
        """Direct invocation of the app's Lambda functions."""
        if self._lambda is None:
            self._lambda = TestLambdaClient(self._app, self.settings)
        return self._lambda

    @property
    def events(self) -> TestEventsClient:
        """Sample event payloads."""
        if self._events is None:
            self._events = TestEventsClient()
        return self._events

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None
