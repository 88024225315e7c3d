"""The ``rest_api`` type: the REST API (API Gateway v1).

The definition sent is the build's Swagger 2.0 document with the integration
URIs rendered for this account, exactly the dialect and calls upstream
Chalice uses: ImportRestApi (endpoint type in ``parameters``) to create,
PutRestApi ``overwrite`` to update, CreateDeployment to publish the stage.
ImportRestApi takes no tags, so a new API is tagged right after it is
recorded (a crash in between leaves it recorded, never orphaned).

What was deployed is remembered in the state file, out of the app's sight
(a stage variable would show in every Lambda event): ``definition_sha256``
(SHA-256 of the document) and ``deployment_id`` (the deployment chalice made
the stage serve). Planning reads the API, its stage and the functions'
policies in one concurrent round; an unchanged app makes no further call.
The stage still serving our ``deployment_id`` vouches for the recorded
digest; any other deployment means the API was changed and redeployed
outside chalice (console, CLI), so it is planned as an update that re-puts
the definition and redeploys. A stage still carrying the legacy
``chaliceDefinitionSha256`` variable loses it with one UpdateStage patch.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from chalice.concurrency import concurrently
from chalice.deploy.emitters import sam_apis, terraform_apis
from chalice.deploy.plan import KNOWN_AFTER_APPLY, Action, Change, Step, StepContext, diff
from chalice.deploy.resources.base import (
    PlanContext,
    has_permission,
    service_principal,
    statement_id,
)
from chalice.deploy.typekit import (
    DeleteTier,
    FileBasedIAMPolicy,
    IAMPolicy,
    ResourceDescriptor,
    ResourceType,
    StateRecord,
    lambda_arn_of,
)

if TYPE_CHECKING:
    from chalice.app._snapshot import RouteSpec
    from chalice.deploy.models import Resource
    from chalice.deploy.resources.domain import DomainName
    from chalice.deploy.resources.lambdas import LambdaFunction


@attrs.frozen
class RestAPI:
    resource_name: str  # "rest_api"
    # Swagger 2.0 document with deploy-time integration URIs; filled by the build.
    swagger_doc: dict[str, Any] | None
    minimum_compression: str  # "" when unset, else the int as a string
    api_gateway_stage: str
    endpoint_type: str  # EDGE | REGIONAL | PRIVATE
    lambda_function: LambdaFunction
    xray: bool = False
    policy: IAMPolicy | FileBasedIAMPolicy | None = None
    authorizers: tuple[LambdaFunction, ...] = ()
    domain_name: DomainName | None = None
    vpce_ids: tuple[str, ...] = ()
    resource_type: ResourceType = ResourceType.REST_API
    # What the API serves, from the app snapshot; the build writes swagger_doc
    # from these (title = the Chalice app_name, binary media types, routes).
    title: str = ""
    binary_types: tuple[str, ...] = ()
    routes: tuple[RouteSpec, ...] = ()

    def dependencies(self) -> list[Resource]:
        deps: list[Resource] = [self.lambda_function, *self.authorizers]
        if self.domain_name is not None:
            deps.append(self.domain_name)
        return deps


class RestAPIRecord(StateRecord):
    """``rest_api``: the REST API (a migrated entry has no URL)."""

    RESOURCE_TYPE: ClassVar[ResourceType] = ResourceType.REST_API
    name: str
    rest_api_id: str | None = None
    rest_api_url: str | None = None
    # Ours, not upstream's (which ignores extra keys): see resources/apigateway.py.
    definition_sha256: str | None = None
    deployment_id: str | None = None


# Where releases before 1.35 kept the digest: a stage variable, visible to
# the app in every event's ``stageVariables``. Only ever removed now.
LEGACY_DIGEST_VARIABLE = "chaliceDefinitionSha256"
DRIFT_NOTE = "changed outside chalice: the definition is put again and redeployed"


def definition(model: RestAPI, ctx: PlanContext) -> dict[str, Any]:
    """The Swagger 2.0 document to send, URIs rendered with this account's ARNs."""
    from chalice.build.swagger import render_uris

    if model.swagger_doc is None:
        raise RuntimeError("the REST API definition was not built")
    values = {"partition": ctx.clients.partition, "region_name": ctx.clients.region}
    for fn in (model.lambda_function, *model.authorizers):
        values[f"{fn.resource_name}_lambda_arn"] = ctx.lambda_arn(fn.function_name)
    return render_uris(model.swagger_doc, values)


def digest(doc: Mapping[str, Any]) -> str:
    """Hex SHA-256 of ``doc`` in canonical JSON (key order does not matter)."""
    import hashlib  # here: the models (a cached ``chalice package``) import this module

    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def find_tagged(apis: list[dict[str, Any]], tags: Mapping[str, str]) -> dict[str, Any] | None:
    """The API whose tags include all of ``tags`` (adoption after a crash)."""
    for api in apis:
        have = api.get("tags") or api.get("Tags") or {}
        if all(have.get(k) == v for k, v in tags.items()):
            return api
    return None


