"""Decisions of the HTTP API planner (chalice/deploy/resources/httpapi.py).

tests/deploy/e2e/test_http_api.py deploys the same shapes against moto; this
file walks each decision once against the in-memory fake: what is read, what
changes, which calls an update makes, and that a second plan is quiet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest

from chalice.aws.errors import AWSError
from chalice.deploy import models
from chalice.deploy.plan import Action
from chalice.deploy.resources import planner_for_model
from chalice.deploy.resources.httpapi import HttpApiPlanner
from chalice.errors import ValidationError
from tests.deploy.planners.kit import World, all_in_flight, changed_fields, fn_arn

KINDS = models.HttpAuthorizerKind
HEADER = ("$request.header.Authorization",)
ISSUER = "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_abc"
ROUTES = (
    models.HttpApiRoute("GET /"),
    models.HttpApiRoute("GET /users/{name}", KINDS.JWT, "cognito", ("users/read",)),
    models.HttpApiRoute("PUT /users/{name}", KINDS.LAMBDA, "auth"),
    models.HttpApiRoute("POST /admin", KINDS.IAM),
)
CORS = models.CorsSettings(allow_origins=("https://example.com",), max_age=600)
LOG_GROUP = "arn:aws:logs:us-west-2:123456789012:log-group:access"


@pytest.fixture
def w(tmp_path: Path) -> World:
    return World(tmp_path)


def jwt(**kw: Any) -> models.HttpApiAuthorizer:
    auth = models.HttpApiAuthorizer(
        name="cognito", kind=KINDS.JWT, identity_source=HEADER, issuer=ISSUER, audience=("c1",)
    )
    return attrs.evolve(auth, **kw)


def lambda_auth(**kw: Any) -> models.HttpApiAuthorizer:
    auth = models.HttpApiAuthorizer(
        name="auth",
        kind=KINDS.LAMBDA,
        identity_source=HEADER,
        function="auth",
        function_name="demo-dev-auth",
        ttl_seconds=60,
    )
    return attrs.evolve(auth, **kw)


def http(w: World, handler: str = "api_handler", **kw: Any) -> tuple[Any, ...]:
    """The authorizer function, the handler and the API (as the graph orders them)."""
    fn, auth_fn = w.function(handler), w.function("auth")
    api = models.HttpApi(
        resource_name="http_api",
        name="demo-dev-http-api",
        api_gateway_stage="api",
        routes=ROUTES,
        lambda_function=fn,
        authorizers=(jwt(), lambda_auth()),
        cors=CORS,
    )
    return auth_fn, fn, attrs.evolve(api, **kw)


def api_id(w: World) -> str:
    return str(w.state.get("http_api")["http_api_id"])  # type: ignore[index]


def routes(w: World) -> dict[str, dict[str, Any]]:
    return {r["RouteKey"]: r for r in w.aws.apigatewayv2.routes[api_id(w)].values()}


def authorizers(w: World) -> dict[str, dict[str, Any]]:
    return {a["Name"]: a for a in w.aws.apigatewayv2.authorizers[api_id(w)].values()}


def stage(w: World, name: str = "api") -> dict[str, Any]:
    return w.aws.apigatewayv2.stages[(api_id(w), name)]


def redeploy(w: World, *resources: Any) -> Any:
    """Deploy a change with a clean call log; the API's step."""
    w.aws.log.clear()
    return w.deploy(*resources)[-1]


def test_first_plan_creates_after_both_functions_with_reads_only(w: World) -> None:
    *_, api = http(w)
    assert isinstance(planner_for_model(api), HttpApiPlanner)
    steps = w.round(*http(w))
    assert steps[-1].action is Action.CREATE and steps[-1].depends_on == {"api_handler", "auth"}
    assert w.aws.log.mutating() == []


