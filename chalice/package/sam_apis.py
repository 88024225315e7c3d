"""The SAM emitters of the APIs: REST and websocket APIs with their custom domains.

Split from ``sam.py`` (which holds the builder, functions and event
sources); the resource descriptors name ``emit_rest_api`` and
``emit_websocket_api``. Pure: builds dicts, never touches the disk nor AWS.
"""

from __future__ import annotations

from typing import Any

from chalice.deploy import models
from chalice.errors import PackageError
from chalice.package.sam import SAMBuilder, get_att, logical_id, ref, sub

REST_API_ID = "RestAPI"
WEBSOCKET_API_ID = "WebsocketAPI"

_EXECUTE_API_SOURCE_ARN = (
    "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${%s}/*"
)
_WEBSOCKET_INTEGRATION_URI = (
    "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
    "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:"
    "${WebsocketHandler}/invocations"
)


def _add_invoke_permission(
    builder: SAMBuilder, pid: str, owner: str, function_name: Any, api_id: str, api_param: str
) -> None:
    builder.put(
        pid,
        owner,
        {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "FunctionName": function_name,
                "Action": "lambda:InvokeFunction",
                "Principal": "apigateway.amazonaws.com",
                "SourceArn": {
                    "Fn::Sub": [_EXECUTE_API_SOURCE_ARN % api_param, {api_param: ref(api_id)}]
                },
            },
        },
    )


def emit_rest_api(builder: SAMBuilder, api: models.RestAPI) -> None:
    """``AWS::Serverless::Api``, invoke permissions, custom domain and outputs."""
    if api.swagger_doc is None:
        raise PackageError(
            "The REST API's swagger document was not built.",
            where="rest_api",
            fix="this is a bug in chalice: the build stage must fill swagger_doc",
        )
    props: dict[str, Any] = {
        "EndpointConfiguration": api.endpoint_type,
        "StageName": api.api_gateway_stage,
        "DefinitionBody": api.swagger_doc,
    }
    if api.minimum_compression:
        props["MinimumCompressionSize"] = int(api.minimum_compression)
    if api.xray:
        props["TracingEnabled"] = True
    builder.put(
        REST_API_ID, api.resource_name, {"Type": "AWS::Serverless::Api", "Properties": props}
    )
    handler_id = logical_id(api.lambda_function.resource_name)
    _add_invoke_permission(
        builder,
        f"{handler_id}InvokePermission",
        "rest_api_invoke",
        ref(handler_id),
        REST_API_ID,
        "RestAPIId",
    )
    for auth in api.authorizers:
        auth_id = logical_id(auth.resource_name)
        _add_invoke_permission(
            builder,
            f"{auth_id}InvokePermission",
            f"{auth.resource_name}_invoke",
            get_att(auth_id, "Arn"),
            REST_API_ID,
            "RestAPIId",
        )
    if api.domain_name is not None:
        _add_rest_domain(builder, api.domain_name)
    builder.outputs.update(
        {
            "RestAPIId": {"Value": ref(REST_API_ID)},
            "APIHandlerName": {"Value": ref(handler_id)},
            "APIHandlerArn": {"Value": get_att(handler_id, "Arn")},
            "EndpointURL": {
                "Value": sub(
                    f"https://${{{REST_API_ID}}}.execute-api.${{AWS::Region}}"
                    f".${{AWS::URLSuffix}}/{api.api_gateway_stage}/"
                )
            },
        }
    )


