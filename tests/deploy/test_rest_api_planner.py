"""The REST API planner against recording fakes: the document and the calls sent.

A fake botocore session hands out in-memory API Gateway, Lambda and STS
clients that log every call (from any thread) in one list, next to the
step's ``record`` calls, so the order "recorded before tagged" is visible.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import Any

import pytest

from chalice.deploy import models
from chalice.deploy.plan import Action, Step
from chalice.deploy.resources.apigateway import (
    DRIFT_NOTE,
    LEGACY_DIGEST_VARIABLE,
    Live,
    RestAPIPlanner,
    compare,
    definition,
    digest,
)
from chalice.deploy.resources.base import PlanContext
from chalice.deploy.state import DeployedState
from chalice.deploy.tagging import Tagging
from tests.deploy.e2e import models_kit as kit

ACCOUNT = "123456789012"
TAGS = {"chalice:app": "demo", "chalice:stage": "dev", "chalice:resource": "rest_api"}
AUTH_URI = (
    "arn:{partition}:apigateway:{region_name}:lambda:path/2015-03-31/functions/"
    "{auth_lambda_arn}/invocations"
)


def _error(code: str, message: str, op: str) -> Exception:
    from botocore.exceptions import ClientError

    err: Exception = ClientError({"Error": {"Code": code, "Message": message}}, op)
    return err


class Log:
    def __init__(self) -> None:
        self.entries: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()

    def add(self, op: str, params: Mapping[str, Any]) -> None:
        with self._lock:
            self.entries.append((op, dict(params)))

    def ops(self) -> list[str]:
        return [op for op, _ in self.entries]

    def params(self, op: str) -> list[dict[str, Any]]:
        return [p for o, p in self.entries if o == op]


class FakeAPIGateway:
    """Just enough of API Gateway v1, in memory."""

    def __init__(self, log: Log) -> None:
        self.log = log
        self.apis: dict[str, dict[str, Any]] = {}
        self.stages: dict[tuple[str, str], dict[str, Any]] = {}
        self.put_answer_types: list[str] | None = None
        self.refuse_tags = False
        self._n = 0

    def _next(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n}"

    def import_rest_api(self, **kw: Any) -> dict[str, Any]:
        self.log.add("ImportRestApi", kw)
        api_id = self._next("api")
        types = [kw["parameters"]["endpointConfigurationTypes"]]
        self.apis[api_id] = {"id": api_id, "endpointConfiguration": {"types": types}}
        return dict(self.apis[api_id])

    def put_rest_api(self, **kw: Any) -> dict[str, Any]:
        self.log.add("PutRestApi", kw)
        api = self.apis[kw["restApiId"]]
        if self.put_answer_types is not None:
            api["endpointConfiguration"] = {"types": self.put_answer_types}
        return dict(api)

    def get_rest_api(self, **kw: Any) -> dict[str, Any]:
        self.log.add("GetRestApi", kw)
        if kw["restApiId"] not in self.apis:
            raise _error("NotFoundException", "Invalid API identifier", "GetRestApi")
        return dict(self.apis[kw["restApiId"]])

    def get_rest_apis(self, **kw: Any) -> dict[str, Any]:
        self.log.add("GetRestApis", kw)
        return {"items": list(self.apis.values())}

    def update_rest_api(self, **kw: Any) -> dict[str, Any]:
        self.log.add("UpdateRestApi", kw)
        return dict(self.apis[kw["restApiId"]])

    def tag_resource(self, **kw: Any) -> dict[str, Any]:
        self.log.add("TagResource", kw)
        if self.refuse_tags:
            raise _error(
                "AccessDeniedException",
                f"User: arn:aws:iam::{ACCOUNT}:user/d is not authorized to perform: "
                "apigateway:PUT on resource: arn:aws:apigateway:us-west-2::/tags/x",
                "TagResource",
            )
        return {}

    def get_stage(self, **kw: Any) -> dict[str, Any]:
        self.log.add("GetStage", kw)
        key = (kw["restApiId"], kw["stageName"])
        if key not in self.stages:
            raise _error("NotFoundException", "Invalid stage identifier specified", "GetStage")
        return dict(self.stages[key])

    def create_deployment(self, **kw: Any) -> dict[str, Any]:
        self.log.add("CreateDeployment", kw)
        dep = self._next("dep")
        stage = self.stages.setdefault((kw["restApiId"], kw["stageName"]), {"variables": {}})
        stage["deploymentId"] = dep
        return {"id": dep}

    def update_stage(self, **kw: Any) -> dict[str, Any]:
        self.log.add("UpdateStage", kw)
        return {}


class FakeLambda:
    def __init__(self, log: Log) -> None:
        self.log = log
        self.statements: dict[str, list[dict[str, Any]]] = {}

    def get_policy(self, **kw: Any) -> dict[str, Any]:
        self.log.add("GetPolicy", kw)
        found = self.statements.get(kw["FunctionName"])
        if not found:
            raise _error("ResourceNotFoundException", "No policy", "GetPolicy")
        return {"Policy": json.dumps({"Statement": found})}

    def add_permission(self, **kw: Any) -> dict[str, Any]:
        self.log.add("AddPermission", kw)
        return {}


class FakeSTS:
    def get_caller_identity(self) -> dict[str, Any]:
        return {"Account": ACCOUNT}


class FakeSession:
    def __init__(self, clients: dict[str, Any]) -> None:
        self._clients = clients

    def create_client(self, name: str, config: Any = None) -> Any:
        return self._clients[name]

    def get_config_variable(self, name: str) -> str | None:
        return "us-west-2" if name == "region" else None

    def get_partition_for_region(self, region: str) -> str:
        return "aws"


class FakeStepContext:
    def __init__(self, clients: Any, log: Log) -> None:
        self.clients = clients
        self.log = log
        self.records: list[dict[str, Any]] = []

    def outputs(self, name: str) -> Mapping[str, Any]:
        fn = "demo-dev" if name == "api_handler" else f"demo-dev-{name}"
        return {"lambda_arn": f"arn:aws:lambda:us-west-2:{ACCOUNT}:function:{fn}"}

    def record(self, values: Mapping[str, Any]) -> None:
        self.records.append(dict(values))
        self.log.add("record", values)

    def say(self, line: str) -> None:
        pass


class World:
    def __init__(self) -> None:
        from chalice.aws.session import AWSClients

        self.log = Log()
        self.apigw = FakeAPIGateway(self.log)
        self.lam = FakeLambda(self.log)
        session = FakeSession({"apigateway": self.apigw, "lambda": self.lam, "sts": FakeSTS()})
        self.clients = AWSClients(session, sleep=lambda _s: None)
        self.warnings: list[str] = []

    def ctx(
        self, recorded: dict[str, Any] | None = None, *, functions_exist: bool = True
    ) -> PlanContext:
        action = Action.UNCHANGED if functions_exist else Action.CREATE
        steps = {n: Step(n, "lambda_function", action) for n in ("api_handler", "auth")}
        state = DeployedState(resources=(recorded,) if recorded else ())
        return PlanContext(
            clients=self.clients,
            app_name="demo",
            stage="dev",
            state=state,
            steps=steps,
            tagging=Tagging(warn=self.warnings.append),
        )

    def apply(self, step: Step) -> Mapping[str, Any]:
        assert step.apply is not None
        out = step.apply(FakeStepContext(self.clients, self.log))
        assert out is not None
        return out

    def allow(self, api_id: str, *names: str) -> None:
        for name in names:
            fn = "demo-dev" if name == "api_handler" else f"demo-dev-{name}"
            scope = "*" if name == "api_handler" else "authorizers/*"
            self.lam.statements.setdefault(fn, []).append(
                {
                    "Sid": f"s-{name}",
                    "Principal": {"Service": "apigateway.amazonaws.com"},
                    "Condition": {
                        "ArnLike": {
                            "AWS:SourceArn": f"arn:aws:execute-api:us-west-2:{ACCOUNT}:{api_id}/{scope}"
                        }
                    },
                }
            )


def _model(**kw: Any) -> models.RestAPI:
    pkg = models.DeploymentPackage(filename="unused.zip", sha256="x")
    role = kit.role("demo", "dev")
    doc = kit.swagger("demo")
    doc["securityDefinitions"] = {
        "auth": {
            "in": "header",
            "type": "apiKey",
            "name": "Authorization",
            "x-amazon-apigateway-authtype": "custom",
            "x-amazon-apigateway-authorizer": {"type": "token", "authorizerUri": AUTH_URI},
        }
    }
    values: dict[str, Any] = {
        "resource_name": "rest_api",
        "swagger_doc": doc,
        "minimum_compression": "",
        "api_gateway_stage": "api",
        "endpoint_type": "REGIONAL",
        "lambda_function": kit.function("demo", "dev", "api_handler", pkg, role),
        "authorizers": (kit.function("demo", "dev", "auth", pkg, role),),
    }
    values.update(kw)
    return models.RestAPI(**values)


def _deployed(world: World, model: models.RestAPI, **stage: Any) -> dict[str, Any]:
    """An API chalice deployed: live API + stage in the fakes, and its state entry."""
    world.apigw.apis["api9"] = {
        "id": "api9",
        "endpointConfiguration": {"types": [model.endpoint_type]},
        "tags": dict(TAGS),
    }
    world.apigw.stages[("api9", "api")] = {"deploymentId": "dep9", "variables": {}, **stage}
    world.allow("api9", "api_handler", "auth")
    doc_digest = digest(definition(model, world.ctx()))
    return {
        "name": "rest_api",
        "resource_type": "rest_api",
        "rest_api_id": "api9",
        "rest_api_url": "https://api9.execute-api.us-west-2.amazonaws.com/api/",
        "definition_sha256": doc_digest,
        "deployment_id": "dep9",
    }


def test_create_imports_swagger2_records_then_tags() -> None:
    world = World()
    model = _model()
    step = RestAPIPlanner().plan(model, None, world.ctx(functions_exist=False))
    assert step.action is Action.CREATE
    values = world.apply(step)

    (imported,) = world.apigw.log.params("ImportRestApi")
    assert imported["parameters"] == {"endpointConfigurationTypes": "REGIONAL"}
    assert "tags" not in imported and "endpointConfiguration" not in imported
    body = json.loads(imported["body"])
    assert body["swagger"] == "2.0" and "openapi" not in body and "servers" not in body
    uri = body["paths"]["/"]["get"]["x-amazon-apigateway-integration"]["uri"]
    assert uri == (
        "arn:aws:apigateway:us-west-2:lambda:path/2015-03-31/functions/"
        f"arn:aws:lambda:us-west-2:{ACCOUNT}:function:demo-dev/invocations"
    )
    authorizer = body["securityDefinitions"]["auth"]["x-amazon-apigateway-authorizer"]
    assert "function:demo-dev-auth/invocations" in authorizer["authorizerUri"]

    ops = world.log.ops()
    assert ops.index("ImportRestApi") < ops.index("record") < ops.index("TagResource")
    (tagged,) = world.log.params("TagResource")
    assert tagged["resourceArn"] == "arn:aws:apigateway:us-west-2::/restapis/api1"
    assert tagged["tags"] == TAGS
    (deployed,) = world.log.params("CreateDeployment")
    assert deployed == {"restApiId": "api1", "stageName": "api", "tracingEnabled": False}
    # A new API id: no statement can name it, so no GetPolicy, one add each.
    assert "GetPolicy" not in ops and "GetRestApi" not in ops and "UpdateRestApi" not in ops
    sources = sorted(p["SourceArn"] for p in world.log.params("AddPermission"))
    assert sources == [
        f"arn:aws:execute-api:us-west-2:{ACCOUNT}:api1/*",
        f"arn:aws:execute-api:us-west-2:{ACCOUNT}:api1/authorizers/*",
    ]
    assert values == {
        "rest_api_id": "api1",
        "rest_api_url": "https://api1.execute-api.us-west-2.amazonaws.com/api/",
        "definition_sha256": digest(body),
        "deployment_id": "dep2",
    }


def test_create_patches_compression_before_deploying() -> None:
    world = World()
    step = RestAPIPlanner().plan(_model(minimum_compression="1024"), None, world.ctx())
    world.apply(step)
    ops = world.log.ops()
    assert ops.index("UpdateRestApi") < ops.index("CreateDeployment")
    (patched,) = world.log.params("UpdateRestApi")
    assert patched["patchOperations"] == [
        {"op": "replace", "path": "/minimumCompressionSize", "value": "1024"}
    ]


def test_refused_tags_do_not_fail_the_create() -> None:
    world = World()
    world.apigw.refuse_tags = True
    step = RestAPIPlanner().plan(_model(), None, world.ctx())
    values = world.apply(step)
    assert values["rest_api_id"] == "api1" and values["deployment_id"]
    assert len(world.warnings) == 1 and "apigateway" in world.warnings[0]


def test_unchanged_api_costs_one_round_of_reads() -> None:
    world = World()
    model = _model()
    recorded = _deployed(world, model)
    step = RestAPIPlanner().plan(model, recorded, world.ctx(recorded))
    assert step.action is Action.UNCHANGED and step.apply is None
    assert sorted(world.log.ops()) == ["GetPolicy", "GetPolicy", "GetRestApi", "GetStage"]
    assert step.recorded is not None
    assert step.recorded["deployment_id"] == "dep9"
    assert step.recorded["definition_sha256"] == recorded["definition_sha256"]


def test_a_stage_serving_another_deployment_is_drift() -> None:
    world = World()
    model = _model()
    recorded = _deployed(world, model)
    world.apigw.stages[("api9", "api")]["deploymentId"] = "console"
    step = RestAPIPlanner().plan(model, recorded, world.ctx(recorded))
    assert step.action is Action.UPDATE and step.note == DRIFT_NOTE
    assert [(c.field, c.old) for c in step.changes] == [("deployment_id", "console")]
    world.log.entries.clear()
    values = world.apply(step)
    assert [op for op in world.log.ops() if op != "record"] == ["PutRestApi", "CreateDeployment"]
    (put,) = world.log.params("PutRestApi")
    assert put["mode"] == "overwrite" and json.loads(put["body"])["swagger"] == "2.0"
    assert values["deployment_id"] == "dep1"


def test_endpoint_type_is_taken_from_the_put_answer() -> None:
    world = World()
    model = _model()
    recorded = _deployed(world, model)
    recorded["definition_sha256"] = "old"
    world.apigw.put_answer_types = ["EDGE"]  # changed meanwhile: the answer says so
    step = RestAPIPlanner().plan(model, recorded, world.ctx(recorded))
    world.log.entries.clear()
    world.apply(step)
    ops = [op for op in world.log.ops() if op != "record"]
    assert ops == ["PutRestApi", "UpdateRestApi", "CreateDeployment"]
    (patched,) = world.log.params("UpdateRestApi")
    assert patched["patchOperations"] == [
        {"op": "replace", "path": "/endpointConfiguration/types/EDGE", "value": "REGIONAL"}
    ]


def test_a_missing_permission_is_added_alone_without_reading_again() -> None:
    world = World()
    model = _model()
    recorded = _deployed(world, model)
    world.lam.statements["demo-dev-auth"] = []
    step = RestAPIPlanner().plan(model, recorded, world.ctx(recorded))
    assert [c.field for c in step.changes] == ["permission[auth]"]
    world.log.entries.clear()
    world.apply(step)
    assert [op for op in world.log.ops() if op != "record"] == ["AddPermission"]
    (added,) = world.log.params("AddPermission")
    assert added["FunctionName"].endswith(":function:demo-dev-auth")


def test_legacy_variable_and_tracing_go_in_one_stage_patch() -> None:
    world = World()
    model = _model(xray=True)
    recorded = _deployed(world, model, tracingEnabled=False)
    world.apigw.stages[("api9", "api")]["variables"] = {
        LEGACY_DIGEST_VARIABLE: recorded["definition_sha256"]
    }
    del recorded["definition_sha256"], recorded["deployment_id"]  # an older release's entry
    step = RestAPIPlanner().plan(model, recorded, world.ctx(recorded))
    fields = {c.field for c in step.changes}
    assert fields == {"tracing", f"stage_variables.{LEGACY_DIGEST_VARIABLE}"}
    world.log.entries.clear()
    values = world.apply(step)
    assert [op for op in world.log.ops() if op != "record"] == ["UpdateStage"]
    (patched,) = world.log.params("UpdateStage")
    assert patched["patchOperations"] == [
        {"op": "replace", "path": "/tracingEnabled", "value": "true"},
        {"op": "remove", "path": f"/variables/{LEGACY_DIGEST_VARIABLE}"},
    ]
    assert values["deployment_id"] == "dep9"  # recorded from now on


@pytest.mark.parametrize("finished", [False, True])
def test_identity_tags_are_added_until_a_deploy_of_ours_finishes(finished: bool) -> None:
    world = World()
    model = _model()
    recorded = _deployed(world, model)
    world.apigw.apis["api9"]["tags"] = {}
    if not finished:  # the create stopped between the import's record and the tagging
        del recorded["definition_sha256"], recorded["deployment_id"]
    step = RestAPIPlanner().plan(model, recorded, world.ctx(recorded))
    if finished:  # e.g. an account refusing tags: an unchanged redeploy stays free
        assert step.action is Action.UNCHANGED
        return
    assert "tags" in {c.field for c in step.changes}
    world.log.entries.clear()
    world.apply(step)
    (tagged,) = world.log.params("TagResource")
    assert tagged["tags"] == TAGS


@pytest.mark.parametrize(
    ("recorded", "stage", "put"),
    [
        # Upstream's state: no digest anywhere -> put once to know what is live.
        ({"rest_api_id": "a"}, {"deploymentId": "d"}, True),
        # Our entry, stage still serving our deployment, same digest -> nothing.
        ({"definition_sha256": "x", "deployment_id": "d"}, {"deploymentId": "d"}, False),
        # The stage was deleted -> put and deploy again.
        ({"definition_sha256": "x", "deployment_id": "d"}, None, True),
    ],
)
def test_compare_decides_when_to_put(
    recorded: dict[str, Any], stage: dict[str, Any] | None, put: bool
) -> None:
    model = _model(endpoint_type="EDGE")
    live = Live(
        api={"id": "a", "endpointConfiguration": {"types": ["EDGE"]}},
        stage=stage,
        permissions={"api_handler": True},
    )
    update = compare(model, recorded, live, "x", {})
    assert update.put is put and update.redeploy is put
    assert bool(update.changes) is put
