"""The S3 state backend: one object per stage, a leased lock object beside it.

* State: ``<prefix>/<app>/deployed/<stage>.json``, exactly the local file's
  schema 2.0 text. Every write is a conditional PutObject: ``If-Match`` on the
  ETag read or written last (``If-None-Match: *`` for the first), so two
  writers can never overwrite each other silently. The object's metadata says
  who wrote it (``chalice-writer``), which a refused writer reports.
* Lock: ``<stage>.lock``, created with ``If-None-Match: *``, holding a
  ``Holder`` with a lease. ``lease.LeaseKeeper`` renews it (``If-Match`` on the
  lock's ETag) while the command runs. A lease not renewed for
  ``lease_seconds`` (its holder was killed) is taken over with a notice,
  judged on S3's clock (the lock's ``LastModified`` against the response's
  ``Date``), so the deployers' clocks never matter; a holder on this host
  whose process is gone is taken over at once. Release is a DeleteObject
  with ``If-Match``: never someone else's lock.

A request that AWS applied but whose answer was lost is retried by the
retry layer; its 412 is then recognised by our own token (lock) or write id
(state) and counts as success. Bucket problems (missing, denied, other
region) become one ``StateError`` with the fix, at the first request, before
anything is deployed. No call here touches anything but these two objects
(and reads the bucket's versioning and location).
"""

from __future__ import annotations

import datetime
import json
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from chalice.aws.errors import AWSError, is_access_denied
from chalice.aws.s3state import PRECONDITION_CODES, ObjectStore, StoredObject
from chalice.deploy.backend_config import BackendSpec
from chalice.deploy.lease import LeaseKeeper, Timing
from chalice.deploy.lock import Holder, Notice
from chalice.deploy.state import DeployedState, parse_state_text
from chalice.deploy.statebackend import ABSENT, StateConflictError, Version
from chalice.errors import LockError, StateError

WRITER_KEY = "chalice-writer"
WRITE_ID_KEY = "chalice-write-id"
REDIRECT_CODES = (
    "PermanentRedirect",
    "AuthorizationHeaderMalformed",
    "IllegalLocationConstraintException",
    "301",
)


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _ascii(text: str) -> str:
    # S3 user metadata travels as HTTP headers: ASCII only.
    return text.encode("ascii", "replace").decode("ascii")[:1000]


def _is_precondition(err: AWSError) -> bool:
    return err.code in PRECONDITION_CODES


class _S3Held:
    """A held S3 lock: its holder, current ETag and lease keeper."""

    def __init__(self, backend: S3Backend, stage: str, holder: Holder, etag: str) -> None:
        self.backend = backend
        self.stage = stage
        self.holder = holder
        self.etag = etag
        self._lock = threading.Lock()
        self.keeper: LeaseKeeper | None = None

    def renew(self) -> bool:
        """Extend the lease; False (and a notice) if the lock is no longer ours."""
        with self._lock:
            ok, etag = self.backend._renew(self.stage, self.holder, self.etag)
            if ok:
                self.etag = etag
            return ok

    def release(self) -> None:
        if self.keeper is not None:
            self.keeper.stop()
        with self._lock:
            self.backend._release(self.stage, self.holder, self.etag)


