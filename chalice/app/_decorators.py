"""The decorator API shared by ``Chalice`` and ``Blueprint``.

Every decorator checks its arguments (so a mistake fails at import time,
naming the function), wraps the function into its Lambda entry point, and
hands a ``Registration`` to ``_register``: ``Chalice`` applies it at once,
``Blueprint`` keeps it until ``register_blueprint``. Nothing here reads or
writes the app's registries; that is ``_app.apply_registration``.
"""

from __future__ import annotations

from chalice.app._middleware import EventSourceHandler, PureLambdaHandler, check_event_type

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    from chalice.app._auth import ChaliceAuthorizer
    from chalice.app._schedule import ScheduleExpression

    _F = TypeVar("_F", bound=Callable[..., Any])

_ROUTE_KWARGS = frozenset(
    ["methods", "name", "authorizer", "api_key_required", "content_types", "cors"]
)


class Registration:
    """One decorated function waiting to be recorded on an app.

    ``kind`` is one of ``route``, ``authorizer``, ``event``, ``lambda``,
    ``websocket``, ``middleware``. ``handler`` is the Lambda entry point the
    decorator returned; ``make_config(name, handler_string)`` builds the
    registry entry for event sources.
    """

    __slots__ = ("kind", "func", "name", "handler", "options", "make_config")

    def __init__(
        self,
        kind: str,
        func: Callable[..., Any],
        name: str | None,
        handler: Any = None,
        options: dict[str, Any] | None = None,
        make_config: Callable[[str, str], Any] | None = None,
    ) -> None:
        self.kind = kind
        self.func = func
        self.name = name
        self.handler = handler
        self.options = options or {}
        self.make_config = make_config


def _check_name(name: object, decorator: str) -> None:
    if name is not None and not isinstance(name, str):
        hint = ""
        if callable(name):
            hint = f"; did you forget the parentheses: @app.{decorator}()?"
        raise TypeError(f"{decorator}(): name must be a string, got {name!r}{hint}")


def _check_func(func: object, decorator: str) -> None:
    if not callable(func):
        raise TypeError(f"@{decorator}() must decorate a function, got {func!r}")


def _func_name(func: Callable[..., Any]) -> str:
    return getattr(func, "__name__", type(func).__name__)


def _check_int(value: object, what: str, func: Callable[..., Any], minimum: int = 0) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(
            f"In handler {_func_name(func)!r}: {what} must be an integer >= {minimum}, "
            f"got {value!r}"
        )


