"""The one retry layer of every AWS call, driven by one table of rules.

A failed call is retried only when a row of ``RULES`` matches it: the
error code, a pattern in AWS's message, the operation (and service). The
row's ``Kind`` picks the budget: how many attempts and how many seconds of
waiting one call may spend on that kind of trouble. Four kinds:

* ``PROPAGATION``: IAM is eventually consistent. A role or policy created a
  moment ago "cannot be assumed by Lambda" or "does not have permissions to
  call ReceiveMessage on SQS" for up to a few minutes. About 150 s per call,
  as upstream Chalice allows (30 x 5 s).
* ``IN_PROGRESS``: Lambda is still applying an earlier change to the same
  function (``ResourceConflictException``), an event source mapping is
  changing state (``ResourceInUseException``), API Gateway saw a concurrent
  modification. About 2 minutes per call.
* ``THROTTLE``: AWS asked us to slow down. Jittered exponential backoff
  that honours AWS's ``Retry-After``/``retryAfterSeconds``. The number of
  attempts is the user's botocore setting (``AWS_MAX_ATTEMPTS`` or
  ``max_attempts`` in the profile) when set.
* ``TRANSIENT``: a 5xx answer or a dropped connection; same attempt budget.

botocore's own retries are turned off (``total_max_attempts: 1`` in
``session.py``) so a call's budget is exactly this one, never multiplied by
a second layer. Once the deploy's ``stop`` event is set (another step failed
hard) no call retries or waits any more: the last error is raised as is.

Everything is bounded, and time only passes through the injected ``sleep``
and ``clock``: tests never sleep. This module never swallows an error that
no row matches: it is re-raised unchanged at once.
"""

from __future__ import annotations

import enum
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs

from chalice.aws.errors import CONNECTION_CODES, AWSError, AWSSetupError

T = TypeVar("T")


class Kind(enum.Enum):
    """Why a call is worth repeating; each kind has its own budget."""

    PROPAGATION = "IAM propagation"
    IN_PROGRESS = "change in progress"
    THROTTLE = "throttling"
    TRANSIENT = "transient failure"


@attrs.frozen
class Budget:
    """At most ``attempts`` tries and ``seconds`` of waiting for one call.

    The pause before retry ``n`` (from 0) is ``min(cap, base * 2**n)``,
    jittered down by up to ``jitter`` (a fraction) so that parallel calls
    spread out.
    """

    attempts: int
    seconds: float
    base: float
    cap: float
    jitter: float = 0.5

    def delay(self, retry: int, rand: float) -> float:
        """The pause before retry ``retry``; ``rand`` is uniform in [0, 1)."""
        full: float = min(self.cap, self.base * (2 ** min(retry, 30)))
        return full * (1.0 - self.jitter * rand)


def _ops(*names: str) -> frozenset[str]:
    return frozenset(names)


@attrs.frozen
class Rule:
    """One row of the table: which failures are retried, and as what ``Kind``.

    Empty ``codes``/``services``/``operations`` match anything; ``pattern``
    (case-insensitive) must be found in AWS's message when given.
    """

    kind: Kind
    codes: frozenset[str]
    pattern: str | None = None
    operations: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()
    why: str = ""

    def matches(self, service: str, operation: str, code: str, message: str) -> bool:
        """Whether this row covers ``code``/``message`` from ``service.operation``."""
        if self.codes and code not in self.codes:
            return False
        if self.services and service not in self.services:
            return False
        if self.operations and operation not in self.operations:
            return False
        return self.pattern is None or re.search(self.pattern, message, re.IGNORECASE) is not None


FUNCTION_WRITES = _ops("CreateFunction", "UpdateFunctionConfiguration")
MAPPING_WRITES = _ops("CreateEventSourceMapping", "UpdateEventSourceMapping")

THROTTLE_CODES = frozenset(
    {"Throttling", "ThrottlingException", "ThrottledException", "TooManyRequestsException",
     "RequestLimitExceeded", "ProvisionedThroughputExceededException", "RequestThrottled",
     "RequestThrottledException", "SlowDown", "EC2ThrottledException", "PriorRequestNotComplete",
     "BandwidthLimitExceeded"}
)  # fmt: skip
TRANSIENT_CODES = frozenset(
    {"InternalError", "InternalFailure", "InternalServerError", "InternalServerErrorException",
     "ServiceException", "ServiceUnavailable", "ServiceUnavailableException",
     "RequestTimeout", "RequestTimeoutException", "500", "502", "503", "504"}
)  # fmt: skip

