"""Shared fixtures: a real AWS API emulator (moto's server) on 127.0.0.1.

Tests that touch AWS take ``aws_env``: it resets the emulator, points botocore
at it through ``AWS_ENDPOINT_URL`` and gives dummy credentials, so nothing
can reach real AWS. The server runs in-process (one per xdist worker).
"""

from __future__ import annotations

import os
import socket
import urllib.request
from collections.abc import Iterator

import pytest

REGION = "us-west-2"

# Property tests judge correctness, never speed: hypothesis' default 200 ms
# deadline fails them on a loaded 2-core CI machine.
try:
    from hypothesis import settings as _hypothesis_settings

    _hypothesis_settings.register_profile("chalice", deadline=None)
    _hypothesis_settings.load_profile("chalice")
except ImportError:  # hypothesis is in the test extra; be importable without it
    pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """The endpoint URL of a moto server running for the whole session."""
    from moto.server import ThreadedMotoServer

    from tests.deploy.e2e import moto_fidelity

    # Every deploy against the emulator needs it to answer like AWS (e.g. to
    # import the Swagger 2.0 definition deploy sends), not only the e2e tests.
    moto_fidelity.apply()
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def reset_moto(endpoint: str) -> None:
    req = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST", data=b"")
    with urllib.request.urlopen(req, timeout=10) as resp:
        resp.read()


@pytest.fixture
def aws_env(moto_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path_factory) -> str:  # type: ignore[no-untyped-def]
    """Fresh emulator state and an environment where botocore only talks to it."""
    reset_moto(moto_server)
    home = tmp_path_factory.mktemp("awshome")
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "credentials"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return moto_server


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    # Belt and braces: a test that forgets aws_env must not find real credentials.
    for var in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        if var in os.environ and "AWS_ENDPOINT_URL" not in os.environ:
            monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
