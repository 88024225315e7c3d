"""The ``lambda_function`` and ``lambda_layer`` types: functions (all kinds) and the
managed layer.

A function is found by name; it is updated only in the fields that differ
(code by ``CodeSha256``, configuration, tags, reserved concurrency). A new
function also gets the identity tags (app, stage, resource name), like every
other taggable resource; they are not compared afterwards. A layer
version is immutable: a new version is published only when no existing
version of the layer has the zip's SHA-256.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from chalice.deploy.emitters import sam, terraform
from chalice.deploy.plan import KNOWN_AFTER_APPLY, Action, Step, StepContext, diff
from chalice.deploy.resources.base import (
    IDENTITY_TAG_KEYS,
    PlanContext,
    package_bytes,
    package_sha256,
)
from chalice.deploy.resources.iam import ManagedIAMRole, Role
from chalice.deploy.resources.logs import LogGroup
from chalice.deploy.typekit import (
    DeleteTier,
    DeploymentPackage,
    ResourceDescriptor,
    ResourceType,
    StateRecord,
)

if TYPE_CHECKING:
    from chalice.deploy.models import Resource


@attrs.frozen
class LambdaLayer:
    resource_name: str  # "managed-layer"
    layer_name: str  # "<app>-<stage>-managed-layer"
    runtime: str
    deployment_package: DeploymentPackage
    architecture: str = "x86_64"
    resource_type: ResourceType = ResourceType.LAMBDA_LAYER

    def dependencies(self) -> list[Resource]:
        return []


@attrs.frozen
class LambdaFunction:
    resource_name: str  # "api_handler", "<fn>", "websocket_connect", authorizer name
    function_name: str  # "<app>-<stage>-<fn>"; "<app>-<stage>" for api_handler
    deployment_package: DeploymentPackage
    handler: str  # "app.app", "app.<fn>", "<blueprint module>.<fn>"
    runtime: str  # "python3.12"
    role: Role
    environment_variables: dict[str, str] = attrs.field(factory=dict)
    tags: dict[str, str] = attrs.field(factory=dict)
    timeout: int = 60
    memory_size: int = 128
    xray: bool = False
    security_group_ids: tuple[str, ...] = ()
    subnet_ids: tuple[str, ...] = ()
    reserved_concurrency: int | None = None
    layers: tuple[str, ...] = ()  # user layer ARNs (after the managed layer)
    managed_layer: LambdaLayer | None = None
    log_group: LogGroup | None = None
    architecture: str = "x86_64"  # "x86_64" | "arm64"
    resource_type: ResourceType = ResourceType.LAMBDA_FUNCTION

    def dependencies(self) -> list[Resource]:
        deps: list[Resource] = []
        if self.managed_layer is not None:
            deps.append(self.managed_layer)
        if self.log_group is not None:
            deps.append(self.log_group)
        if isinstance(self.role, ManagedIAMRole):
            deps.append(self.role)
        return deps


class LambdaFunctionRecord(StateRecord):
    """``lambda_function``: a function (handler, authorizer, websocket handler...)."""

    RESOURCE_TYPE: ClassVar[ResourceType] = ResourceType.LAMBDA_FUNCTION
    name: str
    lambda_arn: str | None = None


class LambdaLayerRecord(StateRecord):
    """``lambda_layer``: the managed layer's current version."""

    RESOURCE_TYPE: ClassVar[ResourceType] = ResourceType.LAMBDA_LAYER
    name: str
    layer_version_arn: str | None = None


LAYER_DESCRIPTION = "chalice managed layer"


