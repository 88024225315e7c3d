"""The REST API definition (Swagger 2.0) built from an app's routes.

``rest_api_document`` turns a ``models.RestAPI`` (whose ``routes`` come from
the app snapshot) into the document API Gateway imports (SPEC §4.9);
``generate_swagger`` does the same for an app or its ``AppSnapshot``
(``chalice generate-models``, tests). The only thing that varies between
``chalice deploy``, ``chalice package`` (SAM) and ``chalice package
--pkg-format terraform`` is how the Lambda integration URIs are written, which
``SwaggerStyle`` selects. Deploy sends the document as it is (Swagger 2.0,
like upstream Chalice): API Gateway's importer has run on this dialect for
years.

This module computes documents only: it never calls AWS, never touches the
disk and never sees a live app object (only its snapshot).
"""

from __future__ import annotations

import copy
import enum
import json
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from chalice.app._snapshot import AppSnapshot, AuthorizerKind, AuthorizerSpec, CorsSpec, RouteSpec
from chalice.app._snapshot import snapshot as describe
from chalice.deploy import models
from chalice.deploy.naming import to_cfn_resource_name
from chalice.errors import UserError

if TYPE_CHECKING:
    from chalice.app import Chalice

__all__ = [
    "SwaggerStyle",
    "generate_swagger",
    "rest_api_document",
    "render_uris",
    "generate_models_text",
    "has_routes",
]

_LAMBDA_PATH = "lambda:path/2015-03-31/functions/{arn}/invocations"
_DEPLOY_URI = "arn:{partition}:apigateway:{region_name}:" + _LAMBDA_PATH
_CFN_URI = "arn:${AWS::Partition}:apigateway:${AWS::Region}:" + _LAMBDA_PATH
_API_HANDLER = "api_handler"


class SwaggerStyle(enum.Enum):
    """How integration URIs are written.

    ``DEPLOY``: template strings (``{partition}``, ``{region_name}``,
    ``{<name>_lambda_arn}``) filled by ``render_uris`` once the functions exist.
    ``CLOUDFORMATION``: ``Fn::Sub`` with ``${APIHandler.Arn}``.
    ``TERRAFORM``: ``${aws_lambda_function.<name>.invoke_arn}`` interpolations.
    """

    DEPLOY = "deploy"
    CLOUDFORMATION = "cloudformation"
    TERRAFORM = "terraform"


def _lambda_uri(style: SwaggerStyle, function_name: str) -> Any:
    # ``function_name`` is the chalice resource name (api_handler, or an
    # authorizer's name); each style references that function its own way.
    if style is SwaggerStyle.DEPLOY:
        return _DEPLOY_URI.replace("{arn}", "{" + function_name + "_lambda_arn}")
    if style is SwaggerStyle.CLOUDFORMATION:
        logical_id = (
            "APIHandler" if function_name == _API_HANDLER else to_cfn_resource_name(function_name)
        )
        return {"Fn::Sub": _CFN_URI.replace("{arn}", "${" + logical_id + ".Arn}")}
    return "${aws_lambda_function." + function_name + ".invoke_arn}"


def _base_document(app_name: str, binary_types: Iterable[str]) -> dict[str, Any]:
    return {
        "swagger": "2.0",
        "info": {"version": "1.0", "title": app_name},
        "schemes": ["https"],
        "paths": {},
        "definitions": {"Empty": {"type": "object", "title": "Empty Schema"}},
        "x-amazon-apigateway-binary-media-types": list(binary_types),
    }


def _empty_responses() -> dict[str, Any]:
    return {"200": {"description": "200 response", "schema": {"$ref": "#/definitions/Empty"}}}


def _proxy_integration(uri: Any) -> dict[str, Any]:
    return {
        "responses": {"default": {"statusCode": "200"}},
        "uri": uri,
        "passthroughBehavior": "when_no_match",
        "httpMethod": "POST",
        "contentHandling": "CONVERT_TO_TEXT",
        "type": "aws_proxy",
    }


def _path_parameters(names: list[str]) -> list[dict[str, Any]]:
    return [{"name": n, "in": "path", "required": True, "type": "string"} for n in names]


