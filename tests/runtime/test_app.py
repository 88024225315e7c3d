"""The Chalice object: constructor, registries, logging, environment tag."""

from __future__ import annotations

import logging
import sys
from collections import defaultdict

import pytest

import chalice
from chalice import Chalice
from chalice.app import APIGateway


def test_defaults() -> None:
    app = Chalice("myapp")
    assert app.app_name == "myapp" and app.debug is False
    assert isinstance(app.api, APIGateway)
    assert len(app.api.binary_types) == 16 and "image/png" in app.api.binary_types
    assert app.api.default_binary_types == app.api.binary_types
    assert app.api.default_binary_types is not app.api.default_binary_types
    assert app.api.cors is False
    assert isinstance(app.routes, defaultdict)
    assert app.current_request is None and app.lambda_context is None
    assert app.experimental_feature_flags == set() and app._features_used == set()
    assert app.event_sources == [] and app.pure_lambda_functions == []
    assert app.builtin_auth_handlers == [] and app.websocket_handlers == {}
    assert app.handler_map == {} and app.middleware_handlers == []


def test_execution_env_tag() -> None:
    env: dict[str, str] = {}
    Chalice("a", env=env)
    assert env["AWS_EXECUTION_ENV"] == f"AWS_Lambda aws-chalice/{chalice.__version__}"
    env = {"AWS_EXECUTION_ENV": "AWS_Lambda_python3.11"}
    Chalice("a", env=env)
    Chalice("b", env=env)
    assert env["AWS_EXECUTION_ENV"] == f"AWS_Lambda_python3.11 aws-chalice/{chalice.__version__}"


def test_log_is_configured_on_first_use(capsys: pytest.CaptureFixture[str]) -> None:
    app = Chalice("log-test-app-1")
    log = app.log
    assert log is logging.getLogger("log-test-app-1")
    assert log.level == logging.ERROR and log.propagate is False
    stdout_handlers = [h for h in log.handlers if getattr(h, "stream", None) is sys.stdout]
    assert len(stdout_handlers) == 1
    assert Chalice("log-test-app-1").log.handlers == log.handlers  # not added twice
    app.debug = True
    assert log.level == logging.DEBUG
    app.debug = False
    assert log.level == logging.ERROR


def test_log_without_configuration_leaves_the_logger_alone() -> None:
    # Upstream sets the level only along with its handler: a user's own
    # logging setup (configure_logs=False) keeps its level.
    app = Chalice("log-test-app-2", debug=True, configure_logs=False)
    assert app.log.handlers == []
    assert app.log.level == logging.NOTSET and app.log.propagate is True
    app.debug = True  # assigning debug does set it, as upstream
    assert app.log.level == logging.DEBUG


def test_existing_stdout_handler_is_kept_with_its_level() -> None:
    logger = logging.getLogger("log-test-app-3")
    mine = logging.StreamHandler(sys.stdout)
    logger.addHandler(mine)
    try:
        app = Chalice("log-test-app-3")
        assert app.log.handlers == [mine]
        assert app.log.level == logging.NOTSET and app.log.propagate is True
    finally:
        logger.removeHandler(mine)


def test_debug_assigned_before_first_use_sets_the_level() -> None:
    app = Chalice("log-test-app-4", configure_logs=False)
    app.debug = False
    assert app.log.level == logging.ERROR


def test_log_format_and_output(capsys: pytest.CaptureFixture[str]) -> None:
    app = Chalice("log-test-app-5")
    app.log.info("hidden")
    app.log.error("shown %s", 1)
    assert capsys.readouterr().out == "log-test-app-5 - ERROR - shown 1\n"


def test_log_follows_sys_stdout_across_captures() -> None:
    # Created on first use (cold start), so it must not keep writing to a
    # stdout that a test harness has since replaced (and maybe closed).
    import io

    app = Chalice("log-test-app-6")
    first, second = io.StringIO(), io.StringIO()
    saved = sys.stdout
    try:
        sys.stdout = first
        app.log.error("one")
        first.close()
        sys.stdout = second
        app.log.error("two")
        assert Chalice("log-test-app-6").log.handlers == app.log.handlers  # added once
    finally:
        sys.stdout = saved
    assert second.getvalue() == "log-test-app-6 - ERROR - two\n"


def test_app_name_must_be_string() -> None:
    with pytest.raises(TypeError):
        Chalice(None)  # type: ignore[arg-type]


def test_public_names() -> None:
    import chalice.app

    expected = {
        "Chalice",
        "Blueprint",
        "ChaliceViewError",
        "BadRequestError",
        "UnauthorizedError",
        "ForbiddenError",
        "NotFoundError",
        "ConflictError",
        "TooManyRequestsError",
        "Response",
        "CORSConfig",
        "CustomAuthorizer",
        "CognitoUserPoolAuthorizer",
        "IAMAuthorizer",
        "UnprocessableEntityError",
        "WebsocketDisconnectedError",
        "AuthResponse",
        "AuthRoute",
        "Cron",
        "Rate",
        "ConvertToMiddleware",
        "ChaliceUnhandledError",
        "__version__",
    }
    assert set(chalice.__all__) == expected
    for name in expected:
        assert getattr(chalice, name) is not None
    for name in chalice.app.__all__:
        assert getattr(chalice.app, name) is not None, name
    for name in (
        "Request",
        "APIGateway",
        "WebsocketAPI",
        "MethodNotAllowedError",
        "RequestTimeoutError",
        "ChaliceError",
        "AuthRequest",
        "MultiDict",
        "CaseInsensitiveMapping",
        "S3Event",
        "SNSEvent",
        "SQSEvent",
        "SQSRecord",
        "CloudWatchEvent",
        "KinesisEvent",
        "KinesisRecord",
        "DynamoDBEvent",
        "DynamoDBRecord",
        "WebsocketEvent",
        "LambdaFunctionEvent",
        "ScheduleExpression",
        "ALL_ERRORS",
    ):
        assert name in chalice.app.__all__
    with pytest.raises(AttributeError):
        chalice.app.Nope  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(AttributeError):
        chalice.Nope  # type: ignore[attr-defined]  # noqa: B018


def test_status_codes() -> None:
    import chalice.app as app_module

    codes = {cls.__name__: cls.STATUS_CODE for cls in app_module.ALL_ERRORS}
    assert codes == {
        "ChaliceViewError": 500,
        "BadRequestError": 400,
        "NotFoundError": 404,
        "UnauthorizedError": 401,
        "ForbiddenError": 403,
        "MethodNotAllowedError": 405,
        "RequestTimeoutError": 408,
        "ConflictError": 409,
        "UnprocessableEntityError": 422,
        "TooManyRequestsError": 429,
    }
