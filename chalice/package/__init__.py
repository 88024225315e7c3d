"""``chalice package``: a project -> a SAM or Terraform template plus its zips.

The pipeline is deploy's front half with a different ending::

    desired_application(project, stage, PACKAGE_SAM | PACKAGE_TERRAFORM)
      (load, validate, graph, [SAM: expressible?], zips/policies/swagger in CFN/TF style)
      -> generate_sam_template | generate_terraform_template   (pure)
      -> [--merge-template deep merge] -> serialize -> write OUT

No state file, no plan, and no AWS call: the templates reference the
partition, region and account symbolically, so one package deploys to any
account (the CI/CD flow in ``docs/packaging.rst``). Same project in, same
bytes out: the templates and zips are deterministic.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from chalice.build.desired import UI, Target
from chalice.deploy import models
from chalice.errors import PackageError
from chalice.package.merge import deep_merge, is_yaml_path, load_merge_template
from chalice.package.sam import generate_sam_template
from chalice.package.serialize import TemplateFormat, dump_template, zip_directory

if TYPE_CHECKING:
    # Not at runtime: a SAM (or cached) run must not import the Terraform generator.
    from chalice.package.terraform import TerraformLayout

__all__ = [
    "PackageError",
    "PackageFormat",
    "PackageOptions",
    "TemplateFormat",
    "package_app",
    "write_package",
]

CODE_ZIP = "deployment.zip"
LAYER_ZIP = "layer-deployment.zip"
TERRAFORM_FILE = "chalice.tf.json"
SAM_BASENAME = "sam"
# Everything a previous run may have left in OUT; removed unless rewritten,
# so switching formats (or dropping the layer) leaves no stale file behind.
_OUTPUT_NAMES = (
    f"{SAM_BASENAME}.json",
    f"{SAM_BASENAME}.yaml",
    TERRAFORM_FILE,
    CODE_ZIP,
    LAYER_ZIP,
)

TERRAFORM_UNSUPPORTED = (
    "Terraform format does not support --merge-template, --single-file, or --template-format"
)


class PackageFormat(enum.Enum):
    """``--pkg-format``."""

    CLOUDFORMATION = "cloudformation"
    TERRAFORM = "terraform"

    @property
    def target(self) -> Target:
        """The front half's target: decides the swagger style and the SAM-only checks."""
        if self is PackageFormat.TERRAFORM:
            return Target.PACKAGE_TERRAFORM
        return Target.PACKAGE_SAM


class _SilentUI:
    def info(self, text: str) -> None:
        pass

    def warn(self, text: str) -> None:
        pass


@attrs.frozen
class PackageOptions:
    """The output choices of one ``chalice package`` run, checked by ``check``."""

    pkg_format: PackageFormat = PackageFormat.CLOUDFORMATION
    template_format: TemplateFormat = TemplateFormat.JSON
    merge_template: Path | None = None
    single_file: bool = False
    # None: not given (the generator's default layout).
    terraform_layout: TerraformLayout | None = None

    def check(self) -> None:
        """Refuse combinations that make no sense (``PackageError``)."""
        if self.terraform_layout is not None and self.pkg_format is not PackageFormat.TERRAFORM:
            raise PackageError(
                "--terraform-layout only applies to --pkg-format terraform.",
                where="chalice package --terraform-layout",
                fix="add --pkg-format terraform, or drop --terraform-layout",
            )
        if self.pkg_format is PackageFormat.TERRAFORM and (
            self.merge_template is not None
            or self.single_file
            or self.template_format is not TemplateFormat.JSON
        ):
            raise PackageError(
                TERRAFORM_UNSUPPORTED,
                where="chalice package --pkg-format terraform",
                fix="drop those options (Terraform reads chalice.tf.json as it is; "
                "add your own *.tf files next to it to extend it)",
            )

    @property
    def effective_template_format(self) -> TemplateFormat:
        """A ``.yaml``/``.yml`` merge template forces YAML output."""
        if self.merge_template is not None and is_yaml_path(self.merge_template):
            return TemplateFormat.YAML
        return self.template_format


def _enum_value(enum_cls: type[enum.Enum], value: Any, option: str) -> Any:
    if isinstance(value, enum_cls):
        return value
    try:
        return enum_cls(str(value).lower())
    except ValueError:
        choices = ", ".join(str(m.value) for m in enum_cls)
        raise PackageError(
            f"Unknown {option} {value!r}.", where=option, fix=f"use one of: {choices}"
        ) from None


