"""HTTP APIs (API Gateway v2) and function URLs end to end against moto.

Deploy, an unchanged redeploy (0 mutating calls), a change, the REST <->
HTTP swap of a stage, adoption after a crash, delete (0 leaks), and a
function URL's deploy, no-op, auth change and delete.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import attrs
import pytest

from chalice.deploy import models
from chalice.deploy.deployer import delete_stage, deploy_application
from chalice.deploy.plan import Action, Plan
from chalice.deploy.state import load_state
from tests.deploy.e2e import models_kit as kit
from tests.reporting import RecordingReporter

KINDS = models.HttpAuthorizerKind


def _parts(tmp: Path, name: str) -> tuple[models.LambdaFunction, models.LambdaFunction]:
    pkg = kit.make_zip(tmp / f"{name}.zip")
    role = kit.role(name, "dev")
    return (
        kit.function(name, "dev", "api_handler", pkg, role),
        kit.function(name, "dev", "auth", pkg, role),
    )


def _domain(name: str, stage: str = "api", prefix: str = "v1") -> models.DomainName:
    return models.DomainName(
        resource_name="http_api_custom_domain",
        domain_name=f"{name}.example.com",
        protocol=models.APIType.HTTP_API,
        certificate_arn="arn:aws:acm:us-west-2:123456789012:certificate/abc",
        api_mapping=models.APIMapping("api_mapping", mount_path=prefix, api_gateway_stage=stage),
        endpoint_type="REGIONAL",
    )


def _http_api(
    tmp: Path,
    name: str,
    *,
    extra_route: bool = False,
    stage: str = "api",
    cors: bool = True,
    domain: models.DomainName | None = None,
    simple: bool = False,
) -> models.Application:
    handler, auth_fn = _parts(tmp, name)
    routes = [
        models.HttpApiRoute("GET /"),
        models.HttpApiRoute("GET /users/{name}", KINDS.JWT, "cognito", ("users/read",)),
        models.HttpApiRoute("PUT /users/{name}", KINDS.LAMBDA, "auth"),
        models.HttpApiRoute("POST /admin", KINDS.IAM),
    ]
    if extra_route:
        routes.append(models.HttpApiRoute("DELETE /users/{name}", KINDS.LAMBDA, "auth"))
    api = models.HttpApi(
        resource_name="http_api",
        name=f"{name}-dev-http-api",
        api_gateway_stage=stage,
        routes=tuple(routes),
        lambda_function=handler,
        authorizers=(
            models.HttpApiAuthorizer(
                name="cognito",
                kind=KINDS.JWT,
                identity_source=("$request.header.Authorization",),
                issuer="https://cognito-idp.us-west-2.amazonaws.com/us-west-2_abc",
                audience=("client1",),
            ),
            models.HttpApiAuthorizer(
                name="auth",
                kind=KINDS.LAMBDA,
                identity_source=("$request.header.Authorization",),
                function="auth",
                function_name=auth_fn.function_name,
                ttl_seconds=60,
                simple_responses=simple,
            ),
        ),
        cors=models.CorsSettings(allow_origins=("https://example.com",), max_age=600)
        if cors
        else None,
        domain_name=domain,
    )
    return models.Application("dev", (auth_fn, api))


def _rest_api(tmp: Path, name: str) -> models.Application:
    handler, _ = _parts(tmp, name)
    api = models.RestAPI(
        resource_name="rest_api",
        swagger_doc=kit.swagger(name),
        minimum_compression="",
        api_gateway_stage="api",
        endpoint_type="REGIONAL",
        lambda_function=handler,
    )
    return models.Application("dev", (api,))


def _deploy(application: models.Application, project: Path, aws: Any, name: str) -> Any:
    return deploy_application(
        application, project_dir=project, app_name=name, clients=aws, ui=RecordingReporter()
    )


def _plan(application: models.Application, project: Path, aws: Any, name: str) -> Plan:
    return deploy_application(
        application,
        project_dir=project,
        app_name=name,
        clients=aws,
        ui=RecordingReporter(),
        plan_only=True,
    ).plan


def _actions(plan: Plan) -> dict[str, Action]:
    return {s.name: s.action for s in plan.steps}


def _entry(project: Path, name: str) -> dict[str, Any]:
    entry = load_state(project, "dev").get(name)
    assert entry is not None, name
    return entry


def test_deploy_builds_routes_authorizers_cors_and_an_auto_deploy_stage(
    shared_env: str, project: Path, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    name = "http" + uuid.uuid4().hex[:8]
    _deploy(_http_api(tmp_path, name), project, aws, name)
    entry = _entry(project, "http_api")
    api_id = entry["http_api_id"]
    assert entry["http_api_url"] == f"https://{api_id}.execute-api.us-west-2.amazonaws.com/api/"
    v2 = boto.apigatewayv2
    api = v2.get_api(ApiId=api_id)
    assert api["ProtocolType"] == "HTTP"
    assert api["Tags"]["chalice:resource"] == "http_api"
    assert api["CorsConfiguration"]["AllowOrigins"] == ["https://example.com"]
    (integration,) = v2.get_integrations(ApiId=api_id)["Items"]
    assert integration["IntegrationType"] == "AWS_PROXY"
    assert integration["PayloadFormatVersion"] == "2.0"
    assert integration["IntegrationUri"].endswith(f"function:{name}-dev")
    authorizers = {a["Name"]: a for a in v2.get_authorizers(ApiId=api_id)["Items"]}
    assert authorizers["cognito"]["AuthorizerType"] == "JWT"
    assert authorizers["cognito"]["JwtConfiguration"]["Audience"] == ["client1"]
    assert authorizers["auth"]["AuthorizerType"] == "REQUEST"
    assert authorizers["auth"]["AuthorizerPayloadFormatVersion"] == "2.0"
    assert authorizers["auth"]["AuthorizerResultTtlInSeconds"] == 60
    routes = {r["RouteKey"]: r for r in v2.get_routes(ApiId=api_id)["Items"]}
    assert set(routes) == {"GET /", "GET /users/{name}", "PUT /users/{name}", "POST /admin"}
    assert routes["GET /"]["AuthorizationType"] == "NONE"
    assert routes["GET /users/{name}"]["AuthorizationType"] == "JWT"
    assert routes["GET /users/{name}"]["AuthorizerId"] == authorizers["cognito"]["AuthorizerId"]
    assert routes["GET /users/{name}"]["AuthorizationScopes"] == ["users/read"]
    assert routes["PUT /users/{name}"]["AuthorizationType"] == "CUSTOM"
    assert routes["POST /admin"]["AuthorizationType"] == "AWS_IAM"
    stage = v2.get_stage(ApiId=api_id, StageName="api")
    assert stage["AutoDeploy"] is True
    # Invoke permissions scoped to this API, for the handler and the authorizer.
    source = f"arn:aws:execute-api:us-west-2:123456789012:{api_id}/*"
    for fn in (f"{name}-dev", f"{name}-dev-auth"):
        policy = boto.awslambda.get_policy(FunctionName=fn)["Policy"]
        assert source in policy, fn

    # An unchanged redeploy costs no mutating call.
    calls.reset()
    result = _deploy(_http_api(tmp_path, name), project, aws, name)
    assert calls.mutating == []
    assert _actions(result.plan)["http_api"] is Action.UNCHANGED


def test_a_change_touches_only_what_differs(
    shared_env: str, project: Path, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    name = "http" + uuid.uuid4().hex[:8]
    _deploy(_http_api(tmp_path, name), project, aws, name)
    api_id = _entry(project, "http_api")["http_api_id"]
    plan = _plan(_http_api(tmp_path, name, extra_route=True, cors=False), project, aws, name)
    step = next(s for s in plan.steps if s.name == "http_api")
    assert step.action is Action.UPDATE
    assert {c.field for c in step.changes} == {"cors", "routes"}
    calls.reset()
    _deploy(_http_api(tmp_path, name, extra_route=True, cors=False), project, aws, name)
    v2_writes = sorted(
        op for svc, op in calls.calls if svc == "apigatewayv2" and calls.is_mutating(op)
    )
    assert v2_writes == ["CreateRoute", "DeleteCorsConfiguration"]
    routes = {r["RouteKey"] for r in boto.apigatewayv2.get_routes(ApiId=api_id)["Items"]}
    assert "DELETE /users/{name}" in routes
    assert not boto.apigatewayv2.get_api(ApiId=api_id).get("CorsConfiguration")
    # Back again: the route goes, CORS comes back, and then nothing to do.
    _deploy(_http_api(tmp_path, name), project, aws, name)
    routes = {r["RouteKey"] for r in boto.apigatewayv2.get_routes(ApiId=api_id)["Items"]}
    assert "DELETE /users/{name}" not in routes
    calls.reset()
    _deploy(_http_api(tmp_path, name), project, aws, name)
    assert calls.mutating == []


def test_simple_responses_create_the_authorizer_and_a_flip_is_one_update(
    shared_env: str, project: Path, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    name = "http" + uuid.uuid4().hex[:8]
    _deploy(_http_api(tmp_path, name, simple=True), project, aws, name)
    api_id = _entry(project, "http_api")["http_api_id"]

    def lambda_authorizer() -> dict[str, Any]:
        items = boto.apigatewayv2.get_authorizers(ApiId=api_id)["Items"]
        return next(a for a in items if a["Name"] == "auth")

    created = lambda_authorizer()
    assert created["EnableSimpleResponses"] is True
    assert created["AuthorizerPayloadFormatVersion"] == "2.0"
    calls.reset()
    _deploy(_http_api(tmp_path, name, simple=True), project, aws, name)
    assert calls.mutating == []
    # Back to IAM policies: the plan names the authorizer, one call updates it in place.
    plan = _plan(_http_api(tmp_path, name), project, aws, name)
    step = next(s for s in plan.steps if s.name == "http_api")
    assert step.action is Action.UPDATE
    assert {c.field for c in step.changes} == {"authorizer[auth]"}
    calls.reset()
    _deploy(_http_api(tmp_path, name), project, aws, name)
    assert calls.mutating == ["UpdateAuthorizer"]
    updated = lambda_authorizer()
    assert updated["EnableSimpleResponses"] is False
    assert updated["AuthorizerId"] == created["AuthorizerId"]
    calls.reset()
    _deploy(_http_api(tmp_path, name), project, aws, name)
    assert calls.mutating == []


def test_default_stage_serves_at_the_root(
    shared_env: str, project: Path, aws: Any, boto: Any, tmp_path: Path
) -> None:
    name = "http" + uuid.uuid4().hex[:8]
    _deploy(_http_api(tmp_path, name, stage="$default"), project, aws, name)
    entry = _entry(project, "http_api")
    assert entry["http_api_url"].endswith(".amazonaws.com/")
    stages = boto.apigatewayv2.get_stages(ApiId=entry["http_api_id"])["Items"]
    assert [s["StageName"] for s in stages] == ["$default"]


def test_switching_a_stage_rest_to_http_and_back_swaps_the_apis(
    shared_env: str, project: Path, aws: Any, boto: Any, tmp_path: Path
) -> None:
    name = "swap" + uuid.uuid4().hex[:8]
    _deploy(_rest_api(tmp_path, name), project, aws, name)
    rest_id = _entry(project, "rest_api")["rest_api_id"]

    plan = _plan(_http_api(tmp_path, name), project, aws, name)
    actions = _actions(plan)
    assert actions["rest_api"] is Action.DELETE
    assert actions["http_api"] is Action.CREATE
    _deploy(_http_api(tmp_path, name), project, aws, name)
    state = load_state(project, "dev")
    assert state.get("rest_api") is None
    http_id = _entry(project, "http_api")["http_api_id"]
    rest_ids = [a["id"] for a in boto.apigateway.get_rest_apis()["items"]]
    assert rest_id not in rest_ids

    plan = _plan(_rest_api(tmp_path, name), project, aws, name)
    actions = _actions(plan)
    assert actions["http_api"] is Action.DELETE
    assert actions["rest_api"] is Action.CREATE
    _deploy(_rest_api(tmp_path, name), project, aws, name)
    assert load_state(project, "dev").get("http_api") is None
    assert http_id not in [a["ApiId"] for a in boto.apigatewayv2.get_apis()["Items"]]

    delete_stage(
        project_dir=project, stage="dev", app_name=name, clients=aws, ui=RecordingReporter()
    )
    assert kit.leftovers(boto, name) == {}


def test_an_api_created_before_a_crash_is_adopted_by_its_tags(
    shared_env: str, project: Path, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    name = "http" + uuid.uuid4().hex[:8]
    _deploy(_http_api(tmp_path, name), project, aws, name)
    api_id = _entry(project, "http_api")["http_api_id"]
    # The state file lost the entry (kill -9 between create and record).
    state_file = project / ".chalice" / "deployed" / "dev.json"
    import json

    data = json.loads(state_file.read_text())
    data["resources"] = [r for r in data["resources"] if r["name"] != "http_api"]
    state_file.write_text(json.dumps(data))
    calls.reset()
    _deploy(_http_api(tmp_path, name), project, aws, name)
    assert _entry(project, "http_api")["http_api_id"] == api_id
    assert "CreateApi" not in calls.mutating


def test_delete_leaves_nothing(
    shared_env: str, project: Path, aws: Any, boto: Any, tmp_path: Path
) -> None:
    name = "http" + uuid.uuid4().hex[:8]
    _deploy(_http_api(tmp_path, name), project, aws, name)
    delete_stage(
        project_dir=project, stage="dev", app_name=name, clients=aws, ui=RecordingReporter()
    )
    assert kit.leftovers(boto, name) == {}
    assert load_state(project, "dev").resources == ()


def test_a_custom_domain_is_mapped_to_the_stage(
    shared_env: str, project: Path, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    name = "dom" + uuid.uuid4().hex[:8]
    _deploy(_http_api(tmp_path, name, domain=_domain(name)), project, aws, name)
    api_id = _entry(project, "http_api")["http_api_id"]
    entry = _entry(project, "http_api_custom_domain")
    assert entry["domain_name"] == f"{name}.example.com"
    assert entry["api_mapping"] == [{"key": "/v1"}]
    (mapping,) = boto.apigatewayv2.get_api_mappings(DomainName=f"{name}.example.com")["Items"]
    assert (mapping["ApiId"], mapping["Stage"], mapping["ApiMappingKey"]) == (api_id, "api", "v1")
    calls.reset()
    _deploy(_http_api(tmp_path, name, domain=_domain(name)), project, aws, name)
    assert calls.mutating == []
    # A new prefix moves the mapping; nothing else changes.
    _deploy(_http_api(tmp_path, name, domain=_domain(name, prefix="v2")), project, aws, name)
    (mapping,) = boto.apigatewayv2.get_api_mappings(DomainName=f"{name}.example.com")["Items"]
    assert mapping["ApiMappingKey"] == "v2"
    delete_stage(
        project_dir=project, stage="dev", app_name=name, clients=aws, ui=RecordingReporter()
    )
    names = [d["DomainName"] for d in boto.apigatewayv2.get_domain_names()["Items"]]
    assert f"{name}.example.com" not in names
    assert kit.leftovers(boto, name) == {}


# -- function URLs ---------------------------------------------------------------------


def _with_url(tmp: Path, name: str, auth_type: str, *, cors: bool = False) -> models.Application:
    pkg = kit.make_zip(tmp / f"{name}.zip")
    fn = kit.function(name, "dev", "pure", pkg, kit.role(name, "dev"))
    url = models.FunctionUrl(
        resource_name="pure-function-url",
        auth_type=auth_type,
        lambda_function=fn,
        cors=models.CorsSettings(allow_origins=("*",)) if cors else None,
    )
    return models.Application("dev", (fn, url))


def _public_statements(boto: Any, function: str) -> list[dict[str, Any]]:
    """The statements granting anyone a call of the URL or an invoke through it."""
    import json

    try:
        policy = json.loads(boto.awslambda.get_policy(FunctionName=function)["Policy"])
    except boto.awslambda.exceptions.ResourceNotFoundException:
        return []
    return sorted(
        (
            s
            for s in policy["Statement"]
            if s["Principal"] == "*"
            and s["Action"] in ("lambda:InvokeFunctionUrl", "lambda:InvokeFunction")
        ),
        key=lambda s: str(s["Action"]),
    )


def _no_op_then_delete(
    application: models.Application, project: Path, aws: Any, boto: Any, calls: Any, name: str
) -> None:
    """A redeploy of ``application`` makes no mutating call; delete leaves nothing."""
    calls.reset()
    _deploy(application, project, aws, name)
    assert calls.mutating == []
    delete_stage(
        project_dir=project, stage="dev", app_name=name, clients=aws, ui=RecordingReporter()
    )
    assert kit.leftovers(boto, name) == {}


def test_function_url_deploy_noop_change_and_delete(
    shared_env: str, project: Path, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    name = "url" + uuid.uuid4().hex[:8]
    function = f"{name}-dev-pure"
    _deploy(_with_url(tmp_path, name, "NONE", cors=True), project, aws, name)
    entry = _entry(project, "pure-function-url")
    config = boto.awslambda.get_function_url_config(FunctionName=function)
    assert entry == {
        "name": "pure-function-url",
        "resource_type": "function_url",
        "function_url": config["FunctionUrl"],
        "function_name": function,
    }
    assert config["AuthType"] == "NONE"
    assert config["Cors"]["AllowOrigins"] == ["*"]
    # Both statements AWS requires of a public URL since October 2025, as GetPolicy shows them.
    invoke, call_url = _public_statements(boto, function)
    assert call_url["Action"] == "lambda:InvokeFunctionUrl"
    assert call_url["Condition"] == {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}
    assert invoke["Action"] == "lambda:InvokeFunction"
    assert invoke["Condition"] == {"Bool": {"lambda:InvokedViaFunctionUrl": "true"}}

    calls.reset()
    _deploy(_with_url(tmp_path, name, "NONE", cors=True), project, aws, name)
    assert calls.mutating == []

    # AWS_IAM: the URL stops being public (both statements go) and CORS is cleared.
    _deploy(_with_url(tmp_path, name, "AWS_IAM"), project, aws, name)
    config = boto.awslambda.get_function_url_config(FunctionName=function)
    assert config["AuthType"] == "AWS_IAM"
    assert not config.get("Cors")
    assert _public_statements(boto, function) == []
    _no_op_then_delete(_with_url(tmp_path, name, "AWS_IAM"), project, aws, boto, calls, name)


def test_removing_the_config_deletes_only_the_url(
    shared_env: str, project: Path, aws: Any, boto: Any, tmp_path: Path
) -> None:
    name = "url" + uuid.uuid4().hex[:8]
    function = f"{name}-dev-pure"
    application = _with_url(tmp_path, name, "NONE")
    _deploy(application, project, aws, name)
    without = attrs.evolve(application, resources=application.resources[:1])
    plan = _plan(without, project, aws, name)
    assert _actions(plan)["pure-function-url"] is Action.DELETE
    _deploy(without, project, aws, name)
    assert load_state(project, "dev").get("pure-function-url") is None
    assert boto.awslambda.get_function(FunctionName=function)
    assert _public_statements(boto, function) == []


def test_public_url_of_an_earlier_release_repairs_itself(
    shared_env: str, project: Path, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    """An earlier release granted only ``lambda:InvokeFunctionUrl``; AWS answers 403."""
    from chalice.deploy.resources.function_url import public_invoke_statement_id

    name = "url" + uuid.uuid4().hex[:8]
    function = f"{name}-dev-pure"
    _deploy(_with_url(tmp_path, name, "NONE"), project, aws, name)
    boto.awslambda.remove_permission(
        FunctionName=function, StatementId=public_invoke_statement_id(function)
    )
    calls.reset()
    _deploy(_with_url(tmp_path, name, "NONE"), project, aws, name)
    assert calls.mutating == ["AddPermission"]
    assert [s["Action"] for s in _public_statements(boto, function)] == [
        "lambda:InvokeFunction",
        "lambda:InvokeFunctionUrl",
    ]
    _no_op_then_delete(_with_url(tmp_path, name, "NONE"), project, aws, boto, calls, name)


def test_aws_refuses_an_auth_type_condition_on_invoke_function(
    shared_env: str, project: Path, aws: Any, boto: Any, tmp_path: Path
) -> None:
    """The fidelity layer keeps AWS's refusal, so a wrong statement cannot pass here."""
    name = "url" + uuid.uuid4().hex[:8]
    _deploy(_with_url(tmp_path, name, "AWS_IAM"), project, aws, name)
    with pytest.raises(boto.awslambda.exceptions.InvalidParameterValueException):
        boto.awslambda.add_permission(
            FunctionName=f"{name}-dev-pure",
            StatementId="wrong",
            Action="lambda:InvokeFunction",
            Principal="*",
            FunctionUrlAuthType="NONE",
        )
    delete_stage(
        project_dir=project, stage="dev", app_name=name, clients=aws, ui=RecordingReporter()
    )