class LayerPlanner:
    def plan(self, model: LambdaLayer, recorded: dict[str, Any] | None, ctx: PlanContext) -> Step:
        lam = ctx.clients.lambda_
        sha = package_sha256(model.deployment_package)
        rtype = model.resource_type.value
        name = model.resource_name
        old_arn = LambdaLayerRecord.from_values(name, recorded or {}).layer_version_arn
        current = lam.get_layer_version(old_arn) if old_arn else None
        if current is not None and current.get("Content", {}).get("CodeSha256") == sha:
            values = LambdaLayerRecord(name, layer_version_arn=old_arn).values()
            return Step(
                model.resource_name, rtype, Action.UNCHANGED, recorded=values, expected=values
            )
        # Adopt a version published before a crash (same content): no new version.
        for version in lam.list_layer_versions(model.layer_name):
            found = lam.get_layer_version(str(version["LayerVersionArn"]))
            if found is not None and found.get("Content", {}).get("CodeSha256") == sha:
                arn = str(version["LayerVersionArn"])
                values = LambdaLayerRecord(name, layer_version_arn=arn).values()
                return Step(
                    model.resource_name, rtype, Action.UNCHANGED, recorded=values, expected=values
                )
        action = Action.CREATE if current is None else Action.UPDATE
        changes = (
            ()
            if current is None
            else diff({"code_sha256": (current.get("Content", {}).get("CodeSha256"), sha)})
        )

        def publish(sc: StepContext) -> Mapping[str, Any]:
            sc.say(
                f"{'Creating' if current is None else 'Updating'} lambda layer: {model.layer_name}"
            )
            arn = sc.clients.lambda_.publish_layer(
                model.layer_name,
                package_bytes(model.deployment_package),
                runtime=model.runtime,
                architecture=model.architecture,
                description=LAYER_DESCRIPTION,
            )
            values = LambdaLayerRecord(name, layer_version_arn=arn).values()
            sc.record(values)
            if current is not None and old_arn:
                sc.clients.lambda_.delete_layer_version(old_arn)
            return values

        return Step(
            model.resource_name,
            rtype,
            action,
            publish,
            changes=changes,
            expected=LambdaLayerRecord(name, layer_version_arn=KNOWN_AFTER_APPLY).values(),
        )

    def plan_delete(self, recorded: dict[str, Any], ctx: PlanContext) -> Step:
        rec = LambdaLayerRecord.from_entry(recorded)
        arn = str(rec.layer_version_arn)

        def delete(sc: StepContext) -> None:
            sc.say(f"Deleting layer version: {arn}")
            sc.clients.lambda_.delete_layer_version(arn)

        return Step(rec.name, rec.RESOURCE_TYPE.value, Action.DELETE, delete)


@attrs.frozen
class FunctionConfig:
    """The configuration fields of a function that a deploy compares and sets."""

    runtime: str | None
    handler: str | None
    role: str | None
    timeout: int | None
    memory_size: int | None
    environment: dict[str, str]
    tracing: str
    subnet_ids: list[str]
    security_group_ids: list[str]
    layers: list[str]
    architecture: str

    def fields(self) -> dict[str, Any]:
        """Field name -> value (the names a plan shows as changed)."""
        return attrs.asdict(self, recurse=False)

    def api_params(self) -> dict[str, Any]:
        """UpdateFunctionConfiguration / CreateFunction fields."""
        return {
            "Runtime": self.runtime,
            "Handler": self.handler,
            "Role": self.role,
            "Timeout": self.timeout,
            "MemorySize": self.memory_size,
            "Environment": {"Variables": self.environment},
            "TracingConfig": {"Mode": self.tracing},
            "VpcConfig": {
                "SubnetIds": self.subnet_ids,
                "SecurityGroupIds": self.security_group_ids,
            },
            "Layers": self.layers,
        }


def _desired_config(
    model: LambdaFunction, ctx: PlanContext, layer_arn: str | None
) -> FunctionConfig:
    return FunctionConfig(
        runtime=model.runtime,
        handler=model.handler,
        role=ctx.role_arn(model.role),
        timeout=model.timeout,
        memory_size=model.memory_size,
        environment=dict(model.environment_variables),
        tracing="Active" if model.xray else "PassThrough",
        subnet_ids=sorted(model.subnet_ids),
        security_group_ids=sorted(model.security_group_ids),
        layers=([layer_arn] if layer_arn else []) + list(model.layers),
        architecture=model.architecture,
    )


