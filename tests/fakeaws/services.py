"""Fake IAM, CloudWatch Logs, EventBridge, S3 notifications and SNS subscriptions."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from tests.fakeaws.core import ACCOUNT, PARTITION, FakeService


class FakeIAM(FakeService):
    """IAM roles with inline policies (global: ARNs carry no region)."""

    service = "iam"
    not_found_code = "NoSuchEntity"

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.roles: dict[str, dict[str, Any]] = {}
        self.policies: dict[str, dict[str, dict[str, Any]]] = {}

    def get_role(self, name: str) -> dict[str, Any] | None:
        self._log("GetRole", RoleName=name)
        with self.lock:
            found = self.roles.get(name)
            return copy.deepcopy(found) if found is not None else None

    def create_role(
        self, name: str, *, trust_policy: dict[str, Any], tags: dict[str, str] | None
    ) -> str:
        params: dict[str, Any] = {
            "RoleName": name,
            "AssumeRolePolicyDocument": json.dumps(trust_policy),
        }
        if tags:
            params["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]
        self._log("CreateRole", **params)
        with self.lock:
            if name in self.roles:
                raise self.error(
                    "CreateRole", "EntityAlreadyExists", f"Role with name {name} already exists."
                )
            arn = self.arn(f"role/{name}", region=False)
            self.roles[name] = {
                "RoleName": name,
                "RoleId": f"AROA{self.new_id(16).upper()}",
                "Arn": arn,
                # botocore hands the URL-encoded document back decoded, as a dict.
                "AssumeRolePolicyDocument": copy.deepcopy(trust_policy),
                "Tags": params.get("Tags", []),
            }
            self.policies[name] = {}
            return arn

    def update_trust_policy(self, name: str, trust_policy: dict[str, Any]) -> None:
        self._log("UpdateAssumeRolePolicy", RoleName=name, PolicyDocument=json.dumps(trust_policy))
        with self.lock:
            if name not in self.roles:
                raise self.missing("UpdateAssumeRolePolicy", f"Role {name}")
            self.roles[name]["AssumeRolePolicyDocument"] = copy.deepcopy(trust_policy)

    def get_role_policy(self, role: str, policy_name: str) -> dict[str, Any] | None:
        self._log("GetRolePolicy", RoleName=role, PolicyName=policy_name)
        with self.lock:
            found = self.policies.get(role, {}).get(policy_name)
            return copy.deepcopy(found) if found is not None else None

    def put_role_policy(self, role: str, policy_name: str, document: dict[str, Any]) -> None:
        self._log("PutRolePolicy", RoleName=role, PolicyName=policy_name, PolicyDocument=document)
        with self.lock:
            if role not in self.roles:
                raise self.missing("PutRolePolicy", f"Role {role}")
            self.policies[role][policy_name] = copy.deepcopy(document)

    def delete_role(self, name: str, *, inline_policies: Sequence[str] | None = None) -> bool:
        # As the real wrapper: the known inline policies first, then the role.
        for policy in inline_policies or ():
            self._log("DeleteRolePolicy", RoleName=name, PolicyName=policy)
        self._log("DeleteRole", RoleName=name)
        with self.lock:
            self.policies.pop(name, None)
            return self.roles.pop(name, None) is not None


class FakeLogs(FakeService):
    """Log groups with retention and tags, and the events ``chalice logs`` reads."""

    service = "logs"

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.groups: dict[str, dict[str, Any]] = {}
        self.tags: dict[str, dict[str, str]] = {}
        self.events: dict[str, list[dict[str, Any]]] = {}

    def get_log_group(self, name: str) -> dict[str, Any] | None:
        self._log("DescribeLogGroups", logGroupNamePrefix=name)
        with self.lock:
            found = self.groups.get(name)
            return copy.deepcopy(found) if found is not None else None

    def create_log_group(self, name: str, *, tags: dict[str, str] | None) -> None:
        params: dict[str, Any] = {"logGroupName": name}
        if tags:
            params["tags"] = tags
        self._log("CreateLogGroup", **params)
        with self.lock:
            # The wrapper takes "already exists" as done (Lambda may have made it).
            if name not in self.groups:
                self.groups[name] = {
                    "logGroupName": name,
                    "arn": self.arn(f"log-group:{name}:*"),
                }
                self.tags[name] = dict(tags or {})

    def put_retention_policy(self, name: str, days: int) -> None:
        self._log("PutRetentionPolicy", logGroupName=name, retentionInDays=days)
        with self.lock:
            if name not in self.groups:
                raise self.missing("PutRetentionPolicy", f"Log group {name}")
            self.groups[name]["retentionInDays"] = days

    def delete_retention_policy(self, name: str) -> bool:
        self._log("DeleteRetentionPolicy", logGroupName=name)
        with self.lock:
            if name not in self.groups:
                return False
            self.groups[name].pop("retentionInDays", None)
            return True

    def filter_log_events(self, **kwargs: Any) -> Mapping[str, Any]:
        self._log("FilterLogEvents", **kwargs)
        with self.lock:
            group = str(kwargs["logGroupName"])
            if group not in self.groups:
                raise self.missing("FilterLogEvents", f"Log group {group}")
            start = int(kwargs.get("startTime") or 0)
            events = [e for e in self.events.get(group, []) if int(e["timestamp"]) >= start]
            return {"events": copy.deepcopy(events)}


class FakeEvents(FakeService):
    """EventBridge rules (schedules and patterns) and their targets."""

    service = "events"

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.rules: dict[str, dict[str, Any]] = {}
        self.targets: dict[str, dict[str, dict[str, Any]]] = {}
        self.tags: dict[str, dict[str, str]] = {}

    def describe_rule(self, name: str) -> dict[str, Any] | None:
        self._log("DescribeRule", Name=name)
        with self.lock:
            found = self.rules.get(name)
            return copy.deepcopy(found) if found is not None else None

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
        self._log("PutRule", **params)
        with self.lock:
            arn = self.arn(f"rule/{name}")
            # PutRule replaces the rule's definition; fields left out are cleared.
            rule: dict[str, Any] = {"Name": name, "Arn": arn, "State": "ENABLED"}
            for key in ("ScheduleExpression", "EventPattern", "Description"):
                if key in params:
                    rule[key] = params[key]
            self.rules[name] = rule
            if tags:
                self.tags.setdefault(name, {}).update(tags)
            return arn

    def list_targets(self, rule: str) -> list[dict[str, Any]]:
        self._log("ListTargetsByRule", Rule=rule)
        with self.lock:
            return [copy.deepcopy(t) for t in self.targets.get(rule, {}).values()]

    def put_target(self, rule: str, *, target_id: str, arn: str) -> None:
        self._log("PutTargets", Rule=rule, Targets=[{"Id": target_id, "Arn": arn}])
        with self.lock:
            if rule not in self.rules:
                raise self.missing("PutTargets", f"Rule {rule}")
            self.targets.setdefault(rule, {})[target_id] = {"Id": target_id, "Arn": arn}

    def delete_rule(self, name: str, *, target_ids: Sequence[str] | None = None) -> bool:
        if target_ids:
            self._log("RemoveTargets", Rule=name, Ids=list(target_ids))
            with self.lock:
                left = self.targets.get(name, {})
                for target_id in target_ids:
                    left.pop(target_id, None)
                others = bool(left)
            if not others:
                self._log("DeleteRule", Name=name)
                return self._drop_rule(name)
            # AWS refuses DeleteRule while targets remain (then we list them).
            self._log("DeleteRule", Name=name)
        with self.lock:
            ids = list(self.targets.get(name, {}))
        self._log("ListTargetsByRule", Rule=name)
        if ids:
            self._log("RemoveTargets", Rule=name, Ids=ids)
        self._log("DeleteRule", Name=name)
        return self._drop_rule(name)

    def _drop_rule(self, name: str) -> bool:
        with self.lock:
            self.targets.pop(name, None)
            self.tags.pop(name, None)
            return self.rules.pop(name, None) is not None


class FakeS3(FakeService):
    """Buckets' notification configurations (the buckets are the user's, made by tests)."""

    service = "s3"
    not_found_code = "NoSuchBucket"

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.notifications: dict[str, dict[str, Any]] = {}

    def create_bucket(self, bucket: str) -> None:
        """Test setup: a bucket with no notifications (not logged)."""
        self.notifications.setdefault(bucket, {})

    def get_notification(self, bucket: str) -> dict[str, Any]:
        self._log("GetBucketNotificationConfiguration", Bucket=bucket)
        with self.lock:
            if bucket not in self.notifications:
                raise self.missing("GetBucketNotificationConfiguration", f"Bucket {bucket}")
            return copy.deepcopy(self.notifications[bucket])

    def put_notification(self, bucket: str, config: dict[str, Any]) -> None:
        self._log(
            "PutBucketNotificationConfiguration", Bucket=bucket, NotificationConfiguration=config
        )
        with self.lock:
            if bucket not in self.notifications:
                raise self.missing("PutBucketNotificationConfiguration", f"Bucket {bucket}")
            self.notifications[bucket] = copy.deepcopy(config)


class FakeSNS(FakeService):
    """Subscriptions of Lambda functions to topics (the topics are the user's)."""

    service = "sns"
    not_found_code = "NotFound"

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.subscriptions: dict[str, list[dict[str, Any]]] = {}

    def create_topic(self, name: str) -> str:
        """Test setup: a topic (not logged); its ARN."""
        arn = self.arn(name)
        self.subscriptions.setdefault(arn, [])
        return arn

    def list_subscriptions(self, topic_arn: str) -> list[dict[str, Any]]:
        self._log("ListSubscriptionsByTopic", TopicArn=topic_arn)
        with self.lock:
            return copy.deepcopy(self.subscriptions.get(topic_arn, []))

    def subscribe_lambda(self, topic_arn: str, function_arn: str) -> str:
        self._log(
            "Subscribe",
            TopicArn=topic_arn,
            Protocol="lambda",
            Endpoint=function_arn,
            ReturnSubscriptionArn=True,
        )
        with self.lock:
            if topic_arn not in self.subscriptions:
                raise self.missing("Subscribe", f"Topic {topic_arn}")
            for sub in self.subscriptions[topic_arn]:
                if sub["Endpoint"] == function_arn:
                    return str(sub["SubscriptionArn"])  # Subscribe is idempotent
            arn = f"{topic_arn}:{uuid.UUID(int=next(self._ids))}"
            self.subscriptions[topic_arn].append(
                {
                    "SubscriptionArn": arn,
                    "Owner": ACCOUNT,
                    "Protocol": "lambda",
                    "Endpoint": function_arn,
                    "TopicArn": topic_arn,
                }
            )
            return arn

    def unsubscribe(self, subscription_arn: str) -> bool:
        self._log("Unsubscribe", SubscriptionArn=subscription_arn)
        with self.lock:
            topic = subscription_arn.rsplit(":", 1)[0]
            subs = self.subscriptions.get(topic, [])
            kept = [s for s in subs if s["SubscriptionArn"] != subscription_arn]
            self.subscriptions[topic] = kept
            return len(kept) != len(subs)


__all__ = ["PARTITION", "FakeEvents", "FakeIAM", "FakeLogs", "FakeS3", "FakeSNS"]
