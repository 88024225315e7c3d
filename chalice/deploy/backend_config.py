"""Where a stage's deployed state lives: the ``state_backend`` setting.

Two kinds, a closed set (``BackendKind``):

* ``local`` (the default): ``.chalice/deployed/<stage>.json`` in the checkout,
  exactly upstream's file;
* ``s3``: one object per stage in a bucket every deployer can reach::

      "state_backend": {"type": "s3", "bucket": "team-chalice-state",
                        "key_prefix": "chalice", "region": "eu-west-1",
                        "kms_key_id": "alias/chalice-state"}

  The state is ``<key_prefix>/<app_name>/deployed/<stage>.json`` and the lock
  ``<key_prefix>/<app_name>/deployed/<stage>.lock`` next to it.

The key may be set at the top level and per stage (the stage wins). CI can
override both with ``CHALICE_STATE_BACKEND``: ``local``, or
``s3://BUCKET[/PREFIX][?region=R&kms_key_id=K]``.

Pure functions over plain data: this module reads no file and calls no AWS
API; it only validates and resolves the setting, with clear errors.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

import attrs

from chalice.errors import ConfigError

ENV_VAR = "CHALICE_STATE_BACKEND"
FIELDS = ("type", "bucket", "key_prefix", "region", "kms_key_id")
EXAMPLE = (
    '"state_backend": {"type": "s3", "bucket": "my-team-chalice-state", "key_prefix": "chalice"}'
)

# S3's bucket naming rules, simplified: 3-63 lowercase letters, digits, dots, hyphens.
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


class BackendKind(enum.Enum):
    """Where the state of a stage is kept."""

    LOCAL = "local"
    S3 = "s3"


@attrs.frozen
class BackendSpec:
    """A resolved ``state_backend``: its kind and, for S3, where in the bucket."""

    kind: BackendKind = BackendKind.LOCAL
    bucket: str = ""
    key_prefix: str = ""
    region: str | None = None
    kms_key_id: str | None = None
    source: str = "default"

    def object_key(self, app_name: str, stage: str, suffix: str = "json") -> str:
        """The S3 key of ``stage``'s state (``suffix="lock"``: of its lock)::

        >>> BackendSpec(BackendKind.S3, "b", "team/").object_key("shop", "prod")
        'team/shop/deployed/prod.json'
        """
        prefix = self.key_prefix.strip("/")
        head = f"{prefix}/" if prefix else ""
        return f"{head}{app_name}/deployed/{stage}.{suffix}"

    def describe(self) -> str:
        """``s3://bucket/prefix`` or ``local`` (for messages)."""
        if self.kind is BackendKind.LOCAL:
            return "local"
        prefix = self.key_prefix.strip("/")
        return f"s3://{self.bucket}/{prefix}" if prefix else f"s3://{self.bucket}"


LOCAL = BackendSpec()


def check_value(value: Any, *, where: str) -> None:
    """Raise ``ConfigError`` unless ``value`` is a valid ``state_backend`` object."""
    parse_value(value, where=where)


def parse_value(value: Any, *, where: str) -> BackendSpec:
    """A ``BackendSpec`` from the config object at ``where`` (a key path for messages)."""
    if not isinstance(value, dict):
        raise ConfigError(
            f"`state_backend` must be an object, not {json.dumps(value)}.",
            where=where,
            fix=f"Write it as {EXAMPLE} (or leave it out to keep the state in the checkout).",
        )
    unknown = sorted(set(value) - set(FIELDS))
    if unknown:
        raise ConfigError(
            f"Unknown field `{unknown[0]}` in `state_backend`.",
            where=f"{where}.{unknown[0]}",
            fix=f"Use only: {', '.join(FIELDS)}.",
        )
    for field in FIELDS:
        if value.get(field) is not None and not isinstance(value[field], str):
            raise ConfigError(
                f"`state_backend.{field}` must be a string, not {json.dumps(value[field])}.",
                where=f"{where}.{field}",
                fix=f"Write it as {EXAMPLE}.",
            )
    kind_text = value.get("type") or ""
    try:
        kind = BackendKind(kind_text)
    except ValueError:
        raise ConfigError(
            f"Unknown state backend type {json.dumps(kind_text)}.",
            where=f"{where}.type",
            fix='Use "type": "s3" (or "local", the default).',
        ) from None
    if kind is BackendKind.LOCAL:
        extra = [f for f in FIELDS[1:] if value.get(f)]
        if extra:
            raise ConfigError(
                f'`state_backend.{extra[0]}` has no meaning with "type": "local".',
                where=f"{where}.{extra[0]}",
                fix='Remove it, or set "type": "s3".',
            )
        return BackendSpec(source=where)
    return _s3_spec(
        bucket=value.get("bucket") or "",
        key_prefix=value.get("key_prefix") or "",
        region=value.get("region") or None,
        kms_key_id=value.get("kms_key_id") or None,
        where=where,
    )