# -- the whole pipeline: app.py + config -> deploy, report, url, no-op, delete ---------

_APP = """\
from chalice import Chalice
from chalice.app import JWTAuthorizer

app = Chalice(app_name="{name}")
app.api.cors = True
jwt = JWTAuthorizer("jwt", issuer="https://issuer.example.com", audience=["aud1"])


@app.authorizer()
def auth(auth_request):
    return None


@app.route("/")
def index():
    return {{"hello": "world"}}


@app.route("/secure", authorizer=jwt)
def secure():
    return {{}}


@app.route("/custom/{{item}}", methods=["PUT"], authorizer=auth)
def custom(item):
    return {{}}


@app.lambda_function()
def pure(event, context):
    return {{}}
"""


def _project(root: Path, name: str, api_type: str) -> Path:
    import json

    project = root / name
    (project / ".chalice").mkdir(parents=True)
    (project / "app.py").write_text(_APP.format(name=name))
    (project / ".chalice" / "config.json").write_text(
        json.dumps(
            {
                "version": "2.0",
                "app_name": name,
                "stages": {
                    "dev": {
                        "api_gateway_type": api_type,
                        "lambda_functions": {"pure": {"function_url": {"auth_type": "AWS_IAM"}}},
                    }
                },
            }
        )
    )
    return project


