"""The ``Chalice`` CDK construct: a Chalice app as part of a CDK stack.

At construction time (that is, when the CDK app runs, before synthesis) it:

1. packages the app in ``source_dir`` as SAM into ``chalice.out/<id>/`` under
   the current directory, for the stage named after the enclosing scope, with
   ``stage_config`` as that stage's settings (values may be CDK tokens: they
   are strings or numbers that CDK resolves when it synthesizes, so a table's
   ``table_name`` becomes a ``Ref`` in the final template);
2. turns each zip into a CDK file asset and points the functions' ``CodeUri``
   (and the managed layer's ``ContentUri``) at the asset's bucket and key;
3. includes ``sam.json`` with ``aws_cdk.cloudformation_include.CfnInclude``
   (``sam_template``), so every resource can be reached and changed from CDK.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aws_cdk import Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3_assets as s3_assets
from aws_cdk import cloudformation_include as cfn_inc
from constructs import Construct

from chalice.cdk.packaging import package_for_cdk
from chalice.errors import UserError

# Resource type -> the property that holds a local zip path in `chalice package` output.
_CODE_PROPERTIES = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
}
OUTPUT_DIR = "chalice.out"


class UnknownResourceError(UserError):
    """``get_resource``/``get_role``/``get_function`` named no resource of the template."""


class Chalice(Construct):
    """A Chalice app packaged as SAM and included in the enclosing CDK stack.

    ``source_dir`` is the Chalice project (the directory holding ``app.py``
    and ``.chalice/config.json``). ``stage_config`` has the shape of one
    stage of ``.chalice/config.json`` and replaces the stage named after the
    scope in the file, for this package only (the file is not changed).
    With ``preserve_logical_ids`` (default) the resources keep the logical
    IDs ``chalice package`` gives them (``APIHandler``, ``DefaultRole``...);
    pass False when vending this construct in a library, so two copies in
    one stack do not collide. Lookups always use the original IDs.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,  # noqa: A002 - the CDK's name for it
        source_dir: str,
        stage_config: Mapping[str, Any] | None = None,
        preserve_logical_ids: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id)
        #: The Chalice project directory, absolute.
        self.source_dir = os.path.abspath(source_dir)
        #: The Chalice stage packaged: the enclosing scope's path (a stack's name).
        self.stage_name = scope.node.path
        #: The stage's settings, as given.
        self.stage_config = stage_config
        self._package_dir = Path.cwd() / OUTPUT_DIR / id
        template_path = package_for_cdk(
            Path(self.source_dir),
            self._package_dir,
            stage=self.stage_name,
            stage_config=stage_config,
        )
        #: The included SAM template; ``get_resource`` reaches its resources.
        self.sam_template = cfn_inc.CfnInclude(
            self,
            "ChaliceApp",
            template_file=str(template_path),
            preserve_logical_ids=preserve_logical_ids,
            **kwargs,
        )
        self._imported: dict[str, Any] = {}
        self._use_assets(json.loads(template_path.read_text(encoding="utf-8")))

    def _use_assets(self, template: Mapping[str, Any]) -> None:
        """Point every local zip path of the template at a CDK asset of that zip."""
        assets: dict[str, s3_assets.Asset] = {}
        for logical_id, resource in sorted(template.get("Resources", {}).items()):
            prop = _CODE_PROPERTIES.get(resource.get("Type", ""))
            location = resource.get("Properties", {}).get(prop) if prop else None
            if prop is None or not isinstance(location, str):
                continue
            path = (self._package_dir / location).resolve()
            if str(path) not in assets:
                # One asset per zip: the functions share the app's deployment.zip.
                asset_id = "ChaliceAppCode" if not assets else f"ChaliceAppCode{len(assets)}"
                assets[str(path)] = s3_assets.Asset(self, asset_id, path=str(path))
            asset = assets[str(path)]
            self.sam_template.get_resource(logical_id).add_property_override(
                prop, {"Bucket": asset.s3_bucket_name, "Key": asset.s3_object_key}
            )

    def get_resource(self, resource_name: str) -> Any:
        """The included resource whose logical ID in ``sam.json`` is ``resource_name``."""
        try:
            return self.sam_template.get_resource(resource_name)
        except Exception:  # jsii raises a plain RuntimeError for an unknown ID
            raise UnknownResourceError(
                f"The Chalice app's template has no resource {resource_name!r}.",
                where=f"{self._package_dir / 'sam.json'}",
                fix="Use a logical ID from that file, e.g. 'APIHandler' or 'DefaultRole'.",
            ) from None

    def get_role(self, role_name: str) -> iam.IRole:
        """The IAM role ``role_name`` of the template (e.g. ``DefaultRole``), as an ``IRole``.

        Grants made to it (``table.grant_read_write_data(role)``) become
        policies attached to that role.
        """
        key = f"role:{role_name}"
        if key not in self._imported:
            arn = Token.as_string(self.get_resource(role_name).get_att("Arn"))
            self._imported[key] = iam.Role.from_role_arn(self, f"{role_name}Role", arn)
        role: iam.IRole = self._imported[key]
        return role

    def get_function(self, function_name: str) -> lambda_.IFunction:
        """The function ``function_name`` (e.g. ``APIHandler``) as an ``IFunction``."""
        key = f"function:{function_name}"
        if key not in self._imported:
            arn = Token.as_string(self.get_resource(function_name).get_att("Arn"))
            self._imported[key] = lambda_.Function.from_function_arn(
                self, f"{function_name}Function", arn
            )
        function: lambda_.IFunction = self._imported[key]
        return function

    def add_environment_variable(self, key: str, value: str, function_name: str) -> None:
        """Set environment variable ``key`` to ``value`` (a token is fine) on one function."""
        self.get_resource(function_name).add_property_override(
            f"Environment.Variables.{key}", value
        )
