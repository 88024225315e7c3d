"""``chalice state show|pull|push|migrate`` and ``chalice unlock`` against moto's S3."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from chalice.cli.root import cli
from chalice.deploy.state import state_path
from chalice.deploy.state_transfer import migrated_path

BUCKET = "chalice-cli-state"
RESOURCES = [
    {"name": "default-role", "resource_type": "iam_role", "role_name": "r", "role_arn": "arn:r"},
    {"name": "api_handler", "resource_type": "lambda_function", "lambda_arn": "arn:fn"},
]


@pytest.fixture
def project(shared_env: str, boto: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    s3 = boto.s3
    try:
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    app = "c" + hashlib.sha1(str(tmp_path).encode()).hexdigest()[:8]
    root = tmp_path / "proj"
    (root / ".chalice" / "deployed").mkdir(parents=True)
    config = {
        "version": "2.0",
        "app_name": app,
        "state_backend": {"type": "s3", "bucket": BUCKET, "key_prefix": "cli"},
        "stages": {"dev": {}},
    }
    (root / ".chalice" / "config.json").write_text(json.dumps(config))
    (root / "app.py").write_text("from chalice import Chalice\napp = Chalice(app_name='x')\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CHALICE_STATE_BACKEND", raising=False)
    return root


def chalice(project: Path, *args: str, input: str | None = None) -> Any:
    result = CliRunner().invoke(cli, ["--project-dir", str(project), *args], input=input)
    return result


def _write_local(project: Path) -> bytes:
    from chalice.deploy.state import DeployedState, save_state

    state = DeployedState(resources=tuple(dict(r) for r in RESOURCES))
    save_state(project, "dev", state)
    return state_path(project, "dev").read_bytes()


def test_migrate_round_trip_local_s3_local(project: Path, boto: Any) -> None:
    original = _write_local(project)
    result = chalice(project, "state", "show")
    assert result.exit_code == 0, result.output
    assert "State:    none recorded" in result.output
    result = chalice(project, "state", "migrate", "--to", "s3")
    assert result.exit_code == 0, result.output
    assert "Moved the state of stage 'dev' to s3://" in result.output
    assert not state_path(project, "dev").exists() and migrated_path(project, "dev").exists()
    app = json.loads((project / ".chalice" / "config.json").read_text())["app_name"]
    body = boto.s3.get_object(Bucket=BUCKET, Key=f"cli/{app}/deployed/dev.json")["Body"].read()
    assert body == original
    result = chalice(project, "state", "show", "--history")
    assert result.exit_code == 0, result.output
    assert "lambda_function: api_handler" in result.output and "Lock:     not locked" in result.output
    assert "(current)" in result.output
    result = chalice(project, "state", "migrate", "--to", "local")
    assert result.exit_code == 0, result.output
    assert state_path(project, "dev").read_bytes() == original
    assert "remove state_backend" in result.output


def test_pull_then_push_refuses_newer_remote_state(project: Path) -> None:
    _write_local(project)
    assert chalice(project, "state", "migrate", "--to", "s3").exit_code == 0
    result = chalice(project, "state", "pull")
    assert result.exit_code == 0, result.output
    assert state_path(project, "dev").exists()
    # Someone else pulls, changes and pushes meanwhile (another checkout).
    other = project.parent / "other"
    other.mkdir()
    (other / ".chalice").mkdir()
    (other / ".chalice" / "config.json").write_text(
        (project / ".chalice" / "config.json").read_text()
    )
    assert chalice(other, "state", "pull").exit_code == 0
    data = json.loads(state_path(other, "dev").read_text())
    data["resources"].pop()
    state_path(other, "dev").write_text(json.dumps(data, indent=2) + "\n")
    result = chalice(other, "state", "push")
    assert result.exit_code == 0, result.output
    # Our copy is now older than the remote one: refused.
    data = json.loads(state_path(project, "dev").read_text())
    data["resources"].append({"name": "x", "resource_type": "log_group", "log_group_name": "g"})
    state_path(project, "dev").write_text(json.dumps(data, indent=2) + "\n")
    result = chalice(project, "state", "push")
    assert result.exit_code == 2
    assert "is not the version this checkout pulled" in result.output
    assert "Traceback" not in result.output
    assert chalice(project, "state", "push", "--force").exit_code == 0


def test_unlock_asks_then_breaks(project: Path) -> None:
    from chalice.config import Config
    from chalice.deploy.state_access import backend_for

    config = Config.load(project, stage="dev")
    backend = backend_for(config, project_dir=project)
    held = backend.acquire("dev", command="chalice deploy", force=False, notice=print)
    result = chalice(project, "unlock", input="n\n")
    assert result.exit_code == 1 and "is locked by 'chalice deploy'" in result.output
    assert backend.holder("dev") is not None
    result = chalice(project, "unlock", "--yes")
    assert result.exit_code == 0 and "Unlocked stage 'dev'." in result.output
    assert backend.holder("dev") is None
    held.release()
    assert chalice(project, "unlock", "--yes").output.strip() == "Stage 'dev' is not locked."


def test_commands_without_an_s3_backend_say_how_to_set_one(project: Path) -> None:
    config = json.loads((project / ".chalice" / "config.json").read_text())
    del config["state_backend"]
    (project / ".chalice" / "config.json").write_text(json.dumps(config))
    result = chalice(project, "state", "pull")
    assert result.exit_code == 2 and "needs an S3 state backend" in result.output
    assert "CHALICE_STATE_BACKEND" in result.output


def test_missing_bucket_is_one_clear_error(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHALICE_STATE_BACKEND", "s3://no-such-state-bucket/x")
    result = chalice(project, "state", "show")
    assert result.exit_code == 2, result.output
    assert "The state bucket 'no-such-state-bucket' does not exist" in result.output
    assert "create-bucket" in result.output and "Traceback" not in result.output


def test_cli_delete_reads_and_writes_the_s3_state(project: Path, boto: Any) -> None:
    # What `chalice delete` deletes comes from the bucket, not the checkout.
    from chalice.deploy.state import DeployedState, save_state

    gone = DeployedState(
        resources=(
            {
                "name": "api_handler",
                "resource_type": "lambda_function",
                "lambda_arn": "arn:aws:lambda:us-west-2:123456789012:function:never-created",
            },
        )
    )
    save_state(project, "dev", gone)
    assert chalice(project, "state", "migrate", "--to", "s3").exit_code == 0
    result = chalice(project, "delete", "--stage", "dev")
    assert result.exit_code == 0, result.output
    assert "Nothing to delete" not in result.output
    app = json.loads((project / ".chalice" / "config.json").read_text())["app_name"]
    body = boto.s3.get_object(Bucket=BUCKET, Key=f"cli/{app}/deployed/dev.json")["Body"].read()
    assert json.loads(body)["resources"] == []
    assert not state_path(project, "dev").exists()  # the checkout is left alone
    listed = boto.s3.list_objects_v2(Bucket=BUCKET, Prefix=f"cli/{app}/deployed/")
    assert [o["Key"] for o in listed.get("Contents", [])] == [f"cli/{app}/deployed/dev.json"]
