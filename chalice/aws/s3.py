"""S3: bucket notification configuration only. Thin wrapper, no decisions."""

from __future__ import annotations

from typing import Any

from chalice.aws.session import Service

# Keys of a NotificationConfiguration that PutBucketNotificationConfiguration accepts.
CONFIG_KEYS = (
    "TopicConfigurations",
    "QueueConfigurations",
    "LambdaFunctionConfigurations",
    "EventBridgeConfiguration",
)


class S3(Service):
    service = "s3"

    def get_notification(self, bucket: str) -> dict[str, Any]:
        resp = self._call(self.client.get_bucket_notification_configuration, Bucket=bucket)
        return {k: resp[k] for k in CONFIG_KEYS if k in resp}

    def put_notification(self, bucket: str, config: dict[str, Any]) -> None:
        self._call(
            self.client.put_bucket_notification_configuration,
            Bucket=bucket,
            NotificationConfiguration=config,
        )