def test_create_builds_every_part_tags_and_allows_invoke(w: World) -> None:
    w.deploy(*http(w))
    the_id = api_id(w)
    assert w.state.get("http_api") == {
        "name": "http_api",
        "resource_type": "http_api",
        "http_api_id": the_id,
        "http_api_url": f"https://{the_id}.execute-api.us-west-2.amazonaws.com/api/",
    }
    api = w.aws.apigatewayv2.apis[the_id]
    assert api["ProtocolType"] == "HTTP" and api["Tags"]["chalice:resource"] == "http_api"
    assert api["CorsConfiguration"] == {"AllowOrigins": ["https://example.com"], "MaxAge": 600}
    auths = authorizers(w)
    assert auths["cognito"]["JwtConfiguration"] == {"Issuer": ISSUER, "Audience": ["c1"]}
    assert auths["auth"]["AuthorizerType"] == "REQUEST"
    assert auths["auth"]["AuthorizerUri"].endswith(
        f"functions/{fn_arn('demo-dev-auth')}/invocations"
    )
    [integ] = w.aws.apigatewayv2.integrations[the_id].values()
    assert (integ["IntegrationUri"], integ["PayloadFormatVersion"]) == (fn_arn("demo-dev"), "2.0")
    got = routes(w)
    assert {k: r["AuthorizationType"] for k, r in got.items()} == {
        "GET /": "NONE",
        "GET /users/{name}": "JWT",
        "PUT /users/{name}": "CUSTOM",
        "POST /admin": "AWS_IAM",
    }
    assert got["GET /users/{name}"]["AuthorizationScopes"] == ["users/read"]
    assert {r["Target"] for r in got.values()} == {f"integrations/{integ['IntegrationId']}"}
    assert stage(w)["AutoDeploy"] is True
    for function in ("demo-dev", "demo-dev-auth"):
        [perm] = w.aws.lambda_.policies[function]
        assert perm["Condition"]["ArnLike"]["AWS:SourceArn"].endswith(f":{the_id}/*")


def test_unchanged_when_equal(w: World) -> None:
    w.deploy(*http(w))
    w.quiet(*http(w))


def test_default_stage_serves_at_the_root(w: World) -> None:
    w.deploy(*http(w, api_gateway_stage="$default"))
    url = f"https://{api_id(w)}.execute-api.us-west-2.amazonaws.com/"
    assert w.state.get("http_api")["http_api_url"] == url  # type: ignore[index]


def test_cors_change_updates_the_api_only(w: World) -> None:
    w.deploy(*http(w))
    wider = attrs.evolve(CORS, allow_methods=("GET", "PUT"))
    step = redeploy(w, *http(w, cors=wider))
    assert changed_fields(step) == {"cors"}
    assert w.aws.log.ops(mutating=True) == ["apigatewayv2:UpdateApi"]
    w.quiet(*http(w, cors=wider))


def test_cors_removed_is_cleared(w: World) -> None:
    w.deploy(*http(w))
    step = redeploy(w, *http(w, cors=None))
    assert changed_fields(step) == {"cors"}
    assert w.aws.log.ops(mutating=True) == ["apigatewayv2:DeleteCorsConfiguration"]
    assert "CorsConfiguration" not in w.aws.apigatewayv2.apis[api_id(w)]
    w.quiet(*http(w, cors=None))


def test_jwt_audience_change_updates_that_authorizer(w: World) -> None:
    w.deploy(*http(w))
    changed = (jwt(audience=("c1", "c2")), lambda_auth())
    step = redeploy(w, *http(w, authorizers=changed))
    assert changed_fields(step) == {"authorizer[cognito]"}
    assert w.aws.log.ops(mutating=True) == ["apigatewayv2:UpdateAuthorizer"]
    assert authorizers(w)["cognito"]["JwtConfiguration"]["Audience"] == ["c1", "c2"]
    w.quiet(*http(w, authorizers=changed))


def test_lambda_authorizer_settings_change_updates_it(w: World) -> None:
    w.deploy(*http(w))
    changed = (jwt(), lambda_auth(ttl_seconds=0, simple_responses=True))
    step = redeploy(w, *http(w, authorizers=changed))
    assert changed_fields(step) == {"authorizer[auth]"}
    assert w.aws.log.ops(mutating=True) == ["apigatewayv2:UpdateAuthorizer"]
    auth = authorizers(w)["auth"]
    assert (auth["AuthorizerResultTtlInSeconds"], auth["EnableSimpleResponses"]) == (0, True)
    w.quiet(*http(w, authorizers=changed))


def test_route_added_and_removed(w: World) -> None:
    w.deploy(*http(w))
    more = (*ROUTES, models.HttpApiRoute("DELETE /users/{name}", KINDS.LAMBDA, "auth"))
    step = redeploy(w, *http(w, routes=more))
    assert changed_fields(step) == {"routes"}
    assert w.aws.log.ops(mutating=True) == ["apigatewayv2:CreateRoute"]
    assert (
        routes(w)["DELETE /users/{name}"]["AuthorizerId"] == authorizers(w)["auth"]["AuthorizerId"]
    )
    w.quiet(*http(w, routes=more))

    step = redeploy(w, *http(w, routes=ROUTES[:3]))
    assert changed_fields(step) == {"routes"}
    assert w.aws.log.ops(mutating=True) == ["apigatewayv2:DeleteRoute", "apigatewayv2:DeleteRoute"]
    assert set(routes(w)) == {"GET /", "GET /users/{name}", "PUT /users/{name}"}
    w.quiet(*http(w, routes=ROUTES[:3]))


