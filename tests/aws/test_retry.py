"""The retry table: AWS's real texts are retried as the right kind, within one
bounded budget per call; anything else raises at once. Time is virtual: the
injected ``sleep`` advances a counter and nothing sleeps."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from chalice.aws import retry
from chalice.aws.errors import AWSError, AWSSetupError, retry_after, translate
from chalice.aws.retry import Kind, Retrier, RetrySettings


class VirtualTime:
    """``clock``/``sleep`` pair: sleeping advances the clock, instantly."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _err(op: str, code: str, message: str = "", service: str = "lambda", **kw: Any) -> AWSError:
    return AWSError(service=service, operation=op, code=code, message=message, **kw)


# (service, operation, code, AWS's message, expected kind) — the texts are AWS's.
REAL_TEXTS = [
    ("lambda", "CreateFunction", "InvalidParameterValueException",
     "The role defined for the function cannot be assumed by Lambda.", Kind.PROPAGATION),
    ("lambda", "UpdateFunctionConfiguration", "InvalidParameterValueException",
     "The role defined for the function cannot be assumed by Lambda.", Kind.PROPAGATION),
    ("lambda", "CreateFunction", "InvalidParameterValueException",
     "The provided execution role does not have permissions to call CreateNetworkInterface "
     "on EC2", Kind.PROPAGATION),
    ("lambda", "UpdateFunctionConfiguration", "InvalidParameterValueException",
     "The provided execution role does not have permissions to call CreateNetworkInterface "
     "on EC2", Kind.PROPAGATION),
    ("lambda", "CreateFunction", "InvalidParameterValueException",
     "Lambda was unable to configure access to your environment variables because the KMS "
     "key is invalid for CreateGrant. Please check your KMS key settings. KMS Exception: "
     "InvalidArnException KMS Message: ARN does not refer to a valid principal: "
     "arn:aws:iam::123456789012:role/app-dev", Kind.PROPAGATION),
    ("lambda", "CreateEventSourceMapping", "InvalidParameterValueException",
     "The provided execution role does not have permissions to call ReceiveMessage on SQS",
     Kind.PROPAGATION),
    ("lambda", "CreateEventSourceMapping", "InvalidParameterValueException",
     "Cannot access stream arn:aws:kinesis:us-west-2:123456789012:stream/s. Please ensure "
     "the role can perform the GetRecords, GetShardIterator, DescribeStream, ListShards, and "
     "ListStreams Actions on your stream in IAM.", Kind.PROPAGATION),
    ("lambda", "CreateEventSourceMapping", "InvalidParameterValueException",
     "Cannot access stream arn:aws:dynamodb:us-west-2:123456789012:table/t/stream/2024. "
     "Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, "
     "and ListStreams Actions on your stream in IAM.", Kind.PROPAGATION),
    ("lambda", "UpdateFunctionCode", "ResourceConflictException",
     "The operation cannot be performed at this time. An update is in progress for resource: "
     "arn:aws:lambda:us-west-2:123456789012:function:f", Kind.IN_PROGRESS),
    ("lambda", "PutFunctionConcurrency", "ResourceConflictException",
     "The operation cannot be performed at this time. The function is currently in the "
     "following state: Pending", Kind.IN_PROGRESS),
    ("lambda", "DeleteEventSourceMapping", "ResourceInUseException",
     "Cannot delete the event source mapping because it is in use.", Kind.IN_PROGRESS),
    ("apigateway", "CreateDeployment", "ConflictException",
     "Unable to complete operation due to concurrent modification. Please try again later.",
     Kind.IN_PROGRESS),
    ("lambda", "CreateFunction", "TooManyRequestsException", "Rate exceeded", Kind.THROTTLE),
    ("apigateway", "CreateRestApi", "TooManyRequestsException", "Too Many Requests",
     Kind.THROTTLE),
    ("iam", "CreateRole", "Throttling", "Rate exceeded", Kind.THROTTLE),
    ("events", "PutRule", "ThrottlingException", "Rate exceeded", Kind.THROTTLE),
    ("ec2", "DescribeSubnets", "RequestLimitExceeded", "Request limit exceeded.",
     Kind.THROTTLE),
    ("sns", "Subscribe", "SomethingElse", "Rate exceeded", Kind.THROTTLE),
    ("lambda", "GetFunction", "ServiceException", "internal error", Kind.TRANSIENT),
    ("s3", "PutBucketNotificationConfiguration", "InvalidArgument",
     "Unable to validate the following destination configurations", Kind.PROPAGATION),
]  # fmt: skip

