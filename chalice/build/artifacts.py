"""The build stage: fill a resource graph's placeholders with local artifacts.

``build_application_artifacts`` takes the ``models.Application`` from
``graph.build_application`` and returns a new one (models are frozen) where

* every ``LambdaFunction`` carries the deployment package (one zip shared by
  all functions) and the managed layer carries its zip, or is dropped from
  every function when there is nothing to put in it;
* every managed role has its policy document: for autogen roles the
  analyzer's statements plus CloudWatch Logs, VPC and X-Ray as the role's
  functions need, plus the polling statements of the SQS, Kinesis and
  DynamoDB sources and the websocket ``ManageConnections`` statement of the
  functions using the role; for file policies the file's contents;
* the REST API has its resource policy loaded and its Swagger document,
  written from the model's own routes (the app itself is never read).

Collaborators are passed in (the packager; ``PolicyTools`` and the swagger
generator default to ``policy.py`` and ``swagger.py``), so tests inject fakes.
This module orchestrates only: it never calls AWS and does no I/O itself
beyond what its collaborators do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol, TypeVar

import attrs

from chalice.build.swagger import SwaggerStyle
from chalice.config import Config
from chalice.deploy import models

PolicyDocument = dict[str, Any]
Report = Callable[[str], None]
_R = TypeVar("_R")


class BuiltArtifacts(Protocol):
    """What ``Packager.build`` returns (``packager.BuiltPackages``)."""

    @property
    def function(self) -> models.DeploymentPackage: ...

    @property
    def layer(self) -> models.DeploymentPackage | None: ...


class PackageBuilder(Protocol):
    """The packager's interface as the build stage uses it."""

    def build(
        self,
        project_dir: Path,
        *,
        runtime: str,
        architecture: str,
        automatic_layer: bool,
        precompile_bytecode: bool = True,
    ) -> BuiltArtifacts: ...


class AppPolicy(Protocol):
    def __call__(
        self, project_dir: Path, *, vpc: bool, xray: bool, warn: Report | None = None
    ) -> PolicyDocument: ...


class SwaggerGenerator(Protocol):
    """Writes the REST API document of a ``RestAPI`` model (its routes, policy...)."""

    def __call__(self, rest_api: models.RestAPI, *, style: SwaggerStyle) -> PolicyDocument: ...


@attrs.frozen
class PolicyTools:
    """The IAM policy helpers the build needs (``chalice.build.policy`` by default)."""

    app_policy: AppPolicy
    load_policy_file: Callable[[Path], PolicyDocument]
    add_statements: Callable[[Mapping[str, Any], Iterable[Mapping[str, Any]]], PolicyDocument]
    # Keyed by the descriptors' ``role_statement``; appended in this order.
    statements: Mapping[str, Mapping[str, Any]]


def default_policy_tools() -> PolicyTools:
    """``PolicyTools`` backed by ``chalice.build.policy``."""
    from chalice.build import policy

    return PolicyTools(
        app_policy=policy.app_policy,
        load_policy_file=policy.load_policy_file,
        add_statements=policy.add_statements,
        statements=policy.EVENT_SOURCE_STATEMENTS,
    )


def _default_swagger() -> SwaggerGenerator:
    from chalice.build.swagger import rest_api_document

    return rest_api_document


@attrs.define
class _RoleNeeds:
    """What the functions using one autogen role need in its policy."""

    vpc: bool = False
    xray: bool = False
    kinds: set[str] = attrs.field(factory=set)


def _role_of(fn: models.LambdaFunction) -> str | None:
    role = fn.role
    if isinstance(role, models.ManagedIAMRole) and isinstance(role.policy, models.AutoGenIAMPolicy):
        return role.resource_name
    return None