def _builtin_security_definition(authorizer: AuthorizerSpec, style: SwaggerStyle) -> dict[str, Any]:
    # The built-in ``@app.authorizer`` is a Lambda function of this app: its
    # URI depends on the swagger style, so it is written here.
    auth: dict[str, Any] = {
        "type": "token",
        "authorizerUri": _lambda_uri(style, authorizer.name),
    }
    if authorizer.execution_role is not None:
        auth["authorizerCredentials"] = authorizer.execution_role
    if authorizer.ttl_seconds is not None:
        auth["authorizerResultTtlInSeconds"] = authorizer.ttl_seconds
    return {
        "in": "header",
        "type": "apiKey",
        "name": authorizer.header,
        "x-amazon-apigateway-authtype": "custom",
        "x-amazon-apigateway-authorizer": auth,
    }


def _security_definition(authorizer: AuthorizerSpec, style: SwaggerStyle) -> dict[str, Any]:
    if authorizer.kind is AuthorizerKind.BUILTIN or authorizer.security_definition is None:
        return _builtin_security_definition(authorizer, style)
    return copy.deepcopy(dict(authorizer.security_definition))


def _apply_docstring(operation: dict[str, Any], doc: str | None) -> None:
    if not doc:
        return
    first, _, rest = doc.partition("\n")
    operation["summary"] = first
    rest = rest.strip("\n")
    if rest:
        operation["description"] = rest


def _operation(
    entry: RouteSpec, style: SwaggerStyle, security_defs: dict[str, Any]
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "consumes": list(entry.content_types),
        "produces": ["application/json"],
        "responses": _empty_responses(),
        "x-amazon-apigateway-integration": _proxy_integration(_lambda_uri(style, _API_HANDLER)),
    }
    _apply_docstring(op, entry.docstring)
    security: list[dict[str, list[str]]] = []
    if entry.api_key_required:
        security.append({"api_key": []})
        security_defs.setdefault("api_key", {"type": "apiKey", "name": "x-api-key", "in": "header"})
    authorizer = entry.authorizer
    if authorizer is not None:
        security.append({authorizer.name: list(authorizer.scopes)})
        security_defs.setdefault(authorizer.name, _security_definition(authorizer, style))
    if security:
        op["security"] = security
    if entry.path_params:
        op["parameters"] = _path_parameters(list(entry.path_params))
    return op


def _preflight(methods: list[str], cors: CorsSpec, view_args: list[str]) -> dict[str, Any]:
    """The ``options`` mock integration answering CORS preflight requests."""
    headers: dict[str, str] = {"Access-Control-Allow-Methods": ",".join([*methods, "OPTIONS"])}
    headers.update(cors.access_control_headers())
    op: dict[str, Any] = {
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "responses": {
            "200": {
                "description": "200 response",
                "schema": {"$ref": "#/definitions/Empty"},
                "headers": {name: {"type": "string"} for name in headers},
            }
        },
        "x-amazon-apigateway-integration": {
            "responses": {
                "default": {
                    "statusCode": "200",
                    "responseParameters": {
                        f"method.response.header.{name}": f"'{value}'"
                        for name, value in headers.items()
                    },
                }
            },
            "requestTemplates": {"application/json": '{"statusCode": 200}'},
            "passthroughBehavior": "when_no_match",
            "type": "mock",
            "contentHandling": "CONVERT_TO_TEXT",
        },
    }
    # Upstream leaves these out; declaring them keeps the document valid for
    # validators (every templated path parameter must be declared) and API
    # Gateway accepts either form.
    if view_args:
        op["parameters"] = _path_parameters(view_args)
    return op


def generate_swagger(
    app: Chalice | AppSnapshot, *, style: SwaggerStyle, rest_api: models.RestAPI | None = None
) -> dict[str, Any]:
    """The Swagger 2.0 document for the routes of ``app`` (an app or its snapshot).

    ``rest_api`` supplies the resource policy (``rest_api.policy.document``)
    and the private endpoint's VPC endpoint ids.
    """
    described = describe(app)
    doc = _document(described.app_name, described.api.binary_types, described.routes, style)
    if rest_api is not None:
        _apply_rest_api(doc, rest_api)
    return doc