class S3Backend:
    """Stages' state and locks in ``spec.bucket`` (see the module docstring)."""

    def __init__(
        self,
        store: ObjectStore,
        spec: BackendSpec,
        *,
        app_name: str,
        timing: Timing | None = None,
        clock: Callable[[], datetime.datetime] = _utcnow,
        wait: Callable[[float], bool] | None = None,
        environ: dict[str, str] | None = None,
    ) -> None:
        self.store = store
        self.spec = spec
        self.app_name = app_name
        self.timing = timing or Timing()
        self.clock = clock
        self._wait = wait
        self._environ = environ
        self._holders: dict[str, Holder] = {}

    @classmethod
    def create(
        cls,
        spec: BackendSpec,
        *,
        project_dir: Path,
        app_name: str,
        session: Any = None,
        profile: str | None = None,
    ) -> S3Backend:
        """The backend over a botocore client in the bucket's region."""
        from botocore.config import Config

        from chalice.aws.s3state import S3State
        from chalice.aws.session import new_client, new_session

        if session is None:
            session = new_session(profile)
        config = Config(
            region_name=spec.region,
            retries={"mode": "standard", "total_max_attempts": 1},
        )
        client = new_client(session, "s3", config)
        return cls(S3State(client), spec, app_name=app_name)

    # -- where ---------------------------------------------------------------

    def key(self, stage: str, suffix: str = "json") -> str:
        return self.spec.object_key(self.app_name, stage, suffix)

    def where(self, stage: str) -> str:
        return f"s3://{self.spec.bucket}/{self.key(stage)}"

    # -- errors --------------------------------------------------------------

    def _call(self, what: str, stage: str, fn: Callable[[], Any]) -> Any:
        """Run an S3 request; bucket problems become one ``StateError`` with the fix."""
        try:
            return fn()
        except AWSError as err:
            problem = self._bucket_problem(err, stage)
            if problem is None:
                raise
            raise problem from err

    def _bucket_problem(self, err: AWSError, stage: str) -> StateError | None:
        bucket = self.spec.bucket
        where = f"{self.spec.source}: {self.where(stage)}"
        if err.code == "NoSuchBucket":
            return StateError(
                f"The state bucket '{bucket}' does not exist (or is in another account).",
                where=where,
                fix=f"create it, with versioning for history: 'aws s3api create-bucket --bucket "
                f"{bucket}' then 'aws s3api put-bucket-versioning --bucket {bucket} "
                "--versioning-configuration Status=Enabled'; or fix `bucket` in state_backend",
            )
        if is_access_denied(err) or err.code in ("403", "Forbidden"):
            kms = (
                " and kms:Encrypt, kms:Decrypt, kms:GenerateDataKey on the key"
                if (self.spec.kms_key_id)
                else ""
            )
            head = self.spec.key_prefix.strip("/")
            prefix = f"{head}/{self.app_name}" if head else self.app_name
            return StateError(
                f"Access denied to the state bucket '{bucket}' ({err.operation}: {err.message}).",
                where=where,
                fix="grant your deploy role s3:GetObject, s3:PutObject and s3:DeleteObject on "
                f"arn:aws:s3:::{bucket}/{prefix}/*, s3:ListBucket and s3:GetBucketVersioning "
                f"on arn:aws:s3:::{bucket}{kms} (see docs/teams.rst)",
            )
        if err.code in REDIRECT_CODES:
            return StateError(
                f"The state bucket '{bucket}' is in another region than the one used "
                f"({self.spec.region or 'your profile region'}).",
                where=where,
                fix='set the bucket\'s region in state_backend, e.g. "region": "eu-west-1" '
                "(see 'aws s3api get-bucket-location --bucket "
                f"{bucket}')",
            )
        if err.code.startswith("KMS.") or "KMS" in err.code:
            return StateError(
                f"The KMS key of the state backend cannot be used: {err.code}: {err.message}",
                where=where,
                fix="check `kms_key_id` and that your role may use the key (kms:Encrypt, "
                "kms:Decrypt, kms:GenerateDataKey)",
            )
        return None

    # -- checks --------------------------------------------------------------

    def check(self) -> list[str]:
        """Versioning off -> a warning (no history); bucket problems raise."""
        status = self._call("check", "*", lambda: self.store.versioning(self.spec.bucket))
        if status != "Enabled":
            return [
                f"Warning: versioning is off on the state bucket '{self.spec.bucket}', so "
                "earlier versions of the state cannot be restored. Turn it on: 'aws s3api "
                f"put-bucket-versioning --bucket {self.spec.bucket} --versioning-configuration "
                "Status=Enabled'."
            ]
        return []

    # -- the document --------------------------------------------------------

    def read(self, stage: str, *, version_id: str | None = None) -> tuple[DeployedState, Version]:
        key = self.key(stage)
        found = self._call(
            "read", stage, lambda: self.store.get(self.spec.bucket, key, version_id=version_id)
        )
        if found is None:
            return DeployedState.empty(), ABSENT
        state = parse_state_text(found.body.decode("utf-8", "replace"), where=self.where(stage))
        return state, Version(token=found.etag, version_id=found.version_id)

    def write(self, stage: str, state: DeployedState, *, expected: Version) -> Version:
        key = self.key(stage)
        write_id = uuid.uuid4().hex
        holder = self._holders.get(stage) or Holder.current("chalice", environ=self._environ)
        metadata = {
            WRITER_KEY: _ascii(f"{holder.command} by {holder.user} on {holder.host}"
                               + (f" ({holder.ci_job})" if holder.ci_job else "")),
            WRITE_ID_KEY: write_id,
        }  # fmt: skip
        body = state.to_json().encode("utf-8")
        try:
            put = self._call(
                "write",
                stage,
                lambda: self.store.put(
                    self.spec.bucket,
                    key,
                    body,
                    if_match=expected.token,
                    if_absent=not expected.exists,
                    metadata=metadata,
                    kms_key_id=self.spec.kms_key_id,
                ),
            )
        except AWSError as err:
            if not (_is_precondition(err) or (expected.exists and err.code == "NoSuchKey")):
                raise
            now = self._call("write", stage, lambda: self.store.head(self.spec.bucket, key))
            if now is not None and now.metadata.get(WRITE_ID_KEY) == write_id:
                return Version(token=now.etag, version_id=now.version_id)  # our retried write
            raise self._conflict(stage, now) from err
        return Version(token=put.etag, version_id=put.version_id)

    def _conflict(self, stage: str, now: StoredObject | None) -> StateConflictError:
        if now is None:
            who = "someone deleted it"
        else:
            writer = now.metadata.get(WRITER_KEY) or "a writer that did not say who it was"
            when = now.last_modified.isoformat() if now.last_modified else "?"
            who = f"it was written by {writer} at {when}"
        return StateConflictError(
            f"The state of stage '{stage}' changed since this command read it: {who}.",
            where=self.where(stage),
            fix="this command stopped so as not to overwrite it. The resources it created are "
            "tagged with the app and stage: once the other command is done, run this one again "
            "and it adopts them (no duplicates)",
        )

    # -- the lock ------------------------------------------------------------

    def _lease_holder(self, command: str) -> Holder:
        now = self.clock()
        me = Holder.current(command, environ=self._environ, now=now)
        return self._with_lease(me, now)

    def _with_lease(self, holder: Holder, now: datetime.datetime) -> Holder:
        expires = now + datetime.timedelta(seconds=self.timing.lease_seconds)
        return attrs.evolve(
            holder,
            lease_seconds=self.timing.lease_seconds,
            lease_expires=expires.isoformat(timespec="seconds"),
        )

    def _put_lock(self, stage: str, holder: Holder, *, if_match: str | None) -> str:
        put = self._call(
            "lock",
            stage,
            lambda: self.store.put(
                self.spec.bucket,
                self.key(stage, "lock"),
                holder.to_json().encode("utf-8"),
                if_match=if_match,
                if_absent=if_match is None,
                metadata={WRITER_KEY: _ascii(holder.describe())},
                kms_key_id=self.spec.kms_key_id,
            ),
        )
        return str(put.etag)

    def _read_lock(self, stage: str) -> tuple[Holder, StoredObject] | None:
        found = self._call(
            "lock", stage, lambda: self.store.get(self.spec.bucket, self.key(stage, "lock"))
        )
        if found is None:
            return None
        try:
            data = json.loads(found.body.decode("utf-8", "replace"))
        except ValueError:
            data = {}
        return Holder.from_dict(data), found

    def expired(self, holder: Holder, found: StoredObject) -> bool:
        """Whether the lease lapsed, on S3's clock when it says the time."""
        lease = (
            holder.lease_seconds if holder.lease_seconds is not None else self.timing.lease_seconds
        )
        if found.last_modified is None:
            return False
        now = found.server_time or self.clock()
        return now >= found.last_modified + datetime.timedelta(seconds=lease)

    def acquire(self, stage: str, *, command: str, force: bool, notice: Notice) -> _S3Held:
        me = self._lease_holder(command)
        if force:
            self.break_lock(stage)
        try:
            etag = self._put_lock(stage, me, if_match=None)
        except AWSError as err:
            if not _is_precondition(err):
                raise
            etag = self._take_over_or_refuse(stage, me, notice)
        held = _S3Held(self, stage, me, etag)
        self._holders[stage] = me
        keeper = LeaseKeeper(
            held.renew, every=self.timing.renew_every, notice=notice, wait=self._wait
        )
        held.keeper = keeper
        keeper.start()
        return held

    def _take_over_or_refuse(self, stage: str, me: Holder, notice: Notice) -> str:
        seen = self._read_lock(stage)
        if seen is None:  # released in between: try once more
            try:
                return self._put_lock(stage, me, if_match=None)
            except AWSError as err:
                if not _is_precondition(err):
                    raise
                seen = self._read_lock(stage)
                if seen is None:
                    raise self._locked_error(stage, None) from err
        holder, found = seen
        if holder.token == me.token:  # our create was applied; its answer was lost
            return found.etag
        # A holder on this very host whose process is gone need not wait for its lease.
        dead = holder.provably_dead()
        if not dead and not self.expired(holder, found):
            raise self._locked_error(stage, holder)
        try:
            etag = self._put_lock(stage, me, if_match=found.etag)
        except AWSError as err:
            if not _is_precondition(err):
                raise
            again = self._read_lock(stage)
            raise self._locked_error(stage, again[0] if again else None) from err
        why = (
            "that process is no longer running on this host"
            if dead
            else "its lease expired (that command was killed or lost its connection)"
        )
        notice(f"Took over the lock of stage '{stage}' from {holder.describe()}: {why}.")
        return etag

    def _locked_error(self, stage: str, holder: Holder | None) -> LockError:
        who = holder.describe() if holder is not None else "another command"
        return LockError(
            f"Stage '{stage}' is locked by {who}.",
            where=self.where(stage).rsplit(".", 1)[0] + ".lock",
            fix="wait for that command to finish (its lease is renewed while it runs and is "
            f"taken over {int(self.timing.lease_seconds)} s after it stops); to break it now, "
            f"run 'chalice unlock --stage {stage}' once you are sure it is not running",
        )

    def _renew(self, stage: str, holder: Holder, etag: str) -> tuple[bool, str]:
        renewed = self._with_lease(holder, self.clock())
        try:
            return True, self._put_lock(stage, renewed, if_match=etag)
        except AWSError as err:
            if not (_is_precondition(err) or err.code == "NoSuchKey"):
                raise
        seen = self._read_lock(stage)
        if seen is not None and seen[0].token == holder.token:
            return True, seen[1].etag  # our renewal was applied; its answer was lost
        return False, etag

    def _release(self, stage: str, holder: Holder, etag: str) -> None:
        self._holders.pop(stage, None)
        try:
            self._call(
                "unlock",
                stage,
                lambda: self.store.delete(self.spec.bucket, self.key(stage, "lock"), if_match=etag),
            )
        except AWSError as err:
            if not _is_precondition(err):
                raise
            # Someone took the lock over (our lease had lapsed): leave theirs alone.

    def holder(self, stage: str) -> Holder | None:
        seen = self._read_lock(stage)
        return seen[0] if seen else None

    def break_lock(self, stage: str) -> Holder | None:
        seen = self._read_lock(stage)
        if seen is None:
            return None
        try:
            self._call(
                "unlock",
                stage,
                lambda: self.store.delete(
                    self.spec.bucket, self.key(stage, "lock"), if_match=seen[1].etag
                ),
            )
        except AWSError as err:
            if not _is_precondition(err):
                raise
            raise LockError(
                f"The lock of stage '{stage}' changed while it was being broken.",
                where=self.where(stage),
                fix="look at who holds it now ('chalice state show') and try again",
            ) from err
        return seen[0]

    # -- history -------------------------------------------------------------

    def history(self, stage: str) -> list[dict[str, Any]]:
        """The stage document's versions, newest first (empty without versioning)."""
        return list(
            self._call(
                "history", stage, lambda: self.store.versions(self.spec.bucket, self.key(stage))
            )
        )
