"""The SAM emitters of HTTP APIs and function URLs.

An ``HttpApi`` becomes an ``AWS::Serverless::HttpApi`` (stage, CORS,
authorizers) plus one ``HttpApi`` event per route on the API handler; SAM
then makes the routes, the payload 2.0 integration and the invoke
permissions. A ``FunctionUrl`` becomes the function's ``FunctionUrlConfig``:
for an ``AuthType: NONE`` URL, SAM's transform adds both public statements
AWS requires since October 2025 (``lambda:InvokeFunctionUrl``, and
``lambda:InvokeFunction`` with ``InvokedViaFunctionUrl``; aws-sam-translator
1.110.0 makes ``<Fn>UrlPublicPermissions`` and
``<Fn>URLInvokeAllowPublicAccess``), so the template adds none of its own,
which would only duplicate them. Pure: builds dicts, never touches the disk
nor AWS.
"""

from __future__ import annotations

import re
from typing import Any

from chalice.deploy import models
from chalice.package.sam import SAMBuilder, get_att, logical_id, ref, sub

HTTP_API_ID = "HttpApi"
_DEFAULT_STAGE = "$default"


def _authorizer(auth: models.HttpApiAuthorizer) -> dict[str, Any]:
    if auth.kind is models.HttpAuthorizerKind.JWT:
        return {
            "IdentitySource": auth.identity_source[0],
            "JwtConfiguration": {"issuer": auth.issuer, "audience": list(auth.audience)},
        }
    headers = [s.rsplit(".", 1)[-1] for s in auth.identity_source if ".header." in s]
    body: dict[str, Any] = {
        "FunctionArn": get_att(logical_id(auth.function or ""), "Arn"),
        "AuthorizerPayloadFormatVersion": "2.0",
        "EnableSimpleResponses": auth.simple_responses,
        "Identity": {"Headers": headers, "ReauthorizeEvery": auth.ttl_seconds},
    }
    if auth.invoke_role_arn:
        body["FunctionInvokeRole"] = auth.invoke_role_arn
    return body


def _event_id(route_key: str) -> str:
    """``GET /users/{id}`` -> ``HttpGetUsersId`` (an alphanumeric SAM event id)."""
    words = re.findall(r"[A-Za-z0-9]+", route_key.replace("ANY", "Any"))
    return "Http" + "".join(w[:1].upper() + w[1:] for w in words)


def emit_http_api(builder: SAMBuilder, api: models.HttpApi) -> None:
    """``AWS::Serverless::HttpApi``, one ``HttpApi`` event per route, outputs."""
    props: dict[str, Any] = {"StageName": api.api_gateway_stage}
    access_log = api.stage_settings.access_log_settings()
    if access_log is not None:
        props["AccessLogSettings"] = access_log
    throttling = api.stage_settings.throttling()
    if throttling:
        props["DefaultRouteSettings"] = throttling
    if api.cors is not None:
        props["CorsConfiguration"] = api.cors.to_aws()
    auth: dict[str, Any] = {}
    if api.authorizers:
        auth["Authorizers"] = {a.name: _authorizer(a) for a in api.authorizers}
    if any(r.authorization is models.HttpAuthorizerKind.IAM for r in api.routes):
        auth["EnableIamAuthorizer"] = True
    if auth:
        props["Auth"] = auth
    builder.put(
        HTTP_API_ID, api.resource_name, {"Type": "AWS::Serverless::HttpApi", "Properties": props}
    )
    for route in api.routes:
        method, path = route.route_key.split(" ", 1)
        event: dict[str, Any] = {
            "ApiId": ref(HTTP_API_ID),
            "Method": method,
            "Path": path,
            "PayloadFormatVersion": "2.0",
        }
        if route.authorization is models.HttpAuthorizerKind.IAM:
            event["Auth"] = {"Authorizer": "AWS_IAM"}
        elif route.authorizer is not None:
            event["Auth"] = {"Authorizer": route.authorizer}
            if route.scopes and route.authorization is models.HttpAuthorizerKind.JWT:
                event["Auth"]["AuthorizationScopes"] = list(route.scopes)
        builder.add_event(
            _event_id(route.route_key),
            api.lambda_function,
            {"Type": "HttpApi", "Properties": event},
        )
    path = "" if api.api_gateway_stage == _DEFAULT_STAGE else f"{api.api_gateway_stage}/"
    builder.outputs["HttpApiURL"] = {
        "Value": sub(
            f"https://${{{HTTP_API_ID}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/{path}"
        )
    }
    builder.outputs["HttpApiId"] = {"Value": ref(HTTP_API_ID)}
    if api.domain_name is not None:
        _add_domain(builder, api.domain_name)


def emit_function_url(builder: SAMBuilder, url: models.FunctionUrl) -> None:
    """The function's ``FunctionUrlConfig`` and its URL as an output."""
    fid = logical_id(url.lambda_function.resource_name)
    config: dict[str, Any] = {"AuthType": url.auth_type}
    if url.cors is not None:
        config["Cors"] = url.cors.to_aws()
    builder.resources[fid]["Properties"]["FunctionUrlConfig"] = config
    # SAM names the generated AWS::Lambda::Url resource <function id>Url.
    builder.outputs[f"{fid}FunctionUrl"] = {"Value": get_att(f"{fid}Url", "FunctionUrl")}


def _add_domain(builder: SAMBuilder, domain: models.DomainName) -> None:
    """A regional v2 domain and its API mapping to the HttpApi's stage, with outputs."""
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
        did, domain.resource_name, {"Type": "AWS::ApiGatewayV2::DomainName", "Properties": props}
    )
    # ``<api>.Stage`` is SAM's reference to the stage it generates for the HttpApi.
    mapping: dict[str, Any] = {
        "DomainName": ref(did),
        "ApiId": ref(HTTP_API_ID),
        "Stage": ref(f"{HTTP_API_ID}.Stage"),
    }
    if domain.api_mapping.mount_path != "(none)":
        mapping["ApiMappingKey"] = domain.api_mapping.mount_path
    builder.put(
        f"{did}Mapping",
        f"{domain.resource_name} mapping",
        {"Type": "AWS::ApiGatewayV2::ApiMapping", "Properties": mapping},
    )
    builder.outputs["HttpApiAliasDomainName"] = {"Value": get_att(did, "RegionalDomainName")}
    builder.outputs["HttpApiHostedZoneId"] = {"Value": get_att(did, "RegionalHostedZoneId")}