# The table. Messages are AWS's own wording (see tests/aws/test_retry.py).
RULES: tuple[Rule, ...] = (
    Rule(
        Kind.PROPAGATION,
        frozenset({"InvalidParameterValueException"}),
        r"role defined for the function cannot be assumed by Lambda",
        FUNCTION_WRITES,
        why="a new execution role is not yet visible to Lambda",
    ),
    Rule(
        Kind.PROPAGATION,
        frozenset({"InvalidParameterValueException"}),
        r"execution role does not have permissions to call CreateNetworkInterface on EC2",
        FUNCTION_WRITES,
        why="a VPC function's new role policy (ec2:CreateNetworkInterface) is not yet visible",
    ),
    Rule(
        Kind.PROPAGATION,
        frozenset({"InvalidParameterValueException"}),
        r"KMS key is invalid for CreateGrant.*valid principal",
        FUNCTION_WRITES,
        why="KMS does not know the new role yet (customer-key-encrypted environment variables)",
    ),
    Rule(
        Kind.PROPAGATION,
        frozenset({"InvalidParameterValueException"}),
        r"execution role does not have permissions to call \w+ on (SQS|Kinesis|DynamoDB)",
        MAPPING_WRITES,
        why="the role's new policy (sqs:ReceiveMessage...) is not yet visible to Lambda",
    ),
    Rule(
        Kind.PROPAGATION,
        frozenset({"InvalidParameterValueException"}),
        r"Cannot access stream .*ensure the role can perform",
        MAPPING_WRITES,
        why="the role's new policy (kinesis/dynamodb GetRecords...) is not yet visible",
    ),
    Rule(
        Kind.PROPAGATION,
        frozenset({"InvalidArgument"}),
        r"Unable to validate the following destination configurations",
        _ops("PutBucketNotificationConfiguration"),
        frozenset({"s3"}),
        why="S3 does not see the function's new invoke permission yet",
    ),
    Rule(
        Kind.IN_PROGRESS,
        frozenset({"ResourceConflictException"}),
        r"in progress|cannot be performed at this time|currently in the following state",
        services=frozenset({"lambda"}),
        why="Lambda is still applying an earlier change to the function",
    ),
    Rule(
        Kind.IN_PROGRESS,
        frozenset({"ResourceInUseException"}),
        operations=_ops("UpdateEventSourceMapping", "DeleteEventSourceMapping"),
        services=frozenset({"lambda"}),
        why="the event source mapping is changing state",
    ),
    Rule(
        Kind.IN_PROGRESS,
        frozenset({"ConflictException"}),
        r"concurrent modification",
        services=frozenset({"apigateway", "apigatewayv2"}),
        why="API Gateway is applying another change to the same API",
    ),
    Rule(
        Kind.IN_PROGRESS,
        frozenset({"ConcurrentModification", "ConcurrentModificationException"}),
        why="another change to the same resource is being applied",
    ),
    Rule(Kind.THROTTLE, THROTTLE_CODES, why="AWS asked us to slow down"),
    Rule(Kind.THROTTLE, frozenset(), r"rate exceeded", why="AWS asked us to slow down"),
    Rule(Kind.TRANSIENT, TRANSIENT_CODES, why="AWS had a passing internal error"),
    Rule(Kind.TRANSIENT, CONNECTION_CODES - {"SSLError", "ProxyConnectionError"},
         why="the connection dropped or timed out"),  # fmt: skip
)

# Retry-After beyond this is not honoured (a wrong header must not stall a deploy).
MAX_RETRY_AFTER = 60.0
DEFAULT_THROTTLE_ATTEMPTS = 10
DEFAULT_TRANSIENT_ATTEMPTS = 4


@attrs.frozen
class RetrySettings:
    """The budget of each ``Kind``; built from the user's botocore settings."""

    # About upstream's 30 x 5 s: a role that never works costs ~32 calls, not more.
    propagation: Budget = Budget(attempts=32, seconds=150.0, base=1.0, cap=5.0, jitter=0.2)
    in_progress: Budget = Budget(attempts=60, seconds=120.0, base=0.5, cap=5.0)
    throttle: Budget = Budget(
        attempts=DEFAULT_THROTTLE_ATTEMPTS, seconds=300.0, base=0.5, cap=20.0
    )
    transient: Budget = Budget(
        attempts=DEFAULT_TRANSIENT_ATTEMPTS, seconds=60.0, base=0.5, cap=8.0
    )
    # AWS_RETRY_MODE=adaptive: also slow the pacer down after a throttle.
    adaptive: bool = False

    def budget(self, kind: Kind) -> Budget:
        """The budget of ``kind``."""
        return {
            Kind.PROPAGATION: self.propagation,
            Kind.IN_PROGRESS: self.in_progress,
            Kind.THROTTLE: self.throttle,
            Kind.TRANSIENT: self.transient,
        }[kind]

    @classmethod
    def from_config(cls, *, max_attempts: int | None, mode: str | None) -> RetrySettings:
        """``max_attempts``/``retry_mode`` as botocore reads them (env or profile).

        ``max_attempts`` (total attempts, the first included) becomes the
        throttle and transient budgets; the waits for IAM propagation and
        changes in progress are not retries of a failure and keep theirs.
        """
        base = cls()
        adaptive = (mode or "").strip().lower() == "adaptive"
        if max_attempts is None or max_attempts < 1:
            return attrs.evolve(base, adaptive=adaptive)
        return attrs.evolve(
            base,
            throttle=attrs.evolve(base.throttle, attempts=max_attempts),
            transient=attrs.evolve(base.transient, attempts=max_attempts),
            adaptive=adaptive,
        )


