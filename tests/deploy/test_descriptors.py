"""Every resource model type has a complete descriptor, and every part works.

These tests iterate over the type modules of ``chalice/deploy/resources/``,
the model unions and the ``ResourceType`` enum, so a new type that is not
registered or misses a part (a planner, an emitter, a delete tier, a record,
a graph hook, an IAM statement, a runtime decorator...) fails here instead of
dropping out of a template, a policy or a delete in silence.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest

from chalice.app import Chalice
from chalice.app import _snapshot as snap
from chalice.app._decorators import DecoratorAPI
from chalice.build.analyzer import ENTRY_DECORATORS
from chalice.build.artifacts import role_needs
from chalice.build.policy import EVENT_SOURCE_STATEMENTS
from chalice.config import Config
from chalice.deploy import descriptors, models, records, resources
from chalice.deploy.deployer import deployed_report
from chalice.deploy.descriptors import (
    DESCRIPTORS,
    TYPE_MODULES,
    DeleteTier,
    declared_by,
    descriptor_for,
    descriptor_of_type,
    graph_hook_for,
)
from chalice.deploy.graph import build_application
from chalice.deploy.resources import planner_for_model, planner_for_type
from chalice.deploy.state import DeployedState
from chalice.errors import PackageError
from chalice.package import sam, terraform
from tests.package._models import full_application, http_application, s3_application


def _model_classes() -> set[type[Any]]:
    """Every model class the type modules define: an attrs class with a
    ``resource_type`` field defaulting to a ``ResourceType`` member (found by
    walking the modules, so a new model cannot hide from these tests)."""
    found: set[type[Any]] = set()
    for info in pkgutil.iter_modules(resources.__path__):
        module = importlib.import_module(f"{resources.__name__}.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and attrs.has(value) and value.__module__ == module.__name__:
                field = attrs.fields_dict(value).get("resource_type")
                if field is not None and isinstance(field.default, models.ResourceType):
                    found.add(value)
    return found


MODEL_CLASSES = _model_classes()
# Parts of another model, with no resource_type and no state entry of their own.
EMBEDDED = {
    models.PreCreatedIAMRole: "a LambdaFunction's role that chalice does not manage",
    models.APIMapping: "recorded inside its DomainName entry",
}
RECORDED = tuple(sorted(MODEL_CLASSES, key=lambda c: c.__name__))
# SPEC §4.7: the value keys of each resource_type, in recorded order.
SPEC_KEYS = {
    "iam_role": ("role_name", "role_arn"),
    "lambda_function": ("lambda_arn",),
    "lambda_layer": ("layer_version_arn",),
    "log_group": ("log_group_name",),
    # + ours (upstream ignores extra keys): the definition digest and deployment.
    "rest_api": ("rest_api_id", "rest_api_url", "definition_sha256", "deployment_id"),
    "websocket_api": ("websocket_api_url", "websocket_api_id"),
    "domain_name": (
        "hosted_zone_id",
        "alias_domain_name",
        "certificate_arn",
        "security_policy",
        "domain_name",
        "api_mapping",
    ),
    "sns_event": ("topic", "lambda_arn", "subscription_arn", "topic_arn"),
    "sqs_event": ("queue_arn", "event_uuid", "queue", "lambda_arn"),
    "kinesis_event": ("kinesis_arn", "event_uuid", "stream", "lambda_arn"),
    "dynamodb_event": ("stream_arn", "event_uuid", "lambda_arn"),
    "s3_event": ("bucket", "lambda_arn"),
    "cloudwatch_event": ("rule_name",),
    # Ours: HTTP APIs and function URLs (docs/http-apis.rst).
    "http_api": ("http_api_id", "http_api_url"),
    "function_url": ("function_url", "function_name"),
}


def _samples() -> dict[str, tuple[models.RecordedResource, models.Application]]:
    """One built instance of every recorded model class (two domains), with its app."""
    seen: dict[str, tuple[models.RecordedResource, models.Application]] = {}
    for app in (full_application(), s3_application(), http_application()):
        for res in models.dependency_order(app):
            key = type(res).__name__
            if isinstance(res, models.DomainName):
                key += f"-{res.protocol.value}"
            seen.setdefault(key, (res, app))
    return seen


_SAMPLE_APPS = _samples()
SAMPLE_IDS = sorted(_SAMPLE_APPS)
SAMPLES = [_SAMPLE_APPS[k][0] for k in SAMPLE_IDS]


# -- the registry covers every type -----------------------------------------------


def _type_modules() -> dict[str, Any]:
    """Every module of ``chalice/deploy/resources/`` that declares descriptors."""
    found = {}
    for info in pkgutil.iter_modules(resources.__path__, prefix=resources.__name__ + "."):
        module = importlib.import_module(info.name)
        if hasattr(module, "DESCRIPTOR") or hasattr(module, "DESCRIPTORS"):
            found[info.name] = module
    return found


def test_every_type_module_is_registered_once() -> None:
    declared = _type_modules()
    registered = [m.__name__ for m in TYPE_MODULES]
    assert len(registered) == len(set(registered)), "a type module is registered twice"
    missing = set(declared) - set(registered)
    assert not missing, f"add {sorted(missing)} to chalice.deploy.descriptors.TYPE_MODULES"
    assert set(registered) <= set(declared), "a registered module declares no DESCRIPTOR(S)"
    assert DESCRIPTORS == tuple(d for m in TYPE_MODULES for d in declared_by(m))


def test_each_type_lives_in_the_module_that_describes_it() -> None:
    """The model, record and planner of a type are defined in its type module.

    A large type may keep its models in a sibling ``<module>_models.py``
    (``httpapi_models.py``); nothing else holds a type's parts.
    """
    for module in TYPE_MODULES:
        for d in declared_by(module):
            home = module.__name__
            for cls in d.model_classes:
                assert cls.__module__ in (home, home + "_models"), cls.__name__
            assert d.record().__module__ == home, d.record().__name__
            assert type(d.planner()).__module__ == home, d.resource_type.value


def test_every_event_source_of_the_app_has_one_graph_hook() -> None:
    hooked = [spec for d in DESCRIPTORS if d.graph is not None for spec in d.graph.specs]
    assert len(hooked) == len(set(hooked)), "an event source spec has two graph hooks"
    assert set(hooked) == set(typing.get_args(snap.EventSourceSpec)), (
        "give the type module of each event source a graph hook"
    )
    for d in DESCRIPTORS:
        for spec in d.graph.specs if d.graph is not None else ():
            assert graph_hook_for(object.__new__(spec)) is d.graph


def test_every_resource_type_has_exactly_one_descriptor() -> None:
    types = [d.resource_type for d in DESCRIPTORS]
    assert sorted(types) == sorted(models.ResourceType), "add a descriptor to DESCRIPTORS"
    for rtype in models.ResourceType:
        descriptor = descriptor_of_type(rtype.value)
        assert descriptor is not None and descriptor.resource_type is rtype
    assert descriptor_of_type("scheduled_event") is None


def test_every_recorded_model_class_has_a_descriptor_of_its_type() -> None:
    claimed = [cls for d in DESCRIPTORS for cls in d.model_classes]
    assert len(claimed) == len(set(claimed)), "a model class is claimed by two descriptors"
    assert set(claimed) == set(RECORDED)
    for cls in RECORDED:
        default = attrs.fields_dict(cls)["resource_type"].default
        descriptor = next(d for d in DESCRIPTORS if cls in d.model_classes)
        assert default is descriptor.resource_type, cls.__name__


def test_every_model_is_recorded_or_embedded() -> None:
    assert len(MODEL_CLASSES) >= len(models.ResourceType)
    assert not set(EMBEDDED) & MODEL_CLASSES
    for cls in EMBEDDED:
        with pytest.raises(TypeError, match="no resource descriptor"):
            descriptor_for(object.__new__(cls))


def test_no_part_has_a_default_so_none_can_be_forgotten() -> None:
    for field in attrs.fields(descriptors.ResourceDescriptor):
        assert field.default is attrs.NOTHING, field.name


def test_the_samples_cover_every_recorded_model_class() -> None:
    missing = set(RECORDED) - {type(s) for s in SAMPLES}
    assert not missing, f"add a sample of {missing} to tests/package/_models.py"


# -- each part resolves and fits ----------------------------------------------


@pytest.mark.parametrize("descriptor", DESCRIPTORS, ids=lambda d: d.resource_type.value)
def test_parts_resolve(descriptor: descriptors.ResourceDescriptor[Any, Any]) -> None:
    planner = descriptor.planner()
    assert callable(planner.plan) and callable(planner.plan_delete)
    assert planner_for_type(descriptor.resource_type.value) is planner_for_type(
        descriptor.resource_type.value
    )
    assert type(planner_for_type(descriptor.resource_type.value)) is type(planner)
    assert callable(descriptor.sam()) and callable(descriptor.terraform())
    assert isinstance(descriptor.delete_tier, DeleteTier)
    assert issubclass(descriptor.record(), records.StateRecord)
    assert descriptor.record().RESOURCE_TYPE is descriptor.resource_type
    if descriptor.role_statement is not None:
        assert descriptor.role_statement in EVENT_SOURCE_STATEMENTS
    if descriptor.graph is not None:
        assert callable(descriptor.graph.build) and descriptor.graph.specs
    assert set(descriptor.decorators) <= ENTRY_DECORATORS


def test_planner_for_model_is_the_descriptors_planner() -> None:
    for sample in SAMPLES:
        assert type(planner_for_model(sample)) is type(descriptor_for(sample).planner())


# -- records -------------------------------------------------------------------------


@pytest.mark.parametrize("descriptor", DESCRIPTORS, ids=lambda d: d.resource_type.value)
def test_record_holds_the_spec_keys_and_round_trips(
    descriptor: descriptors.ResourceDescriptor[Any, Any],
) -> None:
    rtype = descriptor.resource_type.value
    assert rtype in SPEC_KEYS, "add the type's state file keys to SPEC_KEYS"
    fields = tuple(f for f in descriptor.record().FIELDS if f != "name")
    assert fields == SPEC_KEYS[rtype]
    entry: dict[str, Any] = {"name": "thing", "resource_type": rtype}
    entry.update({k: f"value-of-{k}" for k in SPEC_KEYS[rtype]})
    if "api_mapping" in entry:
        entry["api_mapping"] = [{"key": "/"}]
    record = descriptor.record().from_entry(entry)
    assert list(record.to_entry().items()) == list(entry.items())
    assert descriptors.record_of(entry) == record


def test_record_of_a_partial_or_unknown_entry() -> None:
    legacy = {"name": "rest_api", "resource_type": "rest_api", "rest_api_id": "abc"}
    record = descriptors.record_of(legacy)
    assert record == records.RestAPIRecord(name="rest_api", rest_api_id="abc")
    assert descriptors.record_of({"name": "x", "resource_type": "made_up"}) is None


# -- delete tiers --------------------------------------------------------------------


def test_delete_tiers_delete_users_before_what_they_use() -> None:
    assert descriptors.DELETE_TIERS == {
        d.resource_type.value: int(d.delete_tier) for d in DESCRIPTORS
    }
    for sample in SAMPLES:
        for dep in sample.dependencies():
            # A domain is a dependency of its API's model, but it maps the API
            # and is deleted first (planner.planning_order says the same).
            if isinstance(dep, (*EMBEDDED, models.DomainName)):
                continue
            assert descriptor_for(sample).delete_tier < descriptor_for(dep).delete_tier, (
                f"{sample.resource_name} must be deleted before {dep.resource_name}"
            )


# -- templates: every resource is emitted -------------------------------------------


def _state(builder: Any) -> str:
    return json.dumps([builder.resources, builder.outputs], sort_keys=True)


def _with_owner(sample: models.RecordedResource, fmt: Any) -> bool:
    descriptor = descriptor_for(sample)
    emitter = descriptor.sam() if fmt is sam else descriptor.terraform()
    return bool(emitter is fmt.emit_with_owner)


def _emit(builder: Any, key: str, fmt: Any) -> tuple[models.RecordedResource, str]:
    """Emit what sample ``key`` needs, then the sample: (sample, output before it).

    A resource its owner emits (a log group, a domain) needs its whole app.
    """
    sample, application = _SAMPLE_APPS[key]
    if _with_owner(sample, fmt):
        for res in models.dependency_order(application):
            if fmt is terraform or not isinstance(res, models.S3BucketNotification):
                builder.add(res)
        return sample, ""
    for res in models.dependency_order(models.Application("dev", (sample,))):
        if res is sample:
            break
        builder.add(res)
    before = _state(builder)
    builder.add(sample)
    return sample, before


@pytest.mark.parametrize("key", SAMPLE_IDS)
def test_sam_emits_every_resource(key: str) -> None:
    builder = sam.SAMBuilder(sam.ArtifactPaths())
    if key == "S3BucketNotification":
        with pytest.raises(PackageError, match="existing S3 bucket"):
            _emit(builder, key, sam)
        return
    sample, before = _emit(builder, key, sam)
    if _with_owner(sample, sam):
        assert sam.logical_id(sample.resource_name) in builder.resources
    else:
        assert _state(builder) != before, f"{sample.resource_name} emitted nothing"


@pytest.mark.parametrize("key", SAMPLE_IDS)
def test_terraform_emits_every_resource(key: str) -> None:
    builder = terraform.TerraformBuilder(terraform.ArtifactPaths(), app_name="app")
    sample, before = _emit(builder, key, terraform)
    if _with_owner(sample, terraform):
        names = {name for by_name in builder.resources.values() for name in by_name}
        assert sample.resource_name in names
    else:
        assert _state(builder) != before, f"{sample.resource_name} emitted nothing"


# -- IAM -----------------------------------------------------------------------------


def test_roles_get_the_statement_of_every_resource_their_functions_serve() -> None:
    app = full_application()
    needs = role_needs(app)
    wanted = {
        descriptor_for(r).role_statement
        for r in models.dependency_order(app)
        if descriptor_for(r).role_statement is not None
    }
    assert wanted == {"sqs", "kinesis", "dynamodb", "websocket"}
    assert needs["default-role"].kinds == wanted


def test_every_runtime_decorator_is_an_entry_point_claimed_once() -> None:
    runtime = {
        name
        for name, value in vars(DecoratorAPI).items()
        if callable(value) and not name.startswith("_")
    } - {"register_middleware"}
    assert runtime == ENTRY_DECORATORS
    claimed = [name for d in DESCRIPTORS for name in d.decorators]
    assert len(claimed) == len(set(claimed))
    # ``middleware`` wraps handlers of every type and declares no resource.
    assert set(claimed) | {"middleware"} == ENTRY_DECORATORS
    assert ENTRY_DECORATORS == {
        "route",
        "authorizer",
        "lambda_function",
        "schedule",
        "on_s3_event",
        "on_sns_message",
        "on_sqs_message",
        "on_cw_event",
        "on_kinesis_record",
        "on_dynamodb_record",
        "on_ws_connect",
        "on_ws_message",
        "on_ws_disconnect",
        "middleware",
    }


def _handler(*args: Any) -> None:
    """A handler body for any decorator (the graph never calls it)."""


# One minimal use of every runtime decorator that declares a resource.
_DECLARE: dict[str, Callable[[Chalice], object]] = {
    "route": lambda app: app.route("/")(_handler),
    "authorizer": lambda app: app.route("/", authorizer=app.authorizer()(_handler))(_handler),
    "lambda_function": lambda app: app.lambda_function()(_handler),
    "schedule": lambda app: app.schedule("rate(5 minutes)")(_handler),
    "on_cw_event": lambda app: app.on_cw_event({"source": ["aws.ec2"]})(_handler),
    "on_s3_event": lambda app: app.on_s3_event(bucket="bkt")(_handler),
    "on_sns_message": lambda app: app.on_sns_message(topic="topic")(_handler),
    "on_sqs_message": lambda app: app.on_sqs_message(queue="queue")(_handler),
    "on_kinesis_record": lambda app: app.on_kinesis_record(stream="stream")(_handler),
    "on_dynamodb_record": lambda app: app.on_dynamodb_record(
        stream_arn="arn:aws:dynamodb:us-west-2:123456789012:table/t/stream/2020"
    )(_handler),
    "on_ws_connect": lambda app: app.on_ws_connect()(_handler),
    "on_ws_message": lambda app: app.on_ws_message()(_handler),
    "on_ws_disconnect": lambda app: app.on_ws_disconnect()(_handler),
}


@pytest.mark.parametrize(
    ("descriptor", "decorator"),
    [(d, name) for d in DESCRIPTORS for name in d.decorators],
    ids=lambda v: v if isinstance(v, str) else v.resource_type.value,
)
def test_each_decorator_makes_the_graph_build_its_descriptors_model(
    descriptor: descriptors.ResourceDescriptor[Any, Any], decorator: str, tmp_path: Path
) -> None:
    assert decorator in _DECLARE, f"add a minimal @app.{decorator} use to _DECLARE"
    app = Chalice(app_name="demo")
    app.experimental_feature_flags.update(["WEBSOCKETS"])
    _DECLARE[decorator](app)
    config = Config.from_dict({"version": "2.0", "app_name": "demo"}, project_dir=tmp_path)
    built = models.dependency_order(build_application(app, config))
    assert any(isinstance(r, descriptor.model_classes) for r in built), (
        f"@app.{decorator} built no {descriptor.resource_type.value}: see graph.py"
    )


# -- report --------------------------------------------------------------------------


def test_deployed_report_lists_types_in_descriptor_order_entries_in_recorded_order() -> None:
    def entry(name: str, rtype: str, **values: Any) -> dict[str, Any]:
        return {"name": name, "resource_type": rtype, **values}

    state = DeployedState(
        resources=(
            entry("websocket_api", "websocket_api", websocket_api_url="wss://w/dev/"),
            entry("default-role", "iam_role", role_name="r", role_arn="arn:role"),
            entry("b", "lambda_function", lambda_arn="arn:b"),
            entry("rest_api", "rest_api", rest_api_id="x", rest_api_url="https://r/dev/"),
            entry("a", "lambda_function", lambda_arn="arn:a"),
            entry("a-sqs-event-source", "sqs_event", queue="q"),
            entry("managed-layer", "lambda_layer", layer_version_arn="arn:layer:1"),
            entry(
                "api_gateway_custom_domain",
                "domain_name",
                hosted_zone_id="Z1",
                alias_domain_name="d.cloudfront.net",
            ),
        )
    )
    assert deployed_report(state) == (
        "Resources deployed:\n"
        "  - Lambda Layer ARN: arn:layer:1\n"
        "  - Lambda ARN: arn:b\n"
        "  - Lambda ARN: arn:a\n"
        "  - Custom domain name:\n"
        "      HostedZoneId: Z1\n"
        "      AliasDomainName: d.cloudfront.net\n"
        "  - Rest API URL: https://r/dev/\n"
        "  - Websocket API URL: wss://w/dev/\n"
    )
    migrated = DeployedState(resources=(entry("rest_api", "rest_api", rest_api_id="x"),))
    assert deployed_report(migrated) == "Resources deployed:\n  - Rest API URL: None\n"
