"""Small fixes making moto answer like AWS where our deploy relies on it.

moto runs in this process (``ThreadedMotoServer``), so its backend and
response classes can be patched here; botocore is never patched. Each fix
names the AWS behaviour it restores. ``apply()`` is idempotent and must run
before the first apigatewayv2 request of the process (the server builds a
service's URL map on first use), which importing the e2e conftest ensures.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

_applied = False


def apply() -> None:
    global _applied
    if _applied:
        return
    _applied = True
    _delete_unknown_rest_api_is_404()
    _apigatewayv2_deployments()
    _empty_base_path_mappings()
    _mock_integrations()
    _capitalised_s3_filter_names()
    _minimum_compression_patch()
    _lambda_tracing_update()


def _delete_unknown_rest_api_is_404() -> None:
    """AWS: DeleteRestApi on an unknown id answers 404 NotFoundException (moto: 500)."""
    from moto.apigateway import models
    from moto.apigateway.exceptions import RestAPINotFound

    original = models.APIGatewayBackend.delete_rest_api

    def delete_rest_api(self: Any, function_id: str) -> Any:
        if function_id not in self.apis:
            raise RestAPINotFound()
        return original(self, function_id)

    models.APIGatewayBackend.delete_rest_api = delete_rest_api


def _apigatewayv2_deployments() -> None:
    """AWS: apigatewayv2 CreateDeployment deploys an API; UpdateStage points a stage at it.

    moto has no deployments route (404) and no UpdateStage; stages do not
    report their ``deploymentId``.
    """
    from moto.apigatewayv2 import models, responses, urls

    urls.url_paths["{0}/v2/apis/(?P<api_id>[^/]+)/deployments$"] = (
        responses.ApiGatewayV2Response.dispatch
    )

    def create_deployment(self: Any) -> Any:
        api_id = self.path.split("/")[-2]
        self.apigatewayv2_backend.get_api(api_id)  # 404 for an unknown API
        return (
            201,
            {},
            json.dumps({"deploymentId": uuid.uuid4().hex[:10], "deploymentStatus": "DEPLOYED"}),
        )

    def update_stage(self: Any) -> Any:
        api_id = self.path.split("/")[-3]
        name = self.path.split("/")[-1]
        stage = self.apigatewayv2_backend.get_stage(api_id, name)
        params = json.loads(self.body or "{}")
        if "deploymentId" in params:
            stage.config["deploymentId"] = params["deploymentId"]
        return 200, {}, json.dumps(stage.to_json())

    responses.ApiGatewayV2Response.create_deployment = create_deployment
    responses.ApiGatewayV2Response.update_stage = update_stage

    original_to_json = models.Stage.to_json

    def to_json(self: Any) -> dict[str, Any]:
        out: dict[str, Any] = original_to_json(self)
        if self.config.get("deploymentId"):
            out["deploymentId"] = self.config["deploymentId"]
        return out

    models.Stage.to_json = to_json


def _empty_base_path_mappings() -> None:
    """AWS: GetBasePathMappings of a domain without mappings is an empty list (moto: 500)."""
    from moto.apigateway import models

    original = models.APIGatewayBackend.get_base_path_mappings

    def get_base_path_mappings(self: Any, domain_name: str) -> Any:
        if domain_name not in self.base_path_mappings:
            self.get_domain_name(domain_name)  # 404 for an unknown domain
            return []
        return original(self, domain_name)

    models.APIGatewayBackend.get_base_path_mappings = get_base_path_mappings


def _mock_integrations() -> None:
    """AWS: a ``mock`` integration (CORS preflight) has no uri nor httpMethod.

    moto's import/put of a definition requires both and answers 500.
    """
    from moto.apigateway import models

    original = models.APIGatewayBackend.put_integration

    def put_integration(
        self: Any,
        function_id: str,
        resource_id: str,
        method_type: str,
        integration_type: str,
        uri: str = "",
        integration_method: str = "",
        **kwargs: Any,
    ) -> Any:
        return original(
            self,
            function_id,
            resource_id,
            method_type,
            integration_type,
            uri,
            integration_method,
            **kwargs,
        )

    models.APIGatewayBackend.put_integration = put_integration


_swagger2 = False


def accept_swagger2() -> None:
    """AWS: ImportRestApi/PutRestApi accept Swagger 2.0; moto only OpenAPI 3.

    Opt-in (our deploy sends OpenAPI 3): used where upstream Chalice, which
    sends Swagger 2.0, talks to the same emulator (interop test, benchmark).
    The document is converted with our own converter before moto sees it.
    """
    global _swagger2
    if _swagger2:
        return
    _swagger2 = True
    from moto.apigateway import models

    from chalice.deploy.openapi3 import to_openapi3

    def convert(doc: dict[str, Any]) -> dict[str, Any]:
        if doc.get("swagger"):
            doc = to_openapi3(doc)
        doc.setdefault("info", {}).setdefault("description", "")
        return doc

    imp, put = models.APIGatewayBackend.import_rest_api, models.APIGatewayBackend.put_rest_api

    def import_rest_api(self: Any, api_doc: dict[str, Any], fail_on_warnings: bool) -> Any:
        return imp(self, convert(api_doc), fail_on_warnings)

    def put_rest_api(
        self: Any,
        function_id: str,
        api_doc: dict[str, Any],
        fail_on_warnings: bool,
        mode: str = "merge",
    ) -> Any:
        return put(self, function_id, convert(api_doc), fail_on_warnings, mode)

    models.APIGatewayBackend.import_rest_api = import_rest_api
    models.APIGatewayBackend.put_rest_api = put_rest_api


def _capitalised_s3_filter_names() -> None:
    """AWS: S3 notification filter rule names are case-insensitive (``Prefix`` works).

    moto accepts only ``prefix``/``suffix`` and answers 500 otherwise.
    """
    import re

    from moto.s3 import responses

    original = responses.S3Response._notification_config_from_body

    def parse(self: Any) -> dict[str, Any]:
        body = self.body.decode() if isinstance(self.body, bytes) else self.body
        self.body = re.sub(
            r"<Name>(Prefix|Suffix)</Name>", lambda m: f"<Name>{m.group(1).lower()}</Name>", body
        )
        result: dict[str, Any] = original(self)
        return result

    responses.S3Response._notification_config_from_body = parse


def _minimum_compression_patch() -> None:
    """AWS: UpdateRestApi ``replace /minimumCompressionSize`` sets it ('' unsets it).

    moto ignores that patch path.
    """
    from moto.apigateway import models

    original = models.RestAPI.apply_patch_operations

    def apply_patch_operations(self: Any, patch_operations: list[dict[str, Any]]) -> None:
        for op in patch_operations:
            if op.get("path") == "/minimumCompressionSize" and op.get("op") == "replace":
                value = op.get("value")
                self.minimum_compression_size = int(value) if value not in (None, "") else None
        original(self, patch_operations)

    models.RestAPI.apply_patch_operations = apply_patch_operations


def _lambda_tracing_update() -> None:
    """AWS: UpdateFunctionConfiguration changes ``TracingConfig``; moto ignores it."""
    from moto.awslambda import models

    original = models.LambdaFunction.update_configuration

    def update_configuration(self: Any, config_updates: dict[str, Any]) -> Any:
        if "TracingConfig" in config_updates:
            self.tracing_config = config_updates["TracingConfig"]
        return original(self, config_updates)

    models.LambdaFunction.update_configuration = update_configuration
