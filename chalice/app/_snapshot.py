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

The spec types live in ``chalice.app._snapshot_types`` and are re-exported
here, so ``from chalice.app._snapshot import RouteSpec`` keeps working.

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
import inspect
from typing import TYPE_CHECKING, Any

from chalice.app import _registry as reg
from chalice.app._snapshot_types import (
    ApiSpec,
    AppSnapshot,
    AuthorizerKind,
    AuthorizerSpec,
    BuiltinAuthorizerSpec,
    CloudWatchEventSpec,
    CorsSpec,
    DynamoDBEventSpec,
    EventSourceKind,
    EventSourceSpec,
    KinesisEventSpec,
    LambdaSpec,
    RouteSpec,
    S3EventSpec,
    ScheduleEventSpec,
    SNSEventSpec,
    SQSEventSpec,
    WebsocketHandlerSpec,
)

if TYPE_CHECKING:
    from chalice.app._app import Chalice

__all__ = [
    "ApiSpec",
    "AppSnapshot",
    "AuthorizerKind",
    "AuthorizerSpec",
    "BuiltinAuthorizerSpec",
    "CloudWatchEventSpec",
    "CorsSpec",
    "DynamoDBEventSpec",
    "EventSourceKind",
    "EventSourceSpec",
    "KinesisEventSpec",
    "LambdaSpec",
    "RouteSpec",
    "S3EventSpec",
    "SNSEventSpec",
    "SQSEventSpec",
    "ScheduleEventSpec",
    "WebsocketHandlerSpec",
    "authorizer_spec",
    "cors_spec",
    "snapshot",
]


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
