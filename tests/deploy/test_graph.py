"""The resource graph: upstream's naming rules (SPEC §4.3) for a rich sample app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalice.app import Blueprint, Chalice, CORSConfig, Rate
from chalice.config import Config
from chalice.deploy import models
from chalice.deploy.graph import (
    LAMBDA_TRUST_POLICY,
    build_application,
    function_name_for,
    mount_path,
    private_endpoint_policy,
)
from chalice.deploy.resources.eventsources import queue_name_from_arn
from chalice.errors import ValidationError

QUEUE_ARN = "arn:aws:sqs:us-west-2:123456789012:arn-queue"
STREAM_ARN = "arn:aws:dynamodb:us-west-2:123456789012:table/t/stream/2020"


def config(tmp_path: Path, data: dict[str, Any] | None = None, stage: str = "dev") -> Config:
    return Config.from_dict(
        {"version": "2.0", "app_name": "demo", **(data or {})}, project_dir=tmp_path, stage=stage
    )


def rich_app() -> Chalice:
    app = Chalice(app_name="demo")
    app.experimental_feature_flags.update(["WEBSOCKETS"])

    @app.lambda_function()
    def pure(event: Any, context: Any) -> Any:
        return event

    @app.schedule(Rate(5, unit=Rate.MINUTES), description="every five")
    def every(event: Any) -> None:
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

    @app.on_sqs_message(queue="q", batch_size=5)
    def sqs_name(event: Any) -> None:
        pass

    @app.on_sqs_message(queue_arn=QUEUE_ARN, maximum_concurrency=3)
    def sqs_arn(event: Any) -> None:
        pass

    @app.on_kinesis_record(stream="s")
    def kin(event: Any) -> None:
        pass

    @app.on_dynamodb_record(stream_arn=STREAM_ARN, starting_position="TRIM_HORIZON")
    def ddb(event: Any) -> None:
        pass

    @app.authorizer()
    def auth(auth_request: Any) -> Any:
        return None

    @app.route("/", authorizer=auth, cors=CORSConfig(allow_origin="*"))
    def index() -> dict[str, str]:
        return {}

    @app.on_ws_connect()
    def conn(event: Any) -> None:
        pass

    @app.on_ws_message()
    def msg(event: Any) -> None:
        pass

    bp = Blueprint("chalicelib.blue")

    @bp.lambda_function()
    def bp_fn(event: Any, context: Any) -> None:
        pass

    @bp.route("/bp")
    def bp_route() -> dict[str, str]:
        return {}

    app.register_blueprint(bp, name_prefix="x_", url_prefix="/p")
    return app


def by_name(application: models.Application) -> dict[str, models.RecordedResource]:
    return {r.resource_name: r for r in models.dependency_order(application)}


def test_rich_app_resource_order_and_names(tmp_path: Path) -> None:
    application = build_application(rich_app(), config(tmp_path))
    assert application.stage == "dev"
    assert [getattr(r, "resource_name", None) for r in application.resources] == [
        "pure",
        "x_bp_fn",
        "every-event",
        "cw-event",
        "s3-s3event",
        "sns-sns-subscription",
        "sqs_name-sqs-event-source",
        "sqs_arn-sqs-event-source",
        "kin-kinesis-event-source",
        "ddb-dynamodb-event-source",
        "rest_api",
        "websocket_api",
    ]
    res = by_name(application)
    assert set(res) >= {
        "default-role",
        "api_handler",
        "auth",
        "websocket_connect",
        "websocket_message",
    }
    assert "websocket_disconnect" not in res


def test_functions(tmp_path: Path) -> None:
    res = by_name(build_application(rich_app(), config(tmp_path)))
    api = res["api_handler"]
    assert isinstance(api, models.LambdaFunction)
    assert (api.function_name, api.handler) == ("demo-dev", "app.app")
    pure = res["pure"]
    assert isinstance(pure, models.LambdaFunction)
    assert (pure.function_name, pure.handler) == ("demo-dev-pure", "app.pure")
    bp_fn = res["x_bp_fn"]
    assert isinstance(bp_fn, models.LambdaFunction)
    assert (bp_fn.function_name, bp_fn.handler) == ("demo-dev-x_bp_fn", "chalicelib.blue.bp_fn")
    ws = res["websocket_connect"]
    assert isinstance(ws, models.LambdaFunction)
    assert ws.function_name == "demo-dev-websocket_connect"
    assert ws.handler == "app.conn"
    for fn in (api, pure, bp_fn, ws):
        assert fn.deployment_package == models.DeploymentPackage()
        assert fn.timeout == 60 and fn.memory_size == 128
        assert fn.tags["aws-chalice"].endswith(":stage=dev:app=demo")
        assert fn.managed_layer is None and fn.log_group is None
        assert fn.role is res["default-role"]


def test_default_role(tmp_path: Path) -> None:
    role = by_name(build_application(rich_app(), config(tmp_path)))["default-role"]
    assert isinstance(role, models.ManagedIAMRole)
    assert role.role_name == "demo-dev"
    assert role.trust_policy == LAMBDA_TRUST_POLICY
    assert role.policy == models.AutoGenIAMPolicy(traits=frozenset(), document=None)


def test_events(tmp_path: Path) -> None:
    res = by_name(build_application(rich_app(), config(tmp_path, stage="prod")))
    every = res["every-event"]
    assert isinstance(every, models.ScheduledEvent)
    assert every.rule_name == "demo-prod-every-event"
    assert every.schedule_expression == "rate(5 minutes)"
    assert every.rule_description == "every five"
    assert every.lambda_function is res["every"]
    cw = res["cw-event"]
    assert isinstance(cw, models.CloudWatchEvent)
    assert cw.event_pattern == '{"source": ["aws.ec2"]}'
    s3 = res["s3-s3event"]
    assert isinstance(s3, models.S3BucketNotification)
    assert (s3.bucket, s3.events, s3.prefix, s3.suffix) == (
        "bkt",
        ("s3:ObjectCreated:*",),
        "in/",
        ".csv",
    )
    sns = res["sns-sns-subscription"]
    assert isinstance(sns, models.SNSLambdaSubscription) and sns.topic == "topic"
    by_queue = res["sqs_name-sqs-event-source"]
    assert isinstance(by_queue, models.SQSEventSource)
    assert (by_queue.queue, by_queue.queue_arn, by_queue.batch_size) == ("q", None, 5)
    by_arn = res["sqs_arn-sqs-event-source"]
    assert isinstance(by_arn, models.SQSEventSource)
    assert (by_arn.queue, by_arn.queue_arn, by_arn.maximum_concurrency) == (
        "arn-queue",
        QUEUE_ARN,
        3,
    )
    kin = res["kin-kinesis-event-source"]
    assert isinstance(kin, models.KinesisEventSource)
    assert (kin.stream, kin.batch_size, kin.starting_position) == ("s", 100, "LATEST")
    ddb = res["ddb-dynamodb-event-source"]
    assert isinstance(ddb, models.DynamoDBEventSource)
    assert (ddb.stream_arn, ddb.starting_position) == (STREAM_ARN, "TRIM_HORIZON")
    assert res["ddb"].function_name == "demo-prod-ddb"  # type: ignore[union-attr]


def test_rest_api(tmp_path: Path) -> None:
    res = by_name(build_application(rich_app(), config(tmp_path)))
    api = res["rest_api"]
    assert isinstance(api, models.RestAPI)
    assert api.swagger_doc is None
    assert api.minimum_compression == ""
    assert api.api_gateway_stage == "api"
    assert api.endpoint_type == "EDGE"
    assert api.lambda_function is res["api_handler"]
    assert [a.resource_name for a in api.authorizers] == ["auth"]
    assert api.authorizers[0].function_name == "demo-dev-auth"
    assert api.policy is None and api.domain_name is None and api.vpce_ids == ()


def test_websocket_api(tmp_path: Path) -> None:
    res = by_name(build_application(rich_app(), config(tmp_path)))
    ws = res["websocket_api"]
    assert isinstance(ws, models.WebsocketAPI)
    assert ws.name == "demo-dev-websocket-api"
    assert ws.routes == ("$connect", "$default")
    assert ws.connect_function is res["websocket_connect"]
    assert ws.message_function is res["websocket_message"]
    assert ws.disconnect_function is None


def test_custom_domains(tmp_path: Path) -> None:
    cfg = config(
        tmp_path,
        {
            "stages": {
                "dev": {
                    "api_gateway_endpoint_type": "REGIONAL",
                    "api_gateway_stage": "v1",
                    "api_gateway_custom_domain": {
                        "domain_name": "api.example.com",
                        "certificate_arn": "arn:cert",
                        "url_prefix": "/shop/",
                        "tags": {"k": "v"},
                    },
                    "websocket_api_custom_domain": {
                        "domain_name": "ws.example.com",
                        "certificate_arn": "arn:cert2",
                        "tls_version": "TLS_1_0",
                    },
                }
            }
        },
    )
    res = by_name(build_application(rich_app(), cfg))
    rest = res["rest_api"]
    assert isinstance(rest, models.RestAPI) and rest.domain_name is not None
    assert rest.domain_name == models.DomainName(
        resource_name="api_gateway_custom_domain",
        domain_name="api.example.com",
        protocol=models.APIType.HTTP,
        certificate_arn="arn:cert",
        api_mapping=models.APIMapping(
            resource_name="api_mapping", mount_path="shop", api_gateway_stage="v1"
        ),
        tls_version=models.TLSVersion.TLS_1_2,
        tags={"k": "v"},
        endpoint_type="REGIONAL",
    )
    ws = res["websocket_api"]
    assert isinstance(ws, models.WebsocketAPI) and ws.domain_name is not None
    assert ws.domain_name.resource_name == "websocket_api_custom_domain"
    assert ws.domain_name.protocol is models.APIType.WEBSOCKET
    assert ws.domain_name.endpoint_type == "REGIONAL"
    assert ws.domain_name.tls_version is models.TLSVersion.TLS_1_0
    assert ws.domain_name.api_mapping.mount_path == "(none)"
    assert ws.domain_name.tags is None


@pytest.mark.parametrize(
    ("prefix", "path"),
    [(None, "(none)"), ("/", "(none)"), ("", "(none)"), ("v1", "v1"), ("/a/b/", "a/b")],
)
def test_mount_path(prefix: str | None, path: str) -> None:
    assert mount_path(prefix) == path


def test_private_endpoint_default_policy(tmp_path: Path) -> None:
    cfg = config(
        tmp_path,
        {
            "api_gateway_endpoint_type": "PRIVATE",
            "api_gateway_endpoint_vpce": "vpce-1",
            "minimum_compression_size": 0,
        },
    )
    api = by_name(build_application(rich_app(), cfg))["rest_api"]
    assert isinstance(api, models.RestAPI)
    assert api.vpce_ids == ("vpce-1",)
    assert api.minimum_compression == "0"
    assert api.policy == models.IAMPolicy(document=private_endpoint_policy(("vpce-1",)))
    statement = api.policy.document["Statement"][0]
    assert statement["Condition"] == {"StringEquals": {"aws:SourceVpce": "vpce-1"}}
    assert statement["Principal"] == "*" and statement["Action"] == "execute-api:Invoke"
    assert statement["Resource"] == "arn:*:execute-api:*:*:*"
    two = private_endpoint_policy(("a", "b"))
    assert two["Statement"][0]["Condition"]["StringEquals"]["aws:SourceVpce"] == ["a", "b"]


def test_policy_file_for_rest_api(tmp_path: Path) -> None:
    cfg = config(tmp_path, {"api_gateway_policy_file": "rp.json"})
    api = by_name(build_application(rich_app(), cfg))["rest_api"]
    assert isinstance(api, models.RestAPI)
    assert api.policy == models.FileBasedIAMPolicy(filename="rp.json")


def test_autogen_false_gives_per_function_roles(tmp_path: Path) -> None:
    cfg = config(
        tmp_path,
        {
            "autogen_policy": False,
            "lambda_functions": {"pure": {"iam_policy_file": "pure.json"}},
            "stages": {"dev": {"lambda_functions": {"every": {"autogen_policy": True}}}},
        },
    )
    res = by_name(build_application(rich_app(), cfg))
    api_role = res["api_handler_role"]
    assert isinstance(api_role, models.ManagedIAMRole)
    assert api_role.role_name == "demo-dev-api_handler"
    assert api_role.policy == models.FileBasedIAMPolicy(filename="policy-dev.json")
    pure_role = res["pure_role"]
    assert isinstance(pure_role, models.ManagedIAMRole)
    assert pure_role.role_name == "demo-dev-pure"
    assert pure_role.policy == models.FileBasedIAMPolicy(filename="pure.json")
    assert res["every"].role is res["default-role"]  # type: ignore[union-attr]


def test_cli_no_autogen_policy(tmp_path: Path) -> None:
    cfg = Config.from_dict(
        {"app_name": "demo"}, project_dir=tmp_path, user_params={"autogen_policy": False}
    )
    res = by_name(build_application(rich_app(), cfg))
    assert "default-role" not in res and "auth_role" in res


def test_manage_iam_role_false(tmp_path: Path) -> None:
    cfg = config(tmp_path, {"manage_iam_role": False, "iam_role_arn": "arn:aws:iam::1:role/r"})
    application = build_application(rich_app(), cfg)
    res = by_name(application)
    assert not any(isinstance(r, models.ManagedIAMRole) for r in res.values())
    api, pure = res["api_handler"], res["pure"]
    assert isinstance(api, models.LambdaFunction) and isinstance(pure, models.LambdaFunction)
    assert api.role == models.PreCreatedIAMRole(role_arn="arn:aws:iam::1:role/r")
    assert api.role is pure.role  # de-duplicated by ARN


def test_manage_iam_role_false_needs_arn(tmp_path: Path) -> None:
    cfg = config(tmp_path, {"lambda_functions": {"pure": {"manage_iam_role": False}}})
    with pytest.raises(ValidationError, match="pure.*iam_role_arn"):
        build_application(rich_app(), cfg)


def test_per_function_settings_layers_vpc_logs(tmp_path: Path) -> None:
    cfg = config(
        tmp_path,
        {
            "automatic_layer": True,
            "lambda_architecture": "arm64",
            "layers": ["arn:top"],
            "stages": {
                "dev": {
                    "xray": True,
                    "lambda_functions": {
                        "pure": {
                            "subnet_ids": ["sn"],
                            "security_group_ids": ["sg"],
                            "reserved_concurrency": 2,
                            "lambda_timeout": 30,
                            "lambda_memory_size": 256,
                            "log_retention_in_days": 7,
                            "environment_variables": {"A": "1"},
                            "layers": ["arn:fn"],
                        },
                        "api_handler": {"log_retention_in_days": 14},
                    },
                }
            },
        },
    )
    application = build_application(rich_app(), cfg)
    res = by_name(application)
    pure = res["pure"]
    assert isinstance(pure, models.LambdaFunction)
    assert (pure.subnet_ids, pure.security_group_ids) == (("sn",), ("sg",))
    assert (pure.reserved_concurrency, pure.timeout, pure.memory_size) == (2, 30, 256)
    assert pure.environment_variables == {"A": "1"}
    assert pure.layers == ("arn:fn",)
    assert pure.xray is True
    assert pure.architecture == "arm64"
    assert pure.log_group == models.LogGroup(
        resource_name="pure-log-group",
        log_group_name="/aws/lambda/demo-dev-pure",
        retention_in_days=7,
    )
    api = res["api_handler"]
    assert isinstance(api, models.LambdaFunction)
    # Quirk #8 fixed: the API handler's log group is the one Lambda writes to.
    assert api.log_group is not None
    assert api.log_group.log_group_name == "/aws/lambda/demo-dev"
    assert api.log_group.resource_name == "api_handler-log-group"
    assert api.layers == ("arn:top",)
    layer = res["managed-layer"]
    assert isinstance(layer, models.LambdaLayer)
    assert layer.layer_name == "demo-dev-managed-layer"
    assert layer.architecture == "arm64"
    assert api.managed_layer is layer and pure.managed_layer is layer
    role = res["default-role"]
    assert isinstance(role, models.ManagedIAMRole)
    assert role.policy == models.AutoGenIAMPolicy(traits=frozenset({models.RoleTraits.VPC_NEEDED}))
    rest = res["rest_api"]
    assert isinstance(rest, models.RestAPI) and rest.xray is True


def test_vpc_needs_both(tmp_path: Path) -> None:
    cfg = config(tmp_path, {"stages": {"dev": {"subnet_ids": ["sn"]}}})
    with pytest.raises(ValidationError) as info:
        build_application(rich_app(), cfg)
    msg = str(info.value)
    assert "subnet_ids" in msg and "security_group_ids" in msg and "stages.dev.subnet_ids" in msg


def test_no_routes_no_rest_api(tmp_path: Path) -> None:
    app = Chalice(app_name="demo")

    @app.lambda_function()
    def only(event: Any, context: Any) -> None:
        pass

    app.routes["/unknown"]  # a lookup of an unknown path leaves an empty entry
    application = build_application(app, config(tmp_path))
    assert [r.resource_name for r in models.dependency_order(application)] == [
        "default-role",
        "only",
    ]


def test_authorizer_without_routes_is_not_deployed(tmp_path: Path) -> None:
    app = Chalice(app_name="demo")

    @app.authorizer()
    def auth(req: Any) -> None:
        pass

    assert build_application(app, config(tmp_path)).resources == ()


# -- dependency order ------------------------------------------------------------


def test_dependency_order_is_post_order_and_unique(tmp_path: Path) -> None:
    application = build_application(
        rich_app(), config(tmp_path, {"log_retention_in_days": 1, "automatic_layer": True})
    )
    order = models.dependency_order(application)
    names = [r.resource_name for r in order]
    assert len(names) == len(set(names))
    position = {n: i for i, n in enumerate(names)}
    for res in order:
        for dep in res.dependencies():
            if isinstance(dep, (models.PreCreatedIAMRole, models.APIMapping)):
                continue
            assert position[dep.resource_name] < position[res.resource_name]
    assert names[:4] == ["managed-layer", "pure-log-group", "default-role", "pure"]
    assert names[-2:] == ["websocket_message", "websocket_api"]


def test_dependency_order_is_stable(tmp_path: Path) -> None:
    first = [
        r.resource_name
        for r in models.dependency_order(build_application(rich_app(), config(tmp_path)))
    ]
    for _ in range(3):
        again = [
            r.resource_name
            for r in models.dependency_order(build_application(rich_app(), config(tmp_path)))
        ]
        assert again == first


def test_dependency_order_scheduled_function() -> None:
    role = models.ManagedIAMRole(
        resource_name="default-role",
        role_name="a-dev",
        trust_policy={},
        policy=models.AutoGenIAMPolicy(),
    )
    fn = models.LambdaFunction(
        resource_name="f", function_name="a-dev-f", deployment_package=models.DeploymentPackage(),
        handler="app.f", runtime="python3.12", role=role,
    )  # fmt: skip
    rule = models.ScheduledEvent(
        resource_name="f-event", rule_name="a-dev-f-event", schedule_expression="rate(1 hour)",
        rule_description="", lambda_function=fn,
    )  # fmt: skip
    app = models.Application(stage="dev", resources=(rule, fn))
    assert models.dependency_order(app) == [role, fn, rule]
    assert attrs.evolve(app, resources=(fn, rule)).resources[0] is fn


# -- naming helpers ---------------------------------------------------------------

_name = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=20)


@given(_name, _name, _name)
def test_function_name_property(app_name: str, stage: str, fn: str) -> None:
    name = function_name_for(app_name, stage, fn)
    if fn == "api_handler":
        assert name == f"{app_name}-{stage}"
    else:
        assert name == f"{app_name}-{stage}-{fn}"
        assert name.endswith(fn) and name.startswith(f"{app_name}-{stage}-")


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=1, max_size=40))
def test_queue_name_from_arn_property(queue: str) -> None:
    assert queue_name_from_arn(f"arn:aws:sqs:us-west-2:123456789012:{queue}") == queue


@given(st.text(alphabet="abc/", max_size=12))
def test_mount_path_property(prefix: str) -> None:
    path = mount_path(prefix)
    assert path == "(none)" or (not path.startswith("/") and not path.endswith("/"))


# -- one walk of the app: the snapshot -------------------------------------------------


def test_a_snapshot_builds_the_same_application(tmp_path: Path) -> None:
    from chalice.app import snapshot

    app = rich_app()
    assert build_application(snapshot(app), config(tmp_path)) == build_application(
        app, config(tmp_path)
    )


def test_the_app_is_described_once_per_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalice.app import _snapshot
    from chalice.deploy import graph

    walks: list[object] = []
    real = _snapshot.snapshot

    def counting(app: Any) -> Any:
        if not isinstance(app, _snapshot.AppSnapshot):
            walks.append(app)
        return real(app)

    monkeypatch.setattr(graph, "snapshot", counting)
    app = rich_app()
    build_application(app, config(tmp_path, {"subnet_ids": ["s"], "security_group_ids": ["g"]}))
    assert walks == [app]


def test_routes_enter_the_rest_api_model(tmp_path: Path) -> None:
    from chalice.app import snapshot

    app = rich_app()
    api = by_name(build_application(app, config(tmp_path)))["rest_api"]
    assert isinstance(api, models.RestAPI)
    described = snapshot(app)
    assert api.routes == described.routes
    assert [(r.method, r.path) for r in api.routes] == [("GET", "/"), ("GET", "/p/bp")]
    assert api.title == "demo"
    assert api.binary_types == tuple(app.api.binary_types)


def test_function_specs_follow_graph_order(tmp_path: Path) -> None:
    from chalice.deploy.graph import function_specs

    names = [s.name for s in function_specs(rich_app(), config(tmp_path))]
    assert names[:2] == ["pure", "x_bp_fn"]
    assert names[-4:] == ["api_handler", "auth", "websocket_connect", "websocket_message"]
