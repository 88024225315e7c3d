"""Identity tags that an account may refuse, and what a deploy does then.

AWS authorizes tags passed on a create call separately from the create
itself (``iam:TagRole``, ``logs:TagResource``, ``events:TagResource``,
``lambda:TagResource``, API Gateway's ``/tags`` resource). A least-privilege
deploy role or an SCP can allow the create and deny the tags; upstream
Chalice never tags, so such an account works with it. Tags only buy crash
adoption (a resource created just before a kill is found by them), so a
refusal must never fail the deploy: the resource is created untagged,
recorded at once as usual, and the user is told once which permissions turn
adoption back on (docs/permissions.rst lists them).

The same holds for the reads that look a resource up by its tags: when the
account may not read them, there is nothing to adopt, and the deploy goes on.

``Tagging`` is shared by every step of one deploy (thread-safe). After the
first refusal from a service, later creates on that service go untagged
without asking again. This module never decides what to create.
"""

from __future__ import annotations

import enum
import re
import threading
from collections.abc import Callable
from typing import TypeVar

import attrs

from chalice.aws.errors import AWSError, is_access_denied

T = TypeVar("T")

DOCS_PAGE = "docs/permissions.rst"

# AWS names the refused action and resource: "... is not authorized to
# perform: iam:TagRole on resource: arn:aws:iam::123456789012:role/app-dev
# because no identity-based policy allows the iam:TagRole action".
_REFUSAL = re.compile(r"perform: (?P<action>[\w-]+:[\w*-]+) on resource: (?P<resource>\S+)")
# Without that shape, a tagging action named anywhere. The service prefix is
# spelled out so an ARN such as "function:TagApp-dev" is not taken for one.
_TAG_ACTION_ANYWHERE = re.compile(r"(?<![\w-])(?:iam|logs|events|lambda):Tag\w*")


class Refusal(enum.Enum):
    """What the account refused: tagging a resource, or reading tags to adopt one."""

    TAG = "tag"
    READ = "read"


# The permission that turns tagging back on, by service (shown in the notice).
TAG_PERMISSIONS = {
    "iam": "iam:TagRole",
    "logs": "logs:TagResource",
    "events": "events:TagResource",
    "lambda": "lambda:TagResource",
    "apigateway": "apigateway:PUT on arn:aws:apigateway:*::/tags/*",
    "apigatewayv2": "apigateway:POST on arn:aws:apigateway:*::/tags/*",
}
# The permission that lets the adoption lookup read tags, by service.
READ_PERMISSIONS = {
    "iam": "iam:GetRole",
    "logs": "logs:ListTagsForResource",
    "events": "events:ListTagsForResource",
    "lambda": "lambda:ListTags",
    "apigateway": "apigateway:GET on arn:aws:apigateway:*::/restapis",
    "apigatewayv2": "apigateway:GET on arn:aws:apigateway:*::/apis",
}


def refused_action(err: AWSError) -> tuple[str, str] | None:
    """``(action, resource)`` named by an access denial's message, if it names one."""
    match = _REFUSAL.search(err.message)
    if match is None:
        return None
    return match.group("action"), match.group("resource").rstrip(".,")


def is_tag_denied(err: AWSError) -> bool:
    """Whether ``err`` refuses the tagging part of a call (not the call itself).

    API Gateway has no tagging action of its own: tags are authorized as a
    request on the ``/tags/<resource arn>`` resource, so the resource says it.
    """
    if not is_access_denied(err):
        return False
    named = refused_action(err)
    if named is None:
        return _TAG_ACTION_ANYWHERE.search(err.message) is not None or "::/tags/" in err.message
    action, resource = named
    service, _, verb = action.partition(":")
    if service == "apigateway":
        return "::/tags/" in resource or "::/v2/tags/" in resource
    return verb.startswith("Tag")


