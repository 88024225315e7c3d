"""The Terraform emitters of HTTP APIs and function URLs (``hashicorp/aws`` 5.x).

An ``HttpApi`` becomes ``aws_apigatewayv2_api`` (CORS), one payload 2.0
``aws_apigatewayv2_integration``, an ``aws_apigatewayv2_authorizer`` per
authorizer, an ``aws_apigatewayv2_route`` per route, an auto-deploying
``aws_apigatewayv2_stage`` and the ``aws_lambda_permission`` of each function
the API invokes. A ``FunctionUrl`` becomes ``aws_lambda_function_url`` (plus
the public ``lambda:InvokeFunctionUrl`` permission of an ``AuthType: NONE``
URL). The second statement AWS requires of such a URL since October 2025
(``lambda:InvokeFunction`` with ``lambda:InvokedViaFunctionUrl``) needs
``aws_lambda_permission``'s ``invoked_via_function_url``, which 5.x does not
have (the 5.100.0 schema refuses it), and a plain public
``lambda:InvokeFunction`` would let anyone invoke the function directly: it
is left out, and ``docs/http-apis.rst`` says how to add it. Pure: builds
dicts, never touches the disk nor AWS.
"""

from __future__ import annotations

import re
from typing import Any

from chalice.deploy import models
from chalice.package.terraform import TerraformBuilder, escape_map, fn_arn

_API = "${aws_apigatewayv2_api.http_api.id}"
_ROUTE_AUTH = {
    models.HttpAuthorizerKind.JWT: "JWT",
    models.HttpAuthorizerKind.LAMBDA: "CUSTOM",
    models.HttpAuthorizerKind.IAM: "AWS_IAM",
}


def _cors(cors: models.CorsSettings) -> dict[str, Any]:
    """A ``cors_configuration``/``cors`` block (snake_case keys of the AWS shape)."""
    return {
        re.sub(r"(?<!^)([A-Z])", r"_\1", key).lower(): value for key, value in cors.to_aws().items()
    }


