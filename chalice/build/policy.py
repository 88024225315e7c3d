"""IAM policy documents for the functions' execution roles.

``autogen_policy`` turns the AWS calls found by the static analyzer
(``analyzer.py``) into IAM statements. Method names are mapped to API
operations and IAM actions with botocore's own service models (the
operation names and the service's signing name), so the mapping follows
botocore as it gains services; only the few operations whose IAM action has
a different name are listed here (``_ACTION_OVERRIDES``), each for a reason.

Statements get a ``Sid`` derived from the service name (upstream used a random
one), so regenerating an unchanged app gives an identical document and a
redeploy can see that the role policy did not change.

Also here: the fixed statements (CloudWatch Logs, VPC, X-Ray, event-source
polling, websocket ``ManageConnections``) and loading user policy files.
This module reads source files and policy files; it never calls AWS.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from chalice.build import policy_cache
from chalice.deploy.naming import to_cfn_resource_name
from chalice.errors import ConfigError, UserError

if TYPE_CHECKING:
    from chalice.app._snapshot import EventSourceSpec

Warn = Callable[[str], None]
PolicyDocument = dict[str, Any]

POLICY_VERSION = "2012-10-17"

CLOUDWATCH_LOGS_STATEMENT: Mapping[str, Any] = {
    "Effect": "Allow",
    "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
    "Resource": "arn:*:logs:*:*:*",
}

VPC_STATEMENT: Mapping[str, Any] = {
    "Effect": "Allow",
    "Action": [
        "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DetachNetworkInterface",
    ],
    "Resource": "*",
}

XRAY_STATEMENT: Mapping[str, Any] = {
    "Effect": "Allow",
    "Action": ["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
    "Resource": ["*"],
}

# What Lambda's event source mappings need from the execution role to poll
# on the function's behalf, and what a websocket handler needs to reply.
EVENT_SOURCE_STATEMENTS: Mapping[str, Mapping[str, Any]] = {
    "sqs": {
        "Effect": "Allow",
        "Action": ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
        "Resource": ["*"],
        "Sid": "ChaliceSqsEventSource",
    },
    "kinesis": {
        "Effect": "Allow",
        "Action": [
            "kinesis:DescribeStream",
            "kinesis:DescribeStreamSummary",
            "kinesis:GetRecords",
            "kinesis:GetShardIterator",
            "kinesis:ListShards",
            "kinesis:ListStreams",
            "kinesis:SubscribeToShard",
        ],
        "Resource": ["*"],
        "Sid": "ChaliceKinesisEventSource",
    },
    "dynamodb": {
        "Effect": "Allow",
        "Action": [
            "dynamodb:DescribeStream",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
            "dynamodb:ListStreams",
        ],
        "Resource": ["*"],
        "Sid": "ChaliceDynamodbEventSource",
    },
    "websocket": {
        "Effect": "Allow",
        "Action": ["execute-api:ManageConnections"],
        "Resource": ["arn:*:execute-api:*:*:*/@connections/*"],
        "Sid": "ChaliceWebsocketManageConnections",
    },
}

# The event sources Lambda polls with the role (``EventSourceKind`` values);
# each names its statement above.
_POLLED = frozenset({"sqs", "kinesis", "dynamodb"})

# The client methods of boto3's S3 transfer manager are not API operations;
# these are the actions the transfers they run need.
S3_TRANSFER_ACTIONS: Mapping[str, tuple[str, ...]] = {
    "upload_file": ("s3:AbortMultipartUpload", "s3:PutObject"),
    "upload_fileobj": ("s3:AbortMultipartUpload", "s3:PutObject"),
    "download_file": ("s3:GetObject",),
    "download_fileobj": ("s3:GetObject",),
    "copy": ("s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"),
}

# IAM prefixes that differ from botocore's signing name.
_PREFIX_OVERRIDES: Mapping[str, str] = {
    "monitoring": "cloudwatch",  # CloudWatch signs as "monitoring"; IAM says cloudwatch:*
    "iotdata": "iot",  # IoT data plane actions live under iot:*
}

# Operations whose IAM action is not "<prefix>:<OperationName>" (IAM's
# Service Authorization Reference). Without these the generated policy would
# name actions IAM does not know and the call would be denied.
_ACTION_OVERRIDES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "s3": {
        "ListObjects": ("s3:ListBucket",),
        "ListObjectsV2": ("s3:ListBucket",),
        "HeadBucket": ("s3:ListBucket",),
        "HeadObject": ("s3:GetObject",),
        "ListBuckets": ("s3:ListAllMyBuckets",),
        "ListObjectVersions": ("s3:ListBucketVersions",),
        "ListMultipartUploads": ("s3:ListBucketMultipartUploads",),
        "ListParts": ("s3:ListMultipartUploadParts",),
        "CopyObject": ("s3:GetObject", "s3:PutObject"),
        "UploadPartCopy": ("s3:GetObject", "s3:PutObject"),
        "CreateMultipartUpload": ("s3:PutObject",),
        "UploadPart": ("s3:PutObject",),
        "CompleteMultipartUpload": ("s3:PutObject",),
        "DeleteObjects": ("s3:DeleteObject",),
        "SelectObjectContent": ("s3:GetObject",),
        "GetBucketNotificationConfiguration": ("s3:GetBucketNotification",),
        "PutBucketNotificationConfiguration": ("s3:PutBucketNotification",),
        "GetBucketCors": ("s3:GetBucketCORS",),
        "PutBucketCors": ("s3:PutBucketCORS",),
        "DeleteBucketCors": ("s3:PutBucketCORS",),
        "GetBucketLifecycleConfiguration": ("s3:GetLifecycleConfiguration",),
        "PutBucketLifecycleConfiguration": ("s3:PutLifecycleConfiguration",),
        "DeleteBucketLifecycle": ("s3:PutLifecycleConfiguration",),
        "GetBucketEncryption": ("s3:GetEncryptionConfiguration",),
        "PutBucketEncryption": ("s3:PutEncryptionConfiguration",),
    },
    "lambda": {
        "Invoke": ("lambda:InvokeFunction",),
        "InvokeWithResponseStream": ("lambda:InvokeFunction",),
    },
    "sqs": {
        "SendMessageBatch": ("sqs:SendMessage",),
        "DeleteMessageBatch": ("sqs:DeleteMessage",),
        "ChangeMessageVisibilityBatch": ("sqs:ChangeMessageVisibility",),
    },
    "sns": {"PublishBatch": ("sns:Publish",)},
    "apigatewaymanagementapi": {
        "PostToConnection": ("execute-api:ManageConnections",),
        "GetConnection": ("execute-api:ManageConnections",),
        "DeleteConnection": ("execute-api:ManageConnections",),
    },
    "bedrock-runtime": {
        "Converse": ("bedrock:InvokeModel",),
        "ConverseStream": ("bedrock:InvokeModelWithResponseStream",),
    },
}


class ServiceModels(Protocol):
    """What the policy builder needs to know about an AWS service."""

    def operations(self, service: str) -> Mapping[str, str] | None:
        """Client method name -> API operation name; None for an unknown service."""

    def iam_prefix(self, service: str) -> str:
        """The IAM action prefix of a known service."""


class BotocoreModels:
    """``ServiceModels`` read from the botocore installation (offline)."""

    def __init__(self, session: Any = None) -> None:
        if session is None:
            import botocore.session

            session = botocore.session.get_session()
        self._session = session
        self._models: dict[str, Any] = {}

    def _model(self, service: str) -> Any:
        from botocore.exceptions import UnknownServiceError

        if service not in self._models:
            try:
                self._models[service] = self._session.get_service_model(service)
            except UnknownServiceError:
                self._models[service] = None
        return self._models[service]

    def operations(self, service: str) -> Mapping[str, str] | None:
        from botocore import xform_name

        model = self._model(service)
        if model is None:
            return None
        return {xform_name(op): op for op in model.operation_names}

    def iam_prefix(self, service: str) -> str:
        model = self._model(service)
        name = str(model.signing_name or model.endpoint_prefix)
        return _PREFIX_OVERRIDES.get(name, name)


@functools.lru_cache(maxsize=1)
def _default_models() -> BotocoreModels:
    return BotocoreModels()


def statement_sid(service: str) -> str:
    """The deterministic ``Sid`` of the statement for ``service`` (alphanumeric)."""
    return "Autogen" + to_cfn_resource_name(service)


def actions_for(
    service: str, methods: Iterable[str], *, models: ServiceModels | None = None
) -> list[str] | None:
    """Sorted IAM actions for client ``methods`` of ``service``; None if unknown service.

    Method names that are not operations (``get_paginator``, ``close``...)
    contribute nothing.
    """
    models = models or _default_models()
    ops = models.operations(service)
    if ops is None:
        return None
    prefix = models.iam_prefix(service)
    overrides = _ACTION_OVERRIDES.get(service, {})
    actions: set[str] = set()
    for method in methods:
        if service == "s3" and method in S3_TRANSFER_ACTIONS:
            actions.update(S3_TRANSFER_ACTIONS[method])
            continue
        op = ops.get(method)
        if op is None:
            continue
        actions.update(overrides.get(op, (f"{prefix}:{op}",)))
    return sorted(actions)


def policy_from_calls(
    calls: Mapping[str, Iterable[str]],
    *,
    models: ServiceModels | None = None,
    warn: Warn | None = None,
) -> PolicyDocument:
    """A policy allowing the calls ``{service: {method names}}`` (one statement per service)."""
    statements: list[dict[str, Any]] = []
    for service in sorted(calls):
        actions = actions_for(service, calls[service], models=models)
        if actions is None:
            if warn is not None:
                warn(f"Unsupported service for auto policy generation: {service}")
            continue
        if not actions:
            continue
        statements.append(
            {"Effect": "Allow", "Action": actions, "Resource": ["*"], "Sid": statement_sid(service)}
        )
    return {"Version": POLICY_VERSION, "Statement": statements}


def autogen_policy(
    project_dir: Path, *, models: ServiceModels | None = None, warn: Warn | None = None
) -> PolicyDocument:
    """The analyzer's policy for ``app.py`` and ``chalicelib/`` (no fixed statements).

    With botocore's models (``models`` not given) the document and its
    warnings are cached in ``.chalice/deployments/`` by a hash of the sources
    and of the analyzer/botocore versions (``policy_cache``): an unchanged
    project skips the analysis and the service-model loading.
    """
    project_dir = Path(project_dir)
    found = policy_cache.read_sources(project_dir)
    if models is not None:
        return policy_from_calls(_analyze(found), models=models, warn=warn)
    key = policy_cache.cache_key(found)
    cached = _memo.get(key) or policy_cache.load(project_dir, key)
    if cached is None:
        warnings: list[str] = []
        document = policy_from_calls(_analyze(found), warn=warnings.append)
        cached = (document, warnings)
        policy_cache.store(project_dir, key, document, warnings)
    _memo[key] = cached
    document, warnings = cached
    if warn is not None:
        for line in warnings:
            warn(line)
    # A copy: callers may add statements to what they get.
    return dict(json.loads(json.dumps(document)))


def _analyze(found: policy_cache.ProjectSources) -> dict[str, set[str]]:
    # Imported here: the analyzer is only needed when the sources changed.
    from chalice.build.analyzer import analyze_found

    return analyze_found(found)


# Documents computed or loaded in this process, by cache key.
_memo: dict[str, tuple[PolicyDocument, list[str]]] = {}


def app_policy(
    project_dir: Path,
    *,
    vpc: bool,
    xray: bool,
    include_logs: bool = True,
    models: ServiceModels | None = None,
    warn: Warn | None = None,
) -> PolicyDocument:
    """The autogen policy of a function's role: analyzer statements + logs/VPC/X-Ray."""
    doc = autogen_policy(project_dir, models=models, warn=warn)
    extra: list[Mapping[str, Any]] = []
    if include_logs:
        extra.append(CLOUDWATCH_LOGS_STATEMENT)
    if vpc:
        extra.append(VPC_STATEMENT)
    if xray:
        extra.append(XRAY_STATEMENT)
    return add_statements(doc, extra)