def test_pipeline_deploys_an_http_stage_reports_its_urls_and_deletes(
    shared_env: str, session: Any, calls: Any, boto: Any, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from chalice.cli import cli
    from chalice.deploy import deployer

    name = "pipe" + uuid.uuid4().hex[:8]
    project = _project(tmp_path, name, "HTTP")
    ui = RecordingReporter()
    result = deployer.deploy(project, ui=ui, session=session)
    assert result.state is not None
    assert result.state.resource_names() == [
        "default-role",
        "pure",
        "auth",
        "api_handler",
        "http_api",
        "pure-function-url",
    ]
    http_url = result.state.get("http_api")["http_api_url"]
    function_url = result.state.get("pure-function-url")["function_url"]
    report = deployer.deployed_report(result.state)
    assert f"  - HTTP API URL: {http_url}\n" in report
    assert f"  - Function URL ({name}-dev-pure): {function_url}\n" in report
    import os

    cwd = os.getcwd()
    os.chdir(project)
    try:
        printed = CliRunner().invoke(cli, ["url"])
    finally:
        os.chdir(cwd)
    assert printed.exit_code == 0, printed.output
    assert printed.stdout == http_url + "\n"

    calls.reset()
    deployer.deploy(project, ui=RecordingReporter(), session=session)
    assert calls.mutating == []

    deployer.delete(project, ui=RecordingReporter(), session=session)
    assert kit.leftovers(boto, name) == {}


def test_access_log_and_throttling_settings_follow_the_config(
    shared_env: str, project: Path, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    name = "stg" + uuid.uuid4().hex[:8]
    log_group = f"arn:aws:logs:us-west-2:123456789012:log-group:{name}-access"
    settings = models.HttpStageSettings(
        access_log_destination=log_group, throttling_burst_limit=20, throttling_rate_limit=10
    )

    def app(stage_settings: models.HttpStageSettings) -> models.Application:
        base = _http_api(tmp_path, name)
        api = next(r for r in base.resources if isinstance(r, models.HttpApi))
        rebuilt = attrs.evolve(api, stage_settings=stage_settings)
        return attrs.evolve(base, resources=(base.resources[0], rebuilt))

    _deploy(app(settings), project, aws, name)
    api_id = _entry(project, "http_api")["http_api_id"]
    stage = boto.apigatewayv2.get_stage(ApiId=api_id, StageName="api")
    assert stage["AccessLogSettings"]["DestinationArn"] == log_group
    assert stage["AccessLogSettings"]["Format"] == models.DEFAULT_HTTP_ACCESS_LOG_FORMAT
    assert stage["DefaultRouteSettings"]["ThrottlingBurstLimit"] == 20
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] == 10.0
    calls.reset()
    _deploy(app(settings), project, aws, name)
    assert calls.mutating == []

    faster = attrs.evolve(settings, throttling_rate_limit=50)
    calls.reset()
    _deploy(app(faster), project, aws, name)
    assert [op for op in calls.mutating if op.endswith("Stage")] == ["UpdateStage"]
    stage = boto.apigatewayv2.get_stage(ApiId=api_id, StageName="api")
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] == 50.0

    calls.reset()
    _deploy(app(models.HttpStageSettings()), project, aws, name)
    assert "DeleteAccessLogSettings" in calls.mutating
    stage = boto.apigatewayv2.get_stage(ApiId=api_id, StageName="api")
    assert not stage.get("AccessLogSettings")
    assert "ThrottlingBurstLimit" not in stage["DefaultRouteSettings"]
    calls.reset()
    _deploy(app(models.HttpStageSettings()), project, aws, name)
    assert calls.mutating == []


