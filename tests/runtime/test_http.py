"""Request, Response, MultiDict, CaseInsensitiveMapping and media-type matching."""

from __future__ import annotations

import base64
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalice.app import (
    BadRequestError,
    CaseInsensitiveMapping,
    ChaliceError,
    MultiDict,
    Request,
    Response,
)
from chalice.app._http import check_header_values, matches_content_type
from tests.runtime.conftest import load_event, rest_event


def test_request_from_real_event() -> None:
    event = load_event("apigw-rest/powertools-apiGatewayProxyEvent.json")
    request = Request(event, "ctx")
    assert request.method == event["requestContext"]["httpMethod"]
    assert request.query_params is not None
    assert request.query_params.getlist("parameter1") == ["value1", "value2"]
    assert request.query_params["parameter1"] == "value2"
    assert request.headers["header1"] == event["headers"]["Header1"]
    assert request.uri_params is None
    assert request.stage_vars is None
    assert request.lambda_context == "ctx"
    assert request.to_original_event() is event
    as_dict = request.to_dict()
    assert set(as_dict) == {
        "query_params",
        "headers",
        "uri_params",
        "method",
        "context",
        "stage_vars",
        "path",
    }
    json.dumps(as_dict)


def test_request_path_is_the_template() -> None:
    request = Request(rest_event("/items/{id}", params={"id": "1"}))
    assert request.path == "/items/{id}"
    assert request.uri_params == {"id": "1"}


def test_console_shape_event_with_nulls() -> None:
    event = load_event("apigw-rest/dotnet-values-get-customauthorizer-apigateway-request.json")
    request = Request(event)
    assert request.query_params is None
    assert dict(request.headers) == {}
    assert request.raw_body == b""
    assert request.json_body is None


def test_single_value_query_used_when_multi_value_missing() -> None:
    event = rest_event("/", query=None)
    del event["multiValueQueryStringParameters"]
    event["queryStringParameters"] = {"a": "1"}
    assert Request(event).query_params == {"a": "1"}


def test_base64_body_decoded() -> None:
    event = load_event("apigw-rest/sam-AwsProxy-put-unicode-body.json")
    request = Request(event)
    assert "Zoë" in request.raw_body.decode("utf-8")
    request.headers = CaseInsensitiveMapping({"Content-Type": "application/json"})
    assert request.json_body["city"] == "Kraków"


def test_invalid_base64_body_is_bad_request() -> None:
    event = load_event("apigw-rest/powertools-apiGatewayProxyEvent_noVersionAuth.json")
    with pytest.raises(BadRequestError):
        Request(event).raw_body  # noqa: B018


@pytest.mark.parametrize(
    "body,base64_encoded",
    [
        ("{not json", False),
        ("", False),
        (base64.b64encode(b"\xff\xfe\x00junk").decode(), True),
    ],
)
def test_invalid_json_body_is_error_parsing_json(body: str, base64_encoded: bool) -> None:
    event = rest_event(
        "/", "POST", headers={"Content-Type": "application/json"}, body=body, base64=base64_encoded
    )
    with pytest.raises(BadRequestError, match="Error Parsing JSON"):
        Request(event).json_body  # noqa: B018


def test_json_body_needs_json_content_type() -> None:
    event = rest_event("/", "POST", headers={"content-type": "text/plain"}, body='{"a": 1}')
    assert Request(event).json_body is None
    event = rest_event(
        "/", "POST", headers={"Content-Type": "application/json; charset=utf-8"}, body='{"a": 1}'
    )
    request = Request(event)
    assert request.json_body == {"a": 1}
    assert request.json_body is request.json_body


def test_multidict_semantics() -> None:
    m = MultiDict({"a": ["1", "2"], "b": ["3"]})
    assert m["a"] == "2"
    assert m.getlist("a") == ["1", "2"]
    m["a"] = "x"
    assert m.getlist("a") == ["x"]
    del m["b"]
    assert list(m) == ["a"] and len(m) == 1
    with pytest.raises(KeyError):
        m["missing"]  # noqa: B018
    assert "MultiDict" in repr(m)
    assert MultiDict(None) == {}


