"""An in-process emulation of API Gateway's REST API in front of a Chalice app.

``LocalGateway.handle_request`` takes an HTTP request (method, target, headers,
body), does what API Gateway does before and after the Lambda proxy
integration, and returns a ``GatewayResponse``:

1. match the path against the app's routes (unknown path: 403 ``Missing
   Authentication Token``);
2. answer CORS preflights for paths without a user ``OPTIONS`` route;
3. build the proxy event (payload format 1.0) with a full ``requestContext``;
4. run the route's authorizer (see ``chalice.local.authorizers``);
5. invoke the app with a ``LambdaContext`` and turn its proxy result back into
   status, headers and body bytes.

A stage whose ``api_gateway_type`` is ``"HTTP"`` gets an HTTP API instead:
payload format 2.0 events, HTTP API authorizer events and error bodies (see
``chalice.local.httpapi``).

Both ``chalice local`` and ``chalice.test.Client`` sit on this class, so they
behave the same. It does no network or file I/O and never touches
``os.environ`` (callers own the process environment).
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qs

from chalice.local import httpapi, responses
from chalice.local.authorizers import ACCOUNT_ID, API_ID, AuthorizationFailed, LocalAuthorizers
from chalice.local.context import LambdaContext, new_request_id
from chalice.local.responses import GatewayResponse
from chalice.local.routing import RouteIndex, normalize_path
from chalice.local.settings import API_HANDLER, LocalSettings, function_timeout_ms

# API Gateway's payload limit for a REST API request.
MAX_BODY_BYTES = 10 * 1024 * 1024

Headers = Mapping[str, str] | Iterable[tuple[str, str]]


class LambdaResultError(Exception):
    """The app returned something API Gateway cannot turn into a response."""


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def is_binary_type(content_type: str | None, binary_types: Iterable[str]) -> bool:
    """Whether API Gateway would treat a body of ``content_type`` as binary.

    Unlike upstream local mode (exact, case-sensitive string equality), this
    compares media types case-insensitively, ignores parameters such as
    ``charset``, and understands ``type/*`` and ``*/*`` entries, like API
    Gateway's binaryMediaTypes.

    >>> is_binary_type("Image/PNG; q=1", ["image/*"])
    True
    """
    if not content_type:
        return False
    media = _media_type(content_type)
    major = media.split("/", 1)[0]
    for binary in binary_types:
        binary = binary.lower()
        if binary == media or binary == "*/*" or binary == f"{major}/*":
            return True
    return False


class _ClockCache:
    # requestTime only has second resolution; format it once per second.
    __slots__ = ("second", "text")

    def __init__(self) -> None:
        self.second = -1
        self.text = ""

    def request_time(self, now: float) -> str:
        second = int(now)
        if second != self.second:
            self.text = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(second))
            self.second = second
        return self.text


class LocalGateway:
    """API Gateway (REST, Lambda proxy) in front of one Chalice app.

    ``settings`` is the ``api_handler``-scoped config of the stage; the
    ``api_gateway_stage`` names the stage in ARNs and ``requestContext``.
    """

    def __init__(
        self,
        app: Any,
        settings: LocalSettings,
        *,
        context_class: type[LambdaContext] = LambdaContext,
        event_hook: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
        api_gateway_type: str | None = None,
    ) -> None:
        self._app = app
        self._context_class = context_class
        # Lets a wrapper adjust each proxy event before the authorizer and
        # the app see it (chalice.local.compat: upstream's subclassing hook).
        self._event_hook = event_hook
        self._settings = settings
        self._handler_settings = settings.scope(API_HANDLER)
        self._stage = str(settings.api_gateway_stage or "api")
        self._memory = self._handler_settings.lambda_memory_size
        self._timeout_ms = function_timeout_ms(self._handler_settings)
        self._routes_seen = -1
        self._index = RouteIndex(())
        self._clock = _ClockCache()
        # "HTTP" stages get HTTP API semantics (payload format 2.0); the
        # keyword overrides the config (chalice.test.Client passes it).
        kind = (
            httpapi.api_gateway_type(settings)
            if api_gateway_type is None
            else httpapi.ApiGatewayType(api_gateway_type.upper())
        )
        self._http_api = kind is httpapi.ApiGatewayType.HTTP
        self._authorizers = LocalAuthorizers(
            getattr(app, "handler_map", {}), stage=self._stage, make_context=self.lambda_context
        )

    @property
    def app(self) -> Any:
        """The app this gateway fronts."""
        return self._app

    def lambda_context(self, function_name: str = API_HANDLER) -> LambdaContext:
        """A fresh context for one invocation of ``function_name``."""
        if function_name == API_HANDLER:
            return self._context_class(function_name, self._memory, self._timeout_ms)
        scoped = self._settings.scope(function_name)
        return self._context_class(
            function_name, scoped.lambda_memory_size, function_timeout_ms(scoped)
        )

    def _route_index(self, *, refresh: bool = False) -> RouteIndex:
        # Routes can be added after the gateway was built (tests do this) but
        # never removed: describe the app again when a path appears (or when
        # ``invoke`` finds a method the index does not know yet).
        routes = self._app.routes
        if refresh or len(routes) != self._routes_seen:
            from chalice.app._snapshot import snapshot

            self._index = RouteIndex(snapshot(self._app).routes)
            self._routes_seen = len(routes)
        return self._index

    def handle_request(
        self,
        method: str,
        target: str,
        headers: Headers,
        body: bytes,
        *,
        source_ip: str = "127.0.0.1",
    ) -> GatewayResponse:
        """Serve one request; ``target`` is the path with an optional query string.

        Exceptions raised by the app (outside its own error handling) and
        malformed proxy results propagate as ``LambdaResultError``/the
        original exception: the HTTP server turns them into API Gateway's
        502, the test client lets them reach the test.
        """
        result = self.invoke(method, target, headers, body, source_ip=source_ip)
        if isinstance(result, GatewayResponse):
            return result
        if self._http_api:
            try:
                return httpapi.result_to_response(result)
            except ValueError as error:
                raise LambdaResultError(str(error)) from error
        return proxy_result_to_response(result)

    @property
    def api_gateway_type(self) -> str:
        """``"HTTP"`` when serving with HTTP API semantics, else ``"REST"``."""
        return "HTTP" if self._http_api else "REST"

    def invoke(
        self,
        method: str,
        target: str,
        headers: Headers,
        body: bytes,
        *,
        source_ip: str = "127.0.0.1",
    ) -> GatewayResponse | Any:
        """Like ``handle_request``, but the app's raw proxy result when it was invoked.

        A ``GatewayResponse`` means the gateway answered by itself (no
        route, authorizer refusal, preflight, oversized body).
        """
        path, _, query = target.partition("?")
        path = path.partition("#")[0] or "/"
        if self._http_api:
            return self._invoke_http_api(method, path, query, headers, body, source_ip)
        single, multi = _header_maps(headers)
        index = self._route_index()
        match = index.match(path)
        if match is None:
            return responses.missing_authentication_token(single.get("authorization"))
        entry = index.methods(match.resource_path).get(method)
        if entry is None and method in self._app.routes.get(match.resource_path, ()):
            index = self._route_index(refresh=True)
            entry = index.methods(match.resource_path).get(method)
        if entry is None and method == "OPTIONS":
            return responses.preflight(index.preflight_headers(match.resource_path))
        if len(body) > MAX_BODY_BYTES:
            return responses.request_too_large()
        event = self._build_event(
            method, normalize_path(path), query, single, multi, body, match, source_ip
        )
        if self._event_hook is not None:
            event = self._event_hook(event)
        authorizer = None
        if entry is not None and entry.authorizer is not None:
            # The snapshot describes the authorizer; running it (a built-in
            # one's function) takes the object the route was registered with.
            authorizer = self._app.routes[entry.path][entry.method].authorizer
        if authorizer is not None:
            try:
                granted = self._authorizers.authorize(authorizer, event)
            except AuthorizationFailed as failed:
                return failed.response
            if granted is not None:
                event["requestContext"]["authorizer"] = granted
        return self._app(event, self.lambda_context())

    def _invoke_http_api(
        self, method: str, path: str, query: str, headers: Headers, body: bytes, source_ip: str
    ) -> GatewayResponse | Any:
        # An HTTP API whose routes are the app's "METHOD /path" routes and
        # nothing else (no $default route): a request no route matches, be
        # it an unknown path or a known path with another method, is the
        # API's own 404 and never reaches the function.
        single, multi = _header_maps(headers)
        index = self._route_index()
        match = index.match(path)
        if match is None:
            return httpapi.not_found()
        # The live entry: running an authorizer takes the registered object.
        entry = self._app.routes[match.resource_path].get(method)
        if entry is None:
            if method == "OPTIONS":
                # The API's CORS configuration answers preflights by itself;
                # without one an OPTIONS request is just another unrouted one.
                index = self._route_index(refresh=True)
                preflight = index.preflight_headers(match.resource_path)
                if "Access-Control-Allow-Origin" in preflight:
                    return responses.preflight(preflight)
            return httpapi.not_found()
        if len(body) > MAX_BODY_BYTES:
            return httpapi.request_too_large()
        event = httpapi.build_event(
            method=method,
            path=path,
            query=query,
            headers=multi,
            body=body,
            binary=is_binary_type(single.get("content-type"), self._app.api.binary_types),
            route_key=f"{method} {match.resource_path}",
            path_params=match.path_params or None,
            stage="$default",
            source_ip=source_ip,
            now=time.time(),
        )
        authorizer = getattr(entry, "authorizer", None)
        if authorizer is not None:
            try:
                granted = self._authorizers.authorize_http_api(authorizer, event)
            except AuthorizationFailed as failed:
                return failed.response
            if granted is not None:
                event["requestContext"]["authorizer"] = granted
        return self._app(event, self.lambda_context())

    def _build_event(
        self,
        method: str,
        path: str,
        query: str,
        single: dict[str, str],
        multi: dict[str, list[str]],
        body: bytes,
        match: Any,
        source_ip: str,
    ) -> dict[str, Any]:
        now = time.time()
        multi_query: dict[str, list[str]] | None = None
        single_query: dict[str, str] | None = None
        if query:
            multi_query = parse_qs(query, keep_blank_values=True)
            single_query = {k: v[-1] for k, v in multi_query.items()}
        encoded = False
        text: str | None = None
        if body:
            if is_binary_type(single.get("content-type"), self._app.api.binary_types):
                text, encoded = base64.b64encode(body).decode("ascii"), True
            else:
                try:
                    text = body.decode("utf-8")
                except UnicodeDecodeError:
                    # API Gateway would mangle these bytes; keep them intact.
                    text, encoded = base64.b64encode(body).decode("ascii"), True
        resource_path = match.resource_path
        return {
            "resource": resource_path,
            "path": path,
            "httpMethod": method,
            "headers": single,
            "multiValueHeaders": multi,
            "queryStringParameters": single_query,
            "multiValueQueryStringParameters": multi_query,
            "pathParameters": match.path_params or None,
            "stageVariables": {},
            "requestContext": {
                "resourceId": "local",
                "resourcePath": resource_path,
                "httpMethod": method,
                "extendedRequestId": None,
                "requestTime": self._clock.request_time(now),
                "path": path,
                "accountId": ACCOUNT_ID,
                "protocol": "HTTP/1.1",
                "stage": self._stage,
                "domainName": single.get("host", "localhost"),
                "requestTimeEpoch": int(now * 1000),
                "requestId": new_request_id(),
                "identity": {
                    "cognitoIdentityPoolId": None,
                    "accountId": None,
                    "cognitoIdentityId": None,
                    "caller": None,
                    "sourceIp": source_ip,
                    "principalOrgId": None,
                    "accessKey": None,
                    "cognitoAuthenticationType": None,
                    "cognitoAuthenticationProvider": None,
                    "userArn": None,
                    "userAgent": single.get("user-agent"),
                    "user": None,
                },
                "apiId": API_ID,
            },
            "body": text,
            "isBase64Encoded": encoded,
        }


def _header_maps(headers: Headers) -> tuple[dict[str, str], dict[str, list[str]]]:
    # Lower-cased keys. A repeated header keeps its last value in the single
    # map (as API Gateway does) and all of them in the multi-value map.
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    for name, value in pairs:
        key = name.lower()
        single[key] = value
        existing = multi.get(key)
        if existing is None:
            multi[key] = [value]
        else:
            existing.append(value)
    return single, multi


def proxy_result_to_response(result: Any) -> GatewayResponse:
    """Turn a Lambda proxy result dict into status, headers and body bytes.

    Raises ``LambdaResultError`` for what API Gateway rejects with a 502.
    """
    if not isinstance(result, Mapping):
        raise LambdaResultError(f"the function returned {type(result).__name__}, not a dict")
    try:
        status = int(result.get("statusCode", 200))
    except (TypeError, ValueError) as error:
        raise LambdaResultError(f"invalid statusCode {result.get('statusCode')!r}") from error
    headers = result.get("headers") or {}
    multi = result.get("multiValueHeaders") or {}
    if not isinstance(headers, Mapping) or not isinstance(multi, Mapping):
        raise LambdaResultError("headers and multiValueHeaders must be objects")
    body = result.get("body")
    if body is None:
        data = b""
    elif result.get("isBase64Encoded"):
        try:
            data = base64.b64decode(body, validate=False)
        except (binascii.Error, ValueError, TypeError) as error:
            raise LambdaResultError("isBase64Encoded is set but the body is not base64") from error
    elif isinstance(body, bytes):
        data = body
    else:
        data = str(body).encode("utf-8")
    return GatewayResponse(
        status,
        {str(k): str(v) for k, v in headers.items()},
        {str(k): [str(v) for v in values] for k, values in multi.items()},
        data,
    )
