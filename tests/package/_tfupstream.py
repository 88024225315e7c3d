"""Upstream Chalice 1.34.0's Terraform output, argument by argument, and how to compare ours.

``fixtures/upstream-1.34.0-terraform.json`` holds, for each Terraform case of
``_shape.CASES``, the ``resource`` and ``terraform`` blocks upstream's
``chalice package --pkg-format terraform`` wrote for the fixture apps (the
swagger document, a local, is left out: the REST API's ``body`` only
references it). Comparing our upstream layout with it argument by argument
shows what ``terraform plan`` would change in an upstream state.

Regenerate (needs an upstream venv, e.g. ``pip install chalice==1.34.0`` in
``.bench/upstream-venv``; never run by the test suite)::

    .venv/bin/python -m tests.package._tfupstream .bench/upstream-venv
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.package._shape import APPS, CASES, HERE, case_key

FIXTURE = HERE / "fixtures" / "upstream-1.34.0-terraform.json"
TERRAFORM_CASES = tuple(case for case in CASES if case[2] == "terraform")

_INTERPOLATION = re.compile(r"\$\{([^}]*)\}")
_RESOURCE_ADDRESS = re.compile(r"(?<![.\w])(aws_[a-z0-9_]+\.[A-Za-z0-9_-]+)")


def normalise(value: Any) -> Any:
    """``value`` with every string holding an interpolation replaced by what it refers to.

    Upstream and we sometimes spell one value two ways (an ARN built from
    data sources and a resource's id, or the resource's ``execution_arn``);
    both name the same resource, which is what decides whether state
    matches. A string becomes ``"refs: <sorted resource addresses>"``; data
    sources, locals and ``path.module`` are not resources and are dropped.
    """
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, str) and "${" in value.replace("$${", ""):
        addresses: set[str] = set()
        for expression in _INTERPOLATION.findall(value):
            addresses.update(_RESOURCE_ADDRESS.findall(expression))
        return "refs: " + ", ".join(sorted(addresses))
    return value


def argument_differences(
    upstream: dict[str, Any], ours: dict[str, Any], *, ignore: frozenset[str]
) -> dict[str, list[str]]:
    """``{"<type>.<argument>": [resource names]}`` where the normalised values differ.

    Only resources both have are compared (addresses are compared by
    ``test_upstream_compat``); arguments named in ``ignore`` are skipped.
    """
    found: dict[str, list[str]] = {}
    for rtype, by_name in upstream.items():
        for name, body in by_name.items():
            mine = ours.get(rtype, {}).get(name)
            if mine is None:
                continue
            for arg in sorted(set(body) | set(mine)):
                if arg in ignore:
                    continue
                if normalise(body.get(arg)) != normalise(mine.get(arg)):
                    found.setdefault(f"{rtype}.{arg}", []).append(name)
    return {k: sorted(v) for k, v in sorted(found.items())}


def run_upstream(venv: Path, app: str, stage: str, workdir: Path) -> dict[str, Any]:
    """The fixture entry for ``app``/``stage``, from upstream's CLI in ``venv`` (no AWS calls)."""
    project = workdir / f"{app}-{stage}"
    shutil.copytree(APPS / app, project)
    out = workdir / f"out-{app}-{stage}"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "AWS_PROFILE")}
    env.update(
        AWS_DEFAULT_REGION="us-west-2", AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing"
    )
    subprocess.run(
        [str(venv / "bin" / "chalice"), "package", "--stage", stage]
        + ["--pkg-format", "terraform", str(out)],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
    )
    config: dict[str, Any] = json.loads((out / "chalice.tf.json").read_text())
    return {"resource": config["resource"], "terraform": config["terraform"]}


def main(argv: list[str]) -> None:
    venv = Path(argv[0]).absolute()
    with tempfile.TemporaryDirectory() as tmp:
        cases = {
            case_key(app, stage, fmt): run_upstream(venv, app, stage, Path(tmp))
            for app, stage, fmt in TERRAFORM_CASES
        }
    data = {"chalice_version": "1.34.0", "cases": cases}
    FIXTURE.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
