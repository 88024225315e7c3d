"""Typed state records: one frozen class per ``resource_type`` of the state file.

An entry of ``.chalice/deployed/<stage>.json`` is a dict with ``name``,
``resource_type`` and the type's value keys (schema 2.0, SPEC §4.7). The
records give those keys names the type checker can see::

    >>> r = LambdaFunctionRecord.from_entry(
    ...     {"name": "api_handler", "resource_type": "lambda_function", "lambda_arn": "arn:x"})
    >>> r.lambda_arn
    'arn:x'
    >>> r.to_entry()
    {'name': 'api_handler', 'resource_type': 'lambda_function', 'lambda_arn': 'arn:x'}

Every value key is optional: a legacy migrated entry (a ``rest_api`` with no
URL) or one recorded half-way is still readable. ``to_entry`` writes the keys
in the recorded order, so a complete entry round-trips unchanged. Field order
is that order; ``RESOURCE_TYPE`` names the type. Records are pure data: this
module never reads or writes the file (``state.py`` does).
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from chalice.deploy.resources.eventsources import (
    DynamoDBEventRecord,
    KinesisEventRecord,
    SQSEventRecord,
)
from chalice.deploy.resources.iam import IAMRoleRecord
from chalice.deploy.resources.lambdas import LambdaFunctionRecord, LambdaLayerRecord
from chalice.deploy.resources.logs import LogGroupRecord
from chalice.deploy.resources.rules import CloudWatchEventRecord
from chalice.deploy.resources.s3 import S3EventRecord
from chalice.deploy.resources.sns import SNSEventRecord
from chalice.deploy.typekit import ResourceType, StateRecord, lambda_arn_of


@attrs.frozen
class RestAPIRecord(StateRecord):
    """``rest_api``: the REST API (a migrated entry has no URL)."""

    RESOURCE_TYPE: ClassVar[ResourceType] = ResourceType.REST_API
    name: str
    rest_api_id: str | None = None
    rest_api_url: str | None = None
    # Ours, not upstream's (which ignores extra keys): see resources/apigateway.py.
    definition_sha256: str | None = None
    deployment_id: str | None = None


@attrs.frozen
class WebsocketAPIRecord(StateRecord):
    """``websocket_api``: the websocket API."""

    RESOURCE_TYPE: ClassVar[ResourceType] = ResourceType.WEBSOCKET_API
    name: str
    websocket_api_url: str | None = None
    websocket_api_id: str | None = None


@attrs.frozen
class DomainNameRecord(StateRecord):
    """``domain_name``: a custom domain and its API mapping (``[{"key": "/"}]``)."""

    RESOURCE_TYPE: ClassVar[ResourceType] = ResourceType.DOMAIN_NAME
    name: str
    hosted_zone_id: str | None = None
    alias_domain_name: str | None = None
    certificate_arn: str | None = None
    security_policy: str | None = None
    domain_name: str | None = None
    api_mapping: list[dict[str, str]] | None = None


@attrs.frozen
class HttpAPIRecord(StateRecord):
    """``http_api``: an API Gateway v2 HTTP API (ours; upstream has none)."""

    RESOURCE_TYPE: ClassVar[ResourceType] = ResourceType.HTTP_API
    name: str
    http_api_id: str | None = None
    http_api_url: str | None = None


@attrs.frozen
class FunctionUrlRecord(StateRecord):
    """``function_url``: a Lambda function URL (``function_name`` is what it serves)."""

    RESOURCE_TYPE: ClassVar[ResourceType] = ResourceType.FUNCTION_URL
    name: str
    function_url: str | None = None
    function_name: str | None = None


__all__ = [
    "CloudWatchEventRecord",
    "DomainNameRecord",
    "DynamoDBEventRecord",
    "FunctionUrlRecord",
    "HttpAPIRecord",
    "IAMRoleRecord",
    "KinesisEventRecord",
    "LambdaFunctionRecord",
    "LambdaLayerRecord",
    "LogGroupRecord",
    "RestAPIRecord",
    "S3EventRecord",
    "SNSEventRecord",
    "SQSEventRecord",
    "StateRecord",
    "WebsocketAPIRecord",
    "lambda_arn_of",
]
