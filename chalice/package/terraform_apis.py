"""The Terraform emitters of the APIs: REST and websocket APIs with their domains.

Split from ``terraform.py`` (which holds the builder, functions and event
sources); the resource descriptors name ``emit_rest_api`` and
``emit_websocket_api``. Pure: builds dicts, never touches the disk nor AWS.
"""

from __future__ import annotations

from typing import Any

from chalice.deploy import models
from chalice.package.terraform import (
    TerraformBuilder,
    TerraformLayout,
    escape_map,
    fn_arn,
    json_literal,
)

_SWAGGER = "${local.chalice_api_swagger}"
_SWAGGER_MD5 = "${md5(local.chalice_api_swagger)}"


def emit_rest_api(builder: TerraformBuilder, api: models.RestAPI) -> None:
    """The REST API, its deployment, stage, invoke permissions, domain and outputs."""
    builder.swagger = api.swagger_doc or {}
    body: dict[str, Any] = {
        "body": _SWAGGER,
        "name": builder.app_name,
        "binary_media_types": list(
            builder.swagger.get("x-amazon-apigateway-binary-media-types", [])
        ),
        "endpoint_configuration": {"types": [api.endpoint_type]},
    }
    if api.vpce_ids:
        body["endpoint_configuration"]["vpc_endpoint_ids"] = list(api.vpce_ids)
    if api.policy is not None and api.policy.document is not None:
        body["policy"] = json_literal(api.policy.document)
    upstream = builder.layout is TerraformLayout.UPSTREAM
    if api.minimum_compression:
        # A number before provider 5, a string from 5 on (so -1 can disable it).
        size = api.minimum_compression
        body["minimum_compression_size"] = int(size) if upstream else size
    builder.put("aws_api_gateway_rest_api", api.resource_name, body)
    if upstream:
        stage_name = _stage_on_deployment(builder, api)
    else:
        stage_name = _stage_resource(builder, api)
    for name, fn in [("rest_api_invoke", api.lambda_function)] + [
        (f"{auth.resource_name}_invoke", auth) for auth in api.authorizers
    ]:
        builder.put(
            "aws_lambda_permission",
            name,
            {
                "function_name": fn_arn(fn),
                "action": "lambda:InvokeFunction",
                "principal": "apigateway.amazonaws.com",
                "source_arn": "${aws_api_gateway_rest_api.rest_api.execution_arn}/*",
            },
        )
    builder.outputs["RestAPIId"] = {"value": "${aws_api_gateway_rest_api.rest_api.id}"}
    if api.domain_name is not None:
        _add_rest_domain(builder, api.domain_name, stage_name)


def _stage_resource(builder: TerraformBuilder, api: models.RestAPI) -> str:
    """Provider 5 shape: a deployment redeployed by ``triggers``, and a stage resource.

    Returns the reference to the stage name, for the base path mapping.
    """
    builder.put(
        "aws_api_gateway_deployment",
        api.resource_name,
        {
            "rest_api_id": "${aws_api_gateway_rest_api.rest_api.id}",
            "triggers": {"redeployment": _SWAGGER_MD5},
            "lifecycle": {"create_before_destroy": True},
        },
    )
    stage: dict[str, Any] = {
        "rest_api_id": "${aws_api_gateway_rest_api.rest_api.id}",
        "deployment_id": "${aws_api_gateway_deployment.rest_api.id}",
        "stage_name": api.api_gateway_stage,
    }
    if api.xray:
        stage["xray_tracing_enabled"] = True
    builder.put("aws_api_gateway_stage", api.resource_name, stage)
    builder.outputs["EndpointURL"] = {"value": "${aws_api_gateway_stage.rest_api.invoke_url}"}
    return "${aws_api_gateway_stage.rest_api.stage_name}"


def _stage_on_deployment(builder: TerraformBuilder, api: models.RestAPI) -> str:
    """Upstream's shape: the deployment creates the stage and redeploys when the
    swagger changes (``stage_description`` forces a new deployment).

    No X-Ray setting: a deployment cannot carry one (use the current layout).
    """
    builder.put(
        "aws_api_gateway_deployment",
        api.resource_name,
        {
            "rest_api_id": "${aws_api_gateway_rest_api.rest_api.id}",
            "stage_name": api.api_gateway_stage,
            "stage_description": _SWAGGER_MD5,
            "lifecycle": {"create_before_destroy": True},
        },
    )
    builder.outputs["EndpointURL"] = {"value": "${aws_api_gateway_deployment.rest_api.invoke_url}"}
    return "${aws_api_gateway_deployment.rest_api.stage_name}"


