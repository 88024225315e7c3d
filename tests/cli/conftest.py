"""Fixtures for CLI tests: a click runner, and the CLI-mode env guard for every test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.cli.helpers import restore_cli_mode

__all__ = ["restore_cli_mode", "runner"]


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CliRunner]:
    """A CliRunner running from a fresh directory (the CLI may chdir; this is undone)."""
    monkeypatch.chdir(tmp_path)
    yield CliRunner()
