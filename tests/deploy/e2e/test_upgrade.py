"""Taking over a stage deployed by upstream Chalice: what differs on purpose.

Upstream named the REST handler's log group ``/aws/lambda/<app>-<stage>-api_handler``
(a group Lambda never writes to, quirk #8); we use ``/aws/lambda/<app>-<stage>``
under the same resource name. The next deploy creates (or adopts) the new group
and leaves the old one, with its logs and retention, alone.

Also: a websocket API created just before a crash (not recorded) is found by
its identity tags and adopted, never duplicated.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from chalice.deploy import models
from chalice.deploy.deployer import delete_stage, deploy_application
from chalice.deploy.plan import Action
from chalice.deploy.state import DeployedState, load_state, save_state
from tests.deploy.e2e import models_kit as kit
from tests.reporting import RecordingReporter


def _groups(boto: Any, prefix: str) -> dict[str, int | None]:
    found = boto.logs.describe_log_groups(logGroupNamePrefix=prefix)["logGroups"]
    return {g["logGroupName"]: g.get("retentionInDays") for g in found}


def _app(tmp: Path, app: str) -> models.Application:
    pkg = kit.make_zip(tmp / f"{app}.zip")
    handler = kit.function(
        app,
        "dev",
        "api_handler",
        pkg,
        kit.role(app, "dev"),
        log_group=models.LogGroup("api_handler-log-group", f"/aws/lambda/{app}-dev", 7),
    )
    return models.Application("dev", (handler,))


def _deploy(application: models.Application, project: Path, aws: Any, app: str) -> Any:
    return deploy_application(
        application, project_dir=project, app_name=app, clients=aws, ui=RecordingReporter()
    )


def test_upstream_log_group_name_is_replaced_and_the_old_group_kept(
    shared_env: str, project: Path, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    app = "up" + uuid.uuid4().hex[:8]
    old = f"/aws/lambda/{app}-dev-api_handler"
    new = f"/aws/lambda/{app}-dev"
    # What upstream left: its log group (with retention) recorded under our resource name.
    boto.logs.create_log_group(logGroupName=old)
    boto.logs.put_retention_policy(logGroupName=old, retentionInDays=7)
    save_state(
        project,
        "dev",
        DeployedState.empty().with_resource(
            "api_handler-log-group", "log_group", {"log_group_name": old}
        ),
    )

    result = _deploy(_app(tmp_path, app), project, aws, app)
    step = next(s for s in result.plan.steps if s.name == "api_handler-log-group")
    assert step.action is Action.CREATE
    # Exactly one entry for the resource name, now with the new group name.
    entries = [r for r in load_state(project, "dev").resources if r["name"] == step.name]
    assert entries == [{"name": step.name, "resource_type": "log_group", "log_group_name": new}]
    groups = _groups(boto, f"/aws/lambda/{app}-dev")
    assert groups[new] == 7
    assert groups[old] == 7  # untouched: its logs and retention stay

    # Converged: the next deploy changes nothing.
    calls.reset()
    _deploy(_app(tmp_path, app), project, aws, app)
    assert calls.mutating == []

    # Delete removes the recorded (new) group's retention only; the old group is not ours.
    delete_stage(
        project_dir=project, stage="dev", app_name=app, clients=aws, ui=RecordingReporter()
    )
    groups = _groups(boto, f"/aws/lambda/{app}-dev")
    assert groups[new] is None and groups[old] == 7


def test_new_name_already_created_by_lambda_is_adopted(
    shared_env: str, project: Path, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    app = "up" + uuid.uuid4().hex[:8]
    old = f"/aws/lambda/{app}-dev-api_handler"
    new = f"/aws/lambda/{app}-dev"
    boto.logs.create_log_group(logGroupName=old)
    boto.logs.create_log_group(logGroupName=new)  # Lambda made it on first invocation
    save_state(
        project,
        "dev",
        DeployedState.empty().with_resource(
            "api_handler-log-group", "log_group", {"log_group_name": old}
        ),
    )
    calls.reset()
    result = _deploy(_app(tmp_path, app), project, aws, app)
    step = next(s for s in result.plan.steps if s.name == "api_handler-log-group")
    assert step.action is Action.UPDATE
    assert "CreateLogGroup" not in calls.mutating
    assert _groups(boto, new)[new] == 7
    assert load_state(project, "dev").get(step.name) == {
        "name": step.name,
        "resource_type": "log_group",
        "log_group_name": new,
    }
    delete_stage(
        project_dir=project, stage="dev", app_name=app, clients=aws, ui=RecordingReporter()
    )


def test_websocket_api_created_before_a_crash_is_adopted_by_tag(
    shared_env: str, project: Path, aws: Any, boto: Any, tmp_path: Path
) -> None:
    app = "ws" + uuid.uuid4().hex[:8]
    pkg = kit.make_zip(tmp_path / f"{app}.zip")
    the_role = kit.role(app, "dev")
    ws = models.WebsocketAPI(
        resource_name="websocket_api",
        name=f"{app}-dev-websocket-api",
        api_gateway_stage="api",
        routes=("$default",),
        connect_function=None,
        message_function=kit.function(app, "dev", "websocket_message", pkg, the_role),
        disconnect_function=None,
    )
    application = models.Application("dev", (ws,))
    _deploy(application, project, aws, app)
    api_id = load_state(project, "dev").get("websocket_api")["websocket_api_id"]  # type: ignore[index]
    # Forget it, as if the process died right after CreateApi.
    save_state(project, "dev", load_state(project, "dev").without("websocket_api"))
    _deploy(application, project, aws, app)
    assert load_state(project, "dev").get("websocket_api")["websocket_api_id"] == api_id  # type: ignore[index]
    mine = [a for a in boto.apigatewayv2.get_apis()["Items"] if a["Name"].startswith(app)]
    assert [a["ApiId"] for a in mine] == [api_id]
    delete_stage(
        project_dir=project, stage="dev", app_name=app, clients=aws, ui=RecordingReporter()
    )
    assert not [a for a in boto.apigatewayv2.get_apis()["Items"] if a["Name"].startswith(app)]


def test_delete_of_a_legacy_stage_says_it_migrates_and_leaves_the_old_file(
    shared_env: str, project: Path, aws: Any
) -> None:
    import json

    legacy = project / ".chalice" / "deployed.json"
    arn = "arn:aws:lambda:us-west-2:123456789012:function:old-dev-{}"
    legacy.write_text(
        json.dumps(
            {
                "dev": {
                    "api_handler_name": "old-dev",
                    "api_handler_arn": arn.format("gone").replace("-gone", ""),
                    "lambda_functions": {"old-dev-auth": arn.format("auth")},
                }
            }
        )
    )
    before = legacy.read_text()
    ui = RecordingReporter()
    delete_stage(project_dir=project, stage="dev", app_name="old", clients=aws, ui=ui)
    assert ui.lines[0].startswith("Migrating deployed resources of stage 'dev' from ")
    assert legacy.read_text() == before
    assert load_state(project, "dev").resources == ()
    assert load_state(project, "dev").migrated_from is None  # the stage file now exists
