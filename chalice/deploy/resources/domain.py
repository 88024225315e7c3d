"""The ``domain_name`` type: custom domain names and their API mappings.

REST APIs use API Gateway v1 domains with base path mappings; websocket and
HTTP APIs use v2 domains (always REGIONAL) with API mappings. The domain step runs
after its API (it needs the API id) and records the mappings in the domain's
entry (``api_mapping``: ``[{"key": "/" | "/<prefix>"}]``), as upstream does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from chalice.deploy.emitters import sam, terraform
from chalice.deploy.plan import Action, Step, StepContext, diff
from chalice.deploy.resources.base import PlanContext
from chalice.deploy.typekit import (
    APIType,
    DeleteTier,
    ResourceDescriptor,
    ResourceType,
    StateRecord,
    TLSVersion,
)

if TYPE_CHECKING:
    from chalice.deploy.models import Resource


@attrs.frozen
class APIMapping:
    resource_name: str  # "api_mapping"
    mount_path: str  # "(none)" for "/" or no prefix, else the prefix without slashes
    api_gateway_stage: str

    def dependencies(self) -> list[Resource]:
        return []


@attrs.frozen
class DomainName:
    resource_name: str  # "api_gateway_custom_domain" | "websocket_api_custom_domain"
    domain_name: str
    protocol: APIType
    certificate_arn: str
    api_mapping: APIMapping
    tls_version: TLSVersion = TLSVersion.TLS_1_2
    tags: dict[str, str] | None = None
    endpoint_type: str = "EDGE"  # websocket domains are always REGIONAL
    resource_type: ResourceType = ResourceType.DOMAIN_NAME

    def dependencies(self) -> list[Resource]:
        return []


class DomainNameRecord(StateRecord):
    """``domain_name``: a custom domain and its API mapping (``[{"key": "/"}]``)."""

    RESOURCE_TYPE: ClassVar[ResourceType] = ResourceType.DOMAIN_NAME
    name: str
    hosted_zone_id: str | None = None
    alias_domain_name: str | None = None
    certificate_arn: str | None = None
    security_policy: str | None = None
    domain_name: str | None = None
    api_mapping: list[dict[str, str]] | None = None


WEBSOCKET_DOMAIN = "websocket_api_custom_domain"
HTTP_API_DOMAIN = "http_api_custom_domain"
# protocol -> (the API's resource name, its id key in the state file)
_API_OF = {
    APIType.HTTP: ("rest_api", "rest_api_id"),
    APIType.WEBSOCKET: ("websocket_api", "websocket_api_id"),
    APIType.HTTP_API: ("http_api", "http_api_id"),
}


def api_resource_of(model: DomainName) -> str:
    """The resource name of the API this domain maps to."""
    return _API_OF[model.protocol][0]


def _key(mount_path: str) -> str:
    return "/" if mount_path in ("(none)", "", "/") else "/" + mount_path.strip("/")


def _rest_values(d: Mapping[str, Any], model: DomainName) -> DomainNameRecord:
    return DomainNameRecord(
        model.resource_name,
        hosted_zone_id=d.get("distributionHostedZoneId") or d.get("regionalHostedZoneId"),
        alias_domain_name=d.get("distributionDomainName") or d.get("regionalDomainName"),
        certificate_arn=d.get("certificateArn")
        or d.get("regionalCertificateArn")
        or model.certificate_arn,
        security_policy=d.get("securityPolicy") or model.tls_version.value,
        domain_name=model.domain_name,
        api_mapping=[{"key": _key(model.api_mapping.mount_path)}],
    )


def _ws_values(d: Mapping[str, Any], model: DomainName) -> DomainNameRecord:
    cfg = (d.get("DomainNameConfigurations") or [{}])[0]
    return DomainNameRecord(
        model.resource_name,
        hosted_zone_id=cfg.get("HostedZoneId"),
        alias_domain_name=cfg.get("ApiGatewayDomainName"),
        certificate_arn=cfg.get("CertificateArn") or model.certificate_arn,
        security_policy=cfg.get("SecurityPolicy") or model.tls_version.value,
        domain_name=model.domain_name,
        api_mapping=[{"key": _key(model.api_mapping.mount_path)}],
    )


def _api_id(resource: str, values: Mapping[str, Any], protocol: APIType) -> str | None:
    """The id of the API a domain maps to, from that API's values."""
    # Imported here: the API modules import this one (an API model holds its domain).
    from chalice.deploy.resources.apigateway import RestAPIRecord
    from chalice.deploy.resources.httpapi import HttpAPIRecord
    from chalice.deploy.resources.websocket import WebsocketAPIRecord

    if protocol is APIType.WEBSOCKET:
        return WebsocketAPIRecord.from_values(resource, values).websocket_api_id
    if protocol is APIType.HTTP_API:
        return HttpAPIRecord.from_values(resource, values).http_api_id
    return RestAPIRecord.from_values(resource, values).rest_api_id