# -- crash safety: fail each mutating call of a first deploy ---------------------------


def _fault_app(tmp: Path, name: str) -> models.Application:
    base = _http_api(tmp, name, domain=_domain(name))
    url = models.FunctionUrl(
        resource_name="auth-function-url",
        auth_type="NONE",
        lambda_function=base.resources[0],  # the authorizer function, any would do
    )
    return attrs.evolve(base, resources=(*base.resources, url))


@pytest.mark.parametrize("after", [False, True], ids=["before", "after"])
def test_every_failed_call_of_a_first_deploy_leaves_a_state_that_converges(
    shared_env: str, project: Path, aws: Any, boto: Any, calls: Any, tmp_path: Path, after: bool
) -> None:
    """``after``: AWS applied the call but the answer was lost (a kill -9 right after)."""
    from chalice.errors import DeployError

    probe = "probe" + uuid.uuid4().hex[:6]
    _deploy(_fault_app(tmp_path, probe), tmp_path / "probe-project", aws, probe)
    total = len(calls.mutating)
    # Role (2), functions (2), API parts, domain and mapping, URL and their
    # permissions (the public URL's two); pinned so that every k stays covered
    # when the deploy changes.
    assert total == 20, calls.mutating
    for k in range(1, total + 1):
        name = f"k{k}x" + uuid.uuid4().hex[:6]
        where = tmp_path / name
        (where / ".chalice").mkdir(parents=True)
        calls.reset(fail_at=k, after=after)
        try:
            _deploy(_fault_app(tmp_path, name), where, aws, name)
        except DeployError:
            pass
        calls.reset()
        # Every API that exists is recorded (or adopted by its tags below).
        apis = [
            a["ApiId"]
            for a in boto.apigatewayv2.get_apis()["Items"]
            if a["Name"] == f"{name}-dev-http-api"
        ]
        assert len(apis) <= 1, k
        _deploy(_fault_app(tmp_path, name), where, aws, name)
        assert _entry(where, "http_api")["http_api_id"] in apis or not apis, k
        calls.reset()
        _deploy(_fault_app(tmp_path, name), where, aws, name)
        assert calls.mutating == [], (k, calls.mutating)
        delete_stage(
            project_dir=where, stage="dev", app_name=name, clients=aws, ui=RecordingReporter()
        )
        assert kit.leftovers(boto, name) == {}, k
        domains = [d["DomainName"] for d in boto.apigatewayv2.get_domain_names()["Items"]]
        assert f"{name}.example.com" not in domains, k


