"""Small fixes making moto answer like AWS where our deploy relies on it.

moto runs in this process (``ThreadedMotoServer``), so its backend and
response classes can be patched here; botocore is never patched. Each fix
names the AWS behaviour it restores. ``apply()`` is idempotent and must run
before the first apigatewayv2 request of the process (the server builds a
service's URL map on first use), which the ``moto_server`` fixture of
tests/conftest.py ensures (scripts/demo.py applies it to its moto too).
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from tests.deploy.e2e import moto_overhead

_applied = False

# The moto releases these patches are tested on (pyproject.toml pins the same).
TESTED_RANGE = ((5, 2, 5), (5, 3, 0))

# Every moto internal a patch below replaces or extends, as (module, attribute
# path). Checked before anything is patched: a moto that renamed one would
# otherwise leave the fix silently unapplied and the e2e tests judging moto's
# behaviour instead of AWS's.
PATCHED = (
    ("moto.apigateway.models", "APIGatewayBackend.delete_rest_api"),
    ("moto.apigateway.models", "APIGatewayBackend.get_base_path_mappings"),
    ("moto.apigateway.models", "APIGatewayBackend.put_integration"),
    ("moto.apigateway.models", "APIGatewayBackend.import_rest_api"),
    ("moto.apigateway.models", "APIGatewayBackend.put_rest_api"),
    ("moto.apigateway.models", "RestAPI.apply_patch_operations"),
    ("moto.apigateway.exceptions", "RestAPINotFound"),
    ("moto.apigateway.responses", "APIGatewayResponse.import_rest_api"),
    ("moto.apigateway.responses", "APIGatewayResponse.tag_resource"),
    ("moto.apigateway.responses", "APIGatewayResponse.untag_resource"),
    ("moto.apigateway.responses", "APIGatewayResponse.get_tags"),
    ("moto.apigateway.responses", "APIGatewayResponse.create_deployment"),
    ("moto.apigateway.responses", "APIGatewayResponse.dispatch"),
    ("moto.apigateway.urls", "url_paths"),
    ("moto.apigatewayv2.models", "Stage.to_json"),
    ("moto.apigatewayv2.responses", "ApiGatewayV2Response.dispatch"),
    ("moto.apigatewayv2.urls", "url_paths"),
    ("moto.s3.responses", "S3Response._notification_config_from_body"),
    ("moto.awslambda.models", "LambdaFunction.update_configuration"),
    ("moto.awslambda.policy", "Policy.decode_policy"),
    ("moto.awslambda.exceptions", "InvalidParameterValueException"),
    # moto_overhead.py
    ("moto.backends", "list_of_moto_modules"),
    ("moto.core.utils", "get_service_model"),
    ("moto.core.routing", "get_service_model"),
    ("moto.core.responses", "get_service_model"),
)


class MotoFidelityError(RuntimeError):
    """The installed moto lacks an internal these fixes patch: they cannot apply."""


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


def check_internals() -> None:
    """Raise ``MotoFidelityError`` naming every patched moto internal that is missing."""
    import importlib
    import importlib.util

    import moto

    missing: list[str] = []
    for module_name, path in PATCHED:
        if module_name.endswith(".urls"):
            # Not imported here: moto.apigateway.urls copies apigatewayv2's
            # url_paths when imported, so importing it before the v2 route is
            # added would hide that route. Its existence is enough to check.
            if importlib.util.find_spec(module_name) is None:
                missing.append(module_name)
            continue
        try:
            target: Any = importlib.import_module(module_name)
        except ImportError:
            missing.append(module_name)
            continue
        for part in path.split("."):
            target = getattr(target, part, None)
            if target is None:
                missing.append(f"{module_name}.{path}")
                break
    if missing:
        low, high = (".".join(map(str, v)) for v in TESTED_RANGE)
        raise MotoFidelityError(
            f"moto {moto.__version__} lacks what tests/deploy/e2e/moto_fidelity.py "
            f"patches: {', '.join(missing)}. The fixes are tested on moto >={low},<{high}; "
            f"install that range (pip install 'moto[server]>={low},<{high}') or port the "
            "fixes to this moto."
        )


def _warn_untested_version() -> None:
    import warnings

    import moto

    low, high = TESTED_RANGE
    if not low <= _version(moto.__version__) < high:
        warnings.warn(
            f"moto {moto.__version__} is outside the range the fidelity fixes are tested on "
            f"({'.'.join(map(str, low))} to below {'.'.join(map(str, high))}); "
            "e2e results may reflect moto, not AWS",
            stacklevel=3,
        )


def apply() -> None:
    """Apply every fix (once per process); raise if moto cannot take them."""
    global _applied
    if _applied:
        return
    check_internals()
    _warn_untested_version()
    _applied = True
    moto_overhead.apply()
    _delete_unknown_rest_api_is_404()
    _apigatewayv2_deployments()
    _empty_base_path_mappings()
    _mock_integrations()
    _capitalised_s3_filter_names()
    _minimum_compression_patch()
    _lambda_tracing_update()
    _import_swagger2()
    _import_endpoint_types()
    _tag_rest_apis()
    _deployment_keeps_the_stage()
    _atomic_conditional_writes()
    _http_api_get_authorizers()
    _function_url_permission_conditions()
    _function_url_empty_cors_clears()
    _http_api_stage_settings()


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


def accept_swagger2() -> None:
    """Kept for callers written when Swagger 2.0 import was opt-in: now part of ``apply``."""
    apply()


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


def _atomic_conditional_writes() -> None:
    """AWS: a conditional write or delete is atomic with its precondition.

    Of concurrent PutObjects with ``If-None-Match: *`` on one key exactly one
    succeeds; the others get 412 PreconditionFailed (or 409
    ConditionalRequestConflict), and likewise for ``If-Match: <etag>`` and
    conditional DeleteObject (S3 conditional writes:
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-requests.html).
    moto checks the precondition and then writes, unlocked, on its request
    threads, so two requests can both pass the check. One lock around the
    conditional requests restores the guarantee (unconditional ones are
    unaffected).
    """
    import threading

    from moto.s3 import responses

    lock = threading.RLock()

    def guarded(original: Any) -> Any:
        def method(self: Any) -> Any:
            headers = self.headers or {}
            if headers.get("If-Match") or headers.get("If-None-Match"):
                with lock:
                    return original(self)
            return original(self)

        return method

    responses.S3Response.put_object = guarded(responses.S3Response.put_object)
    responses.S3Response.delete_object = guarded(responses.S3Response.delete_object)
def _http_api_get_authorizers() -> None:
    """AWS: GetAuthorizers lists an API's authorizers (API Gateway v2 API reference,
    "Authorizers": GET /v2/apis/{apiId}/authorizers); moto 5 implements only the
    single-authorizer operations and answers 500 NotImplementedError."""
    import json

    from moto.apigatewayv2 import responses

    def get_authorizers(self: Any) -> Any:
        api_id = self.path.split("/")[-2]
        api = self.apigatewayv2_backend.get_api(api_id)
        items = [a.to_json() for a in api.authorizers.values()]
        return 200, {}, json.dumps({"items": items})

    responses.ApiGatewayV2Response.get_authorizers = get_authorizers


def _function_url_permission_conditions() -> None:
    """AWS: AddPermission stores its function URL parameters as conditions of the
    statement (Lambda developer guide, "Control access to Lambda function URLs", and
    the AddPermission API reference): ``FunctionUrlAuthType`` as
    ``{"StringEquals": {"lambda:FunctionUrlAuthType": ...}}``, ``InvokedViaFunctionUrl``
    as ``{"Bool": {"lambda:InvokedViaFunctionUrl": "true"}}``; and it refuses
    ``FunctionUrlAuthType`` on any action but ``lambda:InvokeFunctionUrl`` (the
    InvalidParameterValueException as real accounts get it:
    https://github.com/RJPearson94/terraform-aws-open-next/issues/73). moto keeps both
    parameters as unknown top-level keys of the statement and refuses nothing."""
    from moto.awslambda import policy
    from moto.awslambda.exceptions import InvalidParameterValueException

    original = policy.Policy.decode_policy

    def decode_policy(self: Any, obj: dict[str, Any]) -> Any:
        auth_type = obj.pop("FunctionUrlAuthType", None)
        via_url = obj.pop("InvokedViaFunctionUrl", None)
        if auth_type is not None and obj.get("Action") != "lambda:InvokeFunctionUrl":
            raise InvalidParameterValueException(
                "FunctionUrlAuthType is only supported for lambda:InvokeFunctionUrl action"
            )
        decoded = original(self, obj)
        statement = decoded.statements[-1]
        if auth_type is not None:
            condition = statement.setdefault("Condition", {}).setdefault("StringEquals", {})
            condition["lambda:FunctionUrlAuthType"] = auth_type
        if via_url:
            condition = statement.setdefault("Condition", {}).setdefault("Bool", {})
            condition["lambda:InvokedViaFunctionUrl"] = "true"
        return decoded

    policy.Policy.decode_policy = decode_policy


def _function_url_empty_cors_clears() -> None:
    """AWS: UpdateFunctionUrlConfig replaces the URL's CORS settings with the request's
    ``Cors`` (API reference, UpdateFunctionUrlConfig), so an empty object clears them
    (the Terraform AWS provider removes a ``cors`` block this way); moto ignores an
    empty ``Cors`` and keeps the old settings."""
    from moto.awslambda import models

    original = models.FunctionUrlConfig.update

    def update(self: Any, new_config: dict[str, Any]) -> None:
        if "Cors" in new_config and not new_config["Cors"]:
            self.config.pop("Cors", None)
        original(self, new_config)

    models.FunctionUrlConfig.update = update


def _http_api_stage_settings() -> None:
    """AWS: UpdateStage sets a stage's ``AccessLogSettings`` and ``DefaultRouteSettings``,
    and DeleteAccessLogSettings (DELETE /v2/apis/{apiId}/stages/{stageName}/accesslogsettings)
    turns access logging off (API Gateway v2 API reference, "Stage" and
    "AccessLogSettings"); moto has neither (the UpdateStage above only moves the
    deployment)."""
    from moto.apigateway import urls as v1_urls
    from moto.apigatewayv2 import responses, urls

    path = "{0}/v2/apis/(?P<api_id>[^/]+)/stages/(?P<stage_name>[^/]+)/accesslogsettings$"
    # moto serves v2 paths from the apigateway app too, which copied the v2
    # table when it was imported: register the path in both.
    for table in (urls.url_paths, v1_urls.url_paths):
        table[path] = responses.ApiGatewayV2Response.dispatch
    moved = responses.ApiGatewayV2Response.update_stage

    def update_stage(self: Any) -> Any:
        result = moved(self)
        api_id, name = self.path.split("/")[-3], self.path.split("/")[-1]
        stage = self.apigatewayv2_backend.get_stage(api_id, name)
        params = json.loads(self.body or "{}")
        if "accessLogSettings" in params:
            stage.access_log_settings = params["accessLogSettings"]
        if "defaultRouteSettings" in params:
            stage.default_route_settings = params["defaultRouteSettings"]
        return 200, result[1], json.dumps(stage.to_json()) if result[0] < 300 else result[2]

    def delete_access_log_settings(self: Any) -> Any:
        api_id, name = self.path.split("/")[-4], self.path.split("/")[-2]
        self.apigatewayv2_backend.get_stage(api_id, name).access_log_settings = None
        return 204, {}, ""

    responses.ApiGatewayV2Response.update_stage = update_stage
    responses.ApiGatewayV2Response.delete_access_log_settings = delete_access_log_settings
