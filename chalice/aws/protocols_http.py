"""The typed surface of API Gateway (v1, v2 websockets, HTTP APIs) and function URLs.

Part of ``chalice.aws.protocols`` (which re-exports every name here and
states the semantics all implementations keep), split off to keep one
module per family: REST APIs, websocket APIs and custom domains, HTTP APIs,
and Lambda function URLs. Each protocol lists exactly the methods that
planners, steps and CLI commands call. Nothing here calls AWS.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class APIGatewayService(Protocol):
    """API Gateway v1: REST APIs, stages, deployments, custom domains, SDKs."""

    def get_rest_api(self, api_id: str) -> dict[str, Any] | None:
        """The REST API or None."""
        ...

    def list_rest_apis(self) -> list[dict[str, Any]]:
        """Every REST API of the account and region."""
        ...

    def import_rest_api(self, definition: dict[str, Any], *, endpoint_type: str) -> dict[str, Any]:
        """Create an API from a Swagger 2.0 document; the new ``RestApi``."""
        ...

    def put_rest_api(self, api_id: str, definition: dict[str, Any]) -> dict[str, Any]:
        """Overwrite the API with a document; the ``RestApi`` after."""
        ...

    def update_rest_api(self, api_id: str, patch_ops: list[dict[str, str]]) -> None:
        """Apply patch operations to the API."""
        ...

    def tag(self, arn: str, tags: dict[str, str]) -> None:
        """Tag the resource ``arn``."""
        ...

    def get_stage(self, api_id: str, stage: str) -> dict[str, Any] | None:
        """The stage or None."""
        ...

    def create_deployment(self, api_id: str, stage: str, *, tracing: bool) -> str:
        """Deploy to ``stage``; the deployment id."""
        ...

    def update_stage(self, api_id: str, stage: str, patch_ops: list[dict[str, str]]) -> None:
        """Apply patch operations to a stage."""
        ...

    def delete_rest_api(self, api_id: str) -> bool:
        """Delete the API; False if it was gone."""
        ...

    def get_domain_name(self, name: str) -> dict[str, Any] | None:
        """The custom domain or None."""
        ...

    def create_domain_name(self, params: dict[str, Any]) -> dict[str, Any]:
        """``CreateDomainName``; the domain."""
        ...

    def update_domain_name(self, name: str, patch_ops: list[dict[str, str]]) -> dict[str, Any]:
        """Apply patch operations to a domain."""
        ...

    def delete_domain_name(self, name: str) -> bool:
        """Delete the domain; False if it was gone."""
        ...

    def list_base_path_mappings(self, name: str) -> list[dict[str, Any]]:
        """The domain's base path mappings ([] for an unknown domain)."""
        ...

    def create_base_path_mapping(
        self, name: str, *, api_id: str, base_path: str, stage: str
    ) -> None:
        """Map ``base_path`` of the domain to the API's stage."""
        ...

    def delete_base_path_mapping(self, name: str, base_path: str) -> bool:
        """Remove one mapping; False if it was gone."""
        ...

    def get_sdk(self, **kwargs: Any) -> Mapping[str, Any]:
        """``GetSdk`` with botocore's parameters (``chalice generate-sdk``)."""
        ...


class APIGatewayV2Service(Protocol):
    """API Gateway v2: websocket APIs, integrations, routes, stages, domains."""

    def get_api(self, api_id: str) -> dict[str, Any] | None:
        """The API or None."""
        ...

    def list_apis(self) -> list[dict[str, Any]]:
        """Every v2 API of the account and region."""
        ...

    def create_websocket_api(self, name: str, *, tags: dict[str, str] | None) -> str:
        """Create a websocket API; its id."""
        ...

    def delete_api(self, api_id: str) -> bool:
        """Delete the API; False if it was gone."""
        ...

    def list_integrations(self, api_id: str) -> list[dict[str, Any]]:
        """The API's integrations."""
        ...

    def create_integration(self, api_id: str, uri: str) -> str:
        """An AWS_PROXY integration to ``uri``; its id."""
        ...

    def delete_integration(self, api_id: str, integration_id: str) -> bool:
        """Delete an integration; False if it was gone."""
        ...

    def list_routes(self, api_id: str) -> list[dict[str, Any]]:
        """The API's routes."""
        ...

    def create_route(self, api_id: str, route_key: str, integration_id: str) -> None:
        """A route to an integration."""
        ...

    def delete_route(self, api_id: str, route_id: str) -> bool:
        """Delete a route; False if it was gone."""
        ...

    def get_stage(self, api_id: str, stage: str) -> dict[str, Any] | None:
        """The stage or None."""
        ...

    def create_deployment(self, api_id: str) -> str:
        """A new deployment; its id."""
        ...

    def create_stage(self, api_id: str, stage: str, deployment_id: str) -> None:
        """A stage serving ``deployment_id``."""
        ...

    def update_stage(self, api_id: str, stage: str, deployment_id: str) -> None:
        """Point the stage at ``deployment_id``."""
        ...

    def get_domain_name(self, name: str) -> dict[str, Any] | None:
        """The custom domain or None."""
        ...

    def create_domain_name(self, params: dict[str, Any]) -> dict[str, Any]:
        """``CreateDomainName``; the domain."""
        ...

    def update_domain_name(self, name: str, configs: list[dict[str, Any]]) -> dict[str, Any]:
        """Replace the domain's configurations."""
        ...

    def delete_domain_name(self, name: str) -> bool:
        """Delete the domain; False if it was gone."""
        ...

    def list_api_mappings(self, name: str) -> list[dict[str, Any]]:
        """The domain's API mappings ([] for an unknown domain)."""
        ...

    def create_api_mapping(self, name: str, *, api_id: str, key: str, stage: str) -> None:
        """Map ``key`` of the domain to the API's stage."""
        ...

    def delete_api_mapping(self, name: str, mapping_id: str) -> bool:
        """Remove one mapping; False if it was gone."""
        ...