def build_template(
    application: models.Application, *, app_name: str, options: PackageOptions
) -> tuple[str, str]:
    """``(file name, text)`` of the template for ``application`` (pure).

    Raises ``PackageError`` before anything is written when the app cannot be
    expressed in the chosen format or the merge template is bad.
    """
    options.check()
    if not models.dependency_order(application):
        raise PackageError(
            f"The app {app_name!r} defines nothing to deploy (no routes, event handlers, "
            "websocket handlers or Lambda functions).",
            where="app.py",
            fix="register at least one handler, e.g. @app.route('/') or @app.lambda_function()",
        )
    if options.pkg_format is PackageFormat.TERRAFORM:
        from chalice.package.terraform import TerraformLayout, generate_terraform_template

        tf = generate_terraform_template(
            application,
            app_name=app_name,
            layout=options.terraform_layout or TerraformLayout.CURRENT,
        )
        return TERRAFORM_FILE, dump_template(tf, TemplateFormat.JSON)
    template = generate_sam_template(application)
    if options.merge_template is not None:
        template = deep_merge(template, load_merge_template(options.merge_template))
    fmt = options.effective_template_format
    return f"{SAM_BASENAME}{fmt.suffix}", dump_template(template, fmt)


def _zip_sources(application: models.Application) -> tuple[str | None, str | None]:
    """Paths of the function zip and the layer zip (if any) the models point at."""
    code: str | None = None
    layer: str | None = None
    for resource in models.dependency_order(application):
        if isinstance(resource, models.LambdaFunction) and code is None:
            code = resource.deployment_package.filename
        elif isinstance(resource, models.LambdaLayer):
            layer = resource.deployment_package.filename
    return code, layer


def _write_outputs(
    directory: Path, name: str, text: str, application: models.Application
) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    target = directory / name
    target.write_text(text, encoding="utf-8")
    written.append(target)
    code, layer = _zip_sources(application)
    if code is None:
        raise PackageError(
            "The deployment package was not built.",
            where="build stage",
            fix="this is a bug in chalice: the build stage must fill deployment packages",
        )
    for source, dest_name in ((code, CODE_ZIP), (layer, LAYER_ZIP)):
        if source is None:
            continue
        dest = directory / dest_name
        _copy_file(Path(source), dest)
        written.append(dest)
    keep = {p.name for p in written}
    for stale in _OUTPUT_NAMES:
        if stale not in keep:
            (directory / stale).unlink(missing_ok=True)
    return written


def _copy_file(source: Path, dest: Path) -> None:
    """Copy a zip's bytes (in the kernel where possible, like ``shutil.copyfile``).

    Not ``shutil`` itself: importing it (with bz2 and lzma) costs more than
    the copy in a cached ``chalice package`` run.
    """
    with source.open("rb") as src, dest.open("wb") as dst:
        size = os.fstat(src.fileno()).st_size
        offset = 0
        try:
            while offset < size:
                sent = os.sendfile(dst.fileno(), src.fileno(), offset, size - offset)
                if sent == 0:
                    break
                offset += sent
        except OSError:
            pass  # no sendfile between these files: copy the rest in user space
        if offset < size:
            src.seek(offset)
            dst.seek(offset)
            while chunk := src.read(1024 * 1024):
                dst.write(chunk)
        dst.truncate()


def write_package(
    application: models.Application,
    out: str | Path,
    *,
    app_name: str,
    options: PackageOptions | None = None,
) -> list[Path]:
    """Write the template and zips of a built ``application`` to ``out``.

    ``out`` is a directory, or with ``single_file`` the zip file to create.
    Returns the paths written (the zip alone for ``single_file``).
    """
    opts = options or PackageOptions()
    name, text = build_template(application, app_name=app_name, options=opts)
    out_path = Path(out)
    check_output_path(out_path, single_file=opts.single_file)
    try:
        return _write_package_files(application, out_path, name, text, opts)
    except OSError as err:
        # Full disk, permissions, a file where a directory should be...: the
        # user's environment, not a bug; say which path and what the OS said.
        raise PackageError(
            f"Cannot write the package: {err.strerror or err}.",
            where=str(err.filename or out_path),
            fix="choose an output location you can write to (and check free disk space)",
        ) from err


