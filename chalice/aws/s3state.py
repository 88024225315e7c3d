"""S3 calls of the state backend: objects with conditional writes, bucket checks.

A thin typed wrapper, no decisions: what a precondition failure means is
decided by ``chalice.deploy.state_s3``. Conditional writes are sent the way
AWS documents them (``If-None-Match: *`` to create only if absent,
``If-Match: <etag>`` to replace or delete only the version read before:
https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-requests.html);
a failed precondition raises ``AWSError`` with code ``PreconditionFailed``
(412) or ``ConditionalRequestConflict`` (409). Never mutates anything but the
objects it is asked to.
"""

from __future__ import annotations

import datetime
import email.utils
from typing import Any, Protocol

import attrs

from chalice.aws.session import Service

# S3 codes for "this object/bucket does not exist".
NO_SUCH_KEY = ("NoSuchKey", "404", "NotFound")
PRECONDITION_CODES = ("PreconditionFailed", "ConditionalRequestConflict", "412", "409")


@attrs.frozen
class StoredObject:
    """One object as read: its bytes, ETag, version, metadata and S3's clock."""

    body: bytes
    etag: str
    version_id: str | None = None
    metadata: dict[str, str] = attrs.field(factory=dict)
    last_modified: datetime.datetime | None = None
    server_time: datetime.datetime | None = None


@attrs.frozen
class PutResult:
    """What S3 answered to a write: the new ETag and version (None when unversioned)."""

    etag: str
    version_id: str | None = None
    server_time: datetime.datetime | None = None


def _server_time(resp: dict[str, Any]) -> datetime.datetime | None:
    headers = resp.get("ResponseMetadata", {}).get("HTTPHeaders", {}) or {}
    text = headers.get("date")
    if not text:
        return None
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None


def _version(value: Any) -> str | None:
    # S3 says "null" for objects written while versioning was off.
    return str(value) if value and value != "null" else None


class S3State(Service):
    """PutObject/GetObject/DeleteObject/HeadObject and the bucket checks, typed."""

    service = "s3"

    def get(self, bucket: str, key: str, *, version_id: str | None = None) -> StoredObject | None:
        """The object (or one of its versions), or None if there is none."""
        params: dict[str, Any] = {"Bucket": bucket, "Key": key}
        if version_id:
            params["VersionId"] = version_id
        resp = self._get(self.client.get_object, NO_SUCH_KEY, **params)
        if resp is None:
            return None
        return StoredObject(
            body=resp["Body"].read(),
            etag=str(resp.get("ETag", "")),
            version_id=_version(resp.get("VersionId")),
            metadata=dict(resp.get("Metadata") or {}),
            last_modified=resp.get("LastModified"),
            server_time=_server_time(resp),
        )

    def head(self, bucket: str, key: str) -> StoredObject | None:
        """The object's ETag and metadata without its body, or None."""
        resp = self._get(self.client.head_object, NO_SUCH_KEY, Bucket=bucket, Key=key)
        if resp is None:
            return None
        return StoredObject(
            body=b"",
            etag=str(resp.get("ETag", "")),
            version_id=_version(resp.get("VersionId")),
            metadata=dict(resp.get("Metadata") or {}),
            last_modified=resp.get("LastModified"),
            server_time=_server_time(resp),
        )

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
        """Write ``key``; only if absent (``if_absent``) or only over ETag ``if_match``."""
        params: dict[str, Any] = {
            "Bucket": bucket,
            "Key": key,
            "Body": body,
            "ContentType": content_type,
            "Metadata": dict(metadata or {}),
        }
        if if_absent:
            params["IfNoneMatch"] = "*"
        if if_match is not None:
            params["IfMatch"] = if_match
        if kms_key_id:
            params["ServerSideEncryption"] = "aws:kms"
            params["SSEKMSKeyId"] = kms_key_id
        resp = self._call(self.client.put_object, **params)
        return PutResult(
            etag=str(resp.get("ETag", "")),
            version_id=_version(resp.get("VersionId")),
            server_time=_server_time(resp),
        )

    def delete(self, bucket: str, key: str, *, if_match: str | None = None) -> bool:
        """Delete ``key`` (only the version with ETag ``if_match``); False if absent."""
        params: dict[str, Any] = {"Bucket": bucket, "Key": key}
        if if_match is not None:
            params["IfMatch"] = if_match
        return self._delete(self.client.delete_object, NO_SUCH_KEY, **params)

    def bucket_region(self, bucket: str) -> str | None:
        """HeadBucket: the bucket's region (raises ``AWSError`` if missing/denied)."""
        resp = self._call(self.client.head_bucket, Bucket=bucket)
        region = resp.get("BucketRegion")
        if region is None:
            headers = resp.get("ResponseMetadata", {}).get("HTTPHeaders", {}) or {}
            region = headers.get("x-amz-bucket-region")
        return str(region) if region else None

    def versioning(self, bucket: str) -> str:
        """``Enabled``, ``Suspended`` or ``""`` (never enabled)."""
        resp = self._call(self.client.get_bucket_versioning, Bucket=bucket)
        return str(resp.get("Status") or "")

    def versions(self, bucket: str, key: str) -> list[dict[str, Any]]:
        """Every version of ``key``, newest first (``VersionId``, ``LastModified``, ``IsLatest``)."""
        found: list[dict[str, Any]] = []
        marker: dict[str, Any] = {}
        while True:
            resp = self._call(self.client.list_object_versions, Bucket=bucket, Prefix=key, **marker)
            for item in resp.get("Versions", []) or []:
                if item.get("Key") == key:
                    found.append(dict(item))
            if not resp.get("IsTruncated"):
                break
            marker = {
                "KeyMarker": resp.get("NextKeyMarker"),
                "VersionIdMarker": resp.get("NextVersionIdMarker"),
            }
        found.sort(key=lambda v: v.get("LastModified") or 0, reverse=True)
        return found


class ObjectStore(Protocol):
    """What the backend needs of S3 (``chalice.aws.s3state.S3State``, or a fake)."""

    def get(self, bucket: str, key: str, *, version_id: str | None = None) -> StoredObject | None:
        """The object or None."""
        ...

    def head(self, bucket: str, key: str) -> StoredObject | None:
        """The object's metadata or None."""
        ...

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
        """Write, conditionally."""
        ...

    def delete(self, bucket: str, key: str, *, if_match: str | None = None) -> bool:
        """Delete, conditionally; False if absent."""
        ...

    def bucket_region(self, bucket: str) -> str | None:
        """The bucket's region."""
        ...

    def versioning(self, bucket: str) -> str:
        """The bucket's versioning status."""
        ...

    def versions(self, bucket: str, key: str) -> list[dict[str, Any]]:
        """The object's versions, newest first."""
        ...
