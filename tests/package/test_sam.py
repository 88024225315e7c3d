"""The SAM generator on hand-built models: structure, fixes over upstream, cfn-lint."""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalice.deploy import models
from chalice.errors import PackageError
from chalice.package.merge import deep_merge, parse_yaml
from chalice.package.sam import generate_sam_template, logical_id
from chalice.package.serialize import to_json, to_yaml
from tests.package._lint import lint_problems
from tests.package._models import POLICY, TRUST, full_application, s3_application


def _res(template: dict[str, Any], name: str) -> dict[str, Any]:
    resource: dict[str, Any] = template["Resources"][name]
    return resource


@pytest.fixture(scope="module")
def full() -> dict[str, Any]:
    return generate_sam_template(full_application(stacked_events=True))


def test_top_level(full: dict[str, Any]) -> None:
    assert list(full) == ["AWSTemplateFormatVersion", "Transform", "Outputs", "Resources"]
    assert full["AWSTemplateFormatVersion"] == "2010-09-09"
    assert full["Transform"] == "AWS::Serverless-2016-10-31"


def test_logical_ids() -> None:
    assert logical_id("api_handler") == "APIHandler"
    assert logical_id("default-role") == "DefaultRole"
    assert logical_id("my_function") == "MyFunction"
    assert logical_id("foo-sqs-event-source") == "FooSqsEventSource"


def test_role_and_inline_policy(full: dict[str, Any]) -> None:
    role = _res(full, "DefaultRole")
    assert role["Type"] == "AWS::IAM::Role"
    assert role["Properties"]["AssumeRolePolicyDocument"] == TRUST
    assert role["Properties"]["Policies"] == [
        {"PolicyDocument": POLICY, "PolicyName": "DefaultRolePolicy"}
    ]


def test_function_properties(full: dict[str, Any]) -> None:
    pure = _res(full, "Pure")
    assert pure["Type"] == "AWS::Serverless::Function"
    props = pure["Properties"]
    assert props["Runtime"] == "python3.11"
    assert props["Handler"] == "app.pure"
    assert props["CodeUri"] == "./deployment.zip"
    assert props["Tracing"] == "Active"
    assert props["Timeout"] == 30 and props["MemorySize"] == 256
    assert props["Architectures"] == ["x86_64"]
    assert props["Environment"] == {"Variables": {"STAGE": "dev"}}
    assert props["VpcConfig"]["SubnetIds"] == [
        "subnet-0123456789abcdef0",
        "subnet-0123456789abcdef1",
    ]
    assert props["ReservedConcurrentExecutions"] == 3
    assert props["Layers"][0] == {"Ref": "ManagedLayer"}
    assert props["Layers"][1].startswith("arn:aws:lambda:")
    assert props["Role"] == {"Fn::GetAtt": ["DefaultRole", "Arn"]}
    assert "FunctionName" not in props


def test_api_handler_renamed_and_rest_api(full: dict[str, Any]) -> None:
    assert _res(full, "APIHandler")["Properties"]["Handler"] == "app.app"
    api = _res(full, "RestAPI")
    assert api["Type"] == "AWS::Serverless::Api"
    assert api["Properties"]["StageName"] == "api"
    assert api["Properties"]["EndpointConfiguration"] == "EDGE"
    assert api["Properties"]["MinimumCompressionSize"] == 1024
    assert api["Properties"]["DefinitionBody"]["swagger"] == "2.0"
    perm = _res(full, "APIHandlerInvokePermission")["Properties"]
    assert perm["FunctionName"] == {"Ref": "APIHandler"}
    assert perm["SourceArn"]["Fn::Sub"][1] == {"RestAPIId": {"Ref": "RestAPI"}}
    assert _res(full, "TokenAuthInvokePermission")["Properties"]["FunctionName"] == {
        "Fn::GetAtt": ["TokenAuth", "Arn"]
    }


def test_api_handler_log_group_names_the_real_function(full: dict[str, Any]) -> None:
    # Upstream emitted ``${ApiHandler}``, a resource that does not exist.
    group = _res(full, "ApiHandlerLogGroup")["Properties"]
    assert group["LogGroupName"] == {"Fn::Sub": "/aws/lambda/${APIHandler}"}
    assert group["RetentionInDays"] == 14


def test_every_event_source_of_a_function_is_kept(full: dict[str, Any]) -> None:
    events = _res(full, "EveryFive")["Properties"]["Events"]
    assert list(events) == ["EveryFiveEvent", "EveryFiveSqsEventSource"]
    assert events["EveryFiveEvent"] == {
        "Type": "Schedule",
        "Properties": {"Schedule": "rate(5 minutes)", "Description": "every five"},
    }
    assert events["EveryFiveSqsEventSource"]["Type"] == "SQS"


