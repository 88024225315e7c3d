"""The sample apps deployed under the AWS-realism layer (``realism.py``), against moto.

Each app (REST with a custom and a Cognito authorizer and CORS; SQS/SNS/S3/
schedule handlers; a VPC function; a websocket API) goes through:

* first deploy, unchanged redeploy (0 mutating calls), a change, delete, with
  IAM propagation, Lambda Pending/InProgress states and AWS's published
  quotas all on: every phase succeeds and nothing of the app is left;
* a function that ends ``Failed``: the deploy stops at it with AWS's
  StateReason, the state file lists every resource that exists, and delete
  then removes everything;
* an account that refuses tags: the deploy succeeds untagged, delete cleans up;
* two stages deployed at once from one account (threads): both succeed.

All waiting happens on the layer's virtual clock, so these tests take the
time of their moto calls, whatever AWS time they simulate.

What each needs from the deploy (issue 9): retrying the SQS/stream/ENI/KMS
propagation texts (item 1: events and VPC apps), stopping at a Failed
function after recording it (item 2), creating untagged when tags are
refused (item 3), and honouring Retry-After / pacing the edge CreateRestApi
and ImportRestApi quota of 1 per 30 s (item 6: two REST stages at once).
"""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest

from chalice.deploy import deployer
from chalice.deploy.deployer import DeployResult, delete_stage, deploy_application
from chalice.deploy.state import load_state, state_path
from chalice.errors import UserError
from tests.deploy.e2e.realism import AWSRealism, realistic_clients
from tests.deploy.e2e.realism_quotas import Quotas
from tests.reporting import RecordingReporter

APPS_DIR = Path(__file__).parent / "apps"
APPS = ("realrest", "realevents", "realvpc", "realws")
# The function each app's "Failed" scenario breaks: (resource name, dev function name).
FAILING = {
    "realrest": ("api_handler", "realrest-dev"),
    "realevents": ("on_sqs", "realevents-dev-on_sqs"),
    "realvpc": ("in_vpc", "realvpc-dev-in_vpc"),
    "realws": ("websocket_message", "realws-dev-websocket_message"),
}
FAILED_REASON = "The subnet has no free IP address for the function's network interface."


def _layer(**kw: Any) -> AWSRealism:
    """AWS's real timings and quotas: virtual time makes them free to simulate.

    Permissions lag the trust policy by more than a function's creation, so
    event source mappings and VPC functions meet their own propagation texts
    after the role could already be assumed, as on a first real deploy.
    """
    return AWSRealism(
        iam_delay=10,
        policy_delay=25,
        pending=2,
        vpc_pending=30,
        in_progress=2,
        quotas=Quotas(),
        **kw,
    )


def _sources(boto: Any, app: str) -> dict[str, Any]:
    """What the app subscribes to / runs in, created outside the app (like a user would)."""
    out: dict[str, Any] = {"buckets": []}
    if app == "realevents":
        boto.sns.create_topic(Name="realevents-topic")
        boto.sqs.create_queue(QueueName="realevents-queue")
        boto.s3.create_bucket(
            Bucket="realevents-bucket",
            CreateBucketConfiguration={"LocationConstraint": "us-west-2"},
        )
        out["buckets"] = ["realevents-bucket"]
    if app == "realvpc":
        # moto's Lambda does not look the subnet and group up, and building its
        # EC2 backend after a reset costs ~10 s: ids shaped like AWS's do.
        out["vpc"] = {
            "subnet_ids": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
            "security_group_ids": ["sg-0a1b2c3d4e5f60003"],
        }
    return out


