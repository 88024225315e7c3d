"""The ``cloudwatch_event`` type: EventBridge rules, schedules and event patterns.

One rule per handler with one target (Id ``1``) and an invoke permission for
``events.amazonaws.com`` from the rule. Each of the three is checked and only
what differs is (re)applied.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from chalice.app._snapshot import CloudWatchEventSpec, ScheduleEventSpec
from chalice.concurrency import concurrently
from chalice.deploy.emitters import sam, terraform
from chalice.deploy.plan import Action, Step, StepContext, diff
from chalice.deploy.resources.base import (
    PlanContext,
    ensure_permission,
    has_permission,
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
    from chalice.deploy.models import LambdaFunction, Resource


@attrs.frozen
class ScheduledEvent:
    resource_name: str  # "<fn>-event"
    rule_name: str  # "<app>-<stage>-<fn>-event"
    schedule_expression: str
    rule_description: str
    lambda_function: LambdaFunction
    # Recorded as cloudwatch_event (upstream compatibility).
    resource_type: ResourceType = ResourceType.CLOUDWATCH_EVENT

    def dependencies(self) -> list[Resource]:
        return [self.lambda_function]


@attrs.frozen
class CloudWatchEvent:
    resource_name: str  # "<fn>-event"
    rule_name: str
    event_pattern: str  # JSON string, as sent to PutRule
    lambda_function: LambdaFunction
    resource_type: ResourceType = ResourceType.CLOUDWATCH_EVENT

    def dependencies(self) -> list[Resource]:
        return [self.lambda_function]


class CloudWatchEventRecord(StateRecord):
    """``cloudwatch_event``: an EventBridge rule (schedules are recorded as this too)."""

    RESOURCE_TYPE: ClassVar[ResourceType] = ResourceType.CLOUDWATCH_EVENT
    name: str
    rule_name: str | None = None


TARGET_ID = "1"
Rule = ScheduledEvent | CloudWatchEvent


def _pattern(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


class RulePlanner:
    def plan(self, model: Rule, recorded: dict[str, Any] | None, ctx: PlanContext) -> Step:
        events = ctx.clients.events
        name = model.rule_name
        fn = model.lambda_function
        fn_arn = ctx.function_arn(fn)
        rtype = model.resource_type.value
        values = CloudWatchEventRecord(model.resource_name, rule_name=name).values()
        if isinstance(model, ScheduledEvent):
            desired: dict[str, Any] = {
                "schedule": model.schedule_expression,
                "description": model.rule_description,
            }
        else:
            desired = {"event_pattern": _pattern(model.event_pattern), "description": None}
        principal = service_principal(ctx.clients, "events")
        sid = statement_id(name)

        def describe() -> dict[str, Any] | None:
            return events.describe_rule(name)

        targets_and_policy: tuple[Callable[[], list[dict[str, Any]]], ...] = (
            lambda: events.list_targets(name),
            lambda: ctx.policy_statements(fn.resource_name, fn.function_name),
        )
        if recorded is None:
            rule = describe()  # most likely a new rule: one read says so
            rest = concurrently(*targets_and_policy) if rule is not None else []
        else:
            # A recorded rule most likely exists: its reads are independent
            # (the rule's ARN follows from its name, the function's policy
            # is read beside the function's own reads), so they take one
            # round trip, not three.
            rule, *rest = concurrently(describe, *targets_and_policy)
        # After the reads: the ARN may wait for the account id.
        rule_arn = ctx.clients.arn("events", f"rule/{name}")
        targets_read: list[dict[str, Any]] = rest[0] if rest else []
        statements: list[dict[str, Any]] = rest[1] if len(rest) > 1 else []

        def put(
            sc: StepContext,
            *,
            create: bool,
            rule_changed: bool,
            target_changed: bool,
            permission_missing: bool,
            permission_known_absent: bool,
        ) -> Mapping[str, Any]:
            sc.say(f"{'Creating' if create else 'Updating'} event rule: {name}")
            live_fn = lambda_arn_of(fn.resource_name, sc.outputs(fn.resource_name))

            def allow() -> None:
                # The rule's ARN follows from its name (default bus), and Lambda
                # does not check that a permission's source exists: this call
                # need not wait for PutRule.
                ensure_permission(
                    sc.clients,
                    live_fn,
                    principal=principal,
                    source_arn=rule_arn,
                    sid=sid,
                    known_absent=permission_known_absent,
                )

            def put_the_rule() -> None:

                def put_rule(tags: dict[str, str] | None) -> str:
                    if isinstance(model, ScheduledEvent):
                        return sc.clients.events.put_rule(
                            name,
                            schedule_expression=model.schedule_expression,
                            description=model.rule_description,
                            tags=tags,
                        )
                    return sc.clients.events.put_rule(
                        name, event_pattern=model.event_pattern, tags=tags
                    )

                if create:
                    ctx.tagging.create("events", ctx.identity_tags(model.resource_name), put_rule)
                else:
                    # PutRule on an existing rule leaves its tags alone; sending
                    # them again would only need events:TagResource for nothing.
                    put_rule(None)
                sc.record(values)
                if target_changed:  # PutTargets needs the rule
                    sc.clients.events.put_target(name, target_id=TARGET_ID, arn=live_fn)

            def put_the_target() -> None:
                sc.clients.events.put_target(name, target_id=TARGET_ID, arn=live_fn)

            first = put_the_rule if rule_changed else put_the_target if target_changed else None
            calls = [c for c in (first, allow if permission_missing else None) if c is not None]
            if calls:
                concurrently(*calls)
            return values

        if rule is None:
            # A new function has no policy yet: AddPermission needs no read.
            # An existing one (a rule deleted by hand) is read when applying.
            fresh = not ctx.exists_now(fn.resource_name)
            return Step(
                model.resource_name,
                rtype,
                Action.CREATE,
                lambda sc: put(
                    sc,
                    create=True,
                    rule_changed=True,
                    target_changed=True,
                    permission_missing=True,
                    permission_known_absent=fresh,
                ),
                expected=values,
                serial_calls=2,  # PutRule (beside AddPermission), then PutTargets
            )
        now = {
            "schedule": rule.get("ScheduleExpression"),
            "event_pattern": _pattern(rule.get("EventPattern")),
            "description": rule.get("Description"),
        }
        fields: dict[str, tuple[Any, Any]] = {k: (now[k], v) for k, v in desired.items()}
        targets = {t["Id"]: t["Arn"] for t in targets_read}
        fields["target"] = (targets.get(TARGET_ID), fn_arn)
        allowed = has_permission(statements, principal=principal, source_arn=str(rule["Arn"]))
        fields["permission"] = (allowed, True)
        changes = diff(fields)
        if not changes:
            return Step(
                model.resource_name, rtype, Action.UNCHANGED, recorded=values, expected=values
            )
        changed = {c.field for c in changes}
        return Step(
            model.resource_name,
            rtype,
            Action.UPDATE,
            lambda sc: put(
                sc,
                create=False,
                rule_changed=bool(changed & set(desired)),
                target_changed="target" in changed,
                permission_missing="permission" in changed,
                # The policy was read above (or the function is new).
                permission_known_absent=True,
            ),
            changes=changes,
            expected=values,
        )

    def plan_delete(self, recorded: dict[str, Any], ctx: PlanContext) -> Step:
        rec = CloudWatchEventRecord.from_entry(recorded)
        name = str(rec.rule_name)

        def delete(sc: StepContext) -> None:
            sc.say(f"Deleting event rule: {name}")
            # Our rule has one target, ours: removed by its id without listing
            # (delete_rule lists and removes the rest if AWS still finds some).
            sc.clients.events.delete_rule(name, target_ids=(TARGET_ID,))

        return Step(rec.name, rec.RESOURCE_TYPE.value, Action.DELETE, delete)


def from_spec(
    spec: ScheduleEventSpec | CloudWatchEventSpec, fn: LambdaFunction, prefix: str
) -> Rule:
    """The rule ``@app.schedule`` or ``@app.on_cw_event`` declares."""
    if isinstance(spec, ScheduleEventSpec):
        return ScheduledEvent(
            resource_name=f"{spec.name}-event",
            rule_name=f"{prefix}-{spec.name}-event",
            schedule_expression=spec.schedule_expression,
            rule_description=spec.description,
            lambda_function=fn,
        )
    return CloudWatchEvent(
        resource_name=f"{spec.name}-event",
        rule_name=f"{prefix}-{spec.name}-event",
        event_pattern=json.dumps(spec.event_pattern),
        lambda_function=fn,
    )


DESCRIPTOR = ResourceDescriptor[Rule, CloudWatchEventRecord](
    resource_type=ResourceType.CLOUDWATCH_EVENT,
    aws_services=("events", "lambda"),
    model_classes=(ScheduledEvent, CloudWatchEvent),
    record=lambda: CloudWatchEventRecord,
    delete_tier=DeleteTier.SUBSCRIPTIONS,
    planner=RulePlanner,
    sam=lambda: sam.emit_rule,
    terraform=lambda: terraform.emit_rule,
    graph=GraphHook((ScheduleEventSpec, CloudWatchEventSpec), from_spec),
    role_statement=None,
    decorators=("schedule", "on_cw_event"),
    report=None,
)
