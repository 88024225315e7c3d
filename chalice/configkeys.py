"""The keys of ``.chalice/config.json``: where each may appear, its type, and checks.

``KEYS`` is the single table of every supported key (SPEC §3.2) with the
levels it may appear at (top level, a stage, a function section) and the
shape of its value. ``check_document`` walks a whole config document against
that table: a wrong type, a value out of range or a malformed section raises
``ConfigError`` (what, the key path, how to fix it); an unknown key or a key
at a level where it has no effect only produces a warning (upstream silently
ignores both), with a "did you mean" suggestion.

Pure functions over plain data: this module never reads files and never
looks values up for a function (that is ``chalice.config.Config``).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from typing import Any

import attrs

from chalice.errors import ConfigError


class Level(enum.Flag):
    """Where a key may appear in the document."""

    TOP = enum.auto()
    STAGE = enum.auto()
    FUNCTION = enum.auto()


_ALL = Level.TOP | Level.STAGE | Level.FUNCTION
_TOP_STAGE = Level.TOP | Level.STAGE


class Kind(enum.Enum):
    """The shape of a key's value."""

    STR = "a string"
    BOOL = "true or false"
    INT = "a whole number"
    STR_LIST = "a list of strings"
    STR_OR_STR_LIST = "a string or a list of strings"
    STR_MAP = "an object whose values are strings"
    DOMAIN = "a custom domain object"
    SECTIONS = "an object of named sections"
    VERSION = 'a version string such as "2.0"'
    STATE_BACKEND = "a state backend object"
    FUNCTION_URL = 'a function URL object such as {"auth_type": "AWS_IAM"}'
    HTTP_ACCESS_LOG = 'an access log object such as {"destination_arn": "arn:aws:logs:..."}'
    HTTP_THROTTLING = 'a throttling object such as {"burst_limit": 100, "rate_limit": 50}'


@attrs.frozen
class KeySpec:
    """One config key: its levels, value kind and optional constraints."""

    name: str
    kind: Kind
    levels: Level
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    allowed_ints: tuple[int, ...] = ()
    example: str = ""


# The retention periods CloudWatch Logs accepts (PutRetentionPolicy).
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip

ENDPOINT_TYPES = ("EDGE", "REGIONAL", "PRIVATE")
ARCHITECTURES = ("x86_64", "arm64")
TLS_VERSIONS = ("TLS_1_0", "TLS_1_1", "TLS_1_2")
API_GATEWAY_TYPES = ("REST", "HTTP")
MAX_COMPRESSION_SIZE = 10485760
MAX_CONFIG_VERSION = 2.0

