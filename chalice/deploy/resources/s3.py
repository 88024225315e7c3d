"""The ``s3_event`` type: S3 bucket notifications to a Lambda function.

The bucket's notification configuration is MERGED: only the entry whose
``LambdaFunctionArn`` is this function is added, replaced or removed; every
other entry (other apps, other targets) is kept as it was. A different
bucket replaces the resource (the old bucket's entry is removed first).

A bucket's configuration is read once per plan (by the planner) and each
write starts from the plan's latest copy (``BucketConfigs``), one writer per
bucket at a time, so two handlers on one bucket don't overwrite each other
and no step reads the configuration again just before writing it. A change
made by someone else between our read and our write is lost, as it would be
between any read and write: S3 offers no conditional put for this document.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from chalice.app._snapshot import S3EventSpec
from chalice.concurrency import concurrently
from chalice.deploy.emitters import sam, terraform
from chalice.deploy.plan import Action, Step, StepContext, diff
from chalice.deploy.resources.base import (
    Once,
    PlanContext,
    ensure_permission,
    has_permission,
    remove_permissions,
    service_principal,
    statement_id,
)
from chalice.deploy.typekit import (
    DeleteTier,
    GraphHook,
    ResourceDescriptor,
    ResourceType,
    StateRecord,
    lambda_arn_of,
)

if TYPE_CHECKING:
    from chalice.aws.protocols import Clients
    from chalice.deploy.models import LambdaFunction, Resource


@attrs.frozen
class S3BucketNotification:
    resource_name: str  # "<fn>-s3event"
    bucket: str
    events: tuple[str, ...]
    prefix: str | None
    suffix: str | None
    lambda_function: LambdaFunction
    resource_type: ResourceType = ResourceType.S3_EVENT

    def dependencies(self) -> list[Resource]:
        return [self.lambda_function]


class S3EventRecord(StateRecord):
    """``s3_event``: a function's notification configuration on a bucket."""

    RESOURCE_TYPE: ClassVar[ResourceType] = ResourceType.S3_EVENT
    name: str
    bucket: str | None = None
    lambda_arn: str | None = None


KEY = "LambdaFunctionConfigurations"


def _filter_rules(entry: Mapping[str, Any]) -> list[tuple[str, str]]:
    rules = ((entry.get("Filter") or {}).get("Key") or {}).get("FilterRules") or []
    return sorted((str(r["Name"]).lower(), str(r["Value"])) for r in rules)


def _entry(model: S3BucketNotification, fn_arn: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"LambdaFunctionArn": fn_arn, "Events": sorted(model.events)}
    # Lower-case rule names: AWS accepts both spellings.
    rules = [
        {"Name": n, "Value": v}
        for n, v in (("prefix", model.prefix), ("suffix", model.suffix))
        if v
    ]
    if rules:
        entry["Filter"] = {"Key": {"FilterRules": rules}}
    return entry


