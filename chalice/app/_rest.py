"""REST dispatch: API Gateway proxy event in, proxy result dict out.

``handle_rest`` never raises for anything a request can contain: unknown
routes, wrong methods or media types, bad bodies and view errors all become
responses, and an exception from a view, from middleware or from encoding
the response becomes a 500 (with the traceback as text/plain when
``app.debug``). The one exception: a context whose ``raise_encoding_errors``
is true (``chalice.test.Client``'s) gets the encoding error raised. Only ``ChaliceUnhandledError`` travels through middleware,
and it too ends as a 500 here. The hot path is a handful of calls when no
middleware is registered.
"""

from __future__ import annotations

from chalice.app._errors import ChaliceUnhandledError, ChaliceViewError
from chalice.app._http import (
    Request,
    Response,
    binary_content_type,
    check_header_values,
    error_response,
    matches_content_type,
)
from chalice.app._middleware import build_chain

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from chalice.app._app import Chalice

_JSON = "application/json"
_GENERIC_500 = {"Code": "InternalServerError", "Message": "An internal server error occurred."}


def handle_rest(app: Chalice, event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Run one REST invocation through middleware and the matching view."""
    app.lambda_context = context
    if not isinstance(event, dict):
        app.current_request = None
        return _unknown_request()
    request = Request(event, context)
    if request.path is None:
        app.current_request = None
        return _unknown_request()
    app.current_request = request
    handlers = app.middleware_handlers
    try:
        if handlers:
            response = _http_chain(app)(request)
        else:
            response = dispatch(app, request)
    except Exception:
        response = unhandled_error(app, request)
    try:
        return response.to_dict(app.api.binary_types)  # type: ignore[no-any-return]
    except Exception:
        # Upstream let this escape to Lambda (quirk 2); a body we cannot
        # encode is a server error like any other. A test wants the
        # TypeError itself: chalice.test's context asks for it.
        if getattr(context, "raise_encoding_errors", False):
            raise
        return unhandled_error(app, request).to_dict()


def _unknown_request() -> dict[str, Any]:
    return error_response("InternalServerError", "Unknown request.", 500).to_dict()


def _http_chain(app: Chalice) -> Any:
    cached = app._http_chain
    count = len(app.middleware_handlers)
    if cached is None or cached[0] != count:
        chain = build_chain(app.middleware_handlers, "http", lambda req: dispatch(app, req))
        cached = app._http_chain = (count, chain)
    return cached[1]


def unhandled_error(app: Chalice, request: Request) -> Response:
    """Log the current exception; a generic 500, or the traceback in debug mode."""
    app.log.error("Caught exception for path %s", request.path, exc_info=True)
    if app.debug:
        import traceback

        return Response(
            traceback.format_exc(), headers={"Content-Type": "text/plain"}, status_code=500
        )
    return Response(dict(_GENERIC_500), status_code=500)


def dispatch(app: Chalice, request: Request) -> Response:
    """Find the view for the request, check it, call it, and post-process its response."""
    methods = app.routes.get(request.path)  # type: ignore[arg-type]
    entry = methods.get(request.method) if methods else None  # type: ignore[arg-type]
    if entry is None:
        return Response(
            {"Code": "MethodNotAllowedError", "Message": f"Unsupported method: {request.method}"},
            headers={"Allow": ", ".join(methods or ())},
            status_code=405,
        )
    cors = entry.cors
    cors_headers = cors.headers_view() if cors is not None else None
    content_types = entry.content_types
    if content_types:
        content_type = request.header("content-type") or _JSON
        if content_type not in content_types and not matches_content_type(
            content_type, content_types
        ):
            response = error_response(
                "UnsupportedMediaType", f"Unsupported media type: {content_type}", 415
            )
            if cors_headers:
                response.headers.update(cors_headers)
            return response
    response = _call_view(app, request, entry)
    if cors_headers:
        # The view's own headers win; a new dict leaves the view's untouched.
        response.headers = {**cors_headers, **response.headers}
    binary_types = app.api.binary_types
    if binary_types and request.binary_accept_required:
        content_type = binary_content_type(response.headers, binary_types)
        if content_type is not None:
            accept = request.header("accept")
            if accept is None or not matches_content_type(accept, binary_types):
                return _binary_accept_error(content_type, accept)
    return response


def _call_view(app: Chalice, request: Request, entry: Any) -> Response:
    view_args = entry.view_args
    if view_args:
        params = request.uri_params or {}
        kwargs = {}
        try:
            # A plain loop: a comprehension is one more frame (Python < 3.12).
            for name in view_args:
                kwargs[name] = params[name]
        except (KeyError, TypeError):
            missing = [n for n in view_args if not isinstance(params, dict) or n not in params]
            return error_response(
                "BadRequestError", f"Missing path parameters: {', '.join(missing)}", 400
            )
        call_args: dict[str, Any] = kwargs
    else:
        call_args = {}
    try:
        result = entry.view_function(**call_args)
        if isinstance(result, Response):
            response = result
            check_header_values(response.headers)
        else:
            response = Response(result)
    except ChaliceUnhandledError:
        raise
    except ChaliceViewError as error:
        return error_response(type(error).__name__, str(error), error.STATUS_CODE)
    except Exception:
        return unhandled_error(app, request)
    return response


def _binary_accept_error(content_type: str, accept: str | None) -> Response:
    return error_response(
        "BadRequest",
        f"Request did not specify an Accept header with {content_type}, "
        f"The response has a Content-Type of {content_type}. If a response has a "
        "binary Content-Type then the request must specify an Accept header that matches.",
        400,
    )
