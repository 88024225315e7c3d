"""The typed surface of AWS that planners, steps and CLI commands depend on.

One ``Protocol`` per service wrapper, plus ``Clients``, what ``AWSClients``
hands out. Code outside ``chalice/aws`` names these types, never the
botocore-backed classes, so an in-memory fake (``tests/fakeaws``) can
stand in for AWS in unit tests. The semantics every implementation keeps:

* a read of something that does not exist answers ``None`` (or an empty
  list), never an error;
* a delete of something already gone answers ``False``;
* any other failure is an ``AWSError`` (service, operation, AWS's code and
  message);
* ARNs and ids have AWS's shapes.

The protocols of API Gateway (REST, websocket and HTTP APIs) and of function
URLs live in ``protocols_http.py``; every name is importable from here. At
the bottom, under ``TYPE_CHECKING``, mypy checks that the real wrappers
implement these protocols. Nothing here calls AWS.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from chalice.aws.protocols_http import (
    APIGatewayService,
    APIGatewayV2Service,
    FunctionUrlService,
    HttpApiService,
)

__all__ = [
    "APIGatewayService",
    "APIGatewayV2Service",
    "Clients",
    "EventsService",
    "FunctionUrlService",
    "HttpApiService",
    "IAMService",
    "LambdaService",
    "LogsService",
    "S3Service",
    "SNSService",
]


class LambdaService(Protocol):
    """Lambda: functions, permissions, layers, event source mappings, invoke."""

    def get_function(self, name: str) -> dict[str, Any] | None:
        """``GetFunction``: ``Configuration``, ``Tags``, ``Concurrency``; None if absent."""
        ...

    def create_function(self, params: dict[str, Any], zip_bytes: bytes) -> dict[str, Any]:
        """``CreateFunction`` (no wait); the new function's configuration."""
        ...

    def update_code(self, name: str, zip_bytes: bytes, *, architecture: str) -> None:
        """Replace the code and wait until the update is applied."""
        ...

    def update_configuration(self, name: str, params: dict[str, Any]) -> None:
        """Change the configuration and wait until it is applied."""
        ...

    def wait_ready(self, name: str, current: dict[str, Any] | None = None) -> None:
        """Wait until the function is neither Pending nor InProgress."""
        ...

    def tag(self, arn: str, tags: dict[str, str]) -> None:
        """Add or overwrite tags of the function ``arn``."""
        ...

    def untag(self, arn: str, keys: list[str]) -> None:
        """Remove tag ``keys`` from the function ``arn``."""
        ...

    def put_concurrency(self, name: str, value: int) -> None:
        """Reserve ``value`` concurrent executions."""
        ...

    def delete_concurrency(self, name: str) -> None:
        """Remove the reserved concurrency (fine if there is none)."""
        ...

    def delete_function(self, name: str) -> bool:
        """Delete the function (name or ARN); False if it was gone."""
        ...

    def get_policy(self, name: str) -> tuple[str, list[dict[str, Any]]] | None:
        """The resource policy's ``RevisionId`` and statements (None without one)."""
        ...

    def get_policy_statements(self, name: str) -> list[dict[str, Any]]:
        """The statements of the function's resource policy ([] without one)."""
        ...

    def add_permission(
        self,
        name: str,
        *,
        statement_id: str,
        principal: str,
        source_arn: str,
        source_account: str | None = None,
    ) -> None:
        """Let ``principal`` invoke the function from ``source_arn`` (idempotent by id)."""
        ...

    def remove_permission(self, name: str, statement_id: str) -> bool:
        """Remove one statement; False if it was gone."""
        ...

    def list_layer_versions(self, layer_name: str) -> list[dict[str, Any]]:
        """The versions of a layer ([] if there is no such layer)."""
        ...

    def get_layer_version(self, arn: str) -> dict[str, Any] | None:
        """The layer version ``arn`` or None."""
        ...

    def publish_layer(
        self,
        layer_name: str,
        zip_bytes: bytes,
        *,
        runtime: str,
        architecture: str,
        description: str,
    ) -> str:
        """Publish a new version; its ARN."""
        ...

    def delete_layer_version(self, version_arn: str) -> bool:
        """Delete one layer version; False if it was gone."""
        ...

    def get_mapping(self, uuid: str) -> dict[str, Any] | None:
        """The event source mapping ``uuid`` or None."""
        ...

    def list_mappings(self, function_name: str, source_arn: str) -> list[dict[str, Any]]:
        """The mappings from ``source_arn`` to the function."""
        ...

    def create_mapping(self, params: dict[str, Any]) -> str:
        """``CreateEventSourceMapping``; the new mapping's UUID."""
        ...

    def update_mapping(self, uuid: str, params: dict[str, Any]) -> None:
        """Change a mapping's settings."""
        ...

    def delete_mapping(self, uuid: str) -> bool:
        """Delete a mapping; False if it was gone."""
        ...

    def invoke(self, **kwargs: Any) -> Mapping[str, Any]:
        """``Invoke`` with botocore's parameters (``chalice invoke``); never retried."""
        ...


