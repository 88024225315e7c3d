"""The ``sqs_event``, ``kinesis_event`` and ``dynamodb_event`` types: Lambda event source
mappings (models, records, planners, graph hooks and one descriptor each).

A mapping is found by its recorded UUID, else by (function, source ARN) so a
mapping created just before a crash is adopted. Batch settings are updated
in place; a different source (queue, stream) replaces the mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from chalice.app._snapshot import DynamoDBEventSpec, KinesisEventSpec, SQSEventSpec
from chalice.deploy.emitters import sam, terraform
from chalice.deploy.plan import Action, Step, StepContext, diff
from chalice.deploy.resources.base import PlanContext
from chalice.deploy.typekit import (
    DeleteTier,
    GraphHook,
    ResourceDescriptor,
    ResourceType,
    StateRecord,
    lambda_arn_of,
)

if TYPE_CHECKING:
    from chalice.deploy.models import LambdaFunction, Resource


@attrs.frozen
class SQSEventSource:
    resource_name: str  # "<fn>-sqs-event-source"
    queue: str  # the queue name (derived from queue_arn when that was given)
    queue_arn: str | None  # given explicitly, else computed at deploy time from the name
    batch_size: int
    maximum_batching_window_in_seconds: int
    maximum_concurrency: int | None
    lambda_function: LambdaFunction
    resource_type: ResourceType = ResourceType.SQS_EVENT

    def dependencies(self) -> list[Resource]:
        return [self.lambda_function]


@attrs.frozen
class KinesisEventSource:
    resource_name: str  # "<fn>-kinesis-event-source"
    stream: str  # stream name
    batch_size: int
    starting_position: str
    maximum_batching_window_in_seconds: int
    lambda_function: LambdaFunction
    resource_type: ResourceType = ResourceType.KINESIS_EVENT

    def dependencies(self) -> list[Resource]:
        return [self.lambda_function]


@attrs.frozen
class DynamoDBEventSource:
    resource_name: str  # "<fn>-dynamodb-event-source"
    stream_arn: str
    batch_size: int
    starting_position: str
    maximum_batching_window_in_seconds: int
    lambda_function: LambdaFunction
    resource_type: ResourceType = ResourceType.DYNAMODB_EVENT

    def dependencies(self) -> list[Resource]:
        return [self.lambda_function]


class SQSEventRecord(StateRecord):
    """``sqs_event``: an event source mapping from a queue (``queue`` is its name)."""

    RESOURCE_TYPE: ClassVar[ResourceType] = ResourceType.SQS_EVENT
    name: str
    queue_arn: str | None = None
    event_uuid: str | None = None
    queue: str | None = None
    lambda_arn: str | None = None


class KinesisEventRecord(StateRecord):
    """``kinesis_event``: an event source mapping from a stream."""

    RESOURCE_TYPE: ClassVar[ResourceType] = ResourceType.KINESIS_EVENT
    name: str
    kinesis_arn: str | None = None
    event_uuid: str | None = None
    stream: str | None = None
    lambda_arn: str | None = None


class DynamoDBEventRecord(StateRecord):
    """``dynamodb_event``: an event source mapping from a table's stream."""

    RESOURCE_TYPE: ClassVar[ResourceType] = ResourceType.DYNAMODB_EVENT
    name: str
    stream_arn: str | None = None
    event_uuid: str | None = None
    lambda_arn: str | None = None


Source = SQSEventSource | KinesisEventSource | DynamoDBEventSource
Record = SQSEventRecord | KinesisEventRecord | DynamoDBEventRecord


