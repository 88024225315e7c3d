"""Deploy and delete create every AWS client they use before their first call,
each once, and leave no thread behind; a setup problem is still one clear error.

The session records the order of client creations (its ``create_client``)
and calls (its ``before-call`` hook); nothing is timed.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from chalice.aws.errors import AWSSetupError
from chalice.cli.context import CLIContext
from chalice.cli.root import cli
from chalice.deploy import deployer
from tests.reporting import RecordingReporter


class Timeline:
    """``("create", service)`` and ``("call", service)`` events, in order."""

    def __init__(self, session: Any) -> None:
        self.events: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        session.register("before-call", self._called)
        create = session.create_client

        def creating(name: str, *args: Any, **kwargs: Any) -> Any:
            with self._lock:
                self.events.append(("create", name))
            return create(name, *args, **kwargs)

        session.create_client = creating

    def mark(self, kind: str) -> None:
        with self._lock:
            self.events.append((kind, ""))

    def _called(self, model: Any, **kwargs: Any) -> None:
        with self._lock:
            self.events.append(("call", model.service_model.endpoint_prefix))

    def take(self) -> list[tuple[str, str]]:
        with self._lock:
            events, self.events = self.events, []
        return events


def _check(events: list[tuple[str, str]]) -> list[str]:
    created = [name for kind, name in events if kind == "create"]
    first_call = next(i for i, (kind, _) in enumerate(events) if kind == "call")
    assert all(kind == "create" for kind, _ in events[:first_call]), events
    assert len(created) == len(set(created)) == first_call, events
    assert not [t for t in threading.enumerate() if t.name == "chalice-clients"]
    return created


def test_clients_are_made_once_before_the_first_call(sample: Path, session: Any) -> None:
    timeline = Timeline(session)
    deployer.deploy(sample, ui=RecordingReporter(), session=session)
    created = _check(timeline.take())
    assert created[0] == "sts"  # the account id is asked with the first reads
    assert set(created) == {"sts", "iam", "lambda", "events", "sns", "s3", "apigateway"}

    deployer.deploy(sample, ui=RecordingReporter(), session=session)  # unchanged
    assert set(_check(timeline.take())) == set(created)

    deployer.delete(sample, ui=RecordingReporter(), session=session)
    # A delete knows its ARNs from the state file, and asks STS only to check
    # that the credentials are for the account those ARNs are in.
    events = timeline.take()
    assert set(_check(events)) == set(created)
    assert events[len(created)] == ("call", "sts")  # before anything is deleted


def test_a_bad_profile_is_one_clear_error_and_no_thread_is_left(
    sample: Path, aws_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(AWSSetupError) as info:
        deployer.deploy(
            sample, ui=RecordingReporter(), user_params={"profile": "no-such-profile"}
        )
    assert info.value.code == "ProfileNotFound" and "no-such-profile" in str(info.value)
    assert not [t for t in threading.enumerate() if t.name == "chalice-clients"]


def test_a_build_error_stops_the_prefetch(
    sample: Path, session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalice.build import desired
    from chalice.errors import PackageError

    timeline = Timeline(session)

    def failing_build(*args: Any, **kwargs: Any) -> Any:
        raise PackageError("the zip could not be built")

    # The zips are built after the graph, so the prefetch is running by then.
    monkeypatch.setattr(desired, "_artifacts", failing_build)
    with pytest.raises(PackageError, match="could not be built"):
        deployer.deploy(sample, ui=RecordingReporter(), session=session)
    assert not [t for t in threading.enumerate() if t.name == "chalice-clients"]
    assert all(kind == "create" for kind, _ in timeline.take())  # and no AWS call


def _ready_between(events: list[tuple[str, str]]) -> None:
    """``clients_ready`` ran once: after every client was made, before the first call."""
    assert [e for e in events if e[0] == "ready"] == [("ready", "")], events
    i = events.index(("ready", ""))
    assert all(kind == "create" for kind, _ in events[:i]), events
    assert events[i + 1][0] == "call", events
    assert all(kind == "call" for kind, _ in events[i + 1 :]), events


def test_clients_ready_runs_once_between_the_clients_and_the_first_call(
    sample: Path, session: Any
) -> None:
    timeline = Timeline(session)

    def ready() -> None:
        timeline.mark("ready")

    for plan_only in (True, False, False):  # a plan, a first deploy, an unchanged one
        deployer.deploy(
            sample, ui=RecordingReporter(), session=session, plan_only=plan_only,
            clients_ready=ready,
        )  # fmt: skip
        _ready_between(timeline.take())
    deployer.delete(sample, ui=RecordingReporter(), session=session, clients_ready=ready)
    _ready_between(timeline.take())


def test_the_cli_passes_its_clients_ready_to_deploy_plan_and_delete(
    sample: Path, aws_env: str
) -> None:
    ready: list[str] = []
    obj = CLIContext(project_dir=sample, clients_ready=lambda: ready.append("ready"))
    for args in (["plan"], ["deploy"], ["delete"]):
        result = CliRunner().invoke(cli, ["--project-dir", str(sample), *args], obj=obj)
        assert result.exit_code == 0, result.output
    assert ready == ["ready"] * 3