def _add_rest_domain(builder: SAMBuilder, domain: models.DomainName) -> None:
    did = logical_id(domain.resource_name)
    props: dict[str, Any] = {
        "DomainName": domain.domain_name,
        "EndpointConfiguration": {"Types": [domain.endpoint_type]},
    }
    if domain.endpoint_type == "EDGE":
        props["CertificateArn"] = domain.certificate_arn
    else:
        props["RegionalCertificateArn"] = domain.certificate_arn
    props["SecurityPolicy"] = domain.tls_version.value
    if domain.tags:
        props["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(domain.tags.items())]
    builder.put(
        did, domain.resource_name, {"Type": "AWS::ApiGateway::DomainName", "Properties": props}
    )
    mapping: dict[str, Any] = {
        "DomainName": ref(did),
        "RestApiId": ref(REST_API_ID),
    }
    if domain.api_mapping.mount_path != "(none)":
        mapping["BasePath"] = domain.api_mapping.mount_path
    # ``RestAPI.Stage`` is SAM's reference to the stage it generates; a
    # literal stage name would let CloudFormation create the mapping
    # before the stage exists.
    mapping["Stage"] = ref(f"{REST_API_ID}.Stage")
    builder.put(
        f"{did}Mapping",
        f"{domain.resource_name} mapping",
        {"Type": "AWS::ApiGateway::BasePathMapping", "Properties": mapping},
    )
    # For the DNS alias record (as Terraform's outputs and ``chalice deploy`` give).
    edge = domain.endpoint_type == "EDGE"
    builder.outputs["AliasDomainName"] = {
        "Value": get_att(did, "DistributionDomainName" if edge else "RegionalDomainName")
    }
    builder.outputs["HostedZoneId"] = {
        "Value": get_att(did, "DistributionHostedZoneId" if edge else "RegionalHostedZoneId")
    }


def emit_websocket_api(builder: SAMBuilder, api: models.WebsocketAPI) -> None:
    """The websocket API, its routes, integrations, stage, domain and outputs."""
    builder.put(
        WEBSOCKET_API_ID,
        api.resource_name,
        {
            "Type": "AWS::ApiGatewayV2::Api",
            "Properties": {
                "Name": api.name,
                "RouteSelectionExpression": "$request.body.action",
                "ProtocolType": "WEBSOCKET",
            },
        },
    )
    handlers = [
        ("$connect", "Connect", api.connect_function),
        ("$default", "Message", api.message_function),
        ("$disconnect", "Disconnect", api.disconnect_function),
    ]
    route_ids: list[str] = []
    for route_key, kind, fn in handlers:
        if fn is None:
            continue
        fid = logical_id(fn.resource_name)
        integration_id = f"Websocket{kind}APIIntegration"
        builder.put(
            integration_id,
            f"{fn.resource_name} integration",
            {
                "Type": "AWS::ApiGatewayV2::Integration",
                "Properties": {
                    "ApiId": ref(WEBSOCKET_API_ID),
                    "ConnectionType": "INTERNET",
                    "ContentHandlingStrategy": "CONVERT_TO_TEXT",
                    "IntegrationType": "AWS_PROXY",
                    "IntegrationUri": {
                        "Fn::Sub": [_WEBSOCKET_INTEGRATION_URI, {"WebsocketHandler": ref(fid)}]
                    },
                },
            },
        )
        _add_invoke_permission(
            builder,
            f"Websocket{kind}InvokePermission",
            f"{fn.resource_name} permission",
            ref(fid),
            WEBSOCKET_API_ID,
            "WebsocketAPIId",
        )
        route_id = f"Websocket{kind}Route"
        route_ids.append(route_id)
        builder.put(
            route_id,
            f"{fn.resource_name} route",
            {
                "Type": "AWS::ApiGatewayV2::Route",
                "Properties": {
                    "ApiId": ref(WEBSOCKET_API_ID),
                    "RouteKey": route_key,
                    "Target": {"Fn::Join": ["/", ["integrations", ref(integration_id)]]},
                },
            },
        )
        builder.outputs[f"Websocket{kind}HandlerArn"] = {"Value": get_att(fid, "Arn")}
        builder.outputs[f"Websocket{kind}HandlerName"] = {"Value": ref(fid)}
    builder.put(
        "WebsocketAPIDeployment",
        "websocket deployment",
        {
            "Type": "AWS::ApiGatewayV2::Deployment",
            "DependsOn": route_ids,
            "Properties": {"ApiId": ref(WEBSOCKET_API_ID)},
        },
    )
    builder.put(
        "WebsocketAPIStage",
        "websocket stage",
        {
            "Type": "AWS::ApiGatewayV2::Stage",
            "Properties": {
                "ApiId": ref(WEBSOCKET_API_ID),
                "DeploymentId": ref("WebsocketAPIDeployment"),
                "StageName": api.api_gateway_stage,
            },
        },
    )
    if api.domain_name is not None:
        _add_websocket_domain(builder, api.domain_name)
    builder.outputs["WebsocketAPIId"] = {"Value": ref(WEBSOCKET_API_ID)}
    builder.outputs["WebsocketConnectEndpointURL"] = {
        "Value": sub(
            f"wss://${{{WEBSOCKET_API_ID}}}.execute-api.${{AWS::Region}}"
            f".${{AWS::URLSuffix}}/{api.api_gateway_stage}/"
        )
    }


def _add_websocket_domain(builder: SAMBuilder, domain: models.DomainName) -> None:
    did = logical_id(domain.resource_name)
    props: dict[str, Any] = {
        "DomainName": domain.domain_name,
        "DomainNameConfigurations": [
            {
                "CertificateArn": domain.certificate_arn,
                "EndpointType": "REGIONAL",
                "SecurityPolicy": domain.tls_version.value,
            }
        ],
    }
    if domain.tags:
        props["Tags"] = dict(sorted(domain.tags.items()))
    builder.put(
        did,
        domain.resource_name,
        {"Type": "AWS::ApiGatewayV2::DomainName", "Properties": props},
    )
    mapping: dict[str, Any] = {
        "DomainName": ref(did),
        "ApiId": ref(WEBSOCKET_API_ID),
        "Stage": ref("WebsocketAPIStage"),
    }
    if domain.api_mapping.mount_path != "(none)":
        mapping["ApiMappingKey"] = domain.api_mapping.mount_path
    builder.put(
        f"{did}Mapping",
        f"{domain.resource_name} mapping",
        {"Type": "AWS::ApiGatewayV2::ApiMapping", "Properties": mapping},
    )
    builder.outputs["WebsocketAliasDomainName"] = {"Value": get_att(did, "RegionalDomainName")}
    builder.outputs["WebsocketHostedZoneId"] = {"Value": get_att(did, "RegionalHostedZoneId")}
