"""The chalice group: global options, version, error reporting, import cost."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from chalice import __version__
from chalice.cli import cli
from chalice.cli.context import CLIContext
from chalice.cli.failure import describe_failure
from chalice.cli.root import ChaliceGroup
from chalice.errors import ConfigError, DeployError, UserError

EXPECTED_COMMANDS = {
    "new-project", "local", "deploy", "delete", "package", "plan", "url", "logs", "invoke",
    "gen-policy", "generate-models", "generate-sdk", "generate-pipeline", "dev",
}  # fmt: skip


def test_version_format(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    expected = (
        f"chalice {__version__}, python {platform.python_version()}, "
        f"{platform.system().lower()} {platform.release()}"
    )
    assert result.output.strip() == expected


def test_help_lists_every_command(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert EXPECTED_COMMANDS <= set(cli.commands)
    for name in EXPECTED_COMMANDS:
        assert name in result.output


def test_dev_group_has_plan_and_appgraph() -> None:
    dev = cli.commands["dev"]
    assert isinstance(dev, click.Group)
    assert {"plan", "appgraph"} <= set(dev.commands)


def test_every_command_has_help(runner: CliRunner) -> None:
    for name in EXPECTED_COMMANDS:
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)


def test_deploy_options(runner: CliRunner) -> None:
    out = runner.invoke(cli, ["deploy", "--help"]).output
    for option in (
        "--plan",
        "--max-parallel",
        "--force-unlock",
        "--stage",
        "--profile",
        "--autogen-policy",
        "--api-gateway-stage",
        "--connection-timeout",
    ):
        assert option in out


def test_sets_cli_mode_and_changes_to_project_dir(runner: CliRunner, tmp_path: Path) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    seen = {}

    @click.command("probe")
    def probe() -> None:
        seen["mode"] = os.environ.get("AWS_CHALICE_CLI_MODE")
        seen["cwd"] = os.getcwd()
        seen["obj"] = click.get_current_context().find_object(CLIContext)

    group = _group_with(probe)
    result = runner.invoke(group, ["--project-dir", str(project), "probe"])
    assert result.exit_code == 0, result.output
    assert seen["mode"] == "true"
    assert Path(seen["cwd"]).resolve() == project.resolve()
    assert seen["obj"].project_dir == project.absolute()


def _group_with(*commands: click.Command) -> click.Group:
    group = ChaliceGroup("chalice", callback=cli.callback, params=list(cli.params))
    for command in commands:
        group.add_command(command)
    return group


def _raiser(exc: BaseException) -> click.Command:
    @click.command("boom")
    def boom() -> None:
        raise exc

    return boom


def test_user_error_message_and_exit_code(runner: CliRunner) -> None:
    err = ConfigError(
        "Unable to load the project config file.",
        where="x/.chalice/config.json",
        fix="Run chalice new-project.",
    )
    result = runner.invoke(_group_with(_raiser(err)), ["boom"])
    assert result.exit_code == 2
    assert "Unable to load the project config file." in result.stderr
    assert "how to fix: Run chalice new-project." in result.stderr
    assert "Traceback" not in result.output


def test_user_error_custom_exit_code(runner: CliRunner) -> None:
    result = runner.invoke(_group_with(_raiser(DeployError("lambda failed"))), ["boom"])
    assert result.exit_code == 1


def test_unexpected_error_is_reported_as_bug(runner: CliRunner) -> None:
    result = runner.invoke(_group_with(_raiser(KeyError("oops"))), ["boom"])
    assert result.exit_code == 2
    assert "This is a bug in chalice" in result.stderr
    assert "--debug" in result.stderr
    assert "Traceback" not in result.output


def test_debug_shows_traceback(runner: CliRunner) -> None:
    result = runner.invoke(_group_with(_raiser(RuntimeError("oops"))), ["--debug", "boom"])
    assert result.exit_code == 2
    assert "Traceback (most recent call last)" in result.stderr
    assert "RuntimeError: oops" in result.stderr


def test_debug_traceback_for_user_error(runner: CliRunner) -> None:
    result = runner.invoke(_group_with(_raiser(UserError("bad"))), ["--debug", "boom"])
    assert result.exit_code == 2
    assert "Traceback" in result.stderr and "bad" in result.stderr


def test_abort_exits_1(runner: CliRunner) -> None:
    result = runner.invoke(_group_with(_raiser(click.exceptions.Abort())), ["boom"])
    assert result.exit_code == 1


def test_botocore_region_and_credentials_errors() -> None:
    from botocore.exceptions import NoCredentialsError, NoRegionError

    region = describe_failure(NoRegionError(), debug=False)
    assert region.exit_code == 2
    assert "AWS_DEFAULT_REGION" in region.message
    creds = describe_failure(NoCredentialsError(), debug=False)
    assert creds.exit_code == 2
    assert "AWS_ACCESS_KEY_ID" in creds.message
    assert creds.traceback is None


def _run(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chalice.cli", *args],
        capture_output=True, text=True, timeout=60, env=env, cwd=cwd, input=stdin,
    )  # fmt: skip


def test_subprocess_version_and_help() -> None:
    version = _run("--version")
    assert version.returncode == 0
    assert version.stdout.startswith(f"chalice {__version__}, python ")
    help_ = _run("--help")
    assert help_.returncode == 0 and "new-project" in help_.stdout


def test_console_script_runs() -> None:
    script = Path(sys.executable).parent / "chalice"
    if not script.exists():
        pytest.skip("console script not installed in this environment")
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout.startswith("chalice ")


def test_subprocess_usage_error_exits_2() -> None:
    result = _run("no-such-command")
    assert result.returncode == 2
    assert "No such command" in result.stderr


HEAVY_MODULES = (
    "botocore",
    "boto3",
    "yaml",
    "attrs",
    "chalice.deploy",
    "chalice.config",
    "chalice.config_layers",
    "chalice.local",
    "chalice.package",
    "chalice.aws",
)

_PROBE = """
import sys
from chalice.cli import main
try:
    main([{args}])
