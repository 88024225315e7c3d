"""App loading: sys.path, vendor/, env vars, fresh imports, clear errors with file and line."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from chalice.app import Chalice
from chalice.errors import AppLoadError, ConfigError, ExperimentalFeatureError
from chalice.project import load_app, load_project


@pytest.fixture(autouse=True)
def _restore_interpreter_state() -> Iterator[None]:
    path, environ = list(sys.path), dict(os.environ)
    modules = set(sys.modules)
    yield
    sys.path[:] = path
    os.environ.clear()
    os.environ.update(environ)
    for name in set(sys.modules) - modules:
        if name == "app" or name.split(".")[0] in ("chalicelib", "vendored_thing"):
            del sys.modules[name]


def project(tmp_path: Path, app_py: str, config: dict[str, object] | None = None) -> Path:
    root = tmp_path / "proj"
    root.mkdir(parents=True)
    (root / "app.py").write_text(textwrap.dedent(app_py))
    (root / ".chalice").mkdir()
    (root / ".chalice" / "config.json").write_text(
        json.dumps(config if config is not None else {"version": "2.0", "app_name": "proj"})
    )
    return root


SIMPLE = """
from chalice import Chalice
app = Chalice(app_name="proj")

@app.route("/")
def index():
    return {"hello": "world"}
"""


def test_load_app(tmp_path: Path) -> None:
    root = project(tmp_path, SIMPLE)
    app = load_app(root)
    assert isinstance(app, Chalice)
    assert app.app_name == "proj"
    assert sys.path[0] == str(root.resolve())


def test_reload_picks_up_changes_and_chalicelib(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        "from chalice import Chalice\nfrom chalicelib.names import NAME\napp = Chalice(app_name=NAME)\n",
    )
    (root / "chalicelib").mkdir()
    (root / "chalicelib" / "__init__.py").write_text("")
    (root / "chalicelib" / "names.py").write_text("NAME = 'one'\n")
    assert load_app(root).app_name == "one"
    (root / "chalicelib" / "names.py").write_text("NAME = 'two'\n")
    assert load_app(root).app_name == "two"


def test_two_projects_in_one_process(tmp_path: Path) -> None:
    a = project(tmp_path / "a", SIMPLE.replace('"proj"', '"first"'))
    b = project(tmp_path / "b", SIMPLE.replace('"proj"', '"second"'))
    assert load_app(a).app_name == "first"
    assert load_app(b).app_name == "second"


def test_vendor_is_appended(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        "from chalice import Chalice\nimport vendored_thing\napp = Chalice(app_name=vendored_thing.NAME)\n",
    )
    (root / "vendor").mkdir()
    (root / "vendor" / "vendored_thing.py").write_text("NAME = 'from-vendor'\n")
    assert load_app(root).app_name == "from-vendor"
    assert sys.path[-1] == str(root.resolve() / "vendor")


def test_env_vars_set_while_importing(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        "import os\nfrom chalice import Chalice\napp = Chalice(app_name=os.environ['H3_APP_NAME'])\n",
    )
    assert load_app(root, env={"H3_APP_NAME": "from-env"}).app_name == "from-env"


def test_syntax_error_reports_file_and_line(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        "from chalice import Chalice\napp = Chalice(app_name='x')\n\ndef broken(:\n    pass\n",
    )
    with pytest.raises(AppLoadError) as info:
        load_app(root)
    msg = str(info.value)
    assert "Syntax error" in msg
    assert f"{root.resolve() / 'app.py'}:4" in msg or f"{root / 'app.py'}:4" in msg
    assert "def broken(:" in msg
    assert "how to fix" in msg
    assert "chalice/project.py" not in msg and "Traceback" not in msg


def test_syntax_error_in_chalicelib(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        "from chalice import Chalice\nimport chalicelib.bad\napp = Chalice(app_name='x')\n",
    )
    (root / "chalicelib").mkdir()
    (root / "chalicelib" / "__init__.py").write_text("")
    (root / "chalicelib" / "bad.py").write_text("x = 1\ny = = 2\n")
    with pytest.raises(AppLoadError) as info:
        load_app(root)
    assert "bad.py:2" in str(info.value)


def test_missing_module(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        "from chalice import Chalice\n\nimport not_installed_anywhere_h3\napp = Chalice(app_name='x')\n",
    )
    with pytest.raises(AppLoadError) as info:
        load_app(root)
    msg = str(info.value)
    assert "not_installed_anywhere_h3" in msg
    assert "app.py:3" in msg
    assert "requirements.txt" in msg and "vendor/" in msg


def test_exception_at_import_points_at_user_line(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        "from chalice import Chalice\nimport chalicelib.boom\napp = Chalice(app_name='x')\n",
    )
    (root / "chalicelib").mkdir()
    (root / "chalicelib" / "__init__.py").write_text("")
    (root / "chalicelib" / "boom.py").write_text("import json\n\njson.loads('{nope')\n")
    with pytest.raises(AppLoadError) as info:
        load_app(root)
    msg = str(info.value)
    assert "JSONDecodeError" in msg
    assert "boom.py:3" in msg


def test_sys_exit_during_import(tmp_path: Path) -> None:
    root = project(tmp_path, "import sys\nsys.exit(3)\n")
    with pytest.raises(AppLoadError, match="SystemExit"):
        load_app(root)


def test_no_app_py(tmp_path: Path) -> None:
    with pytest.raises(AppLoadError, match="No app.py"):
        load_app(tmp_path)


def test_no_app_object(tmp_path: Path) -> None:
    root = project(tmp_path, "from chalice import Chalice\napplication = Chalice(app_name='x')\n")
    with pytest.raises(AppLoadError, match="does not define `app`"):
        load_app(root)


def test_app_not_a_chalice(tmp_path: Path) -> None:
    root = project(tmp_path, "app = object()\n")
    with pytest.raises(AppLoadError, match="not a Chalice application"):
        load_app(root)


def test_load_project_uses_api_handler_env(tmp_path: Path) -> None:
    config = {
        "version": "2.0",
        "app_name": "proj",
        "environment_variables": {"H3_NAME": "top"},
        "stages": {
            "prod": {
                "lambda_functions": {
                    "api_handler": {"environment_variables": {"H3_NAME": "prod-api"}}
                }
            }
        },
    }
    root = project(
        tmp_path,
        "import os\nfrom chalice import Chalice\napp = Chalice(app_name=os.environ['H3_NAME'])\n",
        config,
    )
    cfg, app = load_project(root, stage="prod")
    assert cfg.stage == "prod" and app.app_name == "prod-api"


def test_load_project_config_errors_first(tmp_path: Path) -> None:
    root = project(tmp_path, SIMPLE, {"version": "2.0"})
    with pytest.raises(ConfigError, match="app_name"):
        load_project(root)


WS = """
from chalice import Chalice
app = Chalice(app_name="proj")
{optin}

