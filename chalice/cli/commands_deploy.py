"""Commands that build and ship the app: ``deploy``, ``delete``, ``plan``,
``package``, and the ``dev`` group (``dev plan``, ``dev appgraph``).

Thin: turn options into the deploy engine's parameters, hand it a console
reporter, print its result. Heavy modules are imported inside the functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from chalice.cli import context

_STAGE = click.option("--stage", default="dev", show_default=True, help="The chalice stage.")
_PROFILE = click.option("--profile", default=None, help="The AWS credentials profile to use.")
_AUTOGEN = click.option(
    "--autogen-policy/--no-autogen-policy",
    default=None,
    help="Generate the IAM policy from the code (default: the config's autogen_policy).",
)
_API_STAGE = click.option(
    "--api-gateway-stage", default=None, help="Override the API Gateway stage name."
)
_MAX_PARALLEL = click.option(
    "--max-parallel",
    type=click.IntRange(min=1),
    default=32,
    show_default=True,
    help="How many independent AWS steps may run at once (calls are also paced to "
    "AWS's request quotas).",
)
_FORCE_UNLOCK = click.option(
    "--force-unlock",
    is_flag=True,
    default=False,
    help="Break the stage's lock left by a deploy that crashed or was killed.",
)


def _user_params(
    *, profile: str | None, autogen_policy: bool | None, api_gateway_stage: str | None
) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if profile is not None:
        params["profile"] = profile
    if autogen_policy is not None:
        params["autogen_policy"] = autogen_policy
    if api_gateway_stage is not None:
        params["api_gateway_stage"] = api_gateway_stage
    return params


def _option_decorators(*options: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def apply(func: Any) -> Any:
        for option in reversed(options):
            func = option(func)
        return func

    return apply


_PLAN_OPTIONS = _option_decorators(_AUTOGEN, _PROFILE, _API_STAGE, _STAGE)


@click.command("deploy")
@_PLAN_OPTIONS
@click.option(
    "--connection-timeout",
    type=click.IntRange(min=1),
    default=None,
    help="Seconds to wait for AWS connections.",
)
@_MAX_PARALLEL
@click.option(
    "--plan",
    "plan_only",
    is_flag=True,
    default=False,
    help="Show what would change, change nothing.",
)
@_FORCE_UNLOCK
def deploy(
    autogen_policy: bool | None,
    profile: str | None,
    api_gateway_stage: str | None,
    stage: str,
    connection_timeout: int | None,
    max_parallel: int,
    plan_only: bool,
    force_unlock: bool,
) -> None:
    """Deploy the app to AWS (only what changed since the last deploy)."""
    from chalice.cli import deploying

    deploying.run_deploy(
        context.current().project_dir,
        stage=stage,
        user_params=_user_params(
            profile=profile, autogen_policy=autogen_policy, api_gateway_stage=api_gateway_stage
        ),
        max_parallel=max_parallel,
        plan_only=plan_only,
        force_unlock=force_unlock,
        connection_timeout=connection_timeout,
        clients_ready=context.current().clients_ready,
    )


@click.command("plan")
@_PLAN_OPTIONS
def plan(
    autogen_policy: bool | None, profile: str | None, api_gateway_stage: str | None, stage: str
) -> None:
    """Show what 'chalice deploy' would create, update or delete (read-only)."""
    _show_plan(
        stage, profile=profile, autogen_policy=autogen_policy, api_gateway_stage=api_gateway_stage
    )


def _show_plan(
    stage: str, *, profile: str | None, autogen_policy: bool | None, api_gateway_stage: str | None
) -> None:
    from chalice.cli import deploying

    deploying.run_deploy(
        context.current().project_dir,
        stage=stage,
        user_params=_user_params(
            profile=profile, autogen_policy=autogen_policy, api_gateway_stage=api_gateway_stage
        ),
        plan_only=True,
        clients_ready=context.current().clients_ready,
    )


@click.command("delete")
@_PROFILE
@_STAGE
@_MAX_PARALLEL
@_FORCE_UNLOCK
def delete(profile: str | None, stage: str, max_parallel: int, force_unlock: bool) -> None:
    """Delete every resource deployed for a stage."""
    from chalice.cli import deploying

    deploying.run_delete(
        context.current().project_dir,
        stage=stage,
        profile=profile,
        max_parallel=max_parallel,
        force_unlock=force_unlock,
        clients_ready=context.current().clients_ready,
    )


@click.command("package")
@click.option(
    "--pkg-format",
    type=click.Choice(["cloudformation", "terraform"]),
    default="cloudformation",
    show_default=True,
    help="The kind of template to write.",
)
@_STAGE
@click.option(
    "--single-file",
    is_flag=True,
    default=False,
    help="Write a single zip file (OUT) holding the template and the packages.",
)
@click.option(
    "--merge-template",
    default=None,
    help="A JSON/YAML template to merge into the generated SAM template.",
)
@click.option(
    "--template-format",
    type=click.Choice(["json", "yaml"], case_sensitive=False),
    default="json",
    show_default=True,
    help="The SAM template's format.",
)
@click.option(
    "--terraform-layout",
    type=click.Choice(["current", "upstream"]),
    default=None,
    help="Terraform only. current (default): AWS provider >= 5, with an "
    "aws_api_gateway_stage. upstream: upstream Chalice's layout and provider pin "
    "(< 5), so its Terraform state plans with no change. See docs/packaging.rst.",
)
@_PROFILE
@click.argument("out")
def package(
    pkg_format: str,
    stage: str,
    single_file: bool,
    merge_template: str | None,
    template_format: str,
    terraform_layout: str | None,
    profile: str | None,
    out: str,
) -> None:
    """Write deployment templates and packages to OUT, for CloudFormation or Terraform."""
    from chalice.cli import deploying

    if pkg_format == "terraform" and (
        merge_template or single_file or template_format.lower() != "json"
    ):
        click.echo(
            "Terraform format does not support --merge-template, --single-file, or --template-format",
            err=True,
        )
        raise click.exceptions.Abort()
    deploying.run_package(
        context.current().project_dir,
        out=out,
        stage=stage,
        pkg_format=pkg_format,
        template_format=template_format.lower(),
        merge_template=merge_template,
        single_file=single_file,
        profile=profile,
        terraform_layout=terraform_layout,
    )


@click.group("dev")
def dev() -> None:
    """Development and debugging commands."""


@dev.command("plan")
@_PLAN_OPTIONS
def dev_plan(
    autogen_policy: bool | None, profile: str | None, api_gateway_stage: str | None, stage: str
) -> None:
    """Show the deploy plan (read-only), as 'chalice plan'."""
    _show_plan(
        stage, profile=profile, autogen_policy=autogen_policy, api_gateway_stage=api_gateway_stage
    )


@dev.command("appgraph")
@_PLAN_OPTIONS
def dev_appgraph(
    autogen_policy: bool | None, profile: str | None, api_gateway_stage: str | None, stage: str
) -> None:
    """Print the tree of resources the app defines (no AWS calls)."""
    from chalice.cli import deploying

    deploying.print_appgraph(
        context.current().project_dir,
        stage=stage,
        user_params=_user_params(
            profile=profile, autogen_policy=autogen_policy, api_gateway_stage=api_gateway_stage
        ),
    )


COMMANDS = [deploy, plan, delete, package, dev]
