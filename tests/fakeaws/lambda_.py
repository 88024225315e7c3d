"""A fake Lambda: functions, resource policies, layers, event source mappings."""

from __future__ import annotations

import base64
import copy
import hashlib
import itertools
import uuid
from collections.abc import Mapping
from typing import Any

from tests.fakeaws.core import FakeService

# What Lambda fills in when CreateFunction leaves a field out.
DEFAULTS: dict[str, Any] = {
    "Timeout": 3,
    "MemorySize": 128,
    "TracingConfig": {"Mode": "PassThrough"},
    "Architectures": ["x86_64"],
}
# Settings of a new mapping that Lambda defaults by source (SQS: 10, streams: 100).
SQS_BATCH, STREAM_BATCH = 10, 100


def code_sha256(zip_bytes: bytes) -> str:
    """Base64 SHA-256, as Lambda reports ``CodeSha256``."""
    return base64.b64encode(hashlib.sha256(zip_bytes).digest()).decode("ascii")


def function_name(ref: str) -> str:
    """A function name from a name or an ARN (``...:function:<name>[:qualifier]``)."""
    parts = ref.split(":")
    return parts[6] if ref.startswith("arn:") and len(parts) >= 7 else ref


def _config_updates(params: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("Runtime", "Handler", "Role", "Timeout", "MemorySize", "TracingConfig"):
        if key in params:
            out[key] = copy.deepcopy(params[key])
    if "Environment" in params:
        out["Environment"] = {"Variables": dict(params["Environment"].get("Variables") or {})}
    if "VpcConfig" in params:
        vpc = params["VpcConfig"]
        out["VpcConfig"] = {
            "SubnetIds": list(vpc.get("SubnetIds") or []),
            "SecurityGroupIds": list(vpc.get("SecurityGroupIds") or []),
        }
    if "Layers" in params:
        out["Layers"] = [{"Arn": arn, "CodeSize": 1} for arn in params["Layers"]]
    return out


class FakeLambda(FakeService):
    """Lambda in memory: every function is Active at once (no waits needed)."""

    service = "lambda"

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.functions: dict[str, dict[str, Any]] = {}
        self.tags: dict[str, dict[str, str]] = {}
        self.concurrency: dict[str, int] = {}
        self.policies: dict[str, list[dict[str, Any]]] = {}
        self.layers: dict[str, dict[int, dict[str, Any]]] = {}
        self.mappings: dict[str, dict[str, Any]] = {}
        # Function URL configs by function name (tests/fakeaws/function_urls.py).
        self.urls: dict[str, dict[str, Any]] = {}
        self.invocations: list[Mapping[str, Any]] = []
        self._revisions = itertools.count(1)

    # -- functions ------------------------------------------------------------
    def _revise(self, cfg: dict[str, Any]) -> None:
        """A new ``RevisionId``: Lambda gives the function one whenever its code,
        configuration or resource policy changes, and GetPolicy answers the
        function's (https://docs.aws.amazon.com/lambda/latest/api/API_GetPolicy.html)."""
        cfg["RevisionId"] = f"rev-{next(self._revisions)}"

    def _fn(self, operation: str, ref: str) -> dict[str, Any]:
        name = function_name(ref)
        if name not in self.functions:
            raise self.missing(operation, f"Function {name}")
        return self.functions[name]

    def get_function(self, name: str) -> dict[str, Any] | None:
        self._log("GetFunction", FunctionName=name)
        with self.lock:
            fn = function_name(name)
            if fn not in self.functions:
                return None
            out: dict[str, Any] = {"Configuration": copy.deepcopy(self.functions[fn])}
            if self.tags.get(fn):
                out["Tags"] = dict(self.tags[fn])
            if fn in self.concurrency:
                out["Concurrency"] = {"ReservedConcurrentExecutions": self.concurrency[fn]}
            return out

    def create_function(self, params: dict[str, Any], zip_bytes: bytes) -> dict[str, Any]:
        self._log("CreateFunction", **params, Code={"ZipFile": code_sha256(zip_bytes)})
        with self.lock:
            name = str(params["FunctionName"])
            if name in self.functions:
                raise self.error(
                    "CreateFunction", "ResourceConflictException", f"Function already exist: {name}"
                )
            cfg: dict[str, Any] = {
                "FunctionName": name,
                "FunctionArn": self.arn(f"function:{name}"),
                **copy.deepcopy(DEFAULTS),
                **_config_updates(params),
                "CodeSha256": code_sha256(zip_bytes),
                "State": "Active",
                "LastUpdateStatus": "Successful",
            }
            cfg["Architectures"] = list(params.get("Architectures") or DEFAULTS["Architectures"])
            self._revise(cfg)
            self.functions[name] = cfg
            self.tags[name] = dict(params.get("Tags") or {})
            return copy.deepcopy(cfg)

    def update_code(self, name: str, zip_bytes: bytes, *, architecture: str) -> None:
        self._log(
            "UpdateFunctionCode",
            FunctionName=name,
            ZipFile=code_sha256(zip_bytes),
            Architectures=[architecture],
        )
        with self.lock:
            fn = self._fn("UpdateFunctionCode", name)
            fn["CodeSha256"] = code_sha256(zip_bytes)
            fn["Architectures"] = [architecture]
            self._revise(fn)

    def update_configuration(self, name: str, params: dict[str, Any]) -> None:
        self._log("UpdateFunctionConfiguration", FunctionName=name, **params)
        with self.lock:
            fn = self._fn("UpdateFunctionConfiguration", name)
            fn.update(_config_updates(params))
            self._revise(fn)

    def wait_ready(self, name: str, current: dict[str, Any] | None = None) -> None:
        # Every fake function is Active and Successful: like the wrapper given a
        # settled configuration, no call is made.
        return None

    def tag(self, arn: str, tags: dict[str, str]) -> None:
        self._log("TagResource", Resource=arn, Tags=tags)
        with self.lock:
            self._fn("TagResource", arn)
            self.tags.setdefault(function_name(arn), {}).update(tags)

    def untag(self, arn: str, keys: list[str]) -> None:
        self._log("UntagResource", Resource=arn, TagKeys=keys)
        with self.lock:
            self._fn("UntagResource", arn)
            for key in keys:
                self.tags.get(function_name(arn), {}).pop(key, None)

    def put_concurrency(self, name: str, value: int) -> None:
        self._log("PutFunctionConcurrency", FunctionName=name, ReservedConcurrentExecutions=value)
        with self.lock:
            self._fn("PutFunctionConcurrency", name)
            self.concurrency[function_name(name)] = value

    def delete_concurrency(self, name: str) -> None:
        self._log("DeleteFunctionConcurrency", FunctionName=name)
        with self.lock:
            self.concurrency.pop(function_name(name), None)

    def delete_function(self, name: str) -> bool:
        self._log("DeleteFunction", FunctionName=name)
        with self.lock:
            fn = function_name(name)
            self.tags.pop(fn, None)
            self.concurrency.pop(fn, None)
            self.policies.pop(fn, None)
            self.urls.pop(fn, None)  # a function's URL goes with it
            return self.functions.pop(fn, None) is not None

    def invoke(self, **kwargs: Any) -> Mapping[str, Any]:
        self._log("Invoke", **kwargs)
        with self.lock:
            self._fn("Invoke", str(kwargs["FunctionName"]))
            self.invocations.append(dict(kwargs))
        return {"StatusCode": 200, "Payload": b"null"}

    # -- permissions --------------------------------------------------------------
    def get_policy(self, name: str) -> tuple[str, list[dict[str, Any]]] | None:
        self._log("GetPolicy", FunctionName=name)
        with self.lock:
            fn = function_name(name)
            statements = self.policies.get(fn)
            if fn not in self.functions or not statements:
                return None
            return str(self.functions[fn].get("RevisionId", "")), copy.deepcopy(statements)

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
        self._log("AddPermission", **params)
        with self.lock:
            fn = self._fn("AddPermission", name)
            statements = self.policies.setdefault(function_name(name), [])
            if any(s["Sid"] == statement_id for s in statements):
                return  # the wrapper takes "already exists" as done
            # The shape GetPolicy answers (a service principal, an ArnLike condition).
            condition: dict[str, Any] = {"ArnLike": {"AWS:SourceArn": source_arn}}
            if source_account:
                condition["StringEquals"] = {"AWS:SourceAccount": source_account}
            statements.append(
                {
                    "Sid": statement_id,
                    "Effect": "Allow",
                    "Principal": {"Service": principal},
                    "Action": "lambda:InvokeFunction",
                    "Resource": fn["FunctionArn"],
                    "Condition": condition,
                }
            )
            self._revise(fn)

    def remove_permission(self, name: str, statement_id: str) -> bool:
        self._log("RemovePermission", FunctionName=name, StatementId=statement_id)
        with self.lock:
            statements = self.policies.get(function_name(name), [])
            kept = [s for s in statements if s["Sid"] != statement_id]
            self.policies[function_name(name)] = kept
            if len(kept) != len(statements) and function_name(name) in self.functions:
                self._revise(self.functions[function_name(name)])
            return len(kept) != len(statements)

    # -- layers ---------------------------------------------------------------------
    def list_layer_versions(self, layer_name: str) -> list[dict[str, Any]]:
        self._log("ListLayerVersions", LayerName=layer_name)
        with self.lock:
            versions = self.layers.get(layer_name, {})
            return [copy.deepcopy(versions[v]) for v in sorted(versions, reverse=True)]

    def get_layer_version(self, arn: str) -> dict[str, Any] | None:
        name, _, number = arn.rpartition(":")
        if not number.isdigit():
            return None
        self._log("GetLayerVersion", LayerName=name, VersionNumber=int(number))
        with self.lock:
            found = self.layers.get(name.rsplit(":", 1)[-1], {}).get(int(number))
            return copy.deepcopy(found) if found is not None else None

    def publish_layer(
        self,
        layer_name: str,
        zip_bytes: bytes,
        *,
        runtime: str,
        architecture: str,
        description: str,
    ) -> str:
        self._log(
            "PublishLayerVersion",
            LayerName=layer_name,
            Content={"ZipFile": code_sha256(zip_bytes)},
            CompatibleRuntimes=[runtime],
            CompatibleArchitectures=[architecture],
            Description=description,
        )
        with self.lock:
            versions = self.layers.setdefault(layer_name, {})
            # Version numbers are never reused, even after a delete.
            number = max(versions, default=0) + 1
            arn = self.arn(f"layer:{layer_name}:{number}")
            versions[number] = {
                "LayerVersionArn": arn,
                "Version": number,
                "Description": description,
                "Content": {"CodeSha256": code_sha256(zip_bytes)},
                "CompatibleRuntimes": [runtime],
                "CompatibleArchitectures": [architecture],
            }
            return arn

    def delete_layer_version(self, version_arn: str) -> bool:
        name, _, number = version_arn.rpartition(":")
        self._log("DeleteLayerVersion", LayerName=name, VersionNumber=int(number))
        with self.lock:
            versions = self.layers.get(name.rsplit(":", 1)[-1], {})
            versions.pop(int(number), None)
            # DeleteLayerVersion answers success whether or not the version existed.
            return True

    # -- event source mappings ----------------------------------------------------
    def get_mapping(self, uuid: str) -> dict[str, Any] | None:
        self._log("GetEventSourceMapping", UUID=uuid)
        with self.lock:
            found = self.mappings.get(uuid)
            return copy.deepcopy(found) if found is not None else None

    def list_mappings(self, function_name_or_arn: str, source_arn: str) -> list[dict[str, Any]]:
        self._log(
            "ListEventSourceMappings", FunctionName=function_name_or_arn, EventSourceArn=source_arn
        )
        name = function_name(function_name_or_arn)
        with self.lock:
            return [
                copy.deepcopy(m)
                for m in self.mappings.values()
                if m["EventSourceArn"] == source_arn and function_name(m["FunctionArn"]) == name
            ]

    def create_mapping(self, params: dict[str, Any]) -> str:
        self._log("CreateEventSourceMapping", **params)
        with self.lock:
            fn = self._fn("CreateEventSourceMapping", str(params["FunctionName"]))
            src = str(params["EventSourceArn"])
            mapping_id = str(uuid.UUID(int=next(self._ids)))
            mapping: dict[str, Any] = {
                "UUID": mapping_id,
                "EventSourceArn": src,
                "FunctionArn": fn["FunctionArn"],
                "BatchSize": params.get("BatchSize")
                or (SQS_BATCH if ":sqs:" in src else STREAM_BATCH),
                "MaximumBatchingWindowInSeconds": params.get("MaximumBatchingWindowInSeconds", 0),
                "State": "Enabled",
            }
            if params.get("ScalingConfig"):
                mapping["ScalingConfig"] = dict(params["ScalingConfig"])
            if "StartingPosition" in params:
                mapping["StartingPosition"] = params["StartingPosition"]
            self.mappings[mapping_id] = mapping
            return mapping_id

    def update_mapping(self, uuid: str, params: dict[str, Any]) -> None:
        self._log("UpdateEventSourceMapping", UUID=uuid, **params)
        with self.lock:
            if uuid not in self.mappings:
                raise self.missing("UpdateEventSourceMapping", f"Mapping {uuid}")
            mapping = self.mappings[uuid]
            for key, value in params.items():
                if key == "ScalingConfig" and not value:
                    mapping.pop("ScalingConfig", None)
                else:
                    mapping[key] = copy.deepcopy(value)

    def delete_mapping(self, uuid: str) -> bool:
        self._log("DeleteEventSourceMapping", UUID=uuid)
        with self.lock:
            return self.mappings.pop(uuid, None) is not None