except SystemExit:
    pass
heavy = sorted(m for m in sys.modules
               if any(m == h or m.startswith(h + ".") for h in {heavy!r}))
print("HEAVY=" + ",".join(heavy))
"""


@pytest.mark.parametrize(
    "args", ["'--help'", "'--version'", "'deploy', '--help'", "'logs', '--help'"]
)
def test_help_does_not_import_heavy_modules(args: str) -> None:
    code = _PROBE.format(args=args, heavy=HEAVY_MODULES)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    line = [x for x in result.stdout.splitlines() if x.startswith("HEAVY=")][0]
    assert line == "HEAVY=", line


def test_aws_errors_are_not_reported_as_bugs() -> None:
    from botocore.exceptions import ClientError, EndpointConnectionError

    from chalice.aws.errors import AWSError

    denied = describe_failure(
        ClientError(
            {"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "FilterLogEvents"
        ),
        debug=False,
    )
    assert denied.exit_code == 1
    assert (
        denied.message.startswith("An AWS call failed:")
        and "AccessDeniedException" in denied.message
    )
    offline = describe_failure(
        EndpointConnectionError(endpoint_url="http://127.0.0.1:9"), debug=False
    )
    assert offline.exit_code == 2 and offline.message.startswith("Could not reach AWS")
    wrapped = AWSError(
        service="sts", operation="GetCallerIdentity", code="NoRegionError", message="x"
    )
    assert describe_failure(wrapped, debug=False).message.startswith("No AWS region is configured.")
    creds = AWSError(
        service="sts", operation="GetCallerIdentity", code="NoCredentialsError", message="x"
    )
    assert "AWS_ACCESS_KEY_ID" in describe_failure(creds, debug=False).message
    throttled = AWSError(
        service="lambda", operation="Invoke", code="TooManyRequestsException", message="x"
    )
    assert describe_failure(throttled, debug=False).exit_code == 1


def test_subprocess_error_outside_a_project_has_no_traceback(tmp_path: Path) -> None:
    result = _run("deploy", cwd=tmp_path)
    assert result.returncode == 2
    assert "Unable to load the project config file" in result.stderr
    assert "Traceback" not in result.stderr
    debug = _run("--debug", "deploy", cwd=tmp_path)
    assert debug.returncode == 2 and "Traceback (most recent call last)" in debug.stderr


def test_debug_logging_truncates_huge_messages(runner: CliRunner) -> None:
    import logging

    @click.command("log")
    def log() -> None:
        logging.getLogger("botocore.endpoint").debug("body=%s", "x" * 10_000)

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        result = runner.invoke(_group_with(log), ["--debug", "log"])
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    assert result.exit_code == 0
    assert "characters omitted" in result.stderr
    assert len(result.stderr) < 5000


def test_broken_pipe_is_not_a_bug(runner: CliRunner) -> None:
    result = runner.invoke(_group_with(_raiser(BrokenPipeError(32, "Broken pipe"))), ["boom"])
    assert result.exit_code == 1
    assert "bug" not in result.output


def test_only_the_console_script_freezes_the_long_lived_objects() -> None:
    import gc

    from chalice.cli import root

    # Run from Python (tests, CliRunner), the CLI leaves the collector alone.
    assert CLIContext(project_dir=Path.cwd()).clients_ready is None
    assert root.console_context().clients_ready is root.freeze_long_lived
    before = gc.get_freeze_count()
    try:
        root.freeze_long_lived()
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
