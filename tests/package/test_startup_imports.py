"""A cached ``chalice package`` loads only what it uses (start-up time is most of its cost).

Run in a fresh interpreter: the second packaging of an unchanged project must
not import PyYAML, botocore, the policy analyzer, pip/subprocess, zipfile,
tarfile, tempfile, hashlib (OpenSSL) or the Terraform generator. benchmarks/package.py measures
the effect; this keeps an innocent top-level import from undoing it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = (
    "yaml",
    "botocore",
    "boto3",
    "chalice.build.analyzer",
    "chalice.build.analyzer_interpreter",
    "chalice.build.pip",
    "chalice.build.zipfiles",
    "chalice.package.terraform",
    "chalice.package.yamlio",
    "subprocess",
    "zipfile",
    "tarfile",
    "tempfile",
    "difflib",
    "hashlib",  # OpenSSL: only when a zip is written (keyhash hashes the cache keys)
)

SCRIPT = """
import json, sys
from chalice.package import package_app
package_app(sys.argv[1], sys.argv[2])
print(json.dumps(sorted(m for m in sys.modules if m in set(json.loads(sys.argv[3])))))
"""


def _run(project: Path, out: Path) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(project), str(out), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded: list[str] = json.loads(proc.stdout.strip().splitlines()[-1])
    return loaded


def test_cache_hit_imports_nothing_heavy(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    (project / ".chalice").mkdir(parents=True)
    (project / ".chalice" / "config.json").write_text(
        json.dumps({"version": "2.0", "app_name": "light"})
    )
    (project / "app.py").write_text(
        # boto3 imported inside the handler: importing the app must not load it.
        "from chalice import Chalice\napp = Chalice(app_name='light')\n\n"
        "@app.route('/')\ndef index():\n"
        "    import boto3\n    boto3.client('s3').list_buckets()\n    return {}\n"
    )
    _run(project, tmp_path / "out1")  # first build: analyzer, botocore, zip writing
    assert _run(project, tmp_path / "out2") == []
    sam = json.loads((tmp_path / "out2" / "sam.json").read_text())
    role = sam["Resources"]["DefaultRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    assert any("s3:ListAllMyBuckets" in s["Action"] for s in role["Statement"])
