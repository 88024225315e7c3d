"""A failed AWS call during deploy is ONE message: resource, call, AWS code and
message, and a suggestion that fits the error."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from chalice.aws.errors import AWSError
from chalice.cli.failure import describe_failure
from chalice.deploy.executor import Executor, Recorder
from chalice.deploy.plan import Action, Plan, Step, StepContext
from chalice.deploy.state import DeployedState
from chalice.errors import DeployError
from tests.reporting import RecordingReporter


def _fail(tmp_path: Path, service: str, operation: str, code: str, message: str) -> DeployError:
    def apply(ctx: StepContext) -> Mapping[str, Any]:
        raise AWSError(service=service, operation=operation, code=code, message=message)

    step = Step("api_handler", "lambda_function", Action.CREATE, apply)
    executor = Executor(
        clients=None,  # type: ignore[arg-type]
        recorder=Recorder(tmp_path, "dev", DeployedState.empty()),
        reporter=RecordingReporter(),
    )
    with pytest.raises(DeployError) as info:
        executor.execute(Plan("dev", (step,)))
    return info.value


def test_too_large_package_suggests_the_layer(tmp_path: Path) -> None:
    err = _fail(
        tmp_path,
        "lambda",
        "CreateFunction",
        "RequestEntityTooLargeException",
        "Request must be smaller than 69905067 bytes for the CreateFunction operation",
    )
    text = str(err)
    assert "lambda.CreateFunction failed with RequestEntityTooLargeException" in text
    assert "where: lambda_function 'api_handler'" in text
    assert "automatic_layer" in text and "50 MB" in text
    # The CLI prints exactly this, exit code 1, no traceback.
    failure = describe_failure(err, debug=False)
    assert failure.message == text and failure.exit_code == 1 and failure.traceback is None


def test_unzipped_size_limit_gets_the_same_suggestion(tmp_path: Path) -> None:
    err = _fail(
        tmp_path,
        "lambda",
        "UpdateFunctionCode",
        "InvalidParameterValueException",
        "Unzipped size must be smaller than 262144000 bytes",
    )
    assert "automatic_layer" in str(err) and "250 MB unzipped" in str(err)


@pytest.mark.parametrize(
    ("service", "operation", "code", "action"),
    [
        ("lambda", "CreateFunction", "AccessDeniedException", "lambda:CreateFunction"),
        ("iam", "CreateRole", "AccessDenied", "iam:CreateRole"),
        ("sns", "Subscribe", "AuthorizationError", "sns:Subscribe"),
        ("apigatewayv2", "CreateApi", "AccessDeniedException", "apigateway:GET/POST"),
    ],
)
def test_access_denied_names_the_iam_action(
    tmp_path: Path, service: str, operation: str, code: str, action: str
) -> None:
    text = str(_fail(tmp_path, service, operation, code, "User: x is not authorized"))
    assert f"{service}.{operation} failed with {code}: User: x is not authorized" in text
    assert action in text and "--profile" in text
