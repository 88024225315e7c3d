"""The REST API end to end against moto: Swagger 2.0 import, digest, drift, upgrade.

Deploy sends the Swagger 2.0 document through ImportRestApi (create) and
PutRestApi (update) like upstream Chalice; moto imports it through the
fidelity layer. The digest of what was deployed lives in the state file,
never in a stage variable, and the stage's deploymentId tells a deploy (and
``plan``) when someone changed and redeployed the API behind chalice's back.
"""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

import attrs

from chalice import Chalice
from chalice.build.swagger import SwaggerStyle, generate_swagger
from chalice.deploy import models
from chalice.deploy.deployer import delete_stage, deploy_application
from chalice.deploy.plan import Action, Plan
from chalice.deploy.resources.apigateway import LEGACY_DIGEST_VARIABLE
from chalice.deploy.state import load_state, save_state
from tests.deploy.e2e import models_kit as kit
from tests.reporting import RecordingReporter


def _swagger(app_name: str, *, extra_route: bool = False) -> dict[str, Any]:
    """A real generated document: CORS preflight, a built-in authorizer, binary types."""
    app = Chalice(app_name=app_name)
    app.api.binary_types.append("image/png")

    @app.authorizer()
    def auth(auth_request: Any) -> Any:
        return None

    @app.route("/", cors=True)
    def index() -> dict[str, str]:
        return {}

    @app.route("/secret/{name}", methods=["GET", "PUT"], authorizer=auth)
    def secret(name: str) -> dict[str, str]:
        return {}

    if extra_route:

        @app.route("/more")
        def more() -> dict[str, str]:
            return {}

    return generate_swagger(app, style=SwaggerStyle.DEPLOY)


def _app(tmp: Path, name: str, *, extra_route: bool = False, **rest: Any) -> models.Application:
    pkg = kit.make_zip(tmp / f"{name}.zip")
    role = kit.role(name, "dev")
    handler = kit.function(name, "dev", "api_handler", pkg, role)
    auth = kit.function(name, "dev", "auth", pkg, role)
    api = models.RestAPI(
        resource_name="rest_api",
        swagger_doc=_swagger(name, extra_route=extra_route),
        minimum_compression="",
        api_gateway_stage="api",
        endpoint_type="REGIONAL",
        lambda_function=handler,
        authorizers=(auth,),
    )
    return models.Application("dev", (attrs.evolve(api, **rest),))


def _deploy(application: models.Application, project: Path, aws: Any, name: str) -> Any:
    return deploy_application(
        application, project_dir=project, app_name=name, clients=aws, ui=RecordingReporter()
    )


def _plan(application: models.Application, project: Path, aws: Any, name: str) -> Plan:
    return deploy_application(
        application,
        project_dir=project,
        app_name=name,
        clients=aws,
        ui=RecordingReporter(),
        plan_only=True,
    ).plan


def _apigw_mutations(calls: Any) -> list[str]:
    return [op for svc, op in calls.calls if svc == "apigateway" and calls.is_mutating(op)]


def _entry(project: Path) -> dict[str, Any]:
    entry = load_state(project, "dev").get("rest_api")
    assert entry is not None
    return entry


