"""The checks of the HTTP API and function URL config keys (see ``configkeys.py``).

``function_url`` (a function section), ``http_api_access_log`` and
``http_api_throttling`` (top level or stage) hold small objects whose fields
are checked here, with the same what/where/how-to-fix errors and "did you
mean" warnings as every other key. Pure functions over plain data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from chalice.configkeys import KeySpec, Kind, _describe, suggest

if TYPE_CHECKING:
    from chalice.configkeys import _Checker

FUNCTION_URL_AUTH_TYPES = ("NONE", "AWS_IAM")

# Fields of ``function_url.cors`` and the JSON kind each takes.
FUNCTION_URL_CORS_FIELDS: Mapping[str, Kind] = {
    "allow_origins": Kind.STR_LIST,
    "allow_methods": Kind.STR_LIST,
    "allow_headers": Kind.STR_LIST,
    "expose_headers": Kind.STR_LIST,
    "max_age": Kind.INT,
    "allow_credentials": Kind.BOOL,
}
# Lambda's limit on ``Cors.MaxAge`` (seconds).
MAX_FUNCTION_URL_CORS_AGE = 86400


def check_function_url(checker: _Checker, value: dict[str, Any], path: str) -> None:
    """``function_url``: ``auth_type`` NONE/AWS_IAM (required), optional ``cors``."""
    auth = value.get("auth_type")
    if auth not in FUNCTION_URL_AUTH_TYPES:
        checker.fail(
            f"`function_url` needs `auth_type` NONE or AWS_IAM, got {_describe(auth)}.",
            f"{path}.auth_type",
            'Add "auth_type": "AWS_IAM" (callers sign requests with SigV4) or '
            '"auth_type": "NONE" (anyone on the internet can call the function).',
        )
    for field in value:
        if field not in ("auth_type", "cors"):
            checker.warnings.append(
                f"Unknown field `{field}` in `function_url` (at `{path}.{field}` in "
                f"{checker.source}); it is ignored.{suggest(field, ('auth_type', 'cors'))}"
            )
    cors = value.get("cors")
    if cors is None:
        return
    if not isinstance(cors, dict):
        checker.fail(
            f"`cors` in `function_url` must be an object, got {_describe(cors)}.",
            f"{path}.cors",
            'Write it as "cors": {"allow_origins": ["https://example.com"]}.',
        )
    for field, item in cors.items():
        kind = FUNCTION_URL_CORS_FIELDS.get(field)
        where = f"{path}.cors.{field}"
        if kind is None:
            return checker.fail(
                f"Unknown field `{field}` in `function_url.cors`.",
                where,
                f"Use only {', '.join(FUNCTION_URL_CORS_FIELDS)}.{suggest(field, FUNCTION_URL_CORS_FIELDS)}",
            )
        ok = (
            (
                kind is Kind.STR_LIST
                and isinstance(item, list)
                and all(isinstance(v, str) for v in item)
            )
            or (kind is Kind.BOOL and isinstance(item, bool))
            or (
                kind is Kind.INT
                and isinstance(item, int)
                and not isinstance(item, bool)
                and 0 <= item <= MAX_FUNCTION_URL_CORS_AGE
            )
        )
        if not ok:
            limit = f" from 0 to {MAX_FUNCTION_URL_CORS_AGE}" if kind is Kind.INT else ""
            checker.fail(
                f"Invalid `{field}` in `function_url.cors`: expected {kind.value}{limit}, "
                f"got {_describe(item)}.",
                where,
                'Write it as e.g. "allow_origins": ["*"], "max_age": 300, '
                '"allow_credentials": false.',
            )


# The fields of the two HTTP API stage settings: (kind, required).
HTTP_STAGE_FIELDS: Mapping[str, Mapping[str, tuple[Kind, bool]]] = {
    "http_api_access_log": {"destination_arn": (Kind.STR, True), "format": (Kind.STR, False)},
    "http_api_throttling": {"burst_limit": (Kind.INT, True), "rate_limit": (Kind.INT, True)},
}


def check_http_stage_settings(
    checker: _Checker, spec: KeySpec, value: dict[str, Any], path: str
) -> None:
    """``http_api_access_log`` / ``http_api_throttling``: known fields of the right kinds."""
    fields = HTTP_STAGE_FIELDS[spec.name]
    for field, (kind, required) in fields.items():
        item = value.get(field)
        if item is None:
            if required:
                checker.fail(
                    f"`{spec.name}` needs `{field}`.",
                    f"{path}.{field}",
                    f"Write it as {spec.example}.",
                )
            continue
        ok = (
            isinstance(item, str) and bool(item)
            if kind is Kind.STR
            else isinstance(item, (int, float)) and not isinstance(item, bool) and item >= 0
        )
        if not ok:
            checker.fail(
                f"Invalid `{field}` in `{spec.name}`: expected "
                f"{'a non-empty string' if kind is Kind.STR else 'a number of 0 or more'}, "
                f"got {_describe(item)}.",
                f"{path}.{field}",
                f"Write it as {spec.example}.",
            )
    for field in value:
        if field not in fields:
            checker.fail(
                f"Unknown field `{field}` in `{spec.name}`.",
                f"{path}.{field}",
                f"Use only {', '.join(fields)}.{suggest(field, fields)}",
            )
    arn = value.get("destination_arn")
    if isinstance(arn, str) and not arn.startswith("arn:"):
        checker.fail(
            f"`destination_arn` in `{spec.name}` must be a CloudWatch Logs log group ARN.",
            f"{path}.destination_arn",
            'Use "arn:aws:logs:<region>:<account>:log-group:<name>" (the log group must exist).',
        )
