"""``chalice package`` for HTTP APIs and function URLs: SAM and Terraform.

The SAM template passes cfn-lint (which runs the real SAM translator) and
the Terraform configuration passes the reference and provider-schema
checks of ``_tfcheck``.
"""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest

from chalice.deploy import models
from chalice.package.sam import generate_sam_template
from chalice.package.terraform import generate_terraform_template
from tests.package import _tfcheck
from tests.package._lint import lint_problems
from tests.package._models import http_application


@pytest.fixture(scope="module")
def sam_template() -> dict[str, Any]:
    return generate_sam_template(http_application())


@pytest.fixture(scope="module")
def tf_config() -> dict[str, Any]:
    return generate_terraform_template(http_application(), app_name="pkghttp")


def test_sam_http_api_with_cors_authorizers_and_stage(sam_template: dict[str, Any]) -> None:
    api = sam_template["Resources"]["HttpApi"]
    assert api["Type"] == "AWS::Serverless::HttpApi"
    props = api["Properties"]
    assert props["StageName"] == "api"
    assert props["CorsConfiguration"]["AllowOrigins"] == ["https://example.com"]
    authorizers = props["Auth"]["Authorizers"]
    assert authorizers["cognito"]["JwtConfiguration"] == {
        "issuer": "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_abc",
        "audience": ["client1"],
    }
    assert authorizers["token_auth"]["AuthorizerPayloadFormatVersion"] == "2.0"
    assert authorizers["token_auth"]["Identity"] == {
        "Headers": ["Authorization"],
        "ReauthorizeEvery": 60,
    }
    assert props["Auth"]["EnableIamAuthorizer"] is True
    assert props["AccessLogSettings"]["DestinationArn"].endswith(":log-group:access")
    assert props["DefaultRouteSettings"] == {
        "ThrottlingBurstLimit": 100,
        "ThrottlingRateLimit": 50.0,
    }
    mapping = sam_template["Resources"]["HttpApiCustomDomainMapping"]["Properties"]
    assert mapping == {
        "DomainName": {"Ref": "HttpApiCustomDomain"},
        "ApiId": {"Ref": "HttpApi"},
        "Stage": {"Ref": "HttpApi.Stage"},
        "ApiMappingKey": "v1",
    }


def test_sam_routes_are_http_api_events_of_the_handler(sam_template: dict[str, Any]) -> None:
    events = sam_template["Resources"]["APIHandler"]["Properties"]["Events"]
    by_route = {(e["Properties"]["Method"], e["Properties"]["Path"]): e for e in events.values()}
    assert set(by_route) == {
        ("GET", "/"),
        ("GET", "/users/{name}"),
        ("PUT", "/users/{name}"),
        ("POST", "/admin"),
    }
    assert all(e["Type"] == "HttpApi" for e in events.values())
    assert by_route[("GET", "/users/{name}")]["Properties"]["Auth"] == {
        "Authorizer": "cognito",
        "AuthorizationScopes": ["users/read"],
    }
    assert by_route[("POST", "/admin")]["Properties"]["Auth"] == {"Authorizer": "AWS_IAM"}
    assert "Auth" not in by_route[("GET", "/")]["Properties"]


def test_sam_function_urls(sam_template: dict[str, Any]) -> None:
    pure = sam_template["Resources"]["Pure"]["Properties"]["FunctionUrlConfig"]
    assert pure == {"AuthType": "NONE", "Cors": {"AllowOrigins": ["*"]}}
    handler = sam_template["Resources"]["APIHandler"]["Properties"]["FunctionUrlConfig"]
    assert handler == {"AuthType": "AWS_IAM"}
    assert "PureFunctionUrl" in sam_template["Outputs"]
    assert "HttpApiURL" in sam_template["Outputs"]
    # SAM's transform adds both public statements of the NONE URL itself; one of
    # ours would be a duplicate.
    types = {r["Type"] for r in sam_template["Resources"].values()}
    assert "AWS::Lambda::Permission" not in types


def test_sam_template_passes_cfn_lint(sam_template: dict[str, Any]) -> None:
    assert lint_problems(json.dumps(sam_template)) == []


def test_sam_default_stage_url_has_no_stage_path() -> None:
    app = http_application()
    api = next(r for r in app.resources if isinstance(r, models.HttpApi))
    default = attrs.evolve(api, api_gateway_stage="$default")
    template = generate_sam_template(models.Application("dev", (default,)))
    url = template["Outputs"]["HttpApiURL"]["Value"]["Fn::Sub"]
    assert url.endswith("${AWS::URLSuffix}/")


