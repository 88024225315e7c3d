"""IAM: roles and their inline policies. Thin wrapper, no decisions."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from chalice.aws.session import Service

NOT_FOUND = ("NoSuchEntity",)


def parse_policy(doc: Any) -> dict[str, Any]:
    """A policy document as IAM returns it (dict, JSON or URL-encoded JSON) as a dict."""
    if isinstance(doc, dict):
        return doc
    text = str(doc)
    if text.startswith("%7B") or text.startswith("%7b"):
        text = urllib.parse.unquote(text)
    parsed: dict[str, Any] = json.loads(text)
    return parsed


class IAM(Service):
    service = "iam"

    def get_role(self, name: str) -> dict[str, Any] | None:
        """The role (``Arn``, ``AssumeRolePolicyDocument``, ``Tags``) or None."""
        resp = self._get(self.client.get_role, NOT_FOUND, RoleName=name)
        return None if resp is None else dict(resp["Role"])

    def create_role(
        self, name: str, *, trust_policy: dict[str, Any], tags: dict[str, str] | None
    ) -> str:
        """Create the role (tagged unless ``tags`` is None or empty); returns its ARN."""
        params: dict[str, Any] = {
            "RoleName": name,
            "AssumeRolePolicyDocument": json.dumps(trust_policy),
        }
        if tags:
            # Tags on CreateRole also need iam:TagRole: sent only when wanted.
            params["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]
        resp = self._call(self.client.create_role, **params)
        return str(resp["Role"]["Arn"])

    def update_trust_policy(self, name: str, trust_policy: dict[str, Any]) -> None:
        self._call(
            self.client.update_assume_role_policy,
            RoleName=name,
            PolicyDocument=json.dumps(trust_policy),
        )

    def get_role_policy(self, role: str, policy_name: str) -> dict[str, Any] | None:
        resp = self._get(
            self.client.get_role_policy, NOT_FOUND, RoleName=role, PolicyName=policy_name
        )
        return None if resp is None else parse_policy(resp["PolicyDocument"])

    def put_role_policy(self, role: str, policy_name: str, document: dict[str, Any]) -> None:
        self._call(
            self.client.put_role_policy,
            RoleName=role,
            PolicyName=policy_name,
            PolicyDocument=json.dumps(document, indent=2),
        )

    def delete_role(self, name: str) -> bool:
        """Delete the role and its inline policies. False if it was already gone."""
        try:
            names = self._call(self.client.list_role_policies, RoleName=name)["PolicyNames"]
        except Exception as err:
            if getattr(err, "code", None) in NOT_FOUND:
                return False
            raise
        for policy in names:
            self._delete(
                self.client.delete_role_policy, NOT_FOUND, RoleName=name, PolicyName=policy
            )
        return self._delete(self.client.delete_role, NOT_FOUND, RoleName=name)
