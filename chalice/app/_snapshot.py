"""A frozen, typed description of a Chalice app, for the tooling to read.

``snapshot(app)`` walks the runtime registries of an app once (routes,
built-in authorizers, pure lambdas, event sources, websocket handlers, the
``app.api`` settings; blueprints are already merged into them by
``register_blueprint``) and returns an ``AppSnapshot``: plain frozen data
with no reference to a view function, handler or authorizer object. The
graph builder, deploy-time validation, the Swagger generator, ``chalice
local``'s route table and the test client consume it instead of poking at
the live registries, so the app-to-tooling contract is typed in one place.

The runtime never imports this module: the Lambda cold start must not pay
for ``dataclasses``/``enum``/``inspect``. ``chalice.app`` exposes
``snapshot`` lazily (PEP 562). Standard library only: it ships in the zip
with the rest of ``chalice/app``.

>>> from chalice.app import Chalice
>>> app = Chalice("demo")
>>> @app.route("/users/{id}", methods=["GET", "PUT"])
... def user(id):
...     return {}
>>> [(r.method, r.path, r.path_params) for r in snapshot(app).routes]
[('GET', '/users/{id}', ('id',)), ('PUT', '/users/{id}', ('id',))]
"""

from __future__ import annotations

import copy
import enum
import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from chalice.app import _registry as reg

if TYPE_CHECKING:
    from chalice.app._app import Chalice


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


@dataclass(frozen=True, slots=True)
class CorsSpec:
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


@dataclass(frozen=True, slots=True)
class AuthorizerSpec:
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


@dataclass(frozen=True, slots=True)
class RouteSpec:
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


@dataclass(frozen=True, slots=True)
class ApiSpec:
    """``app.api``: binary media types and the default CORS of later routes."""

    binary_types: tuple[str, ...]
    default_cors: CorsSpec | None


@dataclass(frozen=True, slots=True)
class LambdaSpec:
    """A pure ``@app.lambda_function``."""

    name: str
    handler_string: str


@dataclass(frozen=True, slots=True)
class BuiltinAuthorizerSpec:
    """An ``@app.authorizer()`` function (deployed as its own Lambda function)."""

    name: str
    handler_string: str
    ttl_seconds: int | None
    execution_role: str | None
    header: str


@dataclass(frozen=True, slots=True)
class WebsocketHandlerSpec:
    """The handler of one websocket route key ($connect, $default, $disconnect)."""

    route_key: str
    name: str
    handler_string: str


@dataclass(frozen=True, slots=True)
class S3EventSpec:
    """``@app.on_s3_event``."""

    kind: ClassVar[EventSourceKind] = EventSourceKind.S3
    name: str
    handler_string: str
    bucket: str
    events: tuple[str, ...]
    prefix: str | None
    suffix: str | None


@dataclass(frozen=True, slots=True)
class SNSEventSpec:
    """``@app.on_sns_message``; ``topic`` is a name or an ARN."""

    kind: ClassVar[EventSourceKind] = EventSourceKind.SNS
    name: str
    handler_string: str
    topic: str


@dataclass(frozen=True, slots=True)
class SQSEventSpec:
    """``@app.on_sqs_message``: a queue name or a queue ARN."""

    kind: ClassVar[EventSourceKind] = EventSourceKind.SQS
    name: str
    handler_string: str
    queue: str | None
    queue_arn: str | None
    batch_size: int
    maximum_batching_window_in_seconds: int
    maximum_concurrency: int | None


@dataclass(frozen=True, slots=True)
class KinesisEventSpec:
    """``@app.on_kinesis_record``."""

    kind: ClassVar[EventSourceKind] = EventSourceKind.KINESIS
    name: str
    handler_string: str
    stream: str
    batch_size: int
    starting_position: str
    maximum_batching_window_in_seconds: int


@dataclass(frozen=True, slots=True)
class DynamoDBEventSpec:
    """``@app.on_dynamodb_record``."""

    kind: ClassVar[EventSourceKind] = EventSourceKind.DYNAMODB
    name: str
    handler_string: str
    stream_arn: str
    batch_size: int
    starting_position: str
    maximum_batching_window_in_seconds: int


@dataclass(frozen=True, slots=True)
class CloudWatchEventSpec:
    """``@app.on_cw_event``; ``event_pattern`` is a private copy of the user's dict."""

    kind: ClassVar[EventSourceKind] = EventSourceKind.CLOUDWATCH
    name: str
    handler_string: str
    event_pattern: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ScheduleEventSpec:
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