def _add_rest_domain(builder: TerraformBuilder, domain: models.DomainName, stage_name: str) -> None:
    name = domain.resource_name
    body: dict[str, Any] = {
        "domain_name": domain.domain_name,
        "endpoint_configuration": {"types": [domain.endpoint_type]},
        "security_policy": domain.tls_version.value,
    }
    edge = domain.endpoint_type == "EDGE"
    body["certificate_arn" if edge else "regional_certificate_arn"] = domain.certificate_arn
    if domain.tags:
        body["tags"] = escape_map(dict(sorted(domain.tags.items())))
    builder.put("aws_api_gateway_domain_name", name, body)
    mapping: dict[str, Any] = {
        "api_id": "${aws_api_gateway_rest_api.rest_api.id}",
        "stage_name": stage_name,
        "domain_name": f"${{aws_api_gateway_domain_name.{name}.domain_name}}",
    }
    if domain.api_mapping.mount_path != "(none)":
        mapping["base_path"] = domain.api_mapping.mount_path
    builder.put("aws_api_gateway_base_path_mapping", f"{name}_mapping", mapping)
    prefix = "cloudfront" if edge else "regional"
    builder.outputs["AliasDomainName"] = {
        "value": f"${{aws_api_gateway_domain_name.{name}.{prefix}_domain_name}}"
    }
    builder.outputs["HostedZoneId"] = {
        "value": f"${{aws_api_gateway_domain_name.{name}.{prefix}_zone_id}}"
    }


def emit_websocket_api(builder: TerraformBuilder, api: models.WebsocketAPI) -> None:
    """The websocket API, its routes, integrations, stage, domain and outputs."""
    api_id = f"${{aws_apigatewayv2_api.{api.resource_name}.id}}"
    builder.put(
        "aws_apigatewayv2_api",
        api.resource_name,
        {
            "name": api.name,
            "route_selection_expression": "$request.body.action",
            "protocol_type": "WEBSOCKET",
        },
    )
    routes: list[str] = []
    for route_key, kind, fn in (
        ("$connect", "connect", api.connect_function),
        ("$default", "message", api.message_function),
        ("$disconnect", "disconnect", api.disconnect_function),
    ):
        if fn is None:
            continue
        integration = f"websocket_{kind}_api_integration"
        builder.put(
            "aws_apigatewayv2_integration",
            integration,
            {
                "api_id": api_id,
                "connection_type": "INTERNET",
                "content_handling_strategy": "CONVERT_TO_TEXT",
                "integration_type": "AWS_PROXY",
                "integration_uri": f"${{aws_lambda_function.{fn.resource_name}.invoke_arn}}",
            },
        )
        builder.put(
            "aws_lambda_permission",
            f"websocket_{kind}_invoke_permission",
            {
                "function_name": f"${{aws_lambda_function.{fn.resource_name}.function_name}}",
                "action": "lambda:InvokeFunction",
                "principal": "apigateway.amazonaws.com",
                "source_arn": f"${{aws_apigatewayv2_api.{api.resource_name}.execution_arn}}/*",
            },
        )
        route = f"websocket_{kind}_route"
        routes.append(f"aws_apigatewayv2_route.{route}")
        builder.put(
            "aws_apigatewayv2_route",
            route,
            {
                "api_id": api_id,
                "route_key": route_key,
                "target": f"integrations/${{aws_apigatewayv2_integration.{integration}.id}}",
            },
        )
        title = kind.capitalize()
        builder.outputs[f"Websocket{title}HandlerArn"] = {"value": fn_arn(fn)}
        builder.outputs[f"Websocket{title}HandlerName"] = {
            "value": f"${{aws_lambda_function.{fn.resource_name}.function_name}}"
        }
    builder.put(
        "aws_apigatewayv2_deployment",
        "websocket_api_deployment",
        {"api_id": api_id, "depends_on": routes},
    )
    builder.put(
        "aws_apigatewayv2_stage",
        "websocket_api_stage",
        {
            "api_id": api_id,
            "deployment_id": "${aws_apigatewayv2_deployment.websocket_api_deployment.id}",
            "name": api.api_gateway_stage,
        },
    )
    if api.domain_name is not None:
        _add_websocket_domain(builder, api.domain_name, api_id)
    builder.outputs["WebsocketAPIId"] = {"value": api_id}
    builder.outputs["WebsocketConnectEndpointURL"] = {
        "value": "${aws_apigatewayv2_stage.websocket_api_stage.invoke_url}/"
    }


def _add_websocket_domain(
    builder: TerraformBuilder, domain: models.DomainName, api_id: str
) -> None:
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
        "api_id": api_id,
        "domain_name": f"${{aws_apigatewayv2_domain_name.{name}.id}}",
        "stage": "${aws_apigatewayv2_stage.websocket_api_stage.id}",
    }
    if domain.api_mapping.mount_path != "(none)":
        mapping["api_mapping_key"] = domain.api_mapping.mount_path
    builder.put("aws_apigatewayv2_api_mapping", f"{name}_mapping", mapping)
    config = f"aws_apigatewayv2_domain_name.{name}.domain_name_configuration[0]"
    builder.outputs["WebsocketAliasDomainName"] = {"value": f"${{{config}.target_domain_name}}"}
    builder.outputs["WebsocketHostedZoneId"] = {"value": f"${{{config}.hosted_zone_id}}"}
