"""The few configuration values local emulation needs, and how to get them.

The local server and the test client read a stage's settings through the
small ``LocalSettings`` protocol that ``chalice.config.Config`` satisfies. When
the project has no usable ``.chalice/config.json`` (a test client pointed at a
bare directory, say), ``load_settings`` falls back to defaults, as upstream
does. This module must never import botocore or the app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

API_HANDLER = "api_handler"


class LocalSettings(Protocol):
    """The part of ``Config`` the emulators use."""

    @property
    def environment_variables(self) -> dict[str, str]: ...

    @property
    def lambda_memory_size(self) -> int: ...

    @property
    def lambda_timeout(self) -> int: ...

    @property
    def api_gateway_stage(self) -> str: ...

    def scope(self, function_name: str) -> LocalSettings: ...


class DefaultSettings:
    """Upstream's defaults, for a project without a config file."""

    environment_variables: dict[str, str]

    def __init__(self) -> None:
        self.environment_variables = {}
        self.lambda_memory_size = 128
        self.lambda_timeout = 60
        self.api_gateway_stage = "api"

    def scope(self, function_name: str) -> DefaultSettings:
        return self


def load_settings(project_dir: str | Path, stage: str) -> LocalSettings:
    """Load the stage's config, or defaults when it is missing or invalid.

    Swallowing the error is deliberate and matches upstream's test client: a
    test of a bare ``Chalice`` app must not need a project on disk. The local
    server does not use this (it wants config errors reported).
    """
    try:
        from chalice.config import Config

        config: LocalSettings = Config.load(project_dir, stage=stage)
        return config
    except Exception:
        return DefaultSettings()


def function_timeout_ms(settings: LocalSettings) -> int:
    """The function timeout in milliseconds (Lambda's 15-minute cap when unset)."""
    timeout = settings.lambda_timeout
    return int(timeout) * 1000 if timeout else 900_000
