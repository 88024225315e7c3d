"""``chalice.app.snapshot``: the frozen description of an app the tooling reads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from chalice.app import (
    AppSnapshot,
    Blueprint,
    Chalice,
    CognitoUserPoolAuthorizer,
    CORSConfig,
    Cron,
    CustomAuthorizer,
    IAMAuthorizer,
    Rate,
    snapshot,
)
from chalice.app._auth import Authorizer
from chalice.app._snapshot import (
    AuthorizerKind,
    CloudWatchEventSpec,
    DynamoDBEventSpec,
    EventSourceKind,
    KinesisEventSpec,
    S3EventSpec,
    ScheduleEventSpec,
    SNSEventSpec,
    SQSEventSpec,
)
from tests.runtime.conftest import load_event, rest_event

ROOT = Path(__file__).resolve().parent.parent.parent
POOL = "arn:aws:cognito-idp:us-west-2:123456789012:userpool/p"


class HeaderAuth(Authorizer):
    """A user's own authorizer type: only its swagger definition is known."""

    __slots__ = ()

    def to_swagger(self) -> dict[str, Any]:
        return {"in": "header", "type": "apiKey", "name": "X-Mine"}


def rich_app() -> Chalice:
    app = Chalice(app_name="rich")
    app.api.binary_types.append("image/png")
    app.experimental_feature_flags.add("WEBSOCKETS")

    @app.authorizer(ttl_seconds=30, execution_role="arn:aws:iam::1:role/r", header="X-Token")
    def token_auth(request: Any) -> Any:
        return None

    @app.route(
        "/users/{user_id}/files/{name}",
        methods=["GET", "PUT"],
        authorizer=token_auth.with_scopes(["read"]),
        api_key_required=True,
        content_types=["application/json", "text/plain"],
        cors=CORSConfig(allow_origin="https://x", max_age=60, expose_headers=["X-E"]),
    )
    def user_file(user_id: str, name: str) -> None:
        """Read a file.

        Longer text.
        """

    @app.route("/cognito", authorizer=CognitoUserPoolAuthorizer("Pool", [POOL], scopes=["s"]))
    def cognito() -> None:
        pass

    @app.route("/iam", authorizer=IAMAuthorizer(), methods=["POST"])
    def iam() -> None:
        pass

    @app.route(
        "/custom",
        authorizer=CustomAuthorizer("Ext", authorizer_uri="arn:uri", ttl_seconds=5),
    )
    def custom() -> None:
        pass

    @app.route("/mine", authorizer=HeaderAuth("Mine"))
    def mine() -> None:
        pass

    @app.lambda_function(name="pure-fn")
    def pure(event: Any, context: Any) -> Any:
        return event

    @app.schedule(Cron(0, 12, "*", "*", "?", "*"), description="noon")
    def noon(event: Any) -> None:
        pass

    @app.schedule(Rate(5, unit=Rate.MINUTES))
    def often(event: Any) -> None:
        pass

    @app.on_cw_event({"source": ["aws.ec2"]})
    def cw(event: Any) -> None:
        pass

    @app.on_s3_event(bucket="bkt", events=["s3:ObjectCreated:*"], prefix="in/", suffix=".csv")
    def s3(event: Any) -> None:
        pass

    @app.on_sns_message(topic="topic")
    def sns(event: Any) -> None:
        pass

    @app.on_sqs_message(queue="q", batch_size=5, maximum_concurrency=3)
    def sqs(event: Any) -> None:
        pass

    @app.on_kinesis_record(stream="s", starting_position="TRIM_HORIZON")
    def kin(event: Any) -> None:
        pass

    @app.on_dynamodb_record(stream_arn="arn:stream", batch_size=7)
    def ddb(event: Any) -> None:
        pass

    @app.on_ws_connect()
    def conn(event: Any) -> None:
        pass

    @app.on_ws_message()
    def msg(event: Any) -> None:
        pass

    bp = Blueprint("chalicelib.blue")

    @bp.route("/", cors=True)
    def bp_root() -> None:
        pass

    @bp.on_sns_message(topic="bp-topic")
    def bp_sns(event: Any) -> None:
        pass

    app.register_blueprint(bp, name_prefix="x_", url_prefix="/p")
    return app


