"""The tests' Swagger 2.0 -> OpenAPI 3.0.1 converter, and moto importing Swagger 2.0.

Chalice deploys Swagger 2.0; moto imports only OpenAPI 3, so the fidelity
layer converts inside the moto process. These tests keep that converter
honest (valid OpenAPI 3, nothing lost) and check moto now answers the
Swagger 2.0 import calls as API Gateway does.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation import OpenAPIV2SpecValidator

from chalice.build.swagger import SwaggerStyle, generate_swagger, render_uris
from tests.build.test_swagger import rich_app
from tests.deploy.e2e import moto_fidelity
from tests.deploy.e2e.swagger2_for_moto import to_openapi3

LAMBDA_ARN = "arn:aws:lambda:us-west-2:123456789012:function:{}"
VALUES = {
    "partition": "aws",
    "region_name": "us-west-2",
    "api_handler_lambda_arn": LAMBDA_ARN.format("rich-dev"),
    "token_auth_lambda_arn": LAMBDA_ARN.format("rich-dev-token_auth"),
    "plain_auth_lambda_arn": LAMBDA_ARN.format("rich-dev-plain_auth"),
}


@pytest.fixture
def swagger() -> dict[str, Any]:
    doc = generate_swagger(rich_app(), style=SwaggerStyle.DEPLOY)
    doc["x-amazon-apigateway-policy"] = {"Version": "2012-10-17", "Statement": []}
    doc["x-amazon-apigateway-endpoint-configuration"] = {"vpcEndpointIds": ["vpce-1"]}
    return render_uris(doc, VALUES)


def test_generated_swagger_is_valid_swagger_2(swagger: dict[str, Any]) -> None:
    OpenAPIV2SpecValidator(swagger).validate()


def test_converted_document_is_valid_openapi_3(swagger: dict[str, Any]) -> None:
    converted = to_openapi3(swagger)
    validate(converted)
    assert converted["openapi"] == "3.0.1"


def test_input_is_not_mutated(swagger: dict[str, Any]) -> None:
    before = copy.deepcopy(swagger)
    to_openapi3(swagger)
    assert swagger == before


def test_info_always_has_a_description(swagger: dict[str, Any]) -> None:
    info = to_openapi3(swagger)["info"]
    assert info["title"] == "rich"
    assert info["version"] == "1.0"
    assert info["description"]
    given = dict(swagger, info={"title": "t", "version": "2", "description": "mine"})
    assert to_openapi3(given)["info"]["description"] == "mine"


def test_extensions_are_preserved(swagger: dict[str, Any]) -> None:
    converted = to_openapi3(swagger)
    for key in (
        "x-amazon-apigateway-binary-media-types",
        "x-amazon-apigateway-policy",
        "x-amazon-apigateway-endpoint-configuration",
    ):
        assert converted[key] == swagger[key]
    assert converted["servers"][0]["x-amazon-apigateway-endpoint-configuration"] == {
        "vpcEndpointIds": ["vpce-1"]
    }
    get = converted["paths"]["/"]["get"]
    assert (
        get["x-amazon-apigateway-integration"]
        == (swagger["paths"]["/"]["get"]["x-amazon-apigateway-integration"])
    )
    assert get["summary"] == "List the things."
    options = converted["paths"]["/cors"]["options"]
    assert options["x-amazon-apigateway-integration"]["type"] == "mock"


def test_definitions_and_security_move_to_components(swagger: dict[str, Any]) -> None:
    converted = to_openapi3(swagger)
    assert "definitions" not in converted
    assert "securityDefinitions" not in converted
    assert converted["components"]["schemas"] == swagger["definitions"]
    assert converted["components"]["securitySchemes"] == swagger["securityDefinitions"]
    assert "#/definitions/" not in json.dumps(converted)
    response = converted["paths"]["/"]["get"]["responses"]["200"]
    assert response["content"] == {
        "application/json": {"schema": {"$ref": "#/components/schemas/Empty"}}
    }
    assert converted["paths"]["/secure"]["get"]["security"] == [{"UserPool": ["read", "write"]}]


def test_consumes_become_request_body_for_methods_with_a_body(swagger: dict[str, Any]) -> None:
    converted = to_openapi3(swagger)
    post = converted["paths"]["/"]["post"]
    assert set(post["requestBody"]["content"]) == {"application/json", "text/plain"}
    assert "requestBody" not in converted["paths"]["/"]["get"]
    assert "consumes" not in post and "produces" not in post
    upload = converted["paths"]["/upload"]["post"]
    assert list(upload["requestBody"]["content"]) == ["image/png"]


def test_path_parameters_get_a_schema(swagger: dict[str, Any]) -> None:
    converted = to_openapi3(swagger)
    params = converted["paths"]["/items/{item_id}/parts/{part}"]["get"]["parameters"]
    assert params == [
        {"name": "item_id", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "part", "in": "path", "required": True, "schema": {"type": "string"}},
    ]


def test_response_headers_get_a_schema(swagger: dict[str, Any]) -> None:
    converted = to_openapi3(swagger)
    headers = converted["paths"]["/cors"]["options"]["responses"]["200"]["headers"]
    assert headers["Access-Control-Allow-Origin"] == {"schema": {"type": "string"}}


def test_body_parameter_and_other_security_kinds() -> None:
    doc = {
        "swagger": "2.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/p": {
                "post": {
                    "parameters": [
                        {"name": "body", "in": "body", "schema": {"$ref": "#/definitions/M"}},
                        {"name": "q", "in": "query", "type": "integer"},
                    ],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
        "definitions": {"M": {"type": "object"}},
        "securityDefinitions": {
            "basic": {"type": "basic"},
            "oauth": {
                "type": "oauth2",
                "flow": "accessCode",
                "authorizationUrl": "https://a",
                "tokenUrl": "https://t",
                "scopes": {"r": "read"},
            },
        },
    }
    converted = to_openapi3(doc)
    validate(converted)
    op = converted["paths"]["/p"]["post"]
    assert op["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/M"
    }
    assert op["parameters"] == [{"name": "q", "in": "query", "schema": {"type": "integer"}}]
    schemes = converted["components"]["securitySchemes"]
    assert schemes["basic"] == {"type": "http", "scheme": "basic"}
    assert schemes["oauth"]["flows"]["authorizationCode"]["tokenUrl"] == "https://t"


def test_moto_imports_swagger_2_as_api_gateway_does(aws_env: str, swagger: dict[str, Any]) -> None:
    """ImportRestApi/PutRestApi with the exact Swagger 2.0 chalice sends (CORS included)."""
    import botocore.session

    moto_fidelity.apply()
    client = botocore.session.get_session().create_client("apigateway", region_name="us-west-2")
    api = client.import_rest_api(
        parameters={"endpointConfigurationTypes": "REGIONAL"}, body=json.dumps(swagger).encode()
    )
    assert api["name"] == "rich"
    assert api["endpointConfiguration"]["types"] == ["REGIONAL"]
    assert api["endpointConfiguration"]["vpcEndpointIds"] == ["vpce-1"]
    assert api["binaryMediaTypes"] == swagger["x-amazon-apigateway-binary-media-types"]
    assert json.loads(api["policy"]) == swagger["x-amazon-apigateway-policy"]
    resources = {r["path"]: r for r in client.get_resources(restApiId=api["id"])["items"]}
    item = resources["/items/{item_id}/parts/{part}"]
    assert set(item["resourceMethods"]) == {"GET", "PUT", "OPTIONS"}
    preflight = client.get_integration(
        restApiId=api["id"], resourceId=item["id"], httpMethod="OPTIONS"
    )
    assert preflight["type"].upper() == "MOCK"
    integration = client.get_integration(
        restApiId=api["id"], resourceId=resources["/"]["id"], httpMethod="GET"
    )
    assert integration["type"].upper() == "AWS_PROXY"
    assert (
        integration["uri"] == swagger["paths"]["/"]["get"]["x-amazon-apigateway-integration"]["uri"]
    )
    # A redeploy overwrites the definition in place; the endpoint type stays.
    smaller = copy.deepcopy(swagger)
    del smaller["paths"]["/secure"]
    answer = client.put_rest_api(
        restApiId=api["id"], mode="overwrite", body=json.dumps(smaller).encode()
    )
    assert answer["endpointConfiguration"]["types"] == ["REGIONAL"]
    paths = {r["path"] for r in client.get_resources(restApiId=api["id"])["items"]}
    assert "/secure" not in paths and "/items/{item_id}/parts/{part}" in paths