def endpoint_patch(current: list[str], wanted: str) -> list[dict[str, str]]:
    """UpdateRestApi ops turning endpoint types ``current`` into ``wanted`` (none if equal)."""
    if not current or current[0] == wanted:
        return []
    return [
        {"op": "replace", "path": f"/endpointConfiguration/types/{current[0]}", "value": wanted}
    ]


@attrs.frozen
class Live:
    """What AWS has for a REST API right now (read while planning)."""

    api: Mapping[str, Any]
    stage: Mapping[str, Any] | None
    permissions: Mapping[str, bool]  # function resource name -> invoke permission present


@attrs.frozen
class Update:
    """What an existing API needs; empty ``changes`` means nothing."""

    changes: tuple[Change, ...]
    put: bool
    compression: bool
    endpoint: bool
    redeploy: bool
    stage_patch: tuple[Mapping[str, str], ...]
    add_permissions: tuple[str, ...]
    drift: bool
    tag: bool


def compare(
    model: RestAPI,
    recorded: Mapping[str, Any] | None,
    live: Live,
    doc_digest: str,
    tags: Mapping[str, str],
) -> Update:
    """Decide the update of an existing API (pure: no AWS call).

    ``tags`` are the identity tags the API should carry.
    """
    rec = RestAPIRecord.from_values(model.resource_name, recorded or {})
    stage = live.stage
    variables = dict((stage or {}).get("variables") or {})
    legacy = variables.get(LEGACY_DIGEST_VARIABLE)
    live_deployment = (stage or {}).get("deploymentId")
    drift = False
    if stage is None:
        deployed = None
    elif rec.deployment_id:
        drift = live_deployment != rec.deployment_id
        deployed = None if drift else rec.definition_sha256
    else:
        # Deployed by an earlier release (digest in the stage variable) or by
        # upstream (no digest at all: the definition is put once to know it).
        deployed = legacy
    types = list((live.api.get("endpointConfiguration") or {}).get("types") or [])
    compression = live.api.get("minimumCompressionSize")
    fields: dict[str, tuple[Any, Any]] = {
        "endpoint_type": (types[0] if types else None, model.endpoint_type),
        "minimum_compression": (
            "" if compression is None else str(compression),
            model.minimum_compression,
        ),
        "stage": (model.api_gateway_stage if stage else None, model.api_gateway_stage),
        "tracing": (bool(stage.get("tracingEnabled")) if stage else None, model.xray),
    }
    if not drift:
        fields = {"definition_sha256": (deployed, doc_digest), **fields}
    fields[f"stage_variables.{LEGACY_DIGEST_VARIABLE}"] = (legacy, None)
    if not rec.deployment_id:
        # A create that stopped between the import and the tagging (or an API
        # another tool made) gets its identity tags now. Once a deploy of ours
        # has finished they are not asked for again, so an account refusing
        # tags keeps making no write call on an unchanged redeploy.
        have = dict(live.api.get("tags") or {})
        fields["tags"] = ({k: have[k] for k in tags if k in have}, dict(tags))
    for name, present in live.permissions.items():
        fields[f"permission[{name}]"] = (present, True)
    changes = diff(fields)
    if drift:
        changes = (Change("deployment_id", live_deployment, KNOWN_AFTER_APPLY), *changes)
    changed = {c.field for c in changes}
    put = drift or "definition_sha256" in changed or "stage" in changed
    compression_changed = "minimum_compression" in changed
    endpoint_changed = "endpoint_type" in changed
    # Compression only takes effect once the API is deployed again (AWS:
    # "For an existing API, you must deploy the API after enabling the
    # compression"); so does a new definition.
    redeploy = put or compression_changed or endpoint_changed
    stage_patch: list[Mapping[str, str]] = []
    if "tracing" in changed and not redeploy:
        # CreateDeployment carries tracingEnabled itself when it runs.
        stage_patch.append(
            {"op": "replace", "path": "/tracingEnabled", "value": str(model.xray).lower()}
        )
    if legacy is not None:
        stage_patch.append({"op": "remove", "path": f"/variables/{LEGACY_DIGEST_VARIABLE}"})
    return Update(
        changes=changes,
        put=put,
        compression=compression_changed,
        endpoint=endpoint_changed,
        redeploy=redeploy,
        stage_patch=tuple(stage_patch),
        add_permissions=tuple(n for n, ok in live.permissions.items() if not ok),
        drift=drift,
        tag="tags" in changed,
    )


