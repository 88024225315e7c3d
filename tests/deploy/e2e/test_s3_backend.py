"""The S3 state backend end to end, through botocore against moto's S3.

Two checkouts of one project (two project directories, nothing shared but
the bucket) deploy the same stage: concurrently (one is refused, naming the
other; synchronised with events), in turn (the second sees the first's
resources: no duplicates), after a kill -9 (the next one takes the lapsed
lease over and converges). Faults at every mutating call of a first deploy
and of a delete leave nothing behind. The backend's S3 client has its own
botocore session, so the deploy's fault counter sees only resource calls.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from chalice.aws.s3state import S3State
from chalice.aws.session import AWSClients
from chalice.deploy.backend_config import BackendKind, BackendSpec
from chalice.deploy.deployer import delete_stage, deploy_application
from chalice.deploy.lease import Timing
from chalice.deploy.state import state_path
from chalice.deploy.state_s3 import S3Backend
from chalice.errors import DeployError, LockError
from tests.deploy.e2e import models_kit as kit
from tests.deploy.e2e.test_faults import DELETE_CALLS, DEPLOY_CALLS, EXPECTED
from tests.reporting import RecordingReporter

ROOT = Path(__file__).resolve().parents[3]
BUCKET = "chalice-team-state"


@pytest.fixture
def name(request: pytest.FixtureRequest) -> str:
    """A unique app name per test (moto is shared, not reset, between these tests)."""
    return "s" + hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:8]


@pytest.fixture
def bucket(shared_env: str, boto: Any) -> str:
    s3 = boto.s3
    try:
        s3.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
        )
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    return BUCKET


def s3_backend(app: str, *, lease: float = 120.0, session: Any = None) -> S3Backend:
    spec = BackendSpec(BackendKind.S3, bucket=BUCKET, key_prefix="teams", source="test config")
    client = (session or botocore.session.Session()).create_client("s3")
    return S3Backend(
        S3State(client, sleep=lambda _s: None),
        spec,
        app_name=app,
        timing=Timing(lease_seconds=lease, renew_every=max(lease / 4, 1.0)),
    )


def _app(tmp: Path, sources: dict[str, str], app: str) -> Any:
    return kit.full_app(
        tmp, app=app, sources=sources, with_domains=False,
        drop=("websocket", "kinfn", "ddbfn", "pattern"),
    )  # fmt: skip


def _deploy(app: Any, project: Path, aws: Any, name: str, **kw: Any) -> RecordingReporter:
    ui = RecordingReporter()
    deploy_application(
        app, project_dir=project, app_name=name, clients=aws, ui=ui, max_parallel=4,
        backend=kw.pop("backend", None) or s3_backend(name), **kw,
    )  # fmt: skip
    return ui


def _delete(project: Path, aws: Any, name: str) -> None:
    delete_stage(
        project_dir=project, stage="dev", app_name=name, clients=aws, ui=RecordingReporter(),
        max_parallel=4, backend=s3_backend(name),
    )  # fmt: skip


def _remote_text(name: str) -> str:
    state, version = s3_backend(name).read("dev")
    return json.dumps([dict(r) for r in state.resources]) if version.exists else ""


def assert_all_recorded(boto: Any, name: str) -> None:
    text = _remote_text(name)
    for kind, items in kit.leftovers(boto, name).items():
        for item in items:
            assert item in text, f"{kind} {item} exists but is not in the S3 state"


def _checkout(tmp_path: Path, label: str) -> Path:
    project = tmp_path / label
    (project / ".chalice").mkdir(parents=True)
    return project


def test_two_checkouts_concurrently_then_in_turn(
    bucket: str, name: str, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    sources = kit.create_sources(boto, name)
    app = _app(tmp_path, sources, name)
    first, second = _checkout(tmp_path, "laptop"), _checkout(tmp_path, "ci")
    # The first deploy pauses at its first AWS change, holding the lock.
    session = botocore.session.Session()
    holding, go_on = threading.Event(), threading.Event()

    def pause(model: Any, **_: Any) -> None:
        if calls.is_mutating(model.name) and not holding.is_set():
            holding.set()
            go_on.wait()

    session.register("before-call", pause)
    errors: list[BaseException] = []

    def run_first() -> None:
        try:
            _deploy(app, first, AWSClients(session, sleep=lambda _s: None), name)
        except BaseException as err:  # reported below
            errors.append(err)

    thread = threading.Thread(target=run_first)
    thread.start()
    try:
        assert holding.wait(timeout=120)
        with pytest.raises(LockError) as refused:
            _deploy(app, second, aws, name)
    finally:
        go_on.set()
        thread.join()
    assert errors == []
    message = str(refused.value)
    assert "Stage 'dev' is locked by 'chalice deploy'" in message
    assert f"pid {os.getpid()}" in message and "chalice unlock --stage dev" in message
    assert not state_path(second, "dev").exists() and not state_path(first, "dev").exists()
    # In turn: the second checkout sees the first's resources and changes nothing.
    calls.reset()
    _deploy(app, second, aws, name)
    assert calls.mutating == []
    assert {k: len(v) for k, v in kit.leftovers(boto, name).items()} == EXPECTED
    _delete(first, aws, name)
    assert kit.leftovers(boto, name) == {}


def test_lapsed_lease_is_taken_over_and_unlock_breaks_a_live_one(
    bucket: str, name: str, aws: Any, boto: Any, tmp_path: Path
) -> None:
    # A holder whose lease lapses at once (as if killed long ago) ...
    lapsed = s3_backend(name, lease=0)
    lapsed.acquire("dev", command="chalice deploy", force=False, notice=print).keeper.stop()  # type: ignore[union-attr]
    sources = kit.create_sources(boto, name)
    app = _app(tmp_path, sources, name)
    ui = _deploy(app, _checkout(tmp_path, "a"), aws, name)
    assert any("its lease expired" in w for w in ui.warnings), ui.warnings
    # ... while a live one is refused until broken by hand.
    live = s3_backend(name)
    held = live.acquire("dev", command="chalice delete", force=False, notice=print)
    with pytest.raises(LockError, match="locked by 'chalice delete'"):
        _deploy(app, _checkout(tmp_path, "b"), aws, name)
    broken = s3_backend(name).break_lock("dev")
    assert broken is not None and broken.token == held.holder.token
    held.release()  # the old holder's release leaves the new lock alone
    _delete(_checkout(tmp_path, "c"), aws, name)
    assert kit.leftovers(boto, name) == {}


@pytest.mark.parametrize("k", range(1, DEPLOY_CALLS + 1))
def test_deploy_fault_at_k(
    k: int, bucket: str, name: str, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    sources = kit.create_sources(boto, name)
    app = _app(tmp_path, sources, name)
    calls.reset(fail_at=k)
    with pytest.raises(DeployError, match="InjectedFault"):
        _deploy(app, _checkout(tmp_path, "one"), aws, name)
    assert_all_recorded(boto, name)
    # Another checkout converges from the S3 state alone.
    calls.reset()
    _deploy(app, _checkout(tmp_path, "two"), aws, name)
    assert {kind: len(v) for kind, v in kit.leftovers(boto, name).items()} == EXPECTED
    assert_all_recorded(boto, name)
    calls.reset()
    _deploy(app, _checkout(tmp_path, "three"), aws, name)
    assert calls.mutating == []
    _delete(_checkout(tmp_path, "four"), aws, name)
    assert kit.leftovers(boto, name) == {}


@pytest.mark.parametrize("k", range(1, DELETE_CALLS + 1))
def test_delete_fault_at_k(
    k: int, bucket: str, name: str, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    sources = kit.create_sources(boto, name)
    _deploy(_app(tmp_path, sources, name), _checkout(tmp_path, "one"), aws, name)
    calls.reset(fail_at=k)
    with pytest.raises(DeployError):
        _delete(_checkout(tmp_path, "two"), aws, name)
    assert_all_recorded(boto, name)
    calls.reset()
    _delete(_checkout(tmp_path, "three"), aws, name)
    assert kit.leftovers(boto, name) == {}
    assert s3_backend(name).read("dev")[0].resources == ()


def test_a_failed_state_write_stops_the_deploy_and_the_next_one_adopts(
    bucket: str, name: str, aws: Any, boto: Any, tmp_path: Path
) -> None:
    from tests.deploy.e2e.conftest import CallLog

    sources = kit.create_sources(boto, name)
    app = _app(tmp_path, sources, name)
    state_session = botocore.session.Session()
    state_calls = CallLog(state_session)
    state_calls.reset(fail_at=4)  # lock, then the first state writes; the 3rd write fails
    with pytest.raises(DeployError, match="InjectedFault"):
        _deploy(app, _checkout(tmp_path, "one"), aws, name,
                backend=s3_backend(name, session=state_session))  # fmt: skip
    assert s3_backend(name).holder("dev") is None  # released despite the failure
    _deploy(app, _checkout(tmp_path, "two"), aws, name)
    assert {kind: len(v) for kind, v in kit.leftovers(boto, name).items()} == EXPECTED
    assert_all_recorded(boto, name)
    _delete(_checkout(tmp_path, "three"), aws, name)
    assert kit.leftovers(boto, name) == {}


CHILD = r"""
import os, signal, sys
from pathlib import Path
sys.path.insert(0, {root!r})
import botocore.session
from chalice.aws.session import AWSClients
from chalice.deploy.deployer import deploy_application
from tests.reporting import RecordingReporter
from tests.deploy.e2e import models_kit as kit
from tests.deploy.e2e.test_s3_backend import s3_backend, _app

