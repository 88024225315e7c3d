"""What the runtime records about an app, for tooling to read.

Decorators on ``Chalice``/``Blueprint`` append these entries to the app's
registries (``routes``, ``event_sources``, ``pure_lambda_functions``,
``builtin_auth_handlers``, ``websocket_handlers``). The graph builder, the
swagger generator, ``chalice local`` and the test client read them; nothing
here runs at request time. Standard library only (shipped in the zip); plain
``__slots__`` classes, because ``dataclasses`` costs cold-start time.
"""

from __future__ import annotations

# ``typing`` costs ~2 ms at cold start; annotations are strings (PEP 563), so
# the names are only needed by the type checker.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


class RouteEntry:
    """One (path, method) of the REST API.

    ``view_args`` are the ``{name}`` segments of ``path`` in order; the view
    is called with them as keyword arguments.
    """

    __slots__ = (
        "view_function",
        "view_name",
        "uri_pattern",
        "method",
        "api_key_required",
        "content_types",
        "cors",
        "authorizer",
        "view_args",
    )

    def __init__(
        self,
        view_function: Callable[..., Any],
        view_name: str,
        path: str,
        method: str,
        api_key_required: bool | None = None,
        content_types: list[str] | None = None,
        cors: Any = None,
        authorizer: Any = None,
    ) -> None:
        self.view_function = view_function
        self.view_name = view_name
        self.uri_pattern = path
        self.method = method
        self.api_key_required = api_key_required
        self.content_types = content_types if content_types is not None else ["application/json"]
        # A CORSConfig or None (no CORS for this method).
        self.cors = cors
        # An authorizer object (IAMAuthorizer, CognitoUserPoolAuthorizer,
        # CustomAuthorizer, or a built-in ChaliceAuthorizer) or None.
        self.authorizer = authorizer
        self.view_args = _path_params(path)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RouteEntry):
            return NotImplemented
        return all(getattr(self, s) == getattr(other, s) for s in self.__slots__)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"RouteEntry({self.method} {self.uri_pattern} -> {self.view_name})"


def _path_params(path: str) -> list[str]:
    # Equivalent to re.findall(r"{(\w+)}", path) without compiling a regex at import.
    names = []
    for part in path.split("/"):
        if part.startswith("{") and part.endswith("}"):
            inner = part[1:-1]
            if inner and (inner.replace("_", "a").isalnum()):
                names.append(inner)
    return names


class _Handler:
    """Base for everything deployed as its own Lambda function."""

    __slots__ = ("name", "handler_string")

    def __init__(self, name: str, handler_string: str) -> None:
        # ``name`` is the resource name (function name suffix in AWS);
        # ``handler_string`` is the Lambda handler, ``<module>.<attribute>``.
        self.name = name
        self.handler_string = handler_string

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, {self.handler_string!r})"


class PureLambdaConfig(_Handler):
    """A pure ``@app.lambda_function``.

    Public as ``chalice.app.LambdaFunction`` (upstream's name); inside the
    tooling the name ``LambdaFunction`` means the deploy model
    (``chalice.deploy.models.LambdaFunction``).
    """

    __slots__ = ("func",)

    def __init__(self, func: Callable[..., Any], name: str, handler_string: str) -> None:
        super().__init__(name, handler_string)
        self.func = func


LambdaFunction = PureLambdaConfig  # upstream's public name


class BuiltinAuthConfig(_Handler):
    """A built-in ``@app.authorizer``: its own Lambda function.

    ``ttl_seconds`` and ``execution_role`` are ``None`` unless given (swagger
    then leaves them out); ``header`` is where API Gateway reads the token.
    ``simple_responses`` (HTTP APIs only) deploys the authorizer with
    ``EnableSimpleResponses``: the function answers ``{"isAuthorized": ...}``
    (or a bool) instead of an IAM policy.
    """

    __slots__ = ("ttl_seconds", "execution_role", "header", "simple_responses")

    def __init__(
        self,
        name: str,
        handler_string: str,
        ttl_seconds: int | None = None,
        execution_role: str | None = None,
        header: str = "Authorization",
        *,
        simple_responses: bool = False,
    ) -> None:
        super().__init__(name, handler_string)
        self.ttl_seconds = ttl_seconds
        self.execution_role = execution_role
        self.header = header
        self.simple_responses = simple_responses


