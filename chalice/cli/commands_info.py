"""Commands that read a project or its deployment: ``url``, ``logs``, ``invoke``,
``gen-policy``, ``generate-models``, ``generate-sdk`` and ``generate-pipeline``.

Thin: parse options, call ``chalice.logs``/``invoke``/``sdk``/``pipeline`` or the
swagger/policy generators, print. Nothing here mutates AWS. Heavy modules are
imported inside the command functions.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from chalice.cli import context

_STAGE = click.option("--stage", default="dev", show_default=True, help="The chalice stage.")
_PROFILE = click.option("--profile", default=None, help="The AWS credentials profile to use.")


def _abort(message: str, code: int = 1) -> None:
    click.echo(message, err=True)
    click.get_current_context().exit(code)


@click.command("url")
@_STAGE
def url(stage: str) -> None:
    """Print the URL of the deployed REST API (or HTTP API, or API handler function URL)."""
    from chalice.cli import services

    values: dict[str, Any] | None = None
    # (resource, key) in the order looked for; the last two: docs/http-apis.rst.
    for name, key in (
        ("rest_api", "rest_api_url"),
        ("http_api", "http_api_url"),
        ("api_handler-function-url", "function_url"),
    ):
        found = services.deployed_values(context.current().project_dir, stage=stage, name=name)
        if found and found.get(key):
            values = {"rest_api_url": found[key]}
            break
    if not values or not values.get("rest_api_url"):
        _abort(
            f"Could not find a record of a Rest API in chalice stage: '{stage}'\n"
            f"  where: .chalice/deployed/{stage}.json\n"
            f"  how to fix: deploy the app first ('chalice deploy --stage {stage}'), or pass "
            "the --stage you deployed",
            2,
        )
        return
    click.echo(values["rest_api_url"])


@click.command("logs")
@click.option(
    "--num-entries",
    type=click.IntRange(min=1),
    default=None,
    help="Show at most this many entries.",
)
@click.option(
    "--include-lambda-messages/--no-include-lambda-messages",
    default=False,
    help="Include Lambda's own START/END/REPORT lines.",
)
@_STAGE
@click.option("-n", "--name", default="api_handler", show_default=True, help="The function name.")
@click.option(
    "-s", "--since", default=None, help="Start time: ISO 8601, or relative like 5m, 2h, 1d."
)
@click.option("-f", "--follow/--no-follow", default=False, help="Keep polling for new entries.")
@_PROFILE
def logs(
    num_entries: int | None,
    include_lambda_messages: bool,
    stage: str,
    name: str,
    since: str | None,
    follow: bool,
    profile: str | None,
) -> None:
    """Show the CloudWatch logs of a deployed Lambda function."""
    import datetime as dt

    from chalice import invoke as chalice_invoke
    from chalice import logs as chalice_logs
    from chalice.cli import services

    obj = context.current()
    values = services.deployed_values(obj.project_dir, stage=stage, name=name)
    if not values or "lambda_arn" not in values:
        # Upstream printed nothing and exited 0, which reads as "no logs yet"
        # when the name or stage is wrong: say so, as ``invoke`` does.
        raise chalice_invoke.unknown_function(
            name,
            stage=stage,
            deployed=services.deployed_function_names(obj.project_dir, stage=stage),
        )
    start = None
    if since is not None:
        start = chalice_logs.parse_since(since, now=dt.datetime.now(dt.timezone.utc))
    query = chalice_logs.LogQuery(
        log_group=chalice_logs.log_group_for(
            chalice_logs.function_name_from_arn(values["lambda_arn"])
        ),
        start_time=start,
        include_lambda_messages=include_lambda_messages,
        max_entries=num_entries,
        follow=follow,
    )
    retriever = chalice_logs.LogRetriever(obj.clients("logs", profile=profile))
    try:
        for event in retriever.events(query):
            click.echo(chalice_logs.format_event(event))
    except KeyboardInterrupt:  # Ctrl-C ends --follow; not an error
        pass


@click.command("invoke")
@click.option("-n", "--name", required=True, help="The deployed function to invoke.")
@_PROFILE
@_STAGE
def invoke(name: str, profile: str | None, stage: str) -> None:
    """Invoke a deployed Lambda function with a payload read from stdin."""
    from chalice import invoke as chalice_invoke
    from chalice.cli import services

    obj = context.current()
    values = services.deployed_values(obj.project_dir, stage=stage, name=name)
    if not values or "lambda_arn" not in values:
        raise chalice_invoke.unknown_function(
            name,
            stage=stage,
            deployed=services.deployed_function_names(obj.project_dir, stage=stage),
        )
    config = services.load_config(
        obj.project_dir, stage=stage, user_params={"profile": profile} if profile else None
    )
    timeout = config.scope(name).lambda_timeout
    payload = None if sys.stdin.isatty() else _read_stdin_bytes()
    if payload is not None and payload.strip():
        _check_json_payload(payload)
    # Wait as long as the function may run, and never retry: a retry would run it twice.
    client = obj.clients("lambda", profile=config.profile, read_timeout=timeout + 5, max_attempts=0)
    result = chalice_invoke.invoke_function(client, values["lambda_arn"], payload)
    if result.function_error:
        click.echo(chalice_invoke.format_function_error(result.payload), err=True)
        raise chalice_invoke.unhandled_error()
    click.echo(result.payload)


def _check_json_payload(payload: bytes) -> None:
    # Lambda only takes JSON; say so before the call (and before the function
    # could run) rather than relaying InvalidRequestContentException.
    import json

    from chalice.errors import UserError

    try:
        json.loads(payload)
    except ValueError as err:
        raise UserError(
            f"The payload read from stdin is not valid JSON: {err}.",
            where="stdin of chalice invoke",
            fix='pipe a JSON document, e.g. echo \'{"key": "value"}\' | chalice invoke -n NAME',
        ) from None


def _read_stdin_bytes() -> bytes:
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is not None:
        return bytes(buffer.read())
    return sys.stdin.read().encode("utf-8")


@click.command("gen-policy")
@click.option(
    "--filename", default=None, help="The app file to analyze (default: <project>/app.py)."
)
def gen_policy(filename: str | None) -> None:
    """Print the IAM policy the app's AWS calls need."""
    import os

    from chalice.build.policy import gen_policy_text

    path = filename or os.path.join(str(context.current().project_dir), "app.py")
    if not os.path.isfile(path):
        _abort(
            f"App file does not exist: {path}\n"
            "  how to fix: run the command from your project's directory (or pass "
            "--project-dir), or name the file to analyze with --filename"
        )
        return
    click.echo(gen_policy_text(path, warn=lambda message: click.echo(message, err=True)))


