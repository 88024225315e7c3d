"""The ``iam_role`` type: managed IAM roles and their inline policy (policy name = role name).

``PreCreatedIAMRole`` (``manage_iam_role: false``) is the user's role: a
part of its functions' models that is never created nor recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from chalice.concurrency import concurrently
from chalice.deploy.emitters import sam, terraform
from chalice.deploy.plan import Action, Step, StepContext, diff
from chalice.deploy.resources.base import PlanContext
from chalice.deploy.typekit import (
    AutoGenIAMPolicy,
    DeleteTier,
    FileBasedIAMPolicy,
    ResourceDescriptor,
    ResourceType,
    StateRecord,
)

if TYPE_CHECKING:
    from chalice.deploy.models import Resource


@attrs.frozen
class PreCreatedIAMRole:
    """``manage_iam_role: false``: a role the user owns; never created nor recorded."""

    role_arn: str

    def dependencies(self) -> list[Resource]:
        return []


@attrs.frozen
class ManagedIAMRole:
    resource_name: str  # "default-role" or "<fn>_role"
    role_name: str  # "<app>-<stage>" or "<app>-<stage>-<fn>"
    trust_policy: dict[str, Any]
    policy: AutoGenIAMPolicy | FileBasedIAMPolicy
    resource_type: ResourceType = ResourceType.IAM_ROLE

    def dependencies(self) -> list[Resource]:
        return []


Role = ManagedIAMRole | PreCreatedIAMRole


class IAMRoleRecord(StateRecord):
    """``iam_role``: a role chalice created."""

    RESOURCE_TYPE: ClassVar[ResourceType] = ResourceType.IAM_ROLE
    name: str
    role_name: str | None = None
    role_arn: str | None = None


def _document(model: ManagedIAMRole) -> dict[str, Any]:
    doc = model.policy.document
    if doc is None:
        raise RuntimeError(f"policy of role {model.role_name} was not built")
    return doc


class RolePlanner:
    """Create the role (tagged if the account allows) + its policy; update only what differs."""

    def plan(
        self, model: ManagedIAMRole, recorded: dict[str, Any] | None, ctx: PlanContext
    ) -> Step:
        # Here, not at the top: the models (so a cached ``chalice package``)
        # import this module, and the AWS wrappers are for deploys only.
        from chalice.aws.iam import parse_policy

        iam = ctx.clients.iam
        name = model.role_name
        document = _document(model)
        # Both reads go out at once: the policy is read by name, and GetRole
        # answers with the ARN, so neither waits for the other or for the
        # account id (the ARN is only computed for a role still to be made).
        role, current_policy = concurrently(
            lambda: iam.get_role(name), lambda: iam.get_role_policy(name, name)
        )
        rtype = model.resource_type.value
        if role is None:
            expected = {
                "role_name": name,
                "role_arn": ctx.clients.arn("iam", f"role/{name}", region=False),
            }
            tags = ctx.identity_tags(model.resource_name)

            def create(sc: StepContext) -> Mapping[str, Any]:
                sc.say(f"Creating IAM role: {name}")
                arn = ctx.tagging.create(
                    "iam",
                    tags,
                    lambda t: sc.clients.iam.create_role(
                        name, trust_policy=model.trust_policy, tags=t
                    ),
                )
                values = {"role_name": name, "role_arn": arn}
                sc.record(values)
                sc.clients.iam.put_role_policy(name, name, document)
                return values

            return Step(
                model.resource_name,
                rtype,
                Action.CREATE,
                create,
                expected=expected,
                serial_calls=2,  # CreateRole, then PutRolePolicy
            )

        arn = str(role["Arn"])
        values = {"role_name": name, "role_arn": arn}
        current_trust = parse_policy(role.get("AssumeRolePolicyDocument") or "{}")
        changes = diff(
            {
                "trust_policy": (current_trust, model.trust_policy),
                "policy": (current_policy, document),
            }
        )
        if not changes:
            return Step(
                model.resource_name, rtype, Action.UNCHANGED, recorded=values, expected=values
            )
        trust_changed = current_trust != model.trust_policy
        policy_changed = current_policy != document

        def update(sc: StepContext) -> Mapping[str, Any]:
            sc.record(values)
            if trust_changed:
                sc.say(f"Updating trust policy for IAM role: {name}")
                sc.clients.iam.update_trust_policy(name, model.trust_policy)
            if policy_changed:
                sc.say(f"Updating policy for IAM role: {name}")
                sc.clients.iam.put_role_policy(name, name, document)
            return values

        return Step(
            model.resource_name, rtype, Action.UPDATE, update, changes=changes, expected=values
        )

    def plan_delete(self, recorded: dict[str, Any], ctx: PlanContext) -> Step:
        name = str(
            recorded.get("role_name") or str(recorded.get("role_arn", "")).rsplit("/", 1)[-1]
        )

        def delete(sc: StepContext) -> None:
            sc.say(f"Deleting IAM role: {name}")
            # We put one inline policy, named as the role: deleting it without
            # listing first saves a round trip; anything else a user attached
            # is found and removed if IAM refuses the DeleteRole.
            sc.clients.iam.delete_role(name, inline_policies=[name])

        return Step(recorded["name"], recorded["resource_type"], Action.DELETE, delete)


DESCRIPTOR = ResourceDescriptor[ManagedIAMRole, IAMRoleRecord](
    resource_type=ResourceType.IAM_ROLE,
    aws_services=("iam",),
    model_classes=(ManagedIAMRole,),
    record=lambda: IAMRoleRecord,
    delete_tier=DeleteTier.FOUNDATIONS,
    planner=RolePlanner,
    sam=lambda: sam.SAMBuilder.add_role,
    terraform=lambda: terraform.TerraformBuilder.add_role,
    graph=None,  # graph.py: one shared role, or one per function (config)
    role_statement=None,
    decorators=(),
    report=None,
)
