"""The types of an ``AppSnapshot``: frozen, plain data describing a Chalice app.

Every class here is a ``Frozen`` value (``_frozen.py``) or an enum, holding
strings, numbers, tuples and copies of the user's dicts, never a view
function, handler or authorizer object, so the tooling can keep, compare
and hash what it read.
``chalice.app._snapshot`` builds them from the runtime registries and
re-exports them; import them from there.

Like ``_snapshot``, the runtime never imports this module (the Lambda cold
start must not pay for ``enum`` and the specs), and it uses the standard
library only: it ships in the zip with the rest of ``chalice/app``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, ClassVar

from chalice.app._frozen import Frozen


class AuthorizerKind(enum.Enum):
    """What kind of authorizer a route names."""

    BUILTIN = "builtin"  # @app.authorizer(): a Lambda function of this app
    COGNITO = "cognito"  # CognitoUserPoolAuthorizer
    IAM = "iam"  # IAMAuthorizer (SigV4)
    CUSTOM = "custom"  # CustomAuthorizer: a Lambda deployed elsewhere
    JWT = "jwt"  # JWTAuthorizer: HTTP APIs only (no Swagger form)
    OTHER = "other"  # a user's own Authorizer subclass: only its to_swagger() is known


class EventSourceKind(enum.Enum):
    """The event source decorators, one member each."""

    S3 = "s3"
    SNS = "sns"
    SQS = "sqs"
    KINESIS = "kinesis"
    DYNAMODB = "dynamodb"
    CLOUDWATCH = "cloudwatch"
    SCHEDULE = "schedule"


class CorsSpec(Frozen):
    """A route's CORS settings; ``headers`` are the ``Access-Control-*`` response headers."""

    allow_origin: str
    allow_headers: tuple[str, ...]  # sorted; includes the headers AWS clients always send
    expose_headers: tuple[str, ...] | None
    max_age: int | None
    allow_credentials: bool | None
    headers: tuple[tuple[str, str], ...]  # in the order responses carry them

    def access_control_headers(self) -> dict[str, str]:
        """The response headers as a fresh dict."""
        return dict(self.headers)


class AuthorizerSpec(Frozen):
    """The authorizer a route names (``route(authorizer=...)``).

    ``name`` is the security definition's name (and, for ``BUILTIN``, the
    resource name of its function). ``security_definition`` is what a
    non-built-in authorizer's ``to_swagger()`` returned; a built-in one's
    depends on how the function is referenced, so it is left to the consumer
    (``ttl_seconds``, ``execution_role`` and ``header`` describe it).
    """

    name: str
    kind: AuthorizerKind
    scopes: tuple[str, ...]
    header: str
    ttl_seconds: int | None = None
    execution_role: str | None = None
    provider_arns: tuple[str, ...] = ()
    authorizer_uri: str | None = None
    security_definition: Mapping[str, Any] | None = None
    # HTTP APIs' JWT authorizers: the token issuer and audience (for
    # ``COGNITO``, the user pool's app client ids; empty when not given).
    issuer: str | None = None
    audience: tuple[str, ...] = ()
    # ``BUILTIN`` on an HTTP API: the function answers simple responses
    # (``EnableSimpleResponses``) instead of IAM policies.
    simple_responses: bool = False


class RouteSpec(Frozen):
    """One (path, method) of the REST API.

    ``view_function`` is where the view lives (``module.qualname``), for
    reports; ``docstring`` is its cleaned docstring (Swagger's summary and
    description). ``path_params`` are the ``{name}`` segments of ``path``.
    """

    path: str
    method: str
    view_name: str
    view_function: str
    docstring: str | None
    api_key_required: bool
    content_types: tuple[str, ...]
    cors: CorsSpec | None
    authorizer: AuthorizerSpec | None
    path_params: tuple[str, ...]


class ApiSpec(Frozen):
    """``app.api``: binary media types and the default CORS of later routes."""

    binary_types: tuple[str, ...]
    default_cors: CorsSpec | None


class LambdaSpec(Frozen):
    """A pure ``@app.lambda_function``."""

    name: str
    handler_string: str