def test_moving_a_custom_domain_between_rest_and_http_in_one_deploy_is_refused(
    shared_env: str, project: Path, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    from chalice.errors import ValidationError

    name = "mv" + uuid.uuid4().hex[:8]
    rest = _rest_api(tmp_path, name)
    rest_api = rest.resources[0]
    assert isinstance(rest_api, models.RestAPI)
    rest_domain = attrs.evolve(
        _domain(name), resource_name="api_gateway_custom_domain", protocol=models.APIType.HTTP
    )
    with_domain = models.Application("dev", (attrs.evolve(rest_api, domain_name=rest_domain),))
    _deploy(with_domain, project, aws, name)
    calls.reset()
    with pytest.raises(ValidationError, match="Deploy three times"):
        _deploy(_http_api(tmp_path, name, domain=_domain(name)), project, aws, name)
    assert calls.mutating == []
    # The documented way: drop the domain, switch, add it back.
    _deploy(_rest_api(tmp_path, name), project, aws, name)
    _deploy(_http_api(tmp_path, name), project, aws, name)
    _deploy(_http_api(tmp_path, name, domain=_domain(name)), project, aws, name)
    assert _entry(project, "http_api_custom_domain")["domain_name"] == f"{name}.example.com"
    # And back: the REST domain cannot be created while the HTTP one is recorded.
    calls.reset()
    with pytest.raises(ValidationError, match="REST API"):
        _deploy(with_domain, project, aws, name)
    assert calls.mutating == []
    delete_stage(
        project_dir=project, stage="dev", app_name=name, clients=aws, ui=RecordingReporter()
    )
    assert kit.leftovers(boto, name) == {}
