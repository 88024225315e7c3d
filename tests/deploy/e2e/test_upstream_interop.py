"""Interoperability with upstream Chalice 1.34 on the same project and state file.

Needs upstream in ``.bench/upstream-venv`` (see benchmarks/deploy.py); skipped
otherwise. Upstream deploys, we take over (no duplicates), an unchanged
redeploy of ours makes no mutating call, and upstream deletes everything
from the state file we wrote.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from chalice.deploy import deployer
from tests.deploy.e2e import models_kit as kit
from tests.deploy.e2e import moto_fidelity
from tests.reporting import RecordingReporter

ROOT = Path(__file__).resolve().parents[3]
UPSTREAM = ROOT / ".bench" / "upstream-venv" / "bin" / "chalice"

pytestmark = pytest.mark.skipif(not UPSTREAM.exists(), reason="upstream chalice venv not present")


def _upstream(project: Path, *args: str) -> None:
    env = dict(os.environ, PYTHONPATH="")
    proc = subprocess.run(
        [str(UPSTREAM), "--project-dir", str(project), *args],
        env=env,
        cwd=str(project),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]


def test_upstream_then_ours_then_upstream_delete(
    sample: Path, session: Any, calls: Any, boto: Any
) -> None:
    moto_fidelity.accept_swagger2()
    project = sample
    _upstream(project, "deploy")
    before = kit.leftovers(boto, "sample", "dev")
    deployer.deploy(project, ui=RecordingReporter(), session=session)
    after = kit.leftovers(boto, "sample", "dev")
    assert {k: len(v) for k, v in after.items() if k != "rest_apis"} == {
        k: len(v) for k, v in before.items() if k != "rest_apis"
    }
    assert len(boto.apigateway.get_rest_apis()["items"]) == 1
    calls.reset()
    deployer.deploy(project, ui=RecordingReporter(), session=session)
    assert calls.mutating == []
    _upstream(project, "delete")
    assert kit.leftovers(boto, "sample", "dev") == {}
    assert boto.apigateway.get_rest_apis()["items"] == []