def role_needs(application: models.Application) -> dict[str, _RoleNeeds]:
    """Per autogen role (by resource name): VPC, X-Ray, event-source/websocket statements.

    A resource whose descriptor names a ``role_statement`` adds it to the
    role of each function it invokes.
    """
    from chalice.deploy.descriptors import descriptor_for

    needs: dict[str, _RoleNeeds] = {}

    def need(fn: models.LambdaFunction | None) -> _RoleNeeds | None:
        name = None if fn is None else _role_of(fn)
        return None if name is None else needs.setdefault(name, _RoleNeeds())

    for res in models.dependency_order(application):
        if isinstance(res, models.LambdaFunction) and (n := need(res)) is not None:
            role = res.role
            assert isinstance(role, models.ManagedIAMRole)
            traits: frozenset[models.RoleTraits] = getattr(role.policy, "traits", frozenset())
            n.vpc |= bool(res.subnet_ids) or models.RoleTraits.VPC_NEEDED in traits
            n.xray |= res.xray
        statement = descriptor_for(res).role_statement
        if statement is None:
            continue
        for dep in res.dependencies():
            if isinstance(dep, models.LambdaFunction) and (n := need(dep)) is not None:
                n.kinds.add(statement)
    return needs


class _Rebuilder:
    """Evolves the graph bottom-up; a memo keeps shared resources shared."""

    def __init__(
        self,
        *,
        config: Config,
        packages: BuiltArtifacts | None,
        policies: PolicyTools,
        swagger: SwaggerGenerator,
        style: SwaggerStyle,
        needs: dict[str, _RoleNeeds],
        out: Report,
    ) -> None:
        self.config = config
        self.packages = packages
        self.policies = policies
        self.swagger = swagger
        self.style = style
        self.needs = needs
        self.out = out
        self._memo: dict[tuple[str, str], Any] = {}
        self._app_policies: dict[tuple[bool, bool], PolicyDocument] = {}

    def _once(self, res: Any, make: Callable[[], _R]) -> _R:
        key = (type(res).__name__, res.resource_name)
        if key not in self._memo:
            self._memo[key] = make()
        result: _R = self._memo[key]
        return result

    def resource(self, res: models.Resource) -> models.Resource:
        if isinstance(res, models.LambdaFunction):
            return self.function(res)
        if isinstance(res, models.RestAPI):
            return self._once(res, lambda: self._rest_api(res))
        if isinstance(res, models.WebsocketAPI):
            return self._once(res, lambda: self._websocket_api(res))
        if isinstance(res, models.ManagedIAMRole):
            return self.role(res)
        fn = getattr(res, "lambda_function", None)
        if isinstance(fn, models.LambdaFunction):
            # Every event resource: only its function reference changes.
            event: Any = res
            rebuilt: models.Resource = self._once(
                res, lambda: attrs.evolve(event, lambda_function=self.function(fn))
            )
            return rebuilt
        return res

    # -- functions and their dependencies ----------------------------------------

    def function(self, fn: models.LambdaFunction) -> models.LambdaFunction:
        return self._once(fn, lambda: self._function(fn))

    def _function(self, fn: models.LambdaFunction) -> models.LambdaFunction:
        package = self.packages.function if self.packages else fn.deployment_package
        layer = fn.managed_layer
        if layer is not None:
            layer = self._layer(layer)
        role = self.role(fn.role) if isinstance(fn.role, models.ManagedIAMRole) else fn.role
        return attrs.evolve(fn, deployment_package=package, managed_layer=layer, role=role)

    def _layer(self, layer: models.LambdaLayer) -> models.LambdaLayer | None:
        if self.packages is None:
            return layer
        built = self.packages.layer
        if built is None:
            return None  # nothing to put in the layer: drop it
        return self._once(layer, lambda: attrs.evolve(layer, deployment_package=built))

    def role(self, role: models.ManagedIAMRole) -> models.ManagedIAMRole:
        return self._once(role, lambda: attrs.evolve(role, policy=self._policy(role)))

    def _policy(
        self, role: models.ManagedIAMRole
    ) -> models.AutoGenIAMPolicy | models.FileBasedIAMPolicy:
        policy = role.policy
        if isinstance(policy, models.FileBasedIAMPolicy):
            return attrs.evolve(policy, document=self._policy_file(policy.filename))
        needs = self.needs.get(role.resource_name, _RoleNeeds())
        base = self._app_policy(vpc=needs.vpc, xray=needs.xray)
        unknown = needs.kinds - self.policies.statements.keys()
        if unknown:
            # A descriptor names a statement policy.py does not define: a bug
            # (the descriptor test checks it), never something users can fix.
            raise RuntimeError(f"no IAM statement defined for {sorted(unknown)}")
        # In the statements' own order, so documents are stable.
        extra = [s for k, s in self.policies.statements.items() if k in needs.kinds]
        return attrs.evolve(policy, document=self.policies.add_statements(base, extra))

    def _app_policy(self, *, vpc: bool, xray: bool) -> PolicyDocument:
        # The analysis reads every source file: do it once per variant.
        key = (vpc, xray)
        if key not in self._app_policies:
            self._app_policies[key] = self.policies.app_policy(
                self.config.project_dir, vpc=vpc, xray=xray, warn=self.out
            )
        return self._app_policies[key]

    def _policy_file(self, filename: str) -> PolicyDocument:
        return self.policies.load_policy_file(self.config.project_dir / ".chalice" / filename)

    # -- APIs ----------------------------------------------------------------------

    def _rest_api(self, api: models.RestAPI) -> models.RestAPI:
        policy = api.policy
        if isinstance(policy, models.FileBasedIAMPolicy):
            policy = attrs.evolve(policy, document=self._policy_file(policy.filename))
        built = attrs.evolve(
            api,
            lambda_function=self.function(api.lambda_function),
            authorizers=tuple(self.function(a) for a in api.authorizers),
            policy=policy,
        )
        doc = self.swagger(built, style=self.style)
        return attrs.evolve(built, swagger_doc=doc)

    def _websocket_api(self, api: models.WebsocketAPI) -> models.WebsocketAPI:
        def maybe(fn: models.LambdaFunction | None) -> models.LambdaFunction | None:
            return None if fn is None else self.function(fn)

        return attrs.evolve(
            api,
            connect_function=maybe(api.connect_function),
            message_function=maybe(api.message_function),
            disconnect_function=maybe(api.disconnect_function),
        )