@click.command("generate-models")
@_STAGE
def generate_models(stage: str) -> None:
    """Print the Swagger 2.0 model of the app's REST API."""
    from chalice.app import snapshot
    from chalice.build.swagger import generate_models_text
    from chalice.deploy.validate import validate_routes
    from chalice.project import load_project

    _config, app = load_project(context.current().project_dir, stage=stage, user_params={})
    described = snapshot(app)
    if not described.has_routes:
        _abort("No REST API found to generate model from.")
        return
    # A model of routes API Gateway would refuse (trailing '/', OPTIONS with CORS) is no use.
    validate_routes(described)
    click.echo(generate_models_text(described))


@click.command("generate-sdk")
@click.option(
    "--sdk-type", type=click.Choice(["javascript"]), default="javascript", show_default=True
)
@_STAGE
@click.argument("outdir", type=click.Path(file_okay=False))
def generate_sdk(sdk_type: str, stage: str, outdir: str) -> None:
    """Download the JavaScript SDK of the deployed REST API into OUTDIR."""
    from pathlib import Path

    from chalice import sdk
    from chalice.cli import services

    obj = context.current()
    values = services.deployed_values(obj.project_dir, stage=stage, name="rest_api")
    if not values or not values.get("rest_api_id"):
        raise sdk.no_api_error()
    config = services.load_config(obj.project_dir, stage=stage)
    sdk.generate_sdk(
        obj.clients("apigateway", profile=config.profile),
        rest_api_id=values["rest_api_id"],
        api_gateway_stage=config.api_gateway_stage,
        out_dir=Path(outdir).absolute(),
        sdk_type=sdk_type,
    )
    click.echo(f"SDK written to {outdir}")


