"""The state seam: the ``state_backend`` setting and the local file backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chalice.config import Config
from chalice.deploy.backend_config import (
    LOCAL,
    BackendKind,
    BackendSpec,
    parse_env,
    resolve,
)
from chalice.deploy.lock import lock_path
from chalice.deploy.state import DeployedState, save_state, state_path
from chalice.deploy.statebackend import (
    ABSENT,
    LocalFileBackend,
    StageSession,
    StateConflictError,
    open_stage,
)
from chalice.errors import ConfigError, LockError

S3 = {"type": "s3", "bucket": "team-state", "key_prefix": "chalice/", "region": "eu-west-1"}


def _config(tmp_path: Path, data: dict[str, Any], stage: str = "dev") -> Config:
    return Config.from_dict({"app_name": "shop", **data}, project_dir=tmp_path, stage=stage)


def test_default_is_local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHALICE_STATE_BACKEND", raising=False)
    assert _config(tmp_path, {}).state_backend == LOCAL


def test_stage_wins_over_top_level_and_environment_over_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CHALICE_STATE_BACKEND", raising=False)
    data = {
        "state_backend": S3,
        "stages": {"dev": {}, "prod": {"state_backend": {"type": "local"}}},
    }
    dev = _config(tmp_path, data).state_backend
    assert dev.kind is BackendKind.S3 and dev.key_prefix == "chalice"
    assert dev.object_key("shop", "dev") == "chalice/shop/deployed/dev.json"
    assert dev.object_key("shop", "dev", "lock") == "chalice/shop/deployed/dev.lock"
    assert _config(tmp_path, data, "prod").state_backend.kind is BackendKind.LOCAL
    monkeypatch.setenv("CHALICE_STATE_BACKEND", "s3://ci-state/p/q?region=us-east-1&kms_key_id=k")
    ci = _config(tmp_path, data, "prod").state_backend
    assert (ci.bucket, ci.key_prefix, ci.region, ci.kms_key_id) == (
        "ci-state",
        "p/q",
        "us-east-1",
        "k",
    )
    assert "CHALICE_STATE_BACKEND" in ci.source
    monkeypatch.setenv("CHALICE_STATE_BACKEND", "local")
    assert _config(tmp_path, data).state_backend.kind is BackendKind.LOCAL


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("s3", "expected a state backend object"),
        ({"type": "gcs"}, "Unknown state backend type"),
        ({"type": "s3"}, "needs a `bucket`"),
        ({"type": "s3", "bucket": "arn:aws:s3:::x"}, "not a valid S3 bucket name"),
        ({"type": "s3", "bucket": "ok-bucket", "region": "Europe"}, "not an AWS region"),
        ({"type": "s3", "bucket": "ok-bucket", "bukcet": "x"}, "Unknown field `bukcet`"),
        ({"type": "s3", "bucket": "ok-bucket", "key_prefix": 3}, "must be a string"),
        ({"type": "local", "bucket": "ok-bucket"}, 'no meaning with "type": "local"'),
    ],
)
def test_invalid_settings_are_clear_config_errors(tmp_path: Path, value: Any, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        _config(tmp_path, {"stages": {"dev": {"state_backend": value}}})
    assert message in str(err.value)
    assert "stages.dev.state_backend" in str(err.value) and "how to fix" in str(err.value)


def test_function_level_state_backend_only_warns(tmp_path: Path) -> None:
    config = _config(tmp_path, {"lambda_functions": {"f": {"state_backend": S3}}})
    assert any("state_backend" in w and "no effect" in w for w in config.warnings)


@pytest.mark.parametrize("text", ["gs://x/y", "s3://", "s3://ok-bucket?colour=red", "s3://A_B"])
def test_bad_environment_override(text: str) -> None:
    with pytest.raises(ConfigError, match="CHALICE_STATE_BACKEND"):
        parse_env(text)


def test_resolve_reads_plain_documents() -> None:
    spec = resolve({"state_backend": S3}, "dev", environ={})
    assert spec.describe() == "s3://team-state/chalice"
    assert BackendSpec().describe() == "local"


def _state(*names: str) -> DeployedState:
    s = DeployedState.empty()
    for n in names:
        s = s.with_resource(n, "lambda_function", {"lambda_arn": f"arn:{n}"})
    return s


def test_local_backend_writes_todays_file_byte_for_byte(tmp_path: Path) -> None:
    backend = LocalFileBackend(tmp_path, app_name="shop")
    assert backend.read("dev") == (DeployedState.empty(), ABSENT)
    version = backend.write("dev", _state("a"), expected=ABSENT)
    other = tmp_path / "other"
    save_state(other, "dev", _state("a"))
    assert state_path(tmp_path, "dev").read_bytes() == state_path(other, "dev").read_bytes()
    assert backend.read("dev") == (_state("a"), version)


def test_local_backend_refuses_a_file_changed_behind_its_back(tmp_path: Path) -> None:
    backend = LocalFileBackend(tmp_path)
    version = backend.write("dev", _state("a"), expected=ABSENT)
    save_state(tmp_path, "dev", _state("a", "edited"))
    with pytest.raises(StateConflictError, match="changed on disk"):
        backend.write("dev", _state("a", "b"), expected=version)


def test_open_stage_locks_reads_and_releases(tmp_path: Path) -> None:
    backend = LocalFileBackend(tmp_path)
    save_state(tmp_path, "dev", _state("a"))
    with open_stage(backend, "dev", command="chalice deploy", notice=print) as session:
        assert isinstance(session, StageSession) and session.state == _state("a")
        assert lock_path(tmp_path, "dev").exists()
        with pytest.raises(LockError):
            with open_stage(backend, "dev", command="chalice delete", notice=print):
                pass
        session.save(_state("a"))  # unchanged: no write
        session.save(_state("a", "b"))
        assert session.writes == 1
    assert not lock_path(tmp_path, "dev").exists()
    assert backend.read("dev")[0] == _state("a", "b")


def test_break_lock_names_who_held_it(tmp_path: Path) -> None:
    backend = LocalFileBackend(tmp_path)
    held = backend.acquire("dev", command="chalice deploy", force=False, notice=print)
    holder = backend.holder("dev")
    assert holder is not None and holder.command == "chalice deploy"
    assert backend.break_lock("dev") == holder
    assert backend.holder("dev") is None
    held.release()
