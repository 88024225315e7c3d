"""Identity tags that an account may refuse, and what a deploy does then.

AWS authorizes tags passed on a create call separately from the create
itself (``iam:TagRole``, ``logs:TagResource``, ``events:TagResource``,
``lambda:TagResource``, API Gateway's ``/tags`` resource). A least-privilege
deploy role or an SCP can allow the create and deny the tags; upstream
Chalice never tags, so such an account works with it. Tags only buy crash
adoption (a resource created just before a kill is found by them), so a
refusal must never fail the deploy: the resource is created untagged,
recorded at once as usual, and the user is told once which permissions turn
adoption back on.

``Tagging`` is shared by every step of one deploy (thread-safe). After the
first refusal from a service, later creates on that service go untagged
without asking again. This module never decides what to create.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import TypeVar

from chalice.aws.errors import AWSError

T = TypeVar("T")

ACCESS_DENIED_CODES = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"}
)
# AWS names the refused action in the message: "... is not authorized to
# perform: iam:TagRole on resource ...", "... logs:TagResource ...", or the
# API Gateway tags path ("apigateway:PUT on resource: arn:...::/tags/...").
_TAG_ACTION = re.compile(r"(:Tag[A-Za-z]*\b|::/tags/|/tags\b)")

# The permission to grant, by service (shown in the notice).
TAG_PERMISSIONS = {
    "iam": "iam:TagRole",
    "logs": "logs:TagResource",
    "events": "events:TagResource",
    "lambda": "lambda:TagResource",
    "apigateway": "apigateway:PUT on arn:aws:apigateway:*::/tags/*",
    "apigatewayv2": "apigateway:POST on arn:aws:apigateway:*::/tags/*",
}


def is_tag_denied(err: AWSError) -> bool:
    """Whether ``err`` is an access denial of the tagging part of a call."""
    return err.code in ACCESS_DENIED_CODES and bool(_TAG_ACTION.search(err.message))


class Tagging:
    """Whether this deploy may tag, per service; says once when it may not."""

    def __init__(self, warn: Callable[[str], None] | None = None) -> None:
        self._warn = warn or (lambda _text: None)
        self._denied: dict[str, str] = {}
        self._lock = threading.Lock()

    @property
    def denied(self) -> dict[str, str]:
        """Services whose tagging was refused, with AWS's message."""
        with self._lock:
            return dict(self._denied)

    def create(
        self, service: str, tags: dict[str, str], create: Callable[[dict[str, str] | None], T]
    ) -> T:
        """``create(tags)``; on a tag refusal, ``create(None)`` (untagged)."""
        if self._is_denied(service):
            return create(None)
        try:
            return create(tags)
        except AWSError as err:
            if not is_tag_denied(err):
                raise
            self._deny(service, err)
            return create(None)

    def tag(self, service: str, apply: Callable[[], None]) -> bool:
        """Run a separate tagging call; a refusal is noted, not raised. True if tagged."""
        if self._is_denied(service):
            return False
        try:
            apply()
            return True
        except AWSError as err:
            if not is_tag_denied(err):
                raise
            self._deny(service, err)
            return False

    def _is_denied(self, service: str) -> bool:
        with self._lock:
            return service in self._denied

    def _deny(self, service: str, err: AWSError) -> None:
        with self._lock:
            if service in self._denied:
                return  # another thread of this deploy said it already
            first = not self._denied
            self._denied[service] = err.message
        permission = TAG_PERMISSIONS.get(service, f"{service} tagging")
        if first:
            self._warn(
                "The AWS credentials in use may create resources but not tag them "
                f"({err.service}.{err.operation}: {err.code}). Resources are created untagged "
                "and recorded as usual, but a resource created just before a crash can no "
                "longer be found by its tags and adopted. To turn adoption on, allow "
                f"{permission} (see 'Deploy permissions' in docs/deploy.rst)."
            )
        else:
            self._warn(f"Tagging is also refused for {service}; allow {permission} to tag.")