class _MappingPlanner:
    """Shared logic; subclasses say how to name the source and what to record."""

    arn_key = ""
    label = ""
    record_class: type[Record] = SQSEventRecord

    def source_arn(self, model: Any, ctx: PlanContext) -> str:
        raise NotImplementedError

    def settings(self, model: Any) -> dict[str, Any]:
        return {
            "BatchSize": model.batch_size,
            "MaximumBatchingWindowInSeconds": model.maximum_batching_window_in_seconds,
        }

    def create_params(self, model: Any) -> dict[str, Any]:
        return {"StartingPosition": model.starting_position}

    def extra_values(self, model: Any) -> dict[str, Any]:
        return {}

    def source_label(self, model: Any) -> str:
        raise NotImplementedError

    def _values(self, model: Any, src: str, uuid: str, fn_arn: str) -> dict[str, Any]:
        fields: dict[str, Any] = {self.arn_key: src, "event_uuid": uuid, "lambda_arn": fn_arn}
        fields.update(self.extra_values(model))
        return self.record_class(model.resource_name, **fields).values()

    def plan(self, model: Source, recorded: dict[str, Any] | None, ctx: PlanContext) -> Step:
        lam = ctx.clients.lambda_
        fn = model.lambda_function
        rec = self.record_class.from_values(model.resource_name, recorded or {})
        # The recorded mapping is read first: it needs nothing else, while
        # the source's ARN may wait for the account id (GetCallerIdentity).
        found = lam.get_mapping(rec.event_uuid) if rec.event_uuid else None
        fn_arn = ctx.function_arn(fn)
        src = self.source_arn(model, ctx)
        rtype = model.resource_type.value
        settings = self.settings(model)
        current: dict[str, Any] | None = None
        old_uuid: str | None = None
        if rec.event_uuid:
            if (
                found is not None
                and found.get("EventSourceArn") == src
                and found.get("FunctionArn") == fn_arn
            ):
                current = found
            elif found is not None:
                old_uuid = rec.event_uuid  # identity changed: replace
        if current is None and ctx.exists_now(fn.resource_name):
            found_list = lam.list_mappings(fn_arn, src)
            current = found_list[0] if found_list else None
        if current is None:

            def create(sc: StepContext) -> Mapping[str, Any]:
                if old_uuid:
                    sc.clients.lambda_.delete_mapping(old_uuid)
                live_fn = lambda_arn_of(fn.resource_name, sc.outputs(fn.resource_name))
                sc.say(f"Subscribing {fn.function_name} to {self.label} {self.source_label(model)}")
                uuid = sc.clients.lambda_.create_mapping(
                    {
                        "EventSourceArn": src,
                        "FunctionName": live_fn,
                        **settings,
                        **self.create_params(model),
                    }
                )
                values = self._values(model, src, uuid, live_fn)
                sc.record(values)
                return values

            changes = diff({"source": (rec.values().get(self.arn_key), src)})
            action = Action.UPDATE if old_uuid else Action.CREATE
            return Step(model.resource_name, rtype, action, create, changes=changes)
        uuid = str(current["UUID"])
        values = self._values(model, src, uuid, fn_arn)
        now = {k: _current_setting(current, k) for k in settings}
        changes = diff({k: (now[k], v) for k, v in settings.items()})
        if not changes:
            return Step(
                model.resource_name, rtype, Action.UNCHANGED, recorded=values, expected=values
            )

        def update(sc: StepContext) -> Mapping[str, Any]:
            sc.say(f"Updating {self.label} subscription of {fn.function_name}")
            sc.record(values)
            sc.clients.lambda_.update_mapping(uuid, settings)
            return values

        return Step(
            model.resource_name, rtype, Action.UPDATE, update, changes=changes, expected=values
        )

    def plan_delete(self, recorded: dict[str, Any], ctx: PlanContext) -> Step:
        rec = self.record_class.from_entry(recorded)
        uuid = str(rec.event_uuid)

        def delete(sc: StepContext) -> None:
            sc.say(f"Deleting event source mapping: {uuid}")
            sc.clients.lambda_.delete_mapping(uuid)

        return Step(rec.name, rec.RESOURCE_TYPE.value, Action.DELETE, delete)


def _current_setting(mapping: Mapping[str, Any], key: str) -> Any:
    if key == "ScalingConfig":
        return mapping.get("ScalingConfig") or {}
    return mapping.get(key)


class SQSPlanner(_MappingPlanner):
    arn_key = "queue_arn"
    label = "SQS queue"
    record_class = SQSEventRecord

    def source_arn(self, model: SQSEventSource, ctx: PlanContext) -> str:
        return model.queue_arn or ctx.clients.arn("sqs", model.queue)

    def settings(self, model: SQSEventSource) -> dict[str, Any]:
        out = super().settings(model)
        out["ScalingConfig"] = (
            {"MaximumConcurrency": model.maximum_concurrency} if model.maximum_concurrency else {}
        )
        return out

    def create_params(self, model: Any) -> dict[str, Any]:
        return {}

    def extra_values(self, model: SQSEventSource) -> dict[str, Any]:
        return {"queue": model.queue}

    def source_label(self, model: SQSEventSource) -> str:
        return model.queue


class KinesisPlanner(_MappingPlanner):
    arn_key = "kinesis_arn"
    label = "Kinesis stream"
    record_class = KinesisEventRecord

    def source_arn(self, model: KinesisEventSource, ctx: PlanContext) -> str:
        return ctx.clients.arn("kinesis", f"stream/{model.stream}")

    def extra_values(self, model: KinesisEventSource) -> dict[str, Any]:
        return {"stream": model.stream}

    def source_label(self, model: KinesisEventSource) -> str:
        return model.stream