class IAMService(Protocol):
    """IAM: roles and their inline policies."""

    def get_role(self, name: str) -> dict[str, Any] | None:
        """The role (``Arn``, ``AssumeRolePolicyDocument``, ``Tags``) or None."""
        ...

    def create_role(
        self, name: str, *, trust_policy: dict[str, Any], tags: dict[str, str] | None
    ) -> str:
        """Create the role (tagged when ``tags``); its ARN."""
        ...

    def update_trust_policy(self, name: str, trust_policy: dict[str, Any]) -> None:
        """Replace the role's trust policy."""
        ...

    def get_role_policy(self, role: str, policy_name: str) -> dict[str, Any] | None:
        """An inline policy document or None."""
        ...

    def put_role_policy(self, role: str, policy_name: str, document: dict[str, Any]) -> None:
        """Create or replace an inline policy."""
        ...

    def delete_role(self, name: str, *, inline_policies: Sequence[str] | None = None) -> bool:
        """Delete the role and what IAM requires gone first; False if it was gone.

        ``inline_policies`` names the inline policies known to exist (from the
        state), so the common case needs no List call first.
        """
        ...


class LogsService(Protocol):
    """CloudWatch Logs: log groups, retention, and reading events."""

    def get_log_group(self, name: str) -> dict[str, Any] | None:
        """The log group named exactly ``name`` or None."""
        ...

    def create_log_group(self, name: str, *, tags: dict[str, str] | None) -> None:
        """Create the group (fine if it exists)."""
        ...

    def put_retention_policy(self, name: str, days: int) -> None:
        """Keep events ``days`` days."""
        ...

    def delete_retention_policy(self, name: str) -> bool:
        """Keep events forever; False if the group was gone."""
        ...

    def filter_log_events(self, **kwargs: Any) -> Mapping[str, Any]:
        """One page of ``FilterLogEvents`` with botocore's parameters (``chalice logs``)."""
        ...


class EventsService(Protocol):
    """EventBridge: rules and their targets."""

    def describe_rule(self, name: str) -> dict[str, Any] | None:
        """The rule or None."""
        ...

    def put_rule(
        self,
        name: str,
        *,
        schedule_expression: str | None = None,
        event_pattern: str | None = None,
        description: str | None = None,
        tags: dict[str, str] | None = None,
    ) -> str:
        """Create or update a rule; its ARN."""
        ...

    def list_targets(self, rule: str) -> list[dict[str, Any]]:
        """The rule's targets ([] for an unknown rule)."""
        ...

    def put_target(self, rule: str, *, target_id: str, arn: str) -> None:
        """Create or replace target ``target_id``."""
        ...

    def delete_rule(self, name: str, *, target_ids: Sequence[str] | None = None) -> bool:
        """Remove the targets (``target_ids`` without listing), then the rule; False if gone."""
        ...