def _s3_spec(
    *, bucket: str, key_prefix: str, region: str | None, kms_key_id: str | None, where: str
) -> BackendSpec:
    if not bucket:
        raise ConfigError(
            "The S3 state backend needs a `bucket`.",
            where=f"{where}.bucket",
            fix=f"Name an existing bucket every deployer can read and write: {EXAMPLE}.",
        )
    if not _BUCKET.match(bucket) or ".." in bucket:
        raise ConfigError(
            f"{json.dumps(bucket)} is not a valid S3 bucket name.",
            where=f"{where}.bucket",
            fix="Use the bucket's name only (3-63 lowercase letters, digits, dots or hyphens), "
            "not an ARN or a URL.",
        )
    if region is not None and not _REGION.match(region):
        raise ConfigError(
            f"{json.dumps(region)} is not an AWS region name.",
            where=f"{where}.region",
            fix='Use the bucket\'s region, e.g. "eu-west-1" (or leave it out to use your '
            "profile's region).",
        )
    if key_prefix.startswith("/") or "//" in key_prefix:
        raise ConfigError(
            f"The key prefix {json.dumps(key_prefix)} has an empty path segment.",
            where=f"{where}.key_prefix",
            fix='Write it without leading or doubled slashes, e.g. "chalice" or "teams/web".',
        )
    return BackendSpec(
        kind=BackendKind.S3,
        bucket=bucket,
        key_prefix=key_prefix.strip("/"),
        region=region,
        kms_key_id=kms_key_id,
        source=where,
    )


def parse_env(text: str) -> BackendSpec:
    """``CHALICE_STATE_BACKEND``: ``local`` or ``s3://bucket/prefix?region=R&kms_key_id=K``.

    >>> parse_env("s3://state-bucket/ci?region=us-east-1").describe()
    's3://state-bucket/ci'
    """
    where = f"the environment variable {ENV_VAR}"
    text = text.strip()
    if text in ("", "local"):
        return BackendSpec(source=where)
    parts = urlsplit(text)
    if parts.scheme != "s3" or not parts.netloc:
        raise ConfigError(
            f"{ENV_VAR}={text!r} is neither 'local' nor an s3:// URL.",
            where=where,
            fix=f"Set {ENV_VAR}=s3://BUCKET/PREFIX (optionally ?region=REGION&kms_key_id=KEY) "
            "or unset it to use .chalice/config.json.",
        )
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = sorted(set(query) - {"region", "kms_key_id"})
    if unknown:
        raise ConfigError(
            f"{ENV_VAR} has an unknown parameter `{unknown[0]}`.",
            where=where,
            fix="Only region and kms_key_id may follow the '?'.",
        )
    return _s3_spec(
        bucket=parts.netloc,
        key_prefix=parts.path.strip("/"),
        region=query.get("region"),
        kms_key_id=query.get("kms_key_id"),
        where=where,
    )


def resolve(
    data: Mapping[str, Any], stage: str, *, environ: Mapping[str, str], source: str = "config.json"
) -> BackendSpec:
    """The backend of ``stage``: the environment, else the stage's key, else the top level."""
    env = environ.get(ENV_VAR)
    if env is not None and env.strip():
        return parse_env(env)
    stages = data.get("stages") or {}
    stage_value = (
        (stages.get(stage) or {}).get("state_backend") if isinstance(stages, dict) else None
    )
    if stage_value is not None:
        return parse_value(stage_value, where=f"{source}, key `stages.{stage}.state_backend`")
    top = data.get("state_backend")
    if top is not None:
        return parse_value(top, where=f"{source}, key `state_backend`")
    return LOCAL
