"""One descriptor per resource type: everything the tooling knows about the type.

A ``ResourceDescriptor`` joins, for one ``resource_type`` of the state file,
the model class(es) the graph builds, the typed state record, the delete
tier, the planner, the SAM and Terraform emitters, the IAM statement the
roles of its functions need, the runtime decorators that declare it and its
line in the ``Resources deployed:`` report. Every engine table is a lookup
here (``descriptor_for``, ``descriptor_of_type``, ``DELETE_TIERS``), and
``tests/deploy/test_descriptors.py`` fails if any part is missing for any
model type, so adding a type cannot silently drop it from a template, a
policy or a delete. ``docs/architecture.rst`` walks through adding one.

The records, planners and emitters are referenced through zero-argument callables
that import their module on first use: a cached ``chalice package`` must not
load the planners (hashlib, the AWS wrappers) nor the Terraform generator
(``tests/package/test_startup_imports.py``), and ``chalice.deploy`` must not
import ``chalice.package`` at start-up (the package imports the deploy
side). The references are still checked by mypy: the modules are imported
for real under ``TYPE_CHECKING``.

This module holds data and lookups only: it never calls AWS, and importing it
imports nothing beyond the models (not even the records).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from chalice.deploy import models
from chalice.deploy.resources import eventsources, iam, lambdas, logs, rules, s3, sns
from chalice.deploy.typekit import DeleteTier, GraphHook, ResourceDescriptor

if TYPE_CHECKING:
    from chalice.deploy import records
    from chalice.deploy.resources import (
        apigateway,
        domain,
        function_url,
        httpapi,
        websocket,
    )
    from chalice.package import (
        sam,
        sam_apis,
        sam_httpapi,
        terraform,
        terraform_apis,
        terraform_httpapi,
    )
else:

    class _LazyModule:
        """A module imported on first attribute access (see the module docstring)."""

        def __init__(self, name: str) -> None:
            self._name = name

        def __getattr__(self, attr: str) -> Any:
            return getattr(importlib.import_module(self._name), attr)

    records = _LazyModule("chalice.deploy.records")
    apigateway = _LazyModule("chalice.deploy.resources.apigateway")
    domain = _LazyModule("chalice.deploy.resources.domain")
    function_url = _LazyModule("chalice.deploy.resources.function_url")
    httpapi = _LazyModule("chalice.deploy.resources.httpapi")
    websocket = _LazyModule("chalice.deploy.resources.websocket")
    sam = _LazyModule("chalice.package.sam")
    sam_apis = _LazyModule("chalice.package.sam_apis")
    terraform = _LazyModule("chalice.package.terraform")
    terraform_apis = _LazyModule("chalice.package.terraform_apis")
    sam_httpapi = _LazyModule("chalice.package.sam_httpapi")
    terraform_httpapi = _LazyModule("chalice.package.terraform_httpapi")


def _domain_report(r: records.DomainNameRecord) -> list[str]:
    return [
        "  - Custom domain name:",
        f"      HostedZoneId: {r.hosted_zone_id}",
        f"      AliasDomainName: {r.alias_domain_name}",
    ]


def _rest_api_report(r: records.RestAPIRecord) -> list[str]:
    return [f"  - Rest API URL: {r.rest_api_url}"]


def _websocket_api_report(r: records.WebsocketAPIRecord) -> list[str]:
    return [f"  - Websocket API URL: {r.websocket_api_url}"]


def _http_api_report(r: records.HttpAPIRecord) -> list[str]:
    return [f"  - HTTP API URL: {r.http_api_url}"]


def _function_url_report(r: records.FunctionUrlRecord) -> list[str]:
    return [f"  - Function URL ({r.function_name}): {r.function_url}"]


# The records are quoted in the type arguments so that building this table
# does not import ``records.py`` (only the deploy report and tests need it).
# Order matters in one way only: the ``Resources deployed:`` report lists the
# reported types in this order (layers, functions, domains, REST, websocket, HTTP API,
# function URLs).
DESCRIPTORS: tuple[ResourceDescriptor[Any, Any], ...] = (
    iam.DESCRIPTOR,
    logs.DESCRIPTOR,
    *lambdas.DESCRIPTORS,
    ResourceDescriptor[models.DomainName, "records.DomainNameRecord"](
        resource_type=models.ResourceType.DOMAIN_NAME,
        model_classes=(models.DomainName,),
        record=lambda: records.DomainNameRecord,
        delete_tier=DeleteTier.SUBSCRIPTIONS,
        planner=lambda: domain.DomainPlanner(),
        # Emitted by its API (the mapping names the API and its stage).
        sam=lambda: sam.emit_with_owner,
        terraform=lambda: terraform.emit_with_owner,
        graph=None,
        role_statement=None,
        decorators=(),
        report=_domain_report,
    ),
    ResourceDescriptor[models.RestAPI, "records.RestAPIRecord"](
        resource_type=models.ResourceType.REST_API,
        model_classes=(models.RestAPI,),
        record=lambda: records.RestAPIRecord,
        delete_tier=DeleteTier.APIS,
        planner=lambda: apigateway.RestAPIPlanner(),
        sam=lambda: sam_apis.emit_rest_api,
        terraform=lambda: terraform_apis.emit_rest_api,
        graph=None,
        role_statement=None,
        decorators=("route", "authorizer"),
        report=_rest_api_report,
    ),
    ResourceDescriptor[models.WebsocketAPI, "records.WebsocketAPIRecord"](
        resource_type=models.ResourceType.WEBSOCKET_API,
        model_classes=(models.WebsocketAPI,),
        record=lambda: records.WebsocketAPIRecord,
        delete_tier=DeleteTier.APIS,
        planner=lambda: websocket.WebsocketPlanner(),
        sam=lambda: sam_apis.emit_websocket_api,
        terraform=lambda: terraform_apis.emit_websocket_api,
        graph=None,
        role_statement="websocket",
        decorators=("on_ws_connect", "on_ws_message", "on_ws_disconnect"),
        report=_websocket_api_report,
    ),
    ResourceDescriptor[models.HttpApi, "records.HttpAPIRecord"](
        resource_type=models.ResourceType.HTTP_API,
        model_classes=(models.HttpApi,),
        record=lambda: records.HttpAPIRecord,
        delete_tier=DeleteTier.APIS,
        planner=lambda: httpapi.HttpApiPlanner(),
        sam=lambda: sam_httpapi.emit_http_api,
        terraform=lambda: terraform_httpapi.emit_http_api,
        graph=None,
        role_statement=None,
        # ``route``/``authorizer`` are claimed by rest_api: the stage's
        # ``api_gateway_type`` picks which of the two the graph builds.
        decorators=(),
        report=_http_api_report,
    ),
    ResourceDescriptor[models.FunctionUrl, "records.FunctionUrlRecord"](
        resource_type=models.ResourceType.FUNCTION_URL,
        model_classes=(models.FunctionUrl,),
        record=lambda: records.FunctionUrlRecord,
        delete_tier=DeleteTier.SUBSCRIPTIONS,
        planner=lambda: function_url.FunctionUrlPlanner(),
        sam=lambda: sam_httpapi.emit_function_url,
        terraform=lambda: terraform_httpapi.emit_function_url,
        graph=None,
        role_statement=None,
        decorators=(),  # a config key (``function_url``), not a decorator
        report=_function_url_report,
    ),
    rules.DESCRIPTOR,
    s3.DESCRIPTOR,
    sns.DESCRIPTOR,
    *eventsources.DESCRIPTORS,
)

_BY_MODEL: Mapping[type[Any], ResourceDescriptor[Any, Any]] = {
    cls: d for d in DESCRIPTORS for cls in d.model_classes
}
_BY_TYPE: Mapping[str, ResourceDescriptor[Any, Any]] = {
    d.resource_type.value: d for d in DESCRIPTORS
}

# ``resource_type`` -> tier, for ordering the deletions of recorded entries.
DELETE_TIERS: Mapping[str, int] = {t: int(d.delete_tier) for t, d in _BY_TYPE.items()}


def descriptor_for(model: object) -> ResourceDescriptor[Any, Any]:
    """The descriptor of a recorded model instance (exact class lookup).

    Raises ``TypeError`` for a class with no descriptor: a new model type
    must be registered in ``DESCRIPTORS`` (the descriptor test says so too).
    """
    try:
        return _BY_MODEL[type(model)]
    except KeyError:
        raise TypeError(
            f"no resource descriptor for {type(model).__name__}: add one to "
            "chalice.deploy.descriptors.DESCRIPTORS (see docs/architecture.rst)"
        ) from None


def descriptor_of_type(resource_type: str) -> ResourceDescriptor[Any, Any] | None:
    """The descriptor of a state file ``resource_type`` (None if unknown)."""
    return _BY_TYPE.get(resource_type)


_BY_SPEC: Mapping[type[Any], GraphHook[Any]] = {
    spec: d.graph for d in DESCRIPTORS if d.graph is not None for spec in d.graph.specs
}


def graph_hook_for(spec: object) -> GraphHook[Any] | None:
    """The graph hook building the model of an event source spec of the app snapshot."""
    return _BY_SPEC.get(type(spec))


def record_of(entry: Mapping[str, Any]) -> records.StateRecord | None:
    """The typed record of a state entry (None for an unknown ``resource_type``)."""
    descriptor = _BY_TYPE.get(str(entry.get("resource_type")))
    return None if descriptor is None else descriptor.record().from_entry(entry)


__all__ = [
    "DELETE_TIERS",
    "DESCRIPTORS",
    "DeleteTier",
    "ResourceDescriptor",
    "descriptor_for",
    "descriptor_of_type",
    "graph_hook_for",
    "record_of",
]
