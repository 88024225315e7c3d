"""The build stage with injected fakes: packages, policies and swagger filled in."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest

from chalice.build.artifacts import PolicyTools, build_application_artifacts, default_policy_tools
from chalice.build.swagger import SwaggerStyle
from chalice.config import Config
from chalice.deploy import models
from chalice.errors import ConfigError

FUNCTION_ZIP = models.DeploymentPackage(filename="/tmp/fn.zip", sha256="Zm4=")
LAYER_ZIP = models.DeploymentPackage(filename="/tmp/layer.zip", sha256="bGF5")


@attrs.frozen
class FakeBuilt:
    function: models.DeploymentPackage
    layer: models.DeploymentPackage | None


@attrs.define
class FakePackager:
    layer: models.DeploymentPackage | None = LAYER_ZIP
    calls: list[dict[str, Any]] = attrs.field(factory=list)

    def build(
        self,
        project_dir: Path,
        *,
        runtime: str,
        architecture: str,
        automatic_layer: bool,
        precompile_bytecode: bool = True,
    ) -> FakeBuilt:
        self.calls.append(
            {
                "project_dir": project_dir,
                "runtime": runtime,
                "architecture": architecture,
                "automatic_layer": automatic_layer,
                "precompile_bytecode": precompile_bytecode,
            }
        )
        return FakeBuilt(function=FUNCTION_ZIP, layer=self.layer if automatic_layer else None)


@attrs.define
class FakePolicies:
    files: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    calls: list[tuple[bool, bool]] = attrs.field(factory=list)

    def app_policy(
        self, project_dir: Path, *, vpc: bool, xray: bool, warn: Any = None
    ) -> dict[str, Any]:
        self.calls.append((vpc, xray))
        statements = [{"Sid": "App"}]
        if vpc:
            statements.append({"Sid": "Vpc"})
        if xray:
            statements.append({"Sid": "Xray"})
        return {"Version": "2012-10-17", "Statement": statements}

    def load(self, path: Path) -> dict[str, Any]:
        if path.name not in self.files:
            raise ConfigError(f"IAM policy file not found: {path}", where=str(path))
        assert path.parent.name == ".chalice"
        return self.files[path.name]

    @staticmethod
    def add(doc: Mapping[str, Any], statements: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
        out = json.loads(json.dumps(doc))
        out["Statement"].extend(dict(s) for s in statements)
        return dict(out)

    def tools(self) -> PolicyTools:
        return PolicyTools(
            app_policy=self.app_policy,
            load_policy_file=self.load,
            add_statements=self.add,
            statements={k: {"Sid": k} for k in ("sqs", "kinesis", "dynamodb", "websocket")},
        )


@attrs.define
class FakeSwagger:
    calls: list[tuple[SwaggerStyle, models.RestAPI | None]] = attrs.field(factory=list)

    def __call__(self, rest_api: models.RestAPI, *, style: SwaggerStyle) -> dict[str, Any]:
        self.calls.append((style, rest_api))
        policy = rest_api.policy.document if rest_api.policy else None
        return {"swagger": "2.0", "style": style.value, "policy": policy}


# -- a small graph built by hand -------------------------------------------------------


def role(name: str = "default-role", policy: Any = None) -> models.ManagedIAMRole:
    return models.ManagedIAMRole(
        resource_name=name, role_name=f"demo-dev{'' if name == 'default-role' else '-' + name}",
        trust_policy={}, policy=policy or models.AutoGenIAMPolicy(),
    )  # fmt: skip


LAYER = models.LambdaLayer(
    resource_name="managed-layer", layer_name="demo-dev-managed-layer", runtime="python3.12",
    deployment_package=models.DeploymentPackage(),
)  # fmt: skip


def fn(name: str, the_role: models.Role | None = None, **kw: Any) -> models.LambdaFunction:
    return models.LambdaFunction(
        resource_name=name, function_name=f"demo-dev-{name}", deployment_package=models.DeploymentPackage(),
        handler=f"app.{name}", runtime="python3.12", role=the_role or role(), **kw,
    )  # fmt: skip


def sqs(f: models.LambdaFunction) -> models.SQSEventSource:
    return models.SQSEventSource(
        resource_name=f"{f.resource_name}-sqs-event-source", queue="q", queue_arn=None, batch_size=1,
        maximum_batching_window_in_seconds=0, maximum_concurrency=None, lambda_function=f,
    )  # fmt: skip


def kinesis(f: models.LambdaFunction) -> models.KinesisEventSource:
    return models.KinesisEventSource(
        resource_name=f"{f.resource_name}-kinesis-event-source", stream="s", batch_size=1,
        starting_position="LATEST", maximum_batching_window_in_seconds=0, lambda_function=f,
    )  # fmt: skip


def rest_api(
    handler: models.LambdaFunction,
    *,
    policy: Any = None,
    authorizers: tuple[models.LambdaFunction, ...] = (),
) -> models.RestAPI:
    return models.RestAPI(
        resource_name="rest_api", swagger_doc=None, minimum_compression="", api_gateway_stage="api",
        endpoint_type="EDGE", lambda_function=handler, policy=policy, authorizers=authorizers,
    )  # fmt: skip


@pytest.fixture
def cfg(tmp_path: Path) -> Config:
    return Config.from_dict({"app_name": "demo", "automatic_layer": True}, project_dir=tmp_path)


def run(
    application: models.Application, cfg: Config, **kw: Any
) -> tuple[models.Application, FakePackager, FakePolicies, FakeSwagger]:
    packager = kw.pop("packager", FakePackager())
    policies = kw.pop("policies", FakePolicies())
    swagger = FakeSwagger()
    built = build_application_artifacts(
        application, app=object(), config=cfg, packager=packager, policies=policies.tools(),
        swagger_generator=swagger, **kw,
    )  # fmt: skip
    return built, packager, policies, swagger


def by_name(application: models.Application) -> dict[str, Any]:
    return {r.resource_name: r for r in models.dependency_order(application)}


# -- tests -------------------------------------------------------------------------------


def test_packages_filled_and_shared(cfg: Config) -> None:
    a, b = fn("a", managed_layer=LAYER), fn("b", managed_layer=LAYER)
    built, packager, _, _ = run(models.Application("dev", (a, sqs(b))), cfg)
    res = by_name(built)
    assert res["a"].deployment_package == FUNCTION_ZIP
    assert res["b"].deployment_package == FUNCTION_ZIP
    assert res["managed-layer"].deployment_package == LAYER_ZIP
    assert res["a"].managed_layer is res["b"].managed_layer is res["managed-layer"]
    assert res["b-sqs-event-source"].lambda_function is res["b"]
    assert packager.calls == [
        {
            "project_dir": cfg.project_dir,
            "runtime": cfg.lambda_python_version,
            "architecture": "x86_64",
            "automatic_layer": True,
            "precompile_bytecode": True,
        }
    ]
    # The input is untouched (frozen models, new copies).
    assert a.deployment_package == models.DeploymentPackage()


def test_empty_layer_is_dropped(cfg: Config) -> None:
    a = fn("a", managed_layer=LAYER)
    built, _, _, _ = run(models.Application("dev", (a,)), cfg, packager=FakePackager(layer=None))
    res = by_name(built)
    assert "managed-layer" not in res
    assert res["a"].managed_layer is None


def test_no_functions_no_packaging(cfg: Config) -> None:
    built, packager, _, _ = run(models.Application("dev", ()), cfg)
    assert built.resources == () and packager.calls == []


def test_autogen_policy_with_event_source_and_websocket_statements(cfg: Config) -> None:
    shared = role()
    a = fn("a", shared, subnet_ids=("s",), security_group_ids=("g",))
    b = fn("b", shared, xray=True)
    c = fn("websocket_message", shared)
    ws = models.WebsocketAPI(
        resource_name="websocket_api", name="demo-dev-websocket-api", api_gateway_stage="api",
        routes=("$default",), connect_function=None, message_function=c, disconnect_function=None,
    )  # fmt: skip
    app = models.Application("dev", (kinesis(a), sqs(b), sqs(a), ws))
    built, _, policies, _ = run(app, cfg)
    res = by_name(built)
    doc = res["default-role"].policy.document
    assert [s["Sid"] for s in doc["Statement"]] == [
        "App",
        "Vpc",
        "Xray",
        "sqs",
        "kinesis",
        "websocket",
    ]
    assert policies.calls == [(True, True)]  # analysed once
    assert res["a"].role is res["b"].role is res["default-role"]
    assert res["websocket_api"].message_function is res["websocket_message"]


def test_vpc_trait_on_role(cfg: Config) -> None:
    traited = role(policy=models.AutoGenIAMPolicy(traits=frozenset({models.RoleTraits.VPC_NEEDED})))
    built, _, policies, _ = run(models.Application("dev", (fn("a", traited),)), cfg)
    assert policies.calls == [(True, False)]
    assert by_name(built)["default-role"].policy.traits == frozenset({models.RoleTraits.VPC_NEEDED})


def test_file_policies_and_separate_roles(cfg: Config) -> None:
    file_role = role("a_role", models.FileBasedIAMPolicy(filename="policy-dev.json"))
    a = fn("a", file_role)
    b = fn("b")
    pre = fn("c", models.PreCreatedIAMRole(role_arn="arn:r"))
    policies = FakePolicies(files={"policy-dev.json": {"Statement": ["file"]}})
    built, _, _, _ = run(models.Application("dev", (sqs(a), b, pre)), cfg, policies=policies)
    res = by_name(built)
    # File policies get no extra statements.
    assert res["a_role"].policy.document == {"Statement": ["file"]}
    assert res["default-role"].policy.document["Statement"] == [{"Sid": "App"}]
    assert res["c"].role == models.PreCreatedIAMRole(role_arn="arn:r")


def test_missing_policy_file_is_a_config_error(cfg: Config) -> None:
    a = fn("a", role("a_role", models.FileBasedIAMPolicy(filename="nope.json")))
    with pytest.raises(ConfigError, match="nope.json"):
        run(models.Application("dev", (a,)), cfg)


@pytest.mark.parametrize("style", list(SwaggerStyle))
def test_rest_api_swagger_and_policy(cfg: Config, style: SwaggerStyle) -> None:
    handler, auth = fn("api_handler"), fn("auth")
    api = rest_api(
        handler, policy=models.FileBasedIAMPolicy(filename="rest.json"), authorizers=(auth,)
    )
    policies = FakePolicies(files={"rest.json": {"Statement": ["rest"]}})
    built, _, _, swagger = run(
        models.Application("dev", (api,)), cfg, policies=policies, swagger=style
    )
    res = by_name(built)
    rest = res["rest_api"]
    assert rest.policy.document == {"Statement": ["rest"]}
    assert rest.swagger_doc == {
        "swagger": "2.0",
        "style": style.value,
        "policy": {"Statement": ["rest"]},
    }
    assert rest.lambda_function is res["api_handler"]
    assert rest.authorizers[0] is res["auth"]
    assert rest.lambda_function.deployment_package == FUNCTION_ZIP
    assert [c[0] for c in swagger.calls] == [style]


def test_literal_rest_policy_kept(cfg: Config) -> None:
    api = rest_api(fn("api_handler"), policy=models.IAMPolicy(document={"Statement": ["lit"]}))
    built, _, _, _ = run(models.Application("dev", (api,)), cfg)
    rest = by_name(built)["rest_api"]
    assert rest.policy == models.IAMPolicy(document={"Statement": ["lit"]})
    assert rest.swagger_doc["policy"] == {"Statement": ["lit"]}


def test_order_and_identity_preserved(cfg: Config) -> None:
    shared = role()
    a, b = (
        fn("a", shared, log_group=models.LogGroup("a-log-group", "/aws/lambda/demo-dev-a", 7)),
        fn("b", shared),
    )
    app = models.Application("dev", (a, sqs(b), rest_api(fn("api_handler", shared))))
    built, _, _, _ = run(app, cfg)
    before = [r.resource_name for r in models.dependency_order(app)]
    after = [r.resource_name for r in models.dependency_order(built)]
    assert before == after
    assert by_name(built)["a-log-group"] == a.log_group


def test_default_policy_tools_use_policy_module() -> None:
    from chalice.build import policy

    tools = default_policy_tools()
    assert tools.load_policy_file is policy.load_policy_file
    assert set(tools.statements) >= {"sqs", "kinesis", "dynamodb", "websocket"}


# -- with the real collaborators (no requirements, so no pip and no network) ---------------

INTEGRATION_APP = """
import boto3
from chalice import Chalice

