"""Lambda: functions, permissions, layers and event source mappings.

Thin wrapper. Transient failures (a role not yet assumable, an update in
progress, a mapping in use, throttling) are retried by the table in
``retry.py``; this module adds the waits Lambda needs: a function must leave
``Pending``/``InProgress`` before the next change. A function that ends in
``State: Failed`` or ``LastUpdateStatus: Failed`` is not ready: the wait
stops with ``FunctionFailedError`` carrying AWS's reason. No decisions about
what to change.
"""

from __future__ import annotations

import json
from typing import Any

from chalice.aws.errors import AWSError, translate
from chalice.aws.session import Service
from chalice.errors import DeployError

NOT_FOUND = ("ResourceNotFoundException",)

# What to do about a Failed function, by AWS's StateReasonCode /
# LastUpdateStatusReasonCode (the rest get the generic advice).
FAILED_FIXES = {
    "SubnetOutOfIPAddresses": "free IP addresses in the function's subnets or add subnets "
    "(subnet_ids in .chalice/config.json)",
    "InvalidSubnet": "check subnet_ids in .chalice/config.json (they must exist in this "
    "Region and in the security groups' VPC)",
    "InvalidSecurityGroup": "check security_group_ids in .chalice/config.json",
    "EniLimitExceeded": "delete unused network interfaces or ask AWS for a higher ENI quota",
    "InsufficientRolePermissions": "give the function's role the permissions AWS names "
    "(for a VPC function: ec2:CreateNetworkInterface, ec2:DescribeNetworkInterfaces, "
    "ec2:DeleteNetworkInterface)",
    "KMSKeyAccessDenied": "let the function's role use the KMS key of its environment "
    "variables (kms:Decrypt), or remove the key",
    "KMSKeyNotFound": "the KMS key of the environment variables is gone; choose another",
    "DisabledKMSKey": "enable the KMS key of the environment variables",
    "InvalidStateKMSKey": "the KMS key of the environment variables cannot be used; "
    "choose another",
    "InvalidRuntime": "choose a runtime Lambda supports",
    "InvalidZipFileException": "the deployment package is not a valid zip; run "
    "'chalice package' to check it",
}
GENERIC_FIX = (
    "fix the cause AWS gives above (the function's page in the Lambda console shows it "
    "too) and run 'chalice deploy' again; the function is recorded and will be updated"
)


class FunctionFailedError(DeployError):
    """A Lambda function ended in ``State: Failed`` or ``LastUpdateStatus: Failed``."""

    def __init__(self, name: str, *, field: str, reason: str, code: str) -> None:
        self.function_name = name
        self.reason = reason
        self.reason_code = code
        super().__init__(
            f"ERROR - Lambda function {name} is not usable: {field} is Failed "
            f"({code or 'no reason code'}): {reason or 'AWS gave no reason'}",
            where=f"Lambda function '{name}'",
            fix=FAILED_FIXES.get(code, GENERIC_FIX),
        )


def failure(config: dict[str, Any]) -> FunctionFailedError | None:
    """The error a function configuration in a Failed state stands for, if any."""
    name = str(config.get("FunctionName", "?"))
    if config.get("State") == "Failed":
        return FunctionFailedError(
            name,
            field="State",
            reason=str(config.get("StateReason") or ""),
            code=str(config.get("StateReasonCode") or ""),
        )
    if config.get("LastUpdateStatus") == "Failed":
        return FunctionFailedError(
            name,
            field="LastUpdateStatus",
            reason=str(config.get("LastUpdateStatusReason") or ""),
            code=str(config.get("LastUpdateStatusReasonCode") or ""),
        )
    return None


def settled(config: dict[str, Any]) -> bool:
    """Neither ``Pending`` nor ``InProgress`` (ready for more); raises if Failed."""
    failed = failure(config)
    if failed is not None:
        raise failed
    return bool(config.get("State", "Active") != "Pending") and (
        config.get("LastUpdateStatus", "Successful") != "InProgress"
    )


