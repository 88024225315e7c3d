"""Pacing: a deploy keeps within AWS's fixed control-plane quotas by itself, and
two deploys from one account (separate processes, separate pacers) both
succeed because the retry table waits out the other's throttles. Virtual time
only: the clock advances when something sleeps."""

from __future__ import annotations

from typing import Any

import pytest

from chalice.aws.errors import AWSError
from chalice.aws.pacing import Pacer, Rate, TokenBucket
from chalice.aws.retry import Retrier
from chalice.aws.session import Service


class VirtualTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _waits(pacer: Pacer, t: VirtualTime, service: str, op: str, n: int, **params: Any) -> list[float]:
    """Send ``n`` calls back to back; the times at which each may go out."""
    out = []
    for _ in range(n):
        t.sleep(pacer.delay(service, op, params))
        out.append(round(t.now, 6))
    return out


@pytest.mark.parametrize(
    ("op", "params", "every"),
    [
        ("CreateRestApi", {"endpointConfiguration": {"types": ["REGIONAL"]}}, 3.0),
        ("CreateRestApi", {"endpointConfiguration": {"types": ["EDGE"]}}, 30.0),
        ("CreateRestApi", {}, 30.0),  # no endpoint type: AWS creates an edge API
        ("ImportRestApi", {"parameters": {"endpointConfigurationTypes": "PRIVATE"}}, 3.0),
        ("ImportRestApi", {}, 30.0),
        ("CreateDeployment", {}, 5.0),
        ("DeleteRestApi", {}, 30.0),
        ("PutRestApi", {}, 1.0),
        ("CreateDomainName", {}, 30.0),
    ],
)
def test_api_gateway_fixed_quotas(op: str, params: dict[str, Any], every: float) -> None:
    t = VirtualTime()
    pacer = Pacer(clock=t.clock)
    assert _waits(pacer, t, "apigateway", op, 3, **params) == [0.0, every, 2 * every]


def test_api_gateway_management_calls_share_10_per_second_burst_40() -> None:
    t = VirtualTime()
    pacer = Pacer(clock=t.clock)
    times = _waits(pacer, t, "apigateway", "GetRestApi", 60)
    assert times[39] == 0.0 and times[40] == pytest.approx(0.1)
    assert times[59] == pytest.approx(2.0)


def test_lambda_15_per_second_per_api_getfunction_100() -> None:
    t = VirtualTime()
    pacer = Pacer(clock=t.clock)
    creates = _waits(pacer, t, "lambda", "CreateFunction", 25)
    # A burst, then 15 per second: 25 creates take one second, not 25 at once.
    assert creates[-1] == pytest.approx(1.0)
    t2 = VirtualTime()
    reads = _waits(Pacer(clock=t2.clock), t2, "lambda", "GetFunction", 120)
    assert reads[-1] == pytest.approx(1.0)
    t3 = VirtualTime()
    policies = _waits(Pacer(clock=t3.clock), t3, "lambda", "GetPolicy", 25)
    # GetPolicy has its own 15 per second, with the same burst as the others.
    assert policies[9] == 0.0 and policies[-1] == pytest.approx(1.0)


def test_unpaced_services_and_disabled_pacer_never_wait() -> None:
    t = VirtualTime()
    assert _waits(Pacer(clock=t.clock), t, "iam", "CreateRole", 50)[-1] == 0.0
    off = Pacer(clock=t.clock, enabled=False)
    assert _waits(off, t, "apigateway", "DeleteRestApi", 5)[-1] == 0.0


def test_adaptive_mode_slows_a_throttled_operation_down() -> None:
    t = VirtualTime()
    bucket = TokenBucket(Rate(per_second=10.0, burst=1.0), t.clock)
    bucket.slow_down()
    assert bucket.rate.per_second == 5.0


class FakeAccount:
    """One AWS account's CreateRestApi (regional) quota, shared by two processes:
    1 per 3 s, answering AWS's TooManyRequestsException with retryAfterSeconds."""

    def __init__(self, t: VirtualTime) -> None:
        self.bucket = TokenBucket(Rate.every(3.0), t.clock)
        self.created: list[str] = []
        self.throttled = 0

    def create_rest_api(self, **params: Any) -> dict[str, Any]:
        from botocore.exceptions import ClientError

        wait = self.bucket.reserve()
        if wait > 0:
            self.bucket._tokens += 1  # noqa: SLF001 - a refused call takes no token
            self.throttled += 1
            raise ClientError(
                {
                    "Error": {"Code": "TooManyRequestsException", "Message": "Too Many Requests"},
                    "retryAfterSeconds": str(int(wait) + 1),
                },
                "CreateRestApi",
            )
        self.created.append(str(params["name"]))
        return {"id": params["name"]}


class Gateway(Service):
    service = "apigateway"

    def create(self, name: str) -> str:
        resp = self._call(
            self.client.create_rest_api, name=name, endpointConfiguration={"types": ["REGIONAL"]}
        )
        return str(resp["id"])


def test_two_processes_creating_apis_in_one_account_both_succeed() -> None:
    t = VirtualTime()
    account = FakeAccount(t)

    def process() -> Gateway:
        pacer = Pacer(clock=t.clock)  # each process paces only itself
        return Gateway(account, retrier=Retrier(sleep=t.sleep, clock=t.clock, pace=pacer.delay))

    one, two = process(), process()
    for i in range(3):
        # Interleaved as two deploys running side by side would be.
        assert one.create(f"dev{i}") == f"dev{i}"
        assert two.create(f"prod{i}") == f"prod{i}"
    assert sorted(account.created) == sorted([f"dev{i}" for i in range(3)] + [f"prod{i}" for i in range(3)])
    assert account.throttled > 0  # the other process's calls were throttled and waited out


def test_a_throttle_budget_is_not_exceeded_even_if_aws_keeps_refusing() -> None:
    t = VirtualTime()

    class Always:
        calls = 0

        def create_rest_api(self, **params: Any) -> dict[str, Any]:
            from botocore.exceptions import ClientError

            Always.calls += 1
            raise ClientError(
                {"Error": {"Code": "TooManyRequestsException", "Message": "Too Many Requests"}},
                "CreateRestApi",
            )

    gw = Gateway(Always(), retrier=Retrier(sleep=t.sleep, clock=t.clock))
    with pytest.raises(AWSError):
        gw.create("x")
    assert Always.calls == 10