@pytest.fixture(params=APPS)
def app(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def project(app: str, aws_env: str, boto: Any, tmp_path: Path) -> Path:
    sources = _sources(boto, app)
    project = tmp_path / app
    shutil.copytree(APPS_DIR / app, project)
    config: dict[str, Any] = {
        "version": "2.0",
        "app_name": app,
        "stages": {"dev": {"api_gateway_stage": "api"}, "prod": {"api_gateway_stage": "v1"}},
    }
    if "vpc" in sources:
        config["lambda_functions"] = {"in_vpc": sources["vpc"]}
    (project / ".chalice").mkdir()
    (project / ".chalice" / "config.json").write_text(json.dumps(config, indent=2))
    (project / ".sources.json").write_text(json.dumps(sources))
    return project


def build(project: Path, stage: str = "dev") -> Any:
    """Steps 1-4 of ``chalice deploy`` (local only): the stage's built application."""
    return deployer.build(project, stage=stage, user_params=None, ui=RecordingReporter())[1]


def deploy(
    project: Path, layer: AWSRealism, stage: str = "dev", *, application: Any = None
) -> DeployResult:
    """``chalice deploy`` of ``project`` through a fresh session hooked to ``layer``."""
    import botocore.session

    if application is None:
        application = build(project, stage)
    session = layer.attach(botocore.session.Session())
    return deploy_application(
        application,
        project_dir=project,
        app_name=project.name,
        clients=realistic_clients(session, layer.clock),
        ui=RecordingReporter(),
    )


def delete(project: Path, layer: AWSRealism, stage: str = "dev") -> None:
    """``chalice delete`` of ``stage`` under ``layer``."""
    import botocore.session

    session = layer.attach(botocore.session.Session())
    delete_stage(
        project_dir=project,
        stage=stage,
        app_name=project.name,
        clients=realistic_clients(session, layer.clock),
        ui=RecordingReporter(),
    )


def leaks(boto: Any, project: Path, stage: str | None = None) -> dict[str, list[str]]:
    """Everything of the app (one stage, or all) that exists, asked with plain botocore."""
    app = project.name
    prefix = f"{app}-{stage}" if stage else app
    lam = boto.awslambda
    out: dict[str, list[str]] = {
        "functions": [
            f["FunctionName"]
            for f in lam.list_functions()["Functions"]
            if f["FunctionName"].startswith(prefix)
        ],
        "roles": [
            r["RoleName"]
            for r in boto.iam.list_roles()["Roles"]
            if r["RoleName"].startswith(prefix)
        ],
        "rest_apis": [
            a["id"]
            for a in boto.apigateway.get_rest_apis()["items"]
            if a["name"] == app
            and (stage is None or (a.get("tags") or {}).get("chalice:stage", stage) == stage)
        ],
        "ws_apis": [
            a["ApiId"]
            for a in boto.apigatewayv2.get_apis()["Items"]
            if a["Name"].startswith(prefix)
        ],
        "rules": [
            r["Name"] for r in boto.events.list_rules()["Rules"] if r["Name"].startswith(prefix)
        ],
        "mappings": [
            m["UUID"]
            for m in lam.list_event_source_mappings()["EventSourceMappings"]
            if m["FunctionArn"].split(":")[-1].startswith(prefix)
        ],
        "subscriptions": [
            s["SubscriptionArn"]
            for s in boto.sns.list_subscriptions()["Subscriptions"]
            if s["Protocol"] == "lambda" and s["Endpoint"].split(":")[-1].startswith(prefix)
        ],
        "log_groups": [
            g["logGroupName"]
            for g in boto.logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{prefix}")[
                "logGroups"
            ]
        ],
        "layers": [
            layer["LayerName"]
            for layer in lam.list_layers()["Layers"]
            if layer["LayerName"].startswith(prefix)
        ],
    }
    sources = json.loads((project / ".sources.json").read_text())
    out["notifications"] = [
        c["LambdaFunctionArn"]
        for bucket in sources["buckets"]
        for c in boto.s3.get_bucket_notification_configuration(Bucket=bucket).get(
            "LambdaFunctionConfigurations", []
        )
        if f":function:{prefix}" in c["LambdaFunctionArn"]
    ]
    return {kind: items for kind, items in out.items() if items}