def add_statements(
    document: Mapping[str, Any], statements: Iterable[Mapping[str, Any]]
) -> PolicyDocument:
    """A copy of ``document`` with ``statements`` appended (skipping exact duplicates)."""
    out = json.loads(json.dumps(document))
    existing: list[Any] = out.setdefault("Statement", [])
    for statement in statements:
        copied = json.loads(json.dumps(statement))
        if copied not in existing:
            existing.append(copied)
    return dict(out)


def event_source_statement(source: EventSourceSpec) -> dict[str, Any] | None:
    """The polling statement an event source of the app snapshot needs, if any.

    SQS, Kinesis and DynamoDB stream sources are polled by Lambda with the
    function's role; S3/SNS/CloudWatch/schedule sources push and need none.
    """
    key = source.kind.value
    if key not in _POLLED:
        return None
    return dict(json.loads(json.dumps(EVENT_SOURCE_STATEMENTS[key])))


def websocket_statement() -> dict[str, Any]:
    """``execute-api:ManageConnections`` on every websocket connection (to reply)."""
    return dict(json.loads(json.dumps(EVENT_SOURCE_STATEMENTS["websocket"])))


def load_policy_file(path: Path) -> PolicyDocument:
    """Read a user's IAM policy JSON file; ``ConfigError`` naming the path when unusable."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"IAM policy file not found: {path}",
            where=str(path),
            fix="Create the file with the policy for this stage, or set "
            '"autogen_policy": true (or "iam_policy_file") in .chalice/config.json.',
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"Cannot read IAM policy file {path}: {exc.strerror}",
            where=str(path),
            fix="Make it a readable file holding the policy JSON.",
        ) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"IAM policy file is not UTF-8 text: {exc.reason} at byte {exc.start}",
            where=str(path),
            fix="Save the policy as UTF-8 JSON.",
        ) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"IAM policy file is not valid JSON: {exc.msg}",
            where=f"{path}, line {exc.lineno}, column {exc.colno}",
            fix="Fix the JSON syntax at that position.",
        ) from None
    if not isinstance(doc, dict):
        raise ConfigError(
            "IAM policy file must contain a JSON object (a policy document)",
            where=str(path),
            fix='Use {"Version": "2012-10-17", "Statement": [...]}.',
        )
    _check_statements(doc, path)
    return doc


def _check_statements(doc: dict[str, Any], path: Path) -> None:
    # IAM would refuse these too, but only at deploy time, after the build and
    # possibly after other resources were already changed.
    statements = doc.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        raise ConfigError(
            'IAM policy file has no list of statements ("Statement").',
            where=str(path),
            fix='Use {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
            '"Action": [...], "Resource": "*"}]}.',
        )
    for index, statement in enumerate(statements):
        effect = statement.get("Effect") if isinstance(statement, dict) else None
        if effect not in ("Allow", "Deny"):
            raise ConfigError(
                f"Statement {index} of the IAM policy file is not an object with "
                '"Effect": "Allow" or "Deny".',
                where=f"{path}, Statement[{index}]",
                fix='Write each statement as {"Effect": "Allow", "Action": [...], '
                '"Resource": ...}.',
            )


def gen_policy_text(filename: str | Path, *, warn: Warn | None = None) -> str:
    """What ``chalice gen-policy`` prints for ``filename`` (the analyzer policy only).

    The file's directory is the project: its ``chalicelib/`` is analyzed too.
    """
    path = Path(filename)
    if not path.is_file():
        raise UserError(f"App file does not exist: {filename}")
    from chalice.build.analyzer import analyze_project

    calls = analyze_project(path.parent, app_file=path)
    return json.dumps(policy_from_calls(calls, warn=warn), indent=2)
