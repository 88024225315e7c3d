"""API Gateway v2 HTTP APIs: the API, its authorizers, integration, routes, stage.

Thin wrapper, no decisions: the planner (``chalice/deploy/resources/httpapi.py``)
decides what to call. Websocket APIs and custom domains stay in
``apigatewayv2.py``; both wrap the same botocore client.
"""

from __future__ import annotations

from typing import Any

from chalice.aws.session import Service

NOT_FOUND = ("NotFoundException",)


def _items(resp: dict[str, Any]) -> list[dict[str, Any]]:
    return list(resp.get("Items", []))


class HttpApis(Service):
    """The HTTP API operations of ``apigatewayv2``."""

    service = "apigatewayv2"

    def get_api(self, api_id: str) -> dict[str, Any] | None:
        return self._get(self.client.get_api, NOT_FOUND, ApiId=api_id)

    def create_api(
        self, name: str, *, cors: dict[str, Any] | None, tags: dict[str, str] | None
    ) -> dict[str, Any]:
        """Create an HTTP API (tagged unless ``tags`` is None or empty)."""
        params: dict[str, Any] = {"Name": name, "ProtocolType": "HTTP"}
        if cors:
            params["CorsConfiguration"] = cors
        if tags:
            params["Tags"] = tags
        return self._call(self.client.create_api, **params)

    def update_cors(self, api_id: str, cors: dict[str, Any] | None) -> None:
        """Set the API's CORS configuration, or remove it (``cors`` None)."""
        if cors:
            self._call(self.client.update_api, ApiId=api_id, CorsConfiguration=cors)
        else:
            self._delete(self.client.delete_cors_configuration, NOT_FOUND, ApiId=api_id)

    def delete_api(self, api_id: str) -> bool:
        return self._delete(self.client.delete_api, NOT_FOUND, ApiId=api_id)

    # -- authorizers --------------------------------------------------------------
    def list_authorizers(self, api_id: str) -> list[dict[str, Any]]:
        return _items(self._call(self.client.get_authorizers, ApiId=api_id))

    def create_authorizer(self, api_id: str, params: dict[str, Any]) -> str:
        resp = self._call(self.client.create_authorizer, ApiId=api_id, **params)
        return str(resp["AuthorizerId"])

    def update_authorizer(self, api_id: str, authorizer_id: str, params: dict[str, Any]) -> None:
        self._call(
            self.client.update_authorizer, ApiId=api_id, AuthorizerId=authorizer_id, **params
        )

    def delete_authorizer(self, api_id: str, authorizer_id: str) -> bool:
        return self._delete(
            self.client.delete_authorizer, NOT_FOUND, ApiId=api_id, AuthorizerId=authorizer_id
        )

    # -- integration --------------------------------------------------------------
    def list_integrations(self, api_id: str) -> list[dict[str, Any]]:
        return _items(self._call(self.client.get_integrations, ApiId=api_id))

    def create_proxy_integration(self, api_id: str, function_arn: str) -> str:
        """An AWS_PROXY integration calling ``function_arn`` with payload format 2.0."""
        resp = self._call(
            self.client.create_integration,
            ApiId=api_id,
            IntegrationType="AWS_PROXY",
            IntegrationUri=function_arn,
            PayloadFormatVersion="2.0",
        )
        return str(resp["IntegrationId"])

    def delete_integration(self, api_id: str, integration_id: str) -> bool:
        return self._delete(
            self.client.delete_integration, NOT_FOUND, ApiId=api_id, IntegrationId=integration_id
        )

    # -- routes ---------------------------------------------------------------------
    def list_routes(self, api_id: str) -> list[dict[str, Any]]:
        return _items(self._call(self.client.get_routes, ApiId=api_id))

    def create_route(self, api_id: str, params: dict[str, Any]) -> None:
        self._call(self.client.create_route, ApiId=api_id, **params)

    def update_route(self, api_id: str, route_id: str, params: dict[str, Any]) -> None:
        self._call(self.client.update_route, ApiId=api_id, RouteId=route_id, **params)

    def delete_route(self, api_id: str, route_id: str) -> bool:
        return self._delete(self.client.delete_route, NOT_FOUND, ApiId=api_id, RouteId=route_id)

    # -- stage ----------------------------------------------------------------------
    def get_stage(self, api_id: str, stage: str) -> dict[str, Any] | None:
        return self._get(self.client.get_stage, NOT_FOUND, ApiId=api_id, StageName=stage)

    def create_stage(
        self,
        api_id: str,
        stage: str,
        *,
        access_log: dict[str, str] | None,
        throttling: dict[str, Any],
    ) -> None:
        """A stage that deploys every change by itself (``AutoDeploy``)."""
        params: dict[str, Any] = {"ApiId": api_id, "StageName": stage, "AutoDeploy": True}
        if access_log:
            params["AccessLogSettings"] = access_log
        if throttling:
            params["DefaultRouteSettings"] = throttling
        self._call(self.client.create_stage, **params)

    def update_stage_settings(
        self,
        api_id: str,
        stage: str,
        *,
        access_log: dict[str, str] | None,
        throttling: dict[str, Any],
    ) -> None:
        """Set the stage's access log (when given) and default route throttling."""
        params: dict[str, Any] = {
            "ApiId": api_id,
            "StageName": stage,
            "DefaultRouteSettings": throttling,
        }
        if access_log:
            params["AccessLogSettings"] = access_log
        self._call(self.client.update_stage, **params)

    def delete_access_log_settings(self, api_id: str, stage: str) -> bool:
        return self._delete(
            self.client.delete_access_log_settings, NOT_FOUND, ApiId=api_id, StageName=stage
        )

    def delete_stage(self, api_id: str, stage: str) -> bool:
        return self._delete(self.client.delete_stage, NOT_FOUND, ApiId=api_id, StageName=stage)

    def list_stages(self, api_id: str) -> list[dict[str, Any]]:
        return _items(self._call(self.client.get_stages, ApiId=api_id))
