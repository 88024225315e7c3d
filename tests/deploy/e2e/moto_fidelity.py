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

from tests.deploy.e2e import moto_fidelity_apigw, moto_overhead

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
    ("moto.awslambda.models", "LambdaFunction.update_function_code"),
    ("moto.awslambda.models", "LambdaFunction.get_configuration"),
    ("moto.awslambda.policy", "Policy.add_statement"),
    ("moto.awslambda.policy", "Policy.del_statement"),
    ("moto.awslambda.policy", "Policy.get_policy"),
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
    # Before the REST API fixes: importing moto.apigateway.urls copies
    # apigatewayv2's url_paths, so the v2 routes must be added first.
    _apigatewayv2_deployments()
    moto_fidelity_apigw.apply()
    _capitalised_s3_filter_names()
    _lambda_tracing_update()
    _lambda_revisions()
    _atomic_conditional_writes()
    _http_api_get_authorizers()
    _function_url_permission_conditions()
    _function_url_empty_cors_clears()
    _http_api_stage_settings()


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


def accept_swagger2() -> None:
    """Kept for callers written when Swagger 2.0 import was opt-in: now part of ``apply``."""
    apply()


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


def _lambda_tracing_update() -> None:
    """AWS: UpdateFunctionConfiguration changes ``TracingConfig``; moto ignores it."""
    from moto.awslambda import models

    original = models.LambdaFunction.update_configuration

    def update_configuration(self: Any, config_updates: dict[str, Any]) -> Any:
        if "TracingConfig" in config_updates:
            self.tracing_config = config_updates["TracingConfig"]
        return original(self, config_updates)

    models.LambdaFunction.update_configuration = update_configuration


def _lambda_revisions() -> None:
    """AWS: a function gets a new ``RevisionId`` whenever its code, its configuration
    or its resource policy changes ("The latest updated revision of the function",
    https://docs.aws.amazon.com/lambda/latest/api/API_FunctionConfiguration.html),
    and GetPolicy answers the function's ``RevisionId``: the one AddPermission's
    and RemovePermission's ``RevisionId`` parameters check. moto gives a
    function none (only aliases have one) and keeps another for the policy.
    """
    from moto.awslambda import models, policy
    from moto.moto_api._internal import mock_random

    def revise(fn: Any) -> None:
        if isinstance(fn, models.LambdaFunction):
            fn.revision_id = str(mock_random.uuid4())

    def revision(fn: Any) -> str:
        if not getattr(fn, "revision_id", None):
            revise(fn)
        return str(fn.revision_id)

    get_configuration = models.LambdaFunction.get_configuration

    def configuration(self: Any, on_create: bool = False) -> dict[str, Any]:
        answer: dict[str, Any] = get_configuration(self, on_create)
        answer["RevisionId"] = revision(self)
        return answer

    models.LambdaFunction.get_configuration = configuration

    def revising(original: Any) -> Any:
        # Revised first: the update's answer carries the new revision, as AWS's does.
        def changed(self: Any, *args: Any, **kwargs: Any) -> Any:
            revise(self)
            return original(self, *args, **kwargs)

        return changed

    fn_class = models.LambdaFunction
    fn_class.update_configuration = revising(fn_class.update_configuration)
    fn_class.update_function_code = revising(fn_class.update_function_code)

    add_statement, del_statement = policy.Policy.add_statement, policy.Policy.del_statement
    get_policy = policy.Policy.get_policy

    def add(self: Any, raw: str, qualifier: str | None = None) -> Any:
        statement, _revision = add_statement(self, raw, qualifier)
        revise(self.parent)
        self.revision = getattr(self.parent, "revision_id", self.revision)
        return statement, self.revision

    def delete(self: Any, sid: str, revision: str = "") -> None:
        del_statement(self, sid, revision)
        revise(self.parent)
        self.revision = getattr(self.parent, "revision_id", self.revision)

    def read(self: Any) -> dict[str, Any]:
        answer: dict[str, Any] = get_policy(self)
        if isinstance(self.parent, models.LambdaFunction):
            answer["RevisionId"] = revision(self.parent)
        return answer

    policy.Policy.add_statement = add
    policy.Policy.del_statement = delete
    policy.Policy.get_policy = read


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
