"""The ``log_group`` type: Lambda log groups and their retention.

Deleting only removes the retention policy and keeps the logs (upstream's
behaviour, kept on purpose: logs outlive the app that wrote them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from chalice.deploy.emitters import sam, terraform
from chalice.deploy.plan import Action, Step, StepContext, diff
from chalice.deploy.resources.base import PlanContext
from chalice.deploy.typekit import (
    DeleteTier,
    ResourceDescriptor,
    ResourceType,
    StateRecord,
)

if TYPE_CHECKING:
    from chalice.deploy.models import Resource


@attrs.frozen
class LogGroup:
    resource_name: str  # "<fn>-log-group"
    log_group_name: str  # "/aws/lambda/<app>-<stage>-<fn>"
    retention_in_days: int
    resource_type: ResourceType = ResourceType.LOG_GROUP

    def dependencies(self) -> list[Resource]:
        return []


class LogGroupRecord(StateRecord):
    """``log_group``: a function's log group with a retention policy."""

    RESOURCE_TYPE: ClassVar[ResourceType] = ResourceType.LOG_GROUP
    name: str
    log_group_name: str | None = None


class LogGroupPlanner:
    def plan(self, model: LogGroup, recorded: dict[str, Any] | None, ctx: PlanContext) -> Step:
        name = model.log_group_name
        days = model.retention_in_days
        values = LogGroupRecord(model.resource_name, log_group_name=name).values()
        group = ctx.clients.logs.get_log_group(name)
        rtype = model.resource_type.value
        if group is None:
            tags = ctx.identity_tags(model.resource_name)

            def create(sc: StepContext) -> Mapping[str, Any]:
                sc.say(f"Creating log group: {name}")
                ctx.tagging.create(
                    "logs", tags, lambda t: sc.clients.logs.create_log_group(name, tags=t)
                )
                sc.record(values)
                sc.clients.logs.put_retention_policy(name, days)
                return values

            return Step(model.resource_name, rtype, Action.CREATE, create, expected=values)
        changes = diff({"retention_in_days": (group.get("retentionInDays"), days)})
        if not changes:
            return Step(
                model.resource_name, rtype, Action.UNCHANGED, recorded=values, expected=values
            )

        def update(sc: StepContext) -> Mapping[str, Any]:
            sc.say(f"Updating log group retention: {name}")
            sc.clients.logs.put_retention_policy(name, days)
            return values

        return Step(
            model.resource_name, rtype, Action.UPDATE, update, changes=changes, expected=values
        )

    def plan_delete(self, recorded: dict[str, Any], ctx: PlanContext) -> Step:
        rec = LogGroupRecord.from_entry(recorded)
        name = str(rec.log_group_name)

        def delete(sc: StepContext) -> None:
            sc.say(f"Deleting retention policy of log group: {name}")
            sc.clients.logs.delete_retention_policy(name)

        return Step(rec.name, rec.RESOURCE_TYPE.value, Action.DELETE, delete)


DESCRIPTOR = ResourceDescriptor[LogGroup, LogGroupRecord](
    resource_type=ResourceType.LOG_GROUP,
    aws_services=("logs",),
    model_classes=(LogGroup,),
    record=lambda: LogGroupRecord,
    delete_tier=DeleteTier.FOUNDATIONS,
    planner=LogGroupPlanner,
    # Emitted by its function (the group is named after it).
    sam=lambda: sam.emit_with_owner,
    terraform=lambda: terraform.emit_with_owner,
    graph=None,  # graph.py, with its function
    role_statement=None,
    decorators=(),
    report=None,
)
