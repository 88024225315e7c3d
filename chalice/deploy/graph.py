"""The resource graph: a loaded app plus its config become frozen resource models.

``build_application(app, config)`` reads the ``AppSnapshot`` of a ``Chalice``
app (routes, event sources, pure lambdas, built-in authorizers, websocket
handlers; ``chalice.app.snapshot``, taken once) and the layered config of each
function, and returns a
``models.Application`` named by upstream's rules (SPEC §4.3), so that state
files written by upstream chalice keep matching:

* the REST handler is resource ``api_handler``, function ``<app>-<stage>``,
  handler ``app.app``; every other function is ``<app>-<stage>-<name>``;
* one shared ``default-role`` (role ``<app>-<stage>``) for autogen policies, a
  ``<name>_role`` (role ``<app>-<stage>-<name>``) with a file policy when
  ``autogen_policy`` is false, a ``PreCreatedIAMRole`` when
  ``manage_iam_role`` is false;
* events ``<name>-event``, ``-s3event``, ``-sns-subscription``,
  ``-sqs-event-source``, ``-kinesis-event-source``, ``-dynamodb-event-source``;
* resources in the order pure lambdas, event sources, REST API, websocket API.

Where we differ: the ``api_handler`` log group is ``/aws/lambda/<app>-<stage>``,
the group Lambda really writes to (upstream's quirk #8 names a group nothing
writes to).

Artifacts are placeholders here (``DeploymentPackage()``, policy documents
``None``, ``swagger_doc=None``); ``chalice.build.artifacts`` fills them, the
Swagger document from the ``RestAPI`` model's routes. Pure: no disk, no AWS.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import attrs

from chalice.app import _snapshot as snap
from chalice.app._snapshot import AppSnapshot, snapshot
from chalice.config import Config
from chalice.deploy import graph_http, models
from chalice.deploy.descriptors import graph_hook_for
from chalice.errors import ValidationError

if TYPE_CHECKING:
    from chalice.app import Chalice

API_HANDLER = "api_handler"
DEFAULT_ROLE = "default-role"
MANAGED_LAYER = "managed-layer"
WEBSOCKET_FUNCTIONS = {
    "$connect": "websocket_connect",
    "$default": "websocket_message",
    "$disconnect": "websocket_disconnect",
}

LAMBDA_TRUST_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "",
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def private_endpoint_policy(vpce_ids: tuple[str, ...]) -> dict[str, Any]:
    """The default resource policy of a PRIVATE REST API without a policy file.

    Allows ``execute-api:Invoke`` from the configured VPC endpoint(s) only.
    """
    source: str | list[str] = vpce_ids[0] if len(vpce_ids) == 1 else list(vpce_ids)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "execute-api:Invoke",
                "Resource": "arn:*:execute-api:*:*:*",
                "Condition": {"StringEquals": {"aws:SourceVpce": source}},
            }
        ],
    }


def mount_path(url_prefix: str | None) -> str:
    """The API mapping's mount path: ``(none)`` for no prefix or ``/``, else the bare prefix."""
    if url_prefix is None:
        return "(none)"
    stripped = url_prefix.strip("/")
    return stripped or "(none)"


def function_name_for(app_name: str, stage: str, name: str) -> str:
    """The AWS function name of the handler ``name``."""
    if name == API_HANDLER:
        return f"{app_name}-{stage}"
    return f"{app_name}-{stage}-{name}"


@attrs.frozen
class FunctionSpec:
    """A function to create: its resource name, handler and config scope."""

    name: str  # resource name (and config section name)
    handler: str
    config: Config


