"""``chalice logs``: read a deployed function's CloudWatch Logs.

Reads the log group ``/aws/lambda/<function name>`` with ``filter_log_events``
through a small injected client (the ``chalice.aws`` Logs wrapper fits), so tests pass
fakes or point botocore at an emulator. ``--since`` parsing and line formatting
are pure functions. In follow mode the retriever polls, starting each poll at the
newest timestamp seen and dropping events it already yielded (by ``eventId``).
This module never writes to AWS and must not import botocore itself.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol

import attrs

from chalice.errors import UserError

# Lines Lambda writes itself around every invocation; hidden unless asked for.
LAMBDA_MESSAGE_PREFIXES = (
    "START RequestId",
    "END RequestId",
    "REPORT RequestId",
    "INIT_START ",
    "INIT_REPORT ",
    "XRAY TraceId",
)

DEFAULT_POLL_INTERVAL = 5.0
# When following without --since, start this far back (upstream's documented
# default, which its CLI never applied: quirk #15).
FOLLOW_DEFAULT_LOOKBACK = dt.timedelta(minutes=10)

_RELATIVE = re.compile(r"^(\d+)([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class LogsClient(Protocol):
    """The one CloudWatch Logs call we need (botocore client method signature)."""

    def filter_log_events(self, **kwargs: Any) -> Mapping[str, Any]:
        """One page of events of a log group."""
        ...


class InvalidSinceError(UserError):
    """``--since`` is neither ISO 8601 nor a relative time like ``5m``."""


@attrs.frozen
class LogEvent:
    """One log line of a Lambda function."""

    event_id: str
    timestamp: dt.datetime  # aware, UTC
    stream_name: str
    message: str

    @property
    def short_stream_id(self) -> str:
        """Six characters naming the execution environment (after ``]`` in the stream)."""
        _, sep, rest = self.stream_name.partition("]")
        return (rest if sep else self.stream_name)[:6]


@attrs.frozen
class LogQuery:
    """What to read: which group, from when, how many, and whether to keep polling."""

    log_group: str
    start_time: dt.datetime | None = None
    include_lambda_messages: bool = False
    max_entries: int | None = None
    follow: bool = False


def log_group_for(function_name: str) -> str:
    """The log group Lambda writes a function's output to."""
    return f"/aws/lambda/{function_name}"


def function_name_from_arn(arn: str) -> str:
    """``arn:aws:lambda:us-west-2:123:function:name[:qualifier]`` -> ``name``."""
    parts = arn.split(":")
    if len(parts) >= 7 and parts[5] == "function":
        return parts[6]
    return arn


def parse_since(value: str, *, now: dt.datetime) -> dt.datetime:
    """An absolute time from ``--since``: ISO 8601 or relative (``30s``, ``5m``, ``2h``, ``1d``, ``1w``).

    >>> parse_since("5m", now=dt.datetime(2024, 1, 1, 12, 0, tzinfo=dt.timezone.utc))
    datetime.datetime(2024, 1, 1, 11, 55, tzinfo=datetime.timezone.utc)

    A naive ISO time is taken as UTC.
    """
    text = value.strip()
    match = _RELATIVE.match(text)
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        return now - dt.timedelta(**{_UNITS[unit]: amount})
    try:
        parsed = dt.datetime.fromisoformat(
            text.replace("Z", "+00:00") if text.endswith("Z") else text
        )
    except ValueError:
        raise InvalidSinceError(
            f"Invalid --since value: {value!r}",
            fix="Use an ISO 8601 time such as 2024-01-31T12:00:00Z, or a relative time "
            "such as 30s, 5m, 2h, 1d or 1w.",
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed


def is_lambda_message(message: str) -> bool:
    """Whether a line was written by the Lambda service rather than the function."""
    return message.startswith(LAMBDA_MESSAGE_PREFIXES)


def format_event(event: LogEvent) -> str:
    """``<timestamp> <short stream id> <message>``, as upstream prints it.

    The timestamp is UTC in Python's ``str(datetime)`` form: microseconds
    when the event has a fractional second (``2023-11-14 22:13:20.123000``),
    none otherwise (``2023-11-14 22:13:21``). Scripts parse these lines.
    """
    stamp = event.timestamp.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return f"{stamp} {event.short_stream_id} {event.message.strip()}"


def _to_event(raw: Mapping[str, Any]) -> LogEvent:
    millis = int(raw.get("timestamp", 0))
    return LogEvent(
        event_id=str(raw.get("eventId", "")),
        timestamp=dt.datetime.fromtimestamp(millis / 1000.0, tz=dt.timezone.utc),
        stream_name=str(raw.get("logStreamName", "")),
        message=str(raw.get("message", "")),
    )


def _is_missing_group(exc: Exception) -> bool:
    # The chalice.aws wrapper raises AWSError (``code``); a raw botocore
    # ClientError carries it in ``response``. No botocore import needed.
    if getattr(exc, "code", None) == "ResourceNotFoundException":
        return True
    response = getattr(exc, "response", None)
    if isinstance(response, Mapping):
        return bool(response.get("Error", {}).get("Code") == "ResourceNotFoundException")
    return False


class LogRetriever:
    """Yields a log group's events, oldest first, optionally following new ones."""

    def __init__(
        self,
        client: LogsClient,
        *,
        sleep: Callable[[float], None] = time.sleep,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        now: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self._client = client
        self._sleep = sleep
        self._poll_interval = poll_interval
        self._now = now or (lambda: dt.datetime.now(dt.timezone.utc))

    def _pages(self, log_group: str, start_ms: int | None) -> Iterator[Mapping[str, Any]]:
        kwargs: dict[str, Any] = {"logGroupName": log_group, "interleaved": True}
        if start_ms is not None:
            kwargs["startTime"] = start_ms
        while True:
            try:
                page = self._client.filter_log_events(**kwargs)
            except Exception as exc:
                if _is_missing_group(exc):  # the function has not logged anything yet
                    return
                raise
            yield from page.get("events", [])
            token = page.get("nextToken")
            if not token:
                return
            kwargs["nextToken"] = token

    def events(self, query: LogQuery) -> Iterator[LogEvent]:
        """The matching events; never ends in follow mode (stop by closing the iterator)."""
        start = query.start_time
        if start is None and query.follow:
            start = self._now() - FOLLOW_DEFAULT_LOOKBACK
        start_ms = int(start.timestamp() * 1000) if start is not None else None
        remaining = query.max_entries
        # Event ids yielded at or after start_ms: the next poll re-reads that window.
        seen: dict[str, int] = {}
        while True:
            newest = start_ms
            for raw in self._pages(query.log_group, start_ms):
                event_id = str(raw.get("eventId", ""))
                stamp = int(raw.get("timestamp", 0))
                if event_id in seen:
                    continue
                seen[event_id] = stamp
                newest = stamp if newest is None else max(newest, stamp)
                event = _to_event(raw)
                if not query.include_lambda_messages and is_lambda_message(event.message):
                    continue
                yield event
                if remaining is not None:
                    remaining -= 1
                    if remaining <= 0:
                        return
            if not query.follow:
                return
            start_ms = newest
            if start_ms is not None:
                seen = {k: v for k, v in seen.items() if v >= start_ms}
            self._sleep(self._poll_interval)