class HttpApiService(Protocol):
    """API Gateway v2 HTTP APIs: the API, its authorizers, integrations, routes, stages.

    They share ``GetApis`` and ids with websocket APIs (``APIGatewayV2Service``).
    """

    def get_api(self, api_id: str) -> dict[str, Any] | None:
        """The API or None."""
        ...

    def create_api(
        self, name: str, *, cors: dict[str, Any] | None, tags: dict[str, str] | None
    ) -> dict[str, Any]:
        """Create an HTTP API (with CORS and tags when given); the new API."""
        ...

    def update_cors(self, api_id: str, cors: dict[str, Any] | None) -> None:
        """Replace the API's CORS configuration, or remove it (``cors`` None)."""
        ...

    def delete_api(self, api_id: str) -> bool:
        """Delete the API and everything in it; False if it was gone."""
        ...

    def list_authorizers(self, api_id: str) -> list[dict[str, Any]]:
        """The API's authorizers."""
        ...

    def create_authorizer(self, api_id: str, params: dict[str, Any]) -> str:
        """``CreateAuthorizer`` with ``params``; the authorizer id."""
        ...

    def update_authorizer(self, api_id: str, authorizer_id: str, params: dict[str, Any]) -> None:
        """Change the members of the authorizer given in ``params``."""
        ...

    def delete_authorizer(self, api_id: str, authorizer_id: str) -> bool:
        """Delete an authorizer no route uses; False if it was gone."""
        ...

    def list_integrations(self, api_id: str) -> list[dict[str, Any]]:
        """The API's integrations."""
        ...

    def create_proxy_integration(self, api_id: str, function_arn: str) -> str:
        """An AWS_PROXY integration (payload format 2.0) to the function; its id."""
        ...

    def delete_integration(self, api_id: str, integration_id: str) -> bool:
        """Delete an integration no route targets; False if it was gone."""
        ...

    def list_routes(self, api_id: str) -> list[dict[str, Any]]:
        """The API's routes."""
        ...

    def create_route(self, api_id: str, params: dict[str, Any]) -> None:
        """``CreateRoute`` with ``params`` (``RouteKey``, ``Target``, authorization)."""
        ...

    def update_route(self, api_id: str, route_id: str, params: dict[str, Any]) -> None:
        """Change the members of the route given in ``params``."""
        ...

    def delete_route(self, api_id: str, route_id: str) -> bool:
        """Delete a route; False if it was gone."""
        ...

    def list_stages(self, api_id: str) -> list[dict[str, Any]]:
        """The API's stages."""
        ...

    def create_stage(
        self,
        api_id: str,
        stage: str,
        *,
        access_log: dict[str, str] | None,
        throttling: dict[str, Any],
    ) -> None:
        """A stage that deploys every change by itself (``AutoDeploy``)."""
        ...

    def update_stage_settings(
        self,
        api_id: str,
        stage: str,
        *,
        access_log: dict[str, str] | None,
        throttling: dict[str, Any],
    ) -> None:
        """Set the access log (when given) and replace the default route throttling."""
        ...

    def delete_access_log_settings(self, api_id: str, stage: str) -> bool:
        """Turn the stage's access logging off; False if the stage was gone."""
        ...

    def delete_stage(self, api_id: str, stage: str) -> bool:
        """Delete a stage; False if it was gone."""
        ...


class FunctionUrlService(Protocol):
    """Lambda function URLs: a function's URL config and its public invoke permissions."""

    def get(self, function: str) -> dict[str, Any] | None:
        """The URL config (``FunctionUrl``, ``AuthType``, ``Cors``) or None."""
        ...

    def create(self, function: str, *, auth_type: str, cors: dict[str, Any] | None) -> str:
        """Create the URL config; the URL."""
        ...

    def update(self, function: str, *, auth_type: str, cors: dict[str, Any] | None) -> str:
        """Set the auth type and replace the CORS configuration (None clears it); the URL."""
        ...

    def delete(self, function: str) -> bool:
        """Delete the URL config; False if there was none."""
        ...

    def add_public_permission(self, function: str, *, statement_id: str) -> None:
        """Let anyone call the ``AuthType: NONE`` URL of ``function`` (idempotent by id)."""
        ...

    def add_public_invoke_permission(self, function: str, *, statement_id: str) -> None:
        """Let anyone invoke ``function`` through its URL only (idempotent by id)."""
        ...
