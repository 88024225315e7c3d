"""Middleware: ordering, event types, error handling, ConvertToMiddleware."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest

from chalice import (
    BadRequestError,
    Blueprint,
    Chalice,
    ChaliceUnhandledError,
    ConvertToMiddleware,
    Response,
)
from chalice.app import LambdaFunctionEvent, Request, SQSEvent
from tests.runtime.conftest import body_of, load_event, rest_event


def test_order_first_registered_is_outermost() -> None:
    app = Chalice("mw", configure_logs=False)
    calls: list[str] = []

    @app.middleware("all")
    def outer(event: Any, get_response: Callable[[Any], Any]) -> Any:
        calls.append("outer-in")
        response = get_response(event)
        calls.append("outer-out")
        return response

    @app.middleware("http")
    def inner(event: Request, get_response: Callable[[Any], Any]) -> Response:
        calls.append("inner-in")
        response = get_response(event)
        response.headers["X-Inner"] = "1"
        calls.append("inner-out")
        return response

    @app.route("/")
    def index() -> dict[str, str]:
        calls.append("view")
        return {}

    result = app(rest_event("/"), None)
    assert calls == ["outer-in", "inner-in", "view", "inner-out", "outer-out"]
    assert result["headers"]["X-Inner"] == "1"
    assert [t for _, t in app.middleware_handlers] == ["all", "http"]


def test_middleware_registered_after_first_call_applies() -> None:
    app = Chalice("mw", configure_logs=False)
    app.route("/")(lambda: {"n": 1})
    assert app(rest_event("/"), None)["statusCode"] == 200

    def short_circuit(event: Any, get_response: Any) -> Response:
        return Response({"short": True}, status_code=202)

    app.register_middleware(short_circuit, "http")
    result = app(rest_event("/"), None)
    assert result["statusCode"] == 202


def test_view_errors_are_responses_in_middleware() -> None:
    app = Chalice("mw", configure_logs=False)
    seen: list[Any] = []

    @app.middleware("http")
    def watch(event: Any, get_response: Any) -> Any:
        response = get_response(event)
        seen.append(response.status_code)
        return response

    @app.route("/")
    def index() -> None:
        raise BadRequestError("no")

    assert app(rest_event("/"), None)["statusCode"] == 400
    assert seen == [400]


def test_unhandled_error_reaches_middleware() -> None:
    app = Chalice("mw", configure_logs=False)

    @app.middleware("http")
    def convert(event: Any, get_response: Any) -> Response:
        try:
            return get_response(event)  # type: ignore[no-any-return]
        except ChaliceUnhandledError as error:
            return Response({"handled": str(error)}, status_code=503)

    @app.route("/")
    def index() -> None:
        raise ChaliceUnhandledError("raw")

    result = app(rest_event("/"), None)
    assert result["statusCode"] == 503 and body_of(result) == {"handled": "raw"}


def test_error_in_middleware_is_500() -> None:
    app = Chalice("mw", configure_logs=False)

    @app.middleware("http")
    def broken(event: Any, get_response: Any) -> Any:
        raise BadRequestError("from middleware")

    app.route("/")(lambda: {})
    result = app(rest_event("/"), None)
    assert result["statusCode"] == 500  # upstream behaviour, quirk 1
    assert body_of(result)["Code"] == "InternalServerError"


def test_event_type_filtering_and_event_objects() -> None:
    app = Chalice("mw", configure_logs=False)
    seen: list[tuple[str, str]] = []

    def recorder(tag: str) -> Callable[[Any, Any], Any]:
        def mw(event: Any, get_response: Any) -> Any:
            seen.append((tag, type(event).__name__))
            return get_response(event)

        return mw

    for kind in ("all", "sqs", "sns", "pure_lambda", "http"):
        app.register_middleware(recorder(kind), kind)

    @app.on_sqs_message(queue="q")
    def on_sqs(event: SQSEvent) -> int:
        return len(list(event))

    @app.lambda_function()
    def pure(event: Any, context: Any) -> Any:
        return event

    assert on_sqs(load_event("sqs/sam-Sqs.json"), None) == 1
    assert seen == [("all", "SQSEvent"), ("sqs", "SQSEvent")]
    seen.clear()
    assert pure({"a": 1}, "ctx") == {"a": 1}
    assert seen == [("all", "LambdaFunctionEvent"), ("pure_lambda", "LambdaFunctionEvent")]


def test_exceptions_in_event_handlers_propagate() -> None:
    app = Chalice("mw", configure_logs=False)
    app.register_middleware(lambda e, g: g(e), "all")

    @app.on_sns_message(topic="t")
    def on_sns(event: Any) -> None:
        raise KeyError("boom")

    with pytest.raises(KeyError):
        on_sns(load_event("sns/sam-Sns.json"), None)


def test_blueprint_middleware_applies_app_wide() -> None:
    app = Chalice("mw", configure_logs=False)
    bp = Blueprint("mod")

    @bp.middleware("http")
    def tag(event: Any, get_response: Any) -> Response:
        response: Response = get_response(event)
        response.headers["X-Bp"] = "yes"
        return response

    app.route("/")(lambda: {})
    app.register_blueprint(bp)
    assert app(rest_event("/"), None)["headers"]["X-Bp"] == "yes"


def test_invalid_event_type() -> None:
    app = Chalice("mw", configure_logs=False)
    with pytest.raises(ValueError, match="unknown event_type 'htp'"):
        app.register_middleware(lambda e, g: g(e), "htp")


def _classic_decorator(log: list[Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(event: Any, context: Any) -> Any:
            log.append((type(event).__name__, context))
            return func(event, context)

        return wrapper

    return decorator


def test_convert_to_middleware_rest_and_pure() -> None:
    app = Chalice("mw", configure_logs=False)
    log: list[Any] = []
    app.register_middleware(ConvertToMiddleware(_classic_decorator(log)))
    app.route("/")(lambda: {"ok": 1})

    @app.lambda_function()
    def pure(event: Any, context: Any) -> Any:
        return event["x"]

    event = rest_event("/")
    assert app(event, "rest-ctx")["statusCode"] == 200
    assert pure({"x": 5}, "pure-ctx") == 5
    assert log == [("dict", "rest-ctx"), ("dict", "pure-ctx")]
    assert isinstance(LambdaFunctionEvent({"x": 1}, None).event, dict)
