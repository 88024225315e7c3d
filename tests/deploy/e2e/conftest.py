"""Fixtures for end-to-end deploy tests against moto.

``aws`` gives an ``AWSClients`` on a botocore session of our own with a
``CallLog`` hooked into it (botocore event hooks; nothing is patched): it
counts calls by operation, says which mutate, and can inject a fault at the
k-th mutating call, either before the request is sent or after AWS applied
it (the answer is "lost"), to check crash safety.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.e2e import moto_fidelity

moto_fidelity.apply()


class InjectedFault(Exception):
    pass


class CallLog:
    """Records every AWS call made through a session; optional fault injection."""

    def __init__(self, session: Any) -> None:
        self.calls: list[tuple[str, str]] = []
        self.fail_at: int | None = None
        self.after: bool = False
        self._mutating = 0
        self._lock = threading.Lock()
        session.register("before-call", self._before)
        session.register("after-call", self._after)

    @staticmethod
    def is_mutating(op: str) -> bool:
        return not op.startswith(("Get", "List", "Describe", "Head"))

    @property
    def mutating(self) -> list[str]:
        return [op for _, op in self.calls if self.is_mutating(op)]

    def reset(self, *, fail_at: int | None = None, after: bool = False) -> None:
        with self._lock:
            self.calls = []
            self._mutating = 0
            self.fail_at = fail_at
            self.after = after

    def _hit(self, model: Any) -> bool:
        with self._lock:
            self.calls.append((model.service_model.service_name, model.name))
            if not self.is_mutating(model.name):
                return False
            self._mutating += 1
            return self.fail_at is not None and self._mutating == self.fail_at

    def _error(self, model: Any) -> tuple[Any, dict[str, Any]]:
        class _Http:
            status_code = 400
            headers: dict[str, str] = {}
            content = b""

        return _Http(), {
            "Error": {"Code": "InjectedFault", "Message": f"injected failure of {model.name}"},
            "ResponseMetadata": {"HTTPStatusCode": 400},
        }

    def _before(self, model: Any, context: Any, **kwargs: Any) -> Any:
        if self._hit(model):
            if not self.after:
                return self._error(model)
            context["chalice_fail_after"] = True
        return None

    def _after(self, model: Any, http_response: Any, parsed: Any, context: Any, **kw: Any) -> None:
        if context.get("chalice_fail_after") and http_response.status_code < 300:
            context["chalice_fail_after"] = False
            from botocore.exceptions import ClientError

            raise ClientError(self._error(model)[1], model.name)


@pytest.fixture
def shared_env(moto_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: Any) -> str:
    """Like ``aws_env`` but WITHOUT resetting moto: for many small tests that
    each use their own app name (a reset makes moto rebuild every backend,
    which costs more than the test)."""
    home = tmp_path_factory.mktemp("awshome")
    for key, value in {
        "AWS_ENDPOINT_URL": moto_server,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-west-2",
        "AWS_REGION": "us-west-2",
        "AWS_CONFIG_FILE": str(home / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return moto_server


@pytest.fixture
def session(request: pytest.FixtureRequest) -> Any:
    import botocore.session

    if "shared_env" in request.fixturenames:
        request.getfixturevalue("shared_env")
    else:
        request.getfixturevalue("aws_env")
    return botocore.session.Session()


@pytest.fixture
def calls(session: Any) -> CallLog:
    return CallLog(session)


@pytest.fixture
def aws(session: Any, calls: CallLog) -> Any:
    from chalice.aws.session import AWSClients

    return AWSClients(session, sleep=lambda _s: None)


@pytest.fixture
def boto(session: Any) -> Iterator[Any]:
    """Plain botocore clients for inspecting moto (not counted)."""
    import botocore.session

    s = botocore.session.Session()

    class Clients:
        def __getattr__(self, name: str) -> Any:
            return s.create_client("lambda" if name == "awslambda" else name)

    yield Clients()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".chalice").mkdir()
    return tmp_path


SAMPLE = Path(__file__).parent / "apps" / "sample"


@pytest.fixture
def sample(tmp_path: Path, boto: Any) -> Path:
    """A copy of ``apps/sample`` with the topic, queue and bucket its handlers use."""
    boto.sns.create_topic(Name="sample-topic")
    boto.sqs.create_queue(QueueName="sample-queue")
    boto.s3.create_bucket(
        Bucket="sample-bucket", CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )
    project = tmp_path / "sample"
    shutil.copytree(SAMPLE, project)
    return project