def test_route_scopes_removed_are_cleared(w: World) -> None:
    w.deploy(*http(w))
    no_scopes = (
        ROUTES[0],
        models.HttpApiRoute("GET /users/{name}", KINDS.JWT, "cognito"),
        *ROUTES[2:],
    )
    step = redeploy(w, *http(w, routes=no_scopes))
    assert changed_fields(step) == {"routes"}
    assert w.aws.log.ops(mutating=True) == ["apigatewayv2:UpdateRoute"]
    assert "AuthorizationScopes" not in routes(w)["GET /users/{name}"]
    w.quiet(*http(w, routes=no_scopes))


def test_authorizer_dropped_after_its_routes_open(w: World) -> None:
    w.deploy(*http(w))
    opened = (ROUTES[0], models.HttpApiRoute("GET /users/{name}"), *ROUTES[2:])
    step = redeploy(w, *http(w, routes=opened, authorizers=(lambda_auth(),)))
    assert changed_fields(step) == {"authorizers", "routes"}
    # The route first lets go of the authorizer: AWS refuses to delete one in use.
    assert w.aws.log.ops(mutating=True) == [
        "apigatewayv2:UpdateRoute",
        "apigatewayv2:DeleteAuthorizer",
    ]
    route = routes(w)["GET /users/{name}"]
    assert route["AuthorizationType"] == "NONE" and "AuthorizerId" not in route
    assert "AuthorizationScopes" not in route
    assert set(authorizers(w)) == {"auth"}
    w.quiet(*http(w, routes=opened, authorizers=(lambda_auth(),)))


def test_new_handler_gets_a_new_integration_and_the_old_one_goes(w: World) -> None:
    w.deploy(*http(w))
    old = set(w.aws.apigatewayv2.integrations[api_id(w)])
    step = redeploy(w, *http(w, handler="other"))
    assert {"integration", "routes", "permission[other]"} <= changed_fields(step)
    ops = w.aws.log.ops(mutating=True)
    assert ops.count("apigatewayv2:UpdateRoute") == len(ROUTES)
    assert ops[-2:] == ["apigatewayv2:DeleteIntegration", "lambda:AddPermission"]
    [integ] = w.aws.apigatewayv2.integrations[api_id(w)].values()
    assert integ["IntegrationId"] not in old and integ["IntegrationUri"] == fn_arn("demo-dev-other")
    w.quiet(*http(w, handler="other"))


def test_stage_rename_creates_the_new_and_deletes_the_old(w: World) -> None:
    w.deploy(*http(w))
    step = redeploy(w, *http(w, api_gateway_stage="v2"))
    assert changed_fields(step) == {"stage"}
    assert w.aws.log.ops(mutating=True) == ["apigatewayv2:CreateStage", "apigatewayv2:DeleteStage"]
    assert w.state.get("http_api")["http_api_url"].endswith("/v2/")  # type: ignore[index]
    w.quiet(*http(w, api_gateway_stage="v2"))


def test_stage_settings_set_then_throttling_and_access_log_removed(w: World) -> None:
    w.deploy(*http(w))
    settings = models.HttpStageSettings(
        access_log_destination=LOG_GROUP, throttling_burst_limit=20, throttling_rate_limit=10
    )
    step = redeploy(w, *http(w, stage_settings=settings))
    assert changed_fields(step) == {"stage_settings"}
    assert w.aws.log.ops(mutating=True) == ["apigatewayv2:UpdateStage"]
    assert stage(w)["DefaultRouteSettings"]["ThrottlingRateLimit"] == 10.0
    w.quiet(*http(w, stage_settings=settings))

    log_only = models.HttpStageSettings(access_log_destination=LOG_GROUP)
    step = redeploy(w, *http(w, stage_settings=log_only))
    assert changed_fields(step) == {"stage_settings"}
    [update] = w.aws.log.of("UpdateStage")
    assert update["DefaultRouteSettings"] == {}
    assert stage(w)["DefaultRouteSettings"] == {"DetailedMetricsEnabled": False}
    w.quiet(*http(w, stage_settings=log_only))

    step = redeploy(w, *http(w))
    assert w.aws.log.ops(mutating=True) == ["apigatewayv2:DeleteAccessLogSettings"]
    assert "AccessLogSettings" not in stage(w)
    w.quiet(*http(w))


