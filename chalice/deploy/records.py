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

Each record class lives in its type's module (``chalice/deploy/resources/
<type>.py``) and ``StateRecord`` in ``typekit.py``; this module re-exports
them under one name (``records.SNSEventRecord``).
"""

from __future__ import annotations

from chalice.deploy.resources.apigateway import RestAPIRecord
from chalice.deploy.resources.domain import DomainNameRecord
from chalice.deploy.resources.eventsources import (
    DynamoDBEventRecord,
    KinesisEventRecord,
    SQSEventRecord,
)
from chalice.deploy.resources.function_url import FunctionUrlRecord
from chalice.deploy.resources.httpapi import HttpAPIRecord
from chalice.deploy.resources.iam import IAMRoleRecord
from chalice.deploy.resources.lambdas import LambdaFunctionRecord, LambdaLayerRecord
from chalice.deploy.resources.logs import LogGroupRecord
from chalice.deploy.resources.rules import CloudWatchEventRecord
from chalice.deploy.resources.s3 import S3EventRecord
from chalice.deploy.resources.sns import SNSEventRecord
from chalice.deploy.resources.websocket import WebsocketAPIRecord
from chalice.deploy.typekit import StateRecord, lambda_arn_of

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
