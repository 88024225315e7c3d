"""``chalice state show`` and ``chalice unlock`` with the default (local) backend."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from click.testing import CliRunner

from chalice.cli import cli
from chalice.deploy.lock import lock_path
from tests.cli.helpers import write_project, write_state


def test_show_local_state(runner: CliRunner, tmp_path: Path) -> None:
    write_project(tmp_path)
    write_state(tmp_path, [{"name": "api_handler", "resource_type": "lambda_function",
                            "lambda_arn": "arn:fn"}])  # fmt: skip
    result = runner.invoke(cli, ["--project-dir", str(tmp_path), "state", "show"])
    assert result.exit_code == 0, result.output
    assert "Backend:  local" in result.output
    assert "lambda_function: api_handler" in result.output
    assert "Lock:     not locked" in result.output


def test_unlock_local_lock_after_confirmation(runner: CliRunner, tmp_path: Path) -> None:
    write_project(tmp_path)
    path = lock_path(tmp_path, "dev")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"pid": 1, "host": "build-box", "command": "chalice deploy",
                                "time": "2026-01-01T00:00:00+00:00"}))  # fmt: skip
    result = runner.invoke(cli, ["--project-dir", str(tmp_path), "unlock"], input="n\n")
    assert result.exit_code == 1 and "locked by 'chalice deploy'" in result.output
    assert "build-box" in result.output and path.exists()
    result = runner.invoke(cli, ["--project-dir", str(tmp_path), "unlock"], input="y\n")
    assert result.exit_code == 0 and "Unlocked stage 'dev'." in result.output
    assert not path.exists()
    assert socket.gethostname() != "build-box"


def test_bad_state_backend_is_a_config_error(runner: CliRunner, tmp_path: Path) -> None:
    write_project(tmp_path, config={"version": "2.0", "app_name": "demo",
                                    "state_backend": {"type": "s3"}, "stages": {"dev": {}}})  # fmt: skip
    result = runner.invoke(cli, ["--project-dir", str(tmp_path), "state", "show"])
    assert result.exit_code == 2
    assert "needs a `bucket`" in result.output and "Traceback" not in result.output
