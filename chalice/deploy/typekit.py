"""What every resource type module builds on: names, artifacts, records, descriptors.

A resource type lives in one module of ``chalice/deploy/resources/`` (its
model, state record, planner, graph hook and ``DESCRIPTOR``); this module is
the small core those modules share, so that a type module imports this and
the types it points at (an event source imports ``lambdas``), never every
type. It holds:

* the closed sets: ``ResourceType`` (the state file's ``resource_type``
  strings) and the enums models share (``RoleTraits``, ``APIType``,
  ``TLSVersion``);
* the build artifacts models carry (``DeploymentPackage`` and the policies);
* ``StateRecord``, the base of the typed state records;
* ``ResourceDescriptor``, ``DeleteTier`` and ``GraphHook``: the parts of a
  type, joined by ``chalice/deploy/descriptors.py``.

It is data only and imports nothing beyond attrs and the standard library at
run time: the models, and so every type module, are imported by a cached
``chalice package`` (``tests/package/test_startup_imports.py``).
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import attrs

from chalice.app._frozen import Frozen

if TYPE_CHECKING:
    from chalice.deploy.resources.base import ResourcePlanner
    from chalice.deploy.resources.lambdas import LambdaFunction
    from chalice.package import sam, terraform


class RoleTraits(enum.Enum):
    VPC_NEEDED = "vpc_needed"


class APIType(enum.Enum):
    HTTP = "HTTP"  # the REST API (upstream's name)
    WEBSOCKET = "WEBSOCKET"
    HTTP_API = "HTTP_API"  # an API Gateway v2 HTTP API (ours)


class TLSVersion(enum.Enum):
    TLS_1_0 = "TLS_1_0"
    TLS_1_1 = "TLS_1_1"
    TLS_1_2 = "TLS_1_2"


class ResourceType(str, enum.Enum):
    """The ``resource_type`` strings of the state file (schema 2.0)."""

    IAM_ROLE = "iam_role"
    LAMBDA_FUNCTION = "lambda_function"
    LAMBDA_LAYER = "lambda_layer"
    LOG_GROUP = "log_group"
    REST_API = "rest_api"
    WEBSOCKET_API = "websocket_api"
    DOMAIN_NAME = "domain_name"
    S3_EVENT = "s3_event"
    SNS_EVENT = "sns_event"
    SQS_EVENT = "sqs_event"
    KINESIS_EVENT = "kinesis_event"
    DYNAMODB_EVENT = "dynamodb_event"
    # Schedules are recorded as cloudwatch_event too (upstream compatibility).
    CLOUDWATCH_EVENT = "cloudwatch_event"
    # API Gateway v2 HTTP APIs and Lambda function URLs (ours, not upstream's).
    HTTP_API = "http_api"
    FUNCTION_URL = "function_url"


# -- build artifacts (filled by the build stage; None until then) -----------------


@attrs.frozen
class DeploymentPackage:
    """A zip file. ``sha256`` is base64 of the SHA-256 digest, as Lambda's CodeSha256."""

    filename: str | None = None
    sha256: str | None = None


@attrs.frozen
class AutoGenIAMPolicy:
    """Policy generated from the app's source (plus logs/VPC/X-Ray/event-source statements)."""

    traits: frozenset[RoleTraits] = frozenset()
    document: dict[str, Any] | None = None


@attrs.frozen
class FileBasedIAMPolicy:
    """Policy loaded from ``.chalice/<filename>`` (path relative to ``.chalice/``)."""

    filename: str
    document: dict[str, Any] | None = None


@attrs.frozen
class IAMPolicy:
    """A literal policy document (e.g. the default PRIVATE-endpoint resource policy)."""

    document: dict[str, Any]


# -- state records --------------------------------------------------------------

_R = TypeVar("_R", bound="StateRecord")


