"""The template emitter modules, as the type modules name them in their descriptors.

A descriptor points at its SAM and Terraform emitters through a function
(``sam=lambda: sam.emit_sns``). The modules here are ``typekit.LazyModule``
stand-ins, imported on first attribute access: a cached ``chalice package``
must not load the Terraform generator, and ``chalice.deploy`` must not
import ``chalice.package`` at start-up (the package imports the deploy
side). Under ``TYPE_CHECKING`` they are the real modules, so mypy checks
every reference.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalice.package import (
        sam,
        sam_apis,
        sam_httpapi,
        terraform,
        terraform_apis,
        terraform_httpapi,
    )
else:
    from chalice.deploy.typekit import LazyModule

    sam = LazyModule("chalice.package.sam")
    sam_apis = LazyModule("chalice.package.sam_apis")
    sam_httpapi = LazyModule("chalice.package.sam_httpapi")
    terraform = LazyModule("chalice.package.terraform")
    terraform_apis = LazyModule("chalice.package.terraform_apis")
    terraform_httpapi = LazyModule("chalice.package.terraform_httpapi")

__all__ = ["sam", "sam_apis", "sam_httpapi", "terraform", "terraform_apis", "terraform_httpapi"]