def _same(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return sorted(a.get("Events", [])) == sorted(b.get("Events", [])) and _filter_rules(
        a
    ) == _filter_rules(b)


def _without(config: dict[str, Any], fn_arn: str) -> dict[str, Any]:
    out = dict(config)
    out[KEY] = [e for e in config.get(KEY, []) if e.get("LambdaFunctionArn") != fn_arn]
    if not out[KEY]:
        del out[KEY]
    return out


class BucketConfigs:
    """Each bucket's notification configuration as this plan last read or wrote it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._configs: dict[str, dict[str, Any]] = {}
        self._reads: dict[str, Once] = {}
        self._writers: dict[str, threading.Lock] = {}

    def read(self, clients: Clients, bucket: str) -> dict[str, Any]:
        """The configuration, read from S3 once: handlers of one bucket are
        planned at once, and those asking while the first read is out wait
        for its answer (a failed read is tried again by the next asker)."""
        with self._lock:
            found = self._configs.get(bucket)
            once = self._reads.setdefault(bucket, Once())
        if found is not None:
            return found
        first = once.get(lambda: clients.s3.get_notification(bucket))
        with self._lock:
            # A write (``change``) always reads first, so it can only have
            # stored its configuration after this read: keep the newer one.
            return self._configs.setdefault(bucket, first)

    def change(
        self,
        clients: Clients,
        bucket: str,
        edit: Callable[[dict[str, Any]], dict[str, Any] | None],
    ) -> None:
        """Write ``edit(config)`` unless it is None; one writer per bucket at a time."""
        with self._lock:
            writer = self._writers.setdefault(bucket, threading.Lock())
        with writer:
            new = edit(self.read(clients, bucket))
            if new is None:
                return
            clients.s3.put_notification(bucket, new)
            with self._lock:
                self._configs[bucket] = new


def _configs(ctx: PlanContext) -> BucketConfigs:
    return ctx.shared("s3.bucket-configs", BucketConfigs)


class S3EventPlanner:
    def plan(
        self, model: S3BucketNotification, recorded: dict[str, Any] | None, ctx: PlanContext
    ) -> Step:
        fn = model.lambda_function
        fn_arn = ctx.function_arn(fn)
        rtype = model.resource_type.value
        principal = service_principal(ctx.clients, "s3")
        bucket_arn = f"arn:{ctx.clients.partition}:s3:::{model.bucket}"
        desired = _entry(model, fn_arn)
        buckets = _configs(ctx)
        config, statements = concurrently(
            lambda: buckets.read(ctx.clients, model.bucket),
            lambda: ctx.policy_statements(fn.resource_name, fn.function_name),
        )
        current = [e for e in config.get(KEY, []) if e.get("LambdaFunctionArn") == fn_arn]
        allowed = has_permission(statements, principal=principal, source_arn=bucket_arn)
        rec = S3EventRecord.from_values(model.resource_name, recorded or {})
        old = rec if rec.bucket not in (None, model.bucket) else None

        def record(arn: str) -> dict[str, Any]:
            return S3EventRecord(model.resource_name, bucket=model.bucket, lambda_arn=arn).values()

        values = record(fn_arn)
        changes = diff(
            {
                "bucket": (
                    old.bucket if old else (model.bucket if current else None),
                    model.bucket,
                ),
                "notification": (
                    {"Events": current[0].get("Events"), "Filter": _filter_rules(current[0])}
                    if current
                    else None,
                    {"Events": desired["Events"], "Filter": _filter_rules(desired)},
                )
                if not (len(current) == 1 and _same(current[0], desired))
                else (None, None),
                "permission": (allowed, True),
            }
        )
        if not changes:
            return Step(
                model.resource_name, rtype, Action.UNCHANGED, recorded=values, expected=values
            )

        def connect(sc: StepContext) -> Mapping[str, Any]:
            live_fn = lambda_arn_of(fn.resource_name, sc.outputs(fn.resource_name))
            if old is not None:
                _disconnect(sc, old, buckets, remove_permission=True)
            sc.say(f"Configuring S3 events in bucket {model.bucket} to function {fn.function_name}")
            if not allowed:
                # The planner read the policy (or the function is new: no
                # policy at all), so AddPermission goes without a second read.
                ensure_permission(
                    sc.clients,
                    live_fn,
                    principal=principal,
                    source_arn=bucket_arn,
                    sid=statement_id("s3", model.bucket),
                    source_account=sc.clients.account_id,
                    known_absent=True,
                )

            def connected(config: dict[str, Any]) -> dict[str, Any]:
                out = _without(config, live_fn)
                out.setdefault(KEY, []).append(_entry(model, live_fn))
                return out

            buckets.change(sc.clients, model.bucket, connected)
            return record(live_fn)

        action = Action.CREATE if recorded is None and not current else Action.UPDATE
        # AddPermission, then PutBucketNotificationConfiguration (S3 checks it may invoke).
        return Step(
            model.resource_name,
            rtype,
            action,
            connect,
            changes=changes,
            expected=values,
            serial_calls=2,
        )

    def plan_delete(self, recorded: dict[str, Any], ctx: PlanContext) -> Step:
        rec = S3EventRecord.from_entry(recorded)
        buckets = _configs(ctx)
        # The function's own deletion (later in this plan) takes its policy with it.
        keep_permission = bool(rec.lambda_arn) and ctx.deletes_function(str(rec.lambda_arn))

        def delete(sc: StepContext) -> None:
            _disconnect(sc, rec, buckets, remove_permission=not keep_permission)

        return Step(rec.name, rec.RESOURCE_TYPE.value, Action.DELETE, delete)


def _disconnect(
    sc: StepContext, recorded: S3EventRecord, buckets: BucketConfigs, *, remove_permission: bool
) -> None:
    bucket = str(recorded.bucket)
    fn_arn = str(recorded.lambda_arn)
    sc.say(f"Removing S3 events of bucket {bucket} to function {fn_arn}")

    def disconnected(config: dict[str, Any]) -> dict[str, Any] | None:
        if any(e.get("LambdaFunctionArn") == fn_arn for e in config.get(KEY, [])):
            return _without(config, fn_arn)
        return None

    try:
        buckets.change(sc.clients, bucket, disconnected)
    except Exception as err:
        if getattr(err, "code", None) == "NoSuchBucket":
            return
        raise
    if not remove_permission:
        return
    remove_permissions(
        sc.clients,
        fn_arn,
        principal=service_principal(sc.clients, "s3"),
        source_arn=f"arn:{sc.clients.partition}:s3:::{bucket}",
    )


def from_spec(spec: S3EventSpec, fn: LambdaFunction, prefix: str) -> S3BucketNotification:
    """The notification ``@app.on_s3_event`` declares."""
    return S3BucketNotification(
        resource_name=f"{spec.name}-s3event",
        bucket=spec.bucket,
        events=tuple(spec.events),
        prefix=spec.prefix,
        suffix=spec.suffix,
        lambda_function=fn,
    )


DESCRIPTOR = ResourceDescriptor[S3BucketNotification, S3EventRecord](
    resource_type=ResourceType.S3_EVENT,
    aws_services=("s3", "lambda"),
    model_classes=(S3BucketNotification,),
    record=lambda: S3EventRecord,
    delete_tier=DeleteTier.SUBSCRIPTIONS,
    planner=S3EventPlanner,
    sam=lambda: sam.emit_s3,
    terraform=lambda: terraform.TerraformBuilder.add_s3,
    graph=GraphHook((S3EventSpec,), from_spec),
    role_statement=None,
    decorators=("on_s3_event",),
    report=None,
)
