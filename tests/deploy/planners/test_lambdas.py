"""Decisions of the function and layer planners (chalice/deploy/resources/lambdas.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chalice.deploy import models
from chalice.deploy.plan import Action
from tests.deploy.planners.kit import World, changed_fields, fn_arn


@pytest.fixture
def w(tmp_path: Path) -> World:
    return World(tmp_path)


def layer(w: World, code: str = "layer-v1") -> models.LambdaLayer:
    return models.LambdaLayer(
        "managed-layer", "demo-dev-managed-layer", "python3.11", w.package(code)
    )


def test_create_when_absent_with_identity_and_user_tags(w: World) -> None:
    fn = w.function(environment_variables={"A": "1"}, reserved_concurrency=3)
    [step] = w.deploy(fn)
    assert step.action is Action.CREATE
    assert w.state.get("api_handler") == {
        "name": "api_handler",
        "resource_type": "lambda_function",
        "lambda_arn": fn_arn("demo-dev"),
    }
    [create] = w.aws.log.of("CreateFunction")
    assert create["Tags"] == {
        "chalice:app": "demo",
        "chalice:stage": "dev",
        "chalice:resource": "api_handler",
        **fn.tags,
    }
    assert "VpcConfig" not in create  # only sent for a VPC function
    assert create["Environment"] == {"Variables": {"A": "1"}}
    assert w.aws.lambda_.concurrency["demo-dev"] == 3
    assert w.said == ["Creating lambda function: demo-dev"]


def test_unchanged_when_equal(w: World) -> None:
    fn = w.function()
    w.deploy(fn)
    [step] = w.quiet(fn)
    assert step.recorded == {"lambda_arn": fn_arn("demo-dev")}


def test_new_code_updates_only_the_code(w: World) -> None:
    w.deploy(w.function())
    w.aws.log.clear()
    [step] = w.deploy(w.function(package=w.package("v2")))
    assert step.action is Action.UPDATE and changed_fields(step) == {"code_sha256"}
    assert w.aws.log.ops(mutating=True) == ["lambda:UpdateFunctionCode"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"memory_size": 256}, "memory_size"),
        ({"timeout": 10}, "timeout"),
        ({"environment_variables": {"B": "2"}}, "environment"),
        ({"xray": True}, "tracing"),
        ({"subnet_ids": ("sn-1",), "security_group_ids": ("sg-1",)}, "subnet_ids"),
        ({"layers": ("arn:aws:lambda:us-west-2:123456789012:layer:x:1",)}, "layers"),
    ],
)
def test_configuration_change_updates_only_the_configuration(
    w: World, change: dict[str, object], field: str
) -> None:
    w.deploy(w.function())
    w.aws.log.clear()
    [step] = w.deploy(w.function(**change))
    assert step.action is Action.UPDATE and field in changed_fields(step)
    assert w.aws.log.ops(mutating=True) == ["lambda:UpdateFunctionConfiguration"]
    w.quiet(w.function(**change))


def test_architecture_change_resends_the_code(w: World) -> None:
    w.deploy(w.function())
    w.aws.log.clear()
    [step] = w.deploy(w.function(architecture="arm64"))
    assert changed_fields(step) == {"architecture"}
    assert w.aws.log.ops(mutating=True) == ["lambda:UpdateFunctionCode"]
    assert w.aws.log.of("UpdateFunctionCode")[0]["Architectures"] == ["arm64"]


def test_user_tags_are_synced_and_identity_tags_kept(w: World) -> None:
    w.deploy(w.function())
    w.aws.log.clear()
    [step] = w.deploy(w.function(tags={"team": "x"}))
    assert changed_fields(step) == {"tags"}
    assert w.aws.log.ops(mutating=True) == ["lambda:UntagResource", "lambda:TagResource"]
    assert w.aws.log.of("UntagResource")[0]["TagKeys"] == ["aws-chalice"]
    assert w.aws.lambda_.tags["demo-dev"]["chalice:app"] == "demo"


def test_reserved_concurrency_is_put_and_removed(w: World) -> None:
    w.deploy(w.function())
    w.aws.log.clear()
    w.deploy(w.function(reserved_concurrency=5))
    assert w.aws.log.ops(mutating=True) == ["lambda:PutFunctionConcurrency"]
    w.aws.log.clear()
    [step] = w.deploy(w.function())
    assert changed_fields(step) == {"reserved_concurrency"}
    assert w.aws.log.ops(mutating=True) == ["lambda:DeleteFunctionConcurrency"]


def test_adopts_a_function_created_before_a_crash(w: World) -> None:
    fn = w.function()
    w.deploy(fn)
    w.forget("api_handler")
    [step] = w.quiet(fn)
    assert w.state.get("api_handler") is not None and step.recorded


def test_create_refused_tags_retries_untagged_and_warns(w: World) -> None:
    w.aws.log.refuse(
        "lambda",
        "CreateFunction",
        "AccessDeniedException",
        "User: x is not authorized to perform: lambda:TagResource on resource: "
        "arn:aws:lambda:us-west-2:123456789012:function:demo-dev",
    )
    w.deploy(w.function())
    first, second = w.aws.log.of("CreateFunction")
    assert "chalice:app" in first["Tags"] and "chalice:app" not in second["Tags"]
    assert w.warnings


def test_delete(w: World) -> None:
    w.deploy(w.function())
    w.aws.log.clear()
    step = w.delete("api_handler")
    assert step.action is Action.DELETE
    assert w.aws.log.ops(mutating=True) == ["lambda:DeleteFunction"]
    assert w.aws.lambda_.functions == {} and w.state.get("api_handler") is None
    w.record("api_handler", "lambda_function", {"lambda_arn": fn_arn("demo-dev")})
    w.delete("api_handler")  # already gone: no error


# -- the managed layer -------------------------------------------------------------------
def test_layer_created_then_unchanged(w: World) -> None:
    lay = layer(w)
    [step] = w.deploy(lay)
    assert step.action is Action.CREATE
    arn = "arn:aws:lambda:us-west-2:123456789012:layer:demo-dev-managed-layer:1"
    assert w.state.get("managed-layer") == {
        "name": "managed-layer",
        "resource_type": "lambda_layer",
        "layer_version_arn": arn,
    }
    w.quiet(lay)


def test_function_uses_the_layer_planned_before_it(w: World) -> None:
    lay = layer(w)
    fn = w.function(managed_layer=lay)
    w.deploy(lay, fn)
    assert w.aws.lambda_.functions["demo-dev"]["Layers"][0]["Arn"].endswith(":1")
    w.quiet(lay, fn)


def test_new_layer_content_publishes_a_version_and_deletes_the_old(w: World) -> None:
    w.deploy(layer(w))
    w.aws.log.clear()
    [step] = w.deploy(layer(w, "layer-v2"))
    assert step.action is Action.UPDATE and changed_fields(step) == {"code_sha256"}
    assert w.aws.log.ops(mutating=True) == [
        "lambda:PublishLayerVersion",
        "lambda:DeleteLayerVersion",
    ]
    assert list(w.aws.lambda_.layers["demo-dev-managed-layer"]) == [2]


def test_layer_published_before_a_crash_is_adopted(w: World) -> None:
    lay = layer(w)
    w.deploy(lay)
    w.forget("managed-layer")
    [step] = w.quiet(lay)
    version = w.aws.lambda_.layers["demo-dev-managed-layer"][1]
    assert step.recorded == {"layer_version_arn": version["LayerVersionArn"]}


def test_layer_delete(w: World) -> None:
    w.deploy(layer(w))
    w.aws.log.clear()
    w.delete("managed-layer")
    assert w.aws.log.ops(mutating=True) == ["lambda:DeleteLayerVersion"]
    assert w.aws.lambda_.layers["demo-dev-managed-layer"] == {}
