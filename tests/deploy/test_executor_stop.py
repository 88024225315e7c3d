"""After one step fails hard nothing new starts and in-flight calls stop
retrying (issue 9, point 7); a function is recorded before any wait, and a
``State: Failed`` function stops the deploy naming it (point 2); a failed
delete says it was a delete. Fakes are injected; nothing sleeps for real."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from chalice.aws.lambda_ import FunctionFailedError, Lambda
from chalice.aws.retry import Retrier
from chalice.deploy.executor import Executor, Mode, Recorder
from chalice.deploy.plan import Action, Plan, Step, StepContext
from chalice.deploy.resources.base import PlanContext
from chalice.deploy.resources.lambdas import FunctionPlanner
from chalice.deploy.state import DeployedState, state_path
from chalice.errors import DeployError
from tests.deploy.e2e import models_kit as kit
from tests.reporting import RecordingReporter


def _client_error(code: str, message: str, op: str) -> Exception:
    from botocore.exceptions import ClientError

    err: Exception = ClientError({"Error": {"Code": code, "Message": message}}, op)
    return err


class FakeLambdaClient:
    """CreateFunction answers by function name: ``hard`` fails for good, the
    others are throttled until the deploy stops. Counts every call."""

    def __init__(self, *, hard: str, configs: list[dict[str, Any]] | None = None) -> None:
        self.hard = hard
        self.calls: list[str] = []
        self.lock = threading.Lock()
        self.configs = iter(configs or [])

    def create_function(self, **kw: Any) -> dict[str, Any]:
        with self.lock:
            self.calls.append(f"create {kw['FunctionName']}")
        if kw["FunctionName"] == self.hard:
            raise _client_error("InvalidParameterValueException", "bad memory", "CreateFunction")
        raise _client_error("TooManyRequestsException", "Rate exceeded", "CreateFunction")

    def get_function_configuration(self, **kw: Any) -> dict[str, Any]:
        with self.lock:
            self.calls.append("get_function_configuration")
        return dict(next(self.configs))


class FakeClients:
    """Just enough of ``AWSClients``: a Lambda wrapper over the fake, a stop view.

    The injected sleep waits for the deploy's stop event (bounded), so a retry
    loop that ignored the stop would show up as extra calls, not as time.
    """

    def __init__(self, client: Any) -> None:
        self.client = client
        self.stop = threading.Event()
        self.retrier = Retrier(sleep=self._sleep, stop=self.stop)

    def _sleep(self, _seconds: float) -> None:
        self.stop.wait(2)

    def with_stop(self, stop: threading.Event) -> FakeClients:
        view = copy.copy(self)
        self.stop = view.stop = stop
        view.retrier = self.retrier.with_stop(stop)
        return view

    @property
    def lambda_(self) -> Lambda:
        return Lambda(self.client, retrier=self.retrier)

    def arn(self, service: str, resource: str, *, region: bool = True) -> str:
        return f"arn:aws:{service}:{'us-west-2' if region else ''}:123456789012:{resource}"


def _create(name: str) -> Step:
    def apply(ctx: StepContext) -> Mapping[str, Any]:
        ctx.clients.lambda_.create_function({"FunctionName": name}, b"zip")
        return {"lambda_arn": f"arn:{name}"}

    return Step(name, "lambda_function", Action.CREATE, apply)


def test_a_hard_failure_stops_the_retries_of_running_steps(tmp_path: Path) -> None:
    client = FakeLambdaClient(hard="bad")
    steps = [_create("f1"), _create("f2"), _create("bad"), _create("f3"), _create("f4")]
    executor = Executor(
        clients=FakeClients(client),  # type: ignore[arg-type]
        recorder=Recorder(tmp_path, "dev", DeployedState.empty()),
        reporter=RecordingReporter(),
        max_parallel=3,
    )
    with pytest.raises(DeployError) as info:
        executor.execute(Plan("dev", tuple(steps)))
    # The cause is reported, not the throttles of the steps it stopped.
    assert "lambda.CreateFunction failed with InvalidParameterValueException: bad memory" in str(
        info.value
    )
    assert "where: lambda_function 'bad'" in str(info.value)
    # f1, f2 and bad ran (3 workers): one call each, no retries after the failure,
    # and f3/f4 never started. Without the stop each throttled step retries 10 times.
    assert sorted(client.calls) == ["create bad", "create f1", "create f2"]


def test_a_failed_delete_says_delete(tmp_path: Path) -> None:
    from chalice.aws.errors import AWSError

    def apply(ctx: StepContext) -> None:
        raise AWSError(
            service="lambda", operation="DeleteFunction", code="ServiceFailure", message="no"
        )

    start = DeployedState.empty().with_resource("f", "lambda_function", {"lambda_arn": "x"})
    executor = Executor(
        clients=None,  # type: ignore[arg-type]
        recorder=Recorder(tmp_path, "dev", start),
        reporter=RecordingReporter(),
        mode=Mode.DELETE,
    )
    with pytest.raises(DeployError) as info:
        executor.execute(Plan("dev", (Step("f", "lambda_function", Action.DELETE, apply),)))
    text = str(info.value)
    assert text.startswith("ERROR - While deleting your chalice application, the call")
    assert "While deploying" not in text and "will be reused" not in text
    assert "run 'chalice delete' again" in text


def test_a_new_function_is_recorded_before_the_wait_that_finds_it_failed(tmp_path: Path) -> None:
    class Client(FakeLambdaClient):
        def get_function(self, **kw: Any) -> dict[str, Any]:
            from botocore.exceptions import ClientError

            raise ClientError(
                {"Error": {"Code": "ResourceNotFoundException", "Message": "nope"}}, "GetFunction"
            )

        def create_function(self, **kw: Any) -> dict[str, Any]:
            self.calls.append("create")
            self.created = kw
            return {"FunctionName": kw["FunctionName"], "FunctionArn": "arn:f", "State": "Pending"}

    client = Client(
        hard="",
        configs=[
            {
                "FunctionName": "app-dev-f",
                "State": "Failed",
                "StateReasonCode": "InvalidSubnet",
                "StateReason": "The subnet subnet-1 does not exist.",
            }
        ],
    )
    clients = FakeClients(client)
    model = kit.function(
        "app", "dev", "f", kit.make_zip(tmp_path / "f.zip"), kit.role("app", "dev")
    )
    ctx = PlanContext(clients=clients, app_name="app", stage="dev", state=DeployedState.empty())  # type: ignore[arg-type]
    step = FunctionPlanner().plan(model, None, ctx)
    recorder = Recorder(tmp_path, "dev", DeployedState.empty())
    executor = Executor(clients=clients, recorder=recorder, reporter=RecordingReporter())  # type: ignore[arg-type]
    with pytest.raises(FunctionFailedError) as info:
        executor.execute(Plan("dev", (step,)))
    assert "State is Failed (InvalidSubnet): The subnet subnet-1 does not exist." in str(info.value)
    assert "subnet_ids" in str(info.value)
    saved = json.loads(state_path(tmp_path, "dev").read_text())["resources"]
    assert saved == [{"name": "f", "resource_type": "lambda_function", "lambda_arn": "arn:f"}]
    # The identity tags went with the create (the account allows tagging).
    assert client.created["Tags"]["chalice:resource"] == "f"


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        ("TooManyRequestsException", "Rate exceeded", "AWS_MAX_ATTEMPTS"),
        (
            "InvalidParameterValueException",
            "The provided execution role does not have permissions to call CreateNetworkInterface "
            "on EC2",
            "about 150 s",
        ),
    ],
)
def test_an_exhausted_budget_gets_advice_that_fits(code: str, message: str, expected: str) -> None:
    from chalice.aws.errors import AWSError
    from chalice.deploy.executor import advice

    err = AWSError(service="lambda", operation="CreateFunction", code=code, message=message)
    assert expected in advice(err)


def test_create_function_falls_back_to_untagged_when_tagging_is_denied(tmp_path: Path) -> None:
    from chalice.deploy.tagging import Tagging

    class Client(FakeLambdaClient):
        def get_function(self, **kw: Any) -> dict[str, Any]:
            from botocore.exceptions import ClientError

            raise ClientError(
                {"Error": {"Code": "ResourceNotFoundException", "Message": "nope"}}, "GetFunction"
            )

        def create_function(self, **kw: Any) -> dict[str, Any]:
            self.calls.append(f"create tags={sorted(kw.get('Tags', {}))}")
            if "chalice:app" in kw.get("Tags", {}):
                raise _client_error(
                    "AccessDeniedException",
                    "User: arn:aws:iam::123456789012:user/d is not authorized to perform: "
                    "lambda:TagResource on resource: arn:aws:lambda:us-west-2:123456789012:"
                    "function:app-dev-f because no identity-based policy allows the "
                    "lambda:TagResource action",
                    "CreateFunction",
                )
            return {"FunctionName": kw["FunctionName"], "FunctionArn": "arn:f", "State": "Active"}

    client = Client(hard="")
    clients = FakeClients(client)
    warnings: list[str] = []
    model = kit.function(
        "app", "dev", "f", kit.make_zip(tmp_path / "f.zip"), kit.role("app", "dev")
    )
    ctx = PlanContext(
        clients=clients,  # type: ignore[arg-type]
        app_name="app",
        stage="dev",
        state=DeployedState.empty(),
        tagging=Tagging(warn=warnings.append),
    )
    step = FunctionPlanner().plan(model, None, ctx)
    recorder = Recorder(tmp_path, "dev", DeployedState.empty())
    Executor(clients=clients, recorder=recorder, reporter=RecordingReporter()).execute(  # type: ignore[arg-type]
        Plan("dev", (step,))
    )
    # Tagged first; refused for the tags only; created with the user's tags alone.
    assert client.calls == [
        "create tags=['aws-chalice', 'chalice:app', 'chalice:resource', 'chalice:stage']",
        "create tags=['aws-chalice']",
    ]
    assert recorder.state.resource_names() == ["f"]
    assert len(warnings) == 1 and "lambda:TagResource" in warnings[0]