class Lambda(Service):
    service = "lambda"

    # -- functions ---------------------------------------------------------
    def get_function(self, name: str) -> dict[str, Any] | None:
        """``GetFunction``: ``Configuration``, ``Tags``, ``Concurrency`` or None."""
        return self._get(self.client.get_function, NOT_FOUND, FunctionName=name)

    def create_function(self, params: dict[str, Any], zip_bytes: bytes) -> dict[str, Any]:
        """``CreateFunction`` with CreateFunction's ``params``; does NOT wait.

        The caller records the function, then calls ``wait_ready(name, resp)``
        (the function exists even if it never becomes Active).
        """
        return self._call(self.client.create_function, Code={"ZipFile": zip_bytes}, **params)

    def update_code(self, name: str, zip_bytes: bytes, *, architecture: str) -> None:
        """``UpdateFunctionCode``, then wait until the update is applied."""
        resp = self._call(
            self.client.update_function_code,
            FunctionName=name,
            ZipFile=zip_bytes,
            Architectures=[architecture],
        )
        self.wait_ready(name, resp)

    def update_configuration(self, name: str, params: dict[str, Any]) -> None:
        """``UpdateFunctionConfiguration``, then wait until it is applied."""
        resp = self._call(
            self.client.update_function_configuration, FunctionName=name, **params
        )
        self.wait_ready(name, resp)

    def wait_ready(self, name: str, current: dict[str, Any] | None = None) -> None:
        """Wait while the function is ``Pending`` or an update is ``InProgress``.

        ``current`` is a configuration just returned by AWS (no call if it is
        already settled). Raises ``FunctionFailedError`` on a Failed state.
        """
        if current is not None and settled(current):
            return

        def ready() -> bool:
            return settled(self._call(self.client.get_function_configuration, FunctionName=name))

        self.retrier.wait_until(ready, what=f"Lambda function {name} to be ready")

    def tag(self, arn: str, tags: dict[str, str]) -> None:
        self._call(self.client.tag_resource, Resource=arn, Tags=tags)

    def untag(self, arn: str, keys: list[str]) -> None:
        self._call(self.client.untag_resource, Resource=arn, TagKeys=keys)

    def put_concurrency(self, name: str, value: int) -> None:
        self._call(
            self.client.put_function_concurrency,
            FunctionName=name,
            ReservedConcurrentExecutions=value,
        )

    def delete_concurrency(self, name: str) -> None:
        self._delete(self.client.delete_function_concurrency, NOT_FOUND, FunctionName=name)

    def delete_function(self, name: str) -> bool:
        return self._delete(self.client.delete_function, NOT_FOUND, FunctionName=name)

    # -- permissions (resource policy) -------------------------------------
    def get_policy(self, name: str) -> tuple[str, list[dict[str, Any]]] | None:
        """``GetPolicy``: the ``RevisionId`` it was read at ("" if AWS gave none) and
        the statements; None without a policy (or a function)."""
        resp = self._get(self.client.get_policy, NOT_FOUND, FunctionName=name)
        if resp is None:
            return None
        policy = json.loads(resp["Policy"])
        return str(resp.get("RevisionId") or ""), list(policy.get("Statement", []))

    def get_policy_statements(self, name: str) -> list[dict[str, Any]]:
        found = self.get_policy(name)
        return found[1] if found is not None else []

    def add_permission(
        self,
        name: str,
        *,
        statement_id: str,
        principal: str,
        source_arn: str,
        source_account: str | None = None,
    ) -> None:
        params: dict[str, Any] = {
            "FunctionName": name,
            "StatementId": statement_id,
            "Action": "lambda:InvokeFunction",
            "Principal": principal,
            "SourceArn": source_arn,
        }
        if source_account:
            params["SourceAccount"] = source_account
        try:
            self._call(self.client.add_permission, **params)
        except AWSError as err:
            # Same statement id already there (a retried deploy): that is the goal.
            if err.code != "ResourceConflictException" or "already exists" not in err.message:
                raise

    def remove_permission(self, name: str, statement_id: str) -> bool:
        return self._delete(
            self.client.remove_permission, NOT_FOUND, FunctionName=name, StatementId=statement_id
        )

    # -- layers -------------------------------------------------------------
    def list_layer_versions(self, layer_name: str) -> list[dict[str, Any]]:
        resp = self._get(self.client.list_layer_versions, NOT_FOUND, LayerName=layer_name)
        return [] if resp is None else list(resp.get("LayerVersions", []))

    def get_layer_version(self, arn: str) -> dict[str, Any] | None:
        """The layer version ``arn`` (``...:layer:<name>:<version>``) or None."""
        name, _, number = arn.rpartition(":")
        if not number.isdigit():
            return None
        return self._get(
            self.client.get_layer_version, NOT_FOUND, LayerName=name, VersionNumber=int(number)
        )

    def publish_layer(
        self, layer_name: str, zip_bytes: bytes, *, runtime: str, architecture: str, description: str
    ) -> str:
        resp = self._call(
            self.client.publish_layer_version,
            LayerName=layer_name,
            Content={"ZipFile": zip_bytes},
            CompatibleRuntimes=[runtime],
            CompatibleArchitectures=[architecture],
            Description=description,
        )
        return str(resp["LayerVersionArn"])

    def delete_layer_version(self, version_arn: str) -> bool:
        name, _, number = version_arn.rpartition(":")
        return self._delete(
            self.client.delete_layer_version,
            NOT_FOUND,
            LayerName=name,
            VersionNumber=int(number),
        )

    # -- event source mappings ----------------------------------------------
    def get_mapping(self, uuid: str) -> dict[str, Any] | None:
        return self._get(self.client.get_event_source_mapping, NOT_FOUND, UUID=uuid)

    def list_mappings(self, function_name: str, source_arn: str) -> list[dict[str, Any]]:
        resp = self._call(
            self.client.list_event_source_mappings,
            FunctionName=function_name,
            EventSourceArn=source_arn,
        )
        return list(resp.get("EventSourceMappings", []))

    def create_mapping(self, params: dict[str, Any]) -> str:
        return str(self._call(self.client.create_event_source_mapping, **params)["UUID"])

    def update_mapping(self, uuid: str, params: dict[str, Any]) -> None:
        self._call(self.client.update_event_source_mapping, UUID=uuid, **params)

    def delete_mapping(self, uuid: str) -> bool:
        return self._delete(self.client.delete_event_source_mapping, NOT_FOUND, UUID=uuid)

    # -- invoke (chalice invoke) --------------------------------------------
    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        """``Invoke`` with botocore's parameters, exactly once.

        Never retried, whatever the table in ``retry.py`` says: a retry after
        a timeout or a 5xx could run the function twice. A read timeout is an
        ``AWSError`` coded ``ReadTimeoutError`` rather than the "could not reach
        AWS" setup error: the function may well be running still.
        """
        from botocore.exceptions import ReadTimeoutError

        def once() -> dict[str, Any]:
            try:
                answer: dict[str, Any] = self.client.invoke(**kwargs)
            except ReadTimeoutError as err:
                raise AWSError(
                    service=self.service,
                    operation="Invoke",
                    code="ReadTimeoutError",
                    message=str(err),
                ) from err
            return answer

        return translate(self.service, "Invoke", once)
