"""tests/fakeaws stands in for chalice.aws: same protocol surface, same answers.

mypy checks the real wrappers against chalice/aws/protocols.py; tests are not
type-checked that strictly, so the fake's conformance is checked here, by
signature, and a few of the semantics planners rely on are pinned down.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest

from chalice.aws import protocols
from chalice.aws.errors import AWSError
from tests.fakeaws import FakeAWS

SERVICES = {
    "iam": protocols.IAMService,
    "lambda_": protocols.LambdaService,
    "logs": protocols.LogsService,
    "apigateway": protocols.APIGatewayService,
    "apigatewayv2": protocols.APIGatewayV2Service,
    "events": protocols.EventsService,
    "s3": protocols.S3Service,
    "sns": protocols.SNSService,
    "httpapi": protocols.HttpApiService,
    "function_urls": protocols.FunctionUrlService,
}


def _methods(proto: type) -> dict[str, Any]:
    return {
        name: member
        for name, member in vars(proto).items()
        if callable(member) and not name.startswith("_")
    }


def _shape(fn: Any) -> list[tuple[str, Any]]:
    params = list(inspect.signature(fn).parameters.values())[1:]  # without self
    return [(p.kind, p.default is inspect.Parameter.empty) for p in params]


def test_every_protocol_service_is_handed_out() -> None:
    assert set(SERVICES) | {"region", "partition", "dns_suffix", "account_id"} <= {
        n for n in dir(protocols.Clients) if not n.startswith("_")
    }


@pytest.mark.parametrize("attr", sorted(SERVICES))
def test_fake_service_has_every_protocol_method_with_its_shape(attr: str) -> None:
    fake = getattr(FakeAWS(), attr)
    for name, member in _methods(SERVICES[attr]).items():
        assert hasattr(fake, name), f"{type(fake).__name__} lacks {name}"
        assert _shape(getattr(type(fake), name)) == _shape(member), f"{attr}.{name}"


def test_real_wrappers_have_the_same_shapes() -> None:
    from chalice.aws import (
        apigateway,
        apigatewayv2,
        eventbridge,
        function_urls,
        httpapi,
        iam,
        lambda_,
        logs,
        s3,
        sns,
    )

    real = {
        "iam": iam.IAM,
        "lambda_": lambda_.Lambda,
        "logs": logs.Logs,
        "apigateway": apigateway.APIGateway,
        "apigatewayv2": apigatewayv2.APIGatewayV2,
        "events": eventbridge.Events,
        "s3": s3.S3,
        "sns": sns.SNS,
        "httpapi": httpapi.HttpApis,
        "function_urls": function_urls.FunctionUrls,
    }
    for attr, proto in SERVICES.items():
        for name, member in _methods(proto).items():
            assert _shape(getattr(real[attr], name)) == _shape(member), f"{attr}.{name}"


def test_missing_reads_are_none_and_deletes_false() -> None:
    aws = FakeAWS()
    assert aws.iam.get_role("r") is None
    assert aws.lambda_.get_function("f") is None
    assert aws.lambda_.get_policy_statements("f") == []
    assert aws.apigateway.get_rest_api("x") is None
    assert aws.apigatewayv2.get_api("x") is None
    assert aws.events.describe_rule("r") is None
    assert aws.lambda_.delete_function("f") is False
    assert aws.apigateway.delete_rest_api("x") is False
    assert aws.log.ops(mutating=True) == ["lambda:DeleteFunction", "apigateway:DeleteRestApi"]


def test_other_failures_are_aws_errors_with_aws_codes() -> None:
    aws = FakeAWS()
    with pytest.raises(AWSError) as info:
        aws.iam.put_role_policy("r", "p", {})
    assert (info.value.service, info.value.operation, info.value.code) == (
        "iam",
        "PutRolePolicy",
        "NoSuchEntity",
    )
    with pytest.raises(AWSError, match="NotFoundException"):
        aws.apigateway.put_rest_api("x", {})


def test_arns_and_refusals() -> None:
    aws = FakeAWS()
    arn = aws.iam.create_role("r", trust_policy={}, tags=None)
    assert arn == "arn:aws:iam::123456789012:role/r"
    aws.log.refuse("lambda", "CreateFunction", "TooManyRequestsException")
    with pytest.raises(AWSError) as info:
        aws.lambda_.create_function({"FunctionName": "f"}, b"zip")
    assert info.value.code == "TooManyRequestsException"
    cfg = aws.lambda_.create_function({"FunctionName": "f"}, b"zip")
    assert cfg["FunctionArn"] == "arn:aws:lambda:us-west-2:123456789012:function:f"
    assert aws.log.ops() == ["iam:CreateRole", "lambda:CreateFunction", "lambda:CreateFunction"]


def test_http_apis_share_the_v2_space_and_refuse_deleting_what_a_route_uses() -> None:
    aws = FakeAWS()
    assert aws.httpapi.get_api("x") is None and aws.httpapi.delete_api("x") is False
    api_id = aws.httpapi.create_api("a", cors=None, tags={"k": "v"})["ApiId"]
    assert [a["ProtocolType"] for a in aws.apigatewayv2.list_apis()] == ["HTTP"]
    auth = aws.httpapi.create_authorizer(
        api_id,
        {
            "Name": "jwt",
            "AuthorizerType": "JWT",
            "IdentitySource": ["$request.header.Authorization"],
            "JwtConfiguration": {"Issuer": "https://issuer", "Audience": ["a"]},
        },
    )
    integ = aws.httpapi.create_proxy_integration(api_id, "arn:aws:lambda:us-west-2:1:function:f")
    route = {"RouteKey": "GET /", "Target": f"integrations/{integ}"}
    with pytest.raises(AWSError, match="BadRequestException"):
        aws.httpapi.create_route(
            api_id, {**route, "AuthorizationType": "CUSTOM", "AuthorizerId": auth}
        )
    aws.httpapi.create_route(api_id, {**route, "AuthorizationType": "JWT", "AuthorizerId": auth})
    for delete in (
        lambda: aws.httpapi.delete_authorizer(api_id, auth),
        lambda: aws.httpapi.delete_integration(api_id, integ),
    ):
        with pytest.raises(AWSError) as info:
            delete()
        assert info.value.code == "ConflictException"
        assert "is referenced in route: GET /" in info.value.message
    assert aws.httpapi.delete_api(api_id) is True
    assert aws.apigatewayv2.authorizers == {} and aws.apigatewayv2.routes == {}


def test_function_urls_live_and_die_with_their_function() -> None:
    aws = FakeAWS()
    assert aws.function_urls.get("f") is None and aws.function_urls.delete("f") is False
    with pytest.raises(AWSError, match="ResourceNotFoundException"):
        aws.function_urls.create("f", auth_type="NONE", cors=None)
    aws.lambda_.create_function({"FunctionName": "f"}, b"zip")
    address = aws.function_urls.create("f", auth_type="NONE", cors={"AllowOrigins": ["*"]})
    assert re.fullmatch(r"https://[0-9a-z]{32}\.lambda-url\.us-west-2\.on\.aws/", address)
    with pytest.raises(AWSError, match="ResourceConflictException"):
        aws.function_urls.create("f", auth_type="NONE", cors=None)
    with pytest.raises(AWSError, match="ValidationException"):
        aws.function_urls.update("f", auth_type="PUBLIC", cors=None)
    assert aws.function_urls.update("f", auth_type="AWS_IAM", cors=None) == address
    assert aws.function_urls.get("f") == {
        "FunctionUrl": address,
        "FunctionArn": "arn:aws:lambda:us-west-2:123456789012:function:f",
        "AuthType": "AWS_IAM",
        "InvokeMode": "BUFFERED",
    }
    aws.lambda_.delete_function("f")
    assert aws.function_urls.get("f") is None
    with pytest.raises(AWSError, match="ResourceNotFoundException"):
        aws.function_urls.update("f", auth_type="NONE", cors=None)