@dataclass(frozen=True, slots=True)
class AppSnapshot:
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


def snapshot(app: Chalice | AppSnapshot) -> AppSnapshot:
    """The ``AppSnapshot`` of ``app`` (a snapshot is returned as it is).

    Raises ``TypeError`` for an event source registration of an unknown kind.
    """
    if isinstance(app, AppSnapshot):
        return app
    return AppSnapshot(
        app_name=app.app_name,
        api=ApiSpec(
            binary_types=tuple(getattr(app.api, "binary_types", ()) or ()),
            default_cors=_default_cors(app.api.cors),
        ),
        # ``app.routes`` is a defaultdict: an unknown path looked up at runtime
        # leaves an empty entry behind (quirk #3), which is not a route.
        routes=tuple(
            _route(entry) for methods in app.routes.values() for entry in methods.values()
        ),
        builtin_authorizers=tuple(
            BuiltinAuthorizerSpec(
                name=a.name,
                handler_string=a.handler_string,
                ttl_seconds=a.ttl_seconds,
                execution_role=a.execution_role,
                header=a.header,
            )
            for a in app.builtin_auth_handlers
        ),
        pure_lambdas=tuple(LambdaSpec(f.name, f.handler_string) for f in app.pure_lambda_functions),
        event_sources=tuple(_event_source(source) for source in app.event_sources),
        websocket_handlers=tuple(
            WebsocketHandlerSpec(route_key=key, name=h.name, handler_string=h.handler_string)
            for key, h in app.websocket_handlers.items()
        ),
        features_used=frozenset(getattr(app, "_features_used", ()) or ()),
        experimental_feature_flags=frozenset(app.experimental_feature_flags or ()),
    )


def _default_cors(cors: Any) -> CorsSpec | None:
    if cors is True:
        from chalice.app._cors import CORSConfig

        return cors_spec(CORSConfig())
    if cors is False or cors is None:
        return None
    return cors_spec(cors)


def cors_spec(cors: Any) -> CorsSpec:
    """The ``CorsSpec`` of a ``CORSConfig`` (or an object with the same attributes)."""
    expose = getattr(cors, "expose_headers", None)
    return CorsSpec(
        allow_origin=getattr(cors, "allow_origin", "*"),
        allow_headers=tuple(sorted(getattr(cors, "allow_headers", ()) or ())),
        expose_headers=None if expose is None else tuple(expose),
        max_age=getattr(cors, "max_age", None),
        allow_credentials=getattr(cors, "allow_credentials", None),
        headers=tuple(cors.get_access_control_headers().items()),
    )


def _qualified_name(func: Any) -> str:
    module = getattr(func, "__module__", None) or "?"
    name = getattr(func, "__qualname__", None) or getattr(func, "__name__", None) or repr(func)
    return f"{module}.{name}"


def _route(entry: reg.RouteEntry) -> RouteSpec:
    return RouteSpec(
        path=entry.uri_pattern,
        method=entry.method,
        view_name=entry.view_name,
        view_function=_qualified_name(entry.view_function),
        docstring=inspect.getdoc(entry.view_function) or None,
        api_key_required=bool(entry.api_key_required),
        content_types=tuple(entry.content_types),
        cors=None if entry.cors is None else cors_spec(entry.cors),
        authorizer=None if entry.authorizer is None else authorizer_spec(entry.authorizer),
        path_params=tuple(entry.view_args),
    )


def _is_builtin(authorizer: Any) -> bool:
    # Duck-typed like the rest of the tooling: a ChaliceAuthorizer is an
    # object with a function and a BuiltinAuthConfig.
    return getattr(authorizer, "config", None) is not None and hasattr(authorizer, "func")


