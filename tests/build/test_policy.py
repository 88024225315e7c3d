"""IAM policy generation: botocore-model action mapping, fixed statements, policy files."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping
from pathlib import Path

import pytest

from chalice.build import policy
from chalice.build.policy import (
    CLOUDWATCH_LOGS_STATEMENT,
    EVENT_SOURCE_STATEMENTS,
    VPC_STATEMENT,
    XRAY_STATEMENT,
    actions_for,
    add_statements,
    app_policy,
    autogen_policy,
    gen_policy_text,
    load_policy_file,
    policy_from_calls,
    statement_sid,
)
from chalice.errors import ConfigError, UserError


@pytest.mark.parametrize(
    ("service", "method", "action"),
    [
        ("dynamodb", "put_item", "dynamodb:PutItem"),
        ("dynamodb", "batch_write_item", "dynamodb:BatchWriteItem"),
        ("s3", "get_object", "s3:GetObject"),
        ("s3", "put_object", "s3:PutObject"),
        ("sqs", "send_message", "sqs:SendMessage"),
        ("sns", "publish", "sns:Publish"),
        ("lambda", "list_functions", "lambda:ListFunctions"),
        ("kinesis", "put_record", "kinesis:PutRecord"),
        ("secretsmanager", "get_secret_value", "secretsmanager:GetSecretValue"),
        # Signing name differs from the client name.
        ("stepfunctions", "start_execution", "states:StartExecution"),
        ("dynamodbstreams", "get_records", "dynamodb:GetRecords"),
        ("sesv2", "send_email", "ses:SendEmail"),
        ("bedrock-runtime", "invoke_model", "bedrock:InvokeModel"),
        # IAM prefix differs from the signing name.
        ("cloudwatch", "put_metric_data", "cloudwatch:PutMetricData"),
        # Operation name differs from the IAM action.
        ("lambda", "invoke", "lambda:InvokeFunction"),
        ("s3", "list_objects_v2", "s3:ListBucket"),
        ("s3", "head_object", "s3:GetObject"),
        ("sqs", "send_message_batch", "sqs:SendMessage"),
        ("apigatewaymanagementapi", "post_to_connection", "execute-api:ManageConnections"),
    ],
)
def test_method_to_action_via_botocore_models(service: str, method: str, action: str) -> None:
    assert actions_for(service, [method]) == [action]


def test_s3_transfer_helpers_map_to_object_actions() -> None:
    assert actions_for("s3", ["upload_file"]) == ["s3:AbortMultipartUpload", "s3:PutObject"]
    assert actions_for("s3", ["download_fileobj"]) == ["s3:GetObject"]
    assert actions_for("s3", ["copy"]) == [
        "s3:AbortMultipartUpload",
        "s3:GetObject",
        "s3:PutObject",
    ]


def test_non_operation_methods_contribute_nothing() -> None:
    assert actions_for("s3", ["get_paginator", "close", "can_paginate"]) == []
    assert policy_from_calls({"s3": {"close"}}) == {"Version": "2012-10-17", "Statement": []}


def test_unknown_service_warns_instead_of_failing() -> None:
    warnings: list[str] = []
    doc = policy_from_calls(
        {"nosuchservice": {"frob"}, "sqs": {"send_message"}}, warn=warnings.append
    )
    assert warnings == ["Unsupported service for auto policy generation: nosuchservice"]
    assert [s["Sid"] for s in doc["Statement"]] == ["AutogenSqs"]


def test_statements_are_sorted_and_deterministic() -> None:
    calls = {"sqs": {"send_message", "delete_message"}, "dynamodb": {"query", "get_item"}}
    doc = policy_from_calls(calls)
    assert doc == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:Query"],
                "Resource": ["*"],
                "Sid": "AutogenDynamodb",
            },
            {
                "Effect": "Allow",
                "Action": ["sqs:DeleteMessage", "sqs:SendMessage"],
                "Resource": ["*"],
                "Sid": "AutogenSqs",
            },
        ],
    }
    again = policy_from_calls(
        {"dynamodb": {"get_item", "query"}, "sqs": {"delete_message", "send_message"}}
    )
    assert json.dumps(again) == json.dumps(doc)


def test_sid_is_alphanumeric() -> None:
    assert statement_sid("iot-data") == "AutogenIotData"
    assert statement_sid("bedrock-runtime").isalnum()


class FakeModels:
    """A two-service world, to check the builder uses what models say."""

    def operations(self, service: str) -> Mapping[str, str] | None:
        return {"do_thing": "DoThing"} if service == "fake" else None

    def iam_prefix(self, service: str) -> str:
        return "fakeprefix"


def test_models_are_injectable() -> None:
    doc = policy_from_calls({"fake": {"do_thing"}}, models=FakeModels())
    assert doc["Statement"][0]["Action"] == ["fakeprefix:DoThing"]


def write_app(project: Path, source: str) -> Path:
    project.mkdir(parents=True, exist_ok=True)
    (project / "app.py").write_text(textwrap.dedent(source))
    return project


APP = """
import boto3
from chalice import Chalice
app = Chalice(app_name='demo')
table = boto3.resource('dynamodb').Table('t')

