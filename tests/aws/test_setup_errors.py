"""A call that cannot work from this machine (no region, no credentials, AWS
unreachable) is a ``UserError`` saying which call and how to fix the setup,
exit code 2, never a bare ``AWSError`` escaping ``deploy``/``delete``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chalice.aws.errors import AWSError, AWSSetupError, translate
from chalice.aws.session import AWSClients
from chalice.deploy.deployer import delete_stage
from chalice.errors import UserError
from tests.reporting import RecordingReporter


@pytest.fixture
def bare_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials and no region anywhere (and no metadata service lookups)."""
    for key in (
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
        "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_ENDPOINT_URL",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
    ):  # fmt: skip
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def _clients() -> AWSClients:
    import botocore.session

    return AWSClients(botocore.session.Session(), sleep=lambda _s: None)


def test_no_region_is_a_setup_error(bare_env: None) -> None:
    with pytest.raises(AWSSetupError) as info:
        _clients().client("lambda")
    err = info.value
    assert isinstance(err, UserError) and not isinstance(err, AWSError)
    assert err.exit_code == 2 and err.code == "NoRegionError"
    assert "No AWS region is configured" in str(err) and "AWS_DEFAULT_REGION" in str(err)


def test_no_credentials_at_get_caller_identity(
    bare_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    with pytest.raises(AWSSetupError) as info:
        _ = _clients().account_id
    text = str(info.value)
    assert info.value.exit_code == 2
    assert "sts.GetCallerIdentity" in text and "NoCredentialsError" in text
    assert "aws configure" in text


def test_unreachable_endpoint_and_rejected_credentials_are_setup_errors() -> None:
    from botocore.exceptions import ClientError, EndpointConnectionError

    def unreachable() -> None:
        raise EndpointConnectionError(endpoint_url="https://lambda.example.invalid/")

    with pytest.raises(AWSSetupError) as info:
        translate("lambda", "GetFunction", unreachable)
    assert info.value.exit_code == 2 and "Could not reach AWS" in str(info.value)
    assert "lambda.GetFunction" in str(info.value)

    def expired() -> None:
        raise ClientError(
            {"Error": {"Code": "ExpiredToken", "Message": "The token has expired"}}, "GetRole"
        )

    with pytest.raises(AWSSetupError, match="The token has expired"):
        translate("iam", "GetRole", expired)

    def denied() -> None:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "GetRole")

    # An ordinary AWS answer stays an AWSError (the deploy names the resource).
    with pytest.raises(AWSError):
        translate("iam", "GetRole", denied)


def test_delete_without_credentials_is_one_user_error(
    bare_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    deployed = tmp_path / ".chalice" / "deployed"
    deployed.mkdir(parents=True)
    state: dict[str, Any] = {
        "resources": [
            {
                "name": "api_handler",
                "resource_type": "lambda_function",
                "lambda_arn": "arn:aws:lambda:us-west-2:123456789012:function:demo-dev",
            }
        ],
        "schema_version": "2.0",
        "backend": "api",
    }
    (deployed / "dev.json").write_text(json.dumps(state))
    with pytest.raises(AWSSetupError) as info:
        delete_stage(
            project_dir=tmp_path, stage="dev", app_name="demo", clients=_clients(),
            ui=RecordingReporter(),
        )  # fmt: skip
    assert info.value.exit_code == 2 and "NoCredentialsError" in str(info.value)
    # Nothing was forgotten: the function may still exist.
    assert json.loads((deployed / "dev.json").read_text())["resources"] == state["resources"]


def test_unknown_profile_names_the_profile_problem(
    bare_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import botocore.session

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    session = botocore.session.Session(profile="no-such-profile")
    with pytest.raises(AWSSetupError) as info:
        AWSClients(session, sleep=lambda _s: None).client("lambda")
    text = str(info.value)
    assert info.value.exit_code == 2 and info.value.code == "ProfileNotFound"
    assert "profile does not exist" in text and "no-such-profile" in text
    assert "aws configure --profile" in text
