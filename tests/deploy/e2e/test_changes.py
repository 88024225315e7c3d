"""Identity changes, renames, merged S3 notifications, adoption by tag, errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chalice.deploy import models
from chalice.deploy.deployer import delete_stage, deploy_application
from chalice.deploy.state import load_state, save_state
from chalice.errors import DeployError
from tests.deploy.e2e import models_kit as kit
from tests.reporting import RecordingReporter


def _deploy(resources: list[Any], project: Path, aws: Any, **kw: Any) -> RecordingReporter:
    ui = RecordingReporter()
    deploy_application(
        models.Application("dev", tuple(resources)),
        project_dir=project,
        app_name="demo",
        clients=aws,
        ui=ui,
        **kw,
    )
    return ui


def test_s3_notification_is_merged_never_clobbered(
    project: Path, aws: Any, boto: Any, tmp_path: Path
) -> None:
    boto.s3.create_bucket(
        Bucket="shared", CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )
    queue_arn = boto.sqs.get_queue_attributes(
        QueueUrl=boto.sqs.create_queue(QueueName="other")["QueueUrl"], AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    other = {"Id": "someone-else", "QueueArn": queue_arn, "Events": ["s3:ObjectRemoved:*"]}
    boto.s3.put_bucket_notification_configuration(
        Bucket="shared", NotificationConfiguration={"QueueConfigurations": [other]}
    )
    pkg = kit.make_zip(tmp_path / "a.zip")
    fn = kit.function("demo", "dev", "s3fn", pkg, kit.role("demo", "dev"))
    notif = models.S3BucketNotification(
        "s3fn-s3event", "shared", ("s3:ObjectCreated:*",), None, ".png", fn
    )
    _deploy([notif], project, aws)
    cfg = boto.s3.get_bucket_notification_configuration(Bucket="shared")
    assert [q["Id"] for q in cfg["QueueConfigurations"]] == ["someone-else"]
    assert len(cfg["LambdaFunctionConfigurations"]) == 1
    delete_stage(
        project_dir=project, stage="dev", app_name="demo", clients=aws, ui=RecordingReporter()
    )
    cfg = boto.s3.get_bucket_notification_configuration(Bucket="shared")
    assert [q["Id"] for q in cfg["QueueConfigurations"]] == ["someone-else"]
    assert not cfg.get("LambdaFunctionConfigurations")


def test_identity_change_replaces_and_rename_recreates(
    project: Path, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    for q in ("q1", "q2"):
        boto.sqs.create_queue(QueueName=q)
    pkg = kit.make_zip(tmp_path / "a.zip")
    role = kit.role("demo", "dev")
    fn = kit.function("demo", "dev", "worker", pkg, role)

    def sqs(queue: str, f: models.LambdaFunction) -> models.SQSEventSource:
        return models.SQSEventSource(
            f"{f.resource_name}-sqs-event-source", queue, None, 10, 0, None, f
        )

    _deploy([sqs("q1", fn)], project, aws)
    old_uuid = load_state(project, "dev").get("worker-sqs-event-source")["event_uuid"]  # type: ignore[index]
    _deploy([sqs("q2", fn)], project, aws)
    entry = load_state(project, "dev").get("worker-sqs-event-source")
    assert entry is not None and entry["queue"] == "q2" and entry["event_uuid"] != old_uuid
    mappings = boto.awslambda.list_event_source_mappings()["EventSourceMappings"]
    assert [m["EventSourceArn"].rsplit(":", 1)[-1] for m in mappings] == ["q2"]

    renamed = kit.function("demo", "dev", "worker2", pkg, role)
    ui = _deploy([sqs("q2", renamed)], project, aws)
    assert "Creating lambda function: demo-dev-worker2" in ui.lines
    names = load_state(project, "dev").resource_names()
    assert "worker" not in names and "worker2" in names
    fns = [f["FunctionName"] for f in boto.awslambda.list_functions()["Functions"]]
    assert fns == ["demo-dev-worker2"]


def test_rest_api_created_before_a_crash_is_adopted_by_tag(
    project: Path, aws: Any, boto: Any, tmp_path: Path
) -> None:
    pkg = kit.make_zip(tmp_path / "a.zip")
    handler = kit.function("demo", "dev", "api_handler", pkg, kit.role("demo", "dev"))
    rest = models.RestAPI("rest_api", kit.swagger("demo"), "", "api", "EDGE", handler)
    _deploy([rest], project, aws)
    api_id = load_state(project, "dev").get("rest_api")["rest_api_id"]  # type: ignore[index]
    # Forget it, as if the process died right after CreateRestApi.
    save_state(project, "dev", load_state(project, "dev").without("rest_api"))
    _deploy([rest], project, aws)
    assert load_state(project, "dev").get("rest_api")["rest_api_id"] == api_id  # type: ignore[index]
    assert [a["id"] for a in boto.apigateway.get_rest_apis()["items"]] == [api_id]


def test_error_is_one_clear_message(project: Path, aws: Any, tmp_path: Path) -> None:
    pkg = kit.make_zip(tmp_path / "a.zip")
    good = kit.function("demo", "dev", "good", pkg, kit.role("demo", "dev"))
    bad = models.LambdaFunction(
        resource_name="bad",
        function_name="demo-dev-bad",
        deployment_package=pkg,
        handler="app.bad",
        runtime="python3.11",
        role=models.PreCreatedIAMRole("arn:aws:iam::123456789012:role/does-not-exist"),
    )
    with pytest.raises(DeployError) as err:
        _deploy([good, bad], project, aws, max_parallel=1)
    msg = str(err.value)
    assert msg.startswith(
        "ERROR - While deploying your chalice application, the call "
        "lambda.CreateFunction failed with"
    )
    assert "where: lambda_function 'bad'" in msg and "how to fix:" in msg
    # What was created before the failure is recorded, and 'bad' is not. Steps
    # start as soon as they are planned and their dependencies have run: 'bad'
    # (a pre-created role, no dependency) may fail before the role is created,
    # or 'good' may start first. Either way nothing starts after the failure,
    # and what ran is recorded.
    names = load_state(project, "dev").resource_names()
    assert names in ([], ["default-role"], ["default-role", "good"])


def test_custom_domain_change_replaces_the_old_domain(
    project: Path, aws: Any, boto: Any, tmp_path: Path
) -> None:
    pkg = kit.make_zip(tmp_path / "a.zip")
    handler = kit.function("demo", "dev", "api_handler", pkg, kit.role("demo", "dev"))

    def rest(domain: str, prefix: str) -> models.RestAPI:
        dn = models.DomainName(
            resource_name="api_gateway_custom_domain",
            domain_name=domain,
            protocol=models.APIType.HTTP,
            certificate_arn="arn:aws:acm:us-east-1:1:certificate/x",
            api_mapping=models.APIMapping("api_mapping", prefix, "api"),
        )
        return models.RestAPI(
            "rest_api", kit.swagger("demo"), "", "api", "EDGE", handler, domain_name=dn
        )

    ui = _deploy([rest("a.example.com", "(none)")], project, aws)
    assert "Creating custom domain name: a.example.com" in ui.lines
    assert "  - Custom domain name:" in ui.lines
    ui = _deploy([rest("b.example.com", "v1")], project, aws)
    assert "Deleting custom domain name: a.example.com" in ui.lines
    names = [d["domainName"] for d in boto.apigateway.get_domain_names()["items"]]
    assert names == ["b.example.com"]
    entry = load_state(project, "dev").get("api_gateway_custom_domain")
    assert entry is not None and entry["api_mapping"] == [{"key": "/v1"}]
    delete_stage(
        project_dir=project, stage="dev", app_name="demo", clients=aws, ui=RecordingReporter()
    )
    assert boto.apigateway.get_domain_names()["items"] == []


def test_each_change_makes_only_its_own_calls(
    project: Path, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    boto.sqs.create_queue(QueueName="jobs")
    pkg = kit.make_zip(tmp_path / "a.zip")

    def app(
        *,
        policy: Any = None,
        retention: int = 7,
        rate: str = "rate(5 minutes)",
        batch: int = 10,
        env: dict[str, str] | None = None,
        tags: dict[str, str] | None = None,
        compression: str = "",
        endpoint: str = "EDGE",
        xray: bool = False,
    ) -> list[Any]:
        role = kit.role("demo", "dev", policy)
        lg = models.LogGroup("cron-log-group", "/aws/lambda/demo-dev-cron", retention)
        cron = kit.function(
            "demo", "dev", "cron", pkg, role, log_group=lg, environment_variables=env or {}
        )
        if tags:
            import attrs

            cron = attrs.evolve(cron, tags={**cron.tags, **tags})
        worker = kit.function("demo", "dev", "worker", pkg, role)
        handler = kit.function("demo", "dev", "api_handler", pkg, role, xray=xray)
        return [
            models.ScheduledEvent("cron-event", "demo-dev-cron-event", rate, "d", cron),
            models.SQSEventSource("worker-sqs-event-source", "jobs", None, batch, 0, None, worker),
            models.RestAPI(
                "rest_api", kit.swagger("demo"), compression, "api", endpoint, handler, xray=xray
            ),
        ]

    _deploy(app(), project, aws)
    cases: list[tuple[dict[str, Any], list[str]]] = [
        (
            {
                "policy": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}],
                }
            },
            ["PutRolePolicy"],
        ),
        ({"retention": 30}, ["PutRetentionPolicy"]),
        ({"rate": "rate(10 minutes)"}, ["PutRule"]),
        ({"batch": 5}, ["UpdateEventSourceMapping"]),
        ({"env": {"A": "1"}}, ["UpdateFunctionConfiguration"]),
        ({"tags": {"team": "x"}}, ["TagResource"]),
        # AWS: a compression change takes effect only once the API is redeployed.
        ({"compression": "1024"}, ["UpdateRestApi", "CreateDeployment"]),
        ({"endpoint": "REGIONAL"}, ["UpdateRestApi", "CreateDeployment"]),
        ({"xray": True}, ["UpdateFunctionConfiguration", "UpdateStage"]),
    ]
    params: dict[str, Any] = {}
    for change, expected in cases:  # cumulative: each step changes one more thing
        params.update(change)
        calls.reset()
        _deploy(app(**params), project, aws)
        assert calls.mutating == expected, (change, calls.mutating)
        calls.reset()
        _deploy(app(**params), project, aws)
        assert calls.mutating == [], change
