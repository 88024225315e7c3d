"""The ``chalice`` command line (click).

``chalice = chalice.cli:main`` is the console script. This package must stay
cheap to import: ``chalice --help`` and ``chalice --version`` import click and
nothing heavy (no botocore, yaml, attrs or the deploy pipeline). Commands import
their collaborators inside their function bodies.
"""

from __future__ import annotations

from chalice.cli.root import cli, main

__all__ = ["cli", "main"]
