"""The ``sns_event`` type: SNS topic subscriptions of Lambda functions.

``@app.on_sns_message(topic=...)`` declares one. The planner finds a
subscription by (topic, function ARN), so a crash between Subscribe and
recording is adopted; a different topic replaces it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from chalice.app._snapshot import SNSEventSpec
from chalice.concurrency import concurrently
from chalice.deploy.emitters import sam, terraform
from chalice.deploy.plan import Action, Step, StepContext, diff
from chalice.deploy.resources.base import (
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
    from chalice.deploy.models import LambdaFunction, Resource


@attrs.frozen
class SNSLambdaSubscription:
    resource_name: str  # "<fn>-sns-subscription"
    topic: str  # a name or an ARN
    lambda_function: LambdaFunction
    resource_type: ResourceType = ResourceType.SNS_EVENT

    def dependencies(self) -> list[Resource]:
        return [self.lambda_function]


class SNSEventRecord(StateRecord):
    """``sns_event``: a function's subscription to a topic."""

    RESOURCE_TYPE: ClassVar[ResourceType] = ResourceType.SNS_EVENT
    name: str
    topic: str | None = None
    lambda_arn: str | None = None
    subscription_arn: str | None = None
    topic_arn: str | None = None


def from_spec(spec: SNSEventSpec, fn: LambdaFunction, prefix: str) -> SNSLambdaSubscription:
    """The subscription ``@app.on_sns_message`` declares."""
    return SNSLambdaSubscription(
        resource_name=f"{spec.name}-sns-subscription", topic=spec.topic, lambda_function=fn
    )


def topic_arn(ctx: PlanContext, topic: str) -> str:
    return topic if topic.startswith("arn:") else ctx.clients.arn("sns", topic)


def _find(subs: list[dict[str, Any]], fn_arn: str) -> str | None:
    for s in subs:
        if s.get("Protocol") == "lambda" and s.get("Endpoint") == fn_arn:
            arn = str(s.get("SubscriptionArn"))
            if arn.startswith("arn:"):
                return arn
    return None


class SNSPlanner:
    def plan(
        self, model: SNSLambdaSubscription, recorded: dict[str, Any] | None, ctx: PlanContext
    ) -> Step:
        fn = model.lambda_function
        fn_arn = ctx.function_arn(fn)
        rec = SNSEventRecord.from_values(model.resource_name, recorded or {})
        # The recorded ARN of the same topic saves waiting for the account id
        # (a topic's ARN is its account's), as recorded function ARNs do.
        t_arn = (
            rec.topic_arn
            if rec.topic == model.topic and rec.topic_arn
            else topic_arn(ctx, model.topic)
        )
        rtype = model.resource_type.value
        principal = service_principal(ctx.clients, "sns")
        old = rec if rec.topic_arn not in (None, t_arn) else None

        def record(fn: str, sub: str) -> dict[str, Any]:
            return SNSEventRecord(
                model.resource_name,
                topic=model.topic,
                lambda_arn=fn,
                subscription_arn=sub,
                topic_arn=t_arn,
            ).values()

        # A new function has neither a subscription nor a policy (no reads).
        subscriptions, statements = concurrently(
            lambda: ctx.when_exists(
                fn.resource_name, lambda: ctx.clients.sns.list_subscriptions(t_arn)
            ),
            lambda: ctx.policy_statements(fn.resource_name, fn.function_name),
        )
        sub_arn = _find(subscriptions or [], fn_arn)
        allowed = has_permission(statements, principal=principal, source_arn=t_arn)

        def subscribe(sc: StepContext) -> Mapping[str, Any]:
            live_fn = lambda_arn_of(fn.resource_name, sc.outputs(fn.resource_name))
            if old is not None:
                _unsubscribe(sc, old, remove_permission=True)
            sc.say(f"Subscribing {fn.function_name} to SNS topic {model.topic}")
            arns = [sub_arn]

            def allow() -> None:
                # Read while planning, or a new function (no policy): no second read.
                ensure_permission(
                    sc.clients,
                    live_fn,
                    principal=principal,
                    source_arn=t_arn,
                    sid=statement_id("sns", t_arn.rsplit(":", 1)[-1]),
                    known_absent=True,
                )

            def subscribe_once() -> None:
                made = sc.clients.sns.subscribe_lambda(t_arn, live_fn)
                arns[0] = made
                # Recorded at once (in the step's thread): the subscription
                # exists even if the permission beside it is refused.
                sc.record(record(live_fn, made))

            # SNS does not check the invoke permission when subscribing (it is
            # needed only to deliver), so the two calls go out together.
            calls = ([subscribe_once] if sub_arn is None else []) + ([allow] if not allowed else [])
            if calls:
                concurrently(*calls)
            return record(live_fn, str(arns[0]))

        if sub_arn is None or not allowed or old is not None:
            action = Action.CREATE if recorded is None and sub_arn is None else Action.UPDATE
            changes = diff(
                {
                    "topic_arn": (
                        old.topic_arn if old else (t_arn if recorded else None),
                        t_arn,
                    ),
                    "subscribed": (sub_arn is not None, True),
                    "permission": (allowed, True),
                }
            )
            return Step(model.resource_name, rtype, action, subscribe, changes=changes)
        values = record(fn_arn, sub_arn)
        return Step(model.resource_name, rtype, Action.UNCHANGED, recorded=values, expected=values)

    def plan_delete(self, recorded: dict[str, Any], ctx: PlanContext) -> Step:
        rec = SNSEventRecord.from_entry(recorded)
        # The function's own deletion (later in this plan) takes its policy with it.
        keep_permission = bool(rec.lambda_arn) and ctx.deletes_function(str(rec.lambda_arn))

        def delete(sc: StepContext) -> None:
            _unsubscribe(sc, rec, remove_permission=not keep_permission)

        return Step(rec.name, rec.RESOURCE_TYPE.value, Action.DELETE, delete)


def _unsubscribe(sc: StepContext, recorded: SNSEventRecord, *, remove_permission: bool) -> None:
    sc.say(f"Unsubscribing from SNS topic: {recorded.topic}")
    if recorded.subscription_arn:
        sc.clients.sns.unsubscribe(recorded.subscription_arn)
    if remove_permission and recorded.lambda_arn and recorded.topic_arn:
        remove_permissions(
            sc.clients,
            recorded.lambda_arn,
            principal=service_principal(sc.clients, "sns"),
            source_arn=recorded.topic_arn,
        )


DESCRIPTOR = ResourceDescriptor[SNSLambdaSubscription, SNSEventRecord](
    resource_type=ResourceType.SNS_EVENT,
    aws_services=("sns", "lambda"),
    model_classes=(SNSLambdaSubscription,),
    record=lambda: SNSEventRecord,
    delete_tier=DeleteTier.SUBSCRIPTIONS,
    planner=SNSPlanner,
    sam=lambda: sam.emit_sns,
    terraform=lambda: terraform.TerraformBuilder.add_sns,
    graph=GraphHook((SNSEventSpec,), from_spec),
    role_statement=None,
    decorators=("on_sns_message",),
    report=None,
)
