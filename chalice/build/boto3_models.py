"""boto3 resource models and botocore waiter models, read as data for the analyzer.

``boto3.resource('dynamodb').Table('t').put_item(...)`` runs the ``PutItem``
operation; which operation a resource method runs is described by the JSON
models boto3 ships (``boto3/data/<service>/<version>/resources-1.json``). We
read those files directly (boto3 is found, not imported) so analysis never
executes anything. When boto3 is not installed the lookups return None and
the analyzer falls back to treating method names as operation names.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

from botocore import xform_name


def _boto3_data_dir() -> Path | None:
    spec = importlib.util.find_spec("boto3")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "data"
        if candidate.is_dir():
            return candidate
    return None


class ResourceModels:
    """Answers "what does method M of resource type T of service S do?"."""

    def __init__(self, data_dir: Path | None = None, *, find: bool = True) -> None:
        self._data_dir = data_dir if data_dir is not None or not find else _boto3_data_dir()
        self._cache: dict[str, dict[str, Any] | None] = {}
        self._waiters: dict[tuple[str, str], str | None] = {}
        self._session: Any = None

    def _model(self, service: str) -> dict[str, Any] | None:
        if service in self._cache:
            return self._cache[service]
        model: dict[str, Any] | None = None
        if self._data_dir is not None and (self._data_dir / service).is_dir():
            versions = sorted(p for p in (self._data_dir / service).iterdir() if p.is_dir())
            for version in reversed(versions):
                path = version / "resources-1.json"
                if path.is_file():
                    model = json.loads(path.read_text(encoding="utf-8"))
                    break
        self._cache[service] = model
        return model

    def waiter_operation(self, service: str, waiter: str) -> str | None:
        """The client method a waiter polls (``table_exists`` -> ``describe_table``)."""
        key = (service, xform_name(waiter))
        if key not in self._waiters:
            self._waiters[key] = self._find_waiter_operation(service, key[1])
        return self._waiters[key]

    def _find_waiter_operation(self, service: str, waiter: str) -> str | None:
        from botocore.exceptions import DataNotFoundError, UnknownServiceError

        if self._session is None:
            import botocore.session

            self._session = botocore.session.get_session()
        try:
            model = self._session.get_waiter_model(service)
        except (DataNotFoundError, UnknownServiceError):
            return None
        for name in model.waiter_names:
            if xform_name(name) == waiter:
                return str(xform_name(model.get_waiter(name).operation))
        return None

    def definition(self, service: str, rtype: str | None) -> dict[str, Any] | None:
        """The model of resource ``rtype`` (None: the service resource)."""
        model = self._model(service)
        if model is None:
            return None
        if rtype is None:
            return dict(model.get("service", {}))
        found = model.get("resources", {}).get(rtype)
        return dict(found) if found is not None else None


def find_named(entries: dict[str, Any], method: str) -> dict[str, Any] | None:
    """The entry of ``entries`` whose boto3 method name (snake_case) is ``method``."""
    for name, entry in entries.items():
        if xform_name(name) == method:
            return dict(entry)
    return None


def operation_method(entry: dict[str, Any]) -> str | None:
    """The client method name of the operation an action/collection/load runs."""
    op = entry.get("request", {}).get("operation")
    return xform_name(op) if op else None
