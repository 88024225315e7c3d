"""Fake API Gateway v1 (REST APIs) and v2 (websocket APIs), with custom domains.

The v2 fake's tables also hold the HTTP APIs of ``tests/fakeaws/httpapi.py``
(one API space in AWS).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from tests.fakeaws.core import REGION, FakeService

# The hosted zones AWS answers for API Gateway domains (CloudFront; us-west-2).
EDGE_ZONE = "Z2FDTNDATAQYW2"
REGIONAL_ZONE = "Z2OJLYMUO9EFXC"


def _api_id_of_arn(arn: str) -> str:
    # arn:aws:apigateway:<region>::/restapis/<id>
    return arn.rsplit("/", 1)[-1]


class FakeAPIGateway(FakeService):
    """REST APIs, their stages and deployments, custom domains and base path mappings."""

    service = "apigateway"
    not_found_code = "NotFoundException"

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.apis: dict[str, dict[str, Any]] = {}
        self.definitions: dict[str, dict[str, Any]] = {}
        self.stages: dict[tuple[str, str], dict[str, Any]] = {}
        self.domains: dict[str, dict[str, Any]] = {}
        self.base_paths: dict[str, list[dict[str, Any]]] = {}

    def _api(self, operation: str, api_id: str) -> dict[str, Any]:
        if api_id not in self.apis:
            raise self.error(operation, "NotFoundException", "Invalid API identifier specified")
        return self.apis[api_id]

    def get_rest_api(self, api_id: str) -> dict[str, Any] | None:
        self._log("GetRestApi", restApiId=api_id)
        with self.lock:
            found = self.apis.get(api_id)
            return copy.deepcopy(found) if found is not None else None

    def list_rest_apis(self) -> list[dict[str, Any]]:
        self._log("GetRestApis", limit=500)
        with self.lock:
            return [copy.deepcopy(a) for a in self.apis.values()]

    def import_rest_api(self, definition: dict[str, Any], *, endpoint_type: str) -> dict[str, Any]:
        self._log(
            "ImportRestApi",
            parameters={"endpointConfigurationTypes": endpoint_type},
            body=definition,
        )
        with self.lock:
            api_id = self.new_id()
            self.apis[api_id] = {
                "id": api_id,
                "name": str((definition.get("info") or {}).get("title", "")),
                "endpointConfiguration": {"types": [endpoint_type]},
                "apiKeySource": "HEADER",
            }
            self.definitions[api_id] = copy.deepcopy(definition)
            return copy.deepcopy(self.apis[api_id])

    def put_rest_api(self, api_id: str, definition: dict[str, Any]) -> dict[str, Any]:
        self._log("PutRestApi", restApiId=api_id, mode="overwrite", body=definition)
        with self.lock:
            api = self._api("PutRestApi", api_id)
            self.definitions[api_id] = copy.deepcopy(definition)
            return copy.deepcopy(api)

    def update_rest_api(self, api_id: str, patch_ops: list[dict[str, str]]) -> None:
        self._log("UpdateRestApi", restApiId=api_id, patchOperations=patch_ops)
        with self.lock:
            api = self._api("UpdateRestApi", api_id)
            for op in patch_ops:
                path, value = op["path"], op.get("value")
                if path.startswith("/endpointConfiguration/types/") and op["op"] == "replace":
                    api["endpointConfiguration"] = {"types": [value]}
                elif path == "/minimumCompressionSize" and op["op"] == "replace":
                    if value in (None, ""):
                        api.pop("minimumCompressionSize", None)
                    else:
                        api["minimumCompressionSize"] = int(str(value))

    def tag(self, arn: str, tags: dict[str, str]) -> None:
        self._log("TagResource", resourceArn=arn, tags=tags)
        with self.lock:
            api = self._api("TagResource", _api_id_of_arn(arn))
            api.setdefault("tags", {}).update(tags)

    def get_stage(self, api_id: str, stage: str) -> dict[str, Any] | None:
        self._log("GetStage", restApiId=api_id, stageName=stage)
        with self.lock:
            found = self.stages.get((api_id, stage))
            return copy.deepcopy(found) if found is not None else None

    def create_deployment(self, api_id: str, stage: str, *, tracing: bool) -> str:
        self._log("CreateDeployment", restApiId=api_id, stageName=stage, tracingEnabled=tracing)
        with self.lock:
            self._api("CreateDeployment", api_id)
            deployment = self.new_id(6)
            # An existing stage is repointed and keeps its other settings.
            current = self.stages.setdefault((api_id, stage), {"stageName": stage, "variables": {}})
            current["deploymentId"] = deployment
            current["tracingEnabled"] = tracing
            return deployment

    def update_stage(self, api_id: str, stage: str, patch_ops: list[dict[str, str]]) -> None:
        self._log("UpdateStage", restApiId=api_id, stageName=stage, patchOperations=patch_ops)
        with self.lock:
            current = self.stages.get((api_id, stage))
            if current is None:
                raise self.error("UpdateStage", "NotFoundException", "Invalid stage identifier")
            for op in patch_ops:
                if op["path"] == "/tracingEnabled":
                    current["tracingEnabled"] = op.get("value") == "true"
                elif op["path"].startswith("/variables/"):
                    name = op["path"].split("/", 2)[2]
                    if op["op"] == "remove":
                        current.get("variables", {}).pop(name, None)
                    else:
                        current.setdefault("variables", {})[name] = op.get("value")

    def delete_rest_api(self, api_id: str) -> bool:
        self._log("DeleteRestApi", restApiId=api_id)
        with self.lock:
            for key in [k for k in self.stages if k[0] == api_id]:
                del self.stages[key]
            self.definitions.pop(api_id, None)
            return self.apis.pop(api_id, None) is not None

    # -- custom domains ---------------------------------------------------------------
    def get_domain_name(self, name: str) -> dict[str, Any] | None:
        self._log("GetDomainName", domainName=name)
        with self.lock:
            found = self.domains.get(name)
            return copy.deepcopy(found) if found is not None else None

    def create_domain_name(self, params: dict[str, Any]) -> dict[str, Any]:
        self._log("CreateDomainName", **params)
        with self.lock:
            name = str(params["domainName"])
            if name in self.domains:
                raise self.error(
                    "CreateDomainName", "BadRequestException", "The domain name already exists"
                )
            types = list((params.get("endpointConfiguration") or {}).get("types") or ["EDGE"])
            domain: dict[str, Any] = {
                "domainName": name,
                "endpointConfiguration": {"types": types},
                "securityPolicy": params.get("securityPolicy", "TLS_1_2"),
                "domainNameStatus": "AVAILABLE",
            }
            if types[0] == "EDGE":
                domain["certificateArn"] = params.get("certificateArn")
                domain["distributionDomainName"] = f"d{self.new_id(13)}.cloudfront.net"
                domain["distributionHostedZoneId"] = EDGE_ZONE
            else:
                domain["regionalCertificateArn"] = params.get("regionalCertificateArn")
                domain["regionalDomainName"] = (
                    f"d-{self.new_id()}.execute-api.{REGION}.amazonaws.com"
                )
                domain["regionalHostedZoneId"] = REGIONAL_ZONE
            if params.get("tags"):
                domain["tags"] = dict(params["tags"])
            self.domains[name] = domain
            return copy.deepcopy(domain)

    def update_domain_name(self, name: str, patch_ops: list[dict[str, str]]) -> dict[str, Any]:
        self._log("UpdateDomainName", domainName=name, patchOperations=patch_ops)
        with self.lock:
            if name not in self.domains:
                raise self.missing("UpdateDomainName", f"Domain {name}")
            domain = self.domains[name]
            for op in patch_ops:
                if op["op"] == "replace":
                    domain[op["path"].strip("/")] = op.get("value")
            return copy.deepcopy(domain)

    def delete_domain_name(self, name: str) -> bool:
        self._log("DeleteDomainName", domainName=name)
        with self.lock:
            self.base_paths.pop(name, None)
            return self.domains.pop(name, None) is not None

    def list_base_path_mappings(self, name: str) -> list[dict[str, Any]]:
        self._log("GetBasePathMappings", domainName=name)
        with self.lock:
            return copy.deepcopy(self.base_paths.get(name, []))

    def create_base_path_mapping(
        self, name: str, *, api_id: str, base_path: str, stage: str
    ) -> None:
        self._log(
            "CreateBasePathMapping",
            domainName=name,
            restApiId=api_id,
            basePath=base_path,
            stage=stage,
        )
        with self.lock:
            if name not in self.domains:
                raise self.missing("CreateBasePathMapping", f"Domain {name}")
            path = base_path or "(none)"
            mappings = self.base_paths.setdefault(name, [])
            if any(m["basePath"] == path for m in mappings):
                raise self.error(
                    "CreateBasePathMapping", "ConflictException", "Base path already exists"
                )
            mappings.append({"basePath": path, "restApiId": api_id, "stage": stage})

    def delete_base_path_mapping(self, name: str, base_path: str) -> bool:
        self._log("DeleteBasePathMapping", domainName=name, basePath=base_path)
        with self.lock:
            mappings = self.base_paths.get(name, [])
            kept = [m for m in mappings if m["basePath"] != base_path]
            self.base_paths[name] = kept
            return len(kept) != len(mappings)

    def get_sdk(self, **kwargs: Any) -> Mapping[str, Any]:
        self._log("GetSdk", **kwargs)
        with self.lock:
            if (kwargs.get("restApiId"), kwargs.get("stageName")) not in self.stages:
                raise self.missing("GetSdk", "Stage")
        return {"body": b""}


class FakeAPIGatewayV2(FakeService):
    """Websocket APIs: integrations, routes, deployments, stages, domains, mappings."""

    service = "apigatewayv2"
    not_found_code = "NotFoundException"

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.apis: dict[str, dict[str, Any]] = {}
        self.integrations: dict[str, dict[str, dict[str, Any]]] = {}
        self.routes: dict[str, dict[str, dict[str, Any]]] = {}
        self.authorizers: dict[str, dict[str, dict[str, Any]]] = {}
        self.stages: dict[tuple[str, str], dict[str, Any]] = {}
        self.domains: dict[str, dict[str, Any]] = {}
        self.api_mappings: dict[str, list[dict[str, Any]]] = {}

    def _api(self, operation: str, api_id: str) -> dict[str, Any]:
        if api_id not in self.apis:
            raise self.missing(operation, f"Api {api_id}")
        return self.apis[api_id]

    def get_api(self, api_id: str) -> dict[str, Any] | None:
        self._log("GetApi", ApiId=api_id)
        with self.lock:
            found = self.apis.get(api_id)
            return copy.deepcopy(found) if found is not None else None

    def list_apis(self) -> list[dict[str, Any]]:
        self._log("GetApis")
        with self.lock:
            return [copy.deepcopy(a) for a in self.apis.values()]

    def create_websocket_api(self, name: str, *, tags: dict[str, str] | None) -> str:
        params: dict[str, Any] = {
            "Name": name,
            "ProtocolType": "WEBSOCKET",
            "RouteSelectionExpression": "$request.body.action",
        }
        if tags:
            params["Tags"] = tags
        self._log("CreateApi", **params)
        with self.lock:
            api_id = self.new_id()
            self.add_api(
                {
                    "ApiId": api_id,
                    "Name": name,
                    "ProtocolType": "WEBSOCKET",
                    "RouteSelectionExpression": "$request.body.action",
                    "ApiEndpoint": f"wss://{api_id}.execute-api.{REGION}.amazonaws.com",
                    "Tags": dict(tags or {}),
                }
            )
            return api_id

    def add_api(self, api: dict[str, Any]) -> None:
        """Store a new API (websocket or HTTP) with no integrations, routes, authorizers."""
        api_id = str(api["ApiId"])
        self.apis[api_id] = api
        for table in (self.integrations, self.routes, self.authorizers):
            table[api_id] = {}

    def delete_api(self, api_id: str) -> bool:
        self._log("DeleteApi", ApiId=api_id)
        with self.lock:
            for table in (self.integrations, self.routes, self.authorizers):
                table.pop(api_id, None)
            for key in [k for k in self.stages if k[0] == api_id]:
                del self.stages[key]
            return self.apis.pop(api_id, None) is not None

    def list_integrations(self, api_id: str) -> list[dict[str, Any]]:
        self._log("GetIntegrations", ApiId=api_id)
        with self.lock:
            self._api("GetIntegrations", api_id)
            return [copy.deepcopy(i) for i in self.integrations[api_id].values()]

    def create_integration(self, api_id: str, uri: str) -> str:
        self._log(
            "CreateIntegration",
            ApiId=api_id,
            ConnectionType="INTERNET",
            ContentHandlingStrategy="CONVERT_TO_TEXT",
            IntegrationType="AWS_PROXY",
            IntegrationUri=uri,
        )
        with self.lock:
            self._api("CreateIntegration", api_id)
            iid = self.new_id(7)
            self.integrations[api_id][iid] = {
                "IntegrationId": iid,
                "IntegrationType": "AWS_PROXY",
                "IntegrationUri": uri,
            }
            return iid

    def delete_integration(self, api_id: str, integration_id: str) -> bool:
        self._log("DeleteIntegration", ApiId=api_id, IntegrationId=integration_id)
        with self.lock:
            return self.integrations.get(api_id, {}).pop(integration_id, None) is not None

    def list_routes(self, api_id: str) -> list[dict[str, Any]]:
        self._log("GetRoutes", ApiId=api_id)
        with self.lock:
            self._api("GetRoutes", api_id)
            return [copy.deepcopy(r) for r in self.routes[api_id].values()]

    def create_route(self, api_id: str, route_key: str, integration_id: str) -> None:
        target = f"integrations/{integration_id}"
        self._log("CreateRoute", ApiId=api_id, RouteKey=route_key, Target=target)
        with self.lock:
            self._api("CreateRoute", api_id)
            if any(r["RouteKey"] == route_key for r in self.routes[api_id].values()):
                raise self.error("CreateRoute", "ConflictException", f"Route {route_key} exists")
            rid = self.new_id(7)
            self.routes[api_id][rid] = {"RouteId": rid, "RouteKey": route_key, "Target": target}

    def delete_route(self, api_id: str, route_id: str) -> bool:
        self._log("DeleteRoute", ApiId=api_id, RouteId=route_id)
        with self.lock:
            return self.routes.get(api_id, {}).pop(route_id, None) is not None

    def get_stage(self, api_id: str, stage: str) -> dict[str, Any] | None:
        self._log("GetStage", ApiId=api_id, StageName=stage)
        with self.lock:
            found = self.stages.get((api_id, stage))
            return copy.deepcopy(found) if found is not None else None

    def create_deployment(self, api_id: str) -> str:
        self._log("CreateDeployment", ApiId=api_id)
        with self.lock:
            self._api("CreateDeployment", api_id)
            return self.new_id(6)

    def create_stage(self, api_id: str, stage: str, deployment_id: str) -> None:
        self._log("CreateStage", ApiId=api_id, StageName=stage, DeploymentId=deployment_id)
        with self.lock:
            self._api("CreateStage", api_id)
            if (api_id, stage) in self.stages:
                raise self.error("CreateStage", "ConflictException", f"Stage {stage} exists")
            self.stages[(api_id, stage)] = {"StageName": stage, "DeploymentId": deployment_id}

    def update_stage(self, api_id: str, stage: str, deployment_id: str) -> None:
        self._log("UpdateStage", ApiId=api_id, StageName=stage, DeploymentId=deployment_id)
        with self.lock:
            if (api_id, stage) not in self.stages:
                raise self.missing("UpdateStage", f"Stage {stage}")
            self.stages[(api_id, stage)]["DeploymentId"] = deployment_id

    # -- custom domains ---------------------------------------------------------------
    def get_domain_name(self, name: str) -> dict[str, Any] | None:
        self._log("GetDomainName", DomainName=name)
        with self.lock:
            found = self.domains.get(name)
            return copy.deepcopy(found) if found is not None else None

    def _configs(self, configs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {
                "ApiGatewayDomainName": f"d-{self.new_id()}.execute-api.{REGION}.amazonaws.com",
                "HostedZoneId": REGIONAL_ZONE,
                "DomainNameStatus": "AVAILABLE",
                **copy.deepcopy(c),
            }
            for c in configs
        ]

    def create_domain_name(self, params: dict[str, Any]) -> dict[str, Any]:
        self._log("CreateDomainName", **params)
        with self.lock:
            name = str(params["DomainName"])
            if name in self.domains:
                raise self.error("CreateDomainName", "ConflictException", f"{name} exists")
            domain = {
                "DomainName": name,
                "DomainNameConfigurations": self._configs(params["DomainNameConfigurations"]),
                "Tags": dict(params.get("Tags") or {}),
            }
            self.domains[name] = domain
            return copy.deepcopy(domain)

    def update_domain_name(self, name: str, configs: list[dict[str, Any]]) -> dict[str, Any]:
        self._log("UpdateDomainName", DomainName=name, DomainNameConfigurations=configs)
        with self.lock:
            if name not in self.domains:
                raise self.missing("UpdateDomainName", f"Domain {name}")
            domain = self.domains[name]
            old = domain["DomainNameConfigurations"][0]
            domain["DomainNameConfigurations"] = [{**old, **copy.deepcopy(configs[0])}]
            return copy.deepcopy(domain)

    def delete_domain_name(self, name: str) -> bool:
        self._log("DeleteDomainName", DomainName=name)
        with self.lock:
            self.api_mappings.pop(name, None)
            return self.domains.pop(name, None) is not None

    def list_api_mappings(self, name: str) -> list[dict[str, Any]]:
        self._log("GetApiMappings", DomainName=name)
        with self.lock:
            return copy.deepcopy(self.api_mappings.get(name, []))

    def create_api_mapping(self, name: str, *, api_id: str, key: str, stage: str) -> None:
        params: dict[str, Any] = {"DomainName": name, "ApiId": api_id, "Stage": stage}
        if key:
            params["ApiMappingKey"] = key
        self._log("CreateApiMapping", **params)
        with self.lock:
            if name not in self.domains:
                raise self.missing("CreateApiMapping", f"Domain {name}")
            mapping = {"ApiMappingId": self.new_id(6), "ApiId": api_id, "Stage": stage}
            mapping["ApiMappingKey"] = key
            self.api_mappings.setdefault(name, []).append(mapping)

    def delete_api_mapping(self, name: str, mapping_id: str) -> bool:
        self._log("DeleteApiMapping", DomainName=name, ApiMappingId=mapping_id)
        with self.lock:
            mappings = self.api_mappings.get(name, [])
            kept = [m for m in mappings if m["ApiMappingId"] != mapping_id]
            self.api_mappings[name] = kept
            return len(kept) != len(mappings)
