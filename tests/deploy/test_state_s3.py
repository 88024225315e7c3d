"""The S3 state backend on an in-memory S3: conditional writes, the leased lock.

Time only moves when a test moves the fake S3's clock; the lease keeper's
pauses are driven by the test (``Ticks``), never by sleeping.
"""

from __future__ import annotations

import json
import queue
import threading
from pathlib import Path

import pytest

from chalice.deploy.backend_config import BackendKind, BackendSpec
from chalice.deploy.lease import LeaseKeeper, Timing
from chalice.deploy.state import DeployedState
from chalice.deploy.state_access import locked_stage
from chalice.deploy.state_s3 import S3Backend
from chalice.deploy.statebackend import ABSENT, StageSession, StateConflictError
from chalice.errors import LockError, StateError
from tests.deploy.fake_s3store import FakeStore

SPEC = BackendSpec(BackendKind.S3, bucket="state", key_prefix="team", source="config.json")


class Ticks:
    """A lease keeper's ``wait``: each ``tick()`` lets one renewal through."""

    def __init__(self) -> None:
        self._q: queue.Queue[bool] = queue.Queue()
        self.waiting = threading.Semaphore(0)

    def wait(self, _seconds: float) -> bool:
        self.waiting.release()
        return self._q.get()

    def tick(self) -> None:
        self._q.put(False)

    def stop(self) -> None:
        self._q.put(True)


def backend(store: FakeStore, *, lease: float = 120.0, wait: object = None) -> S3Backend:
    return S3Backend(
        store,
        SPEC,
        app_name="shop",
        timing=Timing(lease_seconds=lease, renew_every=lease / 4),
        clock=lambda: store.now,
        wait=wait or (lambda _s: True),  # type: ignore[arg-type]
        environ={"GITHUB_RUN_ID": "42"},
    )


def state(*names: str) -> DeployedState:
    s = DeployedState.empty()
    for n in names:
        s = s.with_resource(n, "lambda_function", {"lambda_arn": f"arn:{n}"})
    return s


def test_keys_and_document_are_the_local_schema() -> None:
    store = FakeStore()
    b = backend(store)
    assert b.where("prod") == "s3://state/team/shop/deployed/prod.json"
    assert b.read("prod") == (DeployedState.empty(), ABSENT)
    version = b.write("prod", state("api_handler"), expected=ABSENT)
    stored = store.objects[("state", "team/shop/deployed/prod.json")]
    assert stored.body.decode() == state("api_handler").to_json()
    assert "chalice by" in stored.metadata["chalice-writer"]
    assert b.read("prod") == (state("api_handler"), version)


def test_a_write_over_a_version_someone_replaced_is_refused_naming_them() -> None:
    store = FakeStore()
    mine, theirs = backend(store), backend(store)
    v0 = mine.write("dev", state("a"), expected=ABSENT)
    held = theirs.acquire("dev", command="chalice deploy", force=True, notice=print)
    theirs.write("dev", state("a", "b"), expected=v0)
    with pytest.raises(StateConflictError) as err:
        mine.write("dev", state("a", "c"), expected=v0)
    msg = str(err.value)
    assert "changed since this command read it" in msg and "chalice deploy by" in msg
    assert "GitHub Actions run 42" in msg and "adopts them" in msg
    held.release()
    # A first write where a document appeared meanwhile is refused too.
    with pytest.raises(StateConflictError):
        mine.write("dev", state("x"), expected=ABSENT)


def test_a_write_applied_but_unanswered_counts_as_done() -> None:
    store = FakeStore()
    b = backend(store)
    v0 = b.write("dev", state("a"), expected=ABSENT)
    # AWS applied the write; the answer was lost; the retry got 412.
    store.fail["PutObject"] = ("PreconditionFailed", True)
    v1 = b.write("dev", state("a", "b"), expected=v0)
    assert b.read("dev") == (state("a", "b"), v1)


def test_second_locker_is_refused_at_once_naming_the_holder() -> None:
    store = FakeStore()
    first, second = backend(store), backend(store)
    held = first.acquire("dev", command="chalice deploy", force=False, notice=print)
    with pytest.raises(LockError) as err:
        second.acquire("dev", command="chalice delete", force=False, notice=print)
    msg = str(err.value)
    assert "Stage 'dev' is locked by 'chalice deploy'" in msg
    assert "GitHub Actions run 42" in msg and "chalice unlock --stage dev" in msg
    assert "team/shop/deployed/dev.lock" in msg
    held.release()
    assert ("state", "team/shop/deployed/dev.lock") not in store.objects
    second.acquire("dev", command="chalice delete", force=False, notice=print).release()


def test_expired_lease_is_taken_over_on_s3s_clock() -> None:
    store = FakeStore()
    killed = backend(store, lease=60)
    killed.acquire("dev", command="chalice deploy", force=False, notice=print)  # never released
    store.advance(59)
    with pytest.raises(LockError):
        backend(store).acquire("dev", command="chalice deploy", force=False, notice=print)
    store.advance(1)
    notices: list[str] = []
    held = backend(store).acquire(
        "dev", command="chalice deploy", force=False, notice=notices.append
    )
    assert len(notices) == 1 and "its lease expired" in notices[0]
    lock = json.loads(store.objects[("state", "team/shop/deployed/dev.lock")].body)
    assert lock["token"] == held.holder.token and lock["lease_seconds"] == 120.0
    held.release()


