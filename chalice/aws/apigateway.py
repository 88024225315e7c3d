"""API Gateway (REST APIs, v1): APIs, stages, deployments, custom domains.

Thin wrapper, no decisions. Definitions are sent as Swagger 2.0 JSON bytes,
the dialect upstream Chalice has sent for years: ImportRestApi creates an API
from one (the endpoint type goes in ``parameters``, as the import API takes no
``endpointConfiguration``), PutRestApi in ``overwrite`` mode replaces one.
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

    def import_rest_api(self, definition: dict[str, Any], *, endpoint_type: str) -> dict[str, Any]:
        """Create an API from ``definition``; the answer is the new ``RestApi``."""
        return self._call(
            self.client.import_rest_api,
            parameters={"endpointConfigurationTypes": endpoint_type},
            body=_body(definition),
        )

    def put_rest_api(self, api_id: str, definition: dict[str, Any]) -> dict[str, Any]:
        """Replace the API's resources with ``definition``; the answer is the ``RestApi``."""
        return self._call(
            self.client.put_rest_api,
            restApiId=api_id,
            mode="overwrite",
            body=_body(definition),
        )

    def update_rest_api(self, api_id: str, patch_ops: list[dict[str, str]]) -> None:
        self._call(self.client.update_rest_api, restApiId=api_id, patchOperations=patch_ops)

    def tag(self, arn: str, tags: dict[str, str]) -> None:
        """TagResource (ImportRestApi takes no tags, so a new API is tagged after)."""
        self._call(self.client.tag_resource, resourceArn=arn, tags=tags)

    def get_stage(self, api_id: str, stage: str) -> dict[str, Any] | None:
        return self._get(self.client.get_stage, NOT_FOUND, restApiId=api_id, stageName=stage)

    def create_deployment(self, api_id: str, stage: str, *, tracing: bool) -> str:
        """Deploy the API's current resources to ``stage``; the new deployment's id."""
        resp = self._call(
            self.client.create_deployment,
            restApiId=api_id,
            stageName=stage,
            tracingEnabled=tracing,
        )
        return str(resp["id"])

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
        return self._call(
            self.client.update_domain_name, domainName=name, patchOperations=patch_ops
        )

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

    def create_base_path_mapping(
        self, name: str, *, api_id: str, base_path: str, stage: str
    ) -> None:
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

    # -- generated SDKs (chalice generate-sdk) --------------------------------
    def get_sdk(self, **kwargs: Any) -> dict[str, Any]:
        """``GetSdk`` with botocore's parameters; the zip is in ``body``."""
        return self._call(self.client.get_sdk, **kwargs)


def _body(definition: dict[str, Any]) -> bytes:
    # Compact, key order kept: the bytes are what the digest in the state
    # file describes, so they must not depend on anything but the document.
    return json.dumps(definition, separators=(",", ":")).encode("utf-8")
