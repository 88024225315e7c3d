"""Client-side pacing: token buckets so that a deploy never throttles itself.

AWS's control planes have fixed, non-raisable request quotas per account and
Region. A deploy that fires 20 CreateFunction calls at once, or two
CreateRestApi within a second, is refused with ``TooManyRequestsException``
and then has to back off; pacing the calls in this process costs less than
that. The quotas (both pages list them as "cannot be increased"):

API Gateway, https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
("API Gateway quotas for creating, deploying and managing an API"):

* CreateRestApi and ImportRestApi: 1 request every 3 seconds (regional or
  private APIs), 1 every 30 seconds (edge-optimized APIs);
* CreateDeployment: 1 every 5 seconds; PutRestApi: 1 per second;
* DeleteRestApi: 1 every 30 seconds;
* CreateDomainName, UpdateDomainName, DeleteDomainName: 1 every 30 seconds;
* every management operation together: 10 per second, burst 40.

Lambda, https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
("Lambda API requests"): control plane requests 15 per second per API
(invocations, GetFunction and GetPolicy excluded), GetFunction 100 per
second, GetPolicy 15 per second.

Pacing is per process. Another process using the same account (a second
stage deployed at the same time) can still be throttled: the retry table
(``retry.py``) waits those out, honouring AWS's ``Retry-After``.

A bucket hands out reservations: the caller learns how long to wait, the
bucket moves on, and the caller waits outside the lock (through the retry
layer's injected ``sleep``), so parallel callers queue in order. Time comes
from the injected ``clock`` only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

import attrs


@attrs.frozen
class Rate:
    """``per_second`` requests per second with bursts of up to ``burst``."""

    per_second: float
    burst: float = 1.0

    @classmethod
    def every(cls, seconds: float) -> Rate:
        """One request every ``seconds`` seconds."""
        return cls(per_second=1.0 / seconds, burst=1.0)


class TokenBucket:
    """A token bucket that reserves: ``reserve()`` says how long to wait first."""

    def __init__(self, rate: Rate, clock: Callable[[], float]) -> None:
        self.rate = rate
        self._clock = clock
        self._tokens = rate.burst
        self._stamp: float | None = None
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Take one token (possibly borrowed from the future); seconds to wait."""
        with self._lock:
            now = self._clock()
            if self._stamp is not None:
                elapsed = max(0.0, now - self._stamp)
                self._tokens = min(self.rate.burst, self._tokens + elapsed * self.rate.per_second)
            self._stamp = now
            self._tokens -= 1.0
            if self._tokens >= 0:
                return 0.0
            return -self._tokens / self.rate.per_second

    def slow_down(self, factor: float = 0.5, floor: float = 0.1) -> None:
        """Lower the rate after AWS throttled us anyway (``retry_mode = adaptive``)."""
        with self._lock:
            per_second = max(floor, self.rate.per_second * factor)
            self.rate = Rate(per_second=per_second, burst=min(self.rate.burst, max(1.0, per_second)))
            self._tokens = min(self._tokens, self.rate.burst)


EDGE = "EDGE"
APIGATEWAY_ALL = Rate(per_second=10.0, burst=40.0)
LAMBDA_PER_API = Rate(per_second=15.0, burst=10.0)

# (service, operation) -> the operation's own quota, besides the service-wide one.
OPERATION_RATES: dict[tuple[str, str], Rate] = {
    ("apigateway", "CreateRestApi"): Rate.every(3.0),
    ("apigateway", "ImportRestApi"): Rate.every(3.0),
    ("apigateway", "CreateRestApi/edge"): Rate.every(30.0),
    ("apigateway", "ImportRestApi/edge"): Rate.every(30.0),
    ("apigateway", "CreateDeployment"): Rate.every(5.0),
    ("apigateway", "PutRestApi"): Rate.every(1.0),
    ("apigateway", "DeleteRestApi"): Rate.every(30.0),
    ("apigateway", "CreateDomainName"): Rate.every(30.0),
    ("apigateway", "UpdateDomainName"): Rate.every(30.0),
    ("apigateway", "DeleteDomainName"): Rate.every(30.0),
    ("lambda", "GetFunction"): Rate(per_second=100.0, burst=20.0),
    # Its own quota, the same 15 per second as the other APIs, so the same
    # burst: an unchanged redeploy reads every recorded function's policy at
    # once, and a burst of 5 made the sixth and seventh wait 67 and 133 ms.
    ("lambda", "GetPolicy"): LAMBDA_PER_API,
}
# Service-wide quotas shared by all of a service's operations. The v2 API
# (HTTP and websocket APIs) is the same control plane, with the same
# account-wide management quota (10 per second, burst 40); its own bucket
# here, since the two clients are paced separately.
SERVICE_RATES: dict[str, Rate] = {"apigateway": APIGATEWAY_ALL, "apigatewayv2": APIGATEWAY_ALL}
# Services whose every other operation has its own quota of this rate.
PER_OPERATION_DEFAULT: dict[str, Rate] = {"lambda": LAMBDA_PER_API}


def operation_key(service: str, operation: str, params: Mapping[str, Any]) -> str:
    """The quota an operation counts against (edge-optimized API creation differs)."""
    if service == "apigateway" and operation in ("CreateRestApi", "ImportRestApi"):
        if operation == "CreateRestApi":
            types = (params.get("endpointConfiguration") or {}).get("types") or [EDGE]
        else:
            given = (params.get("parameters") or {}).get("endpointConfigurationTypes")
            types = [given] if given else [EDGE]
        if EDGE in [str(t).upper() for t in types]:
            return f"{operation}/edge"
    return operation


class Pacer:
    """The buckets of one process, created on first use (thread-safe)."""

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        enabled: bool = True,
    ) -> None:
        self._clock = clock
        self.enabled = enabled
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._lock = threading.Lock()

    def _bucket(self, service: str, key: str) -> TokenBucket | None:
        with self._lock:
            found = self._buckets.get((service, key))
            if found is not None:
                return found
            if key == "*":
                rate = SERVICE_RATES.get(service)
            else:
                rate = OPERATION_RATES.get((service, key)) or PER_OPERATION_DEFAULT.get(service)
            if rate is None:
                return None
            bucket = TokenBucket(rate, self._clock)
            self._buckets[(service, key)] = bucket
            return bucket

    def delay(self, service: str, operation: str, params: Mapping[str, Any] | None = None) -> float:
        """Reserve a slot for one call; the seconds to wait before sending it."""
        if not self.enabled:
            return 0.0
        key = operation_key(service, operation, params or {})
        waits = [0.0]
        for bucket in (self._bucket(service, key), self._bucket(service, "*")):
            if bucket is not None:
                waits.append(bucket.reserve())
        return max(waits)

    def throttled(self, service: str, operation: str) -> None:
        """AWS throttled a paced call anyway: halve that operation's rate."""
        bucket = self._bucket(service, operation)
        if bucket is not None:
            bucket.slow_down()
