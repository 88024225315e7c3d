"""Middleware chains and the Lambda entry wrappers of event handlers.

A middleware is ``mw(event, get_response) -> response``; the first one
registered is the outermost. Chains are built once per handler and rebuilt
only when middleware was registered since (so the hot path with no
middleware is a plain call). ``EventSourceHandler`` and
``PureLambdaHandler`` are what the event decorators return and what
``app.handler_map`` holds. Standard library only; never imports the app.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, Protocol

    class MiddlewareHost(Protocol):
        """The app as seen by handler wrappers: its middleware list."""

        middleware_handlers: list[tuple[Callable[..., Any], str]]


#: Every valid ``event_type`` of ``register_middleware``.
EVENT_TYPES = frozenset(
    [
        "all",
        "http",
        "websocket",
        "s3",
        "sns",
        "sqs",
        "cloudwatch",
        "scheduled",
        "kinesis",
        "dynamodb",
        "pure_lambda",
    ]
)


class _Link:
    """``get_response`` for one middleware: calls it with the next link."""

    __slots__ = ("middleware", "next")

    def __init__(self, middleware: Callable[..., Any], nxt: Callable[[Any], Any]) -> None:
        self.middleware = middleware
        self.next = nxt

    def __call__(self, event: Any) -> Any:
        return self.middleware(event, self.next)


def build_chain(
    handlers: list[tuple[Callable[..., Any], str]],
    event_type: str,
    innermost: Callable[[Any], Any],
) -> Callable[[Any], Any]:
    """Wrap ``innermost`` in every middleware for ``event_type`` (or ``all``)."""
    chain = innermost
    for func, kind in reversed(handlers):
        if kind == event_type or kind == "all":
            chain = _Link(func, chain)
    return chain


def check_event_type(event_type: str, func: Callable[..., Any]) -> None:
    """Raise a clear error for an unknown middleware ``event_type``."""
    if event_type not in EVENT_TYPES:
        name = getattr(func, "__name__", repr(func))
        raise ValueError(
            f"Middleware {name!r}: unknown event_type {event_type!r}; "
            f"use one of {', '.join(sorted(EVENT_TYPES))}"
        )


class _ChainCache:
    """A handler's middleware chain, rebuilt when the host's list grows."""

    __slots__ = ("host", "_seen", "_chain")

    def __init__(self) -> None:
        self.host: MiddlewareHost | None = None
        self._seen = -1
        self._chain: Callable[[Any], Any] | None = None

    def get(self, event_type: str, innermost: Callable[[Any], Any]) -> Callable[[Any], Any]:
        host = self.host
        handlers = host.middleware_handlers if host is not None else []
        if self._chain is None or self._seen != len(handlers):
            self._chain = build_chain(handlers, event_type, innermost)
            self._seen = len(handlers)
        return self._chain


class EventSourceHandler:
    """Lambda entry point of an event handler: builds the event object, runs middleware."""

    __slots__ = ("func", "event_class", "middleware_type", "_cache", "__name__")

    def __init__(self, func: Callable[[Any], Any], event_class: type, middleware_type: str) -> None:
        self.func = func
        self.event_class = event_class
        self.middleware_type = middleware_type
        self._cache = _ChainCache()
        self.__name__ = getattr(func, "__name__", "handler")

    def bind(self, host: MiddlewareHost) -> None:
        """Attach to the app whose middleware applies (at registration)."""
        self._cache.host = host

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        host = self._cache.host
        if host is None or not host.middleware_handlers:
            return self.func(self.event_class(event, context))
        chain = self._cache.get(self.middleware_type, self.func)
        return chain(self.event_class(event, context))


class PureLambdaHandler:
    """Lambda entry point of ``@app.lambda_function``: ``func(event, context)``.

    Middleware sees a ``LambdaFunctionEvent``; the function still receives the
    raw dict and the context.
    """

    __slots__ = ("func", "_cache", "__name__")

    def __init__(self, func: Callable[[Any, Any], Any]) -> None:
        self.func = func
        self._cache = _ChainCache()
        self.__name__ = getattr(func, "__name__", "handler")

    def bind(self, host: MiddlewareHost) -> None:
        """Attach to the app whose middleware applies (at registration)."""
        self._cache.host = host

    def __call__(self, event: Any, context: Any) -> Any:
        host = self._cache.host
        if host is None or not host.middleware_handlers:
            return self.func(event, context)
        from chalice.app._events import LambdaFunctionEvent

        chain = self._cache.get("pure_lambda", self._innermost)
        return chain(LambdaFunctionEvent(event, context))

    def _innermost(self, event: Any) -> Any:
        return self.func(event.to_dict(), event.context)


class ConvertToMiddleware:
    """Adapt a classic ``(event, context)`` Lambda decorator into middleware.

    ``app.register_middleware(ConvertToMiddleware(some_decorator))``: the
    decorator wraps a function that continues the chain, and is called with
    the original event dict and the Lambda context.
    """

    __slots__ = ("_wrapper",)

    def __init__(self, lambda_wrapper: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
        self._wrapper = lambda_wrapper

    def __call__(self, event: Any, get_response: Callable[[Any], Any]) -> Any:
        if hasattr(event, "to_original_event"):
            original, context = event.to_original_event(), event.lambda_context
        else:
            original, context = event.to_dict(), event.context

        def resume(original_event: Any, lambda_context: Any) -> Any:
            return get_response(event)

        return self._wrapper(resume)(original, context)