@app.route('/')
def index():
    table.put_item(Item={})
    boto3.client('s3').list_objects_v2(Bucket='b')
"""


def test_autogen_policy_for_project(tmp_path: Path) -> None:
    doc = autogen_policy(write_app(tmp_path, APP))
    assert doc["Statement"] == [
        {
            "Effect": "Allow",
            "Action": ["dynamodb:PutItem"],
            "Resource": ["*"],
            "Sid": "AutogenDynamodb",
        },
        {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": ["*"], "Sid": "AutogenS3"},
    ]


def test_app_policy_adds_logs_vpc_xray(tmp_path: Path) -> None:
    project = write_app(tmp_path, APP)
    plain = app_policy(project, vpc=False, xray=False)
    assert plain["Statement"][-1] == dict(CLOUDWATCH_LOGS_STATEMENT)
    full = app_policy(project, vpc=True, xray=True)
    assert full["Statement"][-3:] == [
        dict(CLOUDWATCH_LOGS_STATEMENT),
        dict(VPC_STATEMENT),
        dict(XRAY_STATEMENT),
    ]
    no_logs = app_policy(project, vpc=False, xray=False, include_logs=False)
    assert dict(CLOUDWATCH_LOGS_STATEMENT) not in no_logs["Statement"]


def test_app_policy_of_app_without_aws_calls_has_only_logs(tmp_path: Path) -> None:
    project = write_app(tmp_path, "from chalice import Chalice\napp = Chalice(app_name='x')\n")
    assert app_policy(project, vpc=False, xray=False) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": "arn:*:logs:*:*:*",
            }
        ],
    }


def test_event_source_and_websocket_statements() -> None:
    assert EVENT_SOURCE_STATEMENTS["sqs"]["Action"] == [
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ReceiveMessage",
    ]
    assert policy.websocket_statement()["Resource"] == ["arn:*:execute-api:*:*:*/@connections/*"]
    assert "dynamodb:GetRecords" in EVENT_SOURCE_STATEMENTS["dynamodb"]["Action"]
    assert "kinesis:GetRecords" in EVENT_SOURCE_STATEMENTS["kinesis"]["Action"]


def test_event_source_statement_from_snapshot_entries() -> None:
    from chalice.app._snapshot import S3EventSpec, SQSEventSpec

    sqs = SQSEventSpec("f", "app.f", "q", None, 1, 0, None)
    assert policy.event_source_statement(sqs) == dict(EVENT_SOURCE_STATEMENTS["sqs"])
    s3 = S3EventSpec("g", "app.g", "bucket", ("s3:ObjectCreated:*",), None, None)
    assert policy.event_source_statement(s3) is None


def test_add_statements_copies_and_skips_duplicates() -> None:
    base = {"Version": "2012-10-17", "Statement": []}
    once = add_statements(base, [EVENT_SOURCE_STATEMENTS["sqs"]])
    twice = add_statements(once, [EVENT_SOURCE_STATEMENTS["sqs"]])
    assert base["Statement"] == []
    assert len(twice["Statement"]) == 1


def test_load_policy_file(tmp_path: Path) -> None:
    path = tmp_path / "policy-dev.json"
    path.write_text('{"Version": "2012-10-17", "Statement": []}')
    assert load_policy_file(path) == {"Version": "2012-10-17", "Statement": []}


def test_missing_policy_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / ".chalice" / "policy-prod.json"
    with pytest.raises(ConfigError) as info:
        load_policy_file(path)
    assert str(path) in str(info.value)
    assert "autogen_policy" in str(info.value)


def test_invalid_policy_file_gives_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "policy-dev.json"
    path.write_text('{\n  "Version": "2012-10-17",\n  "Statement": [,]\n}')
    with pytest.raises(ConfigError) as info:
        load_policy_file(path)
    message = str(info.value)
    assert str(path) in message
    assert "line 3, column 17" in message


def test_policy_file_must_be_an_object(tmp_path: Path) -> None:
    path = tmp_path / "policy-dev.json"
    path.write_text("[]")
    with pytest.raises(ConfigError):
        load_policy_file(path)


def test_gen_policy_text(tmp_path: Path) -> None:
    project = write_app(tmp_path, APP)
    text = gen_policy_text(project / "app.py")
    doc = json.loads(text)
    assert [s["Sid"] for s in doc["Statement"]] == ["AutogenDynamodb", "AutogenS3"]
    assert "logs:" not in text


def test_gen_policy_text_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UserError) as info:
        gen_policy_text(tmp_path / "nope.py")
    assert str(info.value) == f"App file does not exist: {tmp_path / 'nope.py'}"
