"""Responses produced by the emulated API Gateway itself, not by the app.

API Gateway answers some requests without invoking the Lambda function:
unknown routes, failed authorizers, CORS preflights, broken function
results. This module holds the response type the local gateway returns and
the builders for those gateway-made responses, with the bodies and
``x-amzn-ErrorType`` headers users see from the real service. Pure data: no
I/O, no app access.
"""

from __future__ import annotations

import json
import uuid
from typing import NamedTuple


class GatewayResponse(NamedTuple):
    """An HTTP response as API Gateway would send it.

    ``headers`` and ``multi_value_headers`` keep the shape of a Lambda proxy
    result (single values and lists); the HTTP server decides the wire
    format (default ``Content-Type``, ``Content-Length``).
    """

    status_code: int
    headers: dict[str, str]
    multi_value_headers: dict[str, list[str]]
    body: bytes


def _error(status: int, error_type: str, body: object, *, compact: bool = False) -> GatewayResponse:
    # Byte-for-byte what upstream's local gateway sends, because tests assert
    # on these bodies: the 401 and the authorizer 500 are compact JSON, the
    # 403s have a space after the colon.
    separators = (",", ":") if compact else (", ", ": ")
    headers = {
        "Content-Type": "application/json",
        "x-amzn-RequestId": str(uuid.uuid4()),
        "x-amzn-ErrorType": error_type,
    }
    return GatewayResponse(status, headers, {}, json.dumps(body, separators=separators).encode())


def missing_authentication_token(authorization: str | None) -> GatewayResponse:
    """No route matches the path: API Gateway's famous 403.

    A request that carries an ``Authorization`` header is answered the way
    API Gateway answers an unparsable SigV4 header, because that is what a
    client sending credentials to the wrong URL sees in AWS.
    """
    if authorization is None:
        return _error(403, "UnauthorizedException", {"message": "Missing Authentication Token"})
    message = (
        "Authorization header requires 'Credential' parameter. "
        "Authorization header requires 'Signature' parameter. "
        "Authorization header requires 'SignedHeaders' parameter. "
        "Authorization header requires existence of either a 'X-Amz-Date' or a "
        f"'Date' header. Authorization={authorization}"
    )
    return _error(403, "IncompleteSignatureException", {"message": message})


def unauthorized() -> GatewayResponse:
    """The authorizer's token header is missing or unreadable (401)."""
    return _error(401, "UnauthorizedException", {"message": "Unauthorized"}, compact=True)


def access_denied() -> GatewayResponse:
    """The authorizer's policy does not allow this method and path (403)."""
    return _error(
        403, "AccessDeniedException", {"Message": "User is not authorized to access this resource"}
    )


def authorizer_configuration_error() -> GatewayResponse:
    """The authorizer returned nothing usable (500 with a null message, as in AWS)."""
    return _error(500, "AuthorizerConfigurationException", {"message": None}, compact=True)


def bad_lambda_response() -> GatewayResponse:
    """The function raised or returned something that is not a proxy result (502)."""
    return _error(502, "InternalServerErrorException", {"message": "Internal server error"})


def request_too_large() -> GatewayResponse:
    """The request body is over API Gateway's 10 MiB payload limit (413)."""
    return _error(413, "RequestTooLargeException", {"message": "Request Too Long"})


def preflight(headers: dict[str, str]) -> GatewayResponse:
    """The automatic answer to ``OPTIONS`` on a path without a user OPTIONS route."""
    return GatewayResponse(200, headers, {}, b"")
