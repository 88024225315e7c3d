"""Compatibility with upstream Chalice 1.34.0's ``chalice package`` output.

What upstream produced for the fixture apps (logical ids / Terraform keys,
types, Outputs) is committed in ``fixtures/upstream-1.34.0.json``; these
tests compare ours with it. Every difference must be listed in
``DELIBERATE`` and explained in ``docs/packaging.rst``. When an upstream venv
is available (``CHALICE_UPSTREAM_VENV`` or ``.bench/upstream-venv``; the tests
never install it) upstream is also run live to check the fixture itself.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from chalice.deploy import models
from chalice.package.sam import generate_sam_template
from chalice.package.terraform import generate_terraform_template
from tests.package import _shape
from tests.package._models import full_application, s3_application

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "packaging.rst"

_TF_STAGE = "aws_api_gateway_stage.rest_api"

# case -> the differences we chose; each name appears in docs/packaging.rst.
DELIBERATE: dict[str, dict[str, list[str]]] = {
    "full/dev/cloudformation": {
        "outputs_added": [
            "AliasDomainName",
            "HostedZoneId",
            "WebsocketAliasDomainName",
            "WebsocketHostedZoneId",
        ],
    },
    "full/nologs/terraform": {
        "outputs_added": ["WebsocketAliasDomainName", "WebsocketHostedZoneId"],
        "resources_added": [_TF_STAGE],
        "output_values_changed": ["EndpointURL", "WebsocketConnectEndpointURL"],
    },
    "full/variant/cloudformation": {},
    "full/variant/terraform": {
        "resources_added": [_TF_STAGE],
        "output_values_changed": ["EndpointURL", "WebsocketConnectEndpointURL"],
    },
    "full/regional/cloudformation": {"outputs_added": ["AliasDomainName", "HostedZoneId"]},
    "full/regional/terraform": {
        "resources_added": [_TF_STAGE],
        "output_values_changed": ["EndpointURL", "WebsocketConnectEndpointURL"],
    },
    "s3/dev/terraform": {
        "resources_added": [_TF_STAGE],
        "output_values_changed": ["EndpointURL"],
    },
}


def diff(upstream: dict[str, Any], ours: dict[str, Any]) -> dict[str, list[str]]:
    """The differences between two shapes, as sorted name lists (empty ones omitted)."""
    up_res, our_res = upstream["resources"], ours["resources"]
    up_out, our_out = upstream["outputs"], ours["outputs"]
    result = {
        "resources_added": sorted(set(our_res) - set(up_res)),
        "resources_removed": sorted(set(up_res) - set(our_res)),
        "types_changed": sorted(k for k in set(up_res) & set(our_res) if up_res[k] != our_res[k]),
        "outputs_added": sorted(set(our_out) - set(up_out)),
        "outputs_removed": sorted(set(up_out) - set(our_out)),
        "output_values_changed": sorted(
            k for k in set(up_out) & set(our_out) if up_out[k] != our_out[k]
        ),
        "data_added": sorted(set(ours.get("data", [])) - set(upstream.get("data", []))),
        "data_removed": sorted(set(upstream.get("data", [])) - set(ours.get("data", []))),
    }
    return {k: v for k, v in result.items() if v}


def _fixture() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_shape.FIXTURE.read_text())
    return data


def _application_for(case: str) -> models.Application:
    app, stage, fmt = case.split("/")
    if app == "s3":
        return s3_application(stage)
    if fmt == "terraform":
        return full_application(stage, terraform=True, log_retention=None)
    return full_application(stage)


def _our_shape_from_models(case: str) -> dict[str, Any]:
    app_name = "pkgs3" if case.startswith("s3/") else "pkgfull"
    application = _application_for(case)
    if case.endswith("/cloudformation"):
        return _shape.sam_shape(generate_sam_template(application))
    return _shape.terraform_shape(generate_terraform_template(application, app_name=app_name))


# Cases the hand-built models in _models.py reproduce (the rest need the pipeline).
MODEL_CASES = ("full/dev/cloudformation", "full/nologs/terraform", "s3/dev/terraform")


@pytest.mark.parametrize("case", MODEL_CASES)
def test_generators_match_upstream_fixture(case: str) -> None:
    upstream = _fixture()["cases"][case]
    assert diff(upstream, _our_shape_from_models(case)) == DELIBERATE[case]


def test_fixture_covers_every_case() -> None:
    assert (
        sorted(_fixture()["cases"])
        == sorted(_shape.case_key(*c) for c in _shape.CASES)
        == sorted(DELIBERATE)
    )


def test_every_deliberate_difference_is_documented() -> None:
    docs = DOCS.read_text()
    names = {name for kinds in DELIBERATE.values() for names in kinds.values() for name in names}
    missing = sorted(n for n in names if f"``{n}``" not in docs)
    assert missing == []


def _pipeline_available() -> bool:
    try:
        import chalice.build.artifacts  # noqa: F401
        import chalice.project  # noqa: F401
        from chalice import Chalice  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not _pipeline_available(), reason="the build pipeline is not available")
@pytest.mark.parametrize("case", sorted(DELIBERATE))
def test_package_app_matches_upstream_fixture(case: str, tmp_path: Path) -> None:
    from chalice.package import package_app

    app, stage, fmt = case.split("/")
    project = tmp_path / "project"
    shutil.copytree(_shape.APPS / app, project)
    out = tmp_path / "out"
    package_app(project, out, stage=stage, pkg_format=fmt)
    ours = _shape.shape_of(out, fmt)
    assert diff(_fixture()["cases"][case], ours) == DELIBERATE[case]


def _upstream_venv() -> Path | None:
    candidate = os.environ.get("CHALICE_UPSTREAM_VENV") or str(ROOT / ".bench" / "upstream-venv")
    venv = Path(candidate)
    return venv if (venv / "bin" / "chalice").exists() else None


@pytest.mark.slow
@pytest.mark.skipif(_upstream_venv() is None, reason="no upstream chalice venv")
@pytest.mark.parametrize("case", sorted(DELIBERATE))
def test_live_upstream_still_matches_fixture(case: str, tmp_path: Path) -> None:
    venv = _upstream_venv()
    assert venv is not None
    app, stage, fmt = case.split("/")
    live = _shape.run_upstream(venv, app, stage, fmt, tmp_path)
    assert live == _fixture()["cases"][case]
    if case in MODEL_CASES:
        assert diff(live, _our_shape_from_models(case)) == DELIBERATE[case]
