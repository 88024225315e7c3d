"""The ``function_url`` type: Lambda function URLs.

A function URL is the function's URL config (auth type, CORS) plus, for
``AuthType: NONE``, the two resource policy statements that let anyone call
the URL: ``lambda:InvokeFunctionUrl`` with ``FunctionUrlAuthType: NONE``,
and ``lambda:InvokeFunction`` with ``InvokedViaFunctionUrl`` (so the public
can invoke the function through its URL, never directly). AWS answers 403
to a NONE URL created since October 2025 unless both are there (Lambda
developer guide, "Control access to Lambda function URLs"); a URL deployed
by an earlier release has only the first and gets the second on its next
deploy. An ``AWS_IAM`` URL needs no statement; callers need both actions in
their own policy.

A function has at most one URL config, found by the function's name, so a
URL created just before a crash is found (adopted) by the next deploy; URL
configs take no tags (the function carries them).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from chalice.app._frozen import Frozen
from chalice.concurrency import concurrently
from chalice.deploy.emitters import sam_httpapi, terraform_httpapi
from chalice.deploy.plan import KNOWN_AFTER_APPLY, Action, Step, StepContext, diff
from chalice.deploy.resources.base import PlanContext, statement_id
from chalice.deploy.resources.httpapi_models import cors_view
from chalice.deploy.typekit import (
    DeleteTier,
    ResourceDescriptor,
    ResourceType,
    StateRecord,
)

if TYPE_CHECKING:
    from chalice.aws.protocols import FunctionUrlService
    from chalice.deploy.models import Resource
    from chalice.deploy.resources.httpapi_models import CorsSettings
    from chalice.deploy.resources.lambdas import LambdaFunction


@attrs.frozen
class FunctionUrl:
    """A Lambda function URL (``function_url`` in a function's config)."""

    resource_name: str  # "<fn>-function-url"
    auth_type: str  # "NONE" | "AWS_IAM"
    lambda_function: LambdaFunction
    cors: CorsSettings | None = None
    resource_type: ResourceType = ResourceType.FUNCTION_URL

    def dependencies(self) -> list[Resource]:
        return [self.lambda_function]


class FunctionUrlRecord(StateRecord):
    """``function_url``: a Lambda function URL (``function_name`` is what it serves)."""

    RESOURCE_TYPE: ClassVar[ResourceType] = ResourceType.FUNCTION_URL
    name: str
    function_url: str | None = None
    function_name: str | None = None


PUBLIC = "NONE"


def public_statement_id(function_name: str) -> str:
    """The statement id of the public-URL permission of ``function_name``."""
    return statement_id("function-url", function_name)


def public_invoke_statement_id(function_name: str) -> str:
    """The statement id of the public ``lambda:InvokeFunction`` (through the URL only)."""
    return statement_id("function-url-invoke", function_name)


def _condition(stmt: Mapping[str, Any], operator: str, key: str) -> Any:
    return ((stmt.get("Condition") or {}).get(operator) or {}).get(key)


def _to_anyone(stmt: Mapping[str, Any]) -> bool:
    return stmt.get("Principal") in ("*", {"AWS": "*"})


def _grants_url_call(stmt: Mapping[str, Any]) -> bool:
    return (
        _to_anyone(stmt)
        and stmt.get("Action") == "lambda:InvokeFunctionUrl"
        and _condition(stmt, "StringEquals", "lambda:FunctionUrlAuthType") == PUBLIC
    )


def _grants_url_invoke(stmt: Mapping[str, Any]) -> bool:
    # GetPolicy shows the condition's value as the string "true".
    return (
        _to_anyone(stmt)
        and stmt.get("Action") == "lambda:InvokeFunction"
        and _condition(stmt, "Bool", "lambda:InvokedViaFunctionUrl") in ("true", True)
    )


class PublicGrant(Frozen):
    """One of the two statements of a public URL: its diff field, id, shape, and add call."""

    field: str
    sid: Callable[[str], str]
    matches: Callable[[Mapping[str, Any]], bool]
    add: Callable[[FunctionUrlService, str, str], None]


PUBLIC_GRANTS = (
    PublicGrant(
        "public_permission",
        public_statement_id,
        _grants_url_call,
        lambda urls, fn, sid: urls.add_public_permission(fn, statement_id=sid),
    ),
    PublicGrant(
        "public_invoke_permission",
        public_invoke_statement_id,
        _grants_url_invoke,
        lambda urls, fn, sid: urls.add_public_invoke_permission(fn, statement_id=sid),
    ),
)


def _cors(model: FunctionUrl) -> dict[str, Any] | None:
    return model.cors.to_aws() if model.cors else None


class FunctionUrlPlanner:
    """Plans one ``function_url`` (see the module docstring)."""

    def plan(self, model: FunctionUrl, recorded: dict[str, Any] | None, ctx: PlanContext) -> Step:
        fn = model.lambda_function
        rtype = model.resource_type.value
        deps = frozenset({fn.resource_name})
        cors = _cors(model)
        public = model.auth_type == PUBLIC
        # A function created by this plan has no URL and no policy yet (no reads).
        current, statements = concurrently(
            lambda: ctx.when_exists(
                fn.resource_name, lambda: ctx.clients.function_urls.get(fn.function_name)
            ),
            lambda: ctx.policy_statements(fn.resource_name, fn.function_name),
        )

        def grants(sc: StepContext) -> list[Callable[[], object]]:
            """The calls that make the policy what the auth type wants (read while planning)."""
            name = fn.function_name
            if public:
                urls = sc.clients.function_urls
                return [
                    functools.partial(g.add, urls, name, g.sid(name))
                    for g in PUBLIC_GRANTS
                    if not any(g.matches(s) for s in statements)
                ]
            # Not public (any more): every public statement goes, whoever added it.
            return [
                functools.partial(sc.clients.lambda_.remove_permission, name, str(s.get("Sid")))
                for s in statements
                if any(g.matches(s) for g in PUBLIC_GRANTS)
            ]

        if current is None:

            def create(sc: StepContext) -> Mapping[str, Any]:
                sc.say(f"Creating function URL: {fn.function_name}")
                values = {"function_url": KNOWN_AFTER_APPLY, "function_name": fn.function_name}

                def make() -> None:
                    values["function_url"] = sc.clients.function_urls.create(
                        fn.function_name, auth_type=model.auth_type, cors=cors
                    )
                    # Recorded at once (first call: the step's thread), even if a
                    # permission beside it is refused.
                    sc.record(dict(values))

                # AddPermission does not need the URL to exist: all go out together.
                concurrently(make, *grants(sc))
                return values

            return Step(
                model.resource_name,
                rtype,
                Action.CREATE,
                create,
                depends_on=deps,
                expected={"function_url": KNOWN_AFTER_APPLY, "function_name": fn.function_name},
            )

        values = {"function_url": current.get("FunctionUrl"), "function_name": fn.function_name}
        changes = diff(
            {
                "auth_type": (current.get("AuthType"), model.auth_type),
                "cors": (cors_view(current.get("Cors")), cors_view(cors)),
                **{g.field: (any(g.matches(s) for s in statements), public) for g in PUBLIC_GRANTS},
            }
        )
        if not changes:
            return Step(
                model.resource_name,
                rtype,
                Action.UNCHANGED,
                recorded=values,
                expected=values,
                depends_on=deps,
            )
        changed = {c.field for c in changes}

        def update(sc: StepContext) -> Mapping[str, Any]:
            sc.say(f"Updating function URL: {fn.function_name}")
            sc.record(values)
            calls = grants(sc)
            if changed & {"auth_type", "cors"}:
                calls.append(
                    functools.partial(
                        sc.clients.function_urls.update,
                        fn.function_name,
                        auth_type=model.auth_type,
                        cors=cors,
                    )
                )
            if calls:
                concurrently(*calls)
            return values

        return Step(
            model.resource_name,
            rtype,
            Action.UPDATE,
            update,
            changes=changes,
            expected=values,
            depends_on=deps,
        )

    def plan_delete(self, recorded: dict[str, Any], ctx: PlanContext) -> Step:
        function = str(recorded.get("function_name"))

        def delete(sc: StepContext) -> None:
            sc.say(f"Deleting function URL: {function}")
            lam = sc.clients.lambda_

            def revoke() -> None:
                present = {s.get("Sid") for s in lam.get_policy_statements(function)}
                ours = [g.sid(function) for g in PUBLIC_GRANTS if g.sid(function) in present]
                if ours:
                    concurrently(
                        *(functools.partial(lam.remove_permission, function, sid) for sid in ours)
                    )

            concurrently(functools.partial(sc.clients.function_urls.delete, function), revoke)

        return Step(recorded["name"], recorded["resource_type"], Action.DELETE, delete)


def _report(r: FunctionUrlRecord) -> list[str]:
    return [f"  - Function URL ({r.function_name}): {r.function_url}"]


DESCRIPTOR = ResourceDescriptor[FunctionUrl, FunctionUrlRecord](
    resource_type=ResourceType.FUNCTION_URL,
    aws_services=("lambda",),
    model_classes=(FunctionUrl,),
    record=lambda: FunctionUrlRecord,
    delete_tier=DeleteTier.SUBSCRIPTIONS,
    planner=FunctionUrlPlanner,
    sam=lambda: sam_httpapi.emit_function_url,
    terraform=lambda: terraform_httpapi.emit_function_url,
    graph=None,  # graph_http.py: a function's ``function_url`` config
    role_statement=None,
    decorators=(),  # a config key (``function_url``), not a decorator
    report=_report,
)