def _current_config(cfg: Mapping[str, Any]) -> FunctionConfig:
    vpc = cfg.get("VpcConfig") or {}
    return FunctionConfig(
        runtime=cfg.get("Runtime"),
        handler=cfg.get("Handler"),
        role=cfg.get("Role"),
        timeout=cfg.get("Timeout"),
        memory_size=cfg.get("MemorySize"),
        environment=dict((cfg.get("Environment") or {}).get("Variables") or {}),
        tracing=(cfg.get("TracingConfig") or {}).get("Mode", "PassThrough"),
        subnet_ids=sorted(vpc.get("SubnetIds") or []),
        security_group_ids=sorted(vpc.get("SecurityGroupIds") or []),
        layers=[str(layer.get("Arn")) for layer in cfg.get("Layers") or []],
        architecture=(cfg.get("Architectures") or ["x86_64"])[0],
    )


class FunctionPlanner:
    def plan(
        self, model: LambdaFunction, recorded: dict[str, Any] | None, ctx: PlanContext
    ) -> Step:
        name = model.function_name
        rtype = model.resource_type.value
        # Read first: the ARNs below need the account id, which is fetched
        # concurrently with this read (see planner.build_plan).
        current = ctx.clients.lambda_.get_function(name)
        layer_name = model.managed_layer.resource_name if model.managed_layer else None
        planned_layer = ctx.known(layer_name) if layer_name else None
        layer_arn = (
            LambdaLayerRecord.from_values(str(layer_name), planned_layer).layer_version_arn
            if planned_layer
            else None
        )
        desired = _desired_config(model, ctx, layer_arn)
        sha = package_sha256(model.deployment_package)
        tags = dict(model.tags)

        def record(arn: str) -> dict[str, Any]:
            return LambdaFunctionRecord(model.resource_name, lambda_arn=arn).values()

        expected = record(ctx.lambda_arn(name))

        def resolve(sc: StepContext) -> FunctionConfig:
            """The desired config with values only known now (new layer version)."""
            if layer_name is None:
                return desired
            layer = LambdaLayerRecord.from_values(layer_name, sc.outputs(layer_name))
            return attrs.evolve(desired, layers=[str(layer.layer_version_arn), *model.layers])

        def set_concurrency(sc: StepContext) -> None:
            if model.reserved_concurrency is None:
                sc.clients.lambda_.delete_concurrency(name)
            else:
                sc.clients.lambda_.put_concurrency(name, model.reserved_concurrency)

        if current is None:

            def create(sc: StepContext) -> Mapping[str, Any]:
                sc.say(f"Creating lambda function: {name}")
                params = resolve(sc).api_params()
                if not model.subnet_ids:
                    del params["VpcConfig"]
                lam = sc.clients.lambda_
                zip_bytes = package_bytes(model.deployment_package)

                def create_tagged(identity: dict[str, str] | None) -> dict[str, Any]:
                    # The user's own tags are required (upstream sends them too);
                    # only the identity tags may be dropped when tagging is denied.
                    all_tags = {**(identity or {}), **tags}
                    fields: dict[str, Any] = {"FunctionName": name}
                    if all_tags:
                        fields["Tags"] = all_tags
                    fields["Architectures"] = [model.architecture]
                    return lam.create_function({**fields, **params}, zip_bytes)

                resp = ctx.tagging.create(
                    "lambda", ctx.identity_tags(model.resource_name), create_tagged
                )
                values = record(str(resp["FunctionArn"]))
                # Recorded before any wait: the function exists even if it never
                # becomes Active (State: Failed stops the deploy right after).
                sc.record(values)
                lam.wait_ready(name, resp)
                if model.reserved_concurrency is not None:
                    set_concurrency(sc)
                return values

            return Step(model.resource_name, rtype, Action.CREATE, create, expected=expected)

        cfg = current["Configuration"]
        fn_arn = str(cfg["FunctionArn"])
        ctx.note_function(model.resource_name, fn_arn, str(cfg.get("RevisionId") or ""))
        values = record(fn_arn)
        now = _current_config(cfg)
        # Identity tags are set when the function is created and then left alone:
        # never compared (a function deployed by upstream, found by name, has none
        # and needs no call) and never removed, unless the user's own tags use the keys.
        now_tags = {
            k: v
            for k, v in (current.get("Tags") or {}).items()
            if k not in IDENTITY_TAG_KEYS or k in tags
        }
        now_concurrency = (current.get("Concurrency") or {}).get("ReservedConcurrentExecutions")
        fields: dict[str, tuple[Any, Any]] = {"code_sha256": (cfg.get("CodeSha256"), sha)}
        wanted = desired.fields()
        fields.update({k: (v, wanted[k]) for k, v in now.fields().items()})
        fields["tags"] = (now_tags, tags)
        fields["reserved_concurrency"] = (now_concurrency, model.reserved_concurrency)
        changes = diff(fields)
        if not changes:
            return Step(
                model.resource_name, rtype, Action.UNCHANGED, recorded=values, expected=values
            )
        changed = {c.field for c in changes}
        code_changed = "code_sha256" in changed
        config_changed = bool(changed & set(wanted)) and not (
            changed & set(wanted) == {"architecture"}
        )

        def update(sc: StepContext) -> Mapping[str, Any]:
            sc.say(f"Updating lambda function: {name}")
            sc.record(values)
            lam = sc.clients.lambda_
            if code_changed or "architecture" in changed:
                lam.update_code(
                    name, package_bytes(model.deployment_package), architecture=model.architecture
                )
            if config_changed:
                lam.update_configuration(name, resolve(sc).api_params())
            if "tags" in changed:
                removed = sorted(set(now_tags) - set(tags))
                if removed:
                    lam.untag(fn_arn, removed)
                added = {k: v for k, v in tags.items() if now_tags.get(k) != v}
                if added:
                    lam.tag(fn_arn, added)
            if "reserved_concurrency" in changed:
                set_concurrency(sc)
            return values

        return Step(
            model.resource_name, rtype, Action.UPDATE, update, changes=changes, expected=values
        )

    def plan_delete(self, recorded: dict[str, Any], ctx: PlanContext) -> Step:
        rec = LambdaFunctionRecord.from_entry(recorded)
        arn = str(rec.lambda_arn)

        def delete(sc: StepContext) -> None:
            sc.say(f"Deleting function: {arn}")
            sc.clients.lambda_.delete_function(arn)

        return Step(rec.name, rec.RESOURCE_TYPE.value, Action.DELETE, delete)