NOT_RETRIED = [
    # The right text on the wrong operation is a real error there.
    ("lambda", "CreateEventSourceMapping", "InvalidParameterValueException",
     "The role defined for the function cannot be assumed by Lambda."),
    ("lambda", "CreateFunction", "InvalidParameterValueException",
     "Lambda was unable to configure access to your environment variables because the KMS "
     "key is invalid for CreateGrant. Please check your KMS key settings. KMS Exception: "
     "InvalidArnException KMS Message: Key Aliases are not supported for this operation."),
    ("lambda", "AddPermission", "ResourceConflictException",
     "The statement id (x) provided already exists. Please provide a new statement id, or "
     "remove the existing statement."),
    ("lambda", "CreateFunction", "ResourceConflictException", "Function already exist: f"),
    ("lambda", "CreateFunction", "InvalidParameterValueException", "bad memory"),
    ("lambda", "CreateFunction", "AccessDeniedException", "not authorized"),
]  # fmt: skip


@pytest.mark.parametrize(("service", "op", "code", "message", "kind"), REAL_TEXTS)
def test_real_texts_are_in_the_table(
    service: str, op: str, code: str, message: str, kind: Kind
) -> None:
    rule = retry.rule_for(service, op, code, message)
    assert rule is not None and rule.kind is kind


@pytest.mark.parametrize(("service", "op", "code", "message"), NOT_RETRIED)
def test_other_failures_are_not(service: str, op: str, code: str, message: str) -> None:
    assert retry.rule_for(service, op, code, message) is None


def _failing(err: AWSError, *, then: Any = None, times: int | None = None) -> Any:
    calls = {"n": 0}

    def call() -> Any:
        calls["n"] += 1
        if times is None or calls["n"] <= times:
            raise err
        return then

    call.calls = calls  # type: ignore[attr-defined]
    return call


def test_iam_propagation_waits_about_150_seconds_then_gives_up() -> None:
    t = VirtualTime()
    err = _err(
        "CreateFunction",
        "InvalidParameterValueException",
        "The role defined for the function cannot be assumed by Lambda.",
    )
    call = _failing(err)
    with pytest.raises(AWSError) as info:
        Retrier(sleep=t.sleep, clock=t.clock).call("lambda", "CreateFunction", call)
    assert info.value is err  # re-raised unchanged
    assert 110 <= sum(t.sleeps) <= 150 and max(t.sleeps) <= 5.0
    assert call.calls["n"] == len(t.sleeps) + 1 <= 32  # like upstream's 30 x 5 s


def test_propagation_then_success() -> None:
    t = VirtualTime()
    err = _err(
        "CreateEventSourceMapping",
        "InvalidParameterValueException",
        "The provided execution role does not have permissions to call ReceiveMessage on SQS",
    )
    call = _failing(err, then={"UUID": "u"}, times=2)
    out = Retrier(sleep=t.sleep, clock=t.clock).call("lambda", "CreateEventSourceMapping", call)
    assert out == {"UUID": "u"} and len(t.sleeps) == 2


def test_not_retried_raises_at_once() -> None:
    t = VirtualTime()
    call = _failing(_err("CreateFunction", "InvalidParameterValueException", "bad memory"))
    with pytest.raises(AWSError, match="bad memory"):
        Retrier(sleep=t.sleep, clock=t.clock).call("lambda", "CreateFunction", call)
    assert call.calls["n"] == 1 and t.sleeps == []


def test_throttling_backs_off_with_jitter_and_is_bounded() -> None:
    t = VirtualTime()
    call = _failing(_err("CreateFunction", "TooManyRequestsException", "Rate exceeded"))
    with pytest.raises(AWSError):
        Retrier(sleep=t.sleep, clock=t.clock).call("lambda", "CreateFunction", call)
    assert call.calls["n"] == retry.DEFAULT_THROTTLE_ATTEMPTS
    budget = RetrySettings().throttle
    for n, pause in enumerate(t.sleeps):
        full = min(budget.cap, budget.base * 2**n)
        assert full / 2 <= pause <= full


def test_retry_after_is_honoured() -> None:
    t = VirtualTime()
    err = _err(
        "CreateRestApi", "TooManyRequestsException", "Too Many Requests", "apigateway",
        retry_after=12.0,
    )  # fmt: skip
    call = _failing(err, then="ok", times=1)
    assert Retrier(sleep=t.sleep, clock=t.clock).call("apigateway", "CreateRestApi", call) == "ok"
    assert t.sleeps == [12.0]