def assert_all_recorded(boto: Any, project: Path, stage: str = "dev") -> None:
    """Every resource of the stage that exists is named in its state file."""
    path = state_path(project, stage)
    text = json.dumps(load_state(project, stage).resources) if path.exists() else ""
    # Recorded as an ARN ending in the name (a bare substring would let the
    # role "app-dev" vouch for the function "app-dev").
    needles = {"functions": ':function:{}"', "roles": 'role/{}"'}
    for kind, items in leaks(boto, project, stage).items():
        for item in items:
            needle = needles.get(kind, "{}").format(item)
            assert needle in text, f"{kind} {item} exists but is not in {path}"


def test_deploy_noop_change_delete(project: Path, boto: Any) -> None:
    layer = _layer()
    result = deploy(project, layer)
    assert result.state is not None and result.state.resource_names()
    # The first deploy met what real AWS does to a fresh role and new functions.
    assert layer.served["propagation"] >= 1, layer.served
    assert leaks(boto, project)
    assert_all_recorded(boto, project)

    layer.reset_counters()
    deploy(project, layer)
    assert layer.mutating == []

    app_py = project / "app.py"
    app_py.write_text(app_py.read_text().replace('"v1"', '"v2"'))
    layer.reset_counters()
    deploy(project, layer)
    assert "UpdateFunctionCode" in layer.mutating
    layer.reset_counters()
    deploy(project, layer)
    assert layer.mutating == []

    delete(project, layer)
    assert leaks(boto, project) == {}
    assert load_state(project, "dev").resources == ()


def test_failed_function_stops_the_deploy(project: Path, app: str, boto: Any) -> None:
    resource, function = FAILING[app]
    layer = _layer()
    layer.fail_function(function, reason=FAILED_REASON, code="SubnetOutOfIPAddresses")
    with pytest.raises(UserError) as exc:
        deploy(project, layer)
    message = str(exc.value)
    assert FAILED_REASON in message, message
    assert f"'{resource}'" in message or function in message, message
    assert function in leaks(boto, project)["functions"]
    assert_all_recorded(boto, project)
    delete(project, layer)
    assert leaks(boto, project) == {}


def test_tags_denied_deploys_untagged(project: Path, boto: Any) -> None:
    # A policy that works with upstream Chalice: upstream tags every function
    # ("aws-chalice"), so lambda:TagResource is in it; everything else that we
    # tag and upstream does not (roles, log groups, rules, APIs) is refused.
    layer = _layer(deny_tags=True, tags_allowed=frozenset({"lambda"}))
    result = deploy(project, layer)
    assert result.state is not None
    assert layer.served["tag_denied"] >= 1
    for name in leaks(boto, project)["roles"]:
        tags = boto.iam.list_role_tags(RoleName=name).get("Tags", [])
        assert "chalice:app" not in {t["Key"] for t in tags}, (name, tags)
    layer.reset_counters()
    deploy(project, layer)
    # Unchanged: nothing but (refused) attempts to add the missing tags.
    assert [op for op in layer.mutating if not op.startswith("Tag")] == []
    delete(project, layer)
    assert leaks(boto, project) == {}


def test_two_stages_at_once(project: Path, boto: Any) -> None:
    layer = _layer()
    errors: dict[str, BaseException] = {}
    barrier = threading.Barrier(2)
    # Built first, one after the other: importing app.py is process-wide (two
    # real deploys are two processes); the AWS part is what runs at once.
    built = {stage: build(project, stage) for stage in ("dev", "prod")}

    def run(stage: str) -> None:
        barrier.wait()
        try:
            deploy(project, layer, stage, application=built[stage])
        except BaseException as err:  # reported below, with the stage
            errors[stage] = err

    threads = [threading.Thread(target=run, args=(stage,)) for stage in ("dev", "prod")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == {}
    assert leaks(boto, project, "dev") and leaks(boto, project, "prod")
    assert_all_recorded(boto, project, "dev")
    assert_all_recorded(boto, project, "prod")
    delete(project, layer, "dev")
    delete(project, layer, "prod")
    assert leaks(boto, project) == {}
