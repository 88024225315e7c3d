"""API Gateway v2 (websocket APIs): APIs, integrations, routes, stages, domains.

Thin wrapper, no decisions.
"""

from __future__ import annotations

from typing import Any

from chalice.aws.errors import AWSError
from chalice.aws.session import Service

NOT_FOUND = ("NotFoundException",)


class APIGatewayV2(Service):
    service = "apigatewayv2"

    def get_api(self, api_id: str) -> dict[str, Any] | None:
        return self._get(self.client.get_api, NOT_FOUND, ApiId=api_id)

    def list_apis(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {}
            if token:
                params["NextToken"] = token
            resp = self._call(self.client.get_apis, **params)
            out.extend(resp.get("Items", []))
            token = resp.get("NextToken")
            if not token:
                return out

    def create_websocket_api(self, name: str, *, tags: dict[str, str] | None) -> str:
        """Create the API (tagged unless ``tags`` is None or empty); returns its id."""
        params: dict[str, Any] = {
            "Name": name,
            "ProtocolType": "WEBSOCKET",
            "RouteSelectionExpression": "$request.body.action",
        }
        if tags:
            # Tags on CreateApi are authorized on the /tags resource as well.
            params["Tags"] = tags
        resp = self._call(self.client.create_api, **params)
        return str(resp["ApiId"])

    def delete_api(self, api_id: str) -> bool:
        return self._delete(self.client.delete_api, NOT_FOUND, ApiId=api_id)

    def list_integrations(self, api_id: str) -> list[dict[str, Any]]:
        return list(self._call(self.client.get_integrations, ApiId=api_id).get("Items", []))

    def create_integration(self, api_id: str, uri: str) -> str:
        resp = self._call(
            self.client.create_integration,
            ApiId=api_id,
            ConnectionType="INTERNET",
            ContentHandlingStrategy="CONVERT_TO_TEXT",
            IntegrationType="AWS_PROXY",
            IntegrationUri=uri,
        )
        return str(resp["IntegrationId"])

    def delete_integration(self, api_id: str, integration_id: str) -> bool:
        return self._delete(
            self.client.delete_integration, NOT_FOUND, ApiId=api_id, IntegrationId=integration_id
        )

    def list_routes(self, api_id: str) -> list[dict[str, Any]]:
        return list(self._call(self.client.get_routes, ApiId=api_id).get("Items", []))

    def create_route(self, api_id: str, route_key: str, integration_id: str) -> None:
        self._call(
            self.client.create_route,
            ApiId=api_id,
            RouteKey=route_key,
            Target=f"integrations/{integration_id}",
        )

    def delete_route(self, api_id: str, route_id: str) -> bool:
        return self._delete(self.client.delete_route, NOT_FOUND, ApiId=api_id, RouteId=route_id)

    def get_stage(self, api_id: str, stage: str) -> dict[str, Any] | None:
        return self._get(self.client.get_stage, NOT_FOUND, ApiId=api_id, StageName=stage)

    def create_deployment(self, api_id: str) -> str:
        return str(self._call(self.client.create_deployment, ApiId=api_id)["DeploymentId"])

    def create_stage(self, api_id: str, stage: str, deployment_id: str) -> None:
        self._call(
            self.client.create_stage, ApiId=api_id, StageName=stage, DeploymentId=deployment_id
        )

    def update_stage(self, api_id: str, stage: str, deployment_id: str) -> None:
        self._call(
            self.client.update_stage, ApiId=api_id, StageName=stage, DeploymentId=deployment_id
        )

    # -- custom domains ------------------------------------------------------
    def get_domain_name(self, name: str) -> dict[str, Any] | None:
        return self._get(self.client.get_domain_name, NOT_FOUND, DomainName=name)

    def create_domain_name(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._call(self.client.create_domain_name, **params)

    def update_domain_name(self, name: str, configs: list[dict[str, Any]]) -> dict[str, Any]:
        return self._call(
            self.client.update_domain_name, DomainName=name, DomainNameConfigurations=configs
        )

    def delete_domain_name(self, name: str) -> bool:
        return self._delete(self.client.delete_domain_name, NOT_FOUND, DomainName=name)

    def list_api_mappings(self, name: str) -> list[dict[str, Any]]:
        try:
            resp = self._call(self.client.get_api_mappings, DomainName=name)
        except AWSError as err:
            if err.code in NOT_FOUND:
                return []
            raise
        return list(resp.get("Items", []))

    def create_api_mapping(self, name: str, *, api_id: str, key: str, stage: str) -> None:
        params: dict[str, Any] = {"DomainName": name, "ApiId": api_id, "Stage": stage}
        if key:
            params["ApiMappingKey"] = key
        self._call(self.client.create_api_mapping, **params)

    def delete_api_mapping(self, name: str, mapping_id: str) -> bool:
        return self._delete(
            self.client.delete_api_mapping, NOT_FOUND, DomainName=name, ApiMappingId=mapping_id
        )