@attrs.frozen
class Denial:
    """One refusal noted during a deploy: which service, what kind, AWS's words."""

    service: str
    kind: Refusal
    code: str
    message: str

    @property
    def permission(self) -> str:
        table = TAG_PERMISSIONS if self.kind is Refusal.TAG else READ_PERMISSIONS
        return table.get(self.service, f"{self.service} tagging")


class Tagging:
    """Whether this deploy may tag, per service; says once when it may not."""

    def __init__(self, warn: Callable[[str], None] | None = None) -> None:
        self._warn = warn or (lambda _text: None)
        self._denied: dict[tuple[str, Refusal], Denial] = {}
        self._lock = threading.Lock()

    @property
    def denied(self) -> dict[str, str]:
        """Services whose tagging was refused, with AWS's message."""
        with self._lock:
            return {d.service: d.message for d in self._denied.values() if d.kind is Refusal.TAG}

    @property
    def denials(self) -> tuple[Denial, ...]:
        """Every refusal noted so far, in the order they happened."""
        with self._lock:
            return tuple(self._denied.values())

    def create(
        self, service: str, tags: dict[str, str], create: Callable[[dict[str, str] | None], T]
    ) -> T:
        """``create(tags)``; on a tag refusal, ``create(None)`` (untagged).

        AWS authorizes a whole request before acting on it, so a refused
        tagged create made nothing and the untagged retry cannot duplicate.
        """
        if self._is_denied(service, Refusal.TAG):
            return create(None)
        try:
            return create(tags)
        except AWSError as err:
            if not is_tag_denied(err):
                raise
            self._note(service, Refusal.TAG, err)
            return create(None)

    def tag(self, service: str, apply: Callable[[], None]) -> bool:
        """Run a separate tagging call; a refusal is noted, not raised. True if tagged."""
        if self._is_denied(service, Refusal.TAG):
            return False
        try:
            apply()
            return True
        except AWSError as err:
            if not is_tag_denied(err):
                raise
            self._note(service, Refusal.TAG, err)
            return False

    def lookup(self, service: str, find: Callable[[], T | None]) -> T | None:
        """Run an adoption lookup by tags; a refused read means nothing to adopt.

        Only access denials are absorbed: any other error still fails the
        plan, because "could not look" must not silently become "not there"
        for reasons the user can fix.
        """
        if self._is_denied(service, Refusal.READ):
            return None
        try:
            return find()
        except AWSError as err:
            if not is_access_denied(err):
                raise
            self._note(service, Refusal.READ, err)
            return None

    def _is_denied(self, service: str, kind: Refusal) -> bool:
        with self._lock:
            return (service, kind) in self._denied

    def _note(self, service: str, kind: Refusal, err: AWSError) -> None:
        denial = Denial(service=service, kind=kind, code=err.code, message=err.message)
        with self._lock:
            if (service, kind) in self._denied:
                return  # another thread of this deploy said it already
            first = not self._denied
            self._denied[(service, kind)] = denial
        self._warn(notice(denial, err, first=first))


def notice(denial: Denial, err: AWSError, *, first: bool) -> str:
    """What the user reads: the full notice the first time, one line after."""
    if not first:
        what = "tagging" if denial.kind is Refusal.TAG else "reading tags"
        return (
            f"{what.capitalize()} is also refused for {denial.service} "
            f"({err.operation}: {err.code}); allow {denial.permission} to turn it on."
        )
    if denial.kind is Refusal.TAG:
        what = (
            "may create resources but not tag them "
            f"({err.service}.{err.operation}: {err.code}), so they are created untagged "
            "and recorded as usual"
        )
    else:
        what = (
            "may not read the tags that find a resource created just before an interrupted "
            f"deploy ({err.service}.{err.operation}: {err.code}), so the deploy goes on as "
            "if there were none"
        )
    return (
        f"The AWS credentials in use {what}. Everything works except crash adoption by "
        "tag, which is off for this account: a resource created just before a crash will "
        "not be found by its tags on the next deploy. To turn it on, allow "
        f"{denial.permission} and the other tag permissions listed under 'Deploy "
        f"permissions' in {DOCS_PAGE}."
    )
