"""The ``http_api`` type: HTTP APIs (API Gateway v2); the models are in ``httpapi_models.py``.

The API has one AWS_PROXY integration (payload format 2.0) to the API
handler, one route per ``(method, path)`` of the app, its authorizers (JWT
and Lambda ``REQUEST``), its native CORS configuration and one stage with
``AutoDeploy``, so a change to a route is live without a deployment call.

Planning reads the API, its authorizers, integration, routes and stage and
compares each with the model: an unchanged API costs no mutating call. Apply
reconciles only what differs (``_Sync``); the API is recorded right after
``CreateApi`` and carries the identity tags, so one created just before a
kill -9 is adopted by the next deploy instead of duplicated.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, ClassVar

from chalice.concurrency import concurrently
from chalice.deploy.emitters import sam_httpapi, terraform_httpapi
from chalice.deploy.plan import KNOWN_AFTER_APPLY, Action, Step, StepContext, diff
from chalice.deploy.resources.apigateway import find_tagged
from chalice.deploy.resources.base import (
    PlanContext,
    ensure_permission,
    has_permission,
    service_principal,
    statement_id,
)
from chalice.deploy.resources.httpapi_models import (
    HttpApi,
    HttpApiAuthorizer,
    HttpApiRoute,
    HttpAuthorizerKind,
    cors_view,
)
from chalice.deploy.typekit import (
    DeleteTier,
    ResourceDescriptor,
    ResourceType,
    StateRecord,
)
from chalice.errors import ValidationError


class HttpAPIRecord(StateRecord):
    """``http_api``: an API Gateway v2 HTTP API (ours; upstream has none)."""

    RESOURCE_TYPE: ClassVar[ResourceType] = ResourceType.HTTP_API
    name: str
    http_api_id: str | None = None
    http_api_url: str | None = None


DEFAULT_STAGE = "$default"
REST_DOMAIN = "api_gateway_custom_domain"
HTTP_DOMAIN = "http_api_custom_domain"


def _domain_swap_error(stage: str, *, to: str) -> ValidationError:
    # The new API's domain would be created while the old one still exists
    # (deletions run after creations), which AWS refuses or, for a regional
    # domain both APIs share, ends with the domain deleted.
    return ValidationError(
        f"This deploy switches stage `{stage}` to a{'n HTTP' if to == 'HTTP' else ' REST'} API "
        "and keeps its custom domain; chalice cannot move a custom domain between the two "
        "kinds of API in one deploy.",
        where=f".chalice/config.json, stage `{stage}` (api_gateway_type, "
        "api_gateway_custom_domain)",
        fix="Deploy three times: first without api_gateway_custom_domain, then with the new "
        "api_gateway_type, then with the domain again (and update its DNS alias record).",
    )


# Route ``AuthorizationType`` per authorizer kind (a Lambda authorizer's
# routes say CUSTOM, its authorizer says REQUEST).
_ROUTE_AUTH = {
    HttpAuthorizerKind.JWT: "JWT",
    HttpAuthorizerKind.LAMBDA: "CUSTOM",
    HttpAuthorizerKind.IAM: "AWS_IAM",
}


def http_api_url(api_id: str, stage: str, *, region: str, dns_suffix: str) -> str:
    """The invoke URL: ``$default`` serves at the root, a named stage under ``/<stage>/``."""
    base = f"https://{api_id}.execute-api.{region}.{dns_suffix}/"
    return base if stage == DEFAULT_STAGE else f"{base}{stage}/"


def lambda_uri(partition: str, region: str, function_arn: str) -> str:
    """The invocation URI a Lambda ``REQUEST`` authorizer takes."""
    return (
        f"arn:{partition}:apigateway:{region}:lambda:path/2015-03-31/functions/"
        f"{function_arn}/invocations"
    )


def authorizer_params(
    auth: HttpApiAuthorizer, function_arn: str | None, *, partition: str, region: str
) -> dict[str, Any]:
    """CreateAuthorizer/UpdateAuthorizer parameters of ``auth``."""
    params: dict[str, Any] = {
        "Name": auth.name,
        "AuthorizerType": auth.kind.value,
        "IdentitySource": list(auth.identity_source),
    }
    if auth.kind is HttpAuthorizerKind.JWT:
        params["JwtConfiguration"] = {"Issuer": auth.issuer, "Audience": list(auth.audience)}
        return params
    params["AuthorizerUri"] = lambda_uri(partition, region, function_arn or "")
    params["AuthorizerPayloadFormatVersion"] = "2.0"
    params["EnableSimpleResponses"] = auth.simple_responses
    params["AuthorizerResultTtlInSeconds"] = auth.ttl_seconds
    if auth.invoke_role_arn:
        params["AuthorizerCredentialsArn"] = auth.invoke_role_arn
    return params


def route_params(route: HttpApiRoute, authorizer_id: str | None) -> dict[str, Any]:
    """The authorization part of CreateRoute/UpdateRoute for ``route``."""
    kind = route.authorization
    params: dict[str, Any] = {
        "AuthorizationType": "NONE" if kind is None else _ROUTE_AUTH[kind],
    }
    if authorizer_id is not None:
        params["AuthorizerId"] = authorizer_id
    if kind is HttpAuthorizerKind.JWT and route.scopes:
        params["AuthorizationScopes"] = list(route.scopes)
    return params


def stage_view(stage: Mapping[str, Any]) -> tuple[dict[str, str] | None, dict[str, Any]]:
    """A stage's access log settings and default route throttling, as the model has them."""
    log = stage.get("AccessLogSettings") or {}
    access_log = (
        {"DestinationArn": str(log["DestinationArn"]), "Format": str(log.get("Format", ""))}
        if log.get("DestinationArn")
        else None
    )
    route = stage.get("DefaultRouteSettings") or {}
    throttling: dict[str, Any] = {}
    if route.get("ThrottlingBurstLimit") is not None:
        throttling["ThrottlingBurstLimit"] = route["ThrottlingBurstLimit"]
    if route.get("ThrottlingRateLimit") is not None:
        throttling["ThrottlingRateLimit"] = float(route["ThrottlingRateLimit"])
    return access_log, throttling


