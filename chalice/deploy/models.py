"""Frozen resource models: the data that flows through the deploy pipeline.

The graph builder (``graph.py``) turns an app and its config into these; the
build stage (``build.py``) returns copies (``attrs.evolve``) with the
artifacts filled in (zip paths and hashes, policy documents, the swagger
document); the planners, ``chalice package`` and ``chalice plan`` only read
them. Models hold data and list their dependencies; they never call AWS or
touch the disk.

``resource_name`` is the stable key of a resource in
``.chalice/deployed/<stage>.json`` (upstream's naming rules, SPEC §4.3), and
``resource_type`` is the value recorded there.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

import attrs

from chalice.deploy.resources.eventsources import (
    DynamoDBEventSource,
    KinesisEventSource,
    SQSEventSource,
)
from chalice.deploy.resources.iam import ManagedIAMRole, PreCreatedIAMRole, Role
from chalice.deploy.resources.lambdas import LambdaFunction, LambdaLayer
from chalice.deploy.resources.logs import LogGroup
from chalice.deploy.resources.rules import CloudWatchEvent, ScheduledEvent
from chalice.deploy.resources.s3 import S3BucketNotification
from chalice.deploy.resources.sns import SNSLambdaSubscription
from chalice.deploy.typekit import (
    APIType,
    AutoGenIAMPolicy,
    DeploymentPackage,
    FileBasedIAMPolicy,
    IAMPolicy,
    ResourceType,
    RoleTraits,
    TLSVersion,
)

if TYPE_CHECKING:
    # Type only: the models stay importable without describing an app.
    from chalice.app._snapshot import RouteSpec


@attrs.frozen
class APIMapping:
    resource_name: str  # "api_mapping"
    mount_path: str  # "(none)" for "/" or no prefix, else the prefix without slashes
    api_gateway_stage: str

    def dependencies(self) -> list[Resource]:
        return []


@attrs.frozen
class DomainName:
    resource_name: str  # "api_gateway_custom_domain" | "websocket_api_custom_domain"
    domain_name: str
    protocol: APIType
    certificate_arn: str
    api_mapping: APIMapping
    tls_version: TLSVersion = TLSVersion.TLS_1_2
    tags: dict[str, str] | None = None
    endpoint_type: str = "EDGE"  # websocket domains are always REGIONAL
    resource_type: ResourceType = ResourceType.DOMAIN_NAME

    def dependencies(self) -> list[Resource]:
        return []


@attrs.frozen
class RestAPI:
    resource_name: str  # "rest_api"
    # Swagger 2.0 document with deploy-time integration URIs; filled by the build.
    swagger_doc: dict[str, Any] | None
    minimum_compression: str  # "" when unset, else the int as a string
    api_gateway_stage: str
    endpoint_type: str  # EDGE | REGIONAL | PRIVATE
    lambda_function: LambdaFunction
    xray: bool = False
    policy: IAMPolicy | FileBasedIAMPolicy | None = None
    authorizers: tuple[LambdaFunction, ...] = ()
    domain_name: DomainName | None = None
    vpce_ids: tuple[str, ...] = ()
    resource_type: ResourceType = ResourceType.REST_API
    # What the API serves, from the app snapshot; the build writes swagger_doc
    # from these (title = the Chalice app_name, binary media types, routes).
    title: str = ""
    binary_types: tuple[str, ...] = ()
    routes: tuple[RouteSpec, ...] = ()

    def dependencies(self) -> list[Resource]:
        deps: list[Resource] = [self.lambda_function, *self.authorizers]
        if self.domain_name is not None:
            deps.append(self.domain_name)
        return deps


@attrs.frozen
class WebsocketAPI:
    resource_name: str  # "websocket_api"
    name: str  # "<app>-<stage>-websocket-api"
    api_gateway_stage: str
    routes: tuple[str, ...]  # route keys: "$connect", "$default", "$disconnect"
    connect_function: LambdaFunction | None
    message_function: LambdaFunction | None
    disconnect_function: LambdaFunction | None
    domain_name: DomainName | None = None
    resource_type: ResourceType = ResourceType.WEBSOCKET_API

    def dependencies(self) -> list[Resource]:
        deps: list[Resource] = [
            f
            for f in (self.connect_function, self.message_function, self.disconnect_function)
            if f is not None
        ]
        if self.domain_name is not None:
            deps.append(self.domain_name)
        return deps


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


@attrs.frozen
class FunctionUrl:
    """A Lambda function URL (``function_url`` in a function's config)."""

    resource_name: str  # "<fn>-function-url"
    auth_type: str  # "NONE" | "AWS_IAM"
    lambda_function: LambdaFunction
    cors: CorsSettings | None = None
    resource_type: ResourceType = ResourceType.FUNCTION_URL

    def dependencies(self) -> list[Resource]:
        return [self.lambda_function]


Resource = (
    ManagedIAMRole
    | PreCreatedIAMRole
    | LambdaLayer
    | LogGroup
    | LambdaFunction
    | ScheduledEvent
    | CloudWatchEvent
    | S3BucketNotification
    | SNSLambdaSubscription
    | SQSEventSource
    | KinesisEventSource
    | DynamoDBEventSource
    | APIMapping
    | DomainName
    | RestAPI
    | WebsocketAPI
    | HttpApi
    | FunctionUrl
)

# Resources that get an entry in the state file (PreCreatedIAMRole and
# APIMapping do not: a mapping is recorded inside its DomainName entry).
RecordedResource = (
    ManagedIAMRole
    | LambdaLayer
    | LogGroup
    | LambdaFunction
    | ScheduledEvent
    | CloudWatchEvent
    | S3BucketNotification
    | SNSLambdaSubscription
    | SQSEventSource
    | KinesisEventSource
    | DynamoDBEventSource
    | DomainName
    | RestAPI
    | WebsocketAPI
    | HttpApi
    | FunctionUrl
)


@attrs.frozen
class Application:
    """Everything one stage of an app wants to exist, in upstream's order (SPEC §4.3)."""

    stage: str
    resources: tuple[Resource, ...]


def dependency_order(app: Application) -> list[RecordedResource]:
    """Every recorded resource reachable from ``app``, dependencies first.

    Post-order depth-first walk over ``app.resources`` in their given order,
    each resource listed once (by ``resource_name``), so the result is stable
    for a given app: ``[role, function, rule]`` for a scheduled function.
    """
    seen: set[str] = set()
    out: list[RecordedResource] = []

    def visit(res: Resource) -> None:
        for dep in res.dependencies():
            visit(dep)
        if isinstance(res, (PreCreatedIAMRole, APIMapping)):
            return
        if res.resource_name in seen:
            return
        seen.add(res.resource_name)
        out.append(res)

    for r in app.resources:
        visit(r)
    return out


__all__ = [
    "DEFAULT_HTTP_ACCESS_LOG_FORMAT",
    "APIMapping",
    "APIType",
    "Application",
    "AutoGenIAMPolicy",
    "CloudWatchEvent",
    "CorsSettings",
    "DeploymentPackage",
    "DomainName",
    "DynamoDBEventSource",
    "FileBasedIAMPolicy",
    "FunctionUrl",
    "HttpApi",
    "HttpApiAuthorizer",
    "HttpApiRoute",
    "HttpAuthorizerKind",
    "HttpStageSettings",
    "IAMPolicy",
    "KinesisEventSource",
    "LambdaFunction",
    "LambdaLayer",
    "LogGroup",
    "ManagedIAMRole",
    "PreCreatedIAMRole",
    "RecordedResource",
    "Resource",
    "ResourceType",
    "RestAPI",
    "Role",
    "RoleTraits",
    "S3BucketNotification",
    "SNSLambdaSubscription",
    "SQSEventSource",
    "ScheduledEvent",
    "TLSVersion",
    "WebsocketAPI",
    "cors_view",
    "dependency_order",
]