_SPECS = [
    KeySpec("version", Kind.VERSION, Level.TOP, example='"version": "2.0"'),
    KeySpec("app_name", Kind.STR, Level.TOP, example='"app_name": "myapp"'),
    KeySpec("stages", Kind.SECTIONS, Level.TOP, example='"stages": {"dev": {}}'),
    KeySpec(
        "lambda_functions",
        Kind.SECTIONS,
        _TOP_STAGE,
        example='"lambda_functions": {"api_handler": {"lambda_timeout": 30}}',
    ),
    KeySpec("profile", Kind.STR, Level.TOP, example='"profile": "default"'),
    KeySpec("api_gateway_stage", Kind.STR, _TOP_STAGE, example='"api_gateway_stage": "api"'),
    KeySpec(
        "api_gateway_endpoint_type",
        Kind.STR,
        _TOP_STAGE,
        choices=ENDPOINT_TYPES,
        example='"api_gateway_endpoint_type": "REGIONAL"',
    ),
    KeySpec(
        "api_gateway_endpoint_vpce",
        Kind.STR_OR_STR_LIST,
        _TOP_STAGE,
        example='"api_gateway_endpoint_vpce": ["vpce-0123456789abcdef0"]',
    ),
    KeySpec(
        "api_gateway_policy_file",
        Kind.STR,
        _TOP_STAGE,
        example='"api_gateway_policy_file": "rest-api-policy.json"',
    ),
    KeySpec("api_gateway_custom_domain", Kind.DOMAIN, _TOP_STAGE),
    KeySpec("websocket_api_custom_domain", Kind.DOMAIN, _TOP_STAGE),
    KeySpec(
        "minimum_compression_size",
        Kind.INT,
        _TOP_STAGE,
        minimum=0,
        maximum=MAX_COMPRESSION_SIZE,
        example='"minimum_compression_size": 1024',
    ),
    KeySpec("xray", Kind.BOOL, _ALL, example='"xray": true'),
    KeySpec("automatic_layer", Kind.BOOL, _TOP_STAGE, example='"automatic_layer": true'),
    # Ours (not upstream's): one package per stage, so not per function.
    KeySpec("precompile_bytecode", Kind.BOOL, _TOP_STAGE, example='"precompile_bytecode": false'),
    KeySpec(
        "environment_variables",
        Kind.STR_MAP,
        _ALL,
        example='"environment_variables": {"TABLE": "users", "RETRIES": "3"}',
    ),
    KeySpec("tags", Kind.STR_MAP, _ALL, example='"tags": {"team": "web"}'),
    KeySpec(
        "lambda_timeout", Kind.INT, _ALL, minimum=1, maximum=900, example='"lambda_timeout": 60'
    ),
    KeySpec(
        "lambda_memory_size",
        Kind.INT,
        _ALL,
        minimum=128,
        maximum=10240,
        example='"lambda_memory_size": 512',
    ),
    KeySpec(
        "layers",
        Kind.STR_LIST,
        _ALL,
        example='"layers": ["arn:aws:lambda:us-west-2:123456789012:layer:mylayer:1"]',
    ),
    KeySpec("subnet_ids", Kind.STR_LIST, _ALL, example='"subnet_ids": ["subnet-0abc"]'),
    KeySpec("security_group_ids", Kind.STR_LIST, _ALL, example='"security_group_ids": ["sg-0abc"]'),
    KeySpec(
        "reserved_concurrency", Kind.INT, _ALL, minimum=0, example='"reserved_concurrency": 10'
    ),
    KeySpec("manage_iam_role", Kind.BOOL, _ALL, example='"manage_iam_role": false'),
    KeySpec(
        "iam_role_arn",
        Kind.STR,
        _ALL,
        example='"iam_role_arn": "arn:aws:iam::123456789012:role/my-role"',
    ),
    KeySpec("autogen_policy", Kind.BOOL, _ALL, example='"autogen_policy": false'),
    KeySpec("iam_policy_file", Kind.STR, _ALL, example='"iam_policy_file": "policy-dev.json"'),
    KeySpec(
        "log_retention_in_days",
        Kind.INT,
        _ALL,
        allowed_ints=LOG_RETENTION_DAYS,
        example='"log_retention_in_days": 14',
    ),
    KeySpec(
        "lambda_architecture",
        Kind.STR,
        _TOP_STAGE,
        choices=ARCHITECTURES,
        example='"lambda_architecture": "arm64"',
    ),
    # Ours: where the deployed state and the lock live (chalice.deploy.backend_config).
    KeySpec(
        "state_backend",
        Kind.STATE_BACKEND,
        _TOP_STAGE,
        example='"state_backend": {"type": "s3", "bucket": "my-team-chalice-state"}',
    ),
    # Ours (upstream has neither): docs/http-apis.rst.
    KeySpec(
        "api_gateway_type",
        Kind.STR,
        _TOP_STAGE,
        choices=API_GATEWAY_TYPES,
        example='"api_gateway_type": "HTTP"',
    ),
    KeySpec(
        "function_url",
        Kind.FUNCTION_URL,
        Level.FUNCTION,
        example='"function_url": {"auth_type": "AWS_IAM"}',
    ),
    KeySpec(
        "http_api_access_log",
        Kind.HTTP_ACCESS_LOG,
        _TOP_STAGE,
        example='"http_api_access_log": {"destination_arn": '
        '"arn:aws:logs:us-west-2:123456789012:log-group:my-api-access"}',
    ),
    KeySpec(
        "http_api_throttling",
        Kind.HTTP_THROTTLING,
        _TOP_STAGE,
        example='"http_api_throttling": {"burst_limit": 100, "rate_limit": 50}',
    ),
]