app = Chalice(app_name="built")
s3 = boto3.client("s3")


@app.route("/objects/{key}")
def get_object(key):
    return s3.get_object(Bucket="b", Key=key)["Body"].read()


@app.on_sqs_message(queue="jobs")
def job(event):
    pass
"""


def test_real_packager_policy_and_swagger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    # load_project changes sys.path and imports `app`: keep them local to this test.
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delitem(sys.modules, "app", raising=False)
    from chalice.build.packager import Packager
    from chalice.deploy.graph import build_application
    from chalice.project import load_project

    root = tmp_path / "built"
    (root / ".chalice").mkdir(parents=True)
    (root / "app.py").write_text(INTEGRATION_APP)
    (root / "requirements.txt").write_text("")
    (root / ".chalice" / "config.json").write_text(
        json.dumps({"version": "2.0", "app_name": "built", "stages": {"dev": {"xray": True}}})
    )
    config, app = load_project(root)
    application = build_application(app, config)
    built = build_application_artifacts(application, app=app, config=config, packager=Packager())
    res = by_name(built)
    package = res["api_handler"].deployment_package
    assert package.filename and Path(package.filename).is_file() and package.sha256
    assert res["job"].deployment_package == package
    doc = res["default-role"].policy.document
    actions = {
        a
        for s in doc["Statement"]
        for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    }
    assert "s3:GetObject" in actions
    assert "logs:CreateLogStream" in actions
    assert "xray:PutTraceSegments" in actions
    assert "sqs:ReceiveMessage" in actions
    swagger = res["rest_api"].swagger_doc
    assert swagger["swagger"] == "2.0"
    assert "/objects/{key}" in swagger["paths"]
    uri = swagger["paths"]["/objects/{key}"]["get"]["x-amazon-apigateway-integration"]["uri"]
    assert "{api_handler_lambda_arn}" in uri
    sys.modules.pop("app", None)
