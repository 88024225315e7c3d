"""A stage deployed to one account, then deployed, planned or deleted with another's credentials.

moto keeps accounts apart by credentials: keys from STS AssumeRole into
account 111111111111 act in that account (the default keys act in
123456789012), as AWS does for a profile of another account.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.awsrequest import AWSResponse

from chalice.deploy import deployer
from chalice.deploy.state import state_path
from chalice.errors import StateError
from tests.deploy.e2e.conftest import CallLog
from tests.reporting import RecordingReporter

OTHER = "111111111111"


def _other_account(monkeypatch: pytest.MonkeyPatch, boto: Any) -> Any:
    """A session whose credentials act in ``OTHER`` (as another profile would)."""
    creds = boto.sts.assume_role(
        RoleArn=f"arn:aws:iam::{OTHER}:role/deployer", RoleSessionName="other-account"
    )["Credentials"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds["SecretAccessKey"])
    monkeypatch.setenv("AWS_SESSION_TOKEN", creds["SessionToken"])
    return botocore.session.Session()


def test_another_accounts_credentials_change_nothing(
    sample: Path, session: Any, boto: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    deployer.deploy(sample, ui=RecordingReporter(), session=session)
    recorded = state_path(sample, "dev").read_bytes()
    functions = boto.awslambda.list_functions()["Functions"]
    assert functions

    other = _other_account(monkeypatch, boto)
    calls = CallLog(other)
    attempts = [
        lambda: deployer.deploy(sample, ui=RecordingReporter(), session=other),
        lambda: deployer.deploy(sample, ui=RecordingReporter(), session=other, plan_only=True),
        lambda: deployer.delete(sample, ui=RecordingReporter(), session=other),
    ]
    for attempt in attempts:
        with pytest.raises(StateError) as info:
            attempt()
        message = str(info.value)
        assert "deployed to AWS account 123456789012" in message
        assert f"credentials in use are for account {OTHER}" in message
        assert "where: .chalice/deployed/dev.json" in message and "--profile" in message
    assert calls.mutating == []
    assert state_path(sample, "dev").read_bytes() == recorded
    assert other.create_client("lambda").list_functions()["Functions"] == []
    assert other.create_client("iam").list_roles()["Roles"] == []
    assert boto.awslambda.list_functions()["Functions"] == functions


def test_a_read_refused_in_the_other_account_is_explained_by_the_mismatch(
    sample: Path, session: Any, boto: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On AWS, GetFunction of the recorded ARN from another account is refused
    # (AccessDeniedException), possibly before GetCallerIdentity answers.
    deployer.deploy(sample, ui=RecordingReporter(), session=session)
    other = _other_account(monkeypatch, boto)

    def refuse(model: Any, **_kwargs: Any) -> tuple[Any, dict[str, Any]]:
        error = {"Code": "AccessDeniedException", "Message": "not authorized"}
        meta = {"HTTPStatusCode": 403, "HTTPHeaders": {}}
        return AWSResponse("https://lambda", 403, {}, None), {"Error": error, "ResponseMetadata": meta}

    other.register("before-call.lambda.GetFunction", refuse)
    with pytest.raises(StateError, match=f"credentials in use are for account {OTHER}"):
        deployer.deploy(sample, ui=RecordingReporter(), session=other)
