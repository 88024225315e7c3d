"""SNS: Lambda subscriptions to topics. Thin wrapper, no decisions."""

from __future__ import annotations

from typing import Any

from chalice.aws.session import Service

NOT_FOUND = ("NotFound", "NotFoundException")


class SNS(Service):
    service = "sns"

    def list_subscriptions(self, topic_arn: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {"TopicArn": topic_arn}
            if token:
                params["NextToken"] = token
            resp = self._get(self.client.list_subscriptions_by_topic, NOT_FOUND, **params)
            if resp is None:
                return out
            out.extend(resp.get("Subscriptions", []))
            token = resp.get("NextToken")
            if not token:
                return out

    def subscribe_lambda(self, topic_arn: str, function_arn: str) -> str:
        resp = self._call(
            self.client.subscribe,
            TopicArn=topic_arn,
            Protocol="lambda",
            Endpoint=function_arn,
            ReturnSubscriptionArn=True,
        )
        return str(resp["SubscriptionArn"])

    def unsubscribe(self, subscription_arn: str) -> bool:
        return self._delete(
            self.client.unsubscribe, NOT_FOUND + ("InvalidParameter",), SubscriptionArn=subscription_arn
        )