class S3EventConfig(_Handler):
    __slots__ = ("bucket", "events", "prefix", "suffix")

    def __init__(
        self,
        name: str,
        handler_string: str,
        bucket: str,
        events: list[str],
        prefix: str | None,
        suffix: str | None,
    ) -> None:
        super().__init__(name, handler_string)
        self.bucket = bucket
        self.events = events
        self.prefix = prefix
        self.suffix = suffix


class SNSEventConfig(_Handler):
    __slots__ = ("topic",)

    def __init__(self, name: str, handler_string: str, topic: str) -> None:
        super().__init__(name, handler_string)
        # A topic name or a full topic ARN.
        self.topic = topic


class SQSEventConfig(_Handler):
    __slots__ = (
        "queue",
        "queue_arn",
        "batch_size",
        "maximum_batching_window_in_seconds",
        "maximum_concurrency",
    )

    def __init__(
        self,
        name: str,
        handler_string: str,
        queue: str | None,
        queue_arn: str | None,
        batch_size: int,
        maximum_batching_window_in_seconds: int,
        maximum_concurrency: int | None,
    ) -> None:
        super().__init__(name, handler_string)
        self.queue = queue
        self.queue_arn = queue_arn
        self.batch_size = batch_size
        self.maximum_batching_window_in_seconds = maximum_batching_window_in_seconds
        self.maximum_concurrency = maximum_concurrency


class KinesisEventConfig(_Handler):
    __slots__ = ("stream", "batch_size", "starting_position", "maximum_batching_window_in_seconds")

    def __init__(
        self,
        name: str,
        handler_string: str,
        stream: str,
        batch_size: int,
        starting_position: str,
        maximum_batching_window_in_seconds: int,
    ) -> None:
        super().__init__(name, handler_string)
        self.stream = stream
        self.batch_size = batch_size
        self.starting_position = starting_position
        self.maximum_batching_window_in_seconds = maximum_batching_window_in_seconds


class DynamoDBEventConfig(_Handler):
    __slots__ = (
        "stream_arn",
        "batch_size",
        "starting_position",
        "maximum_batching_window_in_seconds",
    )

    def __init__(
        self,
        name: str,
        handler_string: str,
        stream_arn: str,
        batch_size: int,
        starting_position: str,
        maximum_batching_window_in_seconds: int,
    ) -> None:
        super().__init__(name, handler_string)
        self.stream_arn = stream_arn
        self.batch_size = batch_size
        self.starting_position = starting_position
        self.maximum_batching_window_in_seconds = maximum_batching_window_in_seconds


class CloudWatchEventConfig(_Handler):
    __slots__ = ("event_pattern",)

    def __init__(self, name: str, handler_string: str, event_pattern: dict[str, Any]) -> None:
        super().__init__(name, handler_string)
        self.event_pattern = event_pattern


class ScheduledEventConfig(_Handler):
    __slots__ = ("schedule_expression", "description")

    def __init__(
        self, name: str, handler_string: str, schedule_expression: Any, description: str
    ) -> None:
        super().__init__(name, handler_string)
        # A plain string or a ScheduleExpression (Rate/Cron); use str() via
        # ``to_string()`` on the expression object when it is not a str.
        self.schedule_expression = schedule_expression
        self.description = description


class WebsocketHandlerConfig(_Handler):
    """``websocket_handlers[route_key]``; route_key is $connect, $default or $disconnect."""

    __slots__ = ("route_key", "user_handler")

    def __init__(
        self, name: str, handler_string: str, route_key: str, user_handler: Callable[..., Any]
    ) -> None:
        super().__init__(name, handler_string)
        self.route_key = route_key
        self.user_handler = user_handler