def _name(text: str) -> str:
    """A Terraform resource name for a route key or authorizer name."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", text).strip("_") or "root"


def _route_name(route_key: str) -> str:
    """``GET /users/{name}`` -> ``GET_users_name``; ``GET /`` -> ``GET_root``."""
    method, path = route_key.split(" ", 1)
    slug = _name(path)
    return f"{method}_{slug}"


def _function_ref(resource_name: str, attr: str) -> str:
    return f"${{aws_lambda_function.{resource_name}.{attr}}}"


def emit_http_api(builder: TerraformBuilder, api: models.HttpApi) -> None:
    """The HTTP API and everything it is made of, plus its URL as an output."""
    body: dict[str, Any] = {"name": api.name, "protocol_type": "HTTP"}
    if api.cors is not None:
        body["cors_configuration"] = _cors(api.cors)
    builder.put("aws_apigatewayv2_api", api.resource_name, body)
    builder.put(
        "aws_apigatewayv2_integration",
        api.resource_name,
        {
            "api_id": _API,
            "integration_type": "AWS_PROXY",
            "integration_uri": fn_arn(api.lambda_function),
            "payload_format_version": "2.0",
        },
    )
    invoked = [api.lambda_function.resource_name]
    for auth in api.authorizers:
        item: dict[str, Any] = {
            "api_id": _API,
            "name": auth.name,
            "authorizer_type": auth.kind.value,
            "identity_sources": list(auth.identity_source),
        }
        if auth.kind is models.HttpAuthorizerKind.JWT:
            item["jwt_configuration"] = {"issuer": auth.issuer, "audience": list(auth.audience)}
        else:
            item["authorizer_uri"] = _function_ref(auth.function or "", "invoke_arn")
            item["authorizer_payload_format_version"] = "2.0"
            item["enable_simple_responses"] = auth.simple_responses
            item["authorizer_result_ttl_in_seconds"] = auth.ttl_seconds
            if auth.invoke_role_arn:
                item["authorizer_credentials_arn"] = auth.invoke_role_arn
            if auth.function and auth.function not in invoked:
                invoked.append(auth.function)
        builder.put("aws_apigatewayv2_authorizer", _name(auth.name), item)
    for route in api.routes:
        item = {
            "api_id": _API,
            "route_key": route.route_key,
            "target": f"integrations/${{aws_apigatewayv2_integration.{api.resource_name}.id}}",
        }
        if route.authorization is not None:
            item["authorization_type"] = _ROUTE_AUTH[route.authorization]
        if route.authorizer is not None:
            item["authorizer_id"] = f"${{aws_apigatewayv2_authorizer.{_name(route.authorizer)}.id}}"
        if route.scopes and route.authorization is models.HttpAuthorizerKind.JWT:
            item["authorization_scopes"] = list(route.scopes)
        builder.put("aws_apigatewayv2_route", _route_name(route.route_key), item)
    stage: dict[str, Any] = {"api_id": _API, "name": api.api_gateway_stage, "auto_deploy": True}
    settings = api.stage_settings
    if settings.access_log_destination is not None:
        stage["access_log_settings"] = {
            "destination_arn": settings.access_log_destination,
            # "$context..." is not Terraform interpolation ("${" is): no escaping.
            "format": settings.access_log_format,
        }
    if settings.throttling():
        stage["default_route_settings"] = {
            "throttling_burst_limit": settings.throttling_burst_limit,
            "throttling_rate_limit": settings.throttling_rate_limit,
        }
    builder.put("aws_apigatewayv2_stage", api.resource_name, stage)
    for name in invoked:
        builder.put(
            "aws_lambda_permission",
            f"{name}_http_api_invoke",
            {
                "function_name": _function_ref(name, "arn"),
                "action": "lambda:InvokeFunction",
                "principal": "apigateway.amazonaws.com",
                "source_arn": "${aws_apigatewayv2_api.http_api.execution_arn}/*",
            },
        )
    builder.outputs["HttpApiURL"] = {
        "value": f"${{aws_apigatewayv2_stage.{api.resource_name}.invoke_url}}"
    }
    builder.outputs["HttpApiId"] = {"value": _API}
    if api.domain_name is not None:
        _add_domain(builder, api.domain_name, api.resource_name)


def _add_domain(builder: TerraformBuilder, domain: models.DomainName, api: str) -> None:
    """A regional v2 domain, its API mapping to the stage, and its alias target outputs."""
    name = domain.resource_name
    body: dict[str, Any] = {
        "domain_name": domain.domain_name,
        "domain_name_configuration": {
            "certificate_arn": domain.certificate_arn,
            "endpoint_type": "REGIONAL",
            "security_policy": domain.tls_version.value,
        },
    }
    if domain.tags:
        body["tags"] = escape_map(dict(sorted(domain.tags.items())))
    builder.put("aws_apigatewayv2_domain_name", name, body)
    mapping: dict[str, Any] = {
        "api_id": _API,
        "domain_name": f"${{aws_apigatewayv2_domain_name.{name}.id}}",
        "stage": f"${{aws_apigatewayv2_stage.{api}.id}}",
    }
    if domain.api_mapping.mount_path != "(none)":
        mapping["api_mapping_key"] = domain.api_mapping.mount_path
    builder.put("aws_apigatewayv2_api_mapping", f"{name}_mapping", mapping)
    config = f"aws_apigatewayv2_domain_name.{name}.domain_name_configuration[0]"
    builder.outputs["HttpApiAliasDomainName"] = {"value": f"${{{config}.target_domain_name}}"}
    builder.outputs["HttpApiHostedZoneId"] = {"value": f"${{{config}.hosted_zone_id}}"}


def emit_function_url(builder: TerraformBuilder, url: models.FunctionUrl) -> None:
    """``aws_lambda_function_url`` (and the public permission of a NONE URL)."""
    fn = url.lambda_function
    body: dict[str, Any] = {"function_name": fn_arn(fn), "authorization_type": url.auth_type}
    if url.cors is not None:
        body["cors"] = _cors(url.cors)
    builder.put("aws_lambda_function_url", fn.resource_name, body)
    if url.auth_type == "NONE":
        builder.put(
            "aws_lambda_permission",
            f"{fn.resource_name}_function_url",
            {
                "function_name": fn_arn(fn),
                "action": "lambda:InvokeFunctionUrl",
                "principal": "*",
                "function_url_auth_type": "NONE",
            },
        )
    builder.outputs[f"{fn.resource_name}_function_url"] = {
        "value": f"${{aws_lambda_function_url.{fn.resource_name}.function_url}}"
    }
