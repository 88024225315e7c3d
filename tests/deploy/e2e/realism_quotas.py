"""Virtual time and AWS's published control-plane quotas, for the realism layer.

``VirtualClock`` is the only time source of a realistic test: the deploy
under test sleeps on it (returning at once) and the layer reads it, so no
test depends on the wall clock or on machine load.

``Quotas`` holds one token bucket per throttled operation with the numbers
AWS publishes (and cannot raise):

* API Gateway, "API Gateway quotas for creating, deploying and managing an
  API", https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html:
  CreateRestApi and ImportRestApi 1 per 3 s (regional/private) and 1 per 30 s
  (edge-optimized), CreateDeployment 1 per 5 s, DeleteRestApi 1 per 30 s,
  PutRestApi 1 per s, CreateDomainName/UpdateDomainName/DeleteDomainName
  1 per 30 s, CreateResource/DeleteResource 5 per s, GetResources 5 per 2 s,
  and every management call together 10 per s with a burst of 40.
* Lambda, "Lambda quotas" (API requests),
  https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html:
  control-plane calls 15 per s (all but invocation, GetFunction and
  GetPolicy), GetFunction 100 per s, GetPolicy 15 per s.

This module never talks to AWS; ``realism.py`` turns a refusal into the
service's own throttling error.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from typing import Any

import attrs

APIGATEWAY_QUOTAS_DOC = "https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html"
LAMBDA_QUOTAS_DOC = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"


class VirtualClock:
    """Monotonic virtual seconds; ``sleep`` advances them and returns at once.

    Thread-safe. Calls take no virtual time, so threads run "in parallel" in
    virtual time: a sleep lasts from the moment its thread last looked at the
    clock (``now()``, or an AWS call seen by the layer, which calls ``now()``),
    and the clock moves to the latest wake-up. Two threads that each wait 1 s
    from the same instant cost 1 s, not 2 (a clock where every sleep adds up
    would overstate a parallel deploy's AWS time by its number of workers).
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._lock = threading.Lock()
        self._seen = threading.local()
        self.sleeps = 0
        self.slept = 0.0

    def now(self) -> float:
        """The current virtual time (also this thread's reference for its next sleep)."""
        with self._lock:
            self._seen.at = self._now
            return self._now

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of virtual time from this thread's last look at the clock."""
        if seconds < 0:
            raise ValueError(f"cannot sleep a negative time ({seconds})")
        with self._lock:
            wake = getattr(self._seen, "at", self._now) + seconds
            self._now = max(self._now, wake)
            self._seen.at = self._now
            self.sleeps += 1
            self.slept += seconds

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass for everyone (a test's "meanwhile")."""
        with self._lock:
            self._now += seconds


@attrs.frozen
class Rate:
    """``per_second`` requests refilled continuously, at most ``burst`` saved up."""

    per_second: float
    burst: int = 1


class TokenBucket:
    """One quota: full at first, refilled at ``rate`` (times the quota ``speed``)."""

    def __init__(self, rate: Rate, speed: float) -> None:
        self.rate = rate
        self._per_second = rate.per_second * speed
        self._tokens = float(rate.burst)
        self._last: float | None = None

    def refill(self, now: float) -> None:
        """Add the tokens earned since the last look (time never runs backwards here)."""
        if self._last is not None and now > self._last:
            earned = (now - self._last) * self._per_second
            self._tokens = min(float(self.rate.burst), self._tokens + earned)
        if self._last is None or now > self._last:
            self._last = now

    def wait(self) -> float:
        """Seconds until one token is there (0 when one is there now); call after ``refill``."""
        missing = 1.0 - self._tokens
        return 0.0 if missing <= 1e-9 else missing / self._per_second

    def take(self) -> None:
        self._tokens -= 1.0


# Bucket name -> rate. Names are "<service>:<what>"; see ``bucket_names``.
AWS_QUOTAS: Mapping[str, Rate] = {
    "apigateway:CreateRestApi:REGIONAL": Rate(1 / 3),
    "apigateway:CreateRestApi:EDGE": Rate(1 / 30),
    "apigateway:ImportRestApi:REGIONAL": Rate(1 / 3),
    "apigateway:ImportRestApi:EDGE": Rate(1 / 30),
    "apigateway:CreateDeployment": Rate(1 / 5),
    "apigateway:DeleteRestApi": Rate(1 / 30),
    "apigateway:PutRestApi": Rate(1.0),
    "apigateway:CreateDomainName": Rate(1 / 30),
    "apigateway:UpdateDomainName": Rate(1 / 30),
    "apigateway:DeleteDomainName": Rate(1 / 30),
    "apigateway:CreateResource": Rate(5.0, 5),
    "apigateway:DeleteResource": Rate(5.0, 5),
    "apigateway:GetResources": Rate(2.5, 5),
    "apigateway:*": Rate(10.0, 40),
    "lambda:GetFunction": Rate(100.0, 100),
    "lambda:GetPolicy": Rate(15.0, 15),
    "lambda:*": Rate(15.0, 15),
}

# Operations with a quota of their own in API Gateway's table (REST APIs;
# the domain-name quotas are per account, so they also cover apigatewayv2).
_APIGW_OWN = frozenset(
    {"CreateDeployment", "DeleteRestApi", "PutRestApi", "CreateResource", "DeleteResource",
     "GetResources"}
)  # fmt: skip
_DOMAIN_OPS = frozenset({"CreateDomainName", "UpdateDomainName", "DeleteDomainName"})
_LAMBDA_UNMETERED = frozenset({"Invoke", "InvokeAsync", "InvokeWithResponseStream"})


def endpoint_type(operation: str, params: Mapping[str, Any]) -> str:
    """EDGE or REGIONAL (PRIVATE counts as regional) for CreateRestApi/ImportRestApi.

    Both default to EDGE when the caller names no endpoint type, as AWS does.
    """
    if operation == "ImportRestApi":
        kind = str((params.get("parameters") or {}).get("endpointConfigurationTypes") or "EDGE")
    else:
        types = (params.get("endpointConfiguration") or {}).get("types") or ["EDGE"]
        kind = str(types[0])
    return "EDGE" if kind.upper() == "EDGE" else "REGIONAL"


def bucket_names(service: str, operation: str, params: Mapping[str, Any]) -> tuple[str, ...]:
    """The quotas one call draws from (all must have a token for it to pass)."""
    if service in ("apigateway", "apigatewayv2"):
        names = ["apigateway:*"]
        if service == "apigateway" and operation in ("CreateRestApi", "ImportRestApi"):
            names.append(f"apigateway:{operation}:{endpoint_type(operation, params)}")
        elif service == "apigateway" and operation in _APIGW_OWN:
            names.append(f"apigateway:{operation}")
        elif operation in _DOMAIN_OPS:
            names.append(f"apigateway:{operation}")
        return tuple(names)
    if service == "lambda":
        if operation in ("GetFunction", "GetPolicy"):
            return (f"lambda:{operation}",)
        if operation in _LAMBDA_UNMETERED:
            return ()
        return ("lambda:*",)
    return ()


class Quotas:
    """Token buckets per quota; ``speed`` > 1 refills them faster (scaled-down AWS time).

    Shared by every session of one simulated account (thread-safe).
    """

    def __init__(self, table: Mapping[str, Rate] = AWS_QUOTAS, *, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._table = dict(table)
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def admit(self, service: str, operation: str, params: Mapping[str, Any], now: float) -> float:
        """0.0 if the call may go (its tokens are taken), else the seconds to wait."""
        names = [n for n in bucket_names(service, operation, params) if n in self._table]
        with self._lock:
            buckets = []
            for name in names:
                if name not in self._buckets:
                    self._buckets[name] = TokenBucket(self._table[name], self.speed)
                bucket = self._buckets[name]
                bucket.refill(now)
                buckets.append(bucket)
            wait = max((b.wait() for b in buckets), default=0.0)
            if wait > 0:
                return wait
            for bucket in buckets:
                bucket.take()
            return 0.0


def retry_after_header(wait: float) -> str:
    """The whole seconds AWS would put in ``Retry-After`` for a wait of ``wait``."""
    return str(max(1, math.ceil(wait)))