def _same(current: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    """Whether ``current`` (an AWS answer) has every value of ``wanted``."""
    return all(current.get(k) == v for k, v in wanted.items())


def _route_view(route: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """A route as compared: auth type, authorizer *name*, scopes, target.

    An authorizer id left on a route whose type no longer uses one is ignored.
    """
    auth = route.get("AuthorizationType") or "NONE"
    uses_authorizer = auth in ("JWT", "CUSTOM")
    return {
        "auth": auth,
        "authorizer": names.get(str(route.get("AuthorizerId"))) if uses_authorizer else None,
        "scopes": sorted(route.get("AuthorizationScopes") or []),
        "target": str(route.get("Target", "")),
    }


class _Sync:
    """Reconcile one existing API with the model (apply-time, only what differs)."""

    def __init__(self, model: HttpApi, sc: StepContext, api_id: str) -> None:
        self.model = model
        self.sc = sc
        self.api_id = api_id
        self.v2 = sc.clients.httpapi
        self.part, self.region = sc.clients.partition, sc.clients.region
        # Authorizers the model no longer has, deleted once no route uses them.
        self._stale_authorizers: list[str] = []

    def arn(self, resource_name: str) -> str:
        return str(self.sc.outputs(resource_name)["lambda_arn"])

    def run(self) -> None:
        cors = self.model.cors.to_aws() if self.model.cors else None
        api = self.v2.get_api(self.api_id) or {}
        if cors_view(api.get("CorsConfiguration")) != cors_view(cors):
            self.v2.update_cors(self.api_id, cors)
        ids = self.authorizers()
        target = f"integrations/{self.integration()}"
        self.routes(ids, target)
        self.stage()
        self.permissions()

    def authorizers(self) -> dict[str, str]:
        current = {str(a["Name"]): a for a in self.v2.list_authorizers(self.api_id)}
        ids: dict[str, str] = {}
        for auth in self.model.authorizers:
            fn_arn = self.arn(auth.function) if auth.function else None
            params = authorizer_params(auth, fn_arn, partition=self.part, region=self.region)
            have = current.pop(auth.name, None)
            if have is None:
                ids[auth.name] = self.v2.create_authorizer(self.api_id, params)
                continue
            ids[auth.name] = str(have["AuthorizerId"])
            if not _same(have, params):
                self.v2.update_authorizer(self.api_id, ids[auth.name], params)
        self._stale_authorizers = [str(a["AuthorizerId"]) for a in current.values()]
        return ids

    def integration(self) -> str:
        fn_arn = self.arn(self.model.lambda_function.resource_name)
        keep: str | None = None
        for integ in self.v2.list_integrations(self.api_id):
            same = (
                integ.get("IntegrationUri") == fn_arn
                and integ.get("PayloadFormatVersion") == "2.0"
                and integ.get("IntegrationType") == "AWS_PROXY"
            )
            if same and keep is None:
                keep = str(integ["IntegrationId"])
        return keep or self.v2.create_proxy_integration(self.api_id, fn_arn)

    def routes(self, ids: Mapping[str, str], target: str) -> None:
        current = {str(r["RouteKey"]): r for r in self.v2.list_routes(self.api_id)}
        names = {v: k for k, v in ids.items()}
        for route in self.model.routes:
            auth_id = ids.get(route.authorizer) if route.authorizer else None
            wanted = {"Target": target, **route_params(route, auth_id)}
            have = current.pop(route.route_key, None)
            if have is None:
                self.v2.create_route(self.api_id, {"RouteKey": route.route_key, **wanted})
                continue
            if _route_view(have, names) != _route_view(wanted, names):
                if have.get("AuthorizationScopes") and "AuthorizationScopes" not in wanted:
                    # UpdateRoute keeps what it is not given: old scopes need clearing.
                    wanted["AuthorizationScopes"] = []
                self.v2.update_route(self.api_id, str(have["RouteId"]), wanted)
        for gone in current.values():
            self.v2.delete_route(self.api_id, str(gone["RouteId"]))
        # Authorizers no route uses any more go after the routes that used them.
        for auth_id in self._stale_authorizers:
            self.v2.delete_authorizer(self.api_id, auth_id)
        for integ in self.v2.list_integrations(self.api_id):
            if f"integrations/{integ['IntegrationId']}" != target:
                self.v2.delete_integration(self.api_id, str(integ["IntegrationId"]))

    def stage(self) -> None:
        wanted = self.model.api_gateway_stage
        settings = self.model.stage_settings
        access_log, throttling = settings.access_log_settings(), settings.throttling()
        stages = {str(s["StageName"]): s for s in self.v2.list_stages(self.api_id)}
        current = stages.pop(wanted, None)
        if current is None:
            self.v2.create_stage(self.api_id, wanted, access_log=access_log, throttling=throttling)
        else:
            have_log, have_throttling = stage_view(current)
            if (have_log, have_throttling) != (access_log, throttling):
                if access_log is None and have_log is not None:
                    self.v2.delete_access_log_settings(self.api_id, wanted)
                if access_log is not None or have_throttling != throttling:
                    self.v2.update_stage_settings(
                        self.api_id, wanted, access_log=access_log, throttling=throttling
                    )
        for other in stages:
            self.v2.delete_stage(self.api_id, other)

    def permissions(self) -> None:
        clients = self.sc.clients
        source = clients.arn("execute-api", f"{self.api_id}/*")
        principal = service_principal(clients, "apigateway")
        for name in _invoked(self.model):
            ensure_permission(
                clients,
                self.arn(name),
                principal=principal,
                source_arn=source,
                sid=statement_id("http-api", self.api_id, name),
            )


def _invoked(model: HttpApi) -> list[str]:
    """Resource names of the functions the API invokes (handler, Lambda authorizers)."""
    names = [model.lambda_function.resource_name]
    names += [a.function for a in model.authorizers if a.function and a.function not in names]
    return names


def _function_names(model: HttpApi) -> dict[str, str]:
    out = {model.lambda_function.resource_name: model.lambda_function.function_name}
    for a in model.authorizers:
        if a.function and a.function_name:
            out[a.function] = a.function_name
    return out


class HttpApiPlanner:
    """Plans the ``http_api`` resource (see the module docstring)."""

    def plan(self, model: HttpApi, recorded: dict[str, Any] | None, ctx: PlanContext) -> Step:
        if model.domain_name is not None and ctx.state.get(REST_DOMAIN) is not None:
            raise _domain_swap_error(ctx.stage, to="HTTP")
        v2 = ctx.clients.httpapi
        rtype = model.resource_type.value
        tags = ctx.identity_tags(model.resource_name)
        stage = model.api_gateway_stage
        deps = frozenset(_invoked(model))
        region, dns = ctx.clients.region, ctx.clients.dns_suffix

        api: dict[str, Any] | None = None
        if recorded and recorded.get("http_api_id"):
            api = v2.get_api(str(recorded["http_api_id"]))
        if api is None:
            # Adoption after a crash: find it by its identity tags.
            api = ctx.tagging.lookup(
                "apigatewayv2",
                lambda: find_tagged(
                    [
                        a
                        for a in ctx.clients.apigatewayv2.list_apis()
                        if a.get("ProtocolType") == "HTTP"
                    ],
                    tags,
                ),
            )

        def values(api_id: str) -> dict[str, Any]:
            url = http_api_url(api_id, stage, region=region, dns_suffix=dns)
            return {"http_api_id": api_id, "http_api_url": url}

        cors = model.cors.to_aws() if model.cors else None
        if api is None:

            def create(sc: StepContext) -> Mapping[str, Any]:
                sc.say(f"Creating HTTP API: {model.name}")
                resp = ctx.tagging.create(
                    "apigatewayv2",
                    tags,
                    lambda t: sc.clients.httpapi.create_api(model.name, cors=cors, tags=t),
                )
                api_id = str(resp["ApiId"])
                sc.record(values(api_id))
                _Sync(model, sc, api_id).run()
                return values(api_id)

            return Step(
                model.resource_name,
                rtype,
                Action.CREATE,
                create,
                depends_on=deps,
                expected={"http_api_id": KNOWN_AFTER_APPLY, "http_api_url": KNOWN_AFTER_APPLY},
            )

        api_id = str(api["ApiId"])
        changes = diff(self._fields(model, api, ctx))
        now = values(api_id)
        if not changes:
            return Step(
                model.resource_name,
                rtype,
                Action.UNCHANGED,
                recorded=now,
                expected=now,
                depends_on=deps,
            )

        def update(sc: StepContext) -> Mapping[str, Any]:
            sc.say(f"Updating HTTP API: {model.name}")
            sc.record(now)
            _Sync(model, sc, api_id).run()
            return now

        return Step(
            model.resource_name,
            rtype,
            Action.UPDATE,
            update,
            changes=changes,
            expected=now,
            depends_on=deps,
        )

    def _fields(
        self, model: HttpApi, api: Mapping[str, Any], ctx: PlanContext
    ) -> dict[str, tuple[Any, Any]]:
        """(current, desired) of everything the API is made of (read calls only)."""
        v2 = ctx.clients.httpapi
        api_id = str(api["ApiId"])
        part, region = ctx.clients.partition, ctx.clients.region
        functions = _function_names(model)
        # Every read needs only the API id (a recorded function's policy is
        # read beside the function itself): one round trip, not five.
        authorizers, integrations, routes, stage_list, *policies = concurrently(
            lambda: v2.list_authorizers(api_id),
            lambda: v2.list_integrations(api_id),
            lambda: v2.list_routes(api_id),
            lambda: v2.list_stages(api_id),
            *(functools.partial(ctx.policy_statements, n, f) for n, f in functions.items()),
        )
        arns = {name: _arn(ctx, name, fn) for name, fn in functions.items()}
        fields: dict[str, tuple[Any, Any]] = {
            "cors": (
                cors_view(api.get("CorsConfiguration")),
                cors_view(model.cors.to_aws() if model.cors else None),
            )
        }
        current_auth = {str(a["Name"]): a for a in authorizers}
        names = {str(a["AuthorizerId"]): n for n, a in current_auth.items()}
        for auth in model.authorizers:
            fn_arn = arns.get(auth.function or "")
            wanted = authorizer_params(auth, fn_arn, partition=part, region=region)
            have = current_auth.pop(auth.name, None)
            same = have is not None and _same(have, wanted)
            fields[f"authorizer[{auth.name}]"] = (same, True)
        fields["authorizers"] = (sorted(current_auth), [])  # extra ones
        handler_arn = arns[model.lambda_function.resource_name]
        target = next(
            (
                f"integrations/{i['IntegrationId']}"
                for i in integrations
                if i.get("IntegrationUri") == handler_arn
                and i.get("PayloadFormatVersion") == "2.0"
                and i.get("IntegrationType") == "AWS_PROXY"
            ),
            None,
        )
        fields["integration"] = ((target is not None, len(integrations)), (True, 1))
        have_routes = {str(r["RouteKey"]): _route_view(r, names) for r in routes}
        want_routes = {
            r.route_key: {
                "auth": route_params(r, None)["AuthorizationType"],
                "authorizer": r.authorizer,
                "scopes": sorted(r.scopes) if r.authorization is HttpAuthorizerKind.JWT else [],
                "target": target,
            }
            for r in model.routes
        }
        fields["routes"] = (have_routes, want_routes)
        stages = {str(s["StageName"]): s for s in stage_list}
        fields["stage"] = (sorted(stages), [model.api_gateway_stage])
        settings = model.stage_settings
        current_stage = stages.get(model.api_gateway_stage)
        fields["stage_settings"] = (
            stage_view(current_stage) if current_stage is not None else (None, {}),
            (settings.access_log_settings(), settings.throttling()),
        )
        principal = service_principal(ctx.clients, "apigateway")
        source = ctx.clients.arn("execute-api", f"{api_id}/*")
        for name, statements in zip(functions, policies, strict=True):
            ok = has_permission(statements, principal=principal, source_arn=source)
            fields[f"permission[{name}]"] = (ok, True)
        return fields

    def plan_delete(self, recorded: dict[str, Any], ctx: PlanContext) -> Step:
        # A REST domain this deploy creates (it is not recorded yet) while the
        # HTTP API's is still recorded. Asked of the plan's names, not its
        # steps: planners run concurrently, the REST domain may be planned later.
        creates_rest_domain = ctx.will_plan(REST_DOMAIN) and ctx.state.get(REST_DOMAIN) is None
        if creates_rest_domain and ctx.state.get(HTTP_DOMAIN) is not None:
            raise _domain_swap_error(ctx.stage, to="REST")
        api_id = str(recorded.get("http_api_id"))

        def delete(sc: StepContext) -> None:
            sc.say(f"Deleting HTTP API: {api_id}")
            sc.clients.httpapi.delete_api(api_id)

        return Step(recorded["name"], recorded["resource_type"], Action.DELETE, delete)


def _arn(ctx: PlanContext, resource_name: str, function_name: str) -> str:
    known = ctx.known(resource_name)
    if known and known.get("lambda_arn") and known["lambda_arn"] != KNOWN_AFTER_APPLY:
        return str(known["lambda_arn"])
    return ctx.lambda_arn(function_name)


def _report(r: HttpAPIRecord) -> list[str]:
    return [f"  - HTTP API URL: {r.http_api_url}"]


DESCRIPTOR = ResourceDescriptor[HttpApi, HttpAPIRecord](
    resource_type=ResourceType.HTTP_API,
    aws_services=("apigatewayv2", "lambda"),
    model_classes=(HttpApi,),
    record=lambda: HttpAPIRecord,
    delete_tier=DeleteTier.APIS,
    planner=HttpApiPlanner,
    sam=lambda: sam_httpapi.emit_http_api,
    terraform=lambda: terraform_httpapi.emit_http_api,
    graph=None,  # graph_http.py: the app's routes when ``api_gateway_type`` is HTTP
    role_statement=None,
    # ``route``/``authorizer`` are claimed by rest_api: the stage's
    # ``api_gateway_type`` picks which of the two the graph builds.
    decorators=(),
    report=_report,
)
