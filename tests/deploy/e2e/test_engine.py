"""End-to-end: every resource type deployed to moto through the real engine.

Models are built by hand (``models_kit``) so these tests exercise planning,
execution, recording and sweeping without importing an app.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chalice.deploy.deployer import delete_stage, deploy_application
from chalice.deploy.plan import Action
from chalice.deploy.state import load_state, state_path
from tests.deploy.e2e import models_kit as kit
from tests.reporting import RecordingReporter


def _deploy(app: Any, project: Path, aws: Any, **kw: Any) -> Any:
    ui = RecordingReporter()
    result = deploy_application(app, project_dir=project, app_name="demo", clients=aws, ui=ui, **kw)
    return result, ui


def test_full_lifecycle(project: Path, aws: Any, boto: Any, calls: Any, tmp_path: Path) -> None:
    sources = kit.create_sources(boto)
    app = kit.full_app(tmp_path, sources=sources)

    result, ui = _deploy(app, project, aws)
    state = load_state(project, "dev")
    names = state.resource_names()
    assert names[0] in ("default-role", "managed-layer")
    for expected in (
        "default-role",
        "managed-layer",
        "cron-log-group",
        "cron",
        "cron-event",
        "pattern-event",
        "s3fn-s3event",
        "snsfn-sns-subscription",
        "sqsfn-sqs-event-source",
        "kinfn-kinesis-event-source",
        "ddbfn-dynamodb-event-source",
        "auth",
        "api_handler",
        "rest_api",
        "api_gateway_custom_domain",
        "websocket_api",
        "websocket_api_custom_domain",
    ):
        assert expected in names, expected
    assert "Creating IAM role: demo-dev" in ui.lines
    assert "Creating lambda function: demo-dev-cron" in ui.lines
    assert "Creating Rest API" in ui.lines
    assert ui.lines[-1].startswith("  - Websocket API URL: wss://")
    assert "Resources deployed:" in ui.lines
    # The file has upstream's exact shape.
    raw = json.loads(state_path(project, "dev").read_text())
    assert raw["schema_version"] == "2.0" and raw["backend"] == "api"
    by_name = {r["name"]: r for r in raw["resources"]}
    assert list(by_name["default-role"]) == ["name", "resource_type", "role_name", "role_arn"]
    assert by_name["cron-event"]["resource_type"] == "cloudwatch_event"
    assert set(by_name["sqsfn-sqs-event-source"]) == {
        "name",
        "resource_type",
        "queue_arn",
        "event_uuid",
        "queue",
        "lambda_arn",
    }
    assert set(by_name["snsfn-sns-subscription"]) == {
        "name",
        "resource_type",
        "topic",
        "lambda_arn",
        "subscription_arn",
        "topic_arn",
    }
    assert by_name["api_gateway_custom_domain"]["api_mapping"] == [{"key": "/"}]
    assert by_name["websocket_api_custom_domain"]["api_mapping"] == [{"key": "/chat"}]
    assert by_name["rest_api"]["rest_api_url"].endswith(".execute-api.us-west-2.amazonaws.com/api/")

    # What moto has.
    left = kit.leftovers(boto)
    assert len(left["functions"]) == 12
    assert len(left["rest_apis"]) == 1 and len(left["ws_apis"]) == 1
    assert len(left["mappings"]) == 3 and len(left["subscriptions"]) == 1
    notif = boto.s3.get_bucket_notification_configuration(Bucket=sources["bucket"])
    assert len(notif["LambdaFunctionConfigurations"]) == 1
    ws_id = by_name["websocket_api"]["websocket_api_id"]
    assert {r["RouteKey"] for r in boto.apigatewayv2.get_routes(ApiId=ws_id)["Items"]} == {
        "$connect",
        "$default",
        "$disconnect",
    }
    assert (
        boto.logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/demo-dev-cron")["logGroups"][
            0
        ]["retentionInDays"]
        == 14
    )

    # Unchanged redeploy: zero mutating calls.
    calls.reset()
    result, ui = _deploy(kit.full_app(tmp_path, sources=sources), project, aws)
    assert calls.mutating == []
    assert all(s.action is Action.UNCHANGED for s in result.plan.steps)

    # Plan: read only, records nothing.
    before = state_path(project, "dev").read_text()
    calls.reset()
    result, ui = _deploy(kit.full_app(tmp_path, sources=sources), project, aws, plan_only=True)
    assert calls.mutating == []
    assert state_path(project, "dev").read_text() == before
    assert "Plan: 0 to create, 0 to update, 0 to delete, 26 unchanged." in ui.text

    # A change: new code for all, more memory for one; only updates.
    calls.reset()
    changed = kit.full_app(tmp_path, sources=sources, memory=256, code="v2")
    plan_result, ui = _deploy(changed, project, aws, plan_only=True)
    cron_step = next(s for s in plan_result.plan.steps if s.name == "cron")
    assert {c.field for c in cron_step.changes} == {"code_sha256", "memory_size"}
    assert "      memory_size: 128 -> 256" in ui.lines
    calls.reset()
    _deploy(changed, project, aws)
    ops = set(calls.mutating)
    assert ops == {"UpdateFunctionCode", "UpdateFunctionConfiguration"}, ops
    assert calls.mutating.count("UpdateFunctionConfiguration") == 1
    calls.reset()
    _deploy(changed, project, aws)
    assert calls.mutating == []

    # Remove handlers: the sweeper deletes their resources.
    smaller = kit.full_app(
        tmp_path, sources=sources, memory=256, code="v2", drop=("sqsfn", "snsfn")
    )
    _deploy(smaller, project, aws)
    names = load_state(project, "dev").resource_names()
    assert "sqsfn" not in names and "sqsfn-sqs-event-source" not in names
    assert "snsfn-sns-subscription" not in names
    left = kit.leftovers(boto)
    assert len(left["functions"]) == 10 and len(left["mappings"]) == 2
    assert "subscriptions" not in left

    # Delete: nothing left, state has resources: [].
    ui = RecordingReporter()
    delete_stage(project_dir=project, stage="dev", app_name="demo", clients=aws, ui=ui)
    assert kit.leftovers(boto) == {}
    assert json.loads(state_path(project, "dev").read_text())["resources"] == []
    notif = boto.s3.get_bucket_notification_configuration(Bucket=sources["bucket"])
    assert not notif.get("LambdaFunctionConfigurations")
