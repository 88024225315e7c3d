"""Websocket handlers, WebsocketEvent and WebsocketAPI (with a fake boto3 session)."""

from __future__ import annotations

from typing import Any

import pytest

from chalice import BadRequestError, Blueprint, Chalice, Response, WebsocketDisconnectedError
from chalice.app import WebsocketAPI, WebsocketEvent
from tests.runtime.conftest import load_event


class GoneException(Exception):
    pass


class FakeClient:
    class exceptions:  # noqa: N801 - mirrors botocore's client.exceptions
        GoneException = GoneException

    def __init__(self, gone: bool = False) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.gone = gone

    def _record(self, name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((name, kwargs))
        if self.gone:
            raise GoneException()
        return {"ConnectedAt": "now"}

    def post_to_connection(self, **kwargs: Any) -> Any:
        return self._record("post_to_connection", kwargs)

    def delete_connection(self, **kwargs: Any) -> Any:
        return self._record("delete_connection", kwargs)

    def get_connection(self, **kwargs: Any) -> Any:
        return self._record("get_connection", kwargs)


class FakeSession:
    def __init__(self, region_name: str | None = "eu-west-1", gone: bool = False) -> None:
        self.region_name = region_name
        self.client_obj = FakeClient(gone)
        self.created: list[tuple[str, str]] = []

    def client(self, service: str, endpoint_url: str) -> FakeClient:
        self.created.append((service, endpoint_url))
        return self.client_obj


@pytest.fixture
def app() -> Chalice:
    app = Chalice("ws", configure_logs=False)
    app.experimental_feature_flags.update(["WEBSOCKETS"])
    return app


def test_handlers_and_results(app: Chalice, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    seen: list[WebsocketEvent] = []

    @app.on_ws_connect()
    def connect(event: WebsocketEvent) -> None:
        seen.append(event)

    @app.on_ws_message(name="msg")
    def message(event: WebsocketEvent) -> Any:
        seen.append(event)
        return event.json_body

    @app.on_ws_disconnect()
    def disconnect(event: WebsocketEvent) -> Response:
        return Response("bye", status_code=204)

    assert app._features_used == {"WEBSOCKETS"}
    assert set(app.websocket_handlers) == {"$connect", "$default", "$disconnect"}
    assert app.websocket_handlers["$default"].name == "msg"
    assert app.handler_map["msg"] is message

    connect_event = load_event("apigw-websocket/dotnet-websocket-api-connect-request.json")
    assert connect(connect_event, None) == {"statusCode": 200}
    assert seen[0].connection_id == "QyUg1czHCYcCHXw=" and seen[0].body is None
    assert seen[0].stage == "production"

    msg = load_event("apigw-websocket/go-apigw-websocket-request-send-message.json")
    assert message(msg, None) == {"a": 1, "statusCode": 200}

    result = disconnect(
        load_event("apigw-websocket/go-apigw-websocket-request-disconnect.json"), None
    )
    assert result["statusCode"] == 204 and result["body"] == "bye"


def test_dict_with_status_code_is_kept(app: Chalice) -> None:
    @app.on_ws_message()
    def message(event: WebsocketEvent) -> Any:
        return {"statusCode": 400, "body": "no"}

    event = load_event("apigw-websocket/dotnet-values-post-withbody-websocketapi-request.json")
    assert message(event, None) == {"statusCode": 400, "body": "no"}


def test_json_body_errors() -> None:
    event = load_event("apigw-websocket/dotnet-websocket-api-connect-request.json")
    with pytest.raises(BadRequestError, match="Error Parsing JSON"):
        WebsocketEvent(event, None).json_body  # noqa: B018
    event["body"] = "{nope"
    with pytest.raises(BadRequestError):
        WebsocketEvent(event, None).json_body  # noqa: B018


def test_duplicate_handler_rejected(app: Chalice) -> None:
    app.on_ws_connect()(lambda e: None)
    with pytest.raises(ValueError, match="Duplicate websocket handler") as info:
        app.on_ws_connect(name="second")(lambda e: None)
    assert str(info.value) == (
        "Duplicate websocket handler: 'on_ws_connect'. "
        "There can only be one handler for each websocket decorator."
    )
    app.on_ws_message()(lambda e: None)
    with pytest.raises(ValueError, match="'on_ws_message'"):
        app.on_ws_message(name="again")(lambda e: None)


def test_send_close_info_with_region_from_env(
    app: Chalice, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "us-east-2")
    session = FakeSession()
    app.websocket_api.session = session

    @app.on_ws_message()
    def message(event: WebsocketEvent) -> None:
        assert event.connection_id is not None
        app.websocket_api.send(event.connection_id, "hi")
        app.websocket_api.info(event.connection_id)
        app.websocket_api.close(event.connection_id)

    message(load_event("apigw-websocket/go-apigw-websocket-request-send-message.json"), None)
    assert session.created == [
        ("apigatewaymanagementapi", "https://gy415nuibc.execute-api.us-east-2.amazonaws.com/prod")
    ]
    assert [name for name, _ in session.client_obj.calls] == [
        "post_to_connection",
        "get_connection",
        "delete_connection",
    ]
    assert session.client_obj.calls[0][1] == {"ConnectionId": "R1kmxc2VNjMCFIA=", "Data": "hi"}


def test_china_region_and_session_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    api = WebsocketAPI()
    api.session = FakeSession(region_name="cn-north-1")
    api.configure_from_api_id("abc", "dev")
    api.send("c", "m")
    assert api.session.created[0][1] == "https://abc.execute-api.cn-north-1.amazonaws.com.cn/dev"


def test_gone_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    api = WebsocketAPI()
    api.session = FakeSession(gone=True)
    api.configure("example.com", "dev")
    calls = [
        lambda: api.send("conn-1", "m"),
        lambda: api.close("conn-1"),
        lambda: api.info("conn-1"),
    ]
    for call in calls:
        with pytest.raises(WebsocketDisconnectedError) as info:
            call()
        assert info.value.connection_id == "conn-1"


def test_errors_without_session_or_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    api = WebsocketAPI()
    with pytest.raises(ValueError) as no_session:
        api.send("c", "m")
    assert str(no_session.value) == (
        "Assign app.websocket_api.session to a boto3 session before using the WebsocketAPI"
    )
    api.session = FakeSession(region_name=None)
    with pytest.raises(ValueError) as unconfigured:
        api.close("c")
    assert str(unconfigured.value) == (
        "WebsocketAPI.configure must be called before using the WebsocketAPI"
    )
    api.configure_from_api_id("abc", "dev")
    with pytest.raises(ValueError) as no_region:
        api.send("c", "m")
    assert str(no_region.value) == (
        "Unable to retrieve the region name when configuring the websocket client.  Either "
        "set the 'AWS_REGION' environment variable or assign 'app.websocket_api.session' to a "
        "boto3 session."
    )


def test_blueprint_websocket_handlers_are_wrapped(app: Chalice) -> None:
    bp = Blueprint("chalicelib.ws")

    @bp.on_ws_message()
    def message(event: WebsocketEvent) -> str:
        return "ignored"

    app.register_blueprint(bp)
    config = app.websocket_handlers["$default"]
    assert config.handler_string == "chalicelib.ws.message"
    event = load_event("apigw-websocket/go-apigw-websocket-request-send-message.json")
    assert app.handler_map["message"](event, None) == {"statusCode": 200}


def test_websocket_middleware(app: Chalice) -> None:
    seen: list[str] = []

    @app.middleware("websocket")
    def mw(event: Any, get_response: Any) -> Any:
        seen.append(type(event).__name__)
        return get_response(event)

    @app.on_ws_connect()
    def connect(event: WebsocketEvent) -> None:
        return None

    connect(load_event("apigw-websocket/go-apigw-websocket-request.json"), None)
    assert seen == ["WebsocketEvent"]


def test_malformed_websocket_events(app: Chalice) -> None:
    @app.on_ws_message()
    def message(event: WebsocketEvent) -> Any:
        return {"connection": event.connection_id, "body": event.body}

    assert message({}, None) == {"connection": None, "body": None, "statusCode": 200}
    assert message({"requestContext": "x", "body": "hi"}, None)["body"] == "hi"
    assert message("nope", None)["connection"] is None  # type: ignore[arg-type]
