"""Frozen resource models: the data that flows through the deploy pipeline.

The graph builder (``graph.py``) turns an app and its config into these; the
build stage (``build.py``) returns copies (``attrs.evolve``) with the
artifacts filled in (zip paths and hashes, policy documents, the swagger
document); the planners, ``chalice package`` and ``chalice plan`` only read
them. Models hold data and list their dependencies; they never call AWS or
touch the disk.

``resource_name`` is the stable key of a resource in
``.chalice/deployed/<stage>.json`` (upstream's naming rules, SPEC §4.3), and
``resource_type`` is the value recorded there.

Each model class lives in its type's module (``chalice/deploy/resources/
<type>.py``, next to its record, planner and descriptor) and the shared
enums and artifacts in ``typekit.py``; this module re-exports them all under
one name (``models.LambdaFunction``) and holds what spans every type: the
``Resource`` protocol every model satisfies, ``Application`` and
``dependency_order``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import attrs

from chalice.deploy.resources.apigateway import RestAPI
from chalice.deploy.resources.domain import APIMapping, DomainName
from chalice.deploy.resources.eventsources import (
    DynamoDBEventSource,
    KinesisEventSource,
    SQSEventSource,
)
from chalice.deploy.resources.function_url import FunctionUrl
from chalice.deploy.resources.httpapi_models import (
    DEFAULT_HTTP_ACCESS_LOG_FORMAT,
    CorsSettings,
    HttpApi,
    HttpApiAuthorizer,
    HttpApiRoute,
    HttpAuthorizerKind,
    HttpStageSettings,
    cors_view,
)
from chalice.deploy.resources.iam import ManagedIAMRole, PreCreatedIAMRole, Role
from chalice.deploy.resources.lambdas import LambdaFunction, LambdaLayer
from chalice.deploy.resources.logs import LogGroup
from chalice.deploy.resources.rules import CloudWatchEvent, ScheduledEvent
from chalice.deploy.resources.s3 import S3BucketNotification
from chalice.deploy.resources.sns import SNSLambdaSubscription
from chalice.deploy.resources.websocket import WebsocketAPI
from chalice.deploy.typekit import (
    APIType,
    AutoGenIAMPolicy,
    DeploymentPackage,
    FileBasedIAMPolicy,
    IAMPolicy,
    ResourceType,
    RoleTraits,
    TLSVersion,
)


class Resource(Protocol):
    """What every model is: a named resource of one ``resource_type`` that
    lists the resources it needs. A structural type, so a new model class
    needs no edit here (``tests/deploy/test_descriptors.py`` checks every
    model class has a descriptor)."""

    @property
    def resource_name(self) -> str: ...

    @property
    def resource_type(self) -> ResourceType: ...

    def dependencies(self) -> Sequence[Resource]: ...


# Resources that get an entry in the state file: every model but
# PreCreatedIAMRole and APIMapping (a mapping is recorded inside its
# DomainName entry); ``dependency_order`` leaves those two out.
RecordedResource = Resource


@attrs.frozen
class Application:
    """Everything one stage of an app wants to exist, in upstream's order (SPEC §4.3)."""

    stage: str
    resources: tuple[Resource, ...]


def dependency_order(app: Application) -> list[RecordedResource]:
    """Every recorded resource reachable from ``app``, dependencies first.

    Post-order depth-first walk over ``app.resources`` in their given order,
    each resource listed once (by ``resource_name``), so the result is stable
    for a given app: ``[role, function, rule]`` for a scheduled function.
    """
    seen: set[str] = set()
    out: list[RecordedResource] = []

    def visit(res: Resource) -> None:
        for dep in res.dependencies():
            visit(dep)
        if isinstance(res, (PreCreatedIAMRole, APIMapping)):
            return
        if res.resource_name in seen:
            return
        seen.add(res.resource_name)
        out.append(res)

    for r in app.resources:
        visit(r)
    return out


__all__ = [
    "DEFAULT_HTTP_ACCESS_LOG_FORMAT",
    "APIMapping",
    "APIType",
    "Application",
    "AutoGenIAMPolicy",
    "CloudWatchEvent",
    "CorsSettings",
    "DeploymentPackage",
    "DomainName",
    "DynamoDBEventSource",
    "FileBasedIAMPolicy",
    "FunctionUrl",
    "HttpApi",
    "HttpApiAuthorizer",
    "HttpApiRoute",
    "HttpAuthorizerKind",
    "HttpStageSettings",
    "IAMPolicy",
    "KinesisEventSource",
    "LambdaFunction",
    "LambdaLayer",
    "LogGroup",
    "ManagedIAMRole",
    "PreCreatedIAMRole",
    "RecordedResource",
    "Resource",
    "ResourceType",
    "RestAPI",
    "Role",
    "RoleTraits",
    "S3BucketNotification",
    "SNSLambdaSubscription",
    "SQSEventSource",
    "ScheduledEvent",
    "TLSVersion",
    "WebsocketAPI",
    "cors_view",
    "dependency_order",
]
