"""The AWS-realism layer itself: virtual clock, quotas, propagation, states, tag denial.

Pure parts are tested on their own; the hooks through real botocore clients
against the moto server (``shared_env``: not reset, so names are unique per
test). Every wait is virtual: ``clock.advance`` stands for time passing.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import zipfile
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.deploy.e2e import realism
from tests.deploy.e2e.models_kit import POLICY, TRUST
from tests.deploy.e2e.realism_quotas import (
    AWS_QUOTAS,
    Quotas,
    Rate,
    VirtualClock,
    bucket_names,
)

# -- virtual clock ------------------------------------------------------------------


def test_sleep_advances_virtual_time_at_once() -> None:
    clock = VirtualClock(start=100.0)
    assert clock.now() == 100.0
    clock.sleep(2.5)
    clock.sleep(0.5)
    assert clock.now() == 103.0
    assert (clock.sleeps, clock.slept) == (2, 3.0)
    clock.advance(7)
    assert clock.now() == 110.0
    with pytest.raises(ValueError):
        clock.sleep(-1)


def test_parallel_sleeps_from_one_instant_overlap() -> None:
    # Two workers look at the clock at t=0, then both wait 1 s: 1 s passed, not 2.
    clock = VirtualClock()
    barrier = threading.Barrier(2)

    def worker() -> None:
        clock.now()
        barrier.wait()
        clock.sleep(1.0)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert clock.now() == 1.0
    clock.sleep(1.0)  # this thread's next wait starts from what it last saw
    assert clock.now() == 2.0


# -- quotas ---------------------------------------------------------------------------


def test_published_numbers() -> None:
    assert AWS_QUOTAS["apigateway:CreateRestApi:REGIONAL"] == Rate(1 / 3)
    assert AWS_QUOTAS["apigateway:ImportRestApi:EDGE"] == Rate(1 / 30)
    assert AWS_QUOTAS["apigateway:CreateDeployment"] == Rate(1 / 5)
    assert AWS_QUOTAS["apigateway:DeleteRestApi"] == Rate(1 / 30)
    assert AWS_QUOTAS["apigateway:PutRestApi"] == Rate(1.0)
    assert AWS_QUOTAS["apigateway:CreateDomainName"] == Rate(1 / 30)
    assert AWS_QUOTAS["apigateway:*"] == Rate(10.0, 40)
    assert AWS_QUOTAS["lambda:*"].per_second == 15
    assert AWS_QUOTAS["lambda:GetFunction"].per_second == 100
    assert AWS_QUOTAS["lambda:GetPolicy"].per_second == 15


@pytest.mark.parametrize(
    ("service", "op", "params", "expected"),
    [
        ("apigateway", "CreateRestApi", {}, ("apigateway:*", "apigateway:CreateRestApi:EDGE")),
        (
            "apigateway",
            "CreateRestApi",
            {"endpointConfiguration": {"types": ["PRIVATE"]}},
            ("apigateway:*", "apigateway:CreateRestApi:REGIONAL"),
        ),
        (
            "apigateway",
            "ImportRestApi",
            {"parameters": {"endpointConfigurationTypes": "REGIONAL"}},
            ("apigateway:*", "apigateway:ImportRestApi:REGIONAL"),
        ),
        ("apigateway", "GetRestApi", {}, ("apigateway:*",)),
        ("apigatewayv2", "CreateDomainName", {}, ("apigateway:*", "apigateway:CreateDomainName")),
        ("apigatewayv2", "CreateDeployment", {}, ("apigateway:*",)),
        ("lambda", "GetFunction", {}, ("lambda:GetFunction",)),
        ("lambda", "GetFunctionConfiguration", {}, ("lambda:*",)),
        ("lambda", "Invoke", {}, ()),
        ("iam", "CreateRole", {}, ()),
    ],
)
def test_bucket_names(service: str, op: str, params: dict[str, Any], expected: Any) -> None:
    assert bucket_names(service, op, params) == expected


def test_one_per_three_seconds() -> None:
    quotas = Quotas()
    regional = {"endpointConfiguration": {"types": ["REGIONAL"]}}
    assert quotas.admit("apigateway", "CreateRestApi", regional, 0.0) == 0
    assert quotas.admit("apigateway", "CreateRestApi", regional, 1.0) == pytest.approx(2.0)
    assert quotas.admit("apigateway", "CreateRestApi", regional, 3.0) == 0
    # Edge-optimized has its own, slower quota.
    assert quotas.admit("apigateway", "CreateRestApi", {}, 3.0) == 0
    assert quotas.admit("apigateway", "CreateRestApi", {}, 4.0) == pytest.approx(29.0)


def test_management_burst_then_rate() -> None:
    quotas = Quotas()
    assert all(quotas.admit("apigateway", "GetRestApi", {}, 0.0) == 0 for _ in range(40))
    assert quotas.admit("apigatewayv2", "GetApis", {}, 0.0) == pytest.approx(0.1)
    assert quotas.admit("apigateway", "GetRestApi", {}, 0.1) == 0


def test_a_refused_call_takes_no_token() -> None:
    # CreateDeployment is refused by its own quota: the shared one keeps its token.
    quotas = Quotas({"apigateway:*": Rate(1.0, 2), "apigateway:CreateDeployment": Rate(1 / 5)})
    assert quotas.admit("apigateway", "CreateDeployment", {}, 0.0) == 0
    assert quotas.admit("apigateway", "CreateDeployment", {}, 0.0) > 0
    assert quotas.admit("apigateway", "GetRestApi", {}, 0.0) == 0


def test_retry_after_is_whole_seconds_at_least_one() -> None:
    from tests.deploy.e2e.realism_quotas import retry_after_header

    assert [retry_after_header(w) for w in (0.01, 1.0, 2.2, 29.0)] == ["1", "1", "3", "29"]


def test_speed_scales_the_refill() -> None:
    quotas = Quotas(speed=10)
    assert quotas.admit("apigateway", "DeleteRestApi", {}, 0.0) == 0
    assert quotas.admit("apigateway", "DeleteRestApi", {}, 0.0) == pytest.approx(3.0)
    with pytest.raises(ValueError):
        Quotas(speed=0)


def test_lambda_control_plane() -> None:
    quotas = Quotas()
    assert all(quotas.admit("lambda", "UpdateFunctionCode", {}, 0.0) == 0 for _ in range(15))
    assert quotas.admit("lambda", "GetFunctionConfiguration", {}, 0.0) > 0
    # GetFunction and GetPolicy have their own quotas.
    assert quotas.admit("lambda", "GetFunction", {}, 0.0) == 0
    assert quotas.admit("lambda", "GetPolicy", {}, 0.0) == 0


# -- hooks, through botocore against moto ------------------------------------------------


@pytest.fixture
def uid(request: pytest.FixtureRequest) -> str:
    return "r" + hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:8]


@pytest.fixture
def layer() -> realism.AWSRealism:
    return realism.AWSRealism(iam_delay=10, pending=2, vpc_pending=30, in_progress=3)


@pytest.fixture
def client(shared_env: str, layer: realism.AWSRealism) -> Any:
    import botocore.session

    session = layer.attach(botocore.session.Session())
    return session.create_client


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("app.py", "def handler(e, c):\n    return 1\n")
    return buf.getvalue()


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    err = exc.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


def _role(client: Any, name: str, layer: realism.AWSRealism, *, settle: bool = True) -> str:
    iam = client("iam")
    arn = str(
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    )
    iam.put_role_policy(RoleName=name, PolicyName=name, PolicyDocument=json.dumps(POLICY))
    if settle:
        layer.clock.advance(10)
    return arn


def _function(client: Any, name: str, role: str, **kw: Any) -> dict[str, Any]:
    result: dict[str, Any] = client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": _zip()},
        **kw,
    )
    return result


def test_fresh_role_cannot_be_assumed_until_propagated(
    client: Any, layer: realism.AWSRealism, uid: str
) -> None:
    role = _role(client, uid, layer, settle=False)
    with pytest.raises(ClientError) as exc:
        _function(client, uid, role)
    assert _error(exc) == ("InvalidParameterValueException", realism.ASSUME_TEXT, 400)
    layer.clock.advance(9.9)
    with pytest.raises(ClientError):
        _function(client, uid, role)
    layer.clock.advance(0.1)
    assert _function(client, uid, role)["FunctionName"] == uid
    assert layer.served["propagation"] == 2
    # A new trust policy starts the wait again for calls naming the role.
    client("iam").update_assume_role_policy(RoleName=uid, PolicyDocument=json.dumps(TRUST))
    layer.clock.advance(5)
    with pytest.raises(ClientError) as exc:
        client("lambda").update_function_configuration(FunctionName=uid, Role=role)
    assert _error(exc)[1] == realism.ASSUME_TEXT


def test_new_policy_not_yet_seen_by_event_source_mappings(
    client: Any, layer: realism.AWSRealism, uid: str
) -> None:
    role = _role(client, uid, layer)
    _function(client, uid, role)
    queue = client("sqs").create_queue(QueueName=uid)["QueueUrl"]
    queue_arn = client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    queue_arn = queue_arn["Attributes"]["QueueArn"]
    client("iam").put_role_policy(
        RoleName=uid, PolicyName="more", PolicyDocument=json.dumps(POLICY)
    )
    with pytest.raises(ClientError) as exc:
        client("lambda").create_event_source_mapping(FunctionName=uid, EventSourceArn=queue_arn)
    assert _error(exc) == ("InvalidParameterValueException", realism.SQS_TEXT, 400)
    stream = f"arn:aws:kinesis:us-west-2:123456789012:stream/{uid}"
    with pytest.raises(ClientError) as exc:
        client("lambda").create_event_source_mapping(
            FunctionName=f"arn:aws:lambda:us-west-2:123456789012:function:{uid}",
            EventSourceArn=stream,
            StartingPosition="LATEST",
        )
    assert _error(exc)[1].startswith(f"Cannot access stream {stream}. Please ensure the role")
    layer.clock.advance(10)
    assert client("lambda").create_event_source_mapping(FunctionName=uid, EventSourceArn=queue_arn)


def test_vpc_and_kms_functions_wait_for_the_policy(
    client: Any, layer: realism.AWSRealism, uid: str
) -> None:
    role = _role(client, uid, layer)
    client("iam").put_role_policy(RoleName=uid, PolicyName="vpc", PolicyDocument=json.dumps(POLICY))
    vpc = {"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}
    with pytest.raises(ClientError) as exc:
        _function(client, uid, role, VpcConfig=vpc)
    assert _error(exc)[1] == realism.ENI_TEXT
    key = "arn:aws:kms:us-west-2:123456789012:key/abc"
    with pytest.raises(ClientError) as exc:
        _function(client, uid, role, KMSKeyArn=key)
    message = _error(exc)[1]
    assert "invalid for CreateGrant" in message
    assert f"assumed-role/{uid}/{uid}" in message
    layer.clock.advance(10)
    assert _function(client, uid, role, KMSKeyArn=key)["FunctionName"] == uid


def test_pending_after_create_then_active(client: Any, layer: realism.AWSRealism, uid: str) -> None:
    role = _role(client, uid, layer)
    created = _function(client, uid, role)
    assert (created["State"], created["StateReasonCode"]) == ("Pending", "Creating")
    lam = client("lambda")
    assert lam.get_function(FunctionName=uid)["Configuration"]["State"] == "Pending"
    with pytest.raises(ClientError) as exc:
        lam.update_function_code(FunctionName=uid, ZipFile=_zip())
    assert _error(exc) == (
        "ResourceConflictException",
        "The operation cannot be performed at this time. "
        "The function is currently in the following state: Pending",
        409,
    )
    layer.clock.advance(2)
    config = lam.get_function_configuration(FunctionName=uid)
    assert config["State"] == "Active" and "StateReason" not in config


def test_vpc_functions_stay_pending_longer(
    client: Any, layer: realism.AWSRealism, uid: str
) -> None:
    role = _role(client, uid, layer)
    vpc = {"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}
    _function(client, uid, role, VpcConfig=vpc)
    layer.clock.advance(29)
    assert client("lambda").get_function(FunctionName=uid)["Configuration"]["State"] == "Pending"
    layer.clock.advance(1)
    assert client("lambda").get_function(FunctionName=uid)["Configuration"]["State"] == "Active"


def test_update_in_progress_refuses_the_next_change(
    client: Any, layer: realism.AWSRealism, uid: str
) -> None:
    role = _role(client, uid, layer)
    arn = _function(client, uid, role)["FunctionArn"]
    layer.clock.advance(2)
    lam = client("lambda")
    updated = lam.update_function_configuration(FunctionName=uid, MemorySize=256)
    assert (updated["State"], updated["LastUpdateStatus"]) == ("Active", "InProgress")
    with pytest.raises(ClientError) as exc:
        lam.update_function_code(FunctionName=uid, ZipFile=_zip())
    assert _error(exc)[1] == (
        f"The operation cannot be performed at this time. An update is in progress for resource: {arn}"
    )
    with pytest.raises(ClientError):
        lam.tag_resource(Resource=arn, Tags={"a": "b"})
    lam.add_permission(  # not an update of the function: allowed
        FunctionName=uid,
        StatementId="s",
        Action="lambda:InvokeFunction",
        Principal="sns.amazonaws.com",
    )
    layer.clock.advance(3)
    assert lam.get_function_configuration(FunctionName=uid)["LastUpdateStatus"] == "Successful"
    lam.update_function_code(FunctionName=uid, ZipFile=_zip())
    assert layer.served["conflict"] == 2


def test_failed_on_demand(client: Any, layer: realism.AWSRealism, uid: str) -> None:
    layer.fail_function(
        uid, reason="The subnet has no free IP address.", code="SubnetOutOfIPAddresses"
    )
    role = _role(client, uid, layer)
    _function(client, uid, role)
    lam = client("lambda")
    assert lam.get_function(FunctionName=uid)["Configuration"]["State"] == "Pending"
    layer.clock.advance(2)
    config = lam.get_function(FunctionName=uid)["Configuration"]
    assert (config["State"], config["StateReason"], config["StateReasonCode"]) == (
        "Failed",
        "The subnet has no free IP address.",
        "SubnetOutOfIPAddresses",
    )
    with pytest.raises(ClientError) as exc:
        lam.update_function_configuration(FunctionName=uid, MemorySize=256)
    assert _error(exc)[1].endswith("following state: Failed")
    lam.delete_function(FunctionName=uid)
    with pytest.raises(ClientError) as exc:
        lam.get_function(FunctionName=uid)
    assert _error(exc)[0] == "ResourceNotFoundException"


def test_failed_update_on_demand(client: Any, layer: realism.AWSRealism, uid: str) -> None:
    role = _role(client, uid, layer)
    _function(client, uid, role)
    layer.clock.advance(2)
    layer.fail_updates(uid)
    lam = client("lambda")
    lam.update_function_configuration(FunctionName=uid, MemorySize=256)
    layer.clock.advance(3)
    config = lam.get_function_configuration(FunctionName=uid)
    assert (config["State"], config["LastUpdateStatus"]) == ("Active", "Failed")
    assert config["LastUpdateStatusReasonCode"] == "InvalidSecurityGroup"
    assert config["LastUpdateStatusReason"] == "The specified security group does not exist."


def test_throttling_errors_as_each_service_sends_them(shared_env: str, uid: str) -> None:
    import botocore.session

    layer = realism.AWSRealism(quotas=Quotas())
    client = layer.attach(botocore.session.Session()).create_client
    apigw = client("apigateway")
    apigw.create_rest_api(name=uid, endpointConfiguration={"types": ["REGIONAL"]})
    with pytest.raises(ClientError) as exc:
        apigw.create_rest_api(name=uid, endpointConfiguration={"types": ["REGIONAL"]})
    code, message, status = _error(exc)
    assert (code, message, status) == ("TooManyRequestsException", "Too Many Requests", 429)
    assert exc.value.response["ResponseMetadata"]["HTTPHeaders"]["retry-after"] == "3"
    layer.clock.advance(3)
    apigw.create_rest_api(name=uid, endpointConfiguration={"types": ["REGIONAL"]})
    lam = client("lambda")
    for _ in range(15):
        lam.list_functions(MaxItems=1)
    with pytest.raises(ClientError) as exc:
        lam.list_functions(MaxItems=1)
    assert _error(exc) == ("TooManyRequestsException", "Rate exceeded", 429)
    assert exc.value.response["Reason"] == "CallerRateLimitExceeded"
    assert layer.served["throttle"] == 2
    assert layer.throttled == {"apigateway.CreateRestApi": 1, "lambda.ListFunctions": 1}
    assert realism.throttle_response("iam", 1)[1]["Error"]["Code"] == "Throttling"
    assert realism.throttle_response("logs", 1)[1]["Error"] == {
        "Code": "ThrottlingException",
        "Message": "Rate exceeded",
    }


@pytest.mark.parametrize(
    ("service", "op", "params", "action"),
    [
        (
            "iam",
            "CreateRole",
            {"RoleName": "x", "Tags": [{"Key": "a", "Value": "b"}]},
            "iam:TagRole",
        ),
        ("iam", "TagRole", {"RoleName": "x", "Tags": []}, "iam:TagRole"),
        (
            "lambda",
            "CreateFunction",
            {"FunctionName": "f", "Tags": {"a": "b"}},
            "lambda:TagResource",
        ),
        ("lambda", "TagResource", {"Resource": "arn:f", "Tags": {}}, "lambda:TagResource"),
        ("logs", "CreateLogGroup", {"logGroupName": "g", "tags": {"a": "b"}}, "logs:TagResource"),
        (
            "events",
            "PutRule",
            {"Name": "r", "Tags": [{"Key": "a", "Value": "b"}]},
            "events:TagResource",
        ),
        ("apigateway", "CreateRestApi", {"name": "a", "tags": {"a": "b"}}, "apigateway:PUT"),
        ("apigateway", "TagResource", {"resourceArn": "arn:x", "tags": {}}, "apigateway:PUT"),
        ("apigatewayv2", "CreateApi", {"Name": "a", "Tags": {"a": "b"}}, "apigateway:POST"),
    ],
)
def test_tag_denials_name_the_tag_action(
    service: str, op: str, params: dict[str, Any], action: str
) -> None:
    from chalice.aws.errors import AWSError
    from chalice.deploy.tagging import is_tag_denied

    layer = realism.AWSRealism(deny_tags=True)
    answer = layer._tag_denial(service, op, params)  # noqa: SLF001 - the pure part of the hook
    assert answer is not None
    http, parsed = answer
    assert http.status_code == 403
    message = parsed["Error"]["Message"]
    assert f"is not authorized to perform: {action} on resource: " in message
    err = AWSError(service=service, operation=op, code=parsed["Error"]["Code"], message=message)
    assert is_tag_denied(err)
    untagged = {k: v for k, v in params.items() if k.lower() != "tags"}
    if op not in ("TagRole", "TagResource"):
        assert layer._tag_denial(service, op, untagged) is None  # noqa: SLF001


def test_tag_denial_through_botocore(shared_env: str, uid: str) -> None:
    import botocore.session

    layer = realism.AWSRealism(deny_tags=True)
    iam = layer.attach(botocore.session.Session()).create_client("iam")
    with pytest.raises(ClientError) as exc:
        iam.create_role(
            RoleName=uid,
            AssumeRolePolicyDocument=json.dumps(TRUST),
            Tags=[{"Key": "chalice:app", "Value": "x"}],
        )
    code, message, status = _error(exc)
    assert (code, status) == ("AccessDenied", 403)
    assert f"iam:TagRole on resource: arn:aws:iam::123456789012:role/{uid}" in message
    iam.create_role(RoleName=uid, AssumeRolePolicyDocument=json.dumps(TRUST))
    assert layer.served == {"tag_denied": 1}
    assert layer.mutating == ["CreateRole", "CreateRole"]
    assert layer.calls == [("iam", "CreateRole"), ("iam", "CreateRole")]
    assert layer.operations == {"iam.CreateRole": 2}
    layer.reset_counters()
    assert layer.calls == [] and not layer.served


def test_realistic_clients_sleep_on_the_virtual_clock(shared_env: str) -> None:
    import botocore.session

    clock = VirtualClock()
    clients = realism.realistic_clients(botocore.session.Session(), clock)
    clients.sleep(4.0)
    assert clock.now() == 4.0
