"""Helpers shared by the CLI tests: project/state builders and an env guard fixture."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


def write_project(root: Path, *, app_py: str = "", config: dict[str, Any] | None = None) -> Path:
    """A minimal chalice project in ``root``."""
    (root / ".chalice").mkdir(parents=True, exist_ok=True)
    cfg = config or {
        "version": "2.0",
        "app_name": "demo",
        "stages": {"dev": {"api_gateway_stage": "api"}},
    }
    (root / ".chalice" / "config.json").write_text(json.dumps(cfg))
    (root / "app.py").write_text(
        app_py or "from chalice import Chalice\napp = Chalice(app_name='demo')\n"
    )
    return root


def write_state(root: Path, resources: list[dict[str, Any]], *, stage: str = "dev") -> Path:
    """A deployed-state file (schema 2.0) for ``stage``."""
    path = root / ".chalice" / "deployed" / f"{stage}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"resources": resources, "schema_version": "2.0", "backend": "api"}))
    return path


@pytest.fixture(autouse=True)
def restore_cli_mode() -> Iterator[None]:
    """Undo the CLI's ``AWS_CHALICE_CLI_MODE`` after in-process runs.

    The CLI sets it for the rest of its process, as a CLI process should; tests
    running the CLI in process must not leak it into other tests.
    """
    before = os.environ.get("AWS_CHALICE_CLI_MODE")
    yield
    if before is None:
        os.environ.pop("AWS_CHALICE_CLI_MODE", None)
    else:
        os.environ["AWS_CHALICE_CLI_MODE"] = before