def check_output_path(out_path: Path, *, single_file: bool) -> None:
    """Refuse an output location that cannot be written, before any work is done.

    Looks at the nearest existing ancestor: it must be a writable directory
    (missing directories below it are created when writing).
    """
    target = out_path.parent if single_file else out_path
    existing = target
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    # (OUT itself being a file is reported by write_package, with its own fix.)
    if not existing.is_dir() and (existing != target or single_file):
        raise PackageError(
            f"Cannot create the output directory {str(target)!r}: {str(existing)!r} is a file.",
            where=str(existing),
            fix="give an output path that is not inside a file",
        )
    if existing.is_dir() and not os.access(existing, os.W_OK | os.X_OK):
        raise PackageError(
            f"Cannot write the package under {str(existing)!r}: permission denied.",
            where=str(existing),
            fix="choose an output location you can write to",
        )


def _write_package_files(
    application: models.Application,
    out_path: Path,
    name: str,
    text: str,
    opts: PackageOptions,
) -> list[Path]:
    if opts.single_file:
        if out_path.is_dir():
            raise PackageError(
                f"--single-file writes a zip file, but {str(out_path)!r} is a directory.",
                where=str(out_path),
                fix="give the path of the zip file to create, e.g. out/package.zip",
            )
        import tempfile

        with tempfile.TemporaryDirectory(prefix="chalice-package-") as tmp:
            _write_outputs(Path(tmp), name, text, application)
            zip_directory(Path(tmp), out_path)
        return [out_path]
    if out_path.exists() and not out_path.is_dir():
        raise PackageError(
            f"The output path {str(out_path)!r} is a file, not a directory.",
            where=str(out_path),
            fix="give a directory (created if missing), or add --single-file to write a zip",
        )
    return _write_outputs(out_path, name, text, application)


def package_app(
    project_dir: str | Path,
    out_dir: str | Path,
    *,
    stage: str = "dev",
    pkg_format: PackageFormat | str = PackageFormat.CLOUDFORMATION,
    template_format: TemplateFormat | str = TemplateFormat.JSON,
    merge_template: str | Path | None = None,
    single_file: bool = False,
    ui: UI | None = None,
    profile: str | None = None,
    terraform_layout: TerraformLayout | str | None = None,
) -> None:
    """Package the project at ``project_dir`` for ``stage`` into ``out_dir``.

    Runs the graph and build stages (building zips locally), then writes
    ``sam.json``/``sam.yaml`` or ``chalice.tf.json`` with the zips. Raises a
    ``UserError`` subclass for anything the user can fix.
    ``terraform_layout`` (``current`` or ``upstream``) picks the Terraform
    layout (``chalice.package.terraform.TerraformLayout``).
    """
    layout: TerraformLayout | None = None
    if terraform_layout is not None:
        from chalice.package.terraform import TerraformLayout

        layout = _enum_value(TerraformLayout, terraform_layout, "--terraform-layout")
    options = PackageOptions(
        pkg_format=_enum_value(PackageFormat, pkg_format, "--pkg-format"),
        template_format=_enum_value(TemplateFormat, template_format, "--template-format"),
        merge_template=Path(merge_template) if merge_template is not None else None,
        single_file=single_file,
        terraform_layout=layout,
    )
    # Refuse bad option combinations (and an unwritable OUT) before spending time on a build.
    options.check()
    check_output_path(Path(out_dir), single_file=single_file)
    if options.merge_template is not None:
        load_merge_template(options.merge_template)
    reporter: UI = ui if ui is not None else _SilentUI()
    app_name, application = _build(
        Path(project_dir), stage=stage, options=options, ui=reporter, profile=profile
    )
    written = write_package(application, out_dir, app_name=app_name, options=options)
    for path in written:
        reporter.info(f"Wrote {path}")


def _build(
    project_dir: Path, *, stage: str, options: PackageOptions, ui: UI, profile: str | None
) -> tuple[str, models.Application]:
    """The shared front half, with the chosen format's swagger style and checks."""
    # Imported here: the build pulls in pip/zip machinery that the pure
    # generators above (and their tests) do not need.
    from chalice.build.desired import desired_application

    user_params: Mapping[str, Any] = {"profile": profile} if profile else {}
    desired = desired_application(
        project_dir,
        stage=stage,
        target=options.pkg_format.target,
        user_params=user_params,
        ui=ui,
    )
    return desired.app_name, desired.application
