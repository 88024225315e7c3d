"""Running a route's authorizer locally, the way API Gateway would.

Built-in ``@app.authorizer`` functions are really executed: the token comes
from the authorizer's configured header (upstream always read
``Authorization``; we honour the custom header), the returned IAM policy is
evaluated against the method ARN, and the policy's context and principal
end up in ``requestContext.authorizer``. Cognito tokens are decoded without
verifying their signature, so tests can use made-up JWTs; a missing or
non-JWT token only logs a warning (as upstream, no 401). IAM and custom
(external Lambda) authorizers cannot be evaluated locally: a warning is
logged and the request is let through.

For a stage served as an HTTP API (``authorize_http_api``) the same
authorizers run with payload format 2.0: built-in ones get a 2.0 REQUEST
event and answer with a simple response (``simple_responses=True``) or a
policy (otherwise; the other format is the HTTP API's 500); Cognito claims
land under ``jwt``.

This module never verifies signatures or calls AWS; it is an emulation for
development, not a security boundary.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

from chalice.local import responses
from chalice.local.responses import GatewayResponse

LOG = logging.getLogger("chalice.local")

# The fake API id and account used in method ARNs, as upstream local mode does.
REGION = "mars-west-1"
ACCOUNT_ID = "123456789012"
API_ID = "ymy8tbxw7b"

# Builds the context for an authorizer invocation, given its function name.
ContextFactory = Callable[[str], Any]


class AuthorizationFailed(Exception):
    """The gateway answers the request itself; ``response`` is its answer."""

    def __init__(self, response: GatewayResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


def method_arn(method: str, path: str, *, stage: str) -> str:
    """The ``methodArn`` API Gateway passes to a token authorizer.

    >>> method_arn("GET", "/users/42", stage="api")
    'arn:aws:execute-api:mars-west-1:123456789012:ymy8tbxw7b/api/GET/users/42'
    """
    return f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{API_ID}/{stage}/{method}/{path.lstrip('/')}"


@functools.lru_cache(maxsize=1024)
def _glob(pattern: str) -> re.Pattern[str]:
    # IAM resource globs: '*' is any run of characters, '?' exactly one.
    parts = []
    for char in pattern:
        if char == "*":
            parts.append(".*?")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL)


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


def policy_allows(policy: Mapping[str, Any], arn: str) -> bool:
    """Whether an IAM policy document allows ``execute-api:Invoke`` on ``arn``.

    An explicit Deny wins over any Allow, as in IAM.
    """
    statements = policy.get("Statement", [])
    if isinstance(statements, Mapping):
        statements = [statements]
    allowed = False
    for statement in statements:
        if not isinstance(statement, Mapping):
            continue
        actions = _as_list(statement.get("Action"))
        if not any(_glob(a).fullmatch("execute-api:Invoke") for a in actions):
            continue
        if not any(_glob(r).fullmatch(arn) for r in _as_list(statement.get("Resource"))):
            continue
        effect = statement.get("Effect")
        if effect == "Deny":
            return False
        if effect == "Allow":
            allowed = True
    return allowed


def _header(headers: Mapping[str, str], name: str) -> str | None:
    # ``headers`` has lower-cased keys (the event's header map).
    return headers.get(name.lower())


class LocalAuthorizers:
    """Runs the authorizer attached to a route for one request.

    ``handlers`` is the app's ``handler_map`` (built-in authorizers are
    invoked through their Lambda entry point, like in AWS); ``make_context``
    builds a Lambda context for a function name.
    """

    def __init__(
        self,
        handlers: Mapping[str, Callable[..., Any]],
        *,
        stage: str,
        make_context: ContextFactory,
    ) -> None:
        self._handlers = handlers
        self._stage = stage
        self._make_context = make_context
        self._warned: set[str] = set()

    def authorize(self, authorizer: Any, event: dict[str, Any]) -> dict[str, Any] | None:
        """The ``requestContext.authorizer`` value for an allowed request.

        Returns None when nothing is to be added; raises
        ``AuthorizationFailed`` with the gateway's answer otherwise.
        """
        from chalice.app import CognitoUserPoolAuthorizer, CustomAuthorizer, IAMAuthorizer

        if isinstance(authorizer, CognitoUserPoolAuthorizer):
            return self._cognito(authorizer, event)
        if isinstance(authorizer, IAMAuthorizer | CustomAuthorizer):
            self._warn_once(
                authorizer,
                f"{type(authorizer).__name__} {getattr(authorizer, 'name', '')!r} is not "
                "supported in local mode; the request is allowed without checking it.",
            )
            return None
        if getattr(authorizer, "config", None) is not None:
            return self._builtin(authorizer, event)
        self._warn_once(
            authorizer,
            f"Unknown authorizer {authorizer!r}; the request is allowed without checking it.",
        )
        return None

    def authorize_http_api(self, authorizer: Any, event: dict[str, Any]) -> dict[str, Any] | None:
        """The ``requestContext.authorizer`` value of a 2.0 event an HTTP API lets through.

        Built-in authorizers get the 2.0 REQUEST event and must answer in the
        format they are deployed with: a simple response (``isAuthorized``)
        with ``simple_responses=True``, else an IAM policy; their context
        lands under ``lambda``. Cognito tokens are decoded, not verified,
        into ``jwt`` claims (as for REST). Returns None when nothing is to be
        added; raises ``AuthorizationFailed`` with the HTTP API's answer.
        """
        from chalice.app import CognitoUserPoolAuthorizer, CustomAuthorizer, IAMAuthorizer

        if isinstance(authorizer, CognitoUserPoolAuthorizer):
            granted = self._cognito(authorizer, event)
            if granted is None:
                return None
            claims = granted["claims"]
            scope = claims.get("scope")
            scopes = scope.split() if isinstance(scope, str) else None
            return {"jwt": {"claims": claims, "scopes": scopes}}
        if isinstance(authorizer, IAMAuthorizer | CustomAuthorizer):
            return self.authorize(authorizer, event)
        if getattr(authorizer, "config", None) is None:
            return self.authorize(authorizer, event)
        return self._builtin_http_api(authorizer, event)

    def _builtin_http_api(self, authorizer: Any, event: dict[str, Any]) -> dict[str, Any]:
        from chalice.local import httpapi

        config = authorizer.config
        header = getattr(config, "header", None) or "Authorization"
        token = _header(event.get("headers") or {}, header)
        if token is None:
            raise AuthorizationFailed(httpapi.unauthorized())
        http = event["requestContext"]["http"]
        stage = str(event["requestContext"].get("stage") or self._stage)
        arn = httpapi.route_arn(http["method"], http["path"], stage=stage)
        auth_event = httpapi.authorizer_event(event, identity=[token], arn=arn)
        name = getattr(config, "name", None) or authorizer.name
        handler = self._handlers.get(name)
        if handler is None:
            handler = authorizer
        result = handler(auth_event, self._make_context(name))
        # API Gateway reads the answer in the one format the authorizer is
        # deployed with (EnableSimpleResponses); the other one is its 500.
        simple = bool(getattr(config, "simple_responses", False))
        expected = (
            httpapi.AuthorizerFormat.SIMPLE if simple else httpapi.AuthorizerFormat.IAM_POLICY
        )
        problem = httpapi.authorizer_format_problem(result, expected)
        if problem is not None:
            LOG.warning(
                "Authorizer %r %s; an HTTP API answers 500. %s",
                name,
                problem,
                'Return {"isAuthorized": <bool>, "context": {...}} (or a bool).'
                if simple
                else "Return an AuthResponse, or register it with "
                "@app.authorizer(simple_responses=True).",
            )
            raise AuthorizationFailed(httpapi.authorizer_error())
        context = result.get("context")
        granted: dict[str, Any] = {"lambda": dict(context) if isinstance(context, Mapping) else {}}
        if simple:
            if result["isAuthorized"] is not True:
                raise AuthorizationFailed(httpapi.forbidden())
            return granted
        policy = result["policyDocument"]
        if not policy_allows(policy, arn):
            raise AuthorizationFailed(httpapi.forbidden())
        granted["principalId"] = result.get("principalId")
        return granted

    def _warn_once(self, authorizer: Any, message: str, *, reason: str = "") -> None:
        key = f"{type(authorizer).__name__}:{getattr(authorizer, 'name', id(authorizer))}:{reason}"
        if key not in self._warned:
            self._warned.add(key)
            LOG.warning(message)

    def _builtin(self, authorizer: Any, event: dict[str, Any]) -> dict[str, Any]:
        config = authorizer.config
        header = getattr(config, "header", None) or "Authorization"
        token = _header(event.get("headers") or {}, header)
        if token is None:
            raise AuthorizationFailed(responses.unauthorized())
        context = event["requestContext"]
        arn = method_arn(context["httpMethod"], event["path"], stage=self._stage)
        auth_event = dict(event)
        auth_event.update(type="TOKEN", authorizationToken=token, methodArn=arn)
        name = getattr(config, "name", None) or authorizer.name
        handler = self._handlers.get(name)
        if handler is None:
            handler = authorizer
        result = handler(auth_event, self._make_context(name))
        if not isinstance(result, Mapping) or not isinstance(result.get("policyDocument"), Mapping):
            raise AuthorizationFailed(responses.authorizer_configuration_error())
        if not policy_allows(result["policyDocument"], arn):
            raise AuthorizationFailed(responses.access_denied())
        granted = dict(result.get("context") or {})
        granted["principalId"] = result.get("principalId")
        return granted

    def _cognito(self, authorizer: Any, event: dict[str, Any]) -> dict[str, Any] | None:
        # Never a 401: tokens cannot be verified locally anyway, and upstream
        # lets every request through, so a missing or unreadable token only
        # warns. A readable JWT still fills in the claims, as in AWS.
        header = getattr(authorizer, "header", None) or getattr(
            authorizer, "_header", "Authorization"
        )
        token = _header(event.get("headers") or {}, str(header))
        name = getattr(authorizer, "name", "")
        if token is None:
            self._warn_once(
                authorizer,
                f"CognitoUserPoolAuthorizer {name!r}: no {header} header; the request is "
                "allowed locally (API Gateway would answer 401).",
                reason="missing",
            )
            return None
        claims = decode_jwt_claims(token)
        if claims is None:
            self._warn_once(
                authorizer,
                f"CognitoUserPoolAuthorizer {name!r}: the {header} header is not a JWT; the "
                "request is allowed locally without claims (API Gateway would answer 401).",
                reason="unreadable",
            )
            return None
        username = claims.get("cognito:username")
        if username is None:
            # Machine-to-machine (client credentials) tokens have no user.
            LOG.warning(
                "The Cognito token has no 'cognito:username' claim (a machine-to-machine "
                "token?); allowing the request without a principalId."
            )
            return {"claims": claims}
        return {"claims": claims, "principalId": username}


def decode_jwt_claims(token: str) -> dict[str, Any] | None:
    """The payload of a JWT, decoded WITHOUT verifying it; None if unreadable.

    >>> decode_jwt_claims("e30.eyJzdWIiOiAiMSJ9.sig")
    {'sub': '1'}
    """
    if token[:7].lower() == "bearer ":
        token = token[7:]
    parts = token.strip().split(".")
    if len(parts) < 2:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return claims if isinstance(claims, dict) else None
