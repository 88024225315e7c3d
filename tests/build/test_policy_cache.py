"""The autogen policy cache in ``.chalice/deployments/``: keyed reuse, invalidation, replayed warnings."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from chalice.build import policy_cache
from chalice.build.policy import autogen_policy


def _project(tmp_path: Path, body: str) -> Path:
    project = tmp_path / "proj"
    (project / "chalicelib").mkdir(parents=True, exist_ok=True)
    # The tmp path in a comment: sources (and keys) unique to this test, so the
    # in-process memo of another test never answers for this one.
    (project / "app.py").write_text(f"# {tmp_path}\n" + textwrap.dedent(body))
    return project


APP = """
import boto3
from chalice import Chalice
from chalicelib import helpers
app = Chalice(app_name="cached")
ddb = boto3.client("dynamodb")

@app.lambda_function()
def handler(event, context):
    ddb.put_item(TableName="t", Item={})
    helpers.notify()
"""
HELPERS = """
import boto3

def notify():
    boto3.client("sns").publish(TopicArn="a", Message="m")
"""


def test_first_run_writes_the_cache(tmp_path: Path) -> None:
    project = _project(tmp_path, APP)
    (project / "chalicelib" / "helpers.py").write_text(HELPERS)
    doc = autogen_policy(project)
    actions = sorted(a for s in doc["Statement"] for a in s["Action"])
    assert actions == ["dynamodb:PutItem", "sns:Publish"]
    entry = json.loads(policy_cache.cache_path(project).read_text())
    assert entry["document"] == doc
    assert entry["key"] == policy_cache.cache_key(policy_cache.read_sources(project))


def test_a_matching_entry_is_reused_without_analysis(tmp_path: Path) -> None:
    project = _project(tmp_path, APP)
    key = policy_cache.cache_key(policy_cache.read_sources(project))
    planted = {"Version": "2012-10-17", "Statement": [{"Sid": "Planted"}]}
    policy_cache.store(project, key, planted, ["a replayed warning"])
    warnings: list[str] = []
    assert autogen_policy(project, warn=warnings.append) == planted
    assert warnings == ["a replayed warning"]


def test_changing_any_source_invalidates(tmp_path: Path) -> None:
    project = _project(tmp_path, APP)
    lib = project / "chalicelib" / "helpers.py"
    lib.write_text(HELPERS)
    first = policy_cache.cache_key(policy_cache.read_sources(project))
    lib.write_text(HELPERS.replace('"sns"', '"sqs"').replace("publish", "send_message"))
    second = policy_cache.cache_key(policy_cache.read_sources(project))
    assert first != second
    planted = {"Version": "2012-10-17", "Statement": []}
    policy_cache.store(project, first, planted, [])
    doc = autogen_policy(project)
    assert "sqs:SendMessage" in [a for s in doc["Statement"] for a in s["Action"]]
    # The cache now holds the new key.
    assert json.loads(policy_cache.cache_path(project).read_text())["key"] == second


def test_unsupported_service_warning_survives_the_cache(tmp_path: Path) -> None:
    project = _project(tmp_path, 'import boto3\nboto3.client("no-such-svc").go()\n')
    for _ in range(2):
        warnings: list[str] = []
        autogen_policy(project, warn=warnings.append)
        assert warnings == ["Unsupported service for auto policy generation: no-such-svc"]


def test_corrupt_or_foreign_cache_is_ignored(tmp_path: Path) -> None:
    project = _project(tmp_path, APP)
    path = policy_cache.cache_path(project)
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    assert policy_cache.load(project, "k") is None
    path.write_text(json.dumps({"format": 0, "key": "k", "document": {}, "warnings": []}))
    assert policy_cache.load(project, "k") is None
    actions = [a for s in autogen_policy(project)["Statement"] for a in s["Action"]]
    assert actions == ["dynamodb:PutItem"]  # chalicelib/helpers.py is absent here


def test_unwritable_cache_directory_is_not_an_error(tmp_path: Path) -> None:
    project = _project(tmp_path, APP)
    (project / ".chalice").mkdir()
    (project / ".chalice" / "deployments").write_text("a file where a directory should be")
    policy_cache.store(project, "k", {}, [])  # no exception
    assert autogen_policy(project)["Statement"]


def test_callers_get_a_copy(tmp_path: Path) -> None:
    project = _project(tmp_path, APP)
    autogen_policy(project)["Statement"].clear()
    assert autogen_policy(project)["Statement"]


def test_cache_hit_loads_neither_analyzer_nor_botocore(tmp_path: Path) -> None:
    project = _project(tmp_path, APP)
    autogen_policy(project)
    code = (
        "import sys; from pathlib import Path; from chalice.build.policy import autogen_policy;"
        f"autogen_policy(Path({str(project)!r}));"
        "print(sorted(m for m in sys.modules if m.startswith(('botocore', 'chalice.build.analyzer'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_key_hashes_every_analyzer_module() -> None:
    # The cached document is only as fresh as the code that made it: a module
    # split off the analyzer must join the key, or edits to it reuse stale policies.
    build = Path(policy_cache.__file__).parent
    analyzer_modules = {path.name for path in build.glob("analyzer*.py")}
    assert analyzer_modules <= set(policy_cache._CODE_FILES)
