"""Helpers for runtime tests: real Lambda payloads from tests/events and REST event builders."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

EVENTS = Path(__file__).resolve().parent.parent / "events"


def load_event(relative: str) -> dict[str, Any]:
    """A fresh copy of a real payload, e.g. ``load_event("sqs/sam-Sqs.json")``."""
    with open(EVENTS / relative, encoding="utf-8") as f:
        return json.load(f)  # type: ignore[no-any-return]


def rest_event(
    resource: str,
    method: str = "GET",
    *,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    body: str | None = None,
    base64: bool = False,
    query: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """The SAM AwsProxy payload re-targeted at ``resource``/``method``."""
    event = copy.deepcopy(_BASE)
    event["resource"] = resource
    event["requestContext"]["resourcePath"] = resource
    event["httpMethod"] = method
    event["requestContext"]["httpMethod"] = method
    event["pathParameters"] = params
    event["body"] = body
    event["isBase64Encoded"] = base64
    if headers is not None:
        event["headers"] = headers
    if query is not None:
        event["multiValueQueryStringParameters"] = query
    return event


_BASE = load_event("apigw-rest/sam-AwsProxy.json")


@pytest.fixture(autouse=True)
def _isolated_execution_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # Chalice() tags AWS_EXECUTION_ENV; keep each test's environment clean.
    monkeypatch.delenv("AWS_EXECUTION_ENV", raising=False)


def body_of(result: dict[str, Any]) -> Any:
    return json.loads(result["body"])