def rest_api_document(rest_api: models.RestAPI, *, style: SwaggerStyle) -> dict[str, Any]:
    """The Swagger 2.0 document of a ``RestAPI`` model: its routes, policy and endpoints."""
    doc = _document(rest_api.title, rest_api.binary_types, rest_api.routes, style)
    _apply_rest_api(doc, rest_api)
    return doc


def _document(
    title: str, binary_types: Iterable[str], routes: Iterable[RouteSpec], style: SwaggerStyle
) -> dict[str, Any]:
    # Paths and methods appear in registration order (deterministic for a
    # given app.py); the methods of one path are adjacent in a snapshot.
    doc = _base_document(title, binary_types)
    paths: dict[str, Any] = doc["paths"]
    security_defs: dict[str, Any] = {}
    grouped: dict[str, list[RouteSpec]] = {}
    for route in routes:
        grouped.setdefault(route.path, []).append(route)
    for path, methods in grouped.items():
        item: dict[str, Any] = {}
        cors_methods: list[str] = []
        cors_config: CorsSpec | None = None
        view_args: list[str] = []
        for entry in methods:
            item[entry.method.lower()] = _operation(entry, style, security_defs)
            view_args = list(entry.path_params)
            if entry.cors is not None:
                cors_methods.append(entry.method)
                if cors_config is None:
                    cors_config = entry.cors
        if cors_config is not None:
            item["options"] = _preflight(cors_methods, cors_config, view_args)
        paths[path] = item
    if security_defs:
        doc["securityDefinitions"] = security_defs
    return doc


def _apply_rest_api(doc: dict[str, Any], rest_api: models.RestAPI) -> None:
    policy = rest_api.policy
    if policy is not None and policy.document is not None:
        doc["x-amazon-apigateway-policy"] = copy.deepcopy(policy.document)
    if rest_api.vpce_ids:
        doc["x-amazon-apigateway-endpoint-configuration"] = {
            "vpcEndpointIds": list(rest_api.vpce_ids)
        }


def has_routes(app: Chalice | AppSnapshot) -> bool:
    """True when the app defines at least one route (so it has a REST API)."""
    return describe(app).has_routes


def generate_models_text(app: Chalice | AppSnapshot) -> str:
    """What ``chalice generate-models`` prints: the DEPLOY-style Swagger 2.0, indent 4.

    Raises ``UserError`` when the app has no routes.
    """
    described = describe(app)
    if not described.has_routes:
        raise UserError(
            "No REST API found to generate model from.",
            fix="Add at least one @app.route(...) to app.py.",
        )
    return json.dumps(generate_swagger(described, style=SwaggerStyle.DEPLOY), indent=4)


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _fill(template: str, values: Mapping[str, str]) -> str:
    def sub(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise KeyError(f"no value for {{{key}}} in integration URI {template!r}")
        return values[key]

    return _PLACEHOLDER.sub(sub, template)


def render_uris(doc: Mapping[str, Any], values: Mapping[str, str]) -> dict[str, Any]:
    """A copy of a DEPLOY-style document with its URI templates filled in.

    Only integration ``uri`` values and authorizer ``authorizerUri`` values are
    templates; every other string (paths, mock request templates) is left
    alone. ``values`` maps
    ``partition``, ``region_name`` and ``<name>_lambda_arn`` to their values;
    a placeholder without a value raises ``KeyError``.
    """
    out = copy.deepcopy(dict(doc))
    _render_in_place(out, values)
    return out


def _render_in_place(node: Any, values: Mapping[str, str]) -> None:
    if isinstance(node, dict):
        for key, child in node.items():
            if key == "x-amazon-apigateway-integration" and isinstance(child, dict):
                if isinstance(child.get("uri"), str):
                    child["uri"] = _fill(child["uri"], values)
            elif key == "x-amazon-apigateway-authorizer" and isinstance(child, dict):
                if isinstance(child.get("authorizerUri"), str):
                    child["authorizerUri"] = _fill(child["authorizerUri"], values)
            else:
                _render_in_place(child, values)
    elif isinstance(node, list):
        for child in node:
            _render_in_place(child, values)
