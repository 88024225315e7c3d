"""``chalice generate-sdk``: download API Gateway's generated SDK and unpack it.

The API Gateway client is injected (the ``chalice.aws`` APIGateway wrapper or a fake).
API Gateway returns a zip whose single top-level directory (``apiGateway-js-sdk``)
holds the SDK; its contents end up directly in the output directory. Must not
import botocore, and never writes outside the output directory (zip entries that
would escape it are refused).
"""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from chalice.errors import UserError


class ApiGatewayClient(Protocol):
    """The one API Gateway call we need (botocore client method signature)."""

    def get_sdk(self, **kwargs: Any) -> Mapping[str, Any]:
        """The generated SDK as a zip in ``body``."""
        ...


class SDKNotAvailableError(UserError):
    """No REST API is recorded for the stage, so there is nothing to generate."""

    exit_code = 1


def no_api_error() -> SDKNotAvailableError:
    """The message upstream prints when the stage has no deployed REST API."""
    return SDKNotAvailableError("Could not find API ID, has this application been deployed?")


def _safe_extract(archive: zipfile.ZipFile, dest: Path) -> None:
    for info in archive.infolist():
        name = PurePosixPath(info.filename)
        if name.is_absolute() or ".." in name.parts:
            raise UserError(
                f"Refusing to unpack SDK entry outside the output directory: {info.filename}"
            )
    archive.extractall(dest)


def generate_sdk(
    client: ApiGatewayClient,
    *,
    rest_api_id: str,
    api_gateway_stage: str,
    out_dir: Path,
    sdk_type: str = "javascript",
) -> Path:
    """Fetch the SDK for ``rest_api_id``/``api_gateway_stage`` and unpack it into ``out_dir``."""
    response = client.get_sdk(restApiId=rest_api_id, stageName=api_gateway_stage, sdkType=sdk_type)
    body = response["body"]
    data = body.read() if hasattr(body, "read") else body
    with tempfile.TemporaryDirectory(prefix="chalice-sdk-") as tmp:
        unpacked = Path(tmp) / "unpacked"
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _safe_extract(archive, unpacked)
        entries = list(unpacked.iterdir())
        root = entries[0] if len(entries) == 1 and entries[0].is_dir() else unpacked
        out_dir.mkdir(parents=True, exist_ok=True)
        for item in root.iterdir():
            target = out_dir / item.name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
            shutil.move(str(item), str(target))
    return out_dir
