"""Decisions of the REST API planner (chalice/deploy/resources/apigateway.py).

tests/deploy/test_rest_api_planner.py checks the documents and call order in
detail; this file walks each decision once against the shared fake.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest

from chalice.deploy import models
from chalice.deploy.plan import Action
from chalice.deploy.resources.apigateway import DRIFT_NOTE, LEGACY_DIGEST_VARIABLE
from tests.deploy.e2e import models_kit
from tests.deploy.planners.kit import World, changed_fields


@pytest.fixture
def w(tmp_path: Path) -> World:
    return World(tmp_path)


def api(w: World, **kw: Any) -> tuple[Any, ...]:
    fn = w.function()
    rest = models.RestAPI(
        resource_name="rest_api",
        swagger_doc=models_kit.swagger("demo"),
        minimum_compression="",
        api_gateway_stage="api",
        endpoint_type="EDGE",
        lambda_function=fn,
    )
    return fn, attrs.evolve(rest, **kw)


def api_id(w: World) -> str:
    return str(w.state.get("rest_api")["rest_api_id"])  # type: ignore[index]


def test_create_imports_deploys_tags_and_allows_invoke(w: World) -> None:
    steps = w.deploy(*api(w))
    assert steps[1].action is Action.CREATE
    the_id = api_id(w)
    entry = w.state.get("rest_api")
    assert entry is not None
    assert entry["rest_api_url"] == f"https://{the_id}.execute-api.us-west-2.amazonaws.com/api/"
    assert entry["deployment_id"] == w.aws.apigateway.stages[(the_id, "api")]["deploymentId"]
    assert w.aws.apigateway.apis[the_id]["tags"]["chalice:resource"] == "rest_api"
    [perm] = w.aws.lambda_.policies["demo-dev"]
    assert perm["Condition"]["ArnLike"]["AWS:SourceArn"].endswith(f":{the_id}/*")
    uri = w.aws.apigateway.definitions[the_id]["paths"]["/"]["get"][
        "x-amazon-apigateway-integration"
    ]["uri"]
    assert "function:demo-dev/invocations" in uri


def test_unchanged_when_equal(w: World) -> None:
    w.deploy(*api(w))
    w.quiet(*api(w))


def test_definition_change_puts_and_redeploys(w: World) -> None:
    w.deploy(*api(w))
    doc = models_kit.swagger("demo")
    doc["paths"]["/other"] = doc["paths"]["/"]
    w.aws.log.clear()
    steps = w.deploy(*api(w, swagger_doc=doc))
    assert changed_fields(steps[1]) == {"definition_sha256"}
    assert w.aws.log.ops(mutating=True) == ["apigateway:PutRestApi", "apigateway:CreateDeployment"]
    w.quiet(*api(w, swagger_doc=doc))


def test_endpoint_type_change_patches_and_redeploys(w: World) -> None:
    w.deploy(*api(w))
    w.aws.log.clear()
    steps = w.deploy(*api(w, endpoint_type="REGIONAL"))
    assert changed_fields(steps[1]) == {"endpoint_type"}
    assert w.aws.log.ops(mutating=True) == [
        "apigateway:UpdateRestApi",
        "apigateway:CreateDeployment",
    ]
    assert w.aws.apigateway.apis[api_id(w)]["endpointConfiguration"]["types"] == ["REGIONAL"]


def test_compression_change_patches_and_redeploys(w: World) -> None:
    w.deploy(*api(w))
    w.aws.log.clear()
    steps = w.deploy(*api(w, minimum_compression="100"))
    assert changed_fields(steps[1]) == {"minimum_compression"}
    assert w.aws.apigateway.apis[api_id(w)]["minimumCompressionSize"] == 100
    w.quiet(*api(w, minimum_compression="100"))


def test_tracing_change_patches_the_stage_only(w: World) -> None:
    w.deploy(*api(w))
    w.aws.log.clear()
    steps = w.deploy(*api(w, xray=True))
    assert changed_fields(steps[1]) == {"tracing"}
    assert w.aws.log.ops(mutating=True) == ["apigateway:UpdateStage"]
    w.quiet(*api(w, xray=True))


def test_redeploy_outside_chalice_is_drift(w: World) -> None:
    w.deploy(*api(w))
    w.aws.apigateway.stages[(api_id(w), "api")]["deploymentId"] = "console"
    steps = w.deploy(*api(w))
    assert steps[1].note == DRIFT_NOTE and "deployment_id" in changed_fields(steps[1])
    w.quiet(*api(w))


def test_legacy_digest_variable_is_removed(w: World) -> None:
    w.deploy(*api(w))
    stage = w.aws.apigateway.stages[(api_id(w), "api")]
    stage["variables"][LEGACY_DIGEST_VARIABLE] = "abc"
    w.aws.log.clear()
    steps = w.deploy(*api(w))
    assert f"stage_variables.{LEGACY_DIGEST_VARIABLE}" in changed_fields(steps[1])
    assert stage["variables"] == {}


def test_api_created_before_a_crash_is_adopted_by_tag(w: World) -> None:
    w.deploy(*api(w))
    the_id = api_id(w)
    w.forget("rest_api")
    steps = w.deploy(*api(w))
    # No deployment of ours was recorded, so it is put and deployed once more.
    assert steps[1].action is Action.UPDATE
    assert list(w.aws.apigateway.apis) == [the_id] and api_id(w) == the_id
    w.quiet(*api(w))


def test_missing_permission_is_added(w: World) -> None:
    w.deploy(*api(w))
    w.aws.lambda_.policies["demo-dev"].clear()
    w.aws.log.clear()
    steps = w.deploy(*api(w))
    assert changed_fields(steps[1]) == {"permission[api_handler]"}
    assert w.aws.log.ops(mutating=True) == ["lambda:AddPermission"]


def test_delete(w: World) -> None:
    w.deploy(*api(w))
    w.aws.log.clear()
    w.delete("rest_api")
    assert w.aws.log.ops(mutating=True) == ["apigateway:DeleteRestApi"]
    assert w.aws.apigateway.apis == {} and w.aws.apigateway.stages == {}
