"""``Config``: the settings of one stage (and one function) of a chalice project.

A ``Config`` names the settings of ``.chalice/config.json`` (``lambda_timeout``,
``api_gateway_stage``...) with their types and defaults. Each one is looked
up over the layers of the file (SPEC §3.1), highest first: the stage's
function section, the command line, the stage, the top-level function
section, the top level, the defaults; ``chalice.config_layers`` owns that
order and the merging of ``environment_variables`` and ``tags``. ``tags``
always end with the ``aws-chalice`` tag.

Loading validates the whole document (``chalice.configkeys``) so that a bad
value is reported once, with its file and key path, before anything is
built. This module reads only the config file; it never imports the app and
never calls AWS.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from chalice.config_file import config_path, read_config_file, unknown_stage_warning
from chalice.config_layers import ConfigLayers
from chalice.configkeys import check_document
from chalice.errors import ConfigError

DEFAULT_STAGE = "dev"
DEFAULT_FUNCTION = "api_handler"
DEFAULT_API_GATEWAY_STAGE = "api"
DEFAULT_ENDPOINT_TYPE = "EDGE"
DEFAULT_TIMEOUT = 60
DEFAULT_MEMORY_SIZE = 128
DEFAULT_ARCHITECTURE = "x86_64"
DEFAULT_TLS_VERSION = "TLS_1_2"
CHALICE_TAG = "aws-chalice"

# The Lambda Python runtimes we can target (SPEC §3.3).
OLDEST_RUNTIME = (3, 10)
NEWEST_RUNTIME = (3, 14)
_MIDDLE_NEWEST = (3, 13)


def lambda_runtime_for(version_info: tuple[int, ...]) -> str:
    """The Lambda runtime for a local interpreter version (SPEC §3.3).

    Older than 3.10 maps to ``python3.10``, 3.10 to 3.13 map to themselves,
    anything newer to ``python3.14``::

        >>> lambda_runtime_for((3, 9, 1))
        'python3.10'
        >>> lambda_runtime_for((3, 12, 0))
        'python3.12'
    """
    major_minor = (version_info[0], version_info[1])
    if major_minor < OLDEST_RUNTIME:
        major_minor = OLDEST_RUNTIME
    elif major_minor > _MIDDLE_NEWEST:
        major_minor = NEWEST_RUNTIME
    return f"python{major_minor[0]}.{major_minor[1]}"


def _chalice_version() -> str:
    import chalice

    return chalice.__version__


class Config(ConfigLayers):
    """Read-only, layered settings for one stage and one function scope.

    Build one with ``Config.load`` (reads and validates the file) or
    ``Config.from_dict`` (tests); ``scope(name)`` gives the view of another
    function. Instances never change.
    """

    __slots__ = ("warnings", "warnings_reported")

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        project_dir: str | Path | None = None,
        stage: str = DEFAULT_STAGE,
        user_params: Mapping[str, Any] | None = None,
        function_name: str = DEFAULT_FUNCTION,
        warnings: tuple[str, ...] = (),
        warnings_reported: bool = False,
        source: str | None = None,
        chalice_stage: str | None = None,
        config_from_disk: Mapping[str, Any] | None = None,
        user_provided_params: Mapping[str, Any] | None = None,
        default_params: Mapping[str, Any] | None = None,
    ) -> None:
        # The last four are upstream's keyword names, accepted so that
        # conftest files written for upstream (``Config()``,
        # ``Config(chalice_stage=..., config_from_disk=...)``) keep working;
        # see ``Config.create``. No validation happens here: use ``load``.
        if chalice_stage is not None:
            stage = chalice_stage
        if data is None:
            data = config_from_disk if config_from_disk is not None else {}
        params = dict(user_provided_params or {})
        params.update(user_params or {})
        if project_dir is None:
            project_dir = params.get("project_dir") or "."
        super().__init__(
            data, project_dir=Path(project_dir), stage=stage, function_name=function_name,
            user_params=params, defaults=dict(default_params or {}),
            source=source or str(config_path(project_dir)),
        )  # fmt: skip
        # The file's warnings (unknown keys...), and whether a ``warn``
        # callback already received them (so validate_app does not repeat them).
        self.warnings = warnings
        self.warnings_reported = warnings_reported

    # -- construction --------------------------------------------------------

    @classmethod
    def load(
        cls,
        project_dir: str | Path,
        *,
        stage: str = DEFAULT_STAGE,
        user_params: Mapping[str, Any] | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> Config:
        """Read and validate ``<project_dir>/.chalice/config.json``.

        Raises ``ConfigError`` for a missing file, invalid JSON or an invalid
        value; ``warn`` receives the warnings (unknown keys...), which are also
        kept in ``config.warnings``.
        """
        path = config_path(project_dir)
        data = read_config_file(path)
        return cls._validated(
            data, project_dir=project_dir, stage=stage, user_params=user_params,
            warn=warn, source=str(path),
        )  # fmt: skip

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        project_dir: str | Path,
        stage: str = DEFAULT_STAGE,
        user_params: Mapping[str, Any] | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> Config:
        """A validated ``Config`` from an in-memory document (for tests and tools)."""
        return cls._validated(
            copy.deepcopy(dict(data)), project_dir=project_dir, stage=stage,
            user_params=user_params, warn=warn, source=str(config_path(project_dir)),
        )  # fmt: skip

    @classmethod
    def _validated(
        cls,
        data: Any,
        *,
        project_dir: str | Path,
        stage: str,
        user_params: Mapping[str, Any] | None,
        warn: Callable[[str], None] | None,
        source: str,
    ) -> Config:
        warnings = check_document(data, source=source)
        unknown_stage = unknown_stage_warning(data, stage, source=source)
        if unknown_stage:
            warnings.append(unknown_stage)
        params = dict(user_params or {})
        _check_user_params(params)
        if warn is not None:
            for message in warnings:
                warn(message)
        return cls(
            data, project_dir=project_dir, stage=stage, user_params=params,
            warnings=tuple(warnings), warnings_reported=warn is not None, source=source,
        )  # fmt: skip

    @classmethod
    def create(
        cls,
        chalice_stage: str = DEFAULT_STAGE,
        function_name: str = DEFAULT_FUNCTION,
        **kwargs: Any,
    ) -> Config:
        """Upstream's constructor for tools and tests: every keyword is a user parameter.

        ``Config.create(chalice_stage="dev", app_name="demo", chalice_app=app,
        project_dir=".", lambda_timeout=5, environment_variables={...})``
        gives a config without a file; keywords are looked up like command
        line values (above the stage and top-level layers). ``chalice_app``
        is available as ``config.chalice_app``. Compatibility shim: prefer
        ``Config.load`` or ``Config.from_dict`` in new code.
        """
        return cls(stage=chalice_stage, function_name=function_name, user_params=kwargs)

    def scope(self, function_name: str, *compat: str) -> Config:
        """The same settings as seen by the function ``function_name``.

        Upstream's two-argument form ``scope(chalice_stage, function_name)``
        is accepted too.
        """
        stage = self.stage
        if compat:
            stage, function_name = function_name, compat[0]
        return Config(
            self._data, project_dir=self.project_dir, stage=stage,
            user_params=self._user_params, function_name=function_name,
            warnings=self.warnings, warnings_reported=self.warnings_reported,
            source=self._source, default_params=self._defaults,
        )  # fmt: skip

    def __repr__(self) -> str:
        return (
            f"Config(project_dir={str(self.project_dir)!r}, stage={self.stage!r}, "
            f"function_name={self.function_name!r})"
        )

    # -- identity -------------------------------------------------------------

    @property
    def app_name(self) -> str:
        """``app_name``: the basis of every resource name."""
        for layer in (self._user_params, self._data, self._defaults):
            value = layer.get("app_name")
            if value is not None:
                return str(value)
        raise ConfigError(
            "The config has no app_name.",
            where=self._source,
            fix='Add "app_name": "<name>" at the top level of the config file.',
        )

    # -- upstream names (compatibility) ----------------------------------------

    @property
    def chalice_stage(self) -> str:
        """Upstream's name for ``stage``."""
        return self.stage

    @property
    def chalice_app(self) -> Any:
        """The app given to ``Config.create(chalice_app=...)`` (a zero-argument loader is called)."""
        from chalice.app import Chalice

        value = self._user_params.get("chalice_app")
        if value is not None and not isinstance(value, Chalice) and callable(value):
            return value()
        return value

    @property
    def config_from_disk(self) -> dict[str, Any]:
        """Upstream's name for ``raw()``: the config document."""
        return self.raw()

    @property
    def xray_enabled(self) -> bool:
        """Upstream's name for ``xray``."""
        return self.xray

    @property
    def profile(self) -> str | None:
        value = self.lookup("profile")
        return None if value is None else str(value)

    # -- REST / websocket API settings ------------------------------------------

    @property
    def api_gateway_stage(self) -> str:
        return str(self.lookup("api_gateway_stage") or DEFAULT_API_GATEWAY_STAGE)

    @property
    def api_gateway_endpoint_type(self) -> str:
        return str(self.lookup("api_gateway_endpoint_type") or DEFAULT_ENDPOINT_TYPE)

    @property
    def api_gateway_endpoint_vpce(self) -> tuple[str, ...]:
        value = self.lookup("api_gateway_endpoint_vpce")
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        return tuple(value)

    @property
    def api_gateway_policy_file(self) -> str | None:
        value = self.lookup("api_gateway_policy_file")
        return None if value is None else str(value)

    @property
    def api_gateway_custom_domain(self) -> dict[str, Any] | None:
        """The REST custom domain, with ``tls_version`` defaulted to ``TLS_1_2``."""
        return _domain(self.lookup("api_gateway_custom_domain"))

    @property
    def websocket_api_custom_domain(self) -> dict[str, Any] | None:
        """The websocket custom domain, with ``tls_version`` defaulted to ``TLS_1_2``."""
        return _domain(self.lookup("websocket_api_custom_domain"))

    @property
    def api_gateway_type(self) -> str:
        """``REST`` (default) or ``HTTP``: which API Gateway serves the routes."""
        return str(self.lookup("api_gateway_type") or "REST")

    @property
    def function_url(self) -> dict[str, Any] | None:
        """This function's ``function_url`` section (function levels only), or None."""
        for layer in (self._function_data(self._stage_data()), self._function_data(self._data)):
            value = layer.get("function_url")
            if value is not None:
                return copy.deepcopy(dict(value))
        return None

    @property
    def http_api_access_log(self) -> dict[str, Any] | None:
        """The HTTP API stage's access log settings (``destination_arn``, ``format``)."""
        value = self.lookup("http_api_access_log")
        return None if value is None else copy.deepcopy(dict(value))

    @property
    def http_api_throttling(self) -> dict[str, Any] | None:
        """The HTTP API stage's default route throttling (``burst_limit``, ``rate_limit``)."""
        value = self.lookup("http_api_throttling")
        return None if value is None else copy.deepcopy(dict(value))

    @property
    def minimum_compression_size(self) -> int | None:
        value = self.lookup("minimum_compression_size")
        return None if value is None else int(value)

    # -- function settings -----------------------------------------------------

    @property
    def xray(self) -> bool:
        return bool(self.lookup("xray") or False)

    @property
    def automatic_layer(self) -> bool:
        return bool(self.lookup("automatic_layer") or False)

    @property
    def precompile_bytecode(self) -> bool:
        """Ship ``__pycache__`` bytecode in the zips (default on; see docs/packaging.rst)."""
        value = self.lookup("precompile_bytecode")
        return True if value is None else bool(value)

    @property
    def environment_variables(self) -> dict[str, str]:
        """Merged environment variables of this function scope."""
        return self._merged("environment_variables")

    @property
    def tags(self) -> dict[str, str]:
        """Merged tags, ending with the ``aws-chalice`` tag (which cannot be overridden)."""
        tags = self._merged("tags")
        tags.pop(CHALICE_TAG, None)
        tags[CHALICE_TAG] = f"version={_chalice_version()}:stage={self.stage}:app={self.app_name}"
        return tags

    @property
    def lambda_timeout(self) -> int:
        value = self.lookup("lambda_timeout")
        return DEFAULT_TIMEOUT if value is None else int(value)

    @property
    def lambda_memory_size(self) -> int:
        value = self.lookup("lambda_memory_size")
        return DEFAULT_MEMORY_SIZE if value is None else int(value)

    @property
    def layers(self) -> tuple[str, ...]:
        return tuple(self.lookup("layers") or ())

    @property
    def subnet_ids(self) -> tuple[str, ...]:
        return tuple(self.lookup("subnet_ids") or ())

    @property
    def security_group_ids(self) -> tuple[str, ...]:
        return tuple(self.lookup("security_group_ids") or ())

    @property
    def reserved_concurrency(self) -> int | None:
        value = self.lookup("reserved_concurrency")
        return None if value is None else int(value)

    @property
    def manage_iam_role(self) -> bool:
        value = self.lookup("manage_iam_role")
        return True if value is None else bool(value)

    @property
    def iam_role_arn(self) -> str | None:
        value = self.lookup("iam_role_arn")
        return None if value is None else str(value)

    @property
    def autogen_policy(self) -> bool:
        value = self.lookup("autogen_policy")
        return True if value is None else bool(value)

    @property
    def iam_policy_file(self) -> str:
        """Policy file (relative to ``.chalice/``) used when ``autogen_policy`` is false."""
        value = self.lookup("iam_policy_file")
        return f"policy-{self.stage}.json" if value is None else str(value)

    @property
    def log_retention_in_days(self) -> int | None:
        value = self.lookup("log_retention_in_days")
        return None if value is None else int(value)

    @property
    def lambda_architecture(self) -> str:
        return str(self.lookup("lambda_architecture") or DEFAULT_ARCHITECTURE)

    @property
    def lambda_python_version(self) -> str:
        """The Lambda runtime matching the local interpreter (``python3.X``)."""
        return lambda_runtime_for((sys.version_info.major, sys.version_info.minor))

    @property
    def state_backend(self) -> Any:
        """Where this stage's state and lock live (a ``BackendSpec``; the
        ``CHALICE_STATE_BACKEND`` environment variable wins over the file)."""
        import os

        from chalice.deploy.backend_config import resolve

        return resolve(self._data, self.stage, environ=os.environ, source=self._source)


def _domain(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    domain = copy.deepcopy(dict(value))
    if domain.get("tls_version") is None:
        domain["tls_version"] = DEFAULT_TLS_VERSION
    return domain


_USER_PARAM_TYPES: dict[str, type] = {
    "profile": str,
    "autogen_policy": bool,
    "api_gateway_stage": str,
}


def _check_user_params(params: dict[str, Any]) -> None:
    for key, expected in _USER_PARAM_TYPES.items():
        value = params.get(key)
        if value is not None and not isinstance(value, expected):
            raise ConfigError(
                f"Invalid command line value for {key}: {value!r}.",
                where=f"--{key.replace('_', '-')}",
                fix=f"Pass a {expected.__name__}.",
            )
