"""The fidelity layer refuses a moto it cannot patch, instead of patching nothing."""

from __future__ import annotations

import pytest

from tests.deploy.e2e import moto_fidelity


def test_installed_moto_has_every_patched_internal() -> None:
    moto_fidelity.check_internals()


def test_missing_internal_is_named_with_the_tested_range(monkeypatch: pytest.MonkeyPatch) -> None:
    gone = ("moto.apigateway.models", "APIGatewayBackend.no_such_method")
    monkeypatch.setattr(moto_fidelity, "PATCHED", (*moto_fidelity.PATCHED, gone))
    with pytest.raises(moto_fidelity.MotoFidelityError) as info:
        moto_fidelity.check_internals()
    text = str(info.value)
    assert "moto.apigateway.models.APIGatewayBackend.no_such_method" in text
    assert ">=5.2.5,<5.3" in text


def test_missing_module_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(moto_fidelity, "PATCHED", (("moto.no_such_service", "X"),))
    with pytest.raises(moto_fidelity.MotoFidelityError, match="moto.no_such_service"):
        moto_fidelity.check_internals()


def test_pyproject_pins_the_tested_range() -> None:
    from pathlib import Path

    text = (Path(__file__).parents[3] / "pyproject.toml").read_text()
    low, high = (".".join(map(str, v)) for v in moto_fidelity.TESTED_RANGE)
    assert f'"moto[server]>={low},<{high[:-2]}"' in text