@app.on_ws_message()
def message(event):
    pass
"""


def test_experimental_feature_not_opted_in(tmp_path: Path) -> None:
    root = project(tmp_path, WS.format(optin=""))
    with pytest.raises(ExperimentalFeatureError) as info:
        load_project(root)
    assert "WEBSOCKETS" in str(info.value)
    assert "app.experimental_feature_flags.update" in str(info.value)


def test_experimental_feature_opted_in(tmp_path: Path) -> None:
    root = project(
        tmp_path, WS.format(optin="app.experimental_feature_flags.update(['WEBSOCKETS'])")
    )
    _, app = load_project(root)
    assert "$default" in app.websocket_handlers


def test_error_inside_a_project_virtualenv_points_at_user_code(tmp_path: Path) -> None:
    root = project(
        tmp_path, "from chalice import Chalice\nimport badpkg\napp = Chalice(app_name='x')\n"
    )
    site = root / ".venv" / "lib" / "site-packages"
    site.mkdir(parents=True)
    (site / "badpkg.py").write_text("raise RuntimeError('broken package')\n")
    sys.path.insert(0, str(site))
    with pytest.raises(AppLoadError) as info:
        load_app(root)
    msg = str(info.value)
    assert "broken package" in msg and "app.py:2" in msg


def test_import_error_shows_the_users_frames_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The CLI runs from the project directory: importlib's "<frozen ...>"
    # frames must not pass for the user's files.
    root = project(
        tmp_path,
        "from chalice import Chalice\nimport chalicelib.deep\napp = Chalice(app_name='x')\n",
    )
    (root / "chalicelib").mkdir()
    (root / "chalicelib" / "__init__.py").write_text("")
    (root / "chalicelib" / "deep.py").write_text(
        "import json\n\n\ndef parse():\n    return json.loads('{nope')\n\n\nparse()\n"
    )
    monkeypatch.chdir(root)
    with pytest.raises(AppLoadError) as info:
        load_app(root)
    lines = str(info.value).splitlines()
    assert lines[0].startswith("Importing app.py failed: JSONDecodeError")
    assert lines[1] == "  Traceback (most recent call last; your code only):"
    files = [line.strip() for line in lines if line.strip().startswith("File ")]
    assert [f.split(",")[0] for f in files] == [
        f'File "{root.resolve() / "app.py"}"',
        f'File "{root.resolve() / "chalicelib" / "deep.py"}"',
        f'File "{root.resolve() / "chalicelib" / "deep.py"}"',
    ]
    assert "in parse" in files[-1] and "json.loads('{nope')" in str(info.value)
    assert "frozen" not in str(info.value) and "chalice/project.py" not in str(info.value)
    assert "json/decoder.py" not in str(info.value)


def test_syntax_error_in_chalicelib_shows_the_import_chain(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        "from chalice import Chalice\nimport chalicelib.bad\napp = Chalice(app_name='x')\n",
    )
    (root / "chalicelib").mkdir()
    (root / "chalicelib" / "__init__.py").write_text("")
    (root / "chalicelib" / "bad.py").write_text("x = 1\ny = = 2\n")
    with pytest.raises(AppLoadError) as info:
        load_app(root)
    msg = str(info.value)
    assert "app.py\", line 2, in <module>" in msg and "import chalicelib.bad" in msg
    assert "importlib" not in msg
