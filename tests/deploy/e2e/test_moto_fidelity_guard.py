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


def test_a_service_model_is_loaded_once_however_many_threads_ask() -> None:
    import threading

    from tests.deploy.e2e.moto_overhead import once_per_key

    loads: list[str] = []
    first_load_entered = threading.Event()
    release = threading.Event()

    def load(key: str) -> str:
        loads.append(key)
        first_load_entered.set()
        release.wait()
        return key.upper()

    cached = once_per_key(load)
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(cached("lambda"))) for _ in range(8)]
    for t in threads:
        t.start()
    first_load_entered.wait()
    release.set()
    for t in threads:
        t.join()
    assert loads == ["lambda"]
    assert results == ["LAMBDA"] * 8
    assert cached("iam") == "IAM" and loads == ["lambda", "iam"]


def test_the_backend_listing_is_read_once() -> None:
    import moto.backends

    moto_fidelity.apply()
    assert moto.backends.list_of_moto_modules() is moto.backends.list_of_moto_modules()
    assert "awslambda" in moto.backends.list_of_moto_modules()
