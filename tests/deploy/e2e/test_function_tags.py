"""Lambda functions carry the identity tags (app, stage, resource name) like the
other taggable resources, without ever costing a call on an unchanged redeploy
and without changing what the user's ``tags`` mean."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import attrs

from chalice.deploy import models
from chalice.deploy.deployer import delete_stage, deploy_application
from tests.deploy.e2e import models_kit as kit
from tests.reporting import RecordingReporter


def _deploy(fn: models.LambdaFunction, project: Path, aws: Any, app: str) -> None:
    deploy_application(
        models.Application("dev", (fn,)),
        project_dir=project,
        app_name=app,
        clients=aws,
        ui=RecordingReporter(),
    )


def _tags(boto: Any, name: str) -> dict[str, str]:
    return dict(boto.awslambda.get_function(FunctionName=name).get("Tags") or {})


def test_new_function_has_identity_tags_and_user_tags_work_as_before(
    shared_env: str, project: Path, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    app = "tg" + uuid.uuid4().hex[:8]
    fn = kit.function(app, "dev", "worker", kit.make_zip(tmp_path / "a.zip"), kit.role(app, "dev"))
    _deploy(fn, project, aws, app)
    name = f"{app}-dev-worker"
    identity = {"chalice:app": app, "chalice:stage": "dev", "chalice:resource": "worker"}
    assert _tags(boto, name) == {**identity, **fn.tags}

    calls.reset()
    _deploy(fn, project, aws, app)
    assert calls.mutating == []

    # Adding and removing a user tag touches only that tag.
    calls.reset()
    _deploy(attrs.evolve(fn, tags={**fn.tags, "team": "x"}), project, aws, app)
    assert calls.mutating == ["TagResource"]
    assert _tags(boto, name) == {**identity, **fn.tags, "team": "x"}
    calls.reset()
    _deploy(fn, project, aws, app)
    assert calls.mutating == ["UntagResource"]
    assert _tags(boto, name) == {**identity, **fn.tags}
    delete_stage(
        project_dir=project, stage="dev", app_name=app, clients=aws, ui=RecordingReporter()
    )


def test_function_without_identity_tags_is_adopted_without_a_tag_call(
    shared_env: str, project: Path, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    """A function deployed by upstream Chalice (found by name) has no identity tags."""
    app = "tg" + uuid.uuid4().hex[:8]
    fn = kit.function(app, "dev", "worker", kit.make_zip(tmp_path / "a.zip"), kit.role(app, "dev"))
    _deploy(fn, project, aws, app)
    name = f"{app}-dev-worker"
    arn = boto.awslambda.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    boto.awslambda.untag_resource(
        Resource=arn, TagKeys=["chalice:app", "chalice:stage", "chalice:resource"]
    )
    calls.reset()
    _deploy(fn, project, aws, app)
    assert calls.mutating == []
    delete_stage(
        project_dir=project, stage="dev", app_name=app, clients=aws, ui=RecordingReporter()
    )