def test_first_deploy_imports_swagger2_then_a_noop_costs_no_write(
    shared_env: str, project: Path, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    name = "rest" + uuid.uuid4().hex[:8]
    _deploy(_app(tmp_path, name), project, aws, name)
    # Create: import (endpoint type as a parameter), tag, deploy. No
    # CreateRestApi/PutRestApi pair, no GetRestApi after the import.
    assert sorted(_apigw_mutations(calls)) == ["CreateDeployment", "ImportRestApi", "TagResource"]
    assert ("apigateway", "GetRestApi") not in calls.calls
    assert sorted(op for _, op in calls.calls if op == "AddPermission") == ["AddPermission"] * 2
    assert ("lambda", "GetPolicy") not in calls.calls  # a new API id: nothing to check
    entry = _entry(project)
    api_id = entry["rest_api_id"]
    api = boto.apigateway.get_rest_api(restApiId=api_id)
    assert api["endpointConfiguration"]["types"] == ["REGIONAL"]
    assert api["binaryMediaTypes"] == _swagger(name)["x-amazon-apigateway-binary-media-types"]
    assert api["tags"]["chalice:resource"] == "rest_api"
    stage = boto.apigateway.get_stage(restApiId=api_id, stageName="api")
    # The digest is out of the app's sight: no stage variable at all.
    assert not stage.get("variables")
    assert entry["deployment_id"] == stage["deploymentId"]
    assert len(entry["definition_sha256"]) == 64
    paths = {r["path"]: r for r in boto.apigateway.get_resources(restApiId=api_id)["items"]}
    assert set(paths["/"]["resourceMethods"]) == {"GET", "OPTIONS"}
    preflight = boto.apigateway.get_integration(
        restApiId=api_id, resourceId=paths["/"]["id"], httpMethod="OPTIONS"
    )
    assert preflight["type"].upper() == "MOCK"
    policies = [
        json.loads(boto.awslambda.get_policy(FunctionName=f"{name}-dev{suffix}")["Policy"])
        for suffix in ("", "-auth")
    ]
    sources = [p["Statement"][0]["Condition"]["ArnLike"]["AWS:SourceArn"] for p in policies]
    assert sources[0].endswith(f":{api_id}/*")
    assert sources[1].endswith(f":{api_id}/authorizers/*")

    calls.reset()
    _deploy(_app(tmp_path, name), project, aws, name)
    assert calls.mutating == []
    rest_reads = sorted(op for svc, op in calls.calls if svc == "apigateway")
    assert rest_reads == ["GetRestApi", "GetStage"]

    calls.reset()
    delete_stage(
        project_dir=project, stage="dev", app_name=name, clients=aws, ui=RecordingReporter()
    )
    assert "DeleteRestApi" in calls.mutating
    assert kit.leftovers(boto, name) == {}


def test_a_changed_definition_is_put_and_redeployed_once(
    shared_env: str, project: Path, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    name = "rest" + uuid.uuid4().hex[:8]
    _deploy(_app(tmp_path, name), project, aws, name)
    before = _entry(project)
    calls.reset()
    _deploy(_app(tmp_path, name, extra_route=True), project, aws, name)
    assert _apigw_mutations(calls) == ["PutRestApi", "CreateDeployment"]
    assert "AddPermission" not in calls.mutating
    after = _entry(project)
    assert after["rest_api_id"] == before["rest_api_id"]
    assert after["deployment_id"] != before["deployment_id"]
    assert after["definition_sha256"] != before["definition_sha256"]
    paths = {
        r["path"] for r in boto.apigateway.get_resources(restApiId=after["rest_api_id"])["items"]
    }
    assert "/more" in paths
    calls.reset()
    _deploy(_app(tmp_path, name, extra_route=True), project, aws, name)
    assert calls.mutating == []


def test_an_api_changed_and_redeployed_outside_chalice_is_planned_and_repaired(
    shared_env: str, project: Path, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    name = "rest" + uuid.uuid4().hex[:8]
    application = _app(tmp_path, name)
    _deploy(application, project, aws, name)
    api_id = _entry(project)["rest_api_id"]
    # Someone edits the API by hand (drops a route) and deploys the stage.
    edited = copy.deepcopy(_swagger(name))
    del edited["paths"]["/secret/{name}"]
    boto.apigateway.put_rest_api(
        restApiId=api_id, mode="overwrite", body=json.dumps(edited).encode()
    )
    live = boto.apigateway.create_deployment(restApiId=api_id, stageName="api")["id"]

    calls.reset()
    plan = _plan(application, project, aws, name)
    assert calls.mutating == []
    step = next(s for s in plan.steps if s.name == "rest_api")
    assert step.action is Action.UPDATE
    assert "changed outside chalice" in step.note
    assert [(c.field, c.old) for c in step.changes] == [("deployment_id", live)]
    assert "changed outside chalice" in plan.render()

    calls.reset()
    _deploy(application, project, aws, name)
    assert _apigw_mutations(calls) == ["PutRestApi", "CreateDeployment"]
    paths = {r["path"] for r in boto.apigateway.get_resources(restApiId=api_id)["items"]}
    assert "/secret/{name}" in paths
    stage = boto.apigateway.get_stage(restApiId=api_id, stageName="api")
    assert stage["deploymentId"] == _entry(project)["deployment_id"] != live
    calls.reset()
    _deploy(application, project, aws, name)
    assert calls.mutating == []


def _as_an_older_release_left_it(project: Path, boto: Any, digest: str) -> str:
    """The stage carries the legacy variable; the state file has no digest/deployment id."""
    entry = _entry(project)
    api_id = str(entry["rest_api_id"])
    boto.apigateway.update_stage(
        restApiId=api_id,
        stageName="api",
        patchOperations=[
            {"op": "replace", "path": f"/variables/{LEGACY_DIGEST_VARIABLE}", "value": digest}
        ],
    )
    old = {k: v for k, v in entry.items() if k not in ("definition_sha256", "deployment_id")}
    state = load_state(project, "dev").without("rest_api")
    save_state(project, "dev", state.with_resource("rest_api", "rest_api", old))
    return api_id


def test_upgrade_removes_the_legacy_stage_variable(
    shared_env: str, project: Path, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    name = "rest" + uuid.uuid4().hex[:8]
    application = _app(tmp_path, name)
    _deploy(application, project, aws, name)
    # The old release digested its OpenAPI 3 conversion: never our digest.
    api_id = _as_an_older_release_left_it(project, boto, "0" * 64)

    plan = _plan(application, project, aws, name)
    step = next(s for s in plan.steps if s.name == "rest_api")
    fields = {c.field: (c.old, c.new) for c in step.changes}
    assert fields[f"stage_variables.{LEGACY_DIGEST_VARIABLE}"] == ("0" * 64, None)
    assert fields["definition_sha256"][0] == "0" * 64

    calls.reset()
    _deploy(application, project, aws, name)
    # Re-put once in the dialect we now send, then one patch drops the variable.
    assert _apigw_mutations(calls) == ["PutRestApi", "CreateDeployment", "UpdateStage"]
    stage = boto.apigateway.get_stage(restApiId=api_id, stageName="api")
    assert LEGACY_DIGEST_VARIABLE not in (stage.get("variables") or {})
    assert _entry(project)["deployment_id"] == stage["deploymentId"]
    calls.reset()
    _deploy(application, project, aws, name)
    assert calls.mutating == []


def test_upgrade_with_a_matching_legacy_digest_is_one_patch(
    shared_env: str, project: Path, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    name = "rest" + uuid.uuid4().hex[:8]
    application = _app(tmp_path, name)
    _deploy(application, project, aws, name)
    current = _entry(project)["definition_sha256"]
    api_id = _as_an_older_release_left_it(project, boto, current)
    calls.reset()
    _deploy(application, project, aws, name)
    assert calls.mutating == ["UpdateStage"]
    stage = boto.apigateway.get_stage(restApiId=api_id, stageName="api")
    assert LEGACY_DIGEST_VARIABLE not in (stage.get("variables") or {})
    assert _entry(project)["definition_sha256"] == current


def test_private_endpoint_with_policy_and_vpce_ids(
    shared_env: str, project: Path, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    name = "rest" + uuid.uuid4().hex[:8]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "execute-api:Invoke",
                "Resource": "arn:*:execute-api:*:*:*",
                "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-123"}},
            }
        ],
    }
    doc = _swagger(name)
    doc["x-amazon-apigateway-policy"] = policy
    doc["x-amazon-apigateway-endpoint-configuration"] = {"vpcEndpointIds": ["vpce-123"]}
    application = _app(
        tmp_path, name, endpoint_type="PRIVATE", swagger_doc=doc, vpce_ids=("vpce-123",)
    )
    _deploy(application, project, aws, name)
    api = boto.apigateway.get_rest_api(restApiId=_entry(project)["rest_api_id"])
    assert api["endpointConfiguration"]["types"] == ["PRIVATE"]
    assert api["endpointConfiguration"]["vpcEndpointIds"] == ["vpce-123"]
    assert json.loads(api["policy"]) == policy
    calls.reset()
    _deploy(application, project, aws, name)
    assert calls.mutating == []