def test_terraform_resources(tf_config: dict[str, Any]) -> None:
    res = tf_config["resource"]
    assert res["aws_apigatewayv2_api"]["http_api"]["protocol_type"] == "HTTP"
    integration = res["aws_apigatewayv2_integration"]["http_api"]
    assert integration["payload_format_version"] == "2.0"
    stage = res["aws_apigatewayv2_stage"]["http_api"]
    assert (stage["name"], stage["auto_deploy"]) == ("api", True)
    assert stage["default_route_settings"] == {
        "throttling_burst_limit": 100,
        "throttling_rate_limit": 50.0,
    }
    assert stage["access_log_settings"]["format"].startswith('{"requestId":"$context.requestId"')
    routes = {r["route_key"]: r for r in res["aws_apigatewayv2_route"].values()}
    assert routes["GET /users/{name}"]["authorization_type"] == "JWT"
    assert routes["PUT /users/{name}"]["authorization_type"] == "CUSTOM"
    assert routes["POST /admin"]["authorization_type"] == "AWS_IAM"
    assert set(res["aws_apigatewayv2_authorizer"]) == {"cognito", "token_auth"}
    permissions = res["aws_lambda_permission"]
    # No public lambda:InvokeFunction: 5.x cannot limit it to the URL
    # (invoked_via_function_url), and unlimited it would expose the function.
    assert set(permissions) == {
        "api_handler_http_api_invoke",
        "token_auth_http_api_invoke",
        "pure_function_url",
    }
    assert permissions["pure_function_url"]["function_url_auth_type"] == "NONE"
    assert res["aws_lambda_function_url"]["pure"]["authorization_type"] == "NONE"
    assert res["aws_lambda_function_url"]["pure"]["cors"] == {"allow_origins": ["*"]}
    assert res["aws_lambda_function_url"]["api_handler"]["authorization_type"] == "AWS_IAM"
    mapping = res["aws_apigatewayv2_api_mapping"]["http_api_custom_domain_mapping"]
    assert mapping["stage"] == "${aws_apigatewayv2_stage.http_api.id}"
    assert mapping["api_mapping_key"] == "v1"
    assert "http_api_custom_domain" in res["aws_apigatewayv2_domain_name"]


def test_terraform_references_and_arguments_check(tf_config: dict[str, Any]) -> None:
    assert _tfcheck.unresolved_references(tf_config) == []
    assert _tfcheck.unknown_arguments(tf_config) == []


def _with_simple_responses() -> models.Application:
    app = http_application()
    resources = []
    for r in app.resources:
        if isinstance(r, models.HttpApi):
            auths = tuple(
                attrs.evolve(a, simple_responses=True)
                if a.kind is models.HttpAuthorizerKind.LAMBDA
                else a
                for a in r.authorizers
            )
            r = attrs.evolve(r, authorizers=auths)
        resources.append(r)
    return attrs.evolve(app, resources=tuple(resources))


def test_simple_responses_in_sam_and_terraform(
    sam_template: dict[str, Any], tf_config: dict[str, Any]
) -> None:
    # IAM policies unless the authorizer asks for simple responses.
    sam_auth = sam_template["Resources"]["HttpApi"]["Properties"]["Auth"]["Authorizers"]
    assert sam_auth["token_auth"]["EnableSimpleResponses"] is False
    tf_auth = tf_config["resource"]["aws_apigatewayv2_authorizer"]["token_auth"]
    assert tf_auth["enable_simple_responses"] is False
    assert (
        "enable_simple_responses"
        not in tf_config["resource"]["aws_apigatewayv2_authorizer"]["cognito"]
    )

    simple = _with_simple_responses()
    template = generate_sam_template(simple)
    authorizers = template["Resources"]["HttpApi"]["Properties"]["Auth"]["Authorizers"]
    assert authorizers["token_auth"]["EnableSimpleResponses"] is True
    assert authorizers["token_auth"]["AuthorizerPayloadFormatVersion"] == "2.0"
    assert lint_problems(json.dumps(template)) == []
    config = generate_terraform_template(simple, app_name="pkghttp")
    item = config["resource"]["aws_apigatewayv2_authorizer"]["token_auth"]
    assert item["enable_simple_responses"] is True
    assert item["authorizer_payload_format_version"] == "2.0"
    assert _tfcheck.unresolved_references(config) == []
    assert _tfcheck.unknown_arguments(config) == []
