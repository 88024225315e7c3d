"""An upstream-layout Terraform state moves to the current layout without replacement.

End to end: ``terraform apply`` of the upstream layout against moto's server
(on 127.0.0.1), then the migration docs/packaging.rst gives ("Coming from
upstream's Terraform output"): switch to the current layout, forget the old
deployment, import the stage. ``terraform plan`` must then create only the
new deployment and update the imported stage in place; everything else is a
no-op, and after the apply the configuration plans with no change.

Needs ``terraform`` and the offline provider mirror (``_tfcheck``); the
upstream layout's provider pin (< 5) is widened to the mirror's 5.100.0,
which still accepts that layout (with deprecation warnings).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import attrs
import pytest

from chalice.deploy import models
from chalice.package.terraform import TerraformLayout, generate_terraform_template
from tests.conftest import REGION, reset_moto
from tests.package import _tfcheck
from tests.package._models import full_application, swagger

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not _tfcheck.terraform_available(), reason="terraform or its provider mirror is absent"
    ),
]

_SERVICES = ("apigateway", "events", "iam", "lambda", "sts")


def _application() -> models.Application:
    """A REST API and a scheduled function, without layers or domains moto cannot back."""
    app = full_application(terraform=True, log_retention=None)
    rest = next(r for r in app.resources if isinstance(r, models.RestAPI))
    event = next(r for r in app.resources if isinstance(r, models.ScheduledEvent))
    doc = swagger("pkgfull", terraform=True, authorizer=False)
    # moto answers the provider's binaryMediaTypes patch with a 500, which
    # the provider retries without end; binary types are not what this tests.
    doc.pop("x-amazon-apigateway-binary-media-types")
    rest = attrs.evolve(
        rest,
        authorizers=(),
        domain_name=None,
        swagger_doc=doc,
        lambda_function=attrs.evolve(rest.lambda_function, managed_layer=None, layers=()),
    )
    event = attrs.evolve(
        event,
        lambda_function=attrs.evolve(event.lambda_function, managed_layer=None, layers=()),
    )
    return models.Application(stage="dev", resources=(event, rest))


class _Terraform:
    """``terraform`` in one working directory, offline, against moto."""

    def __init__(self, root: Path, endpoint: str) -> None:
        self.root = root
        cli_config = root.parent / "terraform.tfrc"
        cli_config.write_text(
            "disable_checkpoint = true\n"
            f'provider_installation {{\n  filesystem_mirror {{\n    path = "{_tfcheck.PLUGIN_MIRROR}"\n'
            "  }\n}\n"
        )
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "AWS_"))}
        self.env.update(
            TF_CLI_CONFIG_FILE=str(cli_config), CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1"
        )
        self.provider = {
            "provider": {
                "aws": {
                    "region": REGION,
                    "access_key": "testing",
                    "secret_key": "testing",
                    "skip_credentials_validation": True,
                    "skip_requesting_account_id": True,
                    "skip_metadata_api_check": True,
                    "endpoints": [{service: endpoint for service in _SERVICES}],
                }
            }
        }

    def write(self, layout: TerraformLayout, *, extra: dict[str, Any] | None = None) -> None:
        config = _tfcheck.for_local_mirror(
            generate_terraform_template(_application(), app_name="pkgfull", layout=layout)
        )
        config["terraform"]["required_providers"]["aws"]["version"] = ">= 2"
        _tfcheck.write_module(self.root, config)
        (self.root / "provider.tf.json").write_text(json.dumps(self.provider))
        migrate = self.root / "migrate.tf.json"
        if extra is not None:
            migrate.write_text(json.dumps(extra))
        else:
            migrate.unlink(missing_ok=True)

    def run(self, *args: str, codes: tuple[int, ...] = (0,)) -> str:
        result = subprocess.run(
            ["terraform", *args, "-no-color"],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert result.returncode in codes, result.stdout[-4000:] + result.stderr[-4000:]
        return result.stdout

    def plan_actions(self) -> dict[str, list[str]]:
        self.run("plan", "-input=false", "-out=plan.bin")
        shown = json.loads(self.run("show", "-json", "plan.bin"))
        return {rc["address"]: rc["change"]["actions"] for rc in shown["resource_changes"]}

    def no_changes(self) -> None:
        # -detailed-exitcode: 0 = no changes, 2 = changes.
        self.run("plan", "-input=false", "-detailed-exitcode")


def test_upstream_state_moves_to_the_current_layout(moto_server: str, tmp_path: Path) -> None:
    reset_moto(moto_server)
    root = tmp_path / "module"
    tf = _Terraform(root, moto_server)
    tf.write(TerraformLayout.UPSTREAM)
    tf.run("init", "-input=false")
    tf.run("apply", "-auto-approve", "-input=false")
    # (That the upstream layout converges is checked below: after the
    # migration every resource it shares with the current layout is a no-op.)
    api_id = json.loads(tf.run("output", "-json"))["RestAPIId"]["value"]

    # The documented migration.
    tf.write(
        TerraformLayout.CURRENT,
        extra={"import": [{"to": "aws_api_gateway_stage.rest_api", "id": f"{api_id}/api"}]},
    )
    tf.run("state", "rm", "aws_api_gateway_deployment.rest_api")
    actions = tf.plan_actions()
    assert actions.pop("aws_api_gateway_deployment.rest_api") == ["create"]
    assert actions.pop("aws_api_gateway_stage.rest_api") == ["update"]
    assert set(actions) == {
        "aws_api_gateway_rest_api.rest_api",
        "aws_cloudwatch_event_rule.every_five-event",
        "aws_cloudwatch_event_target.every_five-event",
        "aws_iam_role.default-role",
        "aws_iam_role_policy.default-role",
        "aws_lambda_function.api_handler",
        "aws_lambda_function.every_five",
        "aws_lambda_permission.every_five-event",
        "aws_lambda_permission.rest_api_invoke",
    }
    assert all(action == ["no-op"] for action in actions.values()), actions
    tf.run("apply", "-input=false", "plan.bin")
    tf.write(TerraformLayout.CURRENT)
    tf.no_changes()
    outputs = json.loads(tf.run("output", "-json"))
    assert outputs["RestAPIId"]["value"] == api_id
    assert outputs["EndpointURL"]["value"].endswith(
        f"{api_id}.execute-api.{REGION}.amazonaws.com/api"
    )
