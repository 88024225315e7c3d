"""The HTTP API (API Gateway v2) side of local emulation: 2.0 events in, 2.0 results out.

When a stage says ``"api_gateway_type": "HTTP"``, ``LocalGateway`` builds
payload format 2.0 events with the helpers here instead of REST proxy
events, answers with an HTTP API's own error bodies (``{"message": "Not
Found"}``...), and turns the function's 2.0 result back into an HTTP
response (``cookies`` become ``Set-Cookie`` headers). Pure functions: no
clock (callers pass ``now``), no I/O, no app access.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
import time
import uuid
from collections.abc import Mapping
from typing import Any

from chalice.local.responses import GatewayResponse

ACCOUNT_ID = "123456789012"
API_ID = "ymy8tbxw7b"
REGION = "mars-west-1"


class ApiGatewayType(enum.Enum):
    """Which API Gateway flavour a stage deploys (config key ``api_gateway_type``)."""

    REST = "REST"
    HTTP = "HTTP"


def api_gateway_type(settings: Any, stage: str | None = None) -> ApiGatewayType:
    """The stage's ``api_gateway_type`` (default REST), however the config exposes it.

    Tries a ``api_gateway_type`` attribute, then ``settings.lookup`` (a known
    config key), then the raw document (stage, then top level). An unknown
    value reads as REST here; config validation reports it.
    """
    value = getattr(settings, "api_gateway_type", None)
    if value is None:
        lookup = getattr(settings, "lookup", None)
        if callable(lookup):
            try:
                value = lookup("api_gateway_type")
            except (KeyError, ValueError):
                value = None
    if value is None:
        raw = getattr(settings, "raw", None)
        document = raw() if callable(raw) else None
        if isinstance(document, Mapping):
            stage_name = stage or getattr(settings, "stage", None)
            stages = document.get("stages")
            stage_data = stages.get(stage_name) if isinstance(stages, Mapping) else None
            if isinstance(stage_data, Mapping):
                value = stage_data.get("api_gateway_type")
            if value is None:
                value = document.get("api_gateway_type")
    if isinstance(value, ApiGatewayType):
        return value
    return ApiGatewayType.HTTP if str(value).upper() == "HTTP" else ApiGatewayType.REST


def route_arn(method: str, path: str, *, stage: str) -> str:
    """The ``routeArn`` an HTTP API passes to a Lambda authorizer.

    >>> route_arn("GET", "/pets/1", stage="$default")
    'arn:aws:execute-api:mars-west-1:123456789012:ymy8tbxw7b/$default/GET/pets/1'
    """
    return f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{API_ID}/{stage}/{method}/{path.lstrip('/')}"


def split_cookies(headers: dict[str, str]) -> list[str] | None:
    """Remove the ``cookie`` header from ``headers``; its cookies, as 2.0 lists them."""
    cookie = headers.pop("cookie", None)
    if not cookie:
        return None
    return [c.strip() for c in cookie.split(";") if c.strip()]


def build_event(
    *,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, list[str]],
    body: bytes,
    binary: bool,
    route_key: str,
    path_params: dict[str, str] | None,
    stage: str,
    source_ip: str,
    now: float,
) -> dict[str, Any]:
    """A payload format 2.0 event like an HTTP API sends for one request.

    ``headers`` maps lower-case names to every value; 2.0 joins repeated
    headers with commas and moves cookies to ``cookies``. ``query`` is the
    raw query string; ``queryStringParameters`` joins repeated names with
    commas. ``binary`` says to base64 the body (as for a binary type).
    """
    single = {name: ",".join(values) for name, values in headers.items()}
    cookies = split_cookies(single)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": query,
        "headers": single,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        from urllib.parse import parse_qs

        parsed = parse_qs(query, keep_blank_values=True)
        event["queryStringParameters"] = {k: ",".join(v) for k, v in parsed.items()}
    event["requestContext"] = {
        "accountId": ACCOUNT_ID,
        "apiId": API_ID,
        "domainName": single.get("host", "localhost"),
        "domainPrefix": single.get("host", "localhost").split(".")[0],
        "http": {
            "method": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": source_ip,
            "userAgent": single.get("user-agent", ""),
        },
        "requestId": str(uuid.uuid4()),
        "routeKey": route_key,
        "stage": stage,
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "timeEpoch": int(now * 1000),
    }
    if path_params:
        event["pathParameters"] = path_params
    if body:
        if not binary:
            try:
                event["body"] = body.decode("utf-8")
                event["isBase64Encoded"] = False
            except UnicodeDecodeError:
                binary = True
        if binary:
            event["body"] = base64.b64encode(body).decode("ascii")
            event["isBase64Encoded"] = True
    else:
        event["isBase64Encoded"] = False
    return event


def authorizer_event(event: dict[str, Any], *, identity: list[str], arn: str) -> dict[str, Any]:
    """The 2.0 REQUEST event a Lambda authorizer gets for the request ``event``."""
    auth = {k: v for k, v in event.items() if k not in ("body", "isBase64Encoded")}
    auth.update(type="REQUEST", routeArn=arn, identitySource=identity)
    return auth


class AuthorizerFormat(enum.Enum):
    """The response format an HTTP API expects from a Lambda authorizer."""

    IAM_POLICY = "IAM_POLICY"
    SIMPLE = "SIMPLE"  # EnableSimpleResponses: {"isAuthorized": bool, "context": {...}}


def authorizer_format_problem(result: Any, expected: AuthorizerFormat) -> str | None:
    """Why an HTTP API would reject ``result`` (its 500), or None if it is well formed.

    With simple responses API Gateway reads only a boolean ``isAuthorized``;
    without, it needs an IAM ``policyDocument``; any other answer is an
    authorizer error.

    >>> authorizer_format_problem({"isAuthorized": True}, AuthorizerFormat.SIMPLE) is None
    True
    >>> authorizer_format_problem({"isAuthorized": True}, AuthorizerFormat.IAM_POLICY)
    'returned a simple response, but it is deployed to return an IAM policy'
    """
    if not isinstance(result, Mapping):
        return f"returned {type(result).__name__}, not a JSON object"
    is_policy = isinstance(result.get("policyDocument"), Mapping)
    if expected is AuthorizerFormat.SIMPLE:
        if isinstance(result.get("isAuthorized"), bool):
            return None
        if is_policy:
            return "returned an IAM policy, but it is deployed with simple_responses=True"
        return 'returned no boolean "isAuthorized"'
    if is_policy:
        return None
    if "isAuthorized" in result:
        return "returned a simple response, but it is deployed to return an IAM policy"
    return 'returned no "policyDocument"'


def result_to_response(result: Any) -> GatewayResponse:
    """Turn a function's 2.0 result into status, headers and body bytes.

    A dict with ``statusCode`` is used as is (``cookies`` become
    ``Set-Cookie`` headers); anything else is what HTTP APIs infer: a 200
    whose JSON body is the returned value.
    """
    if not isinstance(result, Mapping) or "statusCode" not in result:
        # The inferred format: the value is the JSON body.
        text = result if isinstance(result, str) else json.dumps(result)
        return GatewayResponse(200, {"Content-Type": "application/json"}, {}, text.encode())
    try:
        status = int(result["statusCode"])
    except (TypeError, ValueError) as error:
        raise ValueError(f"invalid statusCode {result.get('statusCode')!r}") from error
    headers = result.get("headers") or {}
    if not isinstance(headers, Mapping):
        raise ValueError("headers must be an object")
    body = result.get("body")
    if body is None:
        data = b""
    elif result.get("isBase64Encoded"):
        try:
            data = base64.b64decode(body, validate=False)
        except (binascii.Error, ValueError, TypeError) as error:
            raise ValueError("isBase64Encoded is set but the body is not base64") from error
    elif isinstance(body, bytes):
        data = body
    else:
        data = str(body).encode("utf-8")
    multi: dict[str, list[str]] = {}
    cookies = result.get("cookies")
    if cookies:
        multi["Set-Cookie"] = [str(c) for c in cookies]
    return GatewayResponse(status, {str(k): str(v) for k, v in headers.items()}, multi, data)


def _error(status: int, message: str) -> GatewayResponse:
    # HTTP APIs answer their own errors with {"message": ...} and an
    # apigw-requestid header (no x-amzn-ErrorType, unlike REST APIs).
    headers = {"Content-Type": "application/json", "apigw-requestid": uuid.uuid4().hex[:16]}
    return GatewayResponse(status, headers, {}, json.dumps({"message": message}).encode())


def not_found() -> GatewayResponse:
    """No route matches the request (an HTTP API's 404)."""
    return _error(404, "Not Found")


def unauthorized() -> GatewayResponse:
    """The authorizer's identity source is missing (401)."""
    return _error(401, "Unauthorized")


def forbidden() -> GatewayResponse:
    """The authorizer denied the request (403)."""
    return _error(403, "Forbidden")


def authorizer_error() -> GatewayResponse:
    """The authorizer returned nothing an HTTP API understands (500)."""
    return _error(500, "Internal Server Error")


def request_too_large() -> GatewayResponse:
    """The body is over the 10 MiB payload limit (413)."""
    return _error(413, "Request Entity Too Large")
