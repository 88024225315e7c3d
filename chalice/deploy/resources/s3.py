"""Planner for S3 bucket notifications to a Lambda function (``s3_event``).

The bucket's notification configuration is MERGED: only the entry whose
``LambdaFunctionArn`` is this function is added, replaced or removed; every
other entry (other apps, other targets) is kept as it was. A different
bucket replaces the resource (the old bucket's entry is removed first).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalice.deploy import models
from chalice.deploy.plan import Action, Step, StepContext, diff
from chalice.deploy.records import S3EventRecord, lambda_arn_of
from chalice.deploy.resources.base import (
    PlanContext,
    ensure_permission,
    has_permission,
    remove_permissions,
    service_principal,
    statement_id,
)

KEY = "LambdaFunctionConfigurations"


def _filter_rules(entry: Mapping[str, Any]) -> list[tuple[str, str]]:
    rules = ((entry.get("Filter") or {}).get("Key") or {}).get("FilterRules") or []
    return sorted((str(r["Name"]).lower(), str(r["Value"])) for r in rules)


def _entry(model: models.S3BucketNotification, fn_arn: str) -> dict[str, Any]:
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


class S3EventPlanner:
    def plan(
        self, model: models.S3BucketNotification, recorded: dict[str, Any] | None, ctx: PlanContext
    ) -> Step:
        fn = model.lambda_function
        fn_arn = ctx.function_arn(fn)
        rtype = model.resource_type.value
        principal = service_principal(ctx.clients, "s3")
        bucket_arn = f"arn:{ctx.clients.partition}:s3:::{model.bucket}"
        desired = _entry(model, fn_arn)
        current = [
            e
            for e in ctx.clients.s3.get_notification(model.bucket).get(KEY, [])
            if e.get("LambdaFunctionArn") == fn_arn
        ]
        allowed = ctx.exists_now(fn.resource_name) and has_permission(
            ctx.clients.lambda_.get_policy_statements(fn.function_name),
            principal=principal,
            source_arn=bucket_arn,
        )
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
                _disconnect(sc, old)
            sc.say(f"Configuring S3 events in bucket {model.bucket} to function {fn.function_name}")
            ensure_permission(
                sc.clients,
                live_fn,
                principal=principal,
                source_arn=bucket_arn,
                sid=statement_id("s3", model.bucket),
                source_account=sc.clients.account_id,
            )
            s3 = sc.clients.s3
            config = _without(s3.get_notification(model.bucket), live_fn)
            config.setdefault(KEY, []).append(_entry(model, live_fn))
            s3.put_notification(model.bucket, config)
            return record(live_fn)

        action = Action.CREATE if recorded is None and not current else Action.UPDATE
        return Step(model.resource_name, rtype, action, connect, changes=changes, expected=values)

    def plan_delete(self, recorded: dict[str, Any], ctx: PlanContext) -> Step:
        rec = S3EventRecord.from_entry(recorded)

        def delete(sc: StepContext) -> None:
            _disconnect(sc, rec)

        return Step(rec.name, rec.RESOURCE_TYPE.value, Action.DELETE, delete)


def _disconnect(sc: StepContext, recorded: S3EventRecord) -> None:
    bucket = str(recorded.bucket)
    fn_arn = str(recorded.lambda_arn)
    sc.say(f"Removing S3 events of bucket {bucket} to function {fn_arn}")
    s3 = sc.clients.s3
    try:
        config = s3.get_notification(bucket)
    except Exception as err:
        if getattr(err, "code", None) == "NoSuchBucket":
            return
        raise
    if any(e.get("LambdaFunctionArn") == fn_arn for e in config.get(KEY, [])):
        s3.put_notification(bucket, _without(config, fn_arn))
    remove_permissions(
        sc.clients,
        fn_arn,
        principal=service_principal(sc.clients, "s3"),
        source_arn=f"arn:{sc.clients.partition}:s3:::{bucket}",
    )