class RestAPIPlanner:
    """Plans the REST API: import/put the definition, deploy the stage, permissions."""

    def plan(self, model: RestAPI, recorded: dict[str, Any] | None, ctx: PlanContext) -> Step:
        """Create, update (with the fields that differ) or unchanged."""
        rtype = model.resource_type.value
        stage_name = model.api_gateway_stage
        functions = {fn.resource_name: fn for fn in (model.lambda_function, *model.authorizers)}
        principal = service_principal(ctx.clients, "apigateway")

        def url(api_id: str) -> str:
            region, suffix = ctx.clients.region, ctx.clients.dns_suffix
            return f"https://{api_id}.execute-api.{region}.{suffix}/{stage_name}/"

        def source_arn(api_id: str, name: str) -> str:
            scope = "*" if name == model.lambda_function.resource_name else "authorizers/*"
            return ctx.clients.arn("execute-api", f"{api_id}/{scope}")

        def add_permissions(
            sc: StepContext, api_id: str, names: list[str]
        ) -> list[Callable[[], None]]:
            # One call per function, no GetPolicy first: the plan read the
            # policies already (or the API id is new, so no statement can
            # name it), and an "already exists" answer counts as done.
            def add(name: str) -> Callable[[], None]:
                return lambda: sc.clients.lambda_.add_permission(
                    lambda_arn_of(name, sc.outputs(name)),
                    statement_id=statement_id("apigateway", api_id, name),
                    principal=principal,
                    source_arn=source_arn(api_id, name),
                )

            return [add(n) for n in names]

        live = self._read(model, recorded, ctx, functions, source_arn)
        # The definition after the reads: they need only recorded ids, while
        # its ARNs may wait for the account id.
        doc = definition(model, ctx)
        doc_digest = digest(doc)
        if live is None:
            return self._create(model, ctx, doc, doc_digest, url, add_permissions)

        api_id = str(live.api["id"])
        tags = ctx.identity_tags(model.resource_name)
        update = compare(model, recorded, live, doc_digest, tags)
        base = _record(model, api_id, url(api_id)).values()
        live_deployment = (live.stage or {}).get("deploymentId")
        if not update.changes:
            values = _record(model, api_id, url(api_id), doc_digest, live_deployment).values()
            return Step(
                model.resource_name, rtype, Action.UNCHANGED, recorded=values, expected=base
            )
        live_types = list((live.api.get("endpointConfiguration") or {}).get("types") or [])

        def apply(sc: StepContext) -> Mapping[str, Any]:
            sc.say("Updating rest API")
            sc.record(base)
            a = sc.clients.apigateway

            def definition_chain() -> str | None:
                types = live_types
                if update.put:
                    answer = a.put_rest_api(api_id, doc)
                    # The answer is the API after the put: no GetRestApi needed.
                    answered = (answer.get("endpointConfiguration") or {}).get("types")
                    types = list(answered or live_types)
                patch = _compression_patch(model) if update.compression else []
                patch += endpoint_patch(types, model.endpoint_type)
                if patch:
                    a.update_rest_api(api_id, patch)
                deployment = None
                if update.redeploy:
                    deployment = a.create_deployment(api_id, stage_name, tracing=model.xray)
                if update.stage_patch:
                    # After the deployment: both change the stage, and API
                    # Gateway refuses concurrent modifications of one stage.
                    a.update_stage(api_id, stage_name, [dict(op) for op in update.stage_patch])
                return deployment

            calls: list[Callable[[], Any]] = [definition_chain]
            calls += add_permissions(sc, api_id, list(update.add_permissions))
            if update.tag:
                arn = sc.clients.arn_apigateway(api_id)
                calls.append(lambda: ctx.tagging.tag("apigateway", lambda: a.tag(arn, tags)))
            deployment = concurrently(*calls)[0] or live_deployment
            return _record(model, api_id, url(api_id), doc_digest, deployment).values()

        return Step(
            model.resource_name,
            rtype,
            Action.UPDATE,
            apply,
            changes=update.changes,
            expected=base,
            note=DRIFT_NOTE if update.drift else "",
        )

    def _read(
        self,
        model: RestAPI,
        recorded: Mapping[str, Any] | None,
        ctx: PlanContext,
        functions: Mapping[str, LambdaFunction],
        source_arn: Callable[[str, str], str],
    ) -> Live | None:
        """The live API, stage and permissions in one concurrent round (None: no API)."""
        apigw = ctx.clients.apigateway
        stage_name = model.api_gateway_stage
        principal = service_principal(ctx.clients, "apigateway")

        def round_for(api_id: str, api: Mapping[str, Any] | None) -> Live | None:
            def policy(fn: LambdaFunction) -> Callable[[], Any]:
                return lambda: ctx.policy_statements(fn.resource_name, fn.function_name)

            reads: list[Callable[[], Any]] = [
                (lambda: api) if api is not None else (lambda: apigw.get_rest_api(api_id)),
                lambda: apigw.get_stage(api_id, stage_name),
                *(policy(fn) for fn in functions.values()),
            ]
            got = concurrently(*reads)
            if got[0] is None:
                return None
            permissions = {
                name: has_permission(
                    statements, principal=principal, source_arn=source_arn(api_id, name)
                )
                for name, statements in zip(functions, got[2:], strict=True)
            }
            return Live(api=got[0], stage=got[1], permissions=permissions)

        recorded_id = RestAPIRecord.from_values(model.resource_name, recorded or {}).rest_api_id
        if recorded_id:
            live = round_for(recorded_id, None)
            if live is not None:
                return live
        found = find_tagged(apigw.list_rest_apis(), ctx.identity_tags(model.resource_name))
        if found is None:
            return None
        return round_for(str(found["id"]), found)

    def _create(
        self,
        model: RestAPI,
        ctx: PlanContext,
        doc: dict[str, Any],
        doc_digest: str,
        url: Callable[[str], str],
        add_permissions: Callable[[StepContext, str, list[str]], list[Callable[[], None]]],
    ) -> Step:
        names = [model.lambda_function.resource_name, *(a.resource_name for a in model.authorizers)]
        tags = ctx.identity_tags(model.resource_name)

        def apply(sc: StepContext) -> Mapping[str, Any]:
            sc.say("Creating Rest API")
            a = sc.clients.apigateway
            answer = a.import_rest_api(doc, endpoint_type=model.endpoint_type)
            api_id = str(answer["id"])
            base = _record(model, api_id, url(api_id)).values()
            # Recorded before anything else: a failure (or kill) from here on
            # leaves an API the state file names, so nothing is orphaned.
            sc.record(base)
            arn = sc.clients.arn_apigateway(api_id)

            def tag() -> None:
                ctx.tagging.tag("apigateway", lambda: a.tag(arn, tags))

            def definition_chain() -> str:
                types = list((answer.get("endpointConfiguration") or {}).get("types") or [])
                patch = _compression_patch(model) if model.minimum_compression else []
                patch += endpoint_patch(types, model.endpoint_type)
                if patch:
                    a.update_rest_api(api_id, patch)
                return a.create_deployment(api_id, model.api_gateway_stage, tracing=model.xray)

            calls: list[Callable[[], Any]] = [definition_chain, tag]
            calls += add_permissions(sc, api_id, names)
            deployment = concurrently(*calls)[0]
            return _record(model, api_id, url(api_id), doc_digest, deployment).values()

        return Step(
            model.resource_name,
            model.resource_type.value,
            Action.CREATE,
            apply,
            expected=RestAPIRecord(model.resource_name, rest_api_id=KNOWN_AFTER_APPLY).values(),
            serial_calls=2,  # ImportRestApi, then CreateDeployment
        )

    def plan_delete(self, recorded: dict[str, Any], ctx: PlanContext) -> Step:
        """Delete the recorded API (its stages and deployments go with it)."""
        rec = RestAPIRecord.from_entry(recorded)
        api_id = str(rec.rest_api_id)

        def delete(sc: StepContext) -> None:
            sc.say(f"Deleting Rest API: {api_id}")
            sc.clients.apigateway.delete_rest_api(api_id)

        return Step(rec.name, rec.RESOURCE_TYPE.value, Action.DELETE, delete)


