"""The comparable "shape" of a template, and running upstream Chalice to get one.

The shape is what must stay compatible with upstream 1.34.0 so existing
stacks and Terraform states update in place: resource logical ids (SAM) or
``type.name`` keys (Terraform), their types, and the Outputs.

Regenerate ``fixtures/upstream-1.34.0.json`` (needs network once, to create
the venv; never run by the test suite)::

    python3.11 -m venv .bench/upstream-venv
    .bench/upstream-venv/bin/pip install chalice==1.34.0
    .venv/bin/python -m tests.package._shape .bench/upstream-venv
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
APPS = HERE / "fixtures" / "apps"
FIXTURE = HERE / "fixtures" / "upstream-1.34.0.json"

# (app directory, stage, --pkg-format). Upstream cannot package S3 events in
# SAM, nor log groups in Terraform, hence the stages chosen here.
CASES: tuple[tuple[str, str, str], ...] = (
    ("full", "dev", "cloudformation"),
    ("full", "nologs", "terraform"),
    ("full", "variant", "cloudformation"),
    ("full", "variant", "terraform"),
    ("full", "regional", "cloudformation"),
    ("full", "regional", "terraform"),
    ("s3", "dev", "terraform"),
)


def case_key(app: str, stage: str, fmt: str) -> str:
    return f"{app}/{stage}/{fmt}"


def sam_shape(template: dict[str, Any]) -> dict[str, Any]:
    return {
        "resources": {k: v["Type"] for k, v in template["Resources"].items()},
        "outputs": template.get("Outputs", {}),
    }


def terraform_shape(template: dict[str, Any]) -> dict[str, Any]:
    return {
        "resources": {
            f"{rtype}.{name}": rtype
            for rtype, by_name in template.get("resource", {}).items()
            for name in by_name
        },
        "data": sorted(
            f"{dtype}.{name}"
            for dtype, by_name in template.get("data", {}).items()
            for name in by_name
        ),
        "outputs": template.get("output", {}),
    }


def shape_of(out_dir: Path, fmt: str) -> dict[str, Any]:
    if fmt == "cloudformation":
        return sam_shape(json.loads((out_dir / "sam.json").read_text()))
    return terraform_shape(json.loads((out_dir / "chalice.tf.json").read_text()))


def run_upstream(venv: Path, app: str, stage: str, fmt: str, workdir: Path) -> dict[str, Any]:
    venv = venv.absolute()
    """Package fixture ``app`` with upstream's CLI from ``venv`` (no AWS calls are made)."""
    project = workdir / f"{app}-{stage}-{fmt}"
    shutil.copytree(APPS / app, project)
    out = workdir / f"out-{app}-{stage}-{fmt}"
    env = dict(
        os.environ,
        AWS_DEFAULT_REGION="us-west-2",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
    )
    env.pop("AWS_PROFILE", None)
    subprocess.run(
        [str(venv / "bin" / "chalice"), "package", "--stage", stage, "--pkg-format", fmt, str(out)],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
    )
    return shape_of(out, fmt)


def upstream_shapes(venv: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        return {
            case_key(app, stage, fmt): run_upstream(venv, app, stage, fmt, Path(tmp))
            for app, stage, fmt in CASES
        }


def main(argv: list[str]) -> None:
    venv = Path(argv[0]).absolute()
    data = {"chalice_version": "1.34.0", "cases": upstream_shapes(venv)}
    FIXTURE.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