def test_stage_added_outside_chalice_is_deleted(w: World) -> None:
    w.deploy(*http(w))
    w.aws.httpapi.create_stage(api_id(w), "console", access_log=None, throttling={})
    step = redeploy(w, *http(w))
    assert changed_fields(step) == {"stage"}
    assert w.aws.log.ops(mutating=True) == ["apigatewayv2:DeleteStage"]


def test_missing_permission_is_added(w: World) -> None:
    w.deploy(*http(w))
    w.aws.lambda_.policies["demo-dev-auth"].clear()
    step = redeploy(w, *http(w))
    assert changed_fields(step) == {"permission[auth]"}
    assert w.aws.log.ops(mutating=True) == ["lambda:AddPermission"]


def test_api_created_before_a_crash_is_adopted_by_tag(w: World) -> None:
    w.deploy(*http(w))
    the_id = api_id(w)
    w.forget("http_api")
    w.quiet(*http(w))
    assert list(w.aws.apigatewayv2.apis) == [the_id] and api_id(w) == the_id


def test_a_create_cut_short_is_recorded_and_finished_by_the_next_deploy(w: World) -> None:
    w.aws.log.refuse("apigatewayv2", "CreateRoute", "TooManyRequestsException")
    with pytest.raises(AWSError):
        w.deploy(*http(w))
    the_id = api_id(w)  # recorded right after CreateApi
    assert len(routes(w)) == 0
    step = redeploy(w, *http(w))
    assert step.action is Action.UPDATE and "routes" in changed_fields(step)
    assert len(routes(w)) == len(ROUTES) and list(w.aws.apigatewayv2.apis) == [the_id]
    w.quiet(*http(w))


def test_delete_and_already_gone(w: World) -> None:
    w.deploy(*http(w))
    the_id = api_id(w)
    w.aws.log.clear()
    w.delete("http_api")
    assert w.aws.log.ops(mutating=True) == ["apigatewayv2:DeleteApi"]
    assert the_id not in w.aws.apigatewayv2.apis and w.aws.apigatewayv2.stages == {}
    assert w.state.get("http_api") is None

    w.deploy(*http(w))
    w.aws.httpapi.delete_api(api_id(w))  # deleted by hand
    w.delete("http_api")
    assert w.state.get("http_api") is None


def test_refused_tags_create_the_api_untagged_and_say_so(w: World) -> None:
    w.aws.log.refuse(
        "apigatewayv2",
        "CreateApi",
        "AccessDeniedException",
        "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: "
        "apigateway:POST on resource: arn:aws:apigateway:us-west-2::/tags/x",
    )
    w.deploy(*http(w))
    assert [c.get("Tags") for c in w.aws.log.of("CreateApi")] == [
        {"chalice:app": "demo", "chalice:stage": "dev", "chalice:resource": "http_api"},
        None,
    ]
    assert w.aws.apigatewayv2.apis[api_id(w)]["Tags"] == {} and len(w.warnings) == 1
    w.quiet(*http(w))


def test_moving_a_rest_custom_domain_to_an_http_api_is_refused(w: World) -> None:
    domain = models.DomainName(
        resource_name="http_api_custom_domain",
        domain_name="api.example.com",
        protocol=models.APIType.HTTP_API,
        certificate_arn="arn:aws:acm:us-west-2:123456789012:certificate/abc",
        api_mapping=models.APIMapping("api_mapping", mount_path="v1", api_gateway_stage="api"),
        endpoint_type="REGIONAL",
    )
    w.record("api_gateway_custom_domain", "domain_name", {"domain_name": "api.example.com"})
    with pytest.raises(ValidationError, match="custom domain"):
        w.round(*http(w, domain_name=domain))
    assert w.aws.log.mutating() == []


def test_an_unchanged_api_is_read_in_one_round_trip(
    w: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    w.deploy(*http(w))
    # The four lists and both functions' policies must all be in flight at
    # once: a read made after another one answered never fills the barrier.
    all_in_flight(
        monkeypatch,
        6,
        (w.aws.httpapi, ("list_authorizers", "list_integrations", "list_routes", "list_stages")),
        (w.aws.lambda_, ("get_policy",)),
    )
    w.quiet(*http(w))
