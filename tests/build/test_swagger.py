"""Swagger 2.0 generation from the route registry (SPEC §4.9), in each URI style."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chalice.app import (
    Chalice,
    CognitoUserPoolAuthorizer,
    CORSConfig,
    CustomAuthorizer,
    IAMAuthorizer,
)
from chalice.build.swagger import (
    SwaggerStyle,
    generate_models_text,
    generate_swagger,
    has_routes,
    render_uris,
    rest_api_document,
)
from chalice.deploy import models
from chalice.deploy.naming import to_cfn_resource_name
from chalice.errors import UserError

DEPLOY_URI = (
    "arn:{partition}:apigateway:{region_name}:lambda:path/2015-03-31/functions/"
    "{api_handler_lambda_arn}/invocations"
)
EMPTY_RESPONSES = {
    "200": {"description": "200 response", "schema": {"$ref": "#/definitions/Empty"}}
}


def proxy(uri: Any) -> dict[str, Any]:
    return {
        "responses": {"default": {"statusCode": "200"}},
        "uri": uri,
        "passthroughBehavior": "when_no_match",
        "httpMethod": "POST",
        "contentHandling": "CONVERT_TO_TEXT",
        "type": "aws_proxy",
    }


def simple_app() -> Chalice:
    app = Chalice(app_name="simple")

    @app.route("/")
    def index() -> dict[str, str]:
        return {}

    return app


def test_base_document_and_simple_route() -> None:
    doc = generate_swagger(simple_app(), style=SwaggerStyle.DEPLOY)
    assert doc == {
        "swagger": "2.0",
        "info": {"version": "1.0", "title": "simple"},
        "schemes": ["https"],
        "paths": {
            "/": {
                "get": {
                    "consumes": ["application/json"],
                    "produces": ["application/json"],
                    "responses": EMPTY_RESPONSES,
                    "x-amazon-apigateway-integration": proxy(DEPLOY_URI),
                }
            }
        },
        "definitions": {"Empty": {"type": "object", "title": "Empty Schema"}},
        "x-amazon-apigateway-binary-media-types": Chalice("x").api.binary_types,
    }


def rich_app() -> Chalice:
    app = Chalice(app_name="rich")
    app.api.binary_types.append("image/png")
    cognito = CognitoUserPoolAuthorizer(
        "UserPool", provider_arns=["arn:aws:cognito-idp:us-west-2:123456789012:userpool/p"]
    )
    custom = CustomAuthorizer(
        "ExternalAuth",
        authorizer_uri="arn:aws:apigateway:us-west-2:lambda:path/2015-03-31/functions/arn:aws:lambda:us-west-2:123456789012:function:auth/invocations",
        ttl_seconds=60,
        invoke_role_arn="arn:aws:iam::123456789012:role/invoke",
    )

    @app.authorizer(
        ttl_seconds=30, execution_role="arn:aws:iam::123456789012:role/exec", header="X-Token"
    )
    def token_auth(auth_request: Any) -> Any:
        return None

    @app.authorizer()
    def plain_auth(auth_request: Any) -> Any:
        return None

    @app.route("/", methods=["GET", "POST"], content_types=["application/json", "text/plain"])
    def index() -> None:
        """List the things.

        Returns every thing we know about,
        newest first.
        """

    @app.route(
        "/items/{item_id}/parts/{part}", methods=["GET", "PUT"], cors=True, api_key_required=True
    )
    def item(item_id: str, part: str) -> None:
        """Only a summary."""

    @app.route("/secure", authorizer=cognito.with_scopes(["read", "write"]))
    def secure() -> None:
        pass

    @app.route("/iam", authorizer=IAMAuthorizer())
    def iam() -> None:
        pass

    @app.route("/custom", authorizer=custom, methods=["DELETE"])
    def custom_view() -> None:
        pass

    @app.route("/builtin", authorizer=token_auth)
    def builtin() -> None:
        pass

    @app.route("/plain", authorizer=plain_auth)
    def plain() -> None:
        pass

    cors = CORSConfig(
        allow_origin="https://example.com",
        allow_headers=["X-Special"],
        expose_headers=["X-Out"],
        max_age=600,
        allow_credentials=True,
    )

    @app.route("/cors", methods=["POST"], cors=cors)
    def cors_post() -> None:
        pass

    @app.route("/cors", methods=["PUT"], cors=cors)
    def cors_put() -> None:
        pass

    @app.route("/cors", methods=["GET"])
    def cors_get() -> None:
        pass

    @app.route("/upload", methods=["POST"], content_types=["image/png"])
    def upload() -> None:
        pass

    return app


@pytest.fixture
def rich() -> dict[str, Any]:
    return generate_swagger(rich_app(), style=SwaggerStyle.DEPLOY)


def test_paths_methods_and_binary_types(rich: dict[str, Any]) -> None:
    assert list(rich["paths"]) == [
        "/",
        "/items/{item_id}/parts/{part}",
        "/secure",
        "/iam",
        "/custom",
        "/builtin",
        "/plain",
        "/cors",
        "/upload",
    ]
    assert list(rich["paths"]["/"]) == ["get", "post"]
    assert "image/png" in rich["x-amazon-apigateway-binary-media-types"]
    assert rich["paths"]["/upload"]["post"]["consumes"] == ["image/png"]
    assert rich["paths"]["/"]["post"]["consumes"] == ["application/json", "text/plain"]
    assert rich["paths"]["/"]["post"]["produces"] == ["application/json"]


def test_docstrings_give_summary_and_description(rich: dict[str, Any]) -> None:
    index = rich["paths"]["/"]["get"]
    assert index["summary"] == "List the things."
    assert index["description"] == "Returns every thing we know about,\nnewest first."
    item = rich["paths"]["/items/{item_id}/parts/{part}"]["get"]
    assert item["summary"] == "Only a summary."
    assert "description" not in item
    assert "summary" not in rich["paths"]["/iam"]["get"]


def test_path_parameters_and_api_key(rich: dict[str, Any]) -> None:
    op = rich["paths"]["/items/{item_id}/parts/{part}"]["put"]
    assert op["parameters"] == [
        {"name": "item_id", "in": "path", "required": True, "type": "string"},
        {"name": "part", "in": "path", "required": True, "type": "string"},
    ]
    assert op["security"] == [{"api_key": []}]
    assert rich["securityDefinitions"]["api_key"] == {
        "type": "apiKey",
        "name": "x-api-key",
        "in": "header",
    }
    assert "security" not in rich["paths"]["/"]["get"]


def test_authorizer_security_definitions(rich: dict[str, Any]) -> None:
    defs = rich["securityDefinitions"]
    assert defs["sigv4"] == {
        "in": "header",
        "type": "apiKey",
        "name": "Authorization",
        "x-amazon-apigateway-authtype": "awsSigv4",
    }
    assert defs["UserPool"]["x-amazon-apigateway-authtype"] == "cognito_user_pools"
    assert defs["UserPool"]["x-amazon-apigateway-authorizer"] == {
        "type": "cognito_user_pools",
        "providerARNs": ["arn:aws:cognito-idp:us-west-2:123456789012:userpool/p"],
    }
    custom = defs["ExternalAuth"]["x-amazon-apigateway-authorizer"]
    assert custom["authorizerResultTtlInSeconds"] == 60
    assert custom["authorizerCredentials"] == "arn:aws:iam::123456789012:role/invoke"
    assert defs["token_auth"] == {
        "in": "header",
        "type": "apiKey",
        "name": "X-Token",
        "x-amazon-apigateway-authtype": "custom",
        "x-amazon-apigateway-authorizer": {
            "type": "token",
            "authorizerUri": DEPLOY_URI.replace("api_handler", "token_auth"),
            "authorizerCredentials": "arn:aws:iam::123456789012:role/exec",
            "authorizerResultTtlInSeconds": 30,
        },
    }
    # Unset TTL and role are left out (API Gateway applies its defaults).
    assert defs["plain_auth"]["x-amazon-apigateway-authorizer"] == {
        "type": "token",
        "authorizerUri": DEPLOY_URI.replace("api_handler", "plain_auth"),
    }
    assert defs["plain_auth"]["name"] == "Authorization"


def test_method_security_lists_scopes(rich: dict[str, Any]) -> None:
    assert rich["paths"]["/secure"]["get"]["security"] == [{"UserPool": ["read", "write"]}]
    assert rich["paths"]["/iam"]["get"]["security"] == [{"sigv4": []}]
    assert rich["paths"]["/builtin"]["get"]["security"] == [{"token_auth": []}]


def test_cors_preflight_mock_integration(rich: dict[str, Any]) -> None:
    item = rich["paths"]["/items/{item_id}/parts/{part}"]
    options = item["options"]
    integration = options["x-amazon-apigateway-integration"]
    assert integration["type"] == "mock"
    assert integration["requestTemplates"] == {"application/json": '{"statusCode": 200}'}
    params = integration["responses"]["default"]["responseParameters"]
    assert params == {
        "method.response.header.Access-Control-Allow-Methods": "'GET,PUT,OPTIONS'",
        "method.response.header.Access-Control-Allow-Origin": "'*'",
        "method.response.header.Access-Control-Allow-Headers": (
            "'Authorization,Content-Type,X-Amz-Date,X-Amz-Security-Token,X-Api-Key'"
        ),
    }
    assert set(options["responses"]["200"]["headers"]) == {
        "Access-Control-Allow-Methods",
        "Access-Control-Allow-Origin",
        "Access-Control-Allow-Headers",
    }
    assert [p["name"] for p in options["parameters"]] == ["item_id", "part"]


def test_cors_config_headers_and_only_cors_methods(rich: dict[str, Any]) -> None:
    params = rich["paths"]["/cors"]["options"]["x-amazon-apigateway-integration"]["responses"][
        "default"
    ]["responseParameters"]
    assert params["method.response.header.Access-Control-Allow-Methods"] == "'POST,PUT,OPTIONS'"
    assert params["method.response.header.Access-Control-Allow-Origin"] == "'https://example.com'"
    assert params["method.response.header.Access-Control-Expose-Headers"] == "'X-Out'"
    assert params["method.response.header.Access-Control-Max-Age"] == "'600'"
    assert params["method.response.header.Access-Control-Allow-Credentials"] == "'true'"
    assert "X-Special" in params["method.response.header.Access-Control-Allow-Headers"]
    assert "options" not in rich["paths"]["/"]


def test_app_level_cors_default() -> None:
    app = Chalice(app_name="c")
    app.api.cors = True

    @app.route("/x")
    def x() -> None:
        pass

    doc = generate_swagger(app, style=SwaggerStyle.DEPLOY)
    assert "options" in doc["paths"]["/x"]


def test_resource_policy_and_vpc_endpoints() -> None:
    policy_doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]}
    fn = models.LambdaFunction(
        resource_name="api_handler",
        function_name="simple-dev",
        deployment_package=models.DeploymentPackage(),
        handler="app.app",
        runtime="python3.12",
        role=models.PreCreatedIAMRole("arn:aws:iam::1:role/r"),
    )
    rest_api = models.RestAPI(
        resource_name="rest_api",
        swagger_doc=None,
        minimum_compression="",
        api_gateway_stage="api",
        endpoint_type="PRIVATE",
        lambda_function=fn,
        policy=models.IAMPolicy(document=policy_doc),
        vpce_ids=("vpce-1", "vpce-2"),
    )
    doc = generate_swagger(simple_app(), style=SwaggerStyle.DEPLOY, rest_api=rest_api)
    assert doc["x-amazon-apigateway-policy"] == policy_doc
    assert doc["x-amazon-apigateway-endpoint-configuration"] == {
        "vpcEndpointIds": ["vpce-1", "vpce-2"]
    }
    # Not leaking our document into theirs.
    doc["x-amazon-apigateway-policy"]["Statement"].clear()
    assert policy_doc["Statement"]
    plain = generate_swagger(simple_app(), style=SwaggerStyle.DEPLOY)
    assert "x-amazon-apigateway-policy" not in plain
    assert "x-amazon-apigateway-endpoint-configuration" not in plain


def test_cloudformation_uris() -> None:
    doc = generate_swagger(rich_app(), style=SwaggerStyle.CLOUDFORMATION)
    uri = doc["paths"]["/"]["get"]["x-amazon-apigateway-integration"]["uri"]
    assert uri == {
        "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${APIHandler.Arn}/invocations"
    }
    auth = doc["securityDefinitions"]["token_auth"]["x-amazon-apigateway-authorizer"]
    assert auth["authorizerUri"] == {
        "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${TokenAuth.Arn}/invocations"
    }


def test_terraform_uris() -> None:
    doc = generate_swagger(rich_app(), style=SwaggerStyle.TERRAFORM)
    uri = doc["paths"]["/"]["get"]["x-amazon-apigateway-integration"]["uri"]
    assert uri == "${aws_lambda_function.api_handler.invoke_arn}"
    auth = doc["securityDefinitions"]["plain_auth"]["x-amazon-apigateway-authorizer"]
    assert auth["authorizerUri"] == "${aws_lambda_function.plain_auth.invoke_arn}"


def test_render_uris_fills_only_integration_and_authorizer_uris() -> None:
    doc = generate_swagger(rich_app(), style=SwaggerStyle.DEPLOY)
    values = {
        "partition": "aws",
        "region_name": "us-west-2",
        "api_handler_lambda_arn": "arn:aws:lambda:us-west-2:1:function:rich-dev",
        "token_auth_lambda_arn": "arn:aws:lambda:us-west-2:1:function:rich-dev-token_auth",
        "plain_auth_lambda_arn": "arn:aws:lambda:us-west-2:1:function:rich-dev-plain_auth",
    }
    rendered = render_uris(doc, values)
    assert rendered["paths"]["/"]["get"]["x-amazon-apigateway-integration"]["uri"] == (
        "arn:aws:apigateway:us-west-2:lambda:path/2015-03-31/functions/"
        "arn:aws:lambda:us-west-2:1:function:rich-dev/invocations"
    )
    auth = rendered["securityDefinitions"]["token_auth"]["x-amazon-apigateway-authorizer"]
    assert "function:rich-dev-token_auth/invocations" in auth["authorizerUri"]
    # The mock request template and the path templates stay as they are.
    cors = rendered["paths"]["/cors"]["options"]["x-amazon-apigateway-integration"]
    assert cors["requestTemplates"] == {"application/json": '{"statusCode": 200}'}
    assert "/items/{item_id}/parts/{part}" in rendered["paths"]
    # The input is untouched.
    assert doc["paths"]["/"]["get"]["x-amazon-apigateway-integration"]["uri"] == DEPLOY_URI


def test_render_uris_missing_value() -> None:
    doc = generate_swagger(simple_app(), style=SwaggerStyle.DEPLOY)
    with pytest.raises(KeyError, match="api_handler_lambda_arn"):
        render_uris(doc, {"partition": "aws", "region_name": "us-west-2"})


def test_output_is_deterministic() -> None:
    first = json.dumps(generate_swagger(rich_app(), style=SwaggerStyle.DEPLOY))
    second = json.dumps(generate_swagger(rich_app(), style=SwaggerStyle.DEPLOY))
    assert first == second


def test_generate_models_text() -> None:
    text = generate_models_text(simple_app())
    assert text == json.dumps(generate_swagger(simple_app(), style=SwaggerStyle.DEPLOY), indent=4)
    assert "{api_handler_lambda_arn}" in text


def test_generate_models_without_routes() -> None:
    app = Chalice(app_name="empty")
    assert not has_routes(app)
    with pytest.raises(UserError, match="No REST API found to generate model from."):
        generate_models_text(app)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("default-role", "DefaultRole"),
        ("my_function", "MyFunction"),
        ("foo-sqs-event-source", "FooSqsEventSource"),
        ("managed-layer", "ManagedLayer"),
        ("api_handler", "ApiHandler"),
        ("a--b__c", "ABC"),
        ("weird.name!", "Weirdname"),
    ],
)
def test_to_cfn_resource_name(name: str, expected: str) -> None:
    assert to_cfn_resource_name(name) == expected


# -- from the snapshot and the RestAPI model ------------------------------------------


def test_snapshot_and_app_give_the_same_document() -> None:
    from chalice.app import snapshot

    for style in SwaggerStyle:
        assert generate_swagger(snapshot(rich_app()), style=style) == generate_swagger(
            rich_app(), style=style
        )


def test_rest_api_document_is_written_from_the_model(tmp_path: Path) -> None:
    from chalice.config import Config
    from chalice.deploy.graph import build_application

    app = rich_app()
    config = Config.from_dict({"version": "2.0", "app_name": "other"}, project_dir=tmp_path)
    (api,) = [r for r in build_application(app, config).resources if r.resource_name == "rest_api"]
    assert isinstance(api, models.RestAPI)
    for style in SwaggerStyle:
        doc = rest_api_document(api, style=style)
        # The title is the Chalice app_name, as before, not the config's.
        assert doc == generate_swagger(app, style=style, rest_api=api)
        assert doc["info"]["title"] == "rich"
