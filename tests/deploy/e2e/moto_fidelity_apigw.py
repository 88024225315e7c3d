"""moto fixes for API Gateway REST APIs (v1); ``moto_fidelity.apply()`` applies them.

Split out of ``moto_fidelity.py`` to keep each module small; the moto
internals they patch are listed in ``moto_fidelity.PATCHED`` with the rest.
Each fix names the AWS behaviour it restores.
"""

from __future__ import annotations

import json
from typing import Any


def apply() -> None:
    """Every REST API fix (``moto_fidelity.apply`` calls this once per process)."""
    _delete_unknown_rest_api_is_404()
    _empty_base_path_mappings()
    _mock_integrations()
    _import_swagger2()
    _import_endpoint_types()
    _tag_rest_apis()
    _deployment_keeps_the_stage()
    _minimum_compression_patch()


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


def _import_swagger2() -> None:
    """AWS: ImportRestApi/PutRestApi accept Swagger 2.0 and apply its API-level extensions.

    API Gateway imports OpenAPI 2.0 and 3.0 ("Develop REST APIs using
    OpenAPI in API Gateway"); moto 5 only 3.x, so the document is converted
    here, in the moto process (chalice sends Swagger 2.0 like upstream).
    The importer also applies ``x-amazon-apigateway-binary-media-types``,
    ``x-amazon-apigateway-policy`` and the ``vpcEndpointIds`` of
    ``x-amazon-apigateway-endpoint-configuration`` to the API, which
    GetRestApi then reports; moto ignores all three.
    """
    from moto.apigateway import models

    from tests.deploy.e2e.swagger2_for_moto import to_openapi3

    def convert(doc: dict[str, Any]) -> dict[str, Any]:
        if doc.get("swagger"):
            doc = to_openapi3(doc)
        doc.setdefault("info", {}).setdefault("description", "")
        return doc

    def settle(api: Any, doc: dict[str, Any]) -> Any:
        api.binaryMediaTypes = list(doc.get("x-amazon-apigateway-binary-media-types") or [])
        policy = doc.get("x-amazon-apigateway-policy")
        api.policy = json.dumps(policy) if policy else None
        vpces = (doc.get("x-amazon-apigateway-endpoint-configuration") or {}).get("vpcEndpointIds")
        config = dict(api.endpoint_configuration or {})
        if vpces:
            config["vpcEndpointIds"] = list(vpces)
        else:
            config.pop("vpcEndpointIds", None)
        api.endpoint_configuration = config
        return api

    imp, put = models.APIGatewayBackend.import_rest_api, models.APIGatewayBackend.put_rest_api

    def import_rest_api(self: Any, api_doc: dict[str, Any], fail_on_warnings: bool) -> Any:
        return settle(imp(self, convert(api_doc), fail_on_warnings), api_doc)

    def put_rest_api(
        self: Any,
        function_id: str,
        api_doc: dict[str, Any],
        fail_on_warnings: bool,
        mode: str = "merge",
    ) -> Any:
        return settle(put(self, function_id, convert(api_doc), fail_on_warnings, mode), api_doc)

    models.APIGatewayBackend.import_rest_api = import_rest_api
    models.APIGatewayBackend.put_rest_api = put_rest_api


def _import_endpoint_types() -> None:
    """AWS: ImportRestApi honours ``parameters`` ``endpointConfigurationTypes``.

    ("Import a Regional API into API Gateway": ``--parameters
    endpointConfigurationTypes=REGIONAL``.) moto ignores it and makes EDGE.
    """
    from moto.apigateway import responses

    original = responses.APIGatewayResponse.import_rest_api

    def import_rest_api(self: Any) -> Any:
        status, headers, body = original(self)
        wanted = (self.querystring.get("endpointConfigurationTypes") or [None])[0]
        if status != 200 or not wanted:
            return status, headers, body
        api = self.backend.get_rest_api(json.loads(body)["id"])
        api.endpoint_configuration = {**(api.endpoint_configuration or {}), "types": [wanted]}
        return status, headers, json.dumps(api.to_dict())

    responses.APIGatewayResponse.import_rest_api = import_rest_api


def _tag_rest_apis() -> None:
    """AWS: TagResource/UntagResource/GetTags work on a REST API's ARN.

    (``arn:aws:apigateway:<region>::/restapis/<id>`` is taggable, per the
    API Gateway "Tagging" resource list.) moto routes only stage ARNs.
    """
    from urllib.parse import unquote

    from moto.apigateway import responses, urls

    urls.url_paths[
        "{0}/tags/arn:(?P<partition>[^/]+):apigateway:(?P<region_name>[^/]+)::/restapis/"
        "(?P<function_id>[^/]+)$"
    ] = responses.APIGatewayResponse.dispatch

    def rest_api_of(self: Any) -> Any:
        parts = unquote(self.path.split("/tags/")[1]).split("/")
        if parts[-2] != "restapis":
            return None
        return self.backend.get_rest_api(parts[-1])

    tag, untag, get = (
        responses.APIGatewayResponse.tag_resource,
        responses.APIGatewayResponse.untag_resource,
        responses.APIGatewayResponse.get_tags,
    )

    def tag_resource(self: Any) -> Any:
        api = rest_api_of(self)
        if api is None:
            return tag(self)
        api.tags = {**(api.tags or {}), **(self._get_param("tags") or {})}
        return json.dumps({})

    def untag_resource(self: Any) -> Any:
        api = rest_api_of(self)
        if api is None:
            return untag(self)
        for key in self.querystring.get("tagKeys") or []:
            (api.tags or {}).pop(key, None)
        return json.dumps({})

    def get_tags(self: Any) -> Any:
        api = rest_api_of(self)
        if api is None:
            return get(self)
        return json.dumps({"tags": api.tags or {}})

    responses.APIGatewayResponse.tag_resource = tag_resource
    responses.APIGatewayResponse.untag_resource = untag_resource
    responses.APIGatewayResponse.get_tags = get_tags


def _deployment_keeps_the_stage() -> None:
    """AWS: CreateDeployment into an existing stage repoints it and keeps its settings.

    The stage keeps its variables (the given ``variables`` are set on top),
    tags and other settings; ``tracingEnabled`` is applied when given. moto
    replaces the stage with a bare new one and ignores ``tracingEnabled``.
    """
    from moto.apigateway import responses

    original = responses.APIGatewayResponse.create_deployment

    def create_deployment(self: Any) -> Any:
        api_id = self.path.replace("/restapis/", "", 1).split("/")[0]
        name = self._get_param("stageName")
        api = self.backend.get_rest_api(api_id)
        before = api.stages.get(name) if name else None
        status, headers, body = original(self)
        if not name or status >= 300:
            return status, headers, body
        stage = api.stages[name]
        if before is not None:
            before.deployment_id = stage.deployment_id
            before.variables.update(self._get_param("variables") or {})
            api.stages[name] = stage = before
        tracing = self._get_param("tracingEnabled")
        if tracing is not None:
            stage.tracing_enabled = bool(tracing)
        return status, headers, body

    responses.APIGatewayResponse.create_deployment = create_deployment


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