class _GraphBuilder:
    """One build: keeps shared resources (default role, layer) unique by name."""

    def __init__(self, app: AppSnapshot, config: Config) -> None:
        self.app = app
        self.config = config
        self.app_name = config.app_name
        self.stage = config.stage
        # The one list of functions: the default role's traits and every
        # model below are derived from it. A name used twice (which
        # validate_app refuses) keeps its first handler.
        self.specs: dict[str, FunctionSpec] = {}
        for spec in function_specs(app, config):
            self.specs.setdefault(spec.name, spec)
        self._functions: dict[str, models.LambdaFunction] = {}
        self._roles: dict[str, models.Role] = {}
        self._default_traits = self._collect_default_traits()
        self._layer = self._managed_layer()

    def _collect_default_traits(self) -> frozenset[models.RoleTraits]:
        # The default role is shared, so it needs the VPC permissions as soon
        # as any function using it runs in a VPC.
        for spec in self.specs.values():
            cfg = spec.config
            if cfg.manage_iam_role and cfg.autogen_policy and _vpc_config(spec)[0]:
                return frozenset({models.RoleTraits.VPC_NEEDED})
        return frozenset()

    # -- shared resources ---------------------------------------------------------

    def _managed_layer(self) -> models.LambdaLayer | None:
        if not self.config.automatic_layer:
            return None
        return models.LambdaLayer(
            resource_name=MANAGED_LAYER,
            layer_name=f"{self.app_name}-{self.stage}-{MANAGED_LAYER}",
            runtime=self.config.lambda_python_version,
            deployment_package=models.DeploymentPackage(),
            architecture=self.config.lambda_architecture,
        )

    def _role(self, spec: FunctionSpec) -> models.Role:
        cfg = spec.config
        if not cfg.manage_iam_role:
            arn = cfg.iam_role_arn
            if not arn:
                raise ValidationError(
                    f"Function `{spec.name}` has manage_iam_role set to false but no iam_role_arn.",
                    where=f"{cfg.source}, stage `{self.stage}`",
                    fix='Add "iam_role_arn": "arn:aws:iam::<account>:role/<name>" next to '
                    "manage_iam_role, or remove manage_iam_role: false.",
                )
            return self._roles.setdefault(arn, models.PreCreatedIAMRole(role_arn=arn))
        if cfg.autogen_policy:
            key = DEFAULT_ROLE
            role: models.Role = models.ManagedIAMRole(
                resource_name=DEFAULT_ROLE,
                role_name=f"{self.app_name}-{self.stage}",
                trust_policy=_trust_policy(),
                policy=models.AutoGenIAMPolicy(traits=self._default_traits),
            )
        else:
            key = f"{spec.name}_role"
            role = models.ManagedIAMRole(
                resource_name=key,
                role_name=f"{self.app_name}-{self.stage}-{spec.name}",
                trust_policy=_trust_policy(),
                policy=models.FileBasedIAMPolicy(filename=cfg.iam_policy_file),
            )
        return self._roles.setdefault(key, role)

    # -- functions -----------------------------------------------------------------

    def function(self, spec: FunctionSpec) -> models.LambdaFunction:
        """The LambdaFunction model for ``spec`` (one object per resource name)."""
        existing = self._functions.get(spec.name)
        if existing is not None:
            return existing
        cfg = spec.config
        function_name = function_name_for(self.app_name, self.stage, spec.name)
        subnet_ids, security_group_ids = _vpc_config(spec)
        log_group = None
        if cfg.log_retention_in_days is not None:
            log_group = models.LogGroup(
                resource_name=f"{spec.name}-log-group",
                log_group_name=f"/aws/lambda/{function_name}",
                retention_in_days=cfg.log_retention_in_days,
            )
        fn = models.LambdaFunction(
            resource_name=spec.name,
            function_name=function_name,
            deployment_package=models.DeploymentPackage(),
            handler=spec.handler,
            runtime=cfg.lambda_python_version,
            role=self._role(spec),
            environment_variables=cfg.environment_variables,
            tags=cfg.tags,
            timeout=cfg.lambda_timeout,
            memory_size=cfg.lambda_memory_size,
            xray=cfg.xray,
            security_group_ids=security_group_ids,
            subnet_ids=subnet_ids,
            reserved_concurrency=cfg.reserved_concurrency,
            layers=cfg.layers,
            managed_layer=self._layer,
            log_group=log_group,
            architecture=cfg.lambda_architecture,
        )
        self._functions[spec.name] = fn
        return fn

    # -- the application ---------------------------------------------------------

    def named(self, name: str) -> models.LambdaFunction:
        """The LambdaFunction model of the function spec named ``name``."""
        return self.function(self.specs[name])

    def build(self) -> models.Application:
        resources: list[models.Resource] = []
        for pure in self.app.pure_lambdas:
            resources.append(self.named(pure.name))
        for source in self.app.event_sources:
            resources.append(self._event(source, self.named(source.name)))
        if self.app.has_routes and self.config.api_gateway_type == "HTTP":
            resources += graph_http.http_api_resources(
                self.config, graph_http.routes_of(self.app), self.named
            )
        elif self.app.has_routes:
            resources.append(self._rest_api())
        if self.app.websocket_handlers:
            resources.append(self._websocket_api())
        resources += graph_http.function_urls(list(self._functions.values()), self.config)
        return models.Application(stage=self.stage, resources=tuple(resources))

    def _event(self, source: snap.EventSourceSpec, fn: models.LambdaFunction) -> models.Resource:
        # Each event source type builds its own model (its module's graph hook).
        hook = graph_hook_for(source)
        if hook is None:
            raise TypeError(f"unknown event source: {source!r}")
        built: models.Resource = hook.build(source, fn, f"{self.app_name}-{self.stage}")
        return built

    def _rest_api(self) -> models.RestAPI:
        cfg = self.config.scope(API_HANDLER)
        handler = self.named(API_HANDLER)
        authorizers = tuple(self.named(a.name) for a in self.app.builtin_authorizers)
        endpoint_type = cfg.api_gateway_endpoint_type
        vpce_ids = cfg.api_gateway_endpoint_vpce
        policy: models.IAMPolicy | models.FileBasedIAMPolicy | None = None
        if cfg.api_gateway_policy_file is not None:
            policy = models.FileBasedIAMPolicy(filename=cfg.api_gateway_policy_file)
        elif endpoint_type == "PRIVATE" and vpce_ids:
            policy = models.IAMPolicy(document=private_endpoint_policy(vpce_ids))
        compression = cfg.minimum_compression_size
        return models.RestAPI(
            resource_name="rest_api",
            swagger_doc=None,
            minimum_compression="" if compression is None else str(compression),
            api_gateway_stage=cfg.api_gateway_stage,
            endpoint_type=endpoint_type,
            lambda_function=handler,
            xray=cfg.xray,
            policy=policy,
            authorizers=authorizers,
            domain_name=self._domain(
                cfg.api_gateway_custom_domain,
                resource_name="api_gateway_custom_domain",
                protocol=models.APIType.HTTP,
                endpoint_type=endpoint_type,
            ),
            vpce_ids=vpce_ids,
            title=self.app.app_name,
            binary_types=self.app.api.binary_types,
            routes=self.app.routes,
        )

    def _websocket_api(self) -> models.WebsocketAPI:
        functions: dict[str, models.LambdaFunction | None] = {}
        for key, resource_name in WEBSOCKET_FUNCTIONS.items():
            handler = self.app.websocket_handler(key)
            functions[key] = None if handler is None else self.named(resource_name)
        return models.WebsocketAPI(
            resource_name="websocket_api",
            name=f"{self.app_name}-{self.stage}-websocket-api",
            api_gateway_stage=self.config.api_gateway_stage,
            routes=tuple(h.route_key for h in self.app.websocket_handlers),
            connect_function=functions["$connect"],
            message_function=functions["$default"],
            disconnect_function=functions["$disconnect"],
            domain_name=self._domain(
                self.config.websocket_api_custom_domain,
                resource_name="websocket_api_custom_domain",
                protocol=models.APIType.WEBSOCKET,
                endpoint_type="REGIONAL",
            ),
        )

    def _domain(
        self,
        domain: dict[str, Any] | None,
        *,
        resource_name: str,
        protocol: models.APIType,
        endpoint_type: str,
    ) -> models.DomainName | None:
        if domain is None:
            return None
        tags = domain.get("tags")
        return models.DomainName(
            resource_name=resource_name,
            domain_name=domain["domain_name"],
            protocol=protocol,
            certificate_arn=domain["certificate_arn"],
            api_mapping=models.APIMapping(
                resource_name="api_mapping",
                mount_path=mount_path(domain.get("url_prefix")),
                api_gateway_stage=self.config.api_gateway_stage,
            ),
            tls_version=models.TLSVersion(domain.get("tls_version") or "TLS_1_2"),
            tags=dict(tags) if tags is not None else None,
            endpoint_type=endpoint_type,
        )