def test_event_mappings(full: dict[str, Any]) -> None:
    def event(fn: str, key: str) -> dict[str, Any]:
        e: dict[str, Any] = _res(full, fn)["Properties"]["Events"][key]
        return e

    assert event("OnCommit", "OnCommitEvent") == {
        "Type": "CloudWatchEvent",
        "Properties": {"Pattern": {"source": ["aws.codecommit"]}},
    }
    assert event("OnTopic", "OnTopicSnsSubscription")["Properties"]["Topic"] == {
        "Fn::Sub": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:mytopic"
    }
    assert event("OnTopicArn", "OnTopicArnSnsSubscription")["Properties"]["Topic"].startswith(
        "arn:aws:sns:"
    )
    sqs = event("OnQueue", "OnQueueSqsEventSource")["Properties"]
    assert sqs["BatchSize"] == 5 and sqs["MaximumBatchingWindowInSeconds"] == 10
    assert sqs["ScalingConfig"] == {"MaximumConcurrency": 4}
    assert "ScalingConfig" not in event("OnQueueArn", "OnQueueArnSqsEventSource")["Properties"]
    kinesis = event("OnStream", "OnStreamKinesisEventSource")
    assert kinesis["Type"] == "Kinesis"
    assert kinesis["Properties"]["StartingPosition"] == "TRIM_HORIZON"
    assert kinesis["Properties"]["Stream"]["Fn::Sub"].endswith(":stream/mystream")
    ddb = event("OnTable", "OnTableDynamodbEventSource")
    assert ddb["Type"] == "DynamoDB" and ddb["Properties"]["Stream"].startswith("arn:aws:dynamodb")