def _record(
    model: RestAPI,
    api_id: str,
    url: str,
    definition_sha256: str | None = None,
    deployment_id: str | None = None,
) -> RestAPIRecord:
    return RestAPIRecord(
        model.resource_name,
        rest_api_id=api_id,
        rest_api_url=url,
        definition_sha256=definition_sha256,
        deployment_id=deployment_id,
    )


def _compression_patch(model: RestAPI) -> list[dict[str, str]]:
    # '' unsets it (AWS: "set the minimumCompressionSize to null or remove it").
    return [
        {"op": "replace", "path": "/minimumCompressionSize", "value": model.minimum_compression}
    ]


def _report(r: RestAPIRecord) -> list[str]:
    return [f"  - Rest API URL: {r.rest_api_url}"]


DESCRIPTOR = ResourceDescriptor[RestAPI, RestAPIRecord](
    resource_type=ResourceType.REST_API,
    aws_services=("apigateway", "lambda"),
    model_classes=(RestAPI,),
    record=lambda: RestAPIRecord,
    delete_tier=DeleteTier.APIS,
    planner=RestAPIPlanner,
    sam=lambda: sam_apis.emit_rest_api,
    terraform=lambda: terraform_apis.emit_rest_api,
    graph=None,  # graph.py: the app's routes, served by api_handler
    role_statement=None,
    decorators=("route", "authorizer"),
    report=_report,
)