def _layer_report(r: LambdaLayerRecord) -> list[str]:
    return [f"  - Lambda Layer ARN: {r.layer_version_arn}"]


def _function_report(r: LambdaFunctionRecord) -> list[str]:
    return [f"  - Lambda ARN: {r.lambda_arn}"]


# Layers first: the ``Resources deployed:`` report lists them before functions.
DESCRIPTORS = (
    ResourceDescriptor[LambdaLayer, LambdaLayerRecord](
        resource_type=ResourceType.LAMBDA_LAYER,
        aws_services=("lambda",),
        model_classes=(LambdaLayer,),
        record=lambda: LambdaLayerRecord,
        delete_tier=DeleteTier.FOUNDATIONS,
        planner=LayerPlanner,
        sam=lambda: sam.SAMBuilder.add_layer,
        terraform=lambda: terraform.TerraformBuilder.add_layer,
        graph=None,  # graph.py: one managed layer per app (``automatic_layer``)
        role_statement=None,
        decorators=(),
        report=_layer_report,
    ),
    ResourceDescriptor[LambdaFunction, LambdaFunctionRecord](
        resource_type=ResourceType.LAMBDA_FUNCTION,
        aws_services=("lambda",),
        model_classes=(LambdaFunction,),
        record=lambda: LambdaFunctionRecord,
        delete_tier=DeleteTier.FUNCTIONS,
        planner=FunctionPlanner,
        sam=lambda: sam.SAMBuilder.add_function,
        terraform=lambda: terraform.TerraformBuilder.add_function,
        graph=None,  # graph.py: every handler's function, named by upstream's rules
        role_statement=None,
        decorators=("lambda_function",),
        report=_function_report,
    ),
)
