"""Lambda: functions, permissions, layers and event source mappings.

Thin wrapper with the waits Lambda needs: a just-created role may not be
assumable yet (retried), and a function must leave ``Pending``/``InProgress``
before the next change (waited for). No decisions about what to change.
"""

from __future__ import annotations

import json
from typing import Any

from chalice.aws import retry
from chalice.aws.errors import AWSError
from chalice.aws.session import Service

NOT_FOUND = ("ResourceNotFoundException",)


def _create_retry(err: AWSError) -> bool:
    return retry.is_role_propagation(err) or retry.transient(err)


def _settled(config: dict[str, Any]) -> bool:
    """A function configuration neither ``Pending`` nor ``InProgress`` (ready for more)."""
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
        """Create and wait until Active. ``params`` are CreateFunction's fields."""
        resp = self._call(
            self.client.create_function,
            retry_on=_create_retry,
            policy=retry.IAM_PROPAGATION,
            Code={"ZipFile": zip_bytes},
            **params,
        )
        if not _settled(resp):
            self.wait_ready(str(resp["FunctionName"]))
        return resp

    def update_code(self, name: str, zip_bytes: bytes, *, architecture: str) -> None:
        # A change still in progress answers ResourceConflictException: retried.
        resp = self._call(
            self.client.update_function_code,
            FunctionName=name,
            ZipFile=zip_bytes,
            Architectures=[architecture],
        )
        if not _settled(resp):
            self.wait_ready(name)

    def update_configuration(self, name: str, params: dict[str, Any]) -> None:
        resp = self._call(
            self.client.update_function_configuration,
            retry_on=_create_retry,
            policy=retry.IAM_PROPAGATION,
            FunctionName=name,
            **params,
        )
        if not _settled(resp):
            self.wait_ready(name)

    def wait_ready(self, name: str) -> None:
        """Wait while the function is ``Pending`` or an update is ``InProgress``."""

        def ready() -> bool:
            return _settled(
                self._call(self.client.get_function_configuration, FunctionName=name)
            )

        retry.wait_until(ready, what=f"Lambda function {name} to be ready", sleep=self.sleep)

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
    def get_policy_statements(self, name: str) -> list[dict[str, Any]]:
        resp = self._get(self.client.get_policy, NOT_FOUND, FunctionName=name)
        if resp is None:
            return []
        policy = json.loads(resp["Policy"])
        return list(policy.get("Statement", []))

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
        self._call(
            self.client.update_event_source_mapping,
            retry_on=lambda e: retry.transient(e) or retry.is_in_use(e),
            UUID=uuid,
            **params,
        )

    def delete_mapping(self, uuid: str) -> bool:
        try:
            self._call(
                self.client.delete_event_source_mapping,
                retry_on=lambda e: retry.transient(e) or retry.is_in_use(e),
                UUID=uuid,
            )
            return True
        except AWSError as err:
            if err.code in NOT_FOUND:
                return False
            raise
