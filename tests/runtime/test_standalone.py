"""The runtime works from a deployment-zip layout with nothing but the stdlib.

Only ``chalice/__init__.py`` and ``chalice/app/*.py`` are copied next to an
``app.py`` (what the packager ships), then imported and invoked in a
subprocess with ``python -I -S`` (no site-packages at all). The same run
checks that a plain REST + SQS app does not import modules that the runtime
keeps lazy for cold start.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.runtime.conftest import load_event, rest_event

ROOT = Path(__file__).resolve().parent.parent.parent

APP = """
from chalice import Chalice, BadRequestError

app = Chalice(app_name="standalone")


@app.route("/hello/{name}", methods=["GET"])
def hello(name):
    if name == "bad":
        raise BadRequestError("bad name")
    return {"hello": name}


@app.on_sqs_message(queue="q")
def on_sqs(event):
    return [r.body for r in event]
"""

SCRIPT = """
import json, sys
sys.path[:0] = [{root!r}]
import app
rest = app.app(json.loads({rest!r}), None)
bad = app.app(json.loads({bad!r}), None)
sqs = app.on_sqs(json.loads({sqs!r}), None)
lazy = ["logging", "typing", "base64", "decimal", "datetime", "traceback", "copy",
        "urllib.parse", "inspect", "dataclasses", "chalice.app._auth", "chalice.app._http_v2",
        "chalice.app._websocket", "chalice.app._blueprint", "chalice.app._validate"]
loaded = [m for m in lazy if m in sys.modules]
print(json.dumps({{"rest": rest, "bad": bad, "sqs": sqs, "loaded": loaded,
                  "site": "site" in sys.modules}}))
"""


def _layout(tmp_path: Path) -> Path:
    package = tmp_path / "chalice"
    (package / "app").mkdir(parents=True)
    shutil.copy(ROOT / "chalice" / "__init__.py", package / "__init__.py")
    for source in (ROOT / "chalice" / "app").glob("*.py"):
        shutil.copy(source, package / "app" / source.name)
    (tmp_path / "app.py").write_text(APP)
    return tmp_path


def test_runtime_runs_alone_without_site_packages(tmp_path: Path) -> None:
    root = _layout(tmp_path)
    script = SCRIPT.format(
        root=str(root),
        rest=json.dumps(rest_event("/hello/{name}", params={"name": "zip"})),
        bad=json.dumps(rest_event("/hello/{name}", params={"name": "bad"})),
        sqs=json.dumps(load_event("sqs/sam-Sqs.json")),
    )
    proc = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["site"] is False
    assert out["rest"]["statusCode"] == 200
    assert json.loads(out["rest"]["body"]) == {"hello": "zip"}
    assert out["bad"]["statusCode"] == 400
    assert out["sqs"] == ["Hello from SQS!"]
    assert out["loaded"] == []


def test_runtime_files_import_only_the_standard_library() -> None:
    """Every ``import`` in the runtime names a stdlib module or the runtime itself."""
    allowed_prefixes = ("chalice.app", "chalice")
    stdlib = set(sys.stdlib_module_names)
    files = [ROOT / "chalice" / "__init__.py", *sorted((ROOT / "chalice" / "app").glob("*.py"))]
    import ast

    for path in files:
        tree = ast.parse(path.read_text())
        # Imports under ``if TYPE_CHECKING:`` never run (typing_extensions for
        # the checker): leave those bodies out.
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
                node.body = []
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                assert top in stdlib or name.startswith(allowed_prefixes), (path.name, name)


V2_SCRIPT = """
import json, sys
sys.path[:0] = [{root!r}]
import app
before = "chalice.app._http_v2" in sys.modules
rest = app.app(json.loads({rest!r}), None)
after_rest = "chalice.app._http_v2" in sys.modules
v2 = app.app(json.loads({v2!r}), None)
print(json.dumps({{"before": before, "after_rest": after_rest, "rest": rest, "v2": v2,
                  "loaded": "chalice.app._http_v2" in sys.modules}}))
"""


def test_http_v2_code_loads_only_when_a_v2_event_arrives(tmp_path: Path) -> None:
    """REST events never import ``_http_v2``; the first 2.0 event does, without site-packages."""
    root = _layout(tmp_path)
    v2 = load_event("apigw-http/go-apigw-v2-request-no-authorizer.json")
    v2["rawPath"] = "/hello/v2"
    script = V2_SCRIPT.format(
        root=str(root),
        rest=json.dumps(rest_event("/hello/{name}", params={"name": "zip"})),
        v2=json.dumps(v2),
    )
    proc = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert (out["before"], out["after_rest"], out["loaded"]) == (False, False, True)
    assert out["rest"]["statusCode"] == 200
    assert out["v2"]["statusCode"] == 200
    assert json.loads(out["v2"]["body"]) == {"hello": "v2"}
