"""Deploy-time checks of an app and its config together (SPEC §3.3).

``validate_app`` runs before the graph is built, for ``deploy``, ``package``
and ``plan``; ``validate_routes`` is also what ``chalice local`` runs. A
problem that would make the deploy fail (or deploy something broken) raises
``ValidationError`` naming the route, function or config key and how to fix
it; things that merely look wrong come back as warning strings.

Pure: reads the app's ``AppSnapshot`` (taken once per call, or given) and the
config, never the disk or AWS.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from chalice.app import _validate as runtime_checks
from chalice.app._snapshot import (
    AppSnapshot,
    BuiltinAuthorizerSpec,
    EventSourceSpec,
    LambdaSpec,
    RouteSpec,
    ScheduleEventSpec,
    SQSEventSpec,
    snapshot,
)
from chalice.config import Config, lambda_runtime_for
from chalice.configkeys import ENDPOINT_TYPES, MAX_COMPRESSION_SIZE, suggest
from chalice.deploy.graph import API_HANDLER, FunctionSpec, function_name_for, function_specs
from chalice.deploy.validate_http import is_http_default_stage, validate_http_stage
from chalice.errors import ExperimentalFeatureError, ValidationError

if TYPE_CHECKING:
    from chalice.app import Chalice

# Lambda function names: letters, digits, hyphens and underscores, <= 64.
_FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
MAX_FUNCTION_NAME = 64
# arn:<partition>:iam::<account>:role/<optional path/>name
_ROLE_ARN = re.compile(r"^arn:[a-z-]+:iam::\d{12}:role/\S+$")

# Lambda's own limits (CreateFunction rejects these, after the zip upload).
RESERVED_ENV_VARS = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)
MAX_ENV_BYTES = 4096
MAX_LAYERS = 5

# The methods API Gateway's OpenAPI import knows (anything else is dropped or refused).
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
# API Gateway stage names: letters, digits, '-' and '_', at most 128.
_API_GATEWAY_STAGE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
# EventBridge schedule expressions: rate(N unit) with a singular unit for 1, or a
# six-field cron(...). PutRule refuses anything else, after the functions exist.
_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\(\S+( \S+){5}\)$")


def validate_routes(app: Chalice | AppSnapshot) -> None:
    """The route rules of SPEC §1.4 (the runtime's checks) as a ``ValidationError``.

    No empty path, no trailing ``/`` except on ``/``, no explicit ``OPTIONS``
    on a CORS path, one CORS configuration per path.
    """
    try:
        runtime_checks.validate_routes(snapshot(app).routes_by_path())
    except ValueError as err:
        raise ValidationError(
            f"Invalid route: {err}.",
            where="app.py (the @app.route registrations)",
            fix="Change the route as the message says; API Gateway cannot serve it as is.",
        ) from None


def validate_route_content_types(
    app: Chalice | AppSnapshot, binary_types: Iterable[str] | None = None
) -> None:
    """A route's ``content_types`` must be all binary or all non-binary.

    ``binary_types`` defaults to the app's (``app.api.binary_types``).
    """
    described = snapshot(app)
    if binary_types is None:
        binary_types = described.api.binary_types
    try:
        runtime_checks.validate_route_content_types(described.routes_by_path(), binary_types)
    except ValueError as err:
        raise ValidationError(
            f"Invalid route: {err}.",
            where="app.py (content_types= of the route)",
            fix="Split the route in two, or list only binary or only non-binary content "
            "types (binary types are those in app.api.binary_types).",
        ) from None


def validate_feature_flags(app: Chalice | AppSnapshot) -> None:
    """Raise ``ExperimentalFeatureError`` for an experimental feature not opted into."""
    if isinstance(app, AppSnapshot):
        used, opted_in = app.features_used, app.experimental_feature_flags
    else:
        # Two sets on the live app: no need to describe the whole app for them.
        used = frozenset(getattr(app, "_features_used", ()) or ())
        opted_in = frozenset(getattr(app, "experimental_feature_flags", ()) or ())
    missing = sorted(used - opted_in)
    if missing:
        flags = ",\n".join(f"    {name!r}" for name in missing)
        raise ExperimentalFeatureError(
            "You are using experimental features without opting in: "
            f"{', '.join(missing)}. Experimental features may change or go away in a "
            "future version.",
            where="app.py",
            fix="Opt in by adding this to app.py after creating the app:\n\n"
            f"app.experimental_feature_flags.update([\n{flags}\n])",
        )


def python_version_warning(version_info: tuple[int, ...] | None = None) -> str | None:
    """A warning when the local Python differs from the Lambda runtime we target."""
    info = version_info or (sys.version_info.major, sys.version_info.minor)
    local = f"python{info[0]}.{info[1]}"
    runtime = lambda_runtime_for(info)
    if local == runtime:
        return None
    return (
        f"You are running {local}, but the closest Python version AWS Lambda supports "
        f"is {runtime}. Use {runtime} locally, otherwise dependencies may be built for "
        "the wrong Python version and fail at runtime."
    )


def _check_route_methods(routes: Iterable[RouteSpec]) -> None:
    for route in routes:
        if route.method not in HTTP_METHODS:
            raise ValidationError(
                f"Route {route.path!r} (view {route.view_name!r}) uses the HTTP method "
                f"{route.method!r}, which API Gateway does not support.",
                where="app.py (the @app.route registrations)",
                fix=f"Use methods from {', '.join(HTTP_METHODS)}.",
            )


def schedule_expression_error(expression: str) -> str | None:
    """Why EventBridge would refuse ``expression``, or None if it looks valid."""
    rate = _RATE.match(expression)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2)
        if value < 1:
            return "a rate must be at least 1"
        if (value == 1) == unit.endswith("s"):
            return "the unit must be singular for 1 and plural otherwise"
        return None
    if _CRON.match(expression):
        return None
    return "it is neither rate(...) nor cron(...) with six fields"


def _check_schedules(app: AppSnapshot) -> None:
    for source in app.event_sources:
        if not isinstance(source, ScheduleEventSpec):
            continue
        expression = source.schedule_expression
        problem = schedule_expression_error(expression)
        if problem is not None:
            raise ValidationError(
                f"Invalid schedule expression {expression!r} for {source.name}: {problem}.",
                where=f"@app.schedule on {source.name} ({source.handler_string})",
                fix="Use Rate(5, unit=Rate.MINUTES) or Cron(0, 12, '*', '*', '?', '*'), or a "
                "string such as 'rate(1 hour)', 'rate(5 minutes)' or "
                "'cron(0 12 * * ? *)'.",
            )


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def _check_unique_names(app: AppSnapshot) -> None:
    seen: dict[str, str] = {}
    groups: list[tuple[str, Iterable[BuiltinAuthorizerSpec | EventSourceSpec | LambdaSpec]]] = [
        ("authorizer", app.builtin_authorizers),
        ("event handler", app.event_sources),
        ("lambda function", app.pure_lambdas),
    ]
    for kind, entries in groups:
        for entry in entries:
            if entry.name in seen:
                raise ValidationError(
                    f"Duplicate function name {entry.name!r}: used by {_a(seen[entry.name])} "
                    f"and {_a(kind)}.",
                    where=f"app.py (handler {entry.handler_string})",
                    fix="Each function needs its own name; pass name='...' to one of the "
                    "decorators.",
                )
            seen[entry.name] = kind


def _check_rest_api(config: Config) -> None:
    cfg = config.scope(API_HANDLER)
    stage_name = cfg.api_gateway_stage
    # "$default" is the HTTP API stage served at the root (validate_http.py).
    if not _API_GATEWAY_STAGE.match(stage_name) and not is_http_default_stage(cfg):
        raise ValidationError(
            f"Invalid api_gateway_stage {stage_name!r}: API Gateway stage names hold only "
            "letters, digits, '-' and '_' (at most 128).",
            where=f"{cfg.source}, {cfg.where_set('api_gateway_stage')}",
            fix='Use a name such as "api" or "v1" (or "$default" on an HTTP API stage).',
        )
    endpoint_type = cfg.api_gateway_endpoint_type
    if endpoint_type not in ENDPOINT_TYPES:
        raise ValidationError(
            f"Invalid api_gateway_endpoint_type {endpoint_type!r}.",
            where=f"{cfg.source}, {cfg.where_set('api_gateway_endpoint_type')}",
            fix=f"Use one of {', '.join(ENDPOINT_TYPES)}.",
        )
    size = cfg.minimum_compression_size
    if size is not None and not (0 <= size <= MAX_COMPRESSION_SIZE):
        raise ValidationError(
            f"minimum_compression_size {size} is out of range.",
            where=f"{cfg.source}, {cfg.where_set('minimum_compression_size')}",
            fix=f"Use a whole number between 0 and {MAX_COMPRESSION_SIZE}.",
        )
    vpce, policy_file = cfg.api_gateway_endpoint_vpce, cfg.api_gateway_policy_file
    if vpce and endpoint_type != "PRIVATE":
        raise ValidationError(
            "api_gateway_endpoint_vpce is only allowed with a PRIVATE endpoint, "
            f"but api_gateway_endpoint_type is {endpoint_type}.",
            where=f"{cfg.source}, {cfg.where_set('api_gateway_endpoint_vpce')}",
            fix='Set "api_gateway_endpoint_type": "PRIVATE" or remove api_gateway_endpoint_vpce.',
        )
    if endpoint_type == "PRIVATE" and not vpce and not policy_file:
        raise ValidationError(
            "A PRIVATE REST API needs a resource policy: set api_gateway_endpoint_vpce or "
            "api_gateway_policy_file.",
            where=f"{cfg.source}, stage `{cfg.stage}`",
            fix='Add "api_gateway_endpoint_vpce": "vpce-..." (chalice then writes a policy '
            "allowing that endpoint), or a policy file in .chalice/ named by "
            "api_gateway_policy_file.",
        )
    if endpoint_type == "PRIVATE" and vpce and policy_file:
        raise ValidationError(
            "Set only one of api_gateway_endpoint_vpce and api_gateway_policy_file for a "
            "PRIVATE REST API.",
            where=f"{cfg.source}, stage `{cfg.stage}`",
            fix="Remove api_gateway_endpoint_vpce and allow the endpoint in your policy "
            "file, or remove api_gateway_policy_file.",
        )
    if endpoint_type == "PRIVATE" and cfg.api_gateway_custom_domain is not None:
        raise ValidationError(
            "api_gateway_custom_domain is not supported for a PRIVATE REST API.",
            where=f"{cfg.source}, {cfg.where_set('api_gateway_custom_domain')}",
            fix="Use an EDGE or REGIONAL endpoint for a custom domain, or remove it.",
        )


def _check_sqs(app: AppSnapshot) -> None:
    for source in app.event_sources:
        if not isinstance(source, SQSEventSpec):
            continue
        queue, queue_arn = source.queue, source.queue_arn
        where = f"@app.on_sqs_message on {source.name} ({source.handler_string})"
        if queue is not None and (queue.startswith("https:") or queue.startswith("arn:")):
            raise ValidationError(
                f"The queue {queue!r} of {source.name} is a URL or ARN, not a queue name.",
                where=where,
                fix="Pass the plain queue name as queue='my-queue', or the ARN as "
                "queue_arn='arn:aws:sqs:...'.",
            )
        if queue_arn is not None and not queue_arn.startswith("arn:"):
            raise ValidationError(
                f"The queue_arn {queue_arn!r} of {source.name} is not an ARN.",
                where=where,
                fix="Pass an ARN (arn:aws:sqs:<region>:<account>:<queue>) as queue_arn, or "
                "the plain name as queue=.",
            )


def _check_limits(spec: FunctionSpec) -> None:
    cfg = spec.config
    env = cfg.environment_variables
    reserved = sorted(RESERVED_ENV_VARS & set(env))
    if reserved:
        raise ValidationError(
            f"Function `{spec.name}` sets environment variable(s) Lambda reserves: "
            f"{', '.join(reserved)}.",
            where=f"{cfg.source}, {cfg.where_set('environment_variables')}",
            fix="Lambda sets these itself; use another name (e.g. APP_REGION) in your code.",
        )
    size = sum(len(k.encode()) + len(v.encode()) for k, v in env.items())
    if size > MAX_ENV_BYTES:
        raise ValidationError(
            f"The environment variables of function `{spec.name}` take {size} bytes; Lambda "
            f"allows {MAX_ENV_BYTES}.",
            where=f"{cfg.source}, environment_variables",
            fix="Move large values to SSM Parameter Store or Secrets Manager and read them "
            "at runtime.",
        )
    bad_tags = sorted(k for k in cfg.tags if k.lower().startswith("aws:"))
    if bad_tags:
        raise ValidationError(
            f"Tag(s) {', '.join(bad_tags)} of function `{spec.name}` use the reserved "
            "`aws:` prefix.",
            where=f"{cfg.source}, {cfg.where_set('tags')}",
            fix="Rename the tags; AWS reserves keys starting with aws:.",
        )
    count = len(cfg.layers) + (1 if cfg.automatic_layer else 0)
    if count > MAX_LAYERS:
        managed = " (including the managed layer of automatic_layer)" if cfg.automatic_layer else ""
        raise ValidationError(
            f"Function `{spec.name}` would have {count} layers{managed}; Lambda allows "
            f"{MAX_LAYERS}.",
            where=f"{cfg.source}, {cfg.where_set('layers')}",
            fix="Merge some layers, or turn automatic_layer off.",
        )


def _check_function(spec: FunctionSpec, config: Config) -> None:
    cfg = spec.config
    if not cfg.manage_iam_role and not cfg.iam_role_arn:
        raise ValidationError(
            f"Function `{spec.name}` has manage_iam_role set to false but no iam_role_arn.",
            where=f"{cfg.source}, {cfg.where_set('manage_iam_role')}",
            fix='Add "iam_role_arn": "arn:aws:iam::<account>:role/<name>" next to '
            "manage_iam_role, or remove manage_iam_role: false.",
        )
    if not cfg.manage_iam_role and not _ROLE_ARN.match(str(cfg.iam_role_arn)):
        # Lambda's CreateFunction would refuse it, after the package upload.
        raise ValidationError(
            f"The iam_role_arn {cfg.iam_role_arn!r} of function `{spec.name}` is not an IAM "
            "role ARN.",
            where=f"{cfg.source}, {cfg.where_set('iam_role_arn')}",
            fix='Use the role\'s full ARN, "arn:aws:iam::<account>:role/<name>" (the IAM '
            "console shows it on the role's page).",
        )
    for key, value in cfg.environment_variables.items():
        if not isinstance(value, str):
            raise ValidationError(
                f"Environment variable {key!r} of function `{spec.name}` is not a string.",
                where=f"{cfg.source}, environment_variables.{key}",
                fix=f'Quote the value: "{key}": "{value}".',
            )
    _check_limits(spec)
    name = function_name_for(config.app_name, config.stage, spec.name)
    if not _FUNCTION_NAME.match(name):
        raise ValidationError(
            f"The Lambda function name {name!r} has characters Lambda does not allow.",
            where=f"app_name {config.app_name!r}, stage {config.stage!r}, function {spec.name!r}",
            fix="Use only letters, digits, '-' and '_' in app_name, stage and handler names.",
        )
    if len(name) > MAX_FUNCTION_NAME:
        raise ValidationError(
            f"The Lambda function name {name!r} is {len(name)} characters long; Lambda "
            f"allows at most {MAX_FUNCTION_NAME}.",
            where=f"app_name {config.app_name!r}, stage {config.stage!r}, function {spec.name!r}",
            fix="Shorten the app_name, the stage name, or the handler's name (name=...).",
        )
    if bool(cfg.subnet_ids) != bool(cfg.security_group_ids):
        raise ValidationError(
            f"Function `{spec.name}` needs both subnet_ids and security_group_ids for a VPC.",
            where=f"{cfg.source}, stage `{cfg.stage}`",
            fix="Set both (or neither) of subnet_ids and security_group_ids.",
        )


def validate_app(app: Chalice | AppSnapshot, config: Config) -> list[str]:
    """Every check of SPEC §3.3 (plus a few of ours); returns warnings, raises errors.

    ``app`` is a loaded app or its ``snapshot(app)`` (which the caller can
    then hand to ``build_application`` too: one walk of the app).

    The warnings include the config file's own (``config.warnings``: unknown
    or misplaced keys) unless a ``warn`` callback given to ``Config.load``
    already received them, so a command printing these never repeats one.
    """
    warnings: list[str] = [] if config.warnings_reported else list(config.warnings)
    described = snapshot(app)
    validate_feature_flags(described)
    validate_routes(described)
    validate_route_content_types(described)
    _check_route_methods(described.routes)
    _check_unique_names(described)
    _check_schedules(described)
    _check_rest_api(config)
    validate_http_stage(described, config)
    _check_sqs(described)
    specs = function_specs(described, config)
    for spec in specs:
        _check_function(spec, config)
    known = {s.name for s in specs}
    for name, section in config.function_sections().items():
        if name not in known:
            warnings.append(
                f"{config.source} has settings for a function named {name!r} (in "
                f"{section}), but the app has no such function; they are ignored."
                f"{suggest(name, known)}"
            )
    version_warning = python_version_warning()
    if version_warning:
        warnings.append(version_warning)
    return warnings