class StateRecord(Frozen):
    """The base of the typed state records: one per ``resource_type``.

    A record's fields are the keys of its state entry, in order (``name``
    first). Records are ``Frozen`` values, not attrs classes: every type
    module defines one and is imported whenever the models are (a cached
    ``chalice package`` included), and attrs compiles its methods per class
    at import.
    """

    RESOURCE_TYPE: ClassVar[ResourceType]
    name: str

    @classmethod
    def from_entry(cls: type[_R], entry: Mapping[str, Any]) -> _R:
        """The record of a state entry (missing value keys read as None)."""
        values: dict[str, Any] = {f: entry.get(f) for f in cls.FIELDS}
        values["name"] = str(entry["name"])
        return cls(**values)

    @classmethod
    def from_values(cls: type[_R], name: str, values: Mapping[str, Any]) -> _R:
        """The record of resource ``name`` from its value keys (a step's outputs)."""
        return cls.from_entry({**values, "name": name})

    def values(self, *, complete: bool = False) -> dict[str, Any]:
        """The value keys, in record order: what a step records.

        Unset (None) keys are left out, so recording the values over an
        existing entry never erases a key the record did not carry;
        ``complete`` keeps them (every key is written, None where AWS
        answered nothing).
        """
        return {
            k: v
            for k, v in self.to_entry().items()
            if k not in ("name", "resource_type") and (complete or v is not None)
        }

    def to_entry(self) -> dict[str, Any]:
        """The state entry: ``name``, ``resource_type``, then the value keys in order."""
        entry: dict[str, Any] = {"name": self.name, "resource_type": self.RESOURCE_TYPE.value}
        for f in self.FIELDS:
            if f != "name":
                entry[f] = getattr(self, f)
        return entry


# -- descriptors -------------------------------------------------------------------

M = TypeVar("M")
R = TypeVar("R", bound=StateRecord)


class DeleteTier(enum.IntEnum):
    """Deletion order: a tier is deleted only after every lower tier is gone.

    Nothing is deleted while something still uses it: subscriptions and
    domains point at APIs and functions, APIs invoke functions, functions
    assume roles, use layers and write to log groups.
    """

    SUBSCRIPTIONS = 0
    APIS = 1
    FUNCTIONS = 2
    FOUNDATIONS = 3


@attrs.frozen
class GraphHook(Generic[M]):
    """How ``graph.py`` builds a type's model from an event source of the app.

    ``specs``: the ``EventSourceSpec`` classes of ``chalice.app._snapshot``
    the type is built from. ``build(spec, function, prefix)``: the model, for
    the spec's function model and the name prefix ``"<app>-<stage>"``
    (upstream's naming rules, SPEC §4.3).
    """

    specs: tuple[type[Any], ...]
    build: Callable[[Any, LambdaFunction, str], M]


@attrs.frozen
class ResourceDescriptor(Generic[M, R]):
    """Everything about one ``resource_type`` (see ``chalice/deploy/descriptors.py``).

    ``model_classes``: the model classes recorded under ``resource_type``
    (schedules and CloudWatch event rules share ``cloudwatch_event``).
    ``aws_services``: the botocore services its planner and steps call
    (``lambda`` for function URLs too): the deployer creates those clients
    before the first call, while the zips build (``deploy/aws_services.py``).
    ``record``: returns the typed state record class.
    ``planner``/``sam``/``terraform``: return the planner and the emitters
    (a ``SAMBuilder``/``TerraformBuilder`` and a model in, resources added to
    the builder; ``sam.emit_with_owner`` when the owner emits it).
    ``graph``: how the graph builds it from an event source, or None when
    ``graph.py`` builds it itself (functions, roles, APIs).
    ``role_statement``: the key of ``policy.EVENT_SOURCE_STATEMENTS`` the
    autogenerated role of each function of the resource needs, or None.
    ``decorators``: the runtime decorators (``@app.<name>``) that declare it.
    ``report``: its lines in the ``Resources deployed:`` summary (None: not
    reported); the summary lists types in ``DESCRIPTORS`` order.
    """

    resource_type: ResourceType
    aws_services: tuple[str, ...]
    model_classes: tuple[type[M], ...]
    record: Callable[[], type[R]]
    delete_tier: DeleteTier
    planner: Callable[[], ResourcePlanner[M]]
    sam: Callable[[], Callable[[sam.SAMBuilder, M], None]]
    terraform: Callable[[], Callable[[terraform.TerraformBuilder, M], None]]
    graph: GraphHook[M] | None
    role_statement: str | None
    decorators: tuple[str, ...]
    report: Callable[[R], list[str]] | None


class LazyModule:
    """A module imported on first attribute access (the emitters: ``emitters.py``)."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)


def lambda_arn_of(name: str, values: Mapping[str, Any]) -> str:
    """The ``lambda_arn`` function ``name`` recorded (its step has run).

    ``values`` are a ``lambda_function`` entry's value keys (see
    ``LambdaFunctionRecord``); the one key is read here so that the types
    pointing at a function need not import its module.
    """
    arn = values.get("lambda_arn")
    if not arn:
        raise RuntimeError(f"Lambda function {name} has no recorded lambda_arn")
    return str(arn)
