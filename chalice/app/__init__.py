"""The Chalice runtime: everything ``app.py`` imports, and nothing else.

This package (plus ``chalice/__init__.py``) is copied into every deployment
zip, so it must import only the standard library, and as little of it as
possible: cold start is paid on every new Lambda instance. What a plain REST
app needs is imported here; everything else (authorizers, event classes,
websockets, blueprints, schedule expressions, validation helpers) is loaded
on first access through the module ``__getattr__`` below (PEP 562), as is
``snapshot(app)``, the typed description of an app the tooling reads.
"""

from __future__ import annotations

from chalice.app._app import APIGateway, Chalice
from chalice.app._errors import (
    ALL_ERRORS,
    BadRequestError,
    ChaliceError,
    ChaliceUnhandledError,
    ChaliceViewError,
    ConflictError,
    ForbiddenError,
    MalformedEventError,
    MethodNotAllowedError,
    NotFoundError,
    RequestTimeoutError,
    TooManyRequestsError,
    UnauthorizedError,
    UnprocessableEntityError,
    WebsocketDisconnectedError,
)
from chalice.app._http import CaseInsensitiveMapping, MultiDict, Request, Response
from chalice.app._middleware import ConvertToMiddleware
from chalice.app._registry import (
    BuiltinAuthConfig,
    CloudWatchEventConfig,
    DynamoDBEventConfig,
    KinesisEventConfig,
    LambdaFunction,
    RouteEntry,
    S3EventConfig,
    ScheduledEventConfig,
    SNSEventConfig,
    SQSEventConfig,
    WebsocketHandlerConfig,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from chalice.app._auth import (
        Authorizer,
        AuthRequest,
        AuthResponse,
        AuthRoute,
        ChaliceAuthorizer,
        CognitoUserPoolAuthorizer,
        CustomAuthorizer,
        IAMAuthorizer,
        JWTAuthorizer,
    )
    from chalice.app._blueprint import Blueprint
    from chalice.app._cors import CORSConfig
    from chalice.app._events import (
        BaseLambdaEvent,
        CloudWatchEvent,
        DynamoDBEvent,
        DynamoDBRecord,
        KinesisEvent,
        KinesisRecord,
        LambdaFunctionEvent,
        S3Event,
        SNSEvent,
        SQSEvent,
        SQSRecord,
    )
    from chalice.app._schedule import Cron, Rate, ScheduleExpression
    from chalice.app._snapshot import AppSnapshot, RouteSpec, snapshot
    from chalice.app._validate import validate_route_content_types, validate_routes
    from chalice.app._websocket import WebsocketAPI, WebsocketEvent

# Public name -> submodule that defines it, imported on first access.
_LAZY = {
    "AuthRequest": "_auth",
    "AuthResponse": "_auth",
    "AuthRoute": "_auth",
    "Authorizer": "_auth",
    "ChaliceAuthorizer": "_auth",
    "CognitoUserPoolAuthorizer": "_auth",
    "CustomAuthorizer": "_auth",
    "IAMAuthorizer": "_auth",
    "JWTAuthorizer": "_auth",
    "Blueprint": "_blueprint",
    "CORSConfig": "_cors",
    "BaseLambdaEvent": "_events",
    "CloudWatchEvent": "_events",
    "DynamoDBEvent": "_events",
    "DynamoDBRecord": "_events",
    "KinesisEvent": "_events",
    "KinesisRecord": "_events",
    "LambdaFunctionEvent": "_events",
    "S3Event": "_events",
    "SNSEvent": "_events",
    "SQSEvent": "_events",
    "SQSRecord": "_events",
    "Cron": "_schedule",
    "Rate": "_schedule",
    "ScheduleExpression": "_schedule",
    # The tooling's typed view of an app; never needed at request time.
    "AppSnapshot": "_snapshot",
    "RouteSpec": "_snapshot",
    "snapshot": "_snapshot",
    "validate_routes": "_validate",
    "validate_route_content_types": "_validate",
    "WebsocketAPI": "_websocket",
    "WebsocketEvent": "_websocket",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'chalice.app' has no attribute {name!r}")
    # __import__ rather than importlib: importing importlib (and warnings)
    # would cost more than the submodule itself.
    module = __import__(f"chalice.app.{module_name}", fromlist=[name])
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "ALL_ERRORS",
    "APIGateway",
    "AppSnapshot",
    "AuthRequest",
    "AuthResponse",
    "AuthRoute",
    "Authorizer",
    "BadRequestError",
    "BaseLambdaEvent",
    "Blueprint",
    "BuiltinAuthConfig",
    "CORSConfig",
    "CaseInsensitiveMapping",
    "Chalice",
    "ChaliceAuthorizer",
    "ChaliceError",
    "ChaliceUnhandledError",
    "ChaliceViewError",
    "CloudWatchEvent",
    "CloudWatchEventConfig",
    "CognitoUserPoolAuthorizer",
    "ConflictError",
    "ConvertToMiddleware",
    "Cron",
    "CustomAuthorizer",
    "DynamoDBEvent",
    "DynamoDBEventConfig",
    "DynamoDBRecord",
    "ForbiddenError",
    "IAMAuthorizer",
    "JWTAuthorizer",
    "KinesisEvent",
    "KinesisEventConfig",
    "KinesisRecord",
    "LambdaFunction",
    "LambdaFunctionEvent",
    "MalformedEventError",
    "MethodNotAllowedError",
    "MultiDict",
    "NotFoundError",
    "Rate",
    "Request",
    "RequestTimeoutError",
    "Response",
    "RouteEntry",
    "RouteSpec",
    "S3Event",
    "S3EventConfig",
    "SNSEvent",
    "SNSEventConfig",
    "SQSEvent",
    "SQSEventConfig",
    "SQSRecord",
    "ScheduleExpression",
    "ScheduledEventConfig",
    "TooManyRequestsError",
    "UnauthorizedError",
    "UnprocessableEntityError",
    "WebsocketAPI",
    "WebsocketDisconnectedError",
    "WebsocketEvent",
    "WebsocketHandlerConfig",
    "snapshot",
    "validate_route_content_types",
    "validate_routes",
]