def test_routes_describe_every_decorator_argument() -> None:
    snap = snapshot(rich_app())
    get, put = snap.routes[:2]
    assert (get.path, get.method, put.method) == ("/users/{user_id}/files/{name}", "GET", "PUT")
    assert get.view_name == "user_file"
    assert get.view_function.endswith("rich_app.<locals>.user_file")
    assert get.docstring == "Read a file.\n\nLonger text."
    assert get.api_key_required is True
    assert get.content_types == ("application/json", "text/plain")
    assert get.path_params == ("user_id", "name")
    assert get.cors is not None
    assert get.cors.allow_origin == "https://x"
    assert get.cors.max_age == 60
    assert get.cors.expose_headers == ("X-E",)
    assert (
        get.cors.access_control_headers()
        == CORSConfig(
            allow_origin="https://x", max_age=60, expose_headers=["X-E"]
        ).get_access_control_headers()
    )
    auth = get.authorizer
    assert auth is not None
    assert (auth.name, auth.kind, auth.scopes) == ("token_auth", AuthorizerKind.BUILTIN, ("read",))
    assert (auth.header, auth.ttl_seconds, auth.execution_role) == (
        "X-Token",
        30,
        "arn:aws:iam::1:role/r",
    )
    assert auth.security_definition is None


def test_authorizer_kinds_and_their_definitions() -> None:
    by_path = {r.path: r.authorizer for r in snapshot(rich_app()).routes}
    cognito, iam, custom, mine = (by_path[p] for p in ("/cognito", "/iam", "/custom", "/mine"))
    assert cognito is not None and iam is not None and custom is not None and mine is not None
    assert cognito.kind is AuthorizerKind.COGNITO
    assert (cognito.provider_arns, cognito.scopes) == ((POOL,), ("s",))
    assert cognito.security_definition == CognitoUserPoolAuthorizer("Pool", [POOL]).to_swagger()
    assert (iam.kind, iam.name) == (AuthorizerKind.IAM, "sigv4")
    assert (custom.kind, custom.authorizer_uri, custom.ttl_seconds) == (
        AuthorizerKind.CUSTOM,
        "arn:uri",
        5,
    )
    assert (mine.kind, mine.header) == (AuthorizerKind.OTHER, "X-Mine")


def test_functions_event_sources_and_websockets() -> None:
    snap = snapshot(rich_app())
    assert [(f.name, f.handler_string) for f in snap.pure_lambdas] == [("pure-fn", "app.pure")]
    assert [(a.name, a.header, a.ttl_seconds) for a in snap.builtin_authorizers] == [
        ("token_auth", "X-Token", 30)
    ]
    assert [s.kind for s in snap.event_sources] == [
        EventSourceKind.SCHEDULE,
        EventSourceKind.SCHEDULE,
        EventSourceKind.CLOUDWATCH,
        EventSourceKind.S3,
        EventSourceKind.SNS,
        EventSourceKind.SQS,
        EventSourceKind.KINESIS,
        EventSourceKind.DYNAMODB,
        EventSourceKind.SNS,
    ]
    noon, often, cw, s3, sns, sqs, kin, ddb, bp_sns = snap.event_sources
    assert noon == ScheduleEventSpec("noon", "app.noon", "cron(0 12 * * ? *)", "noon")
    assert often == ScheduleEventSpec("often", "app.often", "rate(5 minutes)", "")
    assert cw == CloudWatchEventSpec("cw", "app.cw", {"source": ["aws.ec2"]})
    assert s3 == S3EventSpec("s3", "app.s3", "bkt", ("s3:ObjectCreated:*",), "in/", ".csv")
    assert sns == SNSEventSpec("sns", "app.sns", "topic")
    assert sqs == SQSEventSpec("sqs", "app.sqs", "q", None, 5, 0, 3)
    assert kin == KinesisEventSpec("kin", "app.kin", "s", 100, "TRIM_HORIZON", 0)
    assert ddb == DynamoDBEventSpec("ddb", "app.ddb", "arn:stream", 7, "LATEST", 0)
    assert bp_sns == SNSEventSpec("x_bp_sns", "chalicelib.blue.bp_sns", "bp-topic")
    assert [(h.route_key, h.name) for h in snap.websocket_handlers] == [
        ("$connect", "conn"),
        ("$default", "msg"),
    ]
    assert snap.websocket_handler("$disconnect") is None
    assert snap.features_used == {"WEBSOCKETS"}
    assert snap.experimental_feature_flags == {"WEBSOCKETS"}


