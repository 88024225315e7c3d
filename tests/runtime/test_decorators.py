"""Registration: what each decorator records, and clear errors for mistakes."""

from __future__ import annotations

from typing import Any

import pytest

from chalice import Chalice, CORSConfig, Cron, IAMAuthorizer
from chalice.app import RouteEntry


@pytest.fixture
def app() -> Chalice:
    return Chalice("dec", configure_logs=False)


def test_route_entry_fields(app: Chalice) -> None:
    auth = IAMAuthorizer()

    @app.route(
        "/a/{x}/{y}",
        methods=["post", "PUT"],
        name="custom",
        authorizer=auth,
        api_key_required=True,
        content_types=["text/plain"],
        cors=True,
    )
    def view(x: str, y: str) -> None:
        return None

    assert set(app.routes["/a/{x}/{y}"]) == {"POST", "PUT"}
    entry = app.routes["/a/{x}/{y}"]["POST"]
    assert isinstance(entry, RouteEntry)
    assert entry.view_function is view
    assert entry.view_name == "custom"
    assert entry.uri_pattern == "/a/{x}/{y}"
    assert entry.view_args == ["x", "y"]
    assert entry.api_key_required is True
    assert entry.content_types == ["text/plain"]
    assert entry.cors == CORSConfig()
    assert entry.authorizer is auth
    assert view("1", "2") is None  # the undecorated function is returned


def test_route_defaults_and_global_cors(app: Chalice) -> None:
    app.route("/plain")(lambda: None)
    entry = app.routes["/plain"]["GET"]
    assert entry.content_types == ["application/json"] and entry.cors is None
    assert entry.api_key_required is None
    config = CORSConfig(allow_origin="https://x")
    app.api.cors = config
    app.route("/cors")(lambda: None)
    app.route("/off", cors=False)(lambda: None)
    assert app.routes["/cors"]["GET"].cors is config
    assert app.routes["/off"]["GET"].cors is None


def test_unknown_route_kwargs(app: Chalice) -> None:
    with pytest.raises(TypeError, match="unexpected keyword arguments: bogus, other"):
        app.route("/", bogus=1, other=2)


def test_content_types_must_be_list(app: Chalice) -> None:
    with pytest.raises(ValueError, match="'my_view'.*content_types"):

        @app.route("/", content_types="application/json")
        def my_view() -> None:
            return None


def test_duplicate_method_names_both_views(app: Chalice) -> None:
    @app.route("/dup")
    def first() -> None:
        return None

    with pytest.raises(ValueError, match="Duplicate method.*'first'.*'second'"):

        @app.route("/dup", methods=["GET"])
        def second() -> None:
            return None


@pytest.mark.parametrize(
    "kwargs,error",
    [
        ({"methods": []}, TypeError),
        ({"methods": [1]}, TypeError),
        ({"methods": ["GET", "get"]}, ValueError),
        ({"authorizer": "iam"}, TypeError),
        ({"cors": "yes"}, TypeError),
        ({"name": print}, TypeError),
    ],
)
def test_bad_route_arguments(app: Chalice, kwargs: dict[str, Any], error: type) -> None:
    with pytest.raises(error):
        app.route("/x", **kwargs)(lambda: None)


def test_duplicate_path_parameter(app: Chalice) -> None:
    with pytest.raises(ValueError, match=r"\{id\} appears twice"):
        app.route("/a/{id}/b/{id}")(lambda id: None)


def test_non_string_path(app: Chalice) -> None:
    with pytest.raises(TypeError):
        app.route(None)  # type: ignore[arg-type]


def test_forgotten_parentheses(app: Chalice) -> None:
    def handler(event: Any, context: Any) -> None:
        return None

    with pytest.raises(TypeError, match="forget the parentheses"):
        app.lambda_function(handler)  # type: ignore[arg-type]


def test_sqs_requires_a_queue(app: Chalice) -> None:
    with pytest.raises(ValueError):
        app.on_sqs_message()
    with pytest.raises(ValueError):
        app.on_sqs_message(queue="a", queue_arn="arn")


def test_sqs_config(app: Chalice) -> None:
    @app.on_sqs_message(
        queue_arn="arn:aws:sqs:us-west-2:1:q",
        batch_size=10,
        maximum_batching_window_in_seconds=5,
        maximum_concurrency=3,
    )
    def handler(event: Any) -> None:
        return None

    config = app.event_sources[0]
    assert (
        config.queue,
        config.queue_arn,
        config.batch_size,
        config.maximum_batching_window_in_seconds,
        config.maximum_concurrency,
    ) == (None, "arn:aws:sqs:us-west-2:1:q", 10, 5, 3)
    with pytest.raises(ValueError, match="batch_size"):
        app.on_sqs_message(queue="q", batch_size=0)(lambda e: None)


def test_kinesis_and_dynamodb_configs(app: Chalice) -> None:
    app.on_kinesis_record(stream="s", batch_size=50, starting_position="TRIM_HORIZON")(
        lambda e: None
    )
    app.on_dynamodb_record(stream_arn="arn:ddb", name="ddb")(lambda e: None)
    kinesis, ddb = app.event_sources
    assert (kinesis.stream, kinesis.batch_size, kinesis.starting_position) == (
        "s",
        50,
        "TRIM_HORIZON",
    )
    assert (ddb.stream_arn, ddb.batch_size, ddb.starting_position, ddb.name) == (
        "arn:ddb",
        100,
        "LATEST",
        "ddb",
    )


def test_sns_and_schedule_configs(app: Chalice) -> None:
    app.on_sns_message(topic="arn:aws:sns:us-west-2:1:t")(lambda e: None)
    app.schedule("rate(5 minutes)", name="tick")(lambda e: None)
    app.schedule(Cron(0, 10, "*", "*", "?", "*"))(lambda e: None)
    sns, tick, cron = app.event_sources
    assert sns.topic == "arn:aws:sns:us-west-2:1:t"
    assert tick.schedule_expression == "rate(5 minutes)" and tick.name == "tick"
    assert cron.schedule_expression.to_string() == "cron(0 10 * * ? *)"
    with pytest.raises(TypeError):
        app.schedule(5)  # type: ignore[arg-type]


def test_s3_events_must_be_list(app: Chalice) -> None:
    with pytest.raises(TypeError):
        app.on_s3_event(bucket="b", events="s3:ObjectCreated:*")  # type: ignore[arg-type]


def test_decorating_a_non_callable(app: Chalice) -> None:
    with pytest.raises(TypeError, match="must decorate a function"):
        app.on_sns_message(topic="t")("not callable")  # type: ignore[arg-type]