KEYS: Mapping[str, KeySpec] = {s.name: s for s in _SPECS}

# Fields of api_gateway_custom_domain / websocket_api_custom_domain.
DOMAIN_FIELDS = ("domain_name", "certificate_arn", "tls_version", "url_prefix", "tags")
_REQUIRED_DOMAIN_FIELDS = ("domain_name", "certificate_arn")

_LEVEL_NAMES = {Level.TOP: "the top level", Level.STAGE: "a stage", Level.FUNCTION: "a function"}


def suggest(name: str, candidates: Any) -> str:
    """`` did you mean `x`?`` for the closest candidate, or ``""``."""
    import difflib  # only for a misspelt key

    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" Did you mean `{close[0]}`?" if close else ""


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {json.dumps(value)}"
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"the string {json.dumps(value)}"
    if isinstance(value, (int, float)):
        return f"the number {json.dumps(value)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return repr(value)


@attrs.frozen
class _Checker:
    """Walks one document; ``source`` names the file in messages."""

    source: str
    warnings: list[str]

    def where(self, path: str) -> str:
        return f"{self.source}, key `{path}`"

    def fail(self, what: str, path: str, fix: str) -> None:
        raise ConfigError(what, where=self.where(path), fix=fix)

    # -- the document -------------------------------------------------------

    def document(self, data: Any) -> None:
        if not isinstance(data, dict):
            raise ConfigError(
                f"The config file must hold a JSON object, not {_describe(data)}.",
                where=self.source,
                fix='Start from {"version": "2.0", "app_name": "myapp", "stages": {"dev": {}}}.',
            )
        self.section(data, Level.TOP, "")
        if "app_name" not in data:
            raise ConfigError(
                "The config file has no `app_name`.",
                where=self.source,
                fix='Add the name of your app at the top level, e.g. "app_name": "myapp".',
            )
        for stage, body in self.sections(data, "stages").items():
            self.section(body, Level.STAGE, f"stages.{stage}")
            for fn, fbody in self.sections(body, "lambda_functions", f"stages.{stage}.").items():
                self.section(fbody, Level.FUNCTION, f"stages.{stage}.lambda_functions.{fn}")
        for fn, fbody in self.sections(data, "lambda_functions").items():
            self.section(fbody, Level.FUNCTION, f"lambda_functions.{fn}")

    def sections(self, parent: dict[str, Any], key: str, prefix: str = "") -> dict[str, Any]:
        value = parent.get(key)
        if value is None:
            return {}
        path = f"{prefix}{key}"
        if not isinstance(value, dict):
            self.fail(
                f"`{key}` must be an object of named sections, not {_describe(value)}.",
                path,
                f"Write it as {KEYS[key].example}.",
            )
        for name, body in value.items():
            if not isinstance(body, dict):
                self.fail(
                    f"The section `{name}` of `{key}` must be an object, not {_describe(body)}.",
                    f"{path}.{name}",
                    f'Write it as "{name}": {{...settings...}}.',
                )
        return dict(value)

    def section(self, body: dict[str, Any], level: Level, path: str) -> None:
        for key, value in body.items():
            key_path = f"{path}.{key}" if path else key
            spec = KEYS.get(key)
            if spec is None:
                self.warnings.append(
                    f"Unknown key `{key}` in {self.source} "
                    f"(at `{key_path}`); it is ignored.{suggest(key, KEYS)}"
                )
                continue
            if not (spec.levels & level):
                allowed = " or ".join(_LEVEL_NAMES[lv] for lv in Level if lv & spec.levels)
                self.warnings.append(
                    f"`{key}` has no effect in {_LEVEL_NAMES[level]} (at `{key_path}` "
                    f"in {self.source}); it is ignored. Set it in {allowed} instead."
                )
                continue
            self.value(spec, value, key_path)

    # -- values -------------------------------------------------------------

    def value(self, spec: KeySpec, value: Any, path: str) -> None:
        if value is None:
            return  # null means "not set" at every level (SPEC §3.1)
        kind = spec.kind
        ok = {
            Kind.STR: isinstance(value, str),
            Kind.BOOL: isinstance(value, bool),
            Kind.INT: isinstance(value, int) and not isinstance(value, bool),
            Kind.STR_LIST: isinstance(value, list) and all(isinstance(v, str) for v in value),
            Kind.STR_OR_STR_LIST: isinstance(value, str)
            or (isinstance(value, list) and all(isinstance(v, str) for v in value)),
            Kind.STR_MAP: isinstance(value, dict),
            Kind.DOMAIN: isinstance(value, dict),
            Kind.SECTIONS: isinstance(value, dict),
            Kind.VERSION: isinstance(value, (str, int, float)) and not isinstance(value, bool),
            Kind.STATE_BACKEND: isinstance(value, dict),
            Kind.FUNCTION_URL: isinstance(value, dict),
            Kind.HTTP_ACCESS_LOG: isinstance(value, dict),
            Kind.HTTP_THROTTLING: isinstance(value, dict),
        }[kind]
        if not ok:
            self.fail(
                f"Invalid value for `{spec.name}`: expected {kind.value}, got {_describe(value)}.",
                path,
                self._type_fix(spec, value),
            )
        if kind is Kind.STR_MAP:
            self.str_map(spec.name, value, path)
        elif kind is Kind.DOMAIN:
            self.domain(spec.name, value, path)
        elif kind is Kind.INT:
            self.int_range(spec, value, path)
        elif kind is Kind.STATE_BACKEND:
            from chalice.deploy.backend_config import check_value

            check_value(value, where=self.where(path))
        elif kind is Kind.FUNCTION_URL:
            from chalice.configkeys_http import check_function_url

            check_function_url(self, value, path)
        elif kind in (Kind.HTTP_ACCESS_LOG, Kind.HTTP_THROTTLING):
            from chalice.configkeys_http import check_http_stage_settings

            check_http_stage_settings(self, spec, value, path)
        elif kind is Kind.STR and spec.choices and value not in spec.choices:
            self.fail(
                f"Invalid value for `{spec.name}`: {json.dumps(value)} is not one of "
                f"{', '.join(spec.choices)}.{_choice_hint(value, spec.choices)}",
                path,
                f"Use one of: {', '.join(json.dumps(c) for c in spec.choices)}.",
            )
        elif kind is Kind.STR and spec.name == "app_name" and not value.strip():
            self.fail("`app_name` is empty.", path, 'Give the app a name, e.g. "myapp".')

    def _type_fix(self, spec: KeySpec, value: Any) -> str:
        if spec.kind is Kind.INT and isinstance(value, str) and value.strip().isdigit():
            return f'Remove the quotes: "{spec.name}": {value.strip()}.'
        is_bool_text = isinstance(value, str) and value.lower() in ("true", "false")
        if spec.kind is Kind.BOOL and is_bool_text:
            return f'Remove the quotes: "{spec.name}": {value.lower()}.'
        if spec.kind is Kind.DOMAIN:
            return (
                f'Write it as "{spec.name}": {{"domain_name": "api.example.com", '
                f'"certificate_arn": "arn:aws:acm:..."}}.'
            )
        return f"Write it as {spec.example}." if spec.example else "Fix the value."

    def str_map(self, key: str, value: dict[str, Any], path: str) -> None:
        for name, item in value.items():
            if not isinstance(item, str):
                hint = json.dumps(item if not isinstance(item, (dict, list)) else "...")
                quoted = json.dumps(str(item).lower() if isinstance(item, bool) else str(item))
                self.fail(
                    f"The value of `{name}` in `{key}` must be a string, got {_describe(item)} "
                    f"({hint}).",
                    f"{path}.{name}",
                    f'Quote the value: "{name}": {quoted}. Lambda only accepts strings here.',
                )

    def int_range(self, spec: KeySpec, value: int, path: str) -> None:
        if spec.allowed_ints and value not in spec.allowed_ints:
            self.fail(
                f"Invalid value for `{spec.name}`: {value} is not a retention period "
                "CloudWatch Logs accepts.",
                path,
                f"Use one of: {', '.join(str(v) for v in spec.allowed_ints)}.",
            )
        low, high = spec.minimum, spec.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"at least {low}" if high is None else f"between {low} and {high}"
            self.fail(
                f"Invalid value for `{spec.name}`: {value} is out of range.",
                path,
                f"Use a whole number {bounds}.",
            )

    def domain(self, key: str, value: dict[str, Any], path: str) -> None:
        for field in _REQUIRED_DOMAIN_FIELDS:
            if not isinstance(value.get(field), str) or not value[field]:
                self.fail(
                    f"`{key}` needs a string `{field}`.",
                    f"{path}.{field}",
                    f'Add "{field}": "..." to `{key}` '
                    "(domain_name: the host name; certificate_arn: an ACM certificate for it).",
                )
        for field, item in value.items():
            if item is None and field in DOMAIN_FIELDS:
                continue  # null means "not set", as for every key
            if field not in DOMAIN_FIELDS:
                self.warnings.append(
                    f"Unknown field `{field}` in `{key}` (at `{path}.{field}` in "
                    f"{self.source}); it is ignored.{suggest(field, DOMAIN_FIELDS)}"
                )
            elif field == "tls_version" and item not in TLS_VERSIONS:
                self.fail(
                    f"Invalid `tls_version` {json.dumps(item)} in `{key}`.",
                    f"{path}.tls_version",
                    f"Use one of: {', '.join(TLS_VERSIONS)} (default TLS_1_2).",
                )
            elif field == "url_prefix" and not isinstance(item, str):
                self.fail(
                    f"`url_prefix` in `{key}` must be a string, got {_describe(item)}.",
                    f"{path}.url_prefix",
                    'Write it as "url_prefix": "v1".',
                )
            elif field == "tags":
                if not isinstance(item, dict):
                    self.fail(
                        f"`tags` in `{key}` must be an object, got {_describe(item)}.",
                        f"{path}.tags",
                        'Write it as "tags": {"key": "value"}.',
                    )
                self.str_map("tags", item, f"{path}.tags")


def _choice_hint(value: str, choices: tuple[str, ...]) -> str:
    upper = [c for c in choices if c.lower() == value.lower()]
    if upper:
        return f" Did you mean `{upper[0]}`?"
    return suggest(value, choices)


def check_version(data: Mapping[str, Any], *, source: str) -> None:
    """Raise ``ConfigError`` for a ``version`` above 2.0 or one that is not a number."""
    version = data.get("version")
    if version is None:
        return
    try:
        number = float(version)
    except (TypeError, ValueError):
        number = None
    if number is None or isinstance(version, bool) or number > MAX_CONFIG_VERSION:
        raise ConfigError(
            f"Unknown version {json.dumps(version)} for config file.",
            where=f"{source}, key `version`",
            fix='This version of chalice reads config files up to version "2.0"; set '
            '"version": "2.0" or upgrade chalice.',
        )


def check_document(data: Any, *, source: str) -> list[str]:
    """Validate a whole config document; returns the warnings, raises ``ConfigError``."""
    warnings: list[str] = []
    checker = _Checker(source=source, warnings=warnings)
    if isinstance(data, dict):
        check_version(data, source=source)
    checker.document(data)
    return warnings