def authorizer_spec(authorizer: Any) -> AuthorizerSpec:
    """The ``AuthorizerSpec`` of an authorizer object given to ``route(authorizer=...)``."""
    from chalice.app._auth import (
        CognitoUserPoolAuthorizer,
        CustomAuthorizer,
        IAMAuthorizer,
        JWTAuthorizer,
    )

    name = authorizer.name
    scopes = tuple(getattr(authorizer, "scopes", None) or ())
    if _is_builtin(authorizer):
        config = authorizer.config
        return AuthorizerSpec(
            name=name,
            kind=AuthorizerKind.BUILTIN,
            scopes=scopes,
            header=getattr(config, "header", None) or "Authorization",
            ttl_seconds=getattr(config, "ttl_seconds", None),
            execution_role=getattr(config, "execution_role", None),
            simple_responses=bool(getattr(config, "simple_responses", False)),
        )
    if isinstance(authorizer, JWTAuthorizer):  # no Swagger form: REST stages refuse it
        return AuthorizerSpec(
            name=name,
            kind=AuthorizerKind.JWT,
            scopes=scopes,
            header=authorizer.header,
            issuer=authorizer.issuer,
            audience=tuple(authorizer.audience),
        )
    definition: dict[str, Any] = copy.deepcopy(dict(authorizer.to_swagger()))
    header = str(definition.get("name") or getattr(authorizer, "header", "Authorization"))
    if isinstance(authorizer, CognitoUserPoolAuthorizer):
        return AuthorizerSpec(
            name=name,
            kind=AuthorizerKind.COGNITO,
            scopes=scopes,
            header=authorizer.header,
            provider_arns=tuple(authorizer.provider_arns),
            security_definition=definition,
            audience=tuple(authorizer.app_client_ids),
        )
    if isinstance(authorizer, CustomAuthorizer):
        return AuthorizerSpec(
            name=name,
            kind=AuthorizerKind.CUSTOM,
            scopes=scopes,
            header=authorizer.header,
            ttl_seconds=authorizer.ttl_seconds,
            execution_role=authorizer.invoke_role_arn,
            authorizer_uri=authorizer.authorizer_uri,
            security_definition=definition,
        )
    kind = AuthorizerKind.IAM if isinstance(authorizer, IAMAuthorizer) else AuthorizerKind.OTHER
    return AuthorizerSpec(
        name=name, kind=kind, scopes=scopes, header=header, security_definition=definition
    )


def _schedule_string(expression: Any) -> str:
    if isinstance(expression, str):
        return expression
    return str(expression.to_string())


_EVENT_CONFIGS = (
    reg.ScheduledEventConfig,
    reg.CloudWatchEventConfig,
    reg.S3EventConfig,
    reg.SNSEventConfig,
    reg.SQSEventConfig,
    reg.KinesisEventConfig,
    reg.DynamoDBEventConfig,
)


def _event_source(source: Any) -> EventSourceSpec:
    if not isinstance(source, _EVENT_CONFIGS):
        raise TypeError(f"unknown event source registration: {source!r}")
    name, handler = source.name, source.handler_string
    if isinstance(source, reg.ScheduledEventConfig):
        return ScheduleEventSpec(
            name=name,
            handler_string=handler,
            schedule_expression=_schedule_string(source.schedule_expression),
            description=source.description or "",
        )
    if isinstance(source, reg.CloudWatchEventConfig):
        return CloudWatchEventSpec(
            name=name, handler_string=handler, event_pattern=copy.deepcopy(source.event_pattern)
        )
    if isinstance(source, reg.S3EventConfig):
        return S3EventSpec(
            name=name,
            handler_string=handler,
            bucket=source.bucket,
            events=tuple(source.events),
            prefix=source.prefix,
            suffix=source.suffix,
        )
    if isinstance(source, reg.SNSEventConfig):
        return SNSEventSpec(name=name, handler_string=handler, topic=source.topic)
    if isinstance(source, reg.SQSEventConfig):
        return SQSEventSpec(
            name=name,
            handler_string=handler,
            queue=source.queue,
            queue_arn=source.queue_arn,
            batch_size=source.batch_size,
            maximum_batching_window_in_seconds=source.maximum_batching_window_in_seconds,
            maximum_concurrency=source.maximum_concurrency,
        )
    if isinstance(source, reg.KinesisEventConfig):
        return KinesisEventSpec(
            name=name,
            handler_string=handler,
            stream=source.stream,
            batch_size=source.batch_size,
            starting_position=source.starting_position,
            maximum_batching_window_in_seconds=source.maximum_batching_window_in_seconds,
        )
    if isinstance(source, reg.DynamoDBEventConfig):
        return DynamoDBEventSpec(
            name=name,
            handler_string=handler,
            stream_arn=source.stream_arn,
            batch_size=source.batch_size,
            starting_position=source.starting_position,
            maximum_batching_window_in_seconds=source.maximum_batching_window_in_seconds,
        )
    raise AssertionError(source)  # pragma: no cover - _EVENT_CONFIGS lists every class
