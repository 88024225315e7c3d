"""The ``websocket_api`` type: the websocket API (API Gateway v2).

Routes ``$connect``/``$default``/``$disconnect`` each point to an AWS_PROXY
integration of their function. Unlike upstream, which deletes and recreates
every route and integration on each deploy, only routes whose target changed
are touched, and a new deployment is made only when something changed.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from chalice.concurrency import concurrently
from chalice.deploy.emitters import sam_apis, terraform_apis
from chalice.deploy.plan import KNOWN_AFTER_APPLY, Action, Step, StepContext, diff
from chalice.deploy.resources.apigateway import find_tagged
from chalice.deploy.resources.base import (
    PlanContext,
    ensure_permission,
    has_permission,
    service_principal,
    statement_id,
)
from chalice.deploy.typekit import (
    DeleteTier,
    ResourceDescriptor,
    ResourceType,
    StateRecord,
    lambda_arn_of,
)

if TYPE_CHECKING:
    from chalice.deploy.models import Resource
    from chalice.deploy.resources.domain import DomainName
    from chalice.deploy.resources.lambdas import LambdaFunction


@attrs.frozen
class WebsocketAPI:
    resource_name: str  # "websocket_api"
    name: str  # "<app>-<stage>-websocket-api"
    api_gateway_stage: str
    routes: tuple[str, ...]  # route keys: "$connect", "$default", "$disconnect"
    connect_function: LambdaFunction | None
    message_function: LambdaFunction | None
    disconnect_function: LambdaFunction | None
    domain_name: DomainName | None = None
    resource_type: ResourceType = ResourceType.WEBSOCKET_API

    def dependencies(self) -> list[Resource]:
        deps: list[Resource] = [
            f
            for f in (self.connect_function, self.message_function, self.disconnect_function)
            if f is not None
        ]
        if self.domain_name is not None:
            deps.append(self.domain_name)
        return deps


class WebsocketAPIRecord(StateRecord):
    """``websocket_api``: the websocket API."""

    RESOURCE_TYPE: ClassVar[ResourceType] = ResourceType.WEBSOCKET_API
    name: str
    websocket_api_url: str | None = None
    websocket_api_id: str | None = None


def _route_functions(model: WebsocketAPI) -> dict[str, LambdaFunction]:
    by_key = {
        "$connect": model.connect_function,
        "$default": model.message_function,
        "$disconnect": model.disconnect_function,
    }
    return {k: f for k, f in by_key.items() if f is not None and k in model.routes}


def _uri(partition: str, region: str, fn_arn: str) -> str:
    return (
        f"arn:{partition}:apigateway:{region}:lambda:path/2015-03-31/functions/{fn_arn}/invocations"
    )


def _url(ctx: PlanContext, api_id: str, stage: str) -> str:
    return f"wss://{api_id}.execute-api.{ctx.clients.region}.{ctx.clients.dns_suffix}/{stage}/"


def _values(ctx: PlanContext, model: WebsocketAPI, api_id: str) -> dict[str, Any]:
    url = _url(ctx, api_id, model.api_gateway_stage)
    return WebsocketAPIRecord(
        model.resource_name, websocket_api_url=url, websocket_api_id=api_id
    ).values()


class WebsocketPlanner:
    def plan(self, model: WebsocketAPI, recorded: dict[str, Any] | None, ctx: PlanContext) -> Step:
        v2 = ctx.clients.apigatewayv2
        rtype = model.resource_type.value
        stage = model.api_gateway_stage
        tags = ctx.identity_tags(model.resource_name)
        routes = _route_functions(model)
        part, region = ctx.clients.partition, ctx.clients.region
        desired = {k: _uri(part, region, ctx.function_arn(f)) for k, f in routes.items()}
        principal = service_principal(ctx.clients, "apigateway")

        api: dict[str, Any] | None = None
        recorded_id = WebsocketAPIRecord.from_values(
            model.resource_name, recorded or {}
        ).websocket_api_id
        if recorded_id:
            api = v2.get_api(recorded_id)
        if api is None:
            # Adoption after a crash; an account that may not list APIs has none to adopt.
            api = ctx.tagging.lookup("apigatewayv2", lambda: find_tagged(v2.list_apis(), tags))

        def sync(
            sc: StepContext, api_id: str, *, stage_exists: bool, redeploy: bool
        ) -> Mapping[str, Any]:
            a = sc.clients.apigatewayv2
            live = {
                k: _uri(part, region, lambda_arn_of(f.resource_name, sc.outputs(f.resource_name)))
                for k, f in routes.items()
            }
            integrations = {
                i["IntegrationId"]: i.get("IntegrationUri") for i in a.list_integrations(api_id)
            }
            current_routes = {r["RouteKey"]: r for r in a.list_routes(api_id)}
            for key, route in current_routes.items():
                target = str(route.get("Target", "")).split("/")[-1]
                if live.get(key) != integrations.get(target):
                    a.delete_route(api_id, str(route["RouteId"]))
                    redeploy = True
            current_routes = {r["RouteKey"]: r for r in a.list_routes(api_id)}
            by_uri = {uri: iid for iid, uri in integrations.items()}
            for key, uri in live.items():
                if key in current_routes:
                    continue
                iid = by_uri.get(uri)
                if iid is None:
                    iid = a.create_integration(api_id, uri)
                    by_uri[uri] = iid
                a.create_route(api_id, key, iid)
                redeploy = True
            used = set(by_uri[u] for u in live.values())
            for iid in integrations:
                if iid not in used:
                    a.delete_integration(api_id, iid)
            for f in routes.values():
                ensure_permission(
                    sc.clients,
                    lambda_arn_of(f.resource_name, sc.outputs(f.resource_name)),
                    principal=principal,
                    source_arn=sc.clients.arn("execute-api", f"{api_id}/*"),
                    sid=statement_id("websocket", api_id, f.resource_name),
                )
            if redeploy or not stage_exists:
                deployment = a.create_deployment(api_id)
                if stage_exists:
                    a.update_stage(api_id, stage, deployment)
                else:
                    a.create_stage(api_id, stage, deployment)
            return _values(ctx, model, api_id)

        if api is None:

            def create(sc: StepContext) -> Mapping[str, Any]:
                sc.say(f"Creating websocket api: {model.name}")
                api_id = ctx.tagging.create(
                    "apigatewayv2",
                    tags,
                    lambda t: sc.clients.apigatewayv2.create_websocket_api(model.name, tags=t),
                )
                sc.record(_values(ctx, model, api_id))
                return sync(sc, api_id, stage_exists=False, redeploy=True)

            return Step(
                model.resource_name,
                rtype,
                Action.CREATE,
                create,
                expected=WebsocketAPIRecord(
                    model.resource_name, websocket_api_id=KNOWN_AFTER_APPLY
                ).values(),
            )

        api_id = str(api["ApiId"])
        functions = list(routes.values())
        # Every read needs only the API id (a recorded function's policy is
        # read beside the function itself): one round trip, not four.
        integration_list, route_list, stage_info, *policies = concurrently(
            lambda: v2.list_integrations(api_id),
            lambda: v2.list_routes(api_id),
            lambda: v2.get_stage(api_id, stage),
            *(
                functools.partial(ctx.policy_statements, f.resource_name, f.function_name)
                for f in functions
            ),
        )
        values = _values(ctx, model, api_id)
        integrations = {i["IntegrationId"]: i.get("IntegrationUri") for i in integration_list}
        now = {
            r["RouteKey"]: integrations.get(str(r.get("Target", "")).split("/")[-1])
            for r in route_list
        }
        fields: dict[str, tuple[Any, Any]] = {
            "routes": (now, desired),
            "stage": (stage if stage_info else None, stage),
        }
        source = ctx.clients.arn("execute-api", f"{api_id}/*")
        for f, statements in zip(functions, policies, strict=True):
            ok = has_permission(statements, principal=principal, source_arn=source)
            fields[f"permission[{f.resource_name}]"] = (ok, True)
        changes = diff(fields)
        if not changes:
            return Step(
                model.resource_name, rtype, Action.UNCHANGED, recorded=values, expected=values
            )

        def update(sc: StepContext) -> Mapping[str, Any]:
            sc.say(f"Updating websocket api: {model.name}")
            sc.record(values)
            return sync(sc, api_id, stage_exists=stage_info is not None, redeploy=False)

        return Step(
            model.resource_name, rtype, Action.UPDATE, update, changes=changes, expected=values
        )

    def plan_delete(self, recorded: dict[str, Any], ctx: PlanContext) -> Step:
        rec = WebsocketAPIRecord.from_entry(recorded)
        api_id = str(rec.websocket_api_id)

        def delete(sc: StepContext) -> None:
            sc.say(f"Deleting Websocket API: {api_id}")
            sc.clients.apigatewayv2.delete_api(api_id)

        return Step(rec.name, rec.RESOURCE_TYPE.value, Action.DELETE, delete)


def _report(r: WebsocketAPIRecord) -> list[str]:
    return [f"  - Websocket API URL: {r.websocket_api_url}"]


DESCRIPTOR = ResourceDescriptor[WebsocketAPI, WebsocketAPIRecord](
    resource_type=ResourceType.WEBSOCKET_API,
    aws_services=("apigatewayv2", "lambda"),
    model_classes=(WebsocketAPI,),
    record=lambda: WebsocketAPIRecord,
    delete_tier=DeleteTier.APIS,
    planner=WebsocketPlanner,
    sam=lambda: sam_apis.emit_websocket_api,
    terraform=lambda: terraform_apis.emit_websocket_api,
    graph=None,  # graph.py: one API for the app's three websocket handlers
    role_statement="websocket",
    decorators=("on_ws_connect", "on_ws_message", "on_ws_disconnect"),
    report=_report,
)
