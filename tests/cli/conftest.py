"""Helpers for CLI tests: a click runner and small project/state builders."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CliRunner]:
    """A CliRunner running from a fresh directory; the CLI's env/cwd changes are undone."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AWS_CHALICE_CLI_MODE", raising=False)
    yield CliRunner()


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
