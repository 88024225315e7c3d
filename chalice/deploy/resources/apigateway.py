"""Planner for the REST API (API Gateway v1).

The definition sent is the build's Swagger document with the integration URIs
rendered for this account and converted to OpenAPI 3. Its SHA-256 is kept in
the stage variable ``chaliceDefinitionSha256``, set by the same call that
deploys the stage, so an unchanged app makes no call and an interrupted
update (definition put, stage not deployed) is redone. The API also carries
the identity tags so one created just before a crash is adopted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from chalice.deploy import models
from chalice.deploy.plan import KNOWN_AFTER_APPLY, Action, Step, StepContext, diff
from chalice.deploy.resources.base import (
    PlanContext,
    ensure_permission,
    has_permission,
    service_principal,
    statement_id,
)

DIGEST_VARIABLE = "chaliceDefinitionSha256"


def definition(model: models.RestAPI, ctx: PlanContext) -> dict[str, Any]:
    """The OpenAPI 3 document to send, URIs rendered with this account's ARNs."""
    from chalice.deploy.openapi3 import to_openapi3
    from chalice.deploy.swagger import render_uris

    if model.swagger_doc is None:
        raise RuntimeError("the REST API definition was not built")
    values = {"partition": ctx.clients.partition, "region_name": ctx.clients.region}
    for fn in (model.lambda_function, *model.authorizers):
        values[f"{fn.resource_name}_lambda_arn"] = ctx.lambda_arn(fn.function_name)
    doc = to_openapi3(render_uris(model.swagger_doc, values))
    info = doc.setdefault("info", {})
    # ImportRestApi/PutRestApi reject a document without a description in some
    # implementations; an explicit one costs nothing.
    info.setdefault("description", f"{info.get('title', 'chalice')} REST API")
    return doc