session = botocore.session.Session()
count = 0
def after(model, **kw):
    global count
    if not model.name.startswith(("Get", "List", "Describe", "Head")):
        count += 1
        if count == {k}:
            os.kill(os.getpid(), signal.SIGKILL)

session.register("after-call", after)
app = _app(Path({tmp!r}), {sources!r}, {name!r})
deploy_application(app, project_dir=Path({project!r}), app_name={name!r},
                   clients=AWSClients(session), ui=RecordingReporter(), max_parallel=4,
                   backend=s3_backend({name!r}))
"""


@pytest.mark.parametrize("k", [4, 12, 20])
def test_kill_9_then_deploy_from_another_checkout_converges(
    k: int, bucket: str, name: str, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    sources = kit.create_sources(boto, name)
    script = CHILD.format(
        root=str(ROOT), k=k, sources=sources, tmp=str(tmp_path), name=name,
        project=str(_checkout(tmp_path, "killed")),
    )  # fmt: skip
    proc = subprocess.run(
        [sys.executable, "-c", script], env=dict(os.environ), timeout=300,
        capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    assert s3_backend(name).holder("dev") is not None  # the killed deploy's lock is left
    app = _app(tmp_path, sources, name)
    ui = _deploy(app, _checkout(tmp_path, "fresh-clone"), aws, name)
    # Same host, pid gone: taken over at once (another host would wait for the lease).
    assert any("no longer running on this host" in w for w in ui.warnings), ui.warnings
    assert {kind: len(v) for kind, v in kit.leftovers(boto, name).items()} == EXPECTED
    assert_all_recorded(boto, name)
    calls.reset()
    _deploy(app, _checkout(tmp_path, "another"), aws, name)
    assert calls.mutating == []
    _delete(_checkout(tmp_path, "last"), aws, name)
    assert kit.leftovers(boto, name) == {}
