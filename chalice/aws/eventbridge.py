"""EventBridge: rules and their targets. Thin wrapper, no decisions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chalice.aws.errors import AWSError
from chalice.aws.session import Service

NOT_FOUND = ("ResourceNotFoundException",)


class Events(Service):
    service = "events"

    def describe_rule(self, name: str) -> dict[str, Any] | None:
        return self._get(self.client.describe_rule, NOT_FOUND, Name=name)

    def put_rule(
        self,
        name: str,
        *,
        schedule_expression: str | None = None,
        event_pattern: str | None = None,
        description: str | None = None,
        tags: dict[str, str] | None = None,
    ) -> str:
        params: dict[str, Any] = {"Name": name}
        if schedule_expression is not None:
            params["ScheduleExpression"] = schedule_expression
        if event_pattern is not None:
            params["EventPattern"] = event_pattern
        if description is not None:
            params["Description"] = description
        if tags:
            params["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]
        return str(self._call(self.client.put_rule, **params)["RuleArn"])

    def list_targets(self, rule: str) -> list[dict[str, Any]]:
        resp = self._get(self.client.list_targets_by_rule, NOT_FOUND, Rule=rule)
        return [] if resp is None else list(resp.get("Targets", []))

    def put_target(self, rule: str, *, target_id: str, arn: str) -> None:
        resp = self._call(self.client.put_targets, Rule=rule, Targets=[{"Id": target_id, "Arn": arn}])
        if resp.get("FailedEntryCount"):
            entry = resp["FailedEntries"][0]
            raise AWSError(
                service=self.service,
                operation="PutTargets",
                code=str(entry.get("ErrorCode")),
                message=str(entry.get("ErrorMessage")),
            )

    def delete_rule(self, name: str, *, target_ids: Sequence[str] | None = None) -> bool:
        """Remove the rule's targets, then the rule. False if it was already gone.

        With ``target_ids`` (the targets the caller put) those are removed
        without listing first; if AWS still refuses DeleteRule because other
        targets remain (added by hand: "Rule can't be deleted since it has
        targets"), every target is listed and removed, and DeleteRule retried.
        """
        if target_ids:
            # RemoveTargets of an id the rule lacks is not an error (the entry
            # is simply not there); a missing rule is ResourceNotFound.
            self._delete(self.client.remove_targets, NOT_FOUND, Rule=name, Ids=list(target_ids))
            try:
                return self._delete(self.client.delete_rule, NOT_FOUND, Name=name)
            except AWSError as err:
                if err.code != "ValidationException" or "target" not in err.message.lower():
                    raise
        targets = self.list_targets(name)
        if targets:
            self._delete(
                self.client.remove_targets, NOT_FOUND, Rule=name, Ids=[t["Id"] for t in targets]
            )
        return self._delete(self.client.delete_rule, NOT_FOUND, Name=name)