class DomainPlanner:
    def plan(self, model: DomainName, recorded: dict[str, Any] | None, ctx: PlanContext) -> Step:
        # "ws": an API Gateway v2 domain (websocket or HTTP API).
        ws = model.protocol is not APIType.HTTP
        rtype = model.resource_type.value
        name = model.domain_name
        api_res = api_resource_of(model)
        key = _key(model.api_mapping.mount_path)
        stage = model.api_mapping.api_gateway_stage
        tags = dict(model.tags or {})
        current = (ctx.clients.apigatewayv2 if ws else ctx.clients.apigateway).get_domain_name(name)
        deps = frozenset({api_res})

        def mappings(sc: StepContext, api_id: str) -> None:
            if ws:
                v2 = sc.clients.apigatewayv2
                found = False
                for m in v2.list_api_mappings(name):
                    mine = m.get("ApiId") == api_id
                    if (
                        mine
                        and _key(m.get("ApiMappingKey") or "") == key
                        and m.get("Stage") == stage
                    ):
                        found = True
                    elif mine or _key(m.get("ApiMappingKey") or "") == key:
                        v2.delete_api_mapping(name, str(m["ApiMappingId"]))
                if not found:
                    sc.say(f"Creating api mapping: {key}")
                    v2.create_api_mapping(name, api_id=api_id, key=key.strip("/"), stage=stage)
            else:
                v1 = sc.clients.apigateway
                found = False
                for m in v1.list_base_path_mappings(name):
                    path = str(m.get("basePath") or "(none)")
                    mkey = _key(path)
                    mine = m.get("restApiId") == api_id
                    if mine and mkey == key and m.get("stage") == stage:
                        found = True
                    elif mine or mkey == key:
                        v1.delete_base_path_mapping(name, path)
                if not found:
                    sc.say(f"Creating api mapping: {key}")
                    v1.create_base_path_mapping(
                        name,
                        api_id=api_id,
                        base_path="" if key == "/" else key.strip("/"),
                        stage=stage,
                    )

        def api_id_of(sc: StepContext) -> str:
            return str(_api_id(api_res, sc.outputs(api_res), model.protocol))

        # The configured domain changed: the old one is replaced.
        old_name = DomainNameRecord.from_values(model.resource_name, recorded or {}).domain_name
        replaced = old_name if old_name and old_name != name else None

        if current is None:

            def create(sc: StepContext) -> Mapping[str, Any]:
                if replaced is not None:
                    sc.say(f"Deleting custom domain name: {replaced}")
                    if ws:
                        sc.clients.apigatewayv2.delete_domain_name(replaced)
                    else:
                        sc.clients.apigateway.delete_domain_name(replaced)
                sc.say(f"Creating custom domain name: {name}")
                if ws:
                    d = sc.clients.apigatewayv2.create_domain_name(
                        {
                            "DomainName": name,
                            "DomainNameConfigurations": [
                                {
                                    "CertificateArn": model.certificate_arn,
                                    "EndpointType": "REGIONAL",
                                    "SecurityPolicy": model.tls_version.value,
                                }
                            ],
                            "Tags": tags,
                        }
                    )
                    values = _ws_values(d, model).values(complete=True)
                else:
                    cert_key = (
                        "certificateArn"
                        if model.endpoint_type == "EDGE"
                        else "regionalCertificateArn"
                    )
                    params: dict[str, Any] = {
                        "domainName": name,
                        cert_key: model.certificate_arn,
                        "endpointConfiguration": {"types": [model.endpoint_type]},
                        "securityPolicy": model.tls_version.value,
                    }
                    if tags:
                        params["tags"] = tags
                    created = sc.clients.apigateway.create_domain_name(params)
                    values = _rest_values(created, model).values(complete=True)
                sc.record({**values, "api_mapping": []})
                mappings(sc, api_id_of(sc))
                return values

            action = Action.UPDATE if replaced else Action.CREATE
            changes = diff({"domain_name": (replaced, name)}) if replaced else ()
            return Step(
                model.resource_name, rtype, action, create, changes=changes, depends_on=deps
            )

        now = _ws_values(current, model) if ws else _rest_values(current, model)
        fields: dict[str, tuple[Any, Any]] = {
            "certificate_arn": (now.certificate_arn, model.certificate_arn),
            "security_policy": (now.security_policy, model.tls_version.value),
        }
        api_id = _api_id(api_res, ctx.known(api_res) or {}, model.protocol)
        if ws:
            have = [
                (_key(m.get("ApiMappingKey") or ""), m.get("ApiId"), m.get("Stage"))
                for m in ctx.clients.apigatewayv2.list_api_mappings(name)
            ]
        else:
            have = [
                (_key(str(m.get("basePath") or "(none)")), m.get("restApiId"), m.get("stage"))
                for m in ctx.clients.apigateway.list_base_path_mappings(name)
            ]
        fields["api_mapping"] = ((key, api_id, stage) in have, True)
        changes = diff(fields)
        values = now.replace(
            certificate_arn=model.certificate_arn, security_policy=model.tls_version.value
        ).values(complete=True)
        if not changes:
            return Step(
                model.resource_name,
                rtype,
                Action.UNCHANGED,
                recorded=values,
                expected=values,
                depends_on=deps,
            )
        changed = {c.field for c in changes}

        def update(sc: StepContext) -> Mapping[str, Any]:
            sc.say(f"Updating custom domain name: {name}")
            if changed & {"certificate_arn", "security_policy"}:
                if ws:
                    sc.clients.apigatewayv2.update_domain_name(
                        name,
                        [
                            {
                                "CertificateArn": model.certificate_arn,
                                "EndpointType": "REGIONAL",
                                "SecurityPolicy": model.tls_version.value,
                            }
                        ],
                    )
                else:
                    cert_path = (
                        "/certificateArn"
                        if model.endpoint_type == "EDGE"
                        else "/regionalCertificateArn"
                    )
                    sc.clients.apigateway.update_domain_name(
                        name,
                        [
                            {"op": "replace", "path": cert_path, "value": model.certificate_arn},
                            {
                                "op": "replace",
                                "path": "/securityPolicy",
                                "value": model.tls_version.value,
                            },
                        ],
                    )
            sc.record(values)
            mappings(sc, api_id_of(sc))
            return values

        return Step(
            model.resource_name,
            rtype,
            Action.UPDATE,
            update,
            changes=changes,
            expected=values,
            depends_on=deps,
        )

    def plan_delete(self, recorded: dict[str, Any], ctx: PlanContext) -> Step:
        rec = DomainNameRecord.from_entry(recorded)
        name = str(rec.domain_name)
        ws = rec.name in (WEBSOCKET_DOMAIN, HTTP_API_DOMAIN)

        def delete(sc: StepContext) -> None:
            sc.say(f"Deleting custom domain name: {name}")
            if ws:
                sc.clients.apigatewayv2.delete_domain_name(name)
            else:
                sc.clients.apigateway.delete_domain_name(name)

        return Step(rec.name, rec.RESOURCE_TYPE.value, Action.DELETE, delete)


def _report(r: DomainNameRecord) -> list[str]:
    return [
        "  - Custom domain name:",
        f"      HostedZoneId: {r.hosted_zone_id}",
        f"      AliasDomainName: {r.alias_domain_name}",
    ]


DESCRIPTOR = ResourceDescriptor[DomainName, DomainNameRecord](
    resource_type=ResourceType.DOMAIN_NAME,
    # A REST API's domain is in API Gateway v1, an HTTP or websocket API's in v2.
    aws_services=("apigateway", "apigatewayv2"),
    model_classes=(DomainName,),
    record=lambda: DomainNameRecord,
    delete_tier=DeleteTier.SUBSCRIPTIONS,
    planner=DomainPlanner,
    # Emitted by its API (the mapping names the API and its stage).
    sam=lambda: sam.emit_with_owner,
    terraform=lambda: terraform.emit_with_owner,
    graph=None,  # graph.py, with its API (from the stage's custom domain config)
    role_statement=None,
    decorators=(),
    report=_report,
)