def test_blueprint_routes_are_merged_with_their_prefix_and_cors() -> None:
    snap = snapshot(rich_app())
    (bp_route,) = [r for r in snap.routes if r.view_name == "x_bp_root"]
    assert bp_route.path == "/p"
    assert bp_route.cors is not None
    assert bp_route.cors.access_control_headers() == CORSConfig().get_access_control_headers()


def test_api_settings_and_default_cors() -> None:
    app = Chalice("a")
    assert snapshot(app).api.default_cors is None
    app.api.cors = True
    assert snapshot(app).api.default_cors is not None
    app.api.cors = CORSConfig(allow_origin="https://o")
    api = snapshot(app).api
    assert api.default_cors is not None and api.default_cors.allow_origin == "https://o"
    assert api.binary_types == tuple(app.api.default_binary_types)


def test_routes_by_path_keeps_registration_order_and_skips_empty_entries() -> None:
    app = rich_app()
    app.routes["/looked-up-at-runtime"]  # noqa: B018 - the defaultdict quirk
    snap = snapshot(app)
    grouped = snap.routes_by_path()
    assert list(grouped) == [
        "/users/{user_id}/files/{name}",
        "/cognito",
        "/iam",
        "/custom",
        "/mine",
        "/p",
    ]
    assert list(grouped["/users/{user_id}/files/{name}"]) == ["GET", "PUT"]
    assert snap.has_routes
    assert not snapshot(Chalice("empty")).has_routes


def test_snapshot_is_frozen_detached_and_idempotent() -> None:
    app = rich_app()
    snap = snapshot(app)
    assert snapshot(snap) is snap
    with pytest.raises(AttributeError, match="frozen"):
        snap.app_name = "other"  # type: ignore[misc]
    with pytest.raises(AttributeError, match="frozen"):
        snap.routes[0].path = "/x"  # type: ignore[misc]
    # Later changes to the app (or to the dicts it was given) do not leak in.
    app.api.binary_types.append("application/x-new")
    cw_source = next(s for s in app.event_sources if s.name == "cw")
    cw_source.event_pattern["source"].append("aws.s3")
    assert "application/x-new" not in snap.api.binary_types
    cw = next(s for s in snap.event_sources if isinstance(s, CloudWatchEventSpec))
    assert cw.event_pattern == {"source": ["aws.ec2"]}
    assert isinstance(snap, AppSnapshot)
    assert snapshot(app) != snap


def test_unknown_event_source_registration_is_a_type_error() -> None:
    app = Chalice("a")
    app.event_sources.append(object())
    with pytest.raises(TypeError, match="unknown event source registration"):
        snapshot(app)


COLD_START = """
import json, sys
sys.path[:0] = [{root!r}]
from chalice import Chalice
app = Chalice(app_name="cold")

@app.route("/hello/{{name}}")
def hello(name):
    return {{"hello": name}}

@app.on_sqs_message(queue="q")
def on_sqs(event):
    return [r.body for r in event]

@app.lambda_function()
def pure(event, context):
    return event

rest = app(json.loads({rest!r}), None)
sqs = on_sqs(json.loads({sqs!r}), None)
pure({{}}, None)
print(json.dumps({{"status": rest["statusCode"], "sqs": sqs,
                  "loaded": sorted(m for m in sys.modules
                                   if m.startswith("chalice.app._snapshot"))}}))
"""


def test_handling_events_never_imports_the_snapshot_module() -> None:
    script = COLD_START.format(
        root=str(ROOT),
        rest=json.dumps(rest_event("/hello/{name}", params={"name": "x"})),
        sqs=json.dumps(load_event("sqs/sam-Sqs.json")),
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout)
    assert result["status"] == 200
    assert result["loaded"] == []  # neither _snapshot nor _snapshot_types
