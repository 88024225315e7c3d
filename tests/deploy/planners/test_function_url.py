"""Decisions of the function URL planner (chalice/deploy/resources/function_url.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chalice.aws.errors import AWSError
from chalice.deploy import models
from chalice.deploy.plan import Action
from chalice.deploy.resources import planner_for_model
from chalice.deploy.resources.function_url import (
    FunctionUrlPlanner,
    public_invoke_statement_id,
    public_statement_id,
)
from tests.deploy.planners.kit import World, changed_fields, fn_arn

FN = "demo-dev-pure"
SID = public_statement_id(FN)
INVOKE_SID = public_invoke_statement_id(FN)
BOTH = {"public_permission", "public_invoke_permission"}
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
    return sorted(s["Sid"] for s in w.aws.lambda_.policies.get(FN, []))


def mutations(w: World) -> list[str]:
    """The mutating calls, sorted: calls of one step go out together, in any order."""
    return sorted(w.aws.log.ops(mutating=True))


def drop(w: World, sid: str) -> None:
    """Remove one statement by hand."""
    w.aws.lambda_.policies[FN] = [s for s in w.aws.lambda_.policies[FN] if s["Sid"] != sid]


def redeploy(w: World, *resources: Any) -> Any:
    """Deploy a change with a clean call log; the URL's step."""
    w.aws.log.clear()
    return w.deploy(*resources)[-1]


def test_create_public_url_with_both_permissions(w: World) -> None:
    fn, model = url(w)
    assert isinstance(planner_for_model(model), FunctionUrlPlanner)
    steps = w.round(fn, model)
    # The function is new in this plan: nothing to read about its URL or policy.
    assert [s.action for s in steps] == [Action.CREATE, Action.CREATE]
    assert "lambda:GetFunctionUrlConfig" not in w.aws.log.ops()
    w.aws.log.clear()
    w.run(*steps)
    assert "lambda:GetPolicy" not in w.aws.log.ops()
    assert w.state.get("pure-function-url") == {
        "name": "pure-function-url",
        "resource_type": "function_url",
        "function_url": config(w)["FunctionUrl"],
        "function_name": FN,
    }
    assert config(w)["FunctionUrl"].endswith(".lambda-url.us-west-2.on.aws/")
    assert config(w)["FunctionArn"] == fn_arn(FN)
    by_sid = {s["Sid"]: s for s in w.aws.lambda_.policies[FN]}
    assert sorted(by_sid) == sorted([SID, INVOKE_SID])
    call_url, invoke = by_sid[SID], by_sid[INVOKE_SID]
    assert (call_url["Principal"], call_url["Action"]) == ("*", "lambda:InvokeFunctionUrl")
    assert call_url["Condition"] == {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}
    # Anyone may invoke the function, but only through its URL.
    assert (invoke["Principal"], invoke["Action"]) == ("*", "lambda:InvokeFunction")
    assert invoke["Condition"] == {"Bool": {"lambda:InvokedViaFunctionUrl": "true"}}
    adds = {p["StatementId"]: p for p in w.aws.log.of("AddPermission")}
    assert adds[INVOKE_SID]["InvokedViaFunctionUrl"] is True
    assert "FunctionUrlAuthType" not in adds[INVOKE_SID]  # AWS refuses it on InvokeFunction


def test_iam_url_has_no_permission(w: World) -> None:
    w.deploy(*url(w, "AWS_IAM"))
    assert config(w)["AuthType"] == "AWS_IAM" and sids(w) == []
    w.quiet(*url(w, "AWS_IAM"))


def test_unchanged_when_equal(w: World) -> None:
    w.deploy(*url(w, cors=CORS))
    w.quiet(*url(w, cors=CORS))


def test_auth_type_to_iam_drops_both_public_permissions(w: World) -> None:
    w.deploy(*url(w))
    step = redeploy(w, *url(w, "AWS_IAM"))
    assert changed_fields(step) == {"auth_type", *BOTH}
    assert mutations(w) == [
        "lambda:RemovePermission",
        "lambda:RemovePermission",
        "lambda:UpdateFunctionUrlConfig",
    ]
    assert config(w)["AuthType"] == "AWS_IAM" and sids(w) == []
    w.quiet(*url(w, "AWS_IAM"))