class BuiltinAuthorizerSpec(Frozen):
    """An ``@app.authorizer()`` function (deployed as its own Lambda function)."""

    name: str
    handler_string: str
    ttl_seconds: int | None
    execution_role: str | None
    header: str


class WebsocketHandlerSpec(Frozen):
    """The handler of one websocket route key ($connect, $default, $disconnect)."""

    route_key: str
    name: str
    handler_string: str


class S3EventSpec(Frozen):
    """``@app.on_s3_event``."""

    kind: ClassVar[EventSourceKind] = EventSourceKind.S3
    name: str
    handler_string: str
    bucket: str
    events: tuple[str, ...]
    prefix: str | None
    suffix: str | None


class SNSEventSpec(Frozen):
    """``@app.on_sns_message``; ``topic`` is a name or an ARN."""

    kind: ClassVar[EventSourceKind] = EventSourceKind.SNS
    name: str
    handler_string: str
    topic: str


class SQSEventSpec(Frozen):
    """``@app.on_sqs_message``: a queue name or a queue ARN."""

    kind: ClassVar[EventSourceKind] = EventSourceKind.SQS
    name: str
    handler_string: str
    queue: str | None
    queue_arn: str | None
    batch_size: int
    maximum_batching_window_in_seconds: int
    maximum_concurrency: int | None


class KinesisEventSpec(Frozen):
    """``@app.on_kinesis_record``."""

    kind: ClassVar[EventSourceKind] = EventSourceKind.KINESIS
    name: str
    handler_string: str
    stream: str
    batch_size: int
    starting_position: str
    maximum_batching_window_in_seconds: int


class DynamoDBEventSpec(Frozen):
    """``@app.on_dynamodb_record``."""

    kind: ClassVar[EventSourceKind] = EventSourceKind.DYNAMODB
    name: str
    handler_string: str
    stream_arn: str
    batch_size: int
    starting_position: str
    maximum_batching_window_in_seconds: int


class CloudWatchEventSpec(Frozen):
    """``@app.on_cw_event``; ``event_pattern`` is a private copy of the user's dict."""

    kind: ClassVar[EventSourceKind] = EventSourceKind.CLOUDWATCH
    name: str
    handler_string: str
    event_pattern: Mapping[str, Any]


class ScheduleEventSpec(Frozen):
    """``@app.schedule``; ``schedule_expression`` is the string PutRule takes."""

    kind: ClassVar[EventSourceKind] = EventSourceKind.SCHEDULE
    name: str
    handler_string: str
    schedule_expression: str
    description: str


EventSourceSpec = (
    S3EventSpec
    | SNSEventSpec
    | SQSEventSpec
    | KinesisEventSpec
    | DynamoDBEventSpec
    | CloudWatchEventSpec
    | ScheduleEventSpec
)


class AppSnapshot(Frozen):
    """Everything the tooling knows about an app, in registration order."""

    app_name: str
    api: ApiSpec
    routes: tuple[RouteSpec, ...]
    builtin_authorizers: tuple[BuiltinAuthorizerSpec, ...]
    pure_lambdas: tuple[LambdaSpec, ...]
    event_sources: tuple[EventSourceSpec, ...]
    websocket_handlers: tuple[WebsocketHandlerSpec, ...]
    features_used: frozenset[str] = frozenset()
    experimental_feature_flags: frozenset[str] = frozenset()

    @property
    def has_routes(self) -> bool:
        """True when the app has a REST API (at least one route)."""
        return bool(self.routes)

    def routes_by_path(self) -> dict[str, dict[str, RouteSpec]]:
        """``{path: {method: route}}``, paths and methods in registration order."""
        grouped: dict[str, dict[str, RouteSpec]] = {}
        for route in self.routes:
            grouped.setdefault(route.path, {})[route.method] = route
        return grouped

    def websocket_handler(self, route_key: str) -> WebsocketHandlerSpec | None:
        """The handler of ``route_key``, or None."""
        for handler in self.websocket_handlers:
            if handler.route_key == route_key:
                return handler
        return None