def _trust_policy() -> dict[str, Any]:
    copied: dict[str, Any] = json.loads(json.dumps(LAMBDA_TRUST_POLICY))  # fresh per role
    return copied


def _vpc_config(spec: FunctionSpec) -> tuple[tuple[str, ...], tuple[str, ...]]:
    cfg = spec.config
    subnets, groups = cfg.subnet_ids, cfg.security_group_ids
    if bool(subnets) != bool(groups):
        present, missing = (
            ("subnet_ids", "security_group_ids")
            if subnets
            else ("security_group_ids", "subnet_ids")
        )
        raise ValidationError(
            f"Function `{spec.name}` sets {present} but not {missing}; a VPC configuration "
            "needs both.",
            where=f"{cfg.source}, {cfg.where_set(present)}",
            fix=f"Add {missing} next to {present}, or remove {present}.",
        )
    return subnets, groups


def function_specs(app: Chalice | AppSnapshot, config: Config) -> list[FunctionSpec]:
    """Every function the app deploys (name, handler, config scope), in graph order."""
    described = snapshot(app)

    def spec(name: str, handler: str) -> FunctionSpec:
        return FunctionSpec(name=name, handler=handler, config=config.scope(name))

    specs = [spec(f.name, f.handler_string) for f in described.pure_lambdas]
    specs += [spec(e.name, e.handler_string) for e in described.event_sources]
    if described.has_routes:
        specs.append(spec(API_HANDLER, "app.app"))
        specs += [spec(a.name, a.handler_string) for a in described.builtin_authorizers]
    for handler in described.websocket_handlers:
        specs.append(spec(WEBSOCKET_FUNCTIONS[handler.route_key], handler.handler_string))
    return specs


def build_application(app: Chalice | AppSnapshot, config: Config) -> models.Application:
    """The resource models of ``app`` for ``config``'s stage (SPEC §4.3).

    ``app`` is a loaded app or its ``snapshot(app)``; pass the snapshot when
    validation (``validate_app``) already took one, so the app is walked once.
    Raises ``ValidationError`` for settings that cannot be modelled (a VPC
    with only subnets or only security groups, ``manage_iam_role: false``
    without ``iam_role_arn``).
    """
    return _GraphBuilder(snapshot(app), config).build()