def test_auth_type_to_public_adds_both_permissions(w: World) -> None:
    w.deploy(*url(w, "AWS_IAM"))
    step = redeploy(w, *url(w))
    assert changed_fields(step) == {"auth_type", *BOTH}
    assert mutations(w) == [
        "lambda:AddPermission",
        "lambda:AddPermission",
        "lambda:UpdateFunctionUrlConfig",
    ]
    assert sids(w) == sorted([SID, INVOKE_SID])
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


def test_permissions_removed_by_hand_are_added_back(w: World) -> None:
    w.deploy(*url(w))
    w.aws.lambda_.policies[FN].clear()
    step = redeploy(w, *url(w))
    assert changed_fields(step) == BOTH
    assert mutations(w) == ["lambda:AddPermission", "lambda:AddPermission"]
    w.quiet(*url(w))


def test_url_of_an_earlier_release_gets_the_second_statement(w: World) -> None:
    """An earlier release added only ``lambda:InvokeFunctionUrl``: AWS answers 403."""
    w.deploy(*url(w))
    drop(w, INVOKE_SID)
    step = redeploy(w, *url(w))
    assert step.action is Action.UPDATE and changed_fields(step) == {"public_invoke_permission"}
    assert mutations(w) == ["lambda:AddPermission"]
    assert w.aws.log.of("AddPermission")[0]["StatementId"] == INVOKE_SID
    assert sids(w) == sorted([SID, INVOKE_SID])
    w.quiet(*url(w))


def test_statements_added_by_others_count_and_go_when_the_url_turns_iam(w: World) -> None:
    """The console names them ``FunctionURLAllowPublicAccess``/``...InvokeAction``."""
    w.deploy(*url(w))
    for stmt, sid in zip(
        w.aws.lambda_.policies[FN],
        ("FunctionURLAllowPublicAccess", "FunctionURLAllowInvokeAction"),
        strict=True,
    ):
        stmt["Sid"] = sid
    w.quiet(*url(w))
    redeploy(w, *url(w, "AWS_IAM"))
    assert sids(w) == []
    w.quiet(*url(w, "AWS_IAM"))


def test_url_created_before_a_crash_is_adopted_by_function_name(w: World) -> None:
    w.deploy(*url(w))
    address = config(w)["FunctionUrl"]
    w.forget("pure-function-url")
    w.quiet(*url(w))
    assert w.state.get("pure-function-url")["function_url"] == address  # type: ignore[index]


def test_unrecorded_url_of_an_earlier_release_is_adopted_and_repaired(w: World) -> None:
    w.deploy(*url(w))
    w.forget("pure-function-url")
    drop(w, INVOKE_SID)
    step = redeploy(w, *url(w))
    assert changed_fields(step) == {"public_invoke_permission"}
    assert mutations(w) == ["lambda:AddPermission"]
    assert w.state.get("pure-function-url") is not None
    w.quiet(*url(w))


def test_a_create_cut_short_before_the_permissions_is_finished_next_time(w: World) -> None:
    w.aws.log.refuse("lambda", "AddPermission", "TooManyRequestsException", times=2)
    with pytest.raises(AWSError):
        w.deploy(*url(w))
    # The URL went out beside the refused permissions and was recorded.
    assert w.state.get("pure-function-url") is not None and sids(w) == []
    step = redeploy(w, *url(w))
    assert step.action is Action.UPDATE and changed_fields(step) == BOTH
    assert mutations(w) == ["lambda:AddPermission", "lambda:AddPermission"]
    w.quiet(*url(w))


def test_a_url_refused_beside_its_permissions_is_created_next_time(w: World) -> None:
    fn, model = url(w)
    w.deploy(fn)
    w.aws.log.refuse("lambda", "CreateFunctionUrlConfig", "TooManyRequestsException")
    with pytest.raises(AWSError):
        w.deploy(fn, model)
    # The permissions went out beside it; nothing is recorded for the URL.
    assert w.state.get("pure-function-url") is None and sids(w) == sorted([SID, INVOKE_SID])
    step = redeploy(w, fn, model)
    assert step.action is Action.CREATE
    assert mutations(w) == ["lambda:CreateFunctionUrlConfig"]
    w.quiet(fn, model)


def test_delete_removes_the_config_and_both_permissions(w: World) -> None:
    w.deploy(*url(w))
    w.aws.log.clear()
    w.delete("pure-function-url")
    assert mutations(w) == [
        "lambda:DeleteFunctionUrlConfig",
        "lambda:RemovePermission",
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