def build_application_artifacts(
    application: models.Application,
    *,
    app: object = None,
    config: Config,
    packager: PackageBuilder,
    swagger: SwaggerStyle = SwaggerStyle.DEPLOY,
    out: Report | None = None,
    policies: PolicyTools | None = None,
    swagger_generator: SwaggerGenerator | None = None,
) -> models.Application:
    """A copy of ``application`` with packages, policy documents and swagger filled in.

    ``swagger`` selects the integration URI style of the REST API document
    (``DEPLOY`` for ``chalice deploy``, CloudFormation/Terraform for
    ``chalice package``); the document is written from the ``RestAPI``
    model's routes, so ``app`` is no longer read (still accepted, so callers
    written before the snapshot keep working). ``out`` receives progress and
    warning lines.
    """
    report: Report = out if out is not None else (lambda _line: None)
    has_functions = any(
        isinstance(r, models.LambdaFunction) for r in models.dependency_order(application)
    )
    packages = None
    if has_functions:
        packages = packager.build(
            Path(config.project_dir),
            runtime=config.lambda_python_version,
            architecture=config.lambda_architecture,
            automatic_layer=config.automatic_layer,
            precompile_bytecode=config.precompile_bytecode,
        )
    rebuilder = _Rebuilder(
        config=config,
        packages=packages,
        policies=policies or default_policy_tools(),
        swagger=swagger_generator or _default_swagger(),
        style=swagger,
        needs=role_needs(application),
        out=report,
    )
    return models.Application(
        stage=application.stage,
        resources=tuple(rebuilder.resource(r) for r in application.resources),
    )
