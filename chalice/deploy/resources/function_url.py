"""The ``function_url`` type: Lambda function URLs.

A function URL is the function's URL config (auth type, CORS) plus, for
``AuthType: NONE``, the resource policy statement that lets anyone call the
URL (``lambda:InvokeFunctionUrl`` with ``FunctionUrlAuthType: NONE``): AWS
refuses every call to a NONE URL without it. An ``AWS_IAM`` URL needs no
statement; callers need ``lambda:InvokeFunctionUrl`` in their own policy.

A function has at most one URL config, found by the function's name, so a
URL created just before a crash is found (adopted) by the next deploy; URL
configs take no tags (the function carries them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

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


def has_public_permission(statements: list[dict[str, Any]]) -> bool:
    """Whether the policy lets anyone invoke the function's NONE-auth URL."""
    for stmt in statements:
        action = stmt.get("Action")
        cond = (stmt.get("Condition") or {}).get("StringEquals") or {}
        if (
            action == "lambda:InvokeFunctionUrl"
            and cond.get("lambda:FunctionUrlAuthType") == PUBLIC
        ):
            return True
    return False


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
        current = (
            ctx.clients.function_urls.get(fn.function_name)
            if ctx.exists_now(fn.resource_name)
            else None
        )

        def permission(sc: StepContext, name: str) -> None:
            lam = sc.clients.lambda_
            sid = public_statement_id(fn.function_name)
            if public:
                if not has_public_permission(lam.get_policy_statements(name)):
                    sc.clients.function_urls.add_public_permission(name, statement_id=sid)
            elif any(s.get("Sid") == sid for s in lam.get_policy_statements(name)):
                # Back to AWS_IAM: the URL must stop being public.
                lam.remove_permission(name, sid)

        if current is None:

            def create(sc: StepContext) -> Mapping[str, Any]:
                sc.say(f"Creating function URL: {fn.function_name}")
                url = sc.clients.function_urls.create(
                    fn.function_name, auth_type=model.auth_type, cors=cors
                )
                values = {"function_url": url, "function_name": fn.function_name}
                sc.record(values)
                permission(sc, fn.function_name)
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
        statements = ctx.clients.lambda_.get_policy_statements(fn.function_name)
        changes = diff(
            {
                "auth_type": (current.get("AuthType"), model.auth_type),
                "cors": (cors_view(current.get("Cors")), cors_view(cors)),
                "public_permission": (has_public_permission(statements), public),
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
            if changed & {"auth_type", "cors"}:
                sc.clients.function_urls.update(
                    fn.function_name, auth_type=model.auth_type, cors=cors
                )
            permission(sc, fn.function_name)
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
            sc.clients.function_urls.delete(function)
            sid = public_statement_id(function)
            if any(s.get("Sid") == sid for s in sc.clients.lambda_.get_policy_statements(function)):
                sc.clients.lambda_.remove_permission(function, sid)

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
