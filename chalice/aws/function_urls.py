"""Lambda function URLs: the URL config of a function and its public permission.

Thin wrapper, no decisions (``chalice/deploy/resources/function_url.py``
decides). Since October 2025 an ``AuthType: NONE`` URL answers only if the
function's resource policy grants the public two statements (Lambda
developer guide, "Control access to Lambda function URLs"):
``lambda:InvokeFunctionUrl`` with the ``lambda:FunctionUrlAuthType``
condition (``AddPermission``'s ``FunctionUrlAuthType`` parameter) and
``lambda:InvokeFunction`` with the ``lambda:InvokedViaFunctionUrl``
condition (its ``InvokedViaFunctionUrl`` parameter), which limits the second
to calls made through the URL.
"""

from __future__ import annotations

from typing import Any

from chalice.aws.errors import AWSError
from chalice.aws.session import Service

NOT_FOUND = ("ResourceNotFoundException",)


class FunctionUrls(Service):
    """The function URL operations of ``lambda``."""

    service = "lambda"

    def get(self, function: str) -> dict[str, Any] | None:
        return self._get(self.client.get_function_url_config, NOT_FOUND, FunctionName=function)

    def create(self, function: str, *, auth_type: str, cors: dict[str, Any] | None) -> str:
        """Create the URL config; returns the URL."""
        params: dict[str, Any] = {"FunctionName": function, "AuthType": auth_type}
        if cors:
            params["Cors"] = cors
        return str(self._call(self.client.create_function_url_config, **params)["FunctionUrl"])

    def update(self, function: str, *, auth_type: str, cors: dict[str, Any] | None) -> str:
        # An empty Cors object clears a previous configuration.
        resp = self._call(
            self.client.update_function_url_config,
            FunctionName=function,
            AuthType=auth_type,
            Cors=cors or {},
        )
        return str(resp["FunctionUrl"])

    def delete(self, function: str) -> bool:
        return self._delete(
            self.client.delete_function_url_config, NOT_FOUND, FunctionName=function
        )

    def add_public_permission(self, function: str, *, statement_id: str) -> None:
        """Let anyone call the ``AuthType: NONE`` URL (and only the URL) of ``function``."""
        self._add_public(
            function,
            statement_id,
            Action="lambda:InvokeFunctionUrl",
            FunctionUrlAuthType="NONE",
        )

    def add_public_invoke_permission(self, function: str, *, statement_id: str) -> None:
        """Let anyone invoke ``function`` through its URL (never directly)."""
        self._add_public(
            function,
            statement_id,
            Action="lambda:InvokeFunction",
            InvokedViaFunctionUrl=True,
        )

    def _add_public(self, function: str, statement_id: str, **grant: Any) -> None:
        try:
            self._call(
                self.client.add_permission,
                FunctionName=function,
                StatementId=statement_id,
                Principal="*",
                **grant,
            )
        except AWSError as err:
            # Same statement id already there (a retried deploy): that is the goal.
            if err.code != "ResourceConflictException" or "already exists" not in err.message:
                raise
