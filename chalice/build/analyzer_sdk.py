"""How boto3 and botocore objects behave, for the analyzer (``analyzer.py``).

Given an abstract SDK value (the boto3 module, a session, a client, a
resource, a collection...), this says what reading an attribute or calling it
gives, and records the API operations a call runs: client methods directly,
resource actions, collections, waiters and loads through boto3's resource
models and botocore's waiter models (``boto3_models.py``). It never
imports or runs the user's code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from chalice.build.analyzer_values import (
    Boto3Module,
    Client,
    ClientMethod,
    Collection,
    CollectionMethod,
    Factory,
    Resource,
    ResourceMeta,
    ResourceMethod,
    Session,
    Str,
    join,
    options,
)
from chalice.build.boto3_models import ResourceModels, find_named, operation_method

# Methods boto3 adds to resources at run time (not in the resource models).
_INJECTED_RESOURCE_METHODS: Mapping[tuple[str, str], str] = {
    ("dynamodb", "batch_writer"): "batch_write_item",
}
_S3_TRANSFER = frozenset(
    {"upload_file", "upload_fileobj", "download_file", "download_fileobj", "copy"}
)
_COLLECTION_CHAIN = frozenset({"all", "filter", "limit", "page_size"})

# Values whose attributes and calls this module answers for.
SDK_VALUES = (Boto3Module, Session, Client, Resource, ResourceMeta, Collection)
SDK_CALLABLES = (Factory, ClientMethod, ResourceMethod, CollectionMethod)


class SdkSemantics:
    """Attribute and call semantics of SDK values; calls are reported to ``record``."""

    def __init__(self, resources: ResourceModels, record: Callable[[str, str], None]) -> None:
        self.resources = resources
        self.record = record

    def attribute(self, base: Any, name: str, called: bool) -> Any:
        """What ``base.name`` is (``called``: it is immediately called)."""
        if isinstance(base, Boto3Module):
            if base.sub == "" and name in ("client", "resource"):
                return Factory(name)
            if name == "Session" and base.sub in ("", "session", "botocore.session"):
                return Factory("session")
            if name == "get_session" and base.sub == "botocore.session":
                return Factory("session")
            if name == "session" and base.sub in ("", "botocore"):
                return Boto3Module(f"{base.sub}.session".lstrip("."))
            return None
        if isinstance(base, Session):
            if name in ("client", "create_client"):
                return Factory("client")
            return Factory("resource") if name == "resource" else None
        if isinstance(base, Client):
            if name in ("meta", "exceptions"):
                return None
            return ClientMethod(base.service, name)
        if isinstance(base, Resource):
            return self.resource_attribute(base, name, called)
        if isinstance(base, ResourceMeta):
            return Client(base.service) if name == "client" else None
        if isinstance(base, Collection):
            return CollectionMethod(base, name)
        return None

    def call(self, callee: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """What calling an SDK callable returns; records the operations it runs."""
        if isinstance(callee, Factory):
            return self.call_factory(callee, args, kwargs)
        if isinstance(callee, ClientMethod):
            return self.call_client_method(callee, args, kwargs)
        if isinstance(callee, ResourceMethod):
            return self.call_resource_method(callee)
        if isinstance(callee, CollectionMethod):
            return self.call_collection_method(callee)
        return None

    def call_factory(self, factory: Factory, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if factory.kind == "session":
            return Session()
        name = args[0] if args else kwargs.get("service_name")
        out: list[Any] = []
        for option in options(name):
            if isinstance(option, Str):
                if factory.kind == "client":
                    out.append(Client(option.value))
                else:
                    out.append(Resource(option.value, None))
        return join(*out)

    def call_client_method(
        self, method: ClientMethod, args: list[Any], kwargs: dict[str, Any]
    ) -> Any:
        if method.method in ("get_paginator", "generate_presigned_url"):
            # The operation these run is named by their first argument.
            target = args[0] if args else kwargs.get("operation_name", kwargs.get("ClientMethod"))
            for option in options(target):
                if isinstance(option, Str):
                    self.record(method.service, option.value)
            return None
        if method.method == "get_waiter":
            # A waiter polls one operation, named in botocore's waiter model.
            target = args[0] if args else kwargs.get("waiter_name")
            for option in options(target):
                if isinstance(option, Str):
                    op = self.resources.waiter_operation(method.service, option.value)
                    if op is not None:
                        self.record(method.service, op)
            return None
        self.record(method.service, method.method)
        return None

    def call_resource_method(self, method: ResourceMethod) -> Any:
        res, name = method.resource, method.name
        injected = _INJECTED_RESOURCE_METHODS.get((res.service, name))
        if injected is not None:
            self.record(res.service, injected)
            return None
        if res.service == "s3" and name in _S3_TRANSFER:
            self.record("s3", name)
            return None
        definition = self.resources.definition(res.service, res.rtype)
        if definition is None:
            # No model to consult: ``Table(...)`` builds a sub-resource, and
            # actions are mostly named like their operation (put_item ->
            # PutItem), so record the name.
            if name[:1].isupper():
                return Resource(res.service, name)
            self.record(res.service, name)
            return None
        sub = definition.get("has", {}).get(name)
        if sub is not None:
            return Resource(res.service, sub.get("resource", {}).get("type"))
        if res.rtype is None and self.resources.definition(res.service, name) is not None:
            # The service resource constructs every resource type by name.
            return Resource(res.service, name)
        if name in ("load", "reload"):
            self._record_entry(res.service, definition.get("load"))
            return None
        action = find_named(definition.get("actions", {}), name)
        if action is not None:
            self._record_entry(res.service, action)
            rtype = action.get("resource", {}).get("type")
            return Resource(res.service, rtype) if rtype else None
        waiter = find_named(definition.get("waiters", {}), name.removeprefix("wait_until_"))
        if name.startswith("wait_until_") and waiter is not None:
            op = self.resources.waiter_operation(res.service, waiter.get("waiterName", ""))
            if op is not None:
                self.record(res.service, op)
        return None

    def call_collection_method(self, method: CollectionMethod) -> Any:
        coll = method.collection
        if method.name in _COLLECTION_CHAIN:
            return coll
        item = self.resources.definition(coll.service, coll.rtype) or {}
        self._record_entry(coll.service, find_named(item.get("batchActions", {}), method.name))
        return None

    def _record_entry(self, service: str, entry: dict[str, Any] | None) -> None:
        if entry is not None:
            method = operation_method(entry)
            if method:
                self.record(service, method)

    def resource_attribute(self, res: Resource, name: str, called: bool) -> Any:
        if name == "meta":
            return ResourceMeta(res.service)
        definition = self.resources.definition(res.service, res.rtype)
        if definition is not None:
            many = find_named(definition.get("hasMany", {}), name)
            if many is not None:
                self._record_entry(res.service, many)
                return Collection(res.service, many.get("resource", {}).get("type"))
            if not called and _is_data_attribute(definition, name):
                # Reading a data attribute (``table.item_count``) loads the resource.
                self._record_entry(res.service, definition.get("load"))
                return None
        return ResourceMethod(res, name)


def _is_data_attribute(definition: Mapping[str, Any], name: str) -> bool:
    if "load" not in definition or name[:1].isupper() or name.startswith("wait_until_"):
        return False
    if name in ("load", "reload") or name in definition.get("has", {}):
        return False
    identifiers = {_snake(i.get("name", "")) for i in definition.get("identifiers", [])}
    if name in identifiers:
        return False
    return find_named(definition.get("actions", {}), name) is None


def _snake(name: str) -> str:
    from botocore import xform_name

    return str(xform_name(name))