def rule_for(service: str, operation: str, code: str, message: str) -> Rule | None:
    """The first row of ``RULES`` covering this failure, or None (not retried)."""
    for rule in RULES:
        if rule.matches(service, operation, code, message):
            return rule
    return None


def _failure(err: Exception) -> tuple[str, str] | None:
    if isinstance(err, AWSError):
        return err.code, err.message
    if isinstance(err, AWSSetupError) and err.code in CONNECTION_CODES:
        return err.code, err.what
    return None


class Stopped(Exception):
    """A wait was cut short because the deploy is stopping (another step failed)."""


class WaitTimeout(Exception):
    """``Retrier.wait_until`` gave up; says what it was waiting for."""


class Retrier:
    """Runs calls under ``RULES`` and polls waits; shared by the threads of a deploy.

    ``pace(service, operation, params)`` says how long to wait before each
    attempt (the pacer); ``on_throttle(service, operation)`` runs after each
    throttled one.
    """

    def __init__(
        self,
        *,
        settings: RetrySettings | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        stop: threading.Event | None = None,
        rand: Callable[[], float] = random.random,
        pace: Callable[[str, str, Mapping[str, Any]], float] | None = None,
        on_throttle: Callable[[str, str], None] | None = None,
    ) -> None:
        self.settings = settings or RetrySettings()
        self.stop = stop or threading.Event()
        self.clock = clock
        self._sleep = sleep
        self._rand = rand
        self._pace = pace
        self._on_throttle = on_throttle

    def with_stop(self, stop: threading.Event) -> Retrier:
        """The same retrier, stopped by ``stop`` (one per executed plan)."""
        return Retrier(
            settings=self.settings,
            sleep=self._sleep,
            clock=self.clock,
            stop=stop,
            rand=self._rand,
            pace=self._pace,
            on_throttle=self._on_throttle,
        )

    def sleep(self, seconds: float) -> None:
        """Pause; without an injected ``sleep``, a stop ends the pause early."""
        if self._sleep is not None:
            self._sleep(seconds)
        else:
            self.stop.wait(seconds)

    def call(
        self,
        service: str,
        operation: str,
        fn: Callable[[], T],
        *,
        params: Mapping[str, Any] | None = None,
    ) -> T:
        """``fn()`` (one AWS call), paced, retried as the table says, within budget."""
        tries: dict[Kind, int] = {}
        waited: dict[Kind, float] = {}
        while True:
            if self._pace is not None:
                ahead = self._pace(service, operation, params or {})
                if ahead > 0:
                    self.sleep(ahead)
            try:
                return fn()
            except (AWSError, AWSSetupError) as err:
                failure = _failure(err)
                if failure is None:
                    raise
                rule = rule_for(service, operation, *failure)
                if rule is None:
                    raise
                kind = rule.kind
                if kind is Kind.THROTTLE and self._on_throttle is not None:
                    self._on_throttle(service, operation)
                budget = self.settings.budget(kind)
                tries[kind] = tries.get(kind, 0) + 1
                pause = budget.delay(tries[kind] - 1, self._rand())
                after = err.retry_after if isinstance(err, AWSError) else None
                if after is not None and kind in (Kind.THROTTLE, Kind.TRANSIENT):
                    pause = max(pause, min(after, MAX_RETRY_AFTER))
                spent = waited.get(kind, 0.0) + pause
                if tries[kind] >= budget.attempts or spent > budget.seconds:
                    raise
                if self.stop.is_set():
                    raise  # another step failed: no more retries, report as is
                waited[kind] = spent
                self.sleep(pause)
                if self.stop.is_set():
                    raise

    def wait_until(
        self,
        check: Callable[[], bool],
        *,
        what: str,
        budget: Budget = Budget(attempts=1000, seconds=300.0, base=0.25, cap=2.0),
    ) -> None:
        """Poll ``check`` until it returns True, within ``budget`` (by ``clock``).

        Raises ``WaitTimeout`` when the budget runs out and ``Stopped`` when
        the deploy is stopping; whatever ``check`` raises passes through.
        """
        start = self.clock()
        for n in range(budget.attempts):
            if check():
                return
            if self.stop.is_set():
                raise Stopped(f"stopped waiting for {what}: another step failed")
            pause = budget.delay(n, self._rand())
            if self.clock() - start + pause > budget.seconds:
                break
            self.sleep(pause)
        raise WaitTimeout(f"timed out waiting for {what}")
