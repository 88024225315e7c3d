"""CloudWatch Logs: log groups and their retention. Thin wrapper, no decisions."""

from __future__ import annotations

from typing import Any

from chalice.aws.session import Service

NOT_FOUND = ("ResourceNotFoundException",)


class Logs(Service):
    service = "logs"

    def get_log_group(self, name: str) -> dict[str, Any] | None:
        """The log group named exactly ``name`` (with ``retentionInDays``) or None."""
        resp = self._call(self.client.describe_log_groups, logGroupNamePrefix=name)
        for group in resp.get("logGroups", []):
            if group.get("logGroupName") == name:
                return dict(group)
        return None

    def create_log_group(self, name: str, *, tags: dict[str, str] | None) -> None:
        """Create the group (tagged unless ``tags`` is None or empty)."""
        params: dict[str, Any] = {"logGroupName": name}
        if tags:
            # Tags on CreateLogGroup also need logs:TagResource.
            params["tags"] = tags
        try:
            self._call(self.client.create_log_group, **params)
        except Exception as err:
            # Lambda may have created it on first invocation: that is fine.
            if getattr(err, "code", None) != "ResourceAlreadyExistsException":
                raise

    def put_retention_policy(self, name: str, days: int) -> None:
        self._call(self.client.put_retention_policy, logGroupName=name, retentionInDays=days)

    def delete_retention_policy(self, name: str) -> bool:
        return self._delete(self.client.delete_retention_policy, NOT_FOUND, logGroupName=name)

    def filter_log_events(self, **kwargs: Any) -> dict[str, Any]:
        """One page of ``FilterLogEvents`` (botocore's parameters), for ``chalice logs``."""
        return self._call(self.client.filter_log_events, **kwargs)
