"""``chalice logs``: since parsing, line format, filtering, paging, follow, and the CLI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from chalice import logs
from chalice.cli import cli
from chalice.cli.context import CLIContext
from tests.cli.helpers import restore_cli_mode, write_project, write_state

UTC = dt.timezone.utc
NOW = dt.datetime(2024, 3, 1, 12, 0, 0, tzinfo=UTC)
STREAM = "2024/03/01/[$LATEST]abcdef0123456789"


def ms(when: dt.datetime) -> int:
    return int(when.timestamp() * 1000)


def raw(
    event_id: str, message: str, *, at: dt.datetime = NOW, stream: str = STREAM
) -> dict[str, Any]:
    return {"eventId": event_id, "timestamp": ms(at), "logStreamName": stream, "message": message}


class FakeLogs:
    """Serves pages of events; each poll (call without nextToken) takes the next batch."""

    def __init__(self, batches: list[list[list[dict[str, Any]]]]) -> None:
        self.batches = batches
        self.calls: list[dict[str, Any]] = []
        self._current: list[list[dict[str, Any]]] = []

    def filter_log_events(self, **kwargs: Any) -> Mapping[str, Any]:
        self.calls.append(kwargs)
        if "nextToken" not in kwargs:
            self._current = self.batches.pop(0) if self.batches else [[]]
            index = 0
        else:
            index = int(kwargs["nextToken"])
        page: dict[str, Any] = {"events": self._current[index]}
        if index + 1 < len(self._current):
            page["nextToken"] = str(index + 1)
        return page


class StopPolling(Exception):
    pass


def test_parse_since_relative() -> None:
    assert logs.parse_since("30s", now=NOW) == NOW - dt.timedelta(seconds=30)
    assert logs.parse_since("5m", now=NOW) == NOW - dt.timedelta(minutes=5)
    assert logs.parse_since("2h", now=NOW) == NOW - dt.timedelta(hours=2)
    assert logs.parse_since("1d", now=NOW) == NOW - dt.timedelta(days=1)
    assert logs.parse_since("3w", now=NOW) == NOW - dt.timedelta(weeks=3)


def test_parse_since_iso() -> None:
    assert logs.parse_since("2024-01-02T03:04:05Z", now=NOW) == dt.datetime(
        2024, 1, 2, 3, 4, 5, tzinfo=UTC
    )
    assert logs.parse_since("2024-01-02T03:04:05", now=NOW) == dt.datetime(
        2024, 1, 2, 3, 4, 5, tzinfo=UTC
    )
    offset = logs.parse_since("2024-01-02T03:04:05+02:00", now=NOW)
    assert offset == dt.datetime(2024, 1, 2, 1, 4, 5, tzinfo=UTC)
    assert logs.parse_since("2024-01-02", now=NOW) == dt.datetime(2024, 1, 2, tzinfo=UTC)


@pytest.mark.parametrize("bad", ["yesterday", "5x", "-5m", "m5", ""])
def test_parse_since_invalid(bad: str) -> None:
    with pytest.raises(logs.InvalidSinceError) as info:
        logs.parse_since(bad, now=NOW)
    assert "--since" in str(info.value)


@given(st.integers(min_value=0, max_value=10_000), st.sampled_from("smhdw"))
def test_parse_since_relative_property(amount: int, unit: str) -> None:
    parsed = logs.parse_since(f"{amount}{unit}", now=NOW)
    assert parsed <= NOW
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[unit]
    assert (NOW - parsed).total_seconds() == amount * seconds


def test_format_event() -> None:
    event = logs.LogEvent(
        "1", dt.datetime(2024, 3, 1, 12, 0, 1, 234000, tzinfo=UTC), STREAM, "hello\n"
    )
    assert logs.format_event(event) == "2024-03-01 12:00:01.234000 abcdef hello"


def test_format_event_whole_second_has_no_fraction() -> None:
    # Upstream prints str(datetime): no ".000000" on a whole second.
    event = logs.LogEvent("1", dt.datetime(2024, 3, 1, 12, 0, 1, tzinfo=UTC), STREAM, "hi")
    assert logs.format_event(event) == "2024-03-01 12:00:01 abcdef hi"


def test_format_event_is_utc_whatever_the_input_zone() -> None:
    zone = dt.timezone(dt.timedelta(hours=-5))
    event = logs.LogEvent("1", dt.datetime(2024, 3, 1, 7, 0, 1, 5, tzinfo=zone), STREAM, "hi")
    assert logs.format_event(event) == "2024-03-01 12:00:01.000005 abcdef hi"


def test_short_id_without_bracket() -> None:
    assert logs.LogEvent("1", NOW, "plainstream", "m").short_stream_id == "plains"


def test_function_name_from_arn() -> None:
    arn = "arn:aws:lambda:us-west-2:123456789012:function:demo-dev"
    assert logs.function_name_from_arn(arn) == "demo-dev"
    assert logs.function_name_from_arn(arn + ":live") == "demo-dev"
    assert logs.log_group_for("demo-dev") == "/aws/lambda/demo-dev"


def test_lambda_messages_hidden_unless_asked() -> None:
    batch = [[
        raw("1", "START RequestId: abc Version: $LATEST"),
        raw("2", "user line"),
        raw("3", "END RequestId: abc"),
        raw("4", "REPORT RequestId: abc Duration: 1 ms"),
        raw("5", "INIT_START Runtime Version: python:3.11"),
    ]]  # fmt: skip
    hidden = list(logs.LogRetriever(FakeLogs([batch])).events(logs.LogQuery("/g")))
    assert [e.message for e in hidden] == ["user line"]
    shown = list(logs.LogRetriever(FakeLogs([batch])).events(
        logs.LogQuery("/g", include_lambda_messages=True)))  # fmt: skip
    assert len(shown) == 5


def test_pages_are_followed_and_start_time_passed() -> None:
    fake = FakeLogs([[[raw("1", "a")], [raw("2", "b")], [raw("3", "c")]]])
    start = NOW - dt.timedelta(minutes=5)
    events = list(logs.LogRetriever(fake).events(logs.LogQuery("/aws/lambda/f", start_time=start)))
    assert [e.message for e in events] == ["a", "b", "c"]
    assert fake.calls[0] == {
        "logGroupName": "/aws/lambda/f",
        "interleaved": True,
        "startTime": ms(start),
    }
    assert fake.calls[1]["nextToken"] == "1"


def test_max_entries() -> None:
    fake = FakeLogs(
        [[[raw("1", "a"), raw("2", "START RequestId: x"), raw("3", "b")], [raw("4", "c")]]]
    )
    events = list(logs.LogRetriever(fake).events(logs.LogQuery("/g", max_entries=2)))
    assert [e.message for e in events] == ["a", "b"]
    assert len(fake.calls) == 1  # stopped before fetching the next page


def test_follow_polls_dedupes_and_defaults_to_ten_minutes() -> None:
    later = NOW + dt.timedelta(seconds=3)
    fake = FakeLogs([
        [[raw("1", "first", at=NOW)]],
        [[raw("1", "first", at=NOW), raw("2", "second", at=later)]],
        [[raw("2", "second", at=later), raw("3", "third", at=later)]],
    ])  # fmt: skip
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) >= 3:
            raise StopPolling

    retriever = logs.LogRetriever(fake, sleep=sleep, poll_interval=0.5, now=lambda: NOW)
    seen = []
    with pytest.raises(StopPolling):
        for event in retriever.events(logs.LogQuery("/g", follow=True)):
            seen.append(event.message)
    assert seen == ["first", "second", "third"]
    assert sleeps == [0.5, 0.5, 0.5]
    # Quirk #15 fixed: following without --since starts ten minutes back...
    assert fake.calls[0]["startTime"] == ms(NOW - dt.timedelta(minutes=10))
    # ...and each poll starts at the newest timestamp seen.
    assert fake.calls[1]["startTime"] == ms(NOW)
    assert fake.calls[2]["startTime"] == ms(later)


class MissingGroup(Exception):
    response = {"Error": {"Code": "ResourceNotFoundException", "Message": "gone"}}


class MissingGroupClient:
    def filter_log_events(self, **kwargs: Any) -> Mapping[str, Any]:
        raise MissingGroup()


def test_missing_log_group_is_empty() -> None:
    assert list(logs.LogRetriever(MissingGroupClient()).events(logs.LogQuery("/g"))) == []


def test_other_errors_propagate() -> None:
    class Broken:
        def filter_log_events(self, **kwargs: Any) -> Mapping[str, Any]:
            raise RuntimeError("network")

    with pytest.raises(RuntimeError):
        list(logs.LogRetriever(Broken()).events(logs.LogQuery("/g")))


ARN = "arn:aws:lambda:us-west-2:123456789012:function:demo-dev"


def _deployed_project(root: Path) -> Path:
    write_project(root)
    write_state(
        root, [{"name": "api_handler", "resource_type": "lambda_function", "lambda_arn": ARN}]
    )
    return root


def test_cli_logs_with_fake_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _deployed_project(tmp_path)
    fake = FakeLogs([[[raw("1", "START RequestId: a"), raw("2", "hello from lambda")]]])
    made: list[tuple[str, dict[str, Any]]] = []

    def clients(service: str, **kwargs: Any) -> Any:
        made.append((service, kwargs))
        return fake

    obj = CLIContext(project_dir=tmp_path, clients=clients)
    result = CliRunner().invoke(cli, ["logs", "--profile", "p1"], obj=obj)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["2024-03-01 12:00:00 abcdef hello from lambda"]
    assert made == [("logs", {"profile": "p1"})]
    assert fake.calls[0]["logGroupName"] == "/aws/lambda/demo-dev"


def test_cli_logs_unknown_name_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Upstream printed nothing and exited 0; we say the name is unknown (exit 2).
    monkeypatch.chdir(tmp_path)
    _deployed_project(tmp_path)
    obj = CLIContext(project_dir=tmp_path, clients=lambda *a, **k: pytest.fail("no client"))
    result = CliRunner().invoke(cli, ["logs", "-n", "nope"], obj=obj)
    assert result.exit_code == 2
    assert "could not find a lambda function named nope." in result.output


def test_cli_logs_bad_since(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _deployed_project(tmp_path)
    obj = CLIContext(project_dir=tmp_path, clients=lambda *a, **k: FakeLogs([]))
    result = CliRunner().invoke(cli, ["logs", "--since", "soon"], obj=obj)
    assert result.exit_code == 2
    assert "Invalid --since value" in result.stderr


def test_cli_logs_against_moto(
    aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    monkeypatch.chdir(tmp_path)
    _deployed_project(tmp_path)
    client = boto3.client("logs", region_name="us-west-2")
    group = "/aws/lambda/demo-dev"
    client.create_log_group(logGroupName=group)
    client.create_log_stream(logGroupName=group, logStreamName=STREAM)
    now_ms = int(dt.datetime.now(UTC).timestamp() * 1000)
    client.put_log_events(
        logGroupName=group,
        logStreamName=STREAM,
        logEvents=[
            {"timestamp": now_ms - 2000, "message": "START RequestId: 1 Version: $LATEST"},
            {"timestamp": now_ms - 1000, "message": "handled request"},
            {"timestamp": now_ms, "message": "END RequestId: 1"},
        ],
    )
    result = CliRunner().invoke(cli, ["logs"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].endswith(" abcdef handled request")
    everything = CliRunner().invoke(cli, ["logs", "--include-lambda-messages", "--since", "1h"])
    assert everything.exit_code == 0, everything.output
    assert len(everything.stdout.splitlines()) == 3


# An autouse fixture: importing it activates it in this module.
__all__ = ["restore_cli_mode"]
