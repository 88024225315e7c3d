"""The models of the ``http_api`` type: an HTTP API, its routes, authorizers, CORS and stage.

A sibling of ``httpapi.py`` (the type module: record, planner, descriptor),
which would pass ~500 lines with these. ``CorsSettings`` is shared with
function URLs (``function_url.py``), which take the same CORS shape.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

import attrs

from chalice.deploy.typekit import ResourceType

if TYPE_CHECKING:
    from chalice.deploy.models import Resource
    from chalice.deploy.resources.domain import DomainName
    from chalice.deploy.resources.lambdas import LambdaFunction


class HttpAuthorizerKind(enum.Enum):
    """What an HTTP API route checks before calling the handler."""

    JWT = "JWT"  # Cognito user pools and any OIDC issuer
    LAMBDA = "REQUEST"  # an ``@app.authorizer`` function (payload 2.0)
    IAM = "AWS_IAM"  # SigV4-signed requests; no authorizer resource


@attrs.frozen
class CorsSettings:
    """The native CORS configuration of an HTTP API or a function URL.

    Both services take the same shape (``AllowOrigins``, ``AllowMethods``...);
    empty tuples and None mean "not set".
    """

    allow_origins: tuple[str, ...] = ()
    allow_methods: tuple[str, ...] = ()
    allow_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None
    allow_credentials: bool | None = None

    def to_aws(self) -> dict[str, Any]:
        """The ``CorsConfiguration``/``Cors`` parameter (keys set only when given)."""
        out: dict[str, Any] = {}
        for key, value in (
            ("AllowOrigins", self.allow_origins),
            ("AllowMethods", self.allow_methods),
            ("AllowHeaders", self.allow_headers),
            ("ExposeHeaders", self.expose_headers),
        ):
            if value:
                out[key] = list(value)
        if self.max_age is not None:
            out["MaxAge"] = self.max_age
        if self.allow_credentials is not None:
            out["AllowCredentials"] = self.allow_credentials
        return out


def cors_view(cors: dict[str, Any] | None) -> dict[str, Any] | None:
    """A CORS configuration as compared: header names and methods in one case, lists
    sorted, unset values dropped (AWS may answer with them normalised)."""
    if not cors:
        return None
    out: dict[str, Any] = {}
    for key, value in cors.items():
        if value is None or value == []:
            continue
        if key in ("AllowHeaders", "ExposeHeaders"):
            value = sorted(str(v).lower() for v in value)
        elif key == "AllowMethods":
            value = sorted(str(v).upper() for v in value)
        elif isinstance(value, list):
            value = sorted(value)
        out[key] = value
    return out or None


@attrs.frozen
class HttpApiAuthorizer:
    """One authorizer of an HTTP API (JWT or Lambda; IAM needs none).

    ``function`` is the resource name of an ``@app.authorizer`` function
    (its ``LambdaFunction`` is a top-level resource of the application).
    """

    name: str
    kind: HttpAuthorizerKind
    identity_source: tuple[str, ...]  # "$request.header.Authorization"
    issuer: str | None = None
    audience: tuple[str, ...] = ()
    function: str | None = None
    function_name: str | None = None
    ttl_seconds: int = 300
    simple_responses: bool = False
    invoke_role_arn: str | None = None


@attrs.frozen
class HttpApiRoute:
    """``route_key`` ("GET /users/{id}") and how callers are authorized."""

    route_key: str
    authorization: HttpAuthorizerKind | None = None  # None: open
    authorizer: str | None = None  # HttpApiAuthorizer.name for JWT/LAMBDA
    scopes: tuple[str, ...] = ()


# A JSON line per request with the fields most access log readers want
# (all ``$context`` variables of HTTP API access logging).
DEFAULT_HTTP_ACCESS_LOG_FORMAT = (
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",'
    '"requestTime":"$context.requestTime","httpMethod":"$context.httpMethod",'
    '"routeKey":"$context.routeKey","status":"$context.status",'
    '"protocol":"$context.protocol","responseLength":"$context.responseLength"}'
)


@attrs.frozen
class HttpStageSettings:
    """Access logging and default-route throttling of an HTTP API's stage (None: unset)."""

    access_log_destination: str | None = None  # a log group ARN
    access_log_format: str = DEFAULT_HTTP_ACCESS_LOG_FORMAT
    throttling_burst_limit: int | None = None
    throttling_rate_limit: float | None = None

    def access_log_settings(self) -> dict[str, str] | None:
        """``AccessLogSettings`` of CreateStage/UpdateStage, or None (no access log)."""
        if self.access_log_destination is None:
            return None
        return {"DestinationArn": self.access_log_destination, "Format": self.access_log_format}

    def throttling(self) -> dict[str, Any]:
        """The throttling part of ``DefaultRouteSettings`` (empty: the account's limits)."""
        out: dict[str, Any] = {}
        if self.throttling_burst_limit is not None:
            out["ThrottlingBurstLimit"] = self.throttling_burst_limit
        if self.throttling_rate_limit is not None:
            out["ThrottlingRateLimit"] = float(self.throttling_rate_limit)
        return out


@attrs.frozen
class HttpApi:
    """An API Gateway v2 HTTP API serving the app's routes (payload format 2.0)."""

    resource_name: str  # "http_api"
    name: str  # "<app>-<stage>-http-api"
    api_gateway_stage: str  # "api" by default; "$default" serves without a stage path
    routes: tuple[HttpApiRoute, ...]
    lambda_function: LambdaFunction
    authorizers: tuple[HttpApiAuthorizer, ...] = ()
    cors: CorsSettings | None = None
    domain_name: DomainName | None = None  # protocol HTTP_API, always REGIONAL
    stage_settings: HttpStageSettings = HttpStageSettings()
    resource_type: ResourceType = ResourceType.HTTP_API

    def dependencies(self) -> list[Resource]:
        deps: list[Resource] = [self.lambda_function]
        if self.domain_name is not None:
            deps.append(self.domain_name)
        return deps