class DynamoDBPlanner(_MappingPlanner):
    arn_key = "stream_arn"
    label = "DynamoDB stream"
    record_class = DynamoDBEventRecord

    def source_arn(self, model: DynamoDBEventSource, ctx: PlanContext) -> str:
        return model.stream_arn

    def source_label(self, model: DynamoDBEventSource) -> str:
        return model.stream_arn


def queue_name_from_arn(queue_arn: str) -> str:
    """``arn:aws:sqs:us-west-2:123456789012:my-queue`` -> ``my-queue``."""
    return queue_arn.rsplit(":", 1)[-1]


def sqs_from_spec(spec: SQSEventSpec, fn: LambdaFunction, prefix: str) -> SQSEventSource:
    """The mapping ``@app.on_sqs_message`` declares (a queue name, or an ARN)."""
    return SQSEventSource(
        resource_name=f"{spec.name}-sqs-event-source",
        queue=spec.queue or queue_name_from_arn(spec.queue_arn or ""),
        queue_arn=spec.queue_arn,
        batch_size=spec.batch_size,
        maximum_batching_window_in_seconds=spec.maximum_batching_window_in_seconds,
        maximum_concurrency=spec.maximum_concurrency,
        lambda_function=fn,
    )


def kinesis_from_spec(
    spec: KinesisEventSpec, fn: LambdaFunction, prefix: str
) -> KinesisEventSource:
    """The mapping ``@app.on_kinesis_record`` declares."""
    return KinesisEventSource(
        resource_name=f"{spec.name}-kinesis-event-source",
        stream=spec.stream,
        batch_size=spec.batch_size,
        starting_position=spec.starting_position,
        maximum_batching_window_in_seconds=spec.maximum_batching_window_in_seconds,
        lambda_function=fn,
    )


def dynamodb_from_spec(
    spec: DynamoDBEventSpec, fn: LambdaFunction, prefix: str
) -> DynamoDBEventSource:
    """The mapping ``@app.on_dynamodb_record`` declares."""
    return DynamoDBEventSource(
        resource_name=f"{spec.name}-dynamodb-event-source",
        stream_arn=spec.stream_arn,
        batch_size=spec.batch_size,
        starting_position=spec.starting_position,
        maximum_batching_window_in_seconds=spec.maximum_batching_window_in_seconds,
        lambda_function=fn,
    )


DESCRIPTORS = (
    ResourceDescriptor[SQSEventSource, SQSEventRecord](
        resource_type=ResourceType.SQS_EVENT,
        aws_services=("lambda",),
        model_classes=(SQSEventSource,),
        record=lambda: SQSEventRecord,
        delete_tier=DeleteTier.SUBSCRIPTIONS,
        planner=SQSPlanner,
        sam=lambda: sam.emit_sqs,
        terraform=lambda: terraform.emit_sqs,
        graph=GraphHook((SQSEventSpec,), sqs_from_spec),
        role_statement="sqs",
        decorators=("on_sqs_message",),
        report=None,
    ),
    ResourceDescriptor[KinesisEventSource, KinesisEventRecord](
        resource_type=ResourceType.KINESIS_EVENT,
        aws_services=("lambda",),
        model_classes=(KinesisEventSource,),
        record=lambda: KinesisEventRecord,
        delete_tier=DeleteTier.SUBSCRIPTIONS,
        planner=KinesisPlanner,
        sam=lambda: sam.emit_kinesis,
        terraform=lambda: terraform.emit_kinesis,
        graph=GraphHook((KinesisEventSpec,), kinesis_from_spec),
        role_statement="kinesis",
        decorators=("on_kinesis_record",),
        report=None,
    ),
    ResourceDescriptor[DynamoDBEventSource, DynamoDBEventRecord](
        resource_type=ResourceType.DYNAMODB_EVENT,
        aws_services=("lambda",),
        model_classes=(DynamoDBEventSource,),
        record=lambda: DynamoDBEventRecord,
        delete_tier=DeleteTier.SUBSCRIPTIONS,
        planner=DynamoDBPlanner,
        sam=lambda: sam.emit_dynamodb,
        terraform=lambda: terraform.emit_dynamodb,
        graph=GraphHook((DynamoDBEventSpec,), dynamodb_from_spec),
        role_statement="dynamodb",
        decorators=("on_dynamodb_record",),
        report=None,
    ),
)
