"""IAM: roles and their inline policies. Thin wrapper, no decisions."""

from __future__ import annotations

import functools
import json
import urllib.parse
from collections.abc import Callable, Sequence
from typing import Any

from chalice.aws.errors import AWSError
from chalice.aws.session import Service
from chalice.concurrency import concurrently

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

    def delete_role(self, name: str, *, inline_policies: Sequence[str] | None = None) -> bool:
        """Delete the role and what IAM requires gone first. False if it was already gone.

        IAM refuses DeleteRole (``DeleteConflict``) while the role has inline or
        attached managed policies. ``inline_policies`` are the ones we know we
        put: they are deleted without listing first, so the usual delete is
        two calls; if IAM still refuses (someone attached or added a policy),
        whatever is left is listed, removed (concurrently) and the role
        deleted again. Without ``inline_policies`` the role is emptied first.
        """
        if inline_policies is None:
            if not self._empty(name):
                return False
        else:
            for policy in inline_policies:
                self._delete(
                    self.client.delete_role_policy, NOT_FOUND, RoleName=name, PolicyName=policy
                )
        try:
            return self._delete(self.client.delete_role, NOT_FOUND, RoleName=name)
        except AWSError as err:
            if err.code != "DeleteConflict" or inline_policies is None:
                raise
        if not self._empty(name):
            return False
        return self._delete(self.client.delete_role, NOT_FOUND, RoleName=name)

    def _empty(self, name: str) -> bool:
        """Remove every inline and attached policy of role ``name`` (False: no such role).

        The two lists, then the removals, run concurrently: none depends on another.
        """
        listings = concurrently(
            lambda: self._get(self.client.list_role_policies, NOT_FOUND, RoleName=name),
            lambda: self._get(self.client.list_attached_role_policies, NOT_FOUND, RoleName=name),
        )
        inline, attached = listings
        if inline is None or attached is None:
            return False
        removals: list[Callable[[], object]] = [
            functools.partial(
                self._delete, self.client.delete_role_policy, NOT_FOUND, RoleName=name, PolicyName=p
            )
            for p in inline.get("PolicyNames", [])
        ]
        removals += [
            functools.partial(
                self._delete,
                self.client.detach_role_policy,
                NOT_FOUND,
                RoleName=name,
                PolicyArn=str(a["PolicyArn"]),
            )
            for a in attached.get("AttachedPolicies", [])
        ]
        concurrently(*removals)
        return True
