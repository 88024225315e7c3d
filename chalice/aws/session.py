"""The botocore session and clients of one deploy, and the service base class.

``AWSClients`` owns one botocore session and creates each service client once
(client creation is not thread-safe; the clients themselves are). It also
answers the account/region/partition questions every planner needs, and
holds the deploy's pacer and retry layer: every call of every wrapper goes
through ``Retrier.call`` (paced, retried by the table in ``retry.py``).
botocore's own retries are off so that budget is the only one. Nothing here
mutates AWS.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from chalice.aws.errors import AWSError, setup_error, translate
from chalice.aws.pacing import Pacer
from chalice.aws.retry import Retrier, RetrySettings

if TYPE_CHECKING:
    from chalice.aws.apigateway import APIGateway
    from chalice.aws.apigatewayv2 import APIGatewayV2
    from chalice.aws.eventbridge import Events
    from chalice.aws.function_urls import FunctionUrls
    from chalice.aws.httpapi import HttpApis
    from chalice.aws.iam import IAM
    from chalice.aws.lambda_ import Lambda
    from chalice.aws.logs import Logs
    from chalice.aws.s3 import S3
    from chalice.aws.sns import SNS

DNS_SUFFIXES = {"aws-cn": "amazonaws.com.cn", "aws-iso": "c2s.ic.gov", "aws-iso-b": "sc2s.sgov.gov"}

# The wrapper modules of each service's client (the properties of
# ``AWSClients`` import them on first use). ``prefetch`` imports them beside
# the client: imported on first use instead, during a plan's first burst of
# reads, the threads queue on each module's import lock and the burst goes
# out tens of ms later.
WRAPPER_MODULES: dict[str, tuple[str, ...]] = {
    "iam": ("chalice.aws.iam",),
    "lambda": ("chalice.aws.lambda_", "chalice.aws.function_urls"),
    "logs": ("chalice.aws.logs",),
    "apigateway": ("chalice.aws.apigateway",),
    "apigatewayv2": ("chalice.aws.apigatewayv2", "chalice.aws.httpapi"),
    "events": ("chalice.aws.eventbridge",),
    "s3": ("chalice.aws.s3",),
    "sns": ("chalice.aws.sns",),
}


def _operation_name(fn: Callable[..., Any]) -> str:
    name = getattr(fn, "__name__", "call")
    return "".join(part.capitalize() for part in name.split("_"))


class Service:
    """Base of the per-service wrappers: one ``_call`` that paces, translates, retries.

    ``retrier`` is the deploy's (from ``AWSClients``); without one (unit
    tests) a private one is built on ``sleep``/``clock``.
    """

    service = ""

    def __init__(
        self,
        client: Any,
        *,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        retrier: Retrier | None = None,
    ) -> None:
        self.client = client
        self.retrier = retrier or Retrier(sleep=sleep or time.sleep, clock=clock)

    def _call(self, fn: Callable[..., Any], **params: Any) -> dict[str, Any]:
        op = _operation_name(fn)
        result: dict[str, Any] = self.retrier.call(
            self.service,
            op,
            lambda: translate(self.service, op, lambda: fn(**params)),
            params=params,
        )
        return result

    def _get(self, fn: Callable[..., Any], not_found: tuple[str, ...], **params: Any) -> dict[str, Any] | None:
        """A read call where "does not exist" is an answer (None), not an error."""
        try:
            return self._call(fn, **params)
        except AWSError as err:
            if err.code in not_found:
                return None
            raise

    def _delete(self, fn: Callable[..., Any], not_found: tuple[str, ...], **params: Any) -> bool:
        """A delete where "already gone" counts as deleted. False if it was gone."""
        try:
            self._call(fn, **params)
            return True
        except AWSError as err:
            if err.code in not_found:
                return False
            raise


def new_client(session: Any, name: str, config: Any) -> Any:
    """``session.create_client`` with setup problems (no region...) as ``AWSSetupError``.

    Not thread-safe for one ``session`` (botocore's sessions are not):
    ``AWSClients`` creates its clients one at a time.
    """
    from botocore.exceptions import BotoCoreError

    try:
        return session.create_client(name, config=config)
    except BotoCoreError as err:
        setup = setup_error(name, "CreateClient", type(err).__name__, str(err))
        if setup is None:
            raise
        raise setup from err


def retry_settings(session: Any) -> RetrySettings:
    """The user's botocore retry settings (``AWS_MAX_ATTEMPTS``/``AWS_RETRY_MODE``
    or ``max_attempts``/``retry_mode`` in the profile) as our retry budgets."""
    getter = getattr(session, "get_config_variable", None)
    if getter is None:
        return RetrySettings()
    try:
        max_attempts = getter("max_attempts")
        mode = getter("retry_mode")
    except Exception:  # a broken profile: the first real call reports it properly
        return RetrySettings()
    attempts = int(max_attempts) if max_attempts not in (None, "") else None
    return RetrySettings.from_config(max_attempts=attempts, mode=str(mode) if mode else None)


class _Shared:
    """What every view of one ``AWSClients`` shares: clients, account, pacer."""

    def __init__(
        self,
        session: Any,
        max_pool: int,
        connection_timeout: int | None,
        read_timeout: int | None = None,
    ) -> None:
        self.session = session
        self.max_pool = max_pool
        self.connection_timeout = connection_timeout
        self.read_timeout = read_timeout
        self.lock = threading.Lock()
        self.account_lock = threading.Lock()
        self.clients: dict[str, Any] = {}
        self.account_id: str | None = None


class ClientPrefetch:
    """Creates clients ahead of their first use, one at a time, in one background thread.

    Creating a botocore client costs 10-50 ms of CPU per service (loading its
    model), and the first one of a session more: done lazily, each lands
    between two AWS calls of the deploy. A deploy asks for the clients it will
    need while it builds its zips, and waits for them before its first call.

    ``make(name)`` is ``AWSClients.client``: creation stays serial under its
    lock, so a caller that asks for a client meanwhile waits for the one being
    made, never makes a second. A failure (no region, unknown profile) stops
    the prefetch and is left for the first real use to report, as if there
    had been no prefetch. ``add`` asks for more, ``stop`` drops those not
    started, ``close`` waits for the rest; afterwards no thread is left.
    """

    def __init__(
        self,
        make: Callable[[str], object],
        names: Iterable[str] = (),
        *,
        exists: Callable[[str], bool] = lambda _name: False,
    ) -> None:
        self._make = make
        self._exists = exists
        self._lock = threading.Lock()
        self._pending: deque[str] = deque()
        self._asked: set[str] = set()
        self._closed = False  # nothing more may be asked for
        self._failed = False  # a creation failed: make no more
        self._thread: threading.Thread | None = None  # while it runs
        self._last: threading.Thread | None = None  # for close() to join
        self.add(names)

    def add(self, names: Iterable[str]) -> None:
        """Also create ``names`` (those not asked for yet, nor created), in order."""
        with self._lock:
            if self._closed or self._failed:
                return
            for name in names:
                if name not in self._asked and not self._exists(name):
                    self._asked.add(name)
                    self._pending.append(name)
            if self._pending and self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="chalice-clients", daemon=True
                )
                self._last = self._thread
                self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                if self._failed or not self._pending:
                    self._thread = None
                    return
                name = self._pending.popleft()
            try:
                self._make(name)
            except Exception:  # its first real use raises it again, as a clear error
                with self._lock:
                    # The others would fail alike (region, profile, credentials).
                    self._failed = True

    def stop(self) -> None:
        """Ask for nothing more and drop the clients not started yet."""
        with self._lock:
            self._closed = True
            self._pending.clear()

    def close(self) -> None:
        """Ask for nothing more; return once the clients asked for are made (or
        dropped by ``stop``). No thread of this prefetch runs afterwards."""
        with self._lock:
            self._closed = True
            thread = self._last
        if thread is not None:
            thread.join()

    def __enter__(self) -> ClientPrefetch:
        return self

    def __exit__(self, exc_type: object, *_exc: object) -> None:
        if exc_type is not None:
            self.stop()  # only the client being made is waited for
        self.close()


class AWSClients:
    """The clients of one deploy, created on first use, shared by all threads.

    ``sleep`` and ``clock`` (monotonic seconds) are the only source of time
    for pacing, retries and waits; tests inject fakes (a virtual clock whose
    ``sleep`` advances it). Without ``sleep``, pauses end early when the
    deploy stops. ``pacing=False`` turns the client-side quotas off.
    ``read_timeout`` (seconds) overrides ``connection_timeout`` for reads
    (``chalice invoke`` waits as long as the function may run);
    ``max_attempts`` overrides the user's botocore setting (0 or 1: no retry).
    """

    def __init__(
        self,
        session: Any,
        *,
        max_pool: int = 64,
        connection_timeout: int | None = None,
        read_timeout: int | None = None,
        max_attempts: int | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        pacing: bool = True,
    ) -> None:
        self.session = session
        self._shared = _Shared(session, max_pool, connection_timeout, read_timeout)
        settings = retry_settings(session)
        if max_attempts is not None:
            settings = RetrySettings.from_config(
                max_attempts=max(1, max_attempts),
                mode="adaptive" if settings.adaptive else None,
            )
        self.pacer = Pacer(clock=clock, enabled=pacing)
        self.retrier = Retrier(
            settings=settings,
            sleep=sleep,
            clock=clock,
            pace=self.pacer.delay,
            on_throttle=self.pacer.throttled if settings.adaptive else None,
        )

    def with_stop(self, stop: threading.Event) -> AWSClients:
        """A view sharing everything but stopped by ``stop``: once it is set,
        calls made through the view no longer retry or wait."""
        view = object.__new__(AWSClients)
        view.session = self.session
        view._shared = self._shared
        view.pacer = self.pacer
        view.retrier = self.retrier.with_stop(stop)
        return view

    @property
    def sleep(self) -> Callable[[float], None]:
        """The pause function of pacing, retries and waits."""
        return self.retrier.sleep

    def client(self, name: str) -> Any:
        """The botocore client for service ``name`` (created once, thread-safe)."""
        shared = self._shared
        # No lock once created: a thread creating another service's client
        # (a second or more of loading its model) must not hold up calls
        # on clients that exist. Creation itself stays serial (not thread-safe).
        found = shared.clients.get(name)
        if found is not None:
            return found
        with shared.lock:
            if name not in shared.clients:
                from botocore.config import Config

                kwargs: dict[str, Any] = {
                    # One retry layer: ours (retry.py). botocore's would multiply it.
                    "retries": {"mode": "standard", "total_max_attempts": 1},
                    "max_pool_connections": shared.max_pool,
                }
                if shared.connection_timeout is not None:
                    kwargs["connect_timeout"] = shared.connection_timeout
                    kwargs["read_timeout"] = shared.connection_timeout
                if shared.read_timeout is not None:
                    kwargs["read_timeout"] = shared.read_timeout
                shared.clients[name] = new_client(self.session, name, Config(**kwargs))
            return shared.clients[name]

    def prefetch(self, names: Iterable[str]) -> ClientPrefetch:
        """Start creating the clients of ``names`` (in that order) in a background thread.

        See ``ClientPrefetch``; ``close()`` it (or use it as a context manager).
        """
        return ClientPrefetch(self._client_ready, names, exists=self._shared.clients.__contains__)

    def _client_ready(self, name: str) -> object:
        """The client of ``name``, its wrapper modules imported (see ``WRAPPER_MODULES``)."""
        client = self.client(name)
        for module in WRAPPER_MODULES.get(name, ()):
            importlib.import_module(module)
        return client

    @property
    def region(self) -> str:
        region = self.session.get_config_variable("region")
        if not region:
            from chalice.errors import ConfigError

            raise ConfigError(
                "No AWS region is configured.",
                fix="set AWS_DEFAULT_REGION or a region in your AWS profile (~/.aws/config)",
            )
        return str(region)

    @property
    def partition(self) -> str:
        getter = getattr(self.session, "get_partition_for_region", None)
        if getter is not None:
            try:
                return str(getter(self.region))
            except Exception:  # an unknown region name: assume the commercial partition
                return "aws"
        return "aws"

    @property
    def dns_suffix(self) -> str:
        return DNS_SUFFIXES.get(self.partition, "amazonaws.com")

    @property
    def account_id(self) -> str:
        """The caller's account (one GetCallerIdentity per deploy, whatever the threads)."""
        shared = self._shared
        with shared.account_lock:
            if shared.account_id is None:
                sts = self.client("sts")
                ident = self.retrier.call(
                    "sts",
                    "GetCallerIdentity",
                    lambda: translate("sts", "GetCallerIdentity", lambda: sts.get_caller_identity()),
                )
                shared.account_id = str(ident["Account"])
            return shared.account_id

    def arn(self, service: str, resource: str, *, region: bool = True) -> str:
        """``arn:<partition>:<service>:<region>:<account>:<resource>``."""
        reg = self.region if region else ""
        return f"arn:{self.partition}:{service}:{reg}:{self.account_id}:{resource}"

    def arn_apigateway(self, api_id: str) -> str:
        """The taggable ARN of a REST API (API Gateway ARNs carry no account)."""
        return f"arn:{self.partition}:apigateway:{self.region}::/restapis/{api_id}"

    # Service wrappers (typed; created per call, they are tiny).
    @property
    def iam(self) -> IAM:
        from chalice.aws.iam import IAM

        return IAM(self.client("iam"), retrier=self.retrier)

    @property
    def lambda_(self) -> Lambda:
        from chalice.aws.lambda_ import Lambda

        return Lambda(self.client("lambda"), retrier=self.retrier)

    @property
    def logs(self) -> Logs:
        from chalice.aws.logs import Logs

        return Logs(self.client("logs"), retrier=self.retrier)

    @property
    def apigateway(self) -> APIGateway:
        from chalice.aws.apigateway import APIGateway

        return APIGateway(self.client("apigateway"), retrier=self.retrier)

    @property
    def apigatewayv2(self) -> APIGatewayV2:
        from chalice.aws.apigatewayv2 import APIGatewayV2

        return APIGatewayV2(self.client("apigatewayv2"), retrier=self.retrier)

    @property
    def httpapi(self) -> HttpApis:
        from chalice.aws.httpapi import HttpApis

        return HttpApis(self.client("apigatewayv2"), retrier=self.retrier)

    @property
    def function_urls(self) -> FunctionUrls:
        from chalice.aws.function_urls import FunctionUrls

        return FunctionUrls(self.client("lambda"), retrier=self.retrier)

    @property
    def events(self) -> Events:
        from chalice.aws.eventbridge import Events

        return Events(self.client("events"), retrier=self.retrier)

    @property
    def s3(self) -> S3:
        from chalice.aws.s3 import S3

        return S3(self.client("s3"), retrier=self.retrier)

    @property
    def sns(self) -> SNS:
        from chalice.aws.sns import SNS

        return SNS(self.client("sns"), retrier=self.retrier)


def new_session(profile: str | None = None) -> Any:
    """A botocore session for ``profile`` whose calls say ``chalice/<version>``.

    The one place sessions are made, so deploy and the other commands (logs,
    invoke, generate-sdk) identify themselves alike. ``AWS_ENDPOINT_URL`` and
    the rest of botocore's environment are honoured.
    """
    import botocore.session

    from chalice import __version__

    session = botocore.session.Session(profile=profile)
    session.user_agent_extra = f"chalice/{__version__}"
    return session


def create_clients(
    *,
    profile: str | None = None,
    session: Any = None,
    max_pool: int = 10,
    connection_timeout: int | None = None,
    read_timeout: int | None = None,
    max_attempts: int | None = None,
) -> AWSClients:
    """An ``AWSClients`` over ``session`` or a new session for ``profile``."""
    if session is None:
        session = new_session(profile)
    return AWSClients(
        session,
        max_pool=max_pool,
        connection_timeout=connection_timeout,
        read_timeout=read_timeout,
        max_attempts=max_attempts,
    )
