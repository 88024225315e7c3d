"""Planner for Lambda log groups and their retention.

Deleting only removes the retention policy and keeps the logs (upstream's
behaviour, kept on purpose: logs outlive the app that wrote them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalice.deploy import models
from chalice.deploy.plan import Action, Step, StepContext, diff
from chalice.deploy.records import LogGroupRecord
from chalice.deploy.resources.base import PlanContext


class LogGroupPlanner:
    def plan(
        self, model: models.LogGroup, recorded: dict[str, Any] | None, ctx: PlanContext
    ) -> Step:
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