def test_renewal_keeps_the_lease_alive_and_detects_loss() -> None:
    store = FakeStore()
    ticks = Ticks()
    b = backend(store, lease=60, wait=ticks.wait)
    notices: list[str] = []
    held = b.acquire("dev", command="chalice deploy", force=False, notice=notices.append)
    keeper = held.keeper
    assert keeper is not None
    for _ in range(3):  # renew at 40 s intervals: never 60 s without a renewal
        ticks.waiting.acquire()
        store.advance(40)
        ticks.tick()
    ticks.waiting.acquire()  # the third renewal is done once the keeper waits again
    assert keeper.renewals == 3
    with pytest.raises(LockError):
        backend(store).acquire("dev", command="chalice deploy", force=False, notice=print)
    # Someone breaks the lock by hand: the next renewal finds it is not ours.
    backend(store).break_lock("dev")
    thread = keeper._thread
    assert thread is not None
    ticks.tick()
    thread.join()  # the keeper ends by itself once it finds the lock is not ours
    assert keeper.lost and keeper.renewals == 3
    assert len(notices) == 1 and "lost the stage's lock" in notices[0]
    held.release()  # a lost lock is not deleted (it may be someone else's now)


def test_lease_keeper_reports_failures_and_keeps_trying() -> None:
    calls: list[str] = []
    ticks = Ticks()
    notices: list[str] = []

    def renew() -> bool:
        calls.append("renew")
        if len(calls) == 1:
            raise RuntimeError("network down")
        return True

    keeper = LeaseKeeper(renew, every=1.0, notice=notices.append, wait=ticks.wait)
    keeper.start()
    ticks.tick()
    ticks.tick()
    ticks.waiting.acquire()
    ticks.waiting.acquire()
    ticks.waiting.acquire()
    ticks.stop()
    keeper.stop()
    assert calls == ["renew", "renew"] and keeper.renewals == 1
    assert "could not renew" in notices[0]


def test_bucket_problems_are_one_clear_error_before_anything() -> None:
    store = FakeStore(buckets=())
    with pytest.raises(StateError) as err:
        backend(store).acquire("dev", command="chalice deploy", force=False, notice=print)
    assert "does not exist" in str(err.value) and "put-bucket-versioning" in str(err.value)
    denied = FakeStore()
    denied.fail["PutObject"] = ("AccessDenied", False)
    with pytest.raises(StateError) as err:
        backend(denied).acquire("dev", command="chalice deploy", force=False, notice=print)
    assert "s3:PutObject" in str(err.value) and "arn:aws:s3:::state/team/shop/*" in str(err.value)
    moved = FakeStore()
    moved.fail["PutObject"] = ("PermanentRedirect", False)
    with pytest.raises(StateError, match="another region"):
        backend(moved).acquire("dev", command="chalice deploy", force=False, notice=print)


def test_versioning_off_warns_once_on_the_first_state(tmp_path: Path) -> None:
    store = FakeStore(versioning="")
    b = backend(store)
    notices: list[str] = []
    with locked_stage(b, project_dir=tmp_path, stage="dev", command="chalice deploy",
                      force_unlock=False, notice=notices.append) as session:  # fmt: skip
        session.save(state("a"))
    assert any("versioning is off" in n for n in notices)
    notices.clear()
    store.calls.clear()
    with locked_stage(b, project_dir=tmp_path, stage="dev", command="chalice deploy",
                      force_unlock=False, notice=notices.append) as session:  # fmt: skip
        session.save(state("a"))  # unchanged: not written again
    assert notices == []
    # A no-op run costs three requests: lock, read, release.
    assert store.calls == ["PutObject", "GetObject", "DeleteObject"]


def test_local_state_not_yet_migrated_is_refused(tmp_path: Path) -> None:
    from chalice.deploy.state import save_state

    save_state(tmp_path, "dev", state("a"))
    store = FakeStore()
    with pytest.raises(StateError, match="chalice state migrate --stage dev --to s3"):
        with locked_stage(backend(store), project_dir=tmp_path, stage="dev",
                          command="chalice deploy", force_unlock=False, notice=print):  # fmt: skip
            pass
    assert ("state", "team/shop/deployed/dev.lock") not in store.objects  # released


def test_session_writes_after_every_change_conditionally() -> None:
    store = FakeStore()
    b = backend(store)
    session = StageSession(b, "dev", DeployedState.empty(), ABSENT)
    session.save(state("a"))
    session.save(state("a", "b"))
    session.save(state("a", "b"))
    assert session.writes == 2
    assert [o.version_id for o in store.history[("state", "team/shop/deployed/dev.json")]] == [
        "2",
        "1",
    ]
    assert [v["VersionId"] for v in b.history("dev")] == ["2", "1"]
    assert b.read("dev", version_id="1")[0] == state("a")


def test_a_dead_holder_on_this_host_is_taken_over_before_its_lease_ends() -> None:
    import attrs

    from chalice.deploy.lock import Holder

    store = FakeStore()
    dead = attrs.evolve(Holder.current("chalice deploy"), pid=2**22 + 7, lease_seconds=600.0)
    store.put("state", "team/shop/deployed/dev.lock", dead.to_json().encode(), if_absent=True)
    notices: list[str] = []
    held = backend(store).acquire(
        "dev", command="chalice deploy", force=False, notice=notices.append
    )
    assert len(notices) == 1 and "no longer running on this host" in notices[0]
    held.release()


def test_a_versioning_check_refused_is_only_a_warning(tmp_path: Path) -> None:
    store = FakeStore()
    store.fail["GetBucketVersioning"] = ("AccessDenied", False)
    notices: list[str] = []
    with locked_stage(backend(store), project_dir=tmp_path, stage="dev",
                      command="chalice deploy", force_unlock=False,
                      notice=notices.append) as session:  # fmt: skip
        session.save(state("a"))
    assert len(notices) == 1 and "could not check the state bucket's versioning" in notices[0]
