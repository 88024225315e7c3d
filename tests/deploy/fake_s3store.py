"""An in-memory S3 with AWS's conditional-write semantics, for backend unit tests.

``now`` is S3's clock (tests move it by hand); ``fail`` injects an error
code at the next call of an operation, optionally after applying it (the
answer is lost). Versions are kept when ``versioning`` is ``Enabled``.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import threading
from typing import Any

from chalice.aws.errors import AWSError
from chalice.aws.s3state import PutResult, StoredObject

EPOCH = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)


def error(operation: str, code: str) -> AWSError:
    return AWSError(service="s3", operation=operation, code=code, message=f"{code} (fake)")


class FakeStore:
    def __init__(
        self, *, versioning: str = "Enabled", buckets: tuple[str, ...] = ("state",)
    ) -> None:
        self.now = EPOCH
        self.objects: dict[tuple[str, str], StoredObject] = {}
        self.history: dict[tuple[str, str], list[StoredObject]] = {}
        self.buckets = set(buckets)
        self.versioning_status = versioning
        self.calls: list[str] = []
        self.fail: dict[str, tuple[str, bool]] = {}  # operation -> (code, after applying)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def advance(self, seconds: float) -> None:
        self.now += datetime.timedelta(seconds=seconds)

    def _enter(self, operation: str, bucket: str) -> tuple[str, bool] | None:
        self.calls.append(operation)
        if bucket not in self.buckets:
            raise error(operation, "NoSuchBucket")
        failure = self.fail.pop(operation, None)
        if failure is not None and not failure[1]:
            raise error(operation, failure[0])
        return failure

    def get(self, bucket: str, key: str, *, version_id: str | None = None) -> StoredObject | None:
        with self._lock:
            self._enter("GetObject", bucket)
            if version_id:
                for old in self.history.get((bucket, key), []):
                    if old.version_id == version_id:
                        return old
                return None
            found = self.objects.get((bucket, key))
            return None if found is None else _at(found, self.now)

    def head(self, bucket: str, key: str) -> StoredObject | None:
        with self._lock:
            self._enter("HeadObject", bucket)
            found = self.objects.get((bucket, key))
            return None if found is None else _at(found, self.now)

    def put(
        self,
        bucket: str,
        key: str,
        body: bytes,
        *,
        if_match: str | None = None,
        if_absent: bool = False,
        metadata: dict[str, str] | None = None,
        kms_key_id: str | None = None,
        content_type: str = "application/json",
    ) -> PutResult:
        with self._lock:
            failure = self._enter("PutObject", bucket)
            current = self.objects.get((bucket, key))
            if if_absent and current is not None:
                raise error("PutObject", "PreconditionFailed")
            if if_match is not None:
                if current is None:
                    raise error("PutObject", "NoSuchKey")
                if current.etag != if_match:
                    raise error("PutObject", "PreconditionFailed")
            version = str(next(self._ids)) if self.versioning_status == "Enabled" else None
            etag = '"' + hashlib.md5(body).hexdigest() + '"'
            stored = StoredObject(
                body=body, etag=etag, version_id=version, metadata=dict(metadata or {}),
                last_modified=self.now,
            )  # fmt: skip
            self.objects[(bucket, key)] = stored
            self.history.setdefault((bucket, key), []).insert(0, stored)
            if failure is not None:
                raise error("PutObject", failure[0])
            return PutResult(etag=etag, version_id=version, server_time=self.now)

    def delete(self, bucket: str, key: str, *, if_match: str | None = None) -> bool:
        with self._lock:
            self._enter("DeleteObject", bucket)
            current = self.objects.get((bucket, key))
            if current is None:
                return False  # S3State.delete: "already gone" (NoSuchKey) is False
            if if_match is not None and current.etag != if_match:
                raise error("DeleteObject", "PreconditionFailed")
            del self.objects[(bucket, key)]
            return True

    def bucket_region(self, bucket: str) -> str | None:
        with self._lock:
            self._enter("HeadBucket", bucket)
            return "us-west-2"

    def versioning(self, bucket: str) -> str:
        with self._lock:
            self._enter("GetBucketVersioning", bucket)
            return self.versioning_status

    def versions(self, bucket: str, key: str) -> list[dict[str, Any]]:
        with self._lock:
            self._enter("ListObjectVersions", bucket)
            return [
                {"VersionId": o.version_id, "LastModified": o.last_modified, "ETag": o.etag}
                for o in self.history.get((bucket, key), [])
                if o.version_id
            ]


def _at(found: StoredObject, now: datetime.datetime) -> StoredObject:
    """The object as a response carries it: with S3's current time."""
    return StoredObject(
        body=found.body, etag=found.etag, version_id=found.version_id,
        metadata=dict(found.metadata), last_modified=found.last_modified, server_time=now,
    )  # fmt: skip