def test_retry_after_is_read_from_the_body_or_the_header() -> None:
    from botocore.exceptions import ClientError

    body = {"Error": {"Code": "TooManyRequestsException"}, "retryAfterSeconds": "3"}
    assert retry_after(body) == 3.0
    header = {
        "Error": {"Code": "TooManyRequestsException"},
        "ResponseMetadata": {"HTTPHeaders": {"retry-after": "7"}},
    }
    assert retry_after(header) == 7.0
    assert retry_after({"Error": {}}) is None

    def boom() -> None:
        raise ClientError(header, "CreateRestApi")  # type: ignore[arg-type]

    with pytest.raises(AWSError) as info:
        translate("apigateway", "CreateRestApi", boom)
    assert info.value.retry_after == 7.0


def test_the_users_max_attempts_is_the_throttle_budget() -> None:
    settings = RetrySettings.from_config(max_attempts=3, mode="standard")
    t = VirtualTime()
    call = _failing(_err("PutRule", "ThrottlingException", "Rate exceeded", "events"))
    with pytest.raises(AWSError):
        Retrier(settings=settings, sleep=t.sleep, clock=t.clock).call("events", "PutRule", call)
    assert call.calls["n"] == 3
    # IAM propagation is a wait for AWS, not a retry of a failure: its budget stays.
    assert settings.propagation == RetrySettings().propagation
    assert RetrySettings.from_config(max_attempts=None, mode="adaptive").adaptive


def test_botocore_settings_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    import botocore.session

    from chalice.aws.session import AWSClients, retry_settings

    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "4")
    monkeypatch.setenv("AWS_RETRY_MODE", "adaptive")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    session = botocore.session.Session()
    settings = retry_settings(session)
    assert settings.throttle.attempts == 4 and settings.transient.attempts == 4
    assert settings.adaptive
    # botocore's own retries are off whatever the user set: one layer, one budget.
    client = AWSClients(session, sleep=lambda _s: None).client("lambda")
    assert client.meta.config.retries["total_max_attempts"] == 1


def test_connection_drops_are_retried_then_reported_as_setup_errors() -> None:
    t = VirtualTime()
    err = AWSSetupError("Could not reach AWS.", code="ConnectionClosedError", where=None, fix="x")
    call = _failing(err)
    with pytest.raises(AWSSetupError):
        Retrier(sleep=t.sleep, clock=t.clock).call("lambda", "GetFunction", call)
    assert call.calls["n"] == retry.DEFAULT_TRANSIENT_ATTEMPTS


def test_a_stop_ends_retrying_at_once() -> None:
    t = VirtualTime()
    stop = threading.Event()
    retrier = Retrier(sleep=t.sleep, clock=t.clock).with_stop(stop)

    def call() -> None:
        stop.set()  # another step failed while this call was in flight
        raise _err("CreateFunction", "TooManyRequestsException", "Rate exceeded")

    with pytest.raises(AWSError, match="Rate exceeded"):
        retrier.call("lambda", "CreateFunction", call)
    assert t.sleeps == []


def test_wait_until_is_bounded_by_the_clock_and_stops() -> None:
    t = VirtualTime()
    states = iter([False, False, True])
    Retrier(sleep=t.sleep, clock=t.clock).wait_until(lambda: next(states), what="x")
    assert len(t.sleeps) == 2
    budget = retry.Budget(attempts=1000, seconds=10.0, base=1.0, cap=2.0)
    with pytest.raises(retry.WaitTimeout, match="timed out waiting for y"):
        Retrier(sleep=t.sleep, clock=t.clock).wait_until(lambda: False, what="y", budget=budget)
    stop = threading.Event()
    stop.set()
    with pytest.raises(retry.Stopped, match="another step failed"):
        Retrier(sleep=t.sleep, clock=t.clock, stop=stop).wait_until(lambda: False, what="z")


def test_a_stop_view_shares_everything_but_the_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    import botocore.session

    from chalice.aws.session import AWSClients

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    clients = AWSClients(botocore.session.Session(), sleep=lambda _s: None)
    stop = threading.Event()
    view = clients.with_stop(stop)
    assert view.client("lambda") is clients.client("lambda")
    assert view.pacer is clients.pacer
    stop.set()
    assert view.retrier.stop.is_set() and not clients.retrier.stop.is_set()
    assert view.lambda_.retrier is view.retrier
