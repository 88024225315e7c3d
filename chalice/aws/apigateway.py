"""API Gateway (REST APIs, v1): APIs, stages, deployments, custom domains.

Thin wrapper, no decisions. Definitions are sent as OpenAPI 3 JSON bytes.
"""

from __future__ import annotations

import json
from typing import Any

from chalice.aws.errors import AWSError
from chalice.aws.session import Service

NOT_FOUND = ("NotFoundException",)


class APIGateway(Service):
    service = "apigateway"

    def get_rest_api(self, api_id: str) -> dict[str, Any] | None:
        return self._get(self.client.get_rest_api, NOT_FOUND, restApiId=api_id)

    def list_rest_apis(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        position: str | None = None
        while True:
            params: dict[str, Any] = {"limit": 500}
            if position:
                params["position"] = position
            resp = self._call(self.client.get_rest_apis, **params)
            out.extend(resp.get("items", []))
            position = resp.get("position")
            if not position:
                return out

    def create_rest_api(self, name: str, *, endpoint_type: str, tags: dict[str, str]) -> str:
        resp = self._call(
            self.client.create_rest_api,
            name=name,
            endpointConfiguration={"types": [endpoint_type]},
            tags=tags,
        )
        return str(resp["id"])

    def put_rest_api(self, api_id: str, definition: dict[str, Any]) -> None:
        self._call(
            self.client.put_rest_api,
            restApiId=api_id,
            mode="overwrite",
            failOnWarnings=False,
            body=json.dumps(definition).encode("utf-8"),
        )

    def update_rest_api(self, api_id: str, patch_ops: list[dict[str, str]]) -> None:
        self._call(self.client.update_rest_api, restApiId=api_id, patchOperations=patch_ops)

    def tag(self, arn: str, tags: dict[str, str]) -> None:
        self._call(self.client.tag_resource, resourceArn=arn, tags=tags)

    def get_stage(self, api_id: str, stage: str) -> dict[str, Any] | None:
        return self._get(self.client.get_stage, NOT_FOUND, restApiId=api_id, stageName=stage)

    def create_deployment(
        self, api_id: str, stage: str, *, tracing: bool, variables: dict[str, str]
    ) -> None:
        self._call(
            self.client.create_deployment,
            restApiId=api_id,
            stageName=stage,
            tracingEnabled=tracing,
            variables=variables,
        )

    def update_stage(self, api_id: str, stage: str, patch_ops: list[dict[str, str]]) -> None:
        self._call(
            self.client.update_stage, restApiId=api_id, stageName=stage, patchOperations=patch_ops
        )

    def delete_rest_api(self, api_id: str) -> bool:
        return self._delete(self.client.delete_rest_api, NOT_FOUND, restApiId=api_id)

    # -- custom domains (REST) ----------------------------------------------
    def get_domain_name(self, name: str) -> dict[str, Any] | None:
        return self._get(self.client.get_domain_name, NOT_FOUND, domainName=name)

    def create_domain_name(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._call(self.client.create_domain_name, **params)

    def update_domain_name(self, name: str, patch_ops: list[dict[str, str]]) -> dict[str, Any]:
        return self._call(self.client.update_domain_name, domainName=name, patchOperations=patch_ops)

    def delete_domain_name(self, name: str) -> bool:
        return self._delete(self.client.delete_domain_name, NOT_FOUND, domainName=name)

    def list_base_path_mappings(self, name: str) -> list[dict[str, Any]]:
        try:
            resp = self._call(self.client.get_base_path_mappings, domainName=name)
        except AWSError as err:
            if err.code in NOT_FOUND:
                return []
            raise
        return list(resp.get("items", []))

    def create_base_path_mapping(self, name: str, *, api_id: str, base_path: str, stage: str) -> None:
        self._call(
            self.client.create_base_path_mapping,
            domainName=name,
            restApiId=api_id,
            basePath=base_path,
            stage=stage,
        )

    def delete_base_path_mapping(self, name: str, base_path: str) -> bool:
        return self._delete(
            self.client.delete_base_path_mapping, NOT_FOUND, domainName=name, basePath=base_path
        )
