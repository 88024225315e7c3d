"""CloudFormation logical ids from chalice resource names."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chalice.deploy.naming import to_cfn_resource_name

NAMES = st.text(alphabet=st.sampled_from("abcXYZ019-_."), max_size=30)


@given(NAMES)
def test_logical_ids_are_alphanumeric(name: str) -> None:
    assert to_cfn_resource_name(name).isalnum() or to_cfn_resource_name(name) == ""


PARTS = st.lists(st.from_regex(r"[a-z][a-z0-9]{0,5}", fullmatch=True), min_size=1, max_size=5)


@given(PARTS, st.sampled_from(["-", "_", "--", "-_"]))
def test_parts_are_capitalised_and_joined(parts: list[str], sep: str) -> None:
    expected = "".join(p[0].upper() + p[1:] for p in parts)
    assert to_cfn_resource_name(sep.join(parts)) == expected


def test_separators_only_capitalise() -> None:
    assert to_cfn_resource_name("websocket_connect") == "WebsocketConnect"
    assert to_cfn_resource_name("api-handler-log-group") == "ApiHandlerLogGroup"
