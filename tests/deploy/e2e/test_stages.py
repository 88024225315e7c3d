"""Every resource type in two stages of one app, side by side, and the report.

Stages are independent copies: deploying, redeploying or deleting one never
touches the other, even where they share an outside resource (the S3 bucket
notification configuration, the SNS topic, the queue, the stream).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chalice.deploy.deployer import delete_stage, deploy_application
from chalice.deploy.state import state_path
from tests.deploy.e2e import models_kit as kit
from tests.reporting import RecordingReporter


def _deploy(app: Any, project: Path, aws: Any) -> RecordingReporter:
    ui = RecordingReporter()
    deploy_application(app, project_dir=project, app_name="demo", clients=aws, ui=ui)
    return ui


def _delete(stage: str, project: Path, aws: Any) -> None:
    delete_stage(
        project_dir=project, stage=stage, app_name="demo", clients=aws, ui=RecordingReporter()
    )


def _report(ui: RecordingReporter) -> list[str]:
    return ui.lines[ui.lines.index("Resources deployed:") :]


def _lambda_arns(boto: Any, bucket: str) -> set[str]:
    notif = boto.s3.get_bucket_notification_configuration(Bucket=bucket)
    return {c["LambdaFunctionArn"] for c in notif.get("LambdaFunctionConfigurations", [])}


def _assert_identity_tags(boto: Any, project: Path) -> None:
    """Every taggable resource says which app, stage and resource it is (issue 4, point 1)."""
    by_name = {
        r["name"]: r for r in json.loads(state_path(project, "prod").read_text())["resources"]
    }

    def identity(resource: str) -> dict[str, str]:
        return {"chalice:app": "demo", "chalice:stage": "prod", "chalice:resource": resource}

    def has(tags: Any, resource: str) -> bool:
        if isinstance(tags, list):  # IAM answers a list of {Key, Value}
            tags = {t["Key"]: t["Value"] for t in tags}
        return identity(resource).items() <= dict(tags).items()

    role = by_name["default-role"]["role_name"]
    assert has(boto.iam.list_role_tags(RoleName=role)["Tags"], "default-role")
    fn = by_name["cron"]["lambda_arn"]
    assert has(boto.awslambda.list_tags(Resource=fn)["Tags"], "cron")
    group = "/aws/lambda/demo-prod-cron"
    assert has(boto.logs.list_tags_log_group(logGroupName=group)["tags"], "cron-log-group")
    rule = boto.events.describe_rule(Name=by_name["cron-event"]["rule_name"])["Arn"]
    assert has(boto.events.list_tags_for_resource(ResourceARN=rule)["Tags"], "cron-event")
    rest = boto.apigateway.get_rest_api(restApiId=by_name["rest_api"]["rest_api_id"])
    assert has(rest["tags"], "rest_api")
    ws = boto.apigatewayv2.get_api(ApiId=by_name["websocket_api"]["websocket_api_id"])
    assert has(ws["Tags"], "websocket_api")


def test_every_resource_type_in_dev_and_prod(
    project: Path, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    sources = kit.create_sources(boto)
    dev_ui = _deploy(kit.full_app(tmp_path, sources=sources), project, aws)
    prod_ui = _deploy(kit.full_app(tmp_path, stage="prod", sources=sources), project, aws)

    for stage, ui in (("dev", dev_ui), ("prod", prod_ui)):
        left = kit.leftovers(boto, "demo", stage)
        assert len(left["functions"]) == 12 and len(left["roles"]) == 1, stage
        assert len(left["rest_apis"]) == 1 and len(left["ws_apis"]) == 1, stage
        assert len(left["rules"]) == 2 and len(left["mappings"]) == 3, stage
        assert len(left["subscriptions"]) == 1 and len(left["layers"]) == 1, stage
        state = json.loads(state_path(project, stage).read_text())
        domains = [r for r in state["resources"] if r["resource_type"] == "domain_name"]
        assert {d["domain_name"] for d in domains} == {
            f"api-{stage}.example.com",
            f"ws-{stage}.example.com",
        }
        # SPEC §2: layers, functions, custom domains, then the URLs last.
        report = _report(ui)
        kinds = [line.split(":")[0] for line in report[1:]]
        assert kinds == (
            ["  - Lambda Layer ARN"]
            + ["  - Lambda ARN"] * 12
            + ["  - Custom domain name", "      HostedZoneId", "      AliasDomainName"] * 2
            + ["  - Rest API URL", "  - Websocket API URL"]
        ), report
        assert report[1] == f"  - Lambda Layer ARN: {left['layers'][0]}"
        assert (
            f"  - Lambda ARN: arn:aws:lambda:us-west-2:123456789012:function:demo-{stage}" in report
        )
        assert report[-2].endswith(".execute-api.us-west-2.amazonaws.com/api/")
        assert report[-1].startswith("  - Websocket API URL: wss://")
    domain_names = {d["domainName"] for d in boto.apigateway.get_domain_names()["items"]}
    assert {"api-dev.example.com", "api-prod.example.com"} <= domain_names
    _assert_identity_tags(boto, project)
    # Both stages' S3 notifications live side by side in the one bucket configuration.
    arn = "arn:aws:lambda:us-west-2:123456789012:function:demo-{}-s3fn"
    assert _lambda_arns(boto, sources["bucket"]) == {arn.format("dev"), arn.format("prod")}

    # Redeploying one stage unchanged touches nothing (of either stage).
    calls.reset()
    _deploy(kit.full_app(tmp_path, sources=sources), project, aws)
    assert calls.mutating == []

    # Deleting prod leaves dev whole, including its share of the bucket configuration.
    dev_before = kit.leftovers(boto, "demo", "dev")
    _delete("prod", project, aws)
    assert kit.leftovers(boto, "demo", "prod") == {}
    assert kit.leftovers(boto, "demo", "dev") == dev_before
    assert _lambda_arns(boto, sources["bucket"]) == {arn.format("dev")}
    domain_names = {d["domainName"] for d in boto.apigateway.get_domain_names()["items"]}
    assert "api-dev.example.com" in domain_names and "api-prod.example.com" not in domain_names
    calls.reset()
    _deploy(kit.full_app(tmp_path, sources=sources), project, aws)
    assert calls.mutating == []

    _delete("dev", project, aws)
    assert kit.leftovers(boto, "demo") == {}
    assert _lambda_arns(boto, sources["bucket"]) == set()
