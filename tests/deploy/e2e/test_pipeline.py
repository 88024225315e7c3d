"""End-to-end through the real pipeline: app.py -> config -> graph -> build -> plan -> execute.

A small sample app (routes, an authorizer, a schedule, a pure lambda, SNS,
SQS and S3 handlers; no requirements, so no pip) is deployed to moto in two
stages, redeployed unchanged (zero mutating calls), changed by one line,
shrunk (a handler removed) and deleted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chalice.deploy import deployer
from chalice.deploy.state import load_state, state_path
from chalice.errors import LockError
from tests.deploy.e2e import models_kit as kit
from tests.reporting import RecordingReporter


def test_deploy_redeploy_change_sweep_delete(
    sample: Path, session: Any, calls: Any, boto: Any
) -> None:
    ui = RecordingReporter()
    result = deployer.deploy(sample, ui=ui, session=session)
    assert result.state is not None
    names = result.state.resource_names()
    assert names == [
        "default-role",
        "pure",
        "every_five",
        "every_five-event",
        "on_sns",
        "on_sns-sns-subscription",
        "on_sqs",
        "on_sqs-sqs-event-source",
        "on_s3",
        "on_s3-s3event",
        "api_handler",
        "auth",
        "rest_api",
    ]
    assert ui.lines[-1].startswith("  - Rest API URL: https://")
    left = kit.leftovers(boto, "sample", "dev")
    assert len(left["functions"]) == 7 and len(left["rest_apis"]) == 1

    # A second stage is independent.
    prod = deployer.deploy(sample, stage="prod", ui=RecordingReporter(), session=session)
    assert prod.state is not None
    assert prod.state.get("rest_api")["rest_api_url"].endswith("/v1/")  # type: ignore[index]
    cfg = boto.awslambda.get_function(FunctionName="sample-prod-pure")["Configuration"]
    assert cfg["MemorySize"] == 256

    # Unchanged redeploy: zero mutating calls; plan is read-only too.
    calls.reset()
    deployer.deploy(sample, ui=RecordingReporter(), session=session)
    assert calls.mutating == []
    ui = RecordingReporter()
    the_plan = deployer.plan(sample, ui=ui, session=session)
    assert not the_plan.mutates and calls.mutating == []

    # One-line change: new code for every function, nothing else.
    app_py = sample / "app.py"
    app_py.write_text(app_py.read_text().replace('"world"', '"there"'))
    ui = RecordingReporter()
    deployer.deploy(sample, ui=ui, session=session, plan_only=True)
    assert "code_sha256" in ui.text and calls.mutating == []
    calls.reset()
    deployer.deploy(sample, ui=RecordingReporter(), session=session)
    assert set(calls.mutating) == {"UpdateFunctionCode"}
    assert len(calls.mutating) == 7

    # Remove the SQS handler: its function and mapping are deleted.
    text = app_py.read_text()
    app_py.write_text(
        text[: text.index("@app.on_sqs_message")] + text[text.index("@app.on_s3_event") :]
    )
    ui = RecordingReporter()
    deployer.deploy(sample, ui=ui, session=session)
    names = load_state(sample, "dev").resource_names()
    assert "on_sqs" not in names and "on_sqs-sqs-event-source" not in names
    assert (
        "Deleting function: arn:aws:lambda:us-west-2:123456789012:function:sample-dev-on_sqs"
        in ui.lines
    )
    assert "mappings" not in kit.leftovers(boto, "sample", "dev")

    # Delete dev: nothing of dev left; prod untouched.
    deployer.delete(sample, ui=RecordingReporter(), session=session)
    assert kit.leftovers(boto, "sample", "dev") == {}
    assert json.loads(state_path(sample, "dev").read_text())["resources"] == []
    assert len(kit.leftovers(boto, "sample", "prod")["functions"]) == 7
    deployer.delete(sample, stage="prod", ui=RecordingReporter(), session=session)
    assert kit.leftovers(boto, "sample") == {}


def test_locked_stage_fails_at_once(sample: Path, session: Any) -> None:
    from chalice.deploy.lock import StageLock

    with StageLock(sample, "dev", command="chalice deploy"):
        with pytest.raises(LockError, match="is locked by 'chalice deploy'"):
            deployer.deploy(sample, ui=RecordingReporter(), session=session)
        with pytest.raises(LockError):
            deployer.delete(sample, ui=RecordingReporter(), session=session)
        # A plan takes no lock.
        deployer.plan(sample, ui=RecordingReporter(), session=session)


def test_legacy_state_is_migrated_and_announced(sample: Path, session: Any, boto: Any) -> None:
    result = deployer.deploy(sample, ui=RecordingReporter(), session=session)
    assert result.state is not None
    handler = result.state.get("api_handler")["lambda_arn"]  # type: ignore[index]
    rest_id = result.state.get("rest_api")["rest_api_id"]  # type: ignore[index]
    state_path(sample, "dev").unlink()
    legacy = {
        "dev": {
            "api_handler_arn": handler,
            "api_handler_name": "sample-dev",
            "rest_api_id": rest_id,
            "lambda_functions": {},
            "backend": "api",
            "region": "us-west-2",
            "api_gateway_stage": "api",
            "chalice_version": "1.1.0",
        }
    }
    (sample / ".chalice" / "deployed.json").write_text(json.dumps(legacy))
    ui = RecordingReporter()
    result = deployer.deploy(sample, ui=ui, session=session)
    assert any(line.startswith("Migrating deployed resources of stage 'dev'") for line in ui.lines)
    # The migrated REST API was reused, not duplicated.
    assert len(kit.leftovers(boto, "sample", "dev")["rest_apis"]) == 1
    assert result.state.get("rest_api")["rest_api_id"] == rest_id  # type: ignore[union-attr,index]
    assert json.loads((sample / ".chalice" / "deployed.json").read_text()) == legacy
