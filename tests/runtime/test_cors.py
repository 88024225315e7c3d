"""CORSConfig headers and equality."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalice import CORSConfig

_DEFAULT = "Authorization,Content-Type,X-Amz-Date,X-Amz-Security-Token,X-Api-Key"


def test_default_headers() -> None:
    assert CORSConfig().get_access_control_headers() == {
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Headers": _DEFAULT,
    }


def test_all_options() -> None:
    headers = CORSConfig(
        allow_origin="https://a.example",
        allow_headers=["X-Special"],
        expose_headers=["X-One", "X-Two"],
        max_age=600,
        allow_credentials=True,
    ).get_access_control_headers()
    assert headers == {
        "Access-Control-Allow-Origin": "https://a.example",
        "Access-Control-Allow-Headers": "Authorization,Content-Type,X-Amz-Date,"
        "X-Amz-Security-Token,X-Api-Key,X-Special",
        "Access-Control-Expose-Headers": "X-One,X-Two",
        "Access-Control-Max-Age": "600",
        "Access-Control-Allow-Credentials": "true",
    }


def test_credentials_false_is_omitted_and_returned_dict_is_a_copy() -> None:
    config = CORSConfig(allow_credentials=False)
    headers = config.get_access_control_headers()
    assert "Access-Control-Allow-Credentials" not in headers
    headers["X"] = "mutated"
    assert "X" not in config.get_access_control_headers()


def test_string_header_list_rejected() -> None:
    with pytest.raises(TypeError):
        CORSConfig(allow_headers="X-One")  # type: ignore[arg-type]


_name = st.from_regex(r"X-[A-Za-z]{1,8}", fullmatch=True)


@given(
    st.lists(_name, max_size=5),
    st.lists(_name, max_size=3),
    st.none() | st.integers(0, 10**6),
    st.none() | st.booleans(),
)
def test_headers_property(
    allow: list[str], expose: list[str], max_age: int | None, credentials: bool | None
) -> None:
    config = CORSConfig(
        allow_headers=allow, expose_headers=expose, max_age=max_age, allow_credentials=credentials
    )
    headers = config.get_access_control_headers()
    allowed = headers["Access-Control-Allow-Headers"].split(",")
    assert allowed == sorted(set(allowed))
    assert set(allow) <= set(allowed)
    assert set(_DEFAULT.split(",")) <= set(allowed)
    assert ("Access-Control-Expose-Headers" in headers) == bool(expose)
    assert ("Access-Control-Max-Age" in headers) == (max_age is not None)
    assert ("Access-Control-Allow-Credentials" in headers) == (credentials is True)
    same = CORSConfig(
        allow_headers=list(reversed(allow)),
        expose_headers=expose,
        max_age=max_age,
        allow_credentials=credentials,
    )
    assert same == config and hash(same) == hash(config)
    assert config != CORSConfig(allow_origin="https://other")