def test_custom_domains(full: dict[str, Any]) -> None:
    domain = _res(full, "ApiGatewayCustomDomain")
    assert domain["Type"] == "AWS::ApiGateway::DomainName"
    assert domain["Properties"]["CertificateArn"].startswith("arn:aws:acm:us-east-1")
    assert domain["Properties"]["Tags"] == [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
    mapping = _res(full, "ApiGatewayCustomDomainMapping")["Properties"]
    assert mapping["BasePath"] == "v1"
    assert mapping["Stage"] == {"Ref": "RestAPI.Stage"}
    ws_domain = _res(full, "WebsocketApiCustomDomain")
    assert ws_domain["Type"] == "AWS::ApiGatewayV2::DomainName"
    assert ws_domain["Properties"]["DomainNameConfigurations"][0]["EndpointType"] == "REGIONAL"
    ws_mapping = _res(full, "WebsocketApiCustomDomainMapping")["Properties"]
    assert "ApiMappingKey" not in ws_mapping  # mount path "(none)" is the root
    assert full["Outputs"]["AliasDomainName"] == {
        "Value": {"Fn::GetAtt": ["ApiGatewayCustomDomain", "DistributionDomainName"]}
    }
    assert full["Outputs"]["WebsocketHostedZoneId"] == {
        "Value": {"Fn::GetAtt": ["WebsocketApiCustomDomain", "RegionalHostedZoneId"]}
    }


def test_regional_domain_uses_regional_certificate() -> None:
    app = full_application()
    rest = next(r for r in app.resources if isinstance(r, models.RestAPI))
    assert rest.domain_name is not None
    regional = attrs.evolve(
        rest, domain_name=attrs.evolve(rest.domain_name, endpoint_type="REGIONAL")
    )
    app = models.Application(
        stage="dev", resources=tuple(regional if r is rest else r for r in app.resources)
    )
    props = generate_sam_template(app)["Resources"]["ApiGatewayCustomDomain"]["Properties"]
    assert "CertificateArn" not in props
    assert props["RegionalCertificateArn"].startswith("arn:aws:acm")


def test_websocket_resources(full: dict[str, Any]) -> None:
    assert _res(full, "WebsocketAPI")["Properties"]["ProtocolType"] == "WEBSOCKET"
    for kind, key in (
        ("Connect", "$connect"),
        ("Message", "$default"),
        ("Disconnect", "$disconnect"),
    ):
        assert (
            _res(full, f"Websocket{kind}APIIntegration")["Type"] == "AWS::ApiGatewayV2::Integration"
        )
        assert _res(full, f"Websocket{kind}InvokePermission")["Type"] == "AWS::Lambda::Permission"
        assert _res(full, f"Websocket{kind}Route")["Properties"]["RouteKey"] == key
    deployment = _res(full, "WebsocketAPIDeployment")
    assert deployment["DependsOn"] == [
        "WebsocketConnectRoute",
        "WebsocketMessageRoute",
        "WebsocketDisconnectRoute",
    ]
    assert _res(full, "WebsocketAPIStage")["Properties"]["StageName"] == "api"


def test_outputs(full: dict[str, Any]) -> None:
    outputs = full["Outputs"]
    assert outputs["RestAPIId"] == {"Value": {"Ref": "RestAPI"}}
    assert outputs["APIHandlerName"] == {"Value": {"Ref": "APIHandler"}}
    assert outputs["APIHandlerArn"] == {"Value": {"Fn::GetAtt": ["APIHandler", "Arn"]}}
    assert outputs["EndpointURL"] == {
        "Value": {"Fn::Sub": "https://${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}/api/"}
    }
    assert outputs["WebsocketConnectEndpointURL"]["Value"]["Fn::Sub"].startswith("wss://")
    assert {
        "WebsocketAPIId",
        "WebsocketMessageHandlerArn",
        "WebsocketDisconnectHandlerName",
    } <= set(outputs)


def test_managed_layer(full: dict[str, Any]) -> None:
    layer = _res(full, "ManagedLayer")
    assert layer["Type"] == "AWS::Serverless::LayerVersion"
    assert layer["Properties"]["ContentUri"] == "./layer-deployment.zip"
    assert layer["Properties"]["LayerName"] == "pkgfull-dev-managed-layer"


def test_pre_created_role_is_a_literal_arn() -> None:
    arn = "arn:aws:iam::123456789012:role/mine"
    app = full_application(log_retention=None)
    fns = [
        attrs.evolve(r, role=models.PreCreatedIAMRole(role_arn=arn))
        if isinstance(r, models.LambdaFunction)
        else r
        for r in app.resources
        if isinstance(r, models.LambdaFunction)
    ]
    template = generate_sam_template(models.Application(stage="dev", resources=tuple(fns)))
    assert template["Resources"]["Pure"]["Properties"]["Role"] == arn
    assert not any(r["Type"] == "AWS::IAM::Role" for r in template["Resources"].values())


def test_s3_events_are_a_clear_error() -> None:
    with pytest.raises(PackageError) as err:
        generate_sam_template(s3_application())
    message = str(err.value)
    assert "existing S3 bucket" in message and "mybucket" in message
    assert "--pkg-format terraform" in message and "chalice deploy" in message
    assert "--merge-template" in message


def test_duplicate_logical_id_is_a_clear_error() -> None:
    app = full_application(log_retention=None)
    pure = next(r for r in app.resources if isinstance(r, models.LambdaFunction))
    clash = attrs.evolve(pure, resource_name="pure_", function_name="pkgfull-dev-pure_")
    with pytest.raises(PackageError, match="'Pure'.*'pure'.*'pure_'"):
        generate_sam_template(models.Application(stage="dev", resources=(pure, clash)))


def test_deterministic() -> None:
    one = to_json(generate_sam_template(full_application(stacked_events=True)))
    two = to_json(generate_sam_template(full_application(stacked_events=True)))
    assert one == two


# -- cfn-lint: the SAM translator and the CloudFormation schemas -------------


@pytest.mark.parametrize("dump", [to_json, to_yaml], ids=["json", "yaml"])
def test_full_template_passes_cfn_lint(dump: Any) -> None:
    template = generate_sam_template(full_application(stacked_events=True))
    assert lint_problems(dump(template)) == []


@pytest.mark.parametrize("arch", ["x86_64", "arm64"])
def test_minimal_templates_pass_cfn_lint(arch: str) -> None:
    app = full_application(log_retention=None, architecture=arch)
    # Only the first function (no API, no events): the smallest template.
    fn = next(r for r in app.resources if isinstance(r, models.LambdaFunction))
    template = generate_sam_template(models.Application(stage="dev", resources=(fn,)))
    assert lint_problems(to_json(template)) == []


def test_merged_yaml_template_passes_cfn_lint() -> None:
    user = parse_yaml(
        """
Parameters:
  Env:
    Type: String
    Default: dev
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - {AttributeName: pk, AttributeType: S}
      KeySchema:
        - {AttributeName: pk, KeyType: HASH}
  APIHandler:
    Properties:
      Environment:
        Variables:
          TABLE: !Ref Table
          TABLE_ARN: !GetAtt Table.Arn
          GREETING: !Sub "hello ${Env}"
          MODE: !If [IsProd, production, development]
Outputs:
  TableName:
    Value: !Ref Table
"""
    )
    merged = deep_merge(generate_sam_template(full_application()), user)
    env = merged["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert env["STAGE"] == "dev"  # kept from ours
    assert env["TABLE_ARN"] == {"Fn::GetAtt": ["Table", "Arn"]}
    assert env["MODE"] == {"Fn::If": ["IsProd", "production", "development"]}
    assert lint_problems(to_yaml(merged)) == []


def test_json_output_is_plain_json() -> None:
    text = to_json(generate_sam_template(full_application()))
    assert json.loads(text)["Resources"]["RestAPI"]["Type"] == "AWS::Serverless::Api"
    assert text.endswith("\n")


def _only(app: models.Application, *kinds: type) -> models.Application:
    return models.Application(
        stage=app.stage, resources=tuple(r for r in app.resources if isinstance(r, kinds))
    )


def test_websocket_only_app_with_one_handler() -> None:
    app = _only(full_application(log_retention=None), models.WebsocketAPI)
    ws = app.resources[0]
    assert isinstance(ws, models.WebsocketAPI)
    app = models.Application(
        stage="dev",
        resources=(
            attrs.evolve(ws, connect_function=None, disconnect_function=None, routes=("$default",)),
        ),
    )
    template = generate_sam_template(app)
    resources = template["Resources"]
    assert "WebsocketConnectRoute" not in resources and "RestAPI" not in resources
    assert resources["WebsocketAPIDeployment"]["DependsOn"] == ["WebsocketMessageRoute"]
    assert resources["WebsocketApiCustomDomain"]["Properties"]["Tags"] == {"owner": "ws"}
    assert set(template["Outputs"]) == {
        "WebsocketAPIId",
        "WebsocketAliasDomainName",
        "WebsocketHostedZoneId",
        "WebsocketConnectEndpointURL",
        "WebsocketMessageHandlerArn",
        "WebsocketMessageHandlerName",
    }
    assert lint_problems(to_json(template)) == []


def test_rest_only_app_without_extras() -> None:
    app = _only(s3_application(), models.RestAPI)
    template = generate_sam_template(app)
    assert set(template["Resources"]) == {
        "DefaultRole",
        "APIHandler",
        "RestAPI",
        "APIHandlerInvokePermission",
    }
    assert template["Resources"]["APIHandler"]["Properties"]["Tracing"] == "PassThrough"
    assert "Layers" not in template["Resources"]["APIHandler"]["Properties"]
    assert lint_problems(to_yaml(template)) == []


# -- reference integrity over arbitrary subsets of an app --------------------

_PSEUDO = {"AWS::Partition", "AWS::Region", "AWS::AccountId", "AWS::URLSuffix", "AWS::StackName"}


def _dangling(template: dict[str, Any]) -> list[str]:
    """Ref/GetAtt/Sub/DependsOn targets that are not resources (SAM's ``X.Stage`` aside)."""
    import re

    names = set(template["Resources"])
    found: list[str] = []

    def target_ok(name: str) -> bool:
        base = name.split(".")[0]
        return name in _PSEUDO or base in names

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "Ref" and isinstance(value, str) and not target_ok(value):
                    found.append(value)
                elif key == "Fn::GetAtt" and not target_ok(value[0]):
                    found.append(value[0])
                elif key == "Fn::Sub":
                    text, local = (value, {}) if isinstance(value, str) else value
                    for var in re.findall(r"\$\{([^}!]+)\}", text):
                        if var not in local and not target_ok(var):
                            found.append(var)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(template["Resources"])
    walk(template["Outputs"])
    for resource in template["Resources"].values():
        found.extend(d for d in resource.get("DependsOn", []) if d not in names)
    return found


_FULL = full_application(stacked_events=True)


@given(st.sets(st.integers(min_value=0, max_value=len(_FULL.resources) - 1), min_size=1))
@settings(deadline=None, max_examples=60)
def test_any_subset_of_an_app_has_no_dangling_references(picked: set[int]) -> None:
    app = models.Application(
        stage="dev", resources=tuple(r for i, r in enumerate(_FULL.resources) if i in picked)
    )
    template = generate_sam_template(app)
    assert _dangling(template) == []
    # Every function and event source of the subset is in the template.
    for resource in app.resources:
        if isinstance(resource, models.LambdaFunction):
            assert logical_id(resource.resource_name) in template["Resources"]


def test_dangling_reference_checker_catches_mistakes() -> None:
    template = generate_sam_template(_only(s3_application(), models.RestAPI))
    template["Outputs"]["X"] = {"Value": {"Fn::Sub": "${Nope.Arn}"}}
    assert _dangling(template) == ["Nope.Arn"]
