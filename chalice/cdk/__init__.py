"""``chalice.cdk``: deploy a Chalice app as part of an AWS CDK v2 app.

``Chalice(scope, id, source_dir, stage_config=None, preserve_logical_ids=True)``
packages the app as SAM, uploads its zip as a CDK asset and includes the
template in the stack (see ``docs/cdk.rst``). Needs the ``cdkv2`` extra::

    pip install "chalice-ng[cdkv2]"

Nothing in ``chalice`` imports this package: the CLI and the Lambda runtime
never load the CDK.
"""

from __future__ import annotations

from chalice.errors import UserError


class MissingCDKError(UserError, ImportError):
    """``chalice.cdk`` was imported without aws-cdk-lib and constructs installed."""


try:
    import aws_cdk  # noqa: F401
    import constructs  # noqa: F401
except ImportError as err:  # pragma: no cover - exercised in a venv without the extra
    raise MissingCDKError(
        f"chalice.cdk needs the AWS CDK v2 libraries, which are not installed ({err}).",
        fix='pip install "chalice-ng[cdkv2]" (installs aws-cdk-lib and constructs).',
    ) from None

from chalice.cdk.construct import Chalice  # noqa: E402

__all__ = ["Chalice", "MissingCDKError"]