def test_case_insensitive_mapping() -> None:
    headers = CaseInsensitiveMapping({"Content-Type": "a", "X-Thing": "b"})
    assert headers["content-type"] == headers["CONTENT-TYPE"] == "a"
    assert "x-THING" in headers and 1 not in headers
    assert headers.get("nope", "d") == "d"
    assert sorted(headers) == ["content-type", "x-thing"]
    assert len(headers) == 2


def test_response_to_dict_json_and_headers() -> None:
    response = Response(
        {"price": Decimal("1.5"), "q": MultiDict({"a": ["1"]})},
        headers={"X-One": "1", "Set-Cookie": ["a=1", "b=2"]},
        status_code=201,
    )
    result = response.to_dict()
    assert result == {
        "headers": {"X-One": "1"},
        "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
        "statusCode": 201,
        "body": '{"price":1.5,"q":{"a":"1"}}',
    }


def test_response_unserializable_body_raises_type_error() -> None:
    with pytest.raises(TypeError):
        Response({"x": object()}).to_dict()


def test_binary_response_is_base64() -> None:
    response = Response(b"\x89PNG", headers={"Content-Type": "image/png"})
    result = response.to_dict(["image/png"])
    assert result["isBase64Encoded"] is True
    assert base64.b64decode(result["body"]) == b"\x89PNG"
    # Not binary: untouched.
    assert "isBase64Encoded" not in Response("x").to_dict(["image/png"])


def test_binary_json_str_body_is_encoded_first() -> None:
    result = Response({"a": 1}).to_dict(["application/json"])
    assert base64.b64decode(result["body"]) == b'{"a":1}'


def test_binary_content_type_with_str_body_is_error() -> None:
    with pytest.raises(ValueError):
        Response("text", headers={"Content-Type": "image/png"}).to_dict(["image/png"])


def test_header_newline_rejected() -> None:
    with pytest.raises(ChaliceError):
        check_header_values({"X": "a\nb"})
    with pytest.raises(ChaliceError):
        check_header_values({"X": ["ok", "a\nb"]})
    check_header_values({"X": "fine", "Y": 3})


@pytest.mark.parametrize(
    "value,valid,expected",
    [
        ("application/json", ["application/json"], True),
        ("Application/JSON", ["application/json"], True),
        ("text/html; charset=utf-8", ["text/html"], True),
        ("text/plain, image/png;q=0.8", ["image/png"], True),
        ("text/plain", ["application/json"], False),
        ("text/plain", ["*/*"], True),
        ("*/*", ["image/png"], True),
        (" image/png ", ["image/png"], True),
    ],
)
def test_matches_content_type(value: str, valid: list[str], expected: bool) -> None:
    assert matches_content_type(value, valid) is expected


_token = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-+.", min_size=1, max_size=10)
_media = st.builds(lambda a, b: f"{a}/{b}", _token, _token)


@given(_media, st.lists(_media, max_size=5), st.sampled_from(["", "; charset=utf-8", ";q=0.5"]))
def test_matches_content_type_property(media: str, others: list[str], params: str) -> None:
    assert matches_content_type(media.upper() + params, others + [media])
    if media not in others:
        assert not matches_content_type(media + params, others)


def test_find_header_any_case_and_odd_keys() -> None:
    from chalice.app._http import find_header

    headers = {"Accept": "a", "X-Content-Type": "x", "content-TYPE": "ct"}
    assert find_header(headers, "content-type") == "ct"
    assert find_header(headers, "accept") == "a"
    assert find_header(headers, "missing") is None
    assert find_header({}, "accept") is None and find_header(None, "accept") is None
    assert find_header({1: "n", "Content-type": "c"}, "content-type") == "c"  # type: ignore[dict-item]
    for i in range(300):  # more distinct header sets than the index keeps
        assert find_header({f"H{i}": "v", "ACCEPT": i}, "accept") == i