class DecoratorAPI:
    """Registration decorators; subclasses implement ``_register``."""

    __slots__ = ()

    def _register(self, registration: Registration) -> None:
        raise NotImplementedError("_register")

    # -- REST --------------------------------------------------------------

    def route(self, path: str, **kwargs: Any) -> Callable[[_F], _F]:
        """Register a view for ``path``; see docs/routing.rst for the options."""
        unknown = sorted(set(kwargs) - _ROUTE_KWARGS)
        if unknown:
            raise TypeError(
                "TypeError: route() got unexpected keyword arguments: " + ", ".join(unknown)
            )
        if not isinstance(path, str):
            raise TypeError(f"route(): path must be a string, got {path!r}")
        _check_name(kwargs.get("name"), "route")

        def decorator(view: _F) -> _F:
            _check_func(view, "route")
            options = _route_options(path, view, kwargs)
            self._register(Registration("route", view, kwargs.get("name"), view, options))
            return view

        return decorator

    def authorizer(
        self,
        ttl_seconds: int | None = None,
        execution_role: str | None = None,
        name: str | None = None,
        header: str = "Authorization",
        *,
        simple_responses: bool = False,
    ) -> Callable[[Callable[..., Any]], ChaliceAuthorizer]:
        """Register a built-in Lambda token authorizer (returns a ``ChaliceAuthorizer``).

        ``simple_responses=True`` (HTTP API stages only) lets the function
        answer ``{"isAuthorized": bool, "context": {...}}`` (or a bool)
        instead of an ``AuthResponse``/IAM policy; a REST stage refuses it.
        """
        _check_name(name, "authorizer")

        def decorator(func: Callable[..., Any]) -> ChaliceAuthorizer:
            _check_func(func, "authorizer")
            from chalice.app._auth import make_builtin_authorizer

            auth_name = name or _func_name(func)
            auth = make_builtin_authorizer(
                func,
                name=auth_name,
                handler_string="",
                ttl_seconds=ttl_seconds,
                execution_role=execution_role,
                header=header,
                simple_responses=simple_responses,
            )
            self._register(Registration("authorizer", func, name, auth))
            return auth

        return decorator

    # -- event sources -------------------------------------------------------

    def _event_handler(
        self,
        func: Callable[..., Any],
        decorator: str,
        name: str | None,
        event_class_name: str,
        middleware_type: str,
        make_config: Callable[[str, str], Any],
    ) -> EventSourceHandler:
        _check_func(func, decorator)
        from chalice.app import _events

        handler = EventSourceHandler(func, getattr(_events, event_class_name), middleware_type)
        self._register(Registration("event", func, name, handler, make_config=make_config))
        return handler

    def schedule(
        self, expression: str | ScheduleExpression, name: str | None = None, description: str = ""
    ) -> Callable[[Callable[..., Any]], EventSourceHandler]:
        """Run the function on a schedule (``Rate``, ``Cron`` or an expression string)."""
        _check_name(name, "schedule")
        if not isinstance(expression, str) and not hasattr(expression, "to_string"):
            raise TypeError(
                f"schedule(): expression must be a string, Rate or Cron, got {expression!r}"
            )
        from chalice.app._registry import ScheduledEventConfig

        def decorator(func: Callable[..., Any]) -> EventSourceHandler:
            return self._event_handler(
                func,
                "schedule",
                name,
                "CloudWatchEvent",
                "scheduled",
                lambda n, h: ScheduledEventConfig(n, h, expression, description),
            )

        return decorator

    def on_cw_event(
        self, event_pattern: dict[str, Any], name: str | None = None
    ) -> Callable[[Callable[..., Any]], EventSourceHandler]:
        """Run the function for EventBridge events matching ``event_pattern``."""
        _check_name(name, "on_cw_event")
        if not isinstance(event_pattern, dict):
            raise TypeError(f"on_cw_event(): event_pattern must be a dict, got {event_pattern!r}")
        from chalice.app._registry import CloudWatchEventConfig

        def decorator(func: Callable[..., Any]) -> EventSourceHandler:
            return self._event_handler(
                func,
                "on_cw_event",
                name,
                "CloudWatchEvent",
                "cloudwatch",
                lambda n, h: CloudWatchEventConfig(n, h, event_pattern),
            )

        return decorator

    def on_s3_event(
        self,
        bucket: str,
        events: list[str] | None = None,
        prefix: str | None = None,
        suffix: str | None = None,
        name: str | None = None,
    ) -> Callable[[Callable[..., Any]], EventSourceHandler]:
        """Run the function for S3 notifications of ``bucket``."""
        _check_name(name, "on_s3_event")
        if not isinstance(bucket, str) or not bucket:
            raise TypeError(f"on_s3_event(): bucket must be a bucket name, got {bucket!r}")
        if events is None:
            events = ["s3:ObjectCreated:*"]
        elif isinstance(events, str) or not isinstance(events, list):
            raise TypeError(f"on_s3_event(): events must be a list of strings, got {events!r}")
        from chalice.app._registry import S3EventConfig

        chosen = events

        def decorator(func: Callable[..., Any]) -> EventSourceHandler:
            return self._event_handler(
                func,
                "on_s3_event",
                name,
                "S3Event",
                "s3",
                lambda n, h: S3EventConfig(n, h, bucket, chosen, prefix, suffix),
            )

        return decorator

    def on_sns_message(
        self, topic: str, name: str | None = None
    ) -> Callable[[Callable[..., Any]], EventSourceHandler]:
        """Run the function for messages of an SNS topic (name or ARN)."""
        _check_name(name, "on_sns_message")
        if not isinstance(topic, str) or not topic:
            raise TypeError(f"on_sns_message(): topic must be a name or ARN, got {topic!r}")
        from chalice.app._registry import SNSEventConfig

        def decorator(func: Callable[..., Any]) -> EventSourceHandler:
            return self._event_handler(
                func,
                "on_sns_message",
                name,
                "SNSEvent",
                "sns",
                lambda n, h: SNSEventConfig(n, h, topic),
            )

        return decorator

    def on_sqs_message(
        self,
        queue: str | None = None,
        batch_size: int = 1,
        name: str | None = None,
        queue_arn: str | None = None,
        maximum_batching_window_in_seconds: int = 0,
        maximum_concurrency: int | None = None,
    ) -> Callable[[Callable[..., Any]], EventSourceHandler]:
        """Run the function for batches of SQS messages (``queue`` name or ``queue_arn``)."""
        _check_name(name, "on_sqs_message")
        if queue is None and queue_arn is None:
            raise ValueError("on_sqs_message(): give either queue (a name) or queue_arn")
        if queue is not None and queue_arn is not None:
            raise ValueError("on_sqs_message(): give only one of queue and queue_arn")
        from chalice.app._registry import SQSEventConfig

        def decorator(func: Callable[..., Any]) -> EventSourceHandler:
            _check_int(batch_size, "batch_size", func, 1)
            _check_int(
                maximum_batching_window_in_seconds, "maximum_batching_window_in_seconds", func
            )
            if maximum_concurrency is not None:
                _check_int(maximum_concurrency, "maximum_concurrency", func, 2)
            return self._event_handler(
                func,
                "on_sqs_message",
                name,
                "SQSEvent",
                "sqs",
                lambda n, h: SQSEventConfig(
                    n,
                    h,
                    queue,
                    queue_arn,
                    batch_size,
                    maximum_batching_window_in_seconds,
                    maximum_concurrency,
                ),
            )

        return decorator

    def on_kinesis_record(
        self,
        stream: str,
        batch_size: int = 100,
        starting_position: str = "LATEST",
        name: str | None = None,
        maximum_batching_window_in_seconds: int = 0,
    ) -> Callable[[Callable[..., Any]], EventSourceHandler]:
        """Run the function for batches of records of a Kinesis stream."""
        from chalice.app._registry import KinesisEventConfig

        return self._stream_handler(
            "on_kinesis_record", "KinesisEvent", "kinesis", KinesisEventConfig, stream,
            batch_size, starting_position, name, maximum_batching_window_in_seconds,
        )  # fmt: skip

    def on_dynamodb_record(
        self,
        stream_arn: str,
        batch_size: int = 100,
        starting_position: str = "LATEST",
        name: str | None = None,
        maximum_batching_window_in_seconds: int = 0,
    ) -> Callable[[Callable[..., Any]], EventSourceHandler]:
        """Run the function for batches of records of a DynamoDB stream."""
        from chalice.app._registry import DynamoDBEventConfig

        return self._stream_handler(
            "on_dynamodb_record", "DynamoDBEvent", "dynamodb", DynamoDBEventConfig, stream_arn,
            batch_size, starting_position, name, maximum_batching_window_in_seconds,
        )  # fmt: skip

    def _stream_handler(
        self,
        decorator_name: str,
        event_class: str,
        middleware_type: str,
        config_class: Callable[..., Any],
        stream: str,
        batch_size: int,
        starting_position: str,
        name: str | None,
        window: int,
    ) -> Callable[[Callable[..., Any]], EventSourceHandler]:
        # Kinesis and DynamoDB stream handlers differ only in these names.
        _check_name(name, decorator_name)

        def decorator(func: Callable[..., Any]) -> EventSourceHandler:
            _check_int(batch_size, "batch_size", func, 1)
            _check_int(window, "maximum_batching_window_in_seconds", func)
            return self._event_handler(
                func,
                decorator_name,
                name,
                event_class,
                middleware_type,
                lambda n, h: config_class(n, h, stream, batch_size, starting_position, window),
            )

        return decorator

    def lambda_function(
        self, name: str | None = None
    ) -> Callable[[Callable[..., Any]], PureLambdaHandler]:
        """Deploy the function as its own Lambda, called with ``(event, context)``."""
        _check_name(name, "lambda_function")

        def decorator(func: Callable[..., Any]) -> PureLambdaHandler:
            _check_func(func, "lambda_function")
            handler = PureLambdaHandler(func)
            self._register(Registration("lambda", func, name, handler))
            return handler

        return decorator

    # -- websockets ----------------------------------------------------------

    def _websocket(self, route_key: str, decorator: str, name: str | None) -> Callable[..., Any]:
        _check_name(name, decorator)

        def register(func: Callable[..., Any]) -> Any:
            _check_func(func, decorator)
            from chalice.app._websocket import WebsocketEventSourceHandler

            handler = WebsocketEventSourceHandler(func)
            options = {"route_key": route_key}
            self._register(Registration("websocket", func, name, handler, options))
            return handler

        return register

    def on_ws_connect(self, name: str | None = None) -> Callable[..., Any]:
        """Handle websocket ``$connect``."""
        return self._websocket("$connect", "on_ws_connect", name)

    def on_ws_message(self, name: str | None = None) -> Callable[..., Any]:
        """Handle websocket messages (``$default``)."""
        return self._websocket("$default", "on_ws_message", name)

    def on_ws_disconnect(self, name: str | None = None) -> Callable[..., Any]:
        """Handle websocket ``$disconnect``."""
        return self._websocket("$disconnect", "on_ws_disconnect", name)

    # -- middleware ------------------------------------------------------------

    def middleware(self, event_type: str = "all") -> Callable[[_F], _F]:
        """Decorator form of ``register_middleware``."""

        def decorator(func: _F) -> _F:
            self.register_middleware(func, event_type)
            return func

        return decorator

    def register_middleware(self, func: Callable[..., Any], event_type: str = "all") -> None:
        """Run ``func(event, get_response)`` around handlers of ``event_type``."""
        _check_func(func, "middleware")
        check_event_type(event_type, func)
        self._register(Registration("middleware", func, None, options={"event_type": event_type}))


