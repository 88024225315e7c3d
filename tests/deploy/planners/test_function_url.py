"""Decisions of the function URL planner (chalice/deploy/resources/function_url.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chalice.aws.errors import AWSError
from chalice.deploy import models
from chalice.deploy.plan import Action
from chalice.deploy.resources import planner_for_model
from chalice.deploy.resources.function_url import FunctionUrlPlanner, public_statement_id
from tests.deploy.planners.kit import World, changed_fields, fn_arn

FN = "demo-dev-pure"
SID = public_statement_id(FN)
CORS = models.CorsSettings(allow_origins=("*",), allow_methods=("GET",))


@pytest.fixture
def w(tmp_path: Path) -> World:
    return World(tmp_path)


def url(
    w: World, auth_type: str = "NONE", cors: models.CorsSettings | None = None
) -> tuple[Any, ...]:
    fn = w.function("pure")
    return fn, models.FunctionUrl(
        resource_name="pure-function-url", auth_type=auth_type, lambda_function=fn, cors=cors
    )


def config(w: World) -> dict[str, Any]:
    return w.aws.lambda_.urls[FN]


def sids(w: World) -> list[str]:
    return [s["Sid"] for s in w.aws.lambda_.policies.get(FN, [])]


def redeploy(w: World, *resources: Any) -> Any:
    """Deploy a change with a clean call log; the URL's step."""
    w.aws.log.clear()
    return w.deploy(*resources)[-1]


def test_create_public_url_with_its_permission(w: World) -> None:
    fn, model = url(w)
    assert isinstance(planner_for_model(model), FunctionUrlPlanner)
    steps = w.round(fn, model)
    # The function is new in this plan: nothing to read about its URL.
    assert [s.action for s in steps] == [Action.CREATE, Action.CREATE]
    assert "lambda:GetFunctionUrlConfig" not in w.aws.log.ops()
    w.run(*steps)
    assert w.state.get("pure-function-url") == {
        "name": "pure-function-url",
        "resource_type": "function_url",
        "function_url": config(w)["FunctionUrl"],
        "function_name": FN,
    }
    assert config(w)["FunctionUrl"].endswith(".lambda-url.us-west-2.on.aws/")
    assert config(w)["FunctionArn"] == fn_arn(FN)
    [stmt] = w.aws.lambda_.policies[FN]
    assert (stmt["Sid"], stmt["Principal"], stmt["Action"]) == (
        SID,
        "*",
        "lambda:InvokeFunctionUrl",
    )
    assert stmt["Condition"] == {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}


def test_iam_url_has_no_permission(w: World) -> None:
    w.deploy(*url(w, "AWS_IAM"))
    assert config(w)["AuthType"] == "AWS_IAM" and sids(w) == []
    w.quiet(*url(w, "AWS_IAM"))


def test_unchanged_when_equal(w: World) -> None:
    w.deploy(*url(w, cors=CORS))
    w.quiet(*url(w, cors=CORS))


def test_auth_type_to_iam_drops_the_public_permission(w: World) -> None:
    w.deploy(*url(w))
    step = redeploy(w, *url(w, "AWS_IAM"))
    assert changed_fields(step) == {"auth_type", "public_permission"}
    assert w.aws.log.ops(mutating=True) == [
        "lambda:UpdateFunctionUrlConfig",
        "lambda:RemovePermission",
    ]
    assert config(w)["AuthType"] == "AWS_IAM" and sids(w) == []
    w.quiet(*url(w, "AWS_IAM"))


def test_auth_type_to_public_adds_the_permission(w: World) -> None:
    w.deploy(*url(w, "AWS_IAM"))
    step = redeploy(w, *url(w))
    assert changed_fields(step) == {"auth_type", "public_permission"}
    assert w.aws.log.ops(mutating=True) == [
        "lambda:UpdateFunctionUrlConfig",
        "lambda:AddPermission",
    ]
    assert sids(w) == [SID]
    w.quiet(*url(w))


def test_cors_change_and_removal_update_the_config_only(w: World) -> None:
    w.deploy(*url(w))
    step = redeploy(w, *url(w, cors=CORS))
    assert changed_fields(step) == {"cors"}
    assert w.aws.log.ops(mutating=True) == ["lambda:UpdateFunctionUrlConfig"]
    assert config(w)["Cors"] == {"AllowOrigins": ["*"], "AllowMethods": ["GET"]}
    w.quiet(*url(w, cors=CORS))

    step = redeploy(w, *url(w))
    assert changed_fields(step) == {"cors"}
    assert w.aws.log.of("UpdateFunctionUrlConfig")[0]["Cors"] == {}
    assert "Cors" not in config(w)
    w.quiet(*url(w))


def test_permission_removed_by_hand_is_added_back(w: World) -> None:
    w.deploy(*url(w))
    w.aws.lambda_.policies[FN].clear()
    step = redeploy(w, *url(w))
    assert changed_fields(step) == {"public_permission"}
    assert w.aws.log.ops(mutating=True) == ["lambda:AddPermission"]


def test_url_created_before_a_crash_is_adopted_by_function_name(w: World) -> None:
    w.deploy(*url(w))
    address = config(w)["FunctionUrl"]
    w.forget("pure-function-url")
    w.quiet(*url(w))
    assert w.state.get("pure-function-url")["function_url"] == address  # type: ignore[index]


def test_a_create_cut_short_before_the_permission_is_finished_next_time(w: World) -> None:
    w.aws.log.refuse("lambda", "AddPermission", "TooManyRequestsException")
    with pytest.raises(AWSError):
        w.deploy(*url(w))
    assert w.state.get("pure-function-url") is not None and sids(w) == []
    step = redeploy(w, *url(w))
    assert step.action is Action.UPDATE and changed_fields(step) == {"public_permission"}
    assert w.aws.log.ops(mutating=True) == ["lambda:AddPermission"]
    w.quiet(*url(w))


def test_delete_removes_the_config_and_the_permission(w: World) -> None:
    w.deploy(*url(w))
    w.aws.log.clear()
    w.delete("pure-function-url")
    assert w.aws.log.ops(mutating=True) == [
        "lambda:DeleteFunctionUrlConfig",
        "lambda:RemovePermission",
    ]
    assert FN not in w.aws.lambda_.urls and sids(w) == []
    assert w.state.get("pure-function-url") is None


def test_delete_when_already_gone(w: World) -> None:
    w.deploy(*url(w))
    w.aws.function_urls.delete(FN)  # by hand
    w.aws.lambda_.policies[FN].clear()
    w.aws.log.clear()
    w.delete("pure-function-url")
    assert w.aws.log.ops(mutating=True) == ["lambda:DeleteFunctionUrlConfig"]
    assert w.state.get("pure-function-url") is None


def test_delete_after_the_function_is_gone(w: World) -> None:
    w.deploy(*url(w))
    w.aws.lambda_.delete_function(FN)
    w.delete("pure-function-url")
    assert w.state.get("pure-function-url") is None
