"""The registry of resource types: one descriptor per type, and the engine's lookups.

A resource type is one module of ``chalice/deploy/resources/`` (its model,
typed state record, planner, graph hook, report line and ``DESCRIPTOR``, a
``typekit.ResourceDescriptor``) plus its SAM and Terraform emitters in
``chalice/package/``. ``TYPE_MODULES`` below registers the modules, in one
line each; ``DESCRIPTORS`` is what they declare (``DESCRIPTOR``, or
``DESCRIPTORS`` for a family sharing a module). Every engine table is a
lookup here (``descriptor_for``, ``descriptor_of_type``, ``graph_hook_for``,
``DELETE_TIERS``, ``record_of``), and ``tests/deploy/test_descriptors.py``
fails if a type module is not registered or any part of a type is missing,
so adding a type cannot silently drop it from a template, a policy or a
delete. ``docs/architecture.rst`` walks through adding one.

The emitters are referenced through zero-argument callables that import
their module on first use (``chalice/deploy/emitters.py``): a cached
``chalice package`` must not load the Terraform generator
(``tests/package/test_startup_imports.py``), and ``chalice.deploy`` must not
import ``chalice.package`` at start-up (the package imports the deploy side).

This module holds data and lookups only: it never calls AWS.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any

from chalice.deploy.resources import (
    apigateway,
    domain,
    eventsources,
    function_url,
    httpapi,
    iam,
    lambdas,
    logs,
    rules,
    s3,
    sns,
    websocket,
)
from chalice.deploy.typekit import DeleteTier, GraphHook, ResourceDescriptor, StateRecord

# The registration: every type module, once. Order matters in one way only:
# the ``Resources deployed:`` report lists the reported types in this order
# (layers, functions, domains, REST, websocket, HTTP API, function URLs).
TYPE_MODULES: tuple[ModuleType, ...] = (
    iam,
    logs,
    lambdas,
    domain,
    apigateway,
    websocket,
    httpapi,
    function_url,
    rules,
    s3,
    sns,
    eventsources,
)


def declared_by(module: ModuleType) -> tuple[ResourceDescriptor[Any, Any], ...]:
    """The descriptors a type module declares (``DESCRIPTOR`` or ``DESCRIPTORS``)."""
    one = getattr(module, "DESCRIPTOR", None)
    many: tuple[ResourceDescriptor[Any, Any], ...] = getattr(module, "DESCRIPTORS", ())
    return (one, *many) if one is not None else many


DESCRIPTORS: tuple[ResourceDescriptor[Any, Any], ...] = tuple(
    d for module in TYPE_MODULES for d in declared_by(module)
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
            f"no resource descriptor for {type(model).__name__}: give its type module a "
            "DESCRIPTOR and register the module in chalice.deploy.descriptors.TYPE_MODULES "
            "(see docs/architecture.rst)"
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


def record_of(entry: Mapping[str, Any]) -> StateRecord | None:
    """The typed record of a state entry (None for an unknown ``resource_type``)."""
    descriptor = _BY_TYPE.get(str(entry.get("resource_type")))
    return None if descriptor is None else descriptor.record().from_entry(entry)


__all__ = [
    "DELETE_TIERS",
    "DESCRIPTORS",
    "TYPE_MODULES",
    "DeleteTier",
    "GraphHook",
    "ResourceDescriptor",
    "descriptor_for",
    "declared_by",
    "descriptor_of_type",
    "graph_hook_for",
    "record_of",
]