def _route_options(path: str, view: Callable[..., Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """Validate ``route()`` keyword arguments for ``view``; return them normalised."""
    view_name = kwargs.get("name") or _func_name(view)
    where = f"In view function {view_name!r} (route {path!r})"
    methods = kwargs.get("methods", ["GET"])
    if isinstance(methods, str):
        methods = [methods]
    if not isinstance(methods, (list, tuple)) or not methods:
        raise TypeError(f"{where}: methods must be a non-empty list such as ['GET', 'POST']")
    for method in methods:
        if not isinstance(method, str) or not method.strip():
            raise TypeError(f"{where}: each method must be a string, got {method!r}")
    upper = [m.upper() for m in methods]
    if len(set(upper)) != len(upper):
        raise ValueError(f"{where}: methods lists a method twice: {list(methods)!r}")
    content_types = kwargs.get("content_types", ["application/json"])
    if not isinstance(content_types, list):
        raise ValueError(
            f"{where}: content_types must be a list of media types, "
            f"not {type(content_types).__name__} ({content_types!r})"
        )
    authorizer = kwargs.get("authorizer")
    if authorizer is not None and not hasattr(authorizer, "to_swagger"):
        raise TypeError(
            f"{where}: authorizer must be an authorizer object (IAMAuthorizer, "
            f"CognitoUserPoolAuthorizer, CustomAuthorizer or an @app.authorizer() function), "
            f"got {authorizer!r}"
        )
    cors = kwargs.get("cors")
    if cors is not None and not isinstance(cors, bool) and not hasattr(cors, "headers_view"):
        raise TypeError(f"{where}: cors must be True, False or a CORSConfig, got {cors!r}")
    params = _path_params(path, where)
    return {
        "path": path,
        "methods": upper,
        "authorizer": authorizer,
        "api_key_required": kwargs.get("api_key_required"),
        "content_types": content_types,
        "cors": cors,
        "params": params,
    }


def _path_params(path: str, where: str) -> list[str]:
    names: list[str] = []
    for part in path.split("/"):
        if part.startswith("{") and part.endswith("}"):
            inner = part[1:-1]
            if inner and inner.replace("_", "a").isalnum():
                if inner in names:
                    raise ValueError(f"{where}: path parameter {{{inner}}} appears twice")
                names.append(inner)
    return names