def digest(doc: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def _url(ctx: PlanContext, api_id: str, stage: str) -> str:
    return f"https://{api_id}.execute-api.{ctx.clients.region}.{ctx.clients.dns_suffix}/{stage}/"


def find_tagged(apis: list[dict[str, Any]], tags: Mapping[str, str]) -> dict[str, Any] | None:
    """The API whose tags include all of ``tags`` (adoption after a crash)."""
    for api in apis:
        have = api.get("tags") or api.get("Tags") or {}
        if all(have.get(k) == v for k, v in tags.items()):
            return api
    return None


class RestAPIPlanner:
    def plan(
        self, model: models.RestAPI, recorded: dict[str, Any] | None, ctx: PlanContext
    ) -> Step:
        apigw = ctx.clients.apigateway
        rtype = model.resource_type.value
        doc = definition(model, ctx)
        doc_digest = digest(doc)
        stage = model.api_gateway_stage
        tags = ctx.identity_tags(model.resource_name)
        functions = (model.lambda_function, *model.authorizers)
        principal = service_principal(ctx.clients, "apigateway")
        compression = model.minimum_compression

        api: dict[str, Any] | None = None
        if recorded and recorded.get("rest_api_id"):
            api = apigw.get_rest_api(str(recorded["rest_api_id"]))
        if api is None:
            api = find_tagged(apigw.list_rest_apis(), tags)

        def source_arn(api_id: str, fn: models.LambdaFunction) -> str:
            suffix = "*" if fn is model.lambda_function else "authorizers/*"
            return ctx.clients.arn("execute-api", f"{api_id}/{suffix}")

        def finish(
            sc: StepContext,
            api_id: str,
            *,
            put: bool,
            patch: list[dict[str, str]],
            redeploy: bool,
            tracing_only: bool,
        ) -> Mapping[str, Any]:
            a = sc.clients.apigateway
            if put:
                a.put_rest_api(api_id, doc)
                now = a.get_rest_api(api_id) or {}
                types = (now.get("endpointConfiguration") or {}).get("types") or []
                if types and types[0] != model.endpoint_type:
                    patch = patch + [
                        {
                            "op": "replace",
                            "path": f"/endpointConfiguration/types/{types[0]}",
                            "value": model.endpoint_type,
                        }
                    ]
            if patch:
                a.update_rest_api(api_id, patch)
            for fn in functions:
                live = str(sc.outputs(fn.resource_name)["lambda_arn"])
                ensure_permission(
                    sc.clients,
                    live,
                    principal=principal,
                    source_arn=source_arn(api_id, fn),
                    sid=statement_id("apigateway", api_id, fn.resource_name),
                )
            if redeploy:
                a.create_deployment(
                    api_id, stage, tracing=model.xray, variables={DIGEST_VARIABLE: doc_digest}
                )
            elif tracing_only:
                a.update_stage(
                    api_id,
                    stage,
                    [
                        {
                            "op": "replace",
                            "path": "/tracingEnabled",
                            "value": str(model.xray).lower(),
                        }
                    ],
                )
            return {"rest_api_id": api_id, "rest_api_url": _url(ctx, api_id, stage)}

        compression_patch = [
            {"op": "replace", "path": "/minimumCompressionSize", "value": compression}
        ]
        if api is None:

            def create(sc: StepContext) -> Mapping[str, Any]:
                sc.say("Creating Rest API")
                api_id = sc.clients.apigateway.create_rest_api(
                    str(doc.get("info", {}).get("title", ctx.app_name)),
                    endpoint_type=model.endpoint_type,
                    tags=tags,
                )
                sc.record({"rest_api_id": api_id, "rest_api_url": _url(ctx, api_id, stage)})
                return finish(
                    sc,
                    api_id,
                    put=True,
                    patch=compression_patch if compression else [],
                    redeploy=True,
                    tracing_only=False,
                )

            return Step(
                model.resource_name,
                rtype,
                Action.CREATE,
                create,
                expected={"rest_api_id": KNOWN_AFTER_APPLY},
            )

        api_id = str(api["id"])
        values = {"rest_api_id": api_id, "rest_api_url": _url(ctx, api_id, stage)}
        now_types = (api.get("endpointConfiguration") or {}).get("types") or []
        now_compression = api.get("minimumCompressionSize")
        stage_info = apigw.get_stage(api_id, stage)
        permissions = {}
        for fn in functions:
            if ctx.exists_now(fn.resource_name):
                statements = ctx.clients.lambda_.get_policy_statements(fn.function_name)
                permissions[fn.resource_name] = has_permission(
                    statements, principal=principal, source_arn=source_arn(api_id, fn)
                )
            else:
                permissions[fn.resource_name] = False
        fields: dict[str, tuple[Any, Any]] = {
            "definition_sha256": (
                (stage_info or {}).get("variables", {}).get(DIGEST_VARIABLE),
                doc_digest,
            ),
            "endpoint_type": (now_types[0] if now_types else None, model.endpoint_type),
            "minimum_compression": (
                "" if now_compression is None else str(now_compression),
                compression,
            ),
            "stage": (stage if stage_info else None, stage),
            "tracing": (bool(stage_info.get("tracingEnabled")) if stage_info else None, model.xray),
        }
        for name, ok in permissions.items():
            fields[f"permission[{name}]"] = (ok, True)
        changes = diff(fields)
        if not changes:
            return Step(
                model.resource_name, rtype, Action.UNCHANGED, recorded=values, expected=values
            )
        changed = {c.field for c in changes}
        put = "definition_sha256" in changed
        redeploy = put or "stage" in changed or "endpoint_type" in changed

        def update(sc: StepContext) -> Mapping[str, Any]:
            sc.say("Updating rest API")
            sc.record(values)
            patch = compression_patch if "minimum_compression" in changed else []
            if "endpoint_type" in changed and not put and now_types:
                patch = patch + [
                    {
                        "op": "replace",
                        "path": f"/endpointConfiguration/types/{now_types[0]}",
                        "value": model.endpoint_type,
                    }
                ]
            return finish(
                sc,
                api_id,
                put=put,
                patch=patch,
                redeploy=redeploy,
                tracing_only="tracing" in changed,
            )

        return Step(
            model.resource_name, rtype, Action.UPDATE, update, changes=changes, expected=values
        )

    def plan_delete(self, recorded: dict[str, Any], ctx: PlanContext) -> Step:
        api_id = str(recorded.get("rest_api_id"))

        def delete(sc: StepContext) -> None:
            sc.say(f"Deleting Rest API: {api_id}")
            sc.clients.apigateway.delete_rest_api(api_id)

        return Step(recorded["name"], recorded["resource_type"], Action.DELETE, delete)