class S3Service(Protocol):
    """S3: bucket notification configuration."""

    def get_notification(self, bucket: str) -> dict[str, Any]:
        """The bucket's notification configuration."""
        ...

    def put_notification(self, bucket: str, config: dict[str, Any]) -> None:
        """Replace the bucket's notification configuration."""
        ...


class SNSService(Protocol):
    """SNS: Lambda subscriptions to topics."""

    def list_subscriptions(self, topic_arn: str) -> list[dict[str, Any]]:
        """The topic's subscriptions ([] for an unknown topic)."""
        ...

    def subscribe_lambda(self, topic_arn: str, function_arn: str) -> str:
        """Subscribe the function; the subscription's ARN."""
        ...

    def unsubscribe(self, subscription_arn: str) -> bool:
        """Remove a subscription; False if it was gone."""
        ...


class Clients(Protocol):
    """What a planner or step may use: the account's identity and each service.

    ``account_id`` is the caller's account (STS ``GetCallerIdentity``, asked
    once per deploy).
    """

    @property
    def region(self) -> str:
        """The deploy's region."""
        ...

    @property
    def partition(self) -> str:
        """``aws``, ``aws-cn``... of the region."""
        ...

    @property
    def dns_suffix(self) -> str:
        """``amazonaws.com`` or the partition's own."""
        ...

    @property
    def account_id(self) -> str:
        """The caller's account id."""
        ...

    def arn(self, service: str, resource: str, *, region: bool = True) -> str:
        """``arn:<partition>:<service>:<region>:<account>:<resource>``."""
        ...

    def arn_apigateway(self, api_id: str) -> str:
        """The taggable ARN of a REST API (no account in it)."""
        ...

    @property
    def iam(self) -> IAMService:
        """IAM."""
        ...

    @property
    def lambda_(self) -> LambdaService:
        """Lambda."""
        ...

    @property
    def logs(self) -> LogsService:
        """CloudWatch Logs."""
        ...

    @property
    def apigateway(self) -> APIGatewayService:
        """API Gateway v1."""
        ...

    @property
    def apigatewayv2(self) -> APIGatewayV2Service:
        """API Gateway v2."""
        ...

    @property
    def events(self) -> EventsService:
        """EventBridge."""
        ...

    @property
    def s3(self) -> S3Service:
        """S3."""
        ...

    @property
    def sns(self) -> SNSService:
        """SNS."""
        ...

    @property
    def httpapi(self) -> HttpApiService:
        """API Gateway v2 HTTP APIs."""
        ...

    @property
    def function_urls(self) -> FunctionUrlService:
        """Lambda function URLs."""
        ...


if TYPE_CHECKING:
    # mypy checks here that the botocore-backed wrappers implement the protocols.
    from chalice.aws.apigateway import APIGateway
    from chalice.aws.apigatewayv2 import APIGatewayV2
    from chalice.aws.eventbridge import Events
    from chalice.aws.function_urls import FunctionUrls
    from chalice.aws.httpapi import HttpApis
    from chalice.aws.iam import IAM
    from chalice.aws.lambda_ import Lambda
    from chalice.aws.logs import Logs
    from chalice.aws.s3 import S3
    from chalice.aws.session import AWSClients
    from chalice.aws.sns import SNS

    def _conforms(
        lam: Lambda,
        iam: IAM,
        logs: Logs,
        v1: APIGateway,
        v2: APIGatewayV2,
        events: Events,
        s3: S3,
        sns: SNS,
        http: HttpApis,
        urls: FunctionUrls,
        clients: AWSClients,
    ) -> tuple[
        LambdaService,
        IAMService,
        LogsService,
        APIGatewayService,
        APIGatewayV2Service,
        EventsService,
        S3Service,
        SNSService,
        HttpApiService,
        FunctionUrlService,
        Clients,
    ]:
        return lam, iam, logs, v1, v2, events, s3, sns, http, urls, clients
