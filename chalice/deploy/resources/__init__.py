"""Resource planners: one small planner per resource type, registered explicitly.

How to add a resource type (no change to the engine is needed):

1. Write ``chalice/deploy/resources/<type>.py`` with a class implementing
   ``ResourcePlanner`` (see ``base.py``):

   * ``plan(model, recorded, ctx) -> Step`` compares the desired ``model``
     with what AWS has (read calls only, through ``ctx.clients``) and with
     ``recorded`` (its entry in the state file, or None), and returns a
     ``Step`` with the ``Action``, the ``changes`` (old -> new) and an
     ``apply`` callable doing the mutating calls. ``apply`` must call
     ``ctx.record(values)`` right after the call that creates the resource
     (so a failure later in the step never orphans it) and return the
     values to record (SPEC §4.7 keys). An unchanged resource gets no
     ``apply`` but ``recorded`` values. Look the resource up by name or by
     the identity tags (``ctx.identity_tags``) before deciding to create,
     so a resource created just before a crash is adopted.
   * ``plan_delete(recorded, ctx) -> Step`` deletes what the entry names;
     "already gone" counts as deleted (``apply`` returns None).

2. Register it in ``PLANNERS`` below: the model classes it plans and the
   ``resource_type`` it deletes. Dispatch is a dict lookup on these; there
   is no name-based magic.

Planners never write the state file and never print directly: the executor
records what ``apply`` returns and prints what it passes to ``ctx.say``.
"""

from __future__ import annotations

from typing import Any

from chalice.deploy import models
from chalice.deploy.resources import (
    apigateway,
    domain,
    eventsources,
    iam,
    lambdas,
    logs,
    rules,
    s3,
    sns,
    websocket,
)
from chalice.deploy.resources.base import PlanContext, ResourcePlanner

PLANNERS: tuple[tuple[tuple[type[Any], ...], models.ResourceType, ResourcePlanner[Any]], ...] = (
    ((models.ManagedIAMRole,), models.ResourceType.IAM_ROLE, iam.RolePlanner()),
    ((models.LogGroup,), models.ResourceType.LOG_GROUP, logs.LogGroupPlanner()),
    ((models.LambdaLayer,), models.ResourceType.LAMBDA_LAYER, lambdas.LayerPlanner()),
    ((models.LambdaFunction,), models.ResourceType.LAMBDA_FUNCTION, lambdas.FunctionPlanner()),
    (
        (models.ScheduledEvent, models.CloudWatchEvent),
        models.ResourceType.CLOUDWATCH_EVENT,
        rules.RulePlanner(),
    ),
    ((models.S3BucketNotification,), models.ResourceType.S3_EVENT, s3.S3EventPlanner()),
    ((models.SNSLambdaSubscription,), models.ResourceType.SNS_EVENT, sns.SNSPlanner()),
    ((models.SQSEventSource,), models.ResourceType.SQS_EVENT, eventsources.SQSPlanner()),
    (
        (models.KinesisEventSource,),
        models.ResourceType.KINESIS_EVENT,
        eventsources.KinesisPlanner(),
    ),
    (
        (models.DynamoDBEventSource,),
        models.ResourceType.DYNAMODB_EVENT,
        eventsources.DynamoDBPlanner(),
    ),
    ((models.RestAPI,), models.ResourceType.REST_API, apigateway.RestAPIPlanner()),
    ((models.WebsocketAPI,), models.ResourceType.WEBSOCKET_API, websocket.WebsocketPlanner()),
    ((models.DomainName,), models.ResourceType.DOMAIN_NAME, domain.DomainPlanner()),
)

_BY_MODEL: dict[type[Any], ResourcePlanner[Any]] = {
    cls: planner for classes, _, planner in PLANNERS for cls in classes
}
_BY_TYPE: dict[str, ResourcePlanner[Any]] = {rtype.value: planner for _, rtype, planner in PLANNERS}


def planner_for_model(model: Any) -> ResourcePlanner[Any]:
    """The planner of a model instance (exact class lookup)."""
    try:
        return _BY_MODEL[type(model)]
    except KeyError:
        raise TypeError(f"no planner registered for {type(model).__name__}") from None


def planner_for_type(resource_type: str) -> ResourcePlanner[Any] | None:
    """The planner deleting entries of ``resource_type`` (None if unknown)."""
    return _BY_TYPE.get(resource_type)


__all__ = ["PLANNERS", "PlanContext", "ResourcePlanner", "planner_for_model", "planner_for_type"]
