"""Planner for SNS topic subscriptions of Lambda functions (``sns_event``).

A subscription is found by (topic, function ARN), so a crash between
Subscribe and recording is adopted. A different topic replaces it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalice.deploy import models
from chalice.deploy.plan import Action, Step, StepContext, diff
from chalice.deploy.resources.base import (
    PlanContext,
    ensure_permission,
    has_permission,
    remove_permissions,
    service_principal,
    statement_id,
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
        self, model: models.SNSLambdaSubscription, recorded: dict[str, Any] | None, ctx: PlanContext
    ) -> Step:
        fn = model.lambda_function
        fn_arn = ctx.function_arn(fn)
        t_arn = topic_arn(ctx, model.topic)
        rtype = model.resource_type.value
        principal = service_principal(ctx.clients, "sns")
        old = recorded if recorded and recorded.get("topic_arn") not in (None, t_arn) else None
        fn_exists = ctx.exists_now(fn.resource_name)
        sub_arn = _find(ctx.clients.sns.list_subscriptions(t_arn), fn_arn) if fn_exists else None
        allowed = fn_exists and has_permission(
            ctx.clients.lambda_.get_policy_statements(fn.function_name),
            principal=principal,
            source_arn=t_arn,
        )

        def subscribe(sc: StepContext) -> Mapping[str, Any]:
            live_fn = str(sc.outputs(fn.resource_name)["lambda_arn"])
            if old is not None:
                _unsubscribe(sc, old)
            sc.say(f"Subscribing {fn.function_name} to SNS topic {model.topic}")
            ensure_permission(
                sc.clients,
                live_fn,
                principal=principal,
                source_arn=t_arn,
                sid=statement_id("sns", t_arn.rsplit(":", 1)[-1]),
            )
            arn = sub_arn or sc.clients.sns.subscribe_lambda(t_arn, live_fn)
            values = {
                "topic": model.topic,
                "lambda_arn": live_fn,
                "subscription_arn": arn,
                "topic_arn": t_arn,
            }
            return values

        if sub_arn is None or not allowed or old is not None:
            action = Action.CREATE if recorded is None and sub_arn is None else Action.UPDATE
            changes = diff(
                {
                    "topic_arn": ((old or {}).get("topic_arn", t_arn if recorded else None), t_arn),
                    "subscribed": (sub_arn is not None, True),
                    "permission": (allowed, True),
                }
            )
            return Step(model.resource_name, rtype, action, subscribe, changes=changes)
        values = {
            "topic": model.topic,
            "lambda_arn": fn_arn,
            "subscription_arn": sub_arn,
            "topic_arn": t_arn,
        }
        return Step(model.resource_name, rtype, Action.UNCHANGED, recorded=values, expected=values)

    def plan_delete(self, recorded: dict[str, Any], ctx: PlanContext) -> Step:
        def delete(sc: StepContext) -> None:
            _unsubscribe(sc, recorded)

        return Step(recorded["name"], recorded["resource_type"], Action.DELETE, delete)


def _unsubscribe(sc: StepContext, recorded: Mapping[str, Any]) -> None:
    sub = recorded.get("subscription_arn")
    sc.say(f"Unsubscribing from SNS topic: {recorded.get('topic')}")
    if sub:
        sc.clients.sns.unsubscribe(str(sub))
    if recorded.get("lambda_arn") and recorded.get("topic_arn"):
        remove_permissions(
            sc.clients,
            str(recorded["lambda_arn"]),
            principal=service_principal(sc.clients, "sns"),
            source_arn=str(recorded["topic_arn"]),
        )
