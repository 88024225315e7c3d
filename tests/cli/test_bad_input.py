"""Bad input to any command: one clear message (what, where, how to fix), a
non-zero exit, no traceback, and the project's files left as they were.

Each test here is a regression test for a case found by driving the CLI as a
user would; most run through click's runner, in process, without AWS.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from chalice.cli import cli
from tests.cli.helpers import write_project, write_state

ROUTE_APP = """\
from chalice import Chalice

app = Chalice(app_name='demo')


@app.route('/')
def index():
    return {'hello': 'world'}
"""

LAMBDA_ARN = "arn:aws:lambda:us-west-2:123456789012:function:demo-dev"


def _run(runner: CliRunner, project: Path, *args: str) -> Result:
    return runner.invoke(cli, ["--project-dir", str(project), *args], catch_exceptions=False)


def _assert_clean_failure(result: Result, *, code: int = 2) -> str:
    """The output of a failed command that failed the way a user error should."""
    output = result.output
    assert result.exit_code == code, output
    assert "Traceback" not in output
    assert "bug in chalice" not in output
    return output


# -- commands that read the deployed state, run outside a project -----------


@pytest.mark.parametrize(
    "args",
    [["url"], ["logs"], ["invoke", "-n", "api_handler"], ["generate-sdk", "sdk-out"], ["delete"]],
)
def test_state_reading_commands_outside_a_project_say_so(
    runner: CliRunner, tmp_path: Path, args: list[str]
) -> None:
    # They used to say "nothing deployed" (or print nothing, exit 0), which
    # sends the user looking for a deployment instead of the project.
    output = _assert_clean_failure(_run(runner, tmp_path, *args))
    assert "Are you sure this is a chalice project?" in output
    assert "--project-dir" in output


# -- logs / invoke / url / delete with a name or stage that was never deployed --


def test_logs_for_an_unknown_function_fails_and_lists_deployed_names(
    runner: CliRunner, tmp_path: Path
) -> None:
    project = write_project(tmp_path)
    write_state(
        project,
        [{"name": "api_handler", "resource_type": "lambda_function", "lambda_arn": LAMBDA_ARN}],
    )
    output = _assert_clean_failure(_run(runner, project, "logs", "-n", "nope"))
    assert "could not find a lambda function named nope." in output
    assert "api_handler" in output


def test_logs_before_any_deploy_says_to_deploy(runner: CliRunner, tmp_path: Path) -> None:
    project = write_project(tmp_path)
    output = _assert_clean_failure(_run(runner, project, "logs", "--stage", "prod"))
    assert "chalice deploy --stage prod" in output


def test_invoke_unknown_function_names_the_stage_and_the_fix(
    runner: CliRunner, tmp_path: Path
) -> None:
    project = write_project(tmp_path)
    output = _assert_clean_failure(_run(runner, project, "invoke", "-n", "worker"))
    assert output.startswith("could not find a lambda function named worker.")
    assert "stage 'dev'" in output
    assert "chalice deploy --stage dev" in output


def test_url_before_deploy_keeps_upstream_message_and_adds_the_fix(
    runner: CliRunner, tmp_path: Path
) -> None:
    project = write_project(tmp_path)
    output = _assert_clean_failure(_run(runner, project, "url", "--stage", "prod"))
    assert "Could not find a record of a Rest API in chalice stage: 'prod'" in output
    assert "how to fix:" in output


def test_delete_of_a_never_deployed_stage_says_nothing_was_deleted(
    runner: CliRunner, tmp_path: Path
) -> None:
    project = write_project(tmp_path)
    result = _run(runner, project, "delete", "--stage", "prdo")
    assert result.exit_code == 0, result.output
    assert "Nothing to delete" in result.output
    assert "prdo" in result.output


# -- option values click can check before anything runs --------------------


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["deploy", "--connection-timeout", "0"], "--connection-timeout"),
        (["local", "--port", "99999"], "--port"),
        (["local", "--port", "-1"], "--port"),
        (["logs", "--num-entries", "-3"], "--num-entries"),
    ],
)
def test_out_of_range_numbers_are_usage_errors(
    runner: CliRunner, tmp_path: Path, args: list[str], option: str
) -> None:
    # --connection-timeout 0 and --port 99999 used to escape as ValueError /
    # OverflowError from botocore and socket ("a bug in chalice").
    project = write_project(tmp_path)
    output = _assert_clean_failure(_run(runner, project, *args))
    assert f"Invalid value for '{option}'" in output


# -- chalice local ------------------------------------------------------------


def test_local_with_autoreload_outside_a_project_exits_at_once(
    runner: CliRunner, tmp_path: Path
) -> None:
    # The reloader's worker used to print the error and then serve 500s
    # forever, waiting for a config file that was never going to appear.
    output = _assert_clean_failure(_run(runner, tmp_path, "local", "--port", "0"))
    assert "Are you sure this is a chalice project?" in output


def test_local_with_autoreload_and_invalid_config_exits_at_once(
    runner: CliRunner, tmp_path: Path
) -> None:
    project = write_project(tmp_path)
    (project / ".chalice" / "config.json").write_text('{"app_name": "demo",, }')
    output = _assert_clean_failure(_run(runner, project, "local", "--port", "0"))
    assert "config.json:1:" in output


def test_local_on_an_address_not_of_this_machine_says_to_fix_the_host(
    runner: CliRunner, tmp_path: Path
) -> None:
    from chalice.local import LocalServerError, bind_listener

    # 192.0.2.0/24 is TEST-NET-1: never assigned to a local interface.
    with pytest.raises(LocalServerError) as info:
        bind_listener("192.0.2.1", 0)
    message = str(info.value)
    assert "--host" in message
    assert "Stop the other process" not in message


def test_local_on_a_port_in_use_says_to_pick_another(tmp_path: Path) -> None:
    from chalice.local import LocalServerError, bind_listener

    first = bind_listener("127.0.0.1", 0)
    try:
        port = first.getsockname()[1]
        with pytest.raises(LocalServerError) as info:
            bind_listener("127.0.0.1", port)
        assert "--port" in str(info.value)
    finally:
        first.close()


# -- gen-policy -----------------------------------------------------------------


def test_gen_policy_without_app_py_says_how_to_fix(runner: CliRunner, tmp_path: Path) -> None:
    output = _assert_clean_failure(_run(runner, tmp_path, "gen-policy"), code=1)
    assert "App file does not exist" in output
    assert "--filename" in output


# -- the state is never touched by a failing command ------------------------


@pytest.mark.parametrize(
    "text",
    ['{"resources": [', '{"schema_version": "9.0", "resources": []}', "[]", ""],
)
@pytest.mark.parametrize("args", [["url"], ["logs"], ["invoke", "-n", "api_handler"], ["delete"]])
def test_corrupt_state_is_reported_and_left_alone(
    runner: CliRunner, tmp_path: Path, text: str, args: list[str]
) -> None:
    project = write_project(tmp_path)
    path = project / ".chalice" / "deployed" / "dev.json"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    output = _assert_clean_failure(_run(runner, project, *args))
    assert str(path) in output
    assert path.read_text() == text
    assert sorted(p.name for p in path.parent.iterdir()) == ["dev.json"]


def test_state_file_is_valid_json_after_helpers(tmp_path: Path) -> None:
    # Guard for the fixtures above: write_state writes what load_state reads.
    path = write_state(tmp_path, [])
    assert json.loads(path.read_text())["schema_version"] == "2.0"


# -- chalice package: where the output goes --------------------------------


def test_package_into_a_path_below_a_file_fails_before_building(
    runner: CliRunner, tmp_path: Path
) -> None:
    # Used to build everything, then die with NotADirectoryError ("a bug in chalice").
    project = write_project(tmp_path / "proj", app_py=ROUTE_APP)
    blocker = tmp_path / "afile"
    blocker.write_text("")
    output = _assert_clean_failure(_run(runner, project, "package", str(blocker / "out")))
    assert "is a file" in output
    assert "Creating deployment package" not in output
    assert not (project / ".chalice" / "deployments").exists()


def test_package_single_file_below_a_file_fails_before_building(
    runner: CliRunner, tmp_path: Path
) -> None:
    project = write_project(tmp_path / "proj", app_py=ROUTE_APP)
    blocker = tmp_path / "afile"
    blocker.write_text("")
    output = _assert_clean_failure(
        _run(runner, project, "package", "--single-file", str(blocker / "pkg.zip"))
    )
    assert "is a file" in output


def test_package_write_errors_name_the_path(runner: CliRunner, tmp_path: Path) -> None:
    project = write_project(tmp_path / "proj", app_py=ROUTE_APP)
    out = tmp_path / "out"
    (out / "sam.json").mkdir(parents=True)  # something in the way of the template
    output = _assert_clean_failure(_run(runner, project, "package", str(out)))
    assert "Cannot write the package" in output
    assert str(out / "sam.json") in output


# -- deploy-time validation that AWS would otherwise do, halfway through ------

APP_HEAD = "from chalice import Chalice\n\napp = Chalice(app_name='demo')\n\n\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "@app.schedule('every tuesday')\ndef tick(event):\n    return {}\n",
            "Invalid schedule expression 'every tuesday'",
        ),
        (
            "@app.schedule('rate(1 hours)')\ndef tick(event):\n    return {}\n",
            "singular for 1",
        ),
        (
            "@app.route('/', methods=['FETCH'])\ndef index():\n    return {}\n",
            "HTTP method 'FETCH'",
        ),
    ],
)
def test_package_refuses_what_aws_would_refuse_midway(
    runner: CliRunner, tmp_path: Path, body: str, expected: str
) -> None:
    # Accepted before: package wrote a template CloudFormation rejects, and
    # deploy failed at PutRule/PutRestApi after creating the functions.
    project = write_project(tmp_path / "proj", app_py=APP_HEAD + body)
    output = _assert_clean_failure(_run(runner, project, "package", str(tmp_path / "out")))
    assert expected in output
    assert "how to fix:" in output
    assert not (tmp_path / "out").exists()


def test_invalid_api_gateway_stage_name_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    project = write_project(tmp_path / "proj", app_py=ROUTE_APP)
    output = _assert_clean_failure(
        _run(runner, project, "dev", "plan", "--api-gateway-stage", "my stage")
    )
    assert "Invalid api_gateway_stage 'my stage'" in output
    assert "--api-gateway-stage" in output


def test_valid_schedule_expressions_pass() -> None:
    from chalice import Cron, Rate
    from chalice.deploy.validate import schedule_expression_error

    for expression in (
        Rate(1, unit=Rate.HOURS).to_string(),
        Rate(5, unit=Rate.MINUTES).to_string(),
        Cron(0, 12, "*", "*", "?", "*").to_string(),
        "rate(2 days)",
    ):
        assert schedule_expression_error(expression) is None, expression


# -- output paths of the generate-* commands ---------------------------------


def test_generate_pipeline_below_a_file_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    project = write_project(tmp_path / "proj")
    blocker = tmp_path / "afile"
    blocker.write_text("")
    output = _assert_clean_failure(
        _run(runner, project, "generate-pipeline", str(blocker / "pipeline.json"))
    )
    assert "is not a directory" in output


def test_generate_pipeline_bad_buildspec_path_writes_nothing(
    runner: CliRunner, tmp_path: Path
) -> None:
    # The template used to be written before the buildspec write failed.
    project = write_project(tmp_path / "proj")
    template = tmp_path / "pipeline.json"
    output = _assert_clean_failure(
        _run(
            runner,
            project,
            "generate-pipeline",
            "-b",
            str(tmp_path / "missing" / "buildspec.yml"),
            str(template),
        )
    )
    assert "does not exist" in output
    assert not template.exists()


def test_os_errors_on_a_path_are_reported_as_such_not_as_bugs() -> None:
    from chalice.cli.failure import describe_failure

    failure = describe_failure(
        NotADirectoryError(20, "Not a directory", "/tmp/afile/sdk"), debug=False
    )
    assert failure.exit_code == 2
    assert "/tmp/afile/sdk" in failure.message
    assert "Not a directory" in failure.message
    assert "bug" not in failure.message
    # Without a path, an OSError is still unexpected: keep calling it a bug.
    assert "bug in chalice" in describe_failure(OSError("odd"), debug=False).message


# -- a --stage the config does not define -----------------------------------


def test_package_for_an_undefined_stage_warns_with_a_suggestion(
    runner: CliRunner, tmp_path: Path
) -> None:
    # Allowed (as upstream), but usually a typo that deploys a second copy.
    project = write_project(tmp_path / "proj", app_py=ROUTE_APP)
    result = _run(runner, project, "package", "--stage", "dve", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "Stage `dve` is not defined" in result.output
    assert "Did you mean `dev`?" in result.output


def test_defined_stages_do_not_warn(tmp_path: Path) -> None:
    from chalice.config import Config

    data = {"version": "2.0", "app_name": "demo", "stages": {"dev": {}, "prod": {}}}
    assert Config.from_dict(data, project_dir=tmp_path, stage="prod").warnings == ()
    bare = {"version": "2.0", "app_name": "demo"}
    assert Config.from_dict(bare, project_dir=tmp_path, stage="prod").warnings == ()


# -- consistency between commands --------------------------------------------

WEBSOCKET_APP = APP_HEAD + "@app.on_ws_message()\ndef message(event):\n    pass\n"


def test_local_refuses_websockets_without_the_opt_in(runner: CliRunner, tmp_path: Path) -> None:
    # It used to serve; deploy/package then refused the same app.
    project = write_project(tmp_path / "proj", app_py=WEBSOCKET_APP)
    output = _assert_clean_failure(_run(runner, project, "local", "--no-autoreload", "--port", "0"))
    assert "WEBSOCKETS" in output


def test_generate_models_validates_routes(runner: CliRunner, tmp_path: Path) -> None:
    app_py = APP_HEAD + "@app.route('/foo/')\ndef foo():\n    return {}\n"
    project = write_project(tmp_path / "proj", app_py=app_py)
    output = _assert_clean_failure(_run(runner, project, "generate-models"))
    assert "trailing slash" in output


def test_duplicate_function_names_read_well(runner: CliRunner, tmp_path: Path) -> None:
    app_py = APP_HEAD + (
        "@app.lambda_function(name='x')\ndef f(event, context):\n    return {}\n\n\n"
        "@app.schedule('rate(1 hour)', name='x')\ndef g(event):\n    return {}\n"
    )
    project = write_project(tmp_path / "proj", app_py=app_py)
    output = _assert_clean_failure(_run(runner, project, "package", str(tmp_path / "out")))
    assert "used by an event handler and a lambda function" in output


def test_new_project_over_an_existing_directory_says_how_to_fix(
    runner: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "taken").mkdir()
    result = runner.invoke(cli, ["new-project", "taken"])
    assert result.exit_code == 1
    assert "Directory already exists: taken" in result.output
    assert "how to fix:" in result.output


# -- --merge-template that would replace instead of merge --------------------


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ('{"Resources": []}', "Resources must be a mapping"),
        ('{"Resources": {"X": 5}}', "resource 'X' must be a mapping"),
        ('{"Resources": {"APIHandler": {"Properties": []}}}', "Properties of resource"),
        ('{"Outputs": "x"}', "Outputs must be a mapping"),
    ],
)
def test_merge_template_of_the_wrong_shape_is_refused(
    runner: CliRunner, tmp_path: Path, template: str, expected: str
) -> None:
    # '"Resources": []' used to replace every generated resource: an empty template, exit 0.
    project = write_project(tmp_path / "proj", app_py=ROUTE_APP)
    merge = tmp_path / "merge.json"
    merge.write_text(template)
    out = tmp_path / "out"
    output = _assert_clean_failure(
        _run(runner, project, "package", "--merge-template", str(merge), str(out))
    )
    assert expected in output
    assert str(merge) in output
    assert not out.exists()


# -- autogen_policy: false with a policy file IAM would refuse --------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"Statement": "x"}', "no list of statements"),
        (b'{"Version": "2012-10-17"}', "no list of statements"),
        (b'{"Statement": [{"Action": "s3:*"}]}', "Statement 0"),
        (b"\xff\xfe{}", "not UTF-8"),
    ],
)
def test_invalid_policy_file_is_refused_before_deploying(
    runner: CliRunner, tmp_path: Path, content: bytes, expected: str
) -> None:
    config = {
        "version": "2.0",
        "app_name": "demo",
        "stages": {"dev": {"autogen_policy": False}},
    }
    project = write_project(tmp_path / "proj", app_py=ROUTE_APP, config=config)
    policy = project / ".chalice" / "policy-dev.json"
    policy.write_bytes(content)
    output = _assert_clean_failure(_run(runner, project, "package", str(tmp_path / "out")))
    assert expected in output
    assert str(policy) in output
    assert "how to fix:" in output


# -- requirements.txt naming something the index does not have ---------------


def test_nonexistent_requirement_suggests_checking_the_name_first(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The message used to say only "pick a version with manylinux wheels or
    # vendor it", which is no help for a typo. No network: an empty index.
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "no-such-index"))
    project = write_project(tmp_path / "proj", app_py=ROUTE_APP)
    (project / "requirements.txt").write_text("nonexistent-pkg-xyz==1.0\n")
    output = _assert_clean_failure(_run(runner, project, "package", str(tmp_path / "out")))
    assert "Could not install nonexistent-pkg-xyz" in output
    assert "if 'nonexistent-pkg-xyz' or its version in requirements.txt is misspelt" in output


@pytest.mark.parametrize("arn", ["myrole", "arn:aws:iam::123456789012:user/bob"])
def test_iam_role_arn_that_is_not_a_role_arn_is_refused(
    runner: CliRunner, tmp_path: Path, arn: str
) -> None:
    config = {
        "version": "2.0",
        "app_name": "demo",
        "manage_iam_role": False,
        "iam_role_arn": arn,
        "stages": {"dev": {}},
    }
    project = write_project(tmp_path / "proj", app_py=ROUTE_APP, config=config)
    output = _assert_clean_failure(_run(runner, project, "package", str(tmp_path / "out")))
    assert "is not an IAM role ARN" in output
    assert "iam_role_arn" in output


def test_a_role_arn_with_a_path_is_accepted(runner: CliRunner, tmp_path: Path) -> None:
    config = {
        "version": "2.0",
        "app_name": "demo",
        "manage_iam_role": False,
        "iam_role_arn": "arn:aws-cn:iam::123456789012:role/service/my-role",
        "stages": {"dev": {}},
    }
    project = write_project(tmp_path / "proj", app_py=ROUTE_APP, config=config)
    result = _run(runner, project, "package", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output


def test_app_that_is_not_a_chalice_names_its_type(runner: CliRunner, tmp_path: Path) -> None:
    project = write_project(tmp_path / "proj", app_py="app = 42\n")
    output = _assert_clean_failure(_run(runner, project, "generate-models"))
    assert "`app` in app.py is of type int, not a Chalice application." in output


def test_invoke_with_a_non_json_payload_fails_before_calling_lambda(
    runner: CliRunner, tmp_path: Path
) -> None:
    from chalice.cli.context import CLIContext

    project = write_project(tmp_path)
    write_state(
        project,
        [{"name": "api_handler", "resource_type": "lambda_function", "lambda_arn": LAMBDA_ARN}],
    )

    def no_clients(*args: object, **kwargs: object) -> object:
        raise AssertionError("no AWS client may be made")

    obj = CLIContext(project_dir=project, clients=no_clients)
    result = runner.invoke(
        cli,
        ["--project-dir", str(project), "invoke", "-n", "api_handler"],
        input="not json",
        obj=obj,
    )
    output = _assert_clean_failure(result)
    assert "not valid JSON" in output
