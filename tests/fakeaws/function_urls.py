"""Fake Lambda function URLs: URL configs and the public-URL permission.

A URL config belongs to its function, so ``FakeFunctionUrls`` keeps the
configs in the ``FakeLambda`` it is given (``urls``, dropped with the
function) and adds its permission to that function's resource policy, which
``FakeLambda.get_policy_statements`` reads.

What Lambda does and the fake reproduces (Lambda API reference,
https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunctionUrlConfig.html
and the ``UpdateFunctionUrlConfig``, ``GetFunctionUrlConfig``,
``DeleteFunctionUrlConfig`` and ``AddPermission`` pages next to it):

* one URL config per function: a second ``CreateFunctionUrlConfig`` is a
  ``ResourceConflictException``; every operation on a missing function or
  config is a ``ResourceNotFoundException`` (the wrapper reads it as None or
  False);
* ``AuthType`` is ``NONE`` or ``AWS_IAM``;
* ``UpdateFunctionUrlConfig`` changes what it is given; a ``Cors`` object
  replaces the old one, and an empty one clears it;
* the URL is ``https://<32 lower-case letters and digits>.lambda-url.<region>.on.aws/``;
* ``AddPermission`` with ``FunctionUrlAuthType`` adds the first statement
  the Lambda developer guide shows for a public URL
  (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html): principal
  ``*``, action ``lambda:InvokeFunctionUrl``, condition
  ``StringEquals lambda:FunctionUrlAuthType``; with ``InvokedViaFunctionUrl``
  the second one, required since October 2025: principal ``*``, action
  ``lambda:InvokeFunction``, condition ``Bool lambda:InvokedViaFunctionUrl``
  (GetPolicy shows the value as the string ``"true"``). A second add of a
  statement id is a conflict the wrapper takes as done.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any

from tests.fakeaws.core import REGION, CallLog, FakeService
from tests.fakeaws.lambda_ import FakeLambda, function_name

AUTH_TYPES = ("NONE", "AWS_IAM")


class FakeFunctionUrls(FakeService):
    """The function URL operations of ``lambda`` (``protocols.FunctionUrlService``)."""

    service = "lambda"

    def __init__(self, log: CallLog, ids: itertools.count[int], lam: FakeLambda) -> None:
        super().__init__(log, ids)
        self.lam = lam
        self.lock = lam.lock  # the configs live in the Lambda fake

    def _check_auth(self, operation: str, auth_type: str) -> None:
        if auth_type not in AUTH_TYPES:
            raise self.error(
                operation,
                "ValidationException",
                f"Value '{auth_type}' at 'authType' failed to satisfy constraint: "
                f"Member must satisfy enum value set: {list(AUTH_TYPES)}",
            )

    def get(self, function: str) -> dict[str, Any] | None:
        self._log("GetFunctionUrlConfig", FunctionName=function)
        with self.lock:
            found = self.lam.urls.get(function_name(function))
            return copy.deepcopy(found) if found is not None else None

    def create(self, function: str, *, auth_type: str, cors: dict[str, Any] | None) -> str:
        params: dict[str, Any] = {"FunctionName": function, "AuthType": auth_type}
        if cors:
            params["Cors"] = cors
        self._log("CreateFunctionUrlConfig", **params)
        with self.lock:
            self._check_auth("CreateFunctionUrlConfig", auth_type)
            fn = self.lam._fn("CreateFunctionUrlConfig", function)
            name = function_name(function)
            if name in self.lam.urls:
                raise self.error(
                    "CreateFunctionUrlConfig",
                    "ResourceConflictException",
                    f"Failed to create function url config for [functionArn = "
                    f"{fn['FunctionArn']}]. Error message:  FunctionUrlConfig exists for this "
                    "Lambda function",
                )
            url_id = f"{self.new_id(16)}{self.new_id(16)}"
            self.lam.urls[name] = {
                "FunctionUrl": f"https://{url_id}.lambda-url.{REGION}.on.aws/",
                "FunctionArn": fn["FunctionArn"],
                "AuthType": auth_type,
                "InvokeMode": "BUFFERED",
                **({"Cors": copy.deepcopy(cors)} if cors else {}),
            }
            return str(self.lam.urls[name]["FunctionUrl"])

    def update(self, function: str, *, auth_type: str, cors: dict[str, Any] | None) -> str:
        self._log(
            "UpdateFunctionUrlConfig", FunctionName=function, AuthType=auth_type, Cors=cors or {}
        )
        with self.lock:
            self._check_auth("UpdateFunctionUrlConfig", auth_type)
            config = self.lam.urls.get(function_name(function))
            if config is None:
                raise self.missing("UpdateFunctionUrlConfig", f"Function URL of {function}")
            config["AuthType"] = auth_type
            config.pop("Cors", None)
            if cors:
                config["Cors"] = copy.deepcopy(cors)
            return str(config["FunctionUrl"])

    def delete(self, function: str) -> bool:
        self._log("DeleteFunctionUrlConfig", FunctionName=function)
        with self.lock:
            return self.lam.urls.pop(function_name(function), None) is not None

    def add_public_permission(self, function: str, *, statement_id: str) -> None:
        self._add_public(
            function,
            statement_id,
            {"Action": "lambda:InvokeFunctionUrl", "FunctionUrlAuthType": "NONE"},
            {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}},
        )

    def add_public_invoke_permission(self, function: str, *, statement_id: str) -> None:
        self._add_public(
            function,
            statement_id,
            {"Action": "lambda:InvokeFunction", "InvokedViaFunctionUrl": True},
            {"Bool": {"lambda:InvokedViaFunctionUrl": "true"}},
        )

    def _add_public(
        self,
        function: str,
        statement_id: str,
        params: dict[str, Any],
        condition: dict[str, Any],
    ) -> None:
        self._log(
            "AddPermission",
            FunctionName=function,
            StatementId=statement_id,
            Principal="*",
            **params,
        )
        with self.lock:
            fn = self.lam._fn("AddPermission", function)
            statements = self.lam.policies.setdefault(function_name(function), [])
            if any(s["Sid"] == statement_id for s in statements):
                return  # the wrapper takes "already exists" as done
            statements.append(
                {
                    "Sid": statement_id,
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": params["Action"],
                    "Resource": fn["FunctionArn"],
                    "Condition": condition,
                }
            )
            self.lam._revise(fn)