@click.command("generate-pipeline")
@click.option(
    "--pipeline-version",
    type=click.Choice(["v1", "v2"]),
    default="v1",
    show_default=True,
    help="The template generation (v2: buildspec 0.2, GitHub token from Secrets Manager).",
)
@click.option("-i", "--codebuild-image", default=None, help="The CodeBuild image to build with.")
@click.option(
    "-s",
    "--source",
    type=click.Choice(["codecommit", "github"]),
    default="codecommit",
    show_default=True,
    help="Where the pipeline pulls the source from.",
)
@click.option(
    "-b",
    "--buildspec-file",
    default=None,
    type=click.Path(dir_okay=False),
    help="Write the buildspec to this file instead of embedding it in the template.",
)
@click.option(
    "--chalice-requirement",
    default=None,
    metavar="REQUIREMENT",
    help="What the build pip-installs to get chalice (default: chalice-ng==<this version>); "
    "may include pip options, e.g. '--index-url URL chalice-ng==1.35.0'.",
)
@click.option(
    "--state-backend",
    type=click.Choice(["s3"]),
    default=None,
    help="s3: the build runs 'chalice deploy' with the stage's state in a versioned bucket "
    "the template creates (instead of packaging for CloudFormation); see docs/teams.rst.",
)
@click.argument("filename", type=click.Path(dir_okay=False))
def generate_pipeline(
    pipeline_version: str,
    codebuild_image: str | None,
    source: str,
    buildspec_file: str | None,
    chalice_requirement: str | None,
    state_backend: str | None,
    filename: str,
) -> None:
    """Write a CloudFormation template for a CodePipeline CI/CD pipeline to FILENAME."""
    import json

    from chalice import __version__, pipeline
    from chalice.cli import services

    config = services.load_config(context.current().project_dir, stage="dev")
    params = pipeline.PipelineParameters(
        app_name=config.app_name,
        chalice_version=__version__,
        python_version=(sys.version_info.major, sys.version_info.minor),
        version=pipeline.PipelineVersion(pipeline_version),
        source=pipeline.SourceProvider(source),
        codebuild_image=codebuild_image,
        buildspec_in_template=buildspec_file is None,
        chalice_requirement=chalice_requirement,
        state_backend_s3=state_backend == "s3",
    )
    # Both built before writing: a bad --chalice-requirement must not leave half the output.
    buildspec = pipeline.create_buildspec(params)
    template = pipeline.create_pipeline_template(params)
    # Check every output location first: a failure must not leave half the output.
    for target in (filename, buildspec_file):
        if target is not None:
            _check_parent_dir(target)
    with open(filename, "w", encoding="utf-8") as f:
        f.write(json.dumps(template, indent=2) + "\n")
    if buildspec_file is not None:
        with open(buildspec_file, "w", encoding="utf-8") as f:
            f.write(pipeline.buildspec_yaml(buildspec))


def _check_parent_dir(target: str) -> None:
    from pathlib import Path

    from chalice.errors import UserError

    parent = Path(target).absolute().parent
    if not parent.is_dir():
        state = "is not a directory" if parent.exists() else "does not exist"
        raise UserError(
            f"Cannot write {target}: {parent} {state}.",
            where=target,
            fix="give a file path inside an existing directory",
        )


COMMANDS = [url, logs, invoke, gen_policy, generate_models, generate_sdk, generate_pipeline]
