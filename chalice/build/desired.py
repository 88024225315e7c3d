"""The front half of every pipeline: a project directory -> the desired application.

``chalice deploy`` (and ``plan``), ``chalice package`` and ``chalice dev
appgraph`` all start the same way, and all start here::

    load_project (config of the stage + the imported app, feature flags)
      -> validate_app (errors raise, warnings go to ui.warn)
      -> build_application (graph: frozen resource models)
      -> [check the template can express it: SAM only, before any zip]
      -> build_application_artifacts (zips, policies, swagger in the target's style)

What differs between the commands is a closed set, ``Target``, and lives in
its properties rather than in three copies of the sequence: the swagger URI
style, whether the app is checked and its artifacts built (the app graph
shows the model tree only, as upstream's ``dev appgraph``), and the SAM
expressibility check. Everything after (plan, execute, state; or the
template generators) consumes the returned ``DesiredApplication`` and never
looks back at the app: data flows one way.

This module only orchestrates: it never calls AWS and never reads or writes
the deployed state. Its collaborators are imported when the function runs,
so importing it costs an enum and a class (``chalice --help`` never does).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import attrs

if TYPE_CHECKING:
    from chalice.build.artifacts import PackageBuilder
    from chalice.build.swagger import SwaggerStyle
    from chalice.config import Config
    from chalice.deploy import models


class UI(Protocol):
    """Where progress (``info``) and warnings (``warn``) go.

    ``chalice.deploy.reporter.Reporter`` and the CLI's ``ConsoleUI`` fit.
    """

    def info(self, text: str) -> None: ...

    def warn(self, text: str) -> None: ...


class Target(enum.Enum):
    """What the desired application is for; decides the target-specific steps."""

    DEPLOY = "deploy"
    PACKAGE_SAM = "package-sam"
    PACKAGE_TERRAFORM = "package-terraform"
    APPGRAPH = "appgraph"

    @property
    def validates(self) -> bool:
        """Whether ``validate_app`` runs (the app graph prints even what deploy would refuse)."""
        return self is not Target.APPGRAPH

    @property
    def builds_artifacts(self) -> bool:
        """Whether zips, policy documents and swagger are built (not for the tree)."""
        return self is not Target.APPGRAPH

    def swagger_style(self) -> SwaggerStyle:
        """How the REST API document references the functions for this target."""
        from chalice.build.swagger import SwaggerStyle

        if self is Target.PACKAGE_SAM:
            return SwaggerStyle.CLOUDFORMATION
        if self is Target.PACKAGE_TERRAFORM:
            return SwaggerStyle.TERRAFORM
        return SwaggerStyle.DEPLOY


@attrs.frozen
class DesiredApplication:
    """The stage's config and its resource models (artifacts built unless APPGRAPH)."""

    config: Config
    application: models.Application
    target: Target

    @property
    def app_name(self) -> str:
        """The app's name, from the config (what state files and templates are keyed on)."""
        return self.config.app_name


def desired_application(
    project_dir: str | Path,
    *,
    stage: str,
    target: Target,
    user_params: Mapping[str, Any] | None = None,
    ui: UI | None = None,
    packager: PackageBuilder | None = None,
    on_graph: Callable[[Config, models.Application], None] | None = None,
) -> DesiredApplication:
    """Load, check, graph and build the project at ``project_dir`` for ``stage``.

    ``user_params`` are the CLI's config overrides (``profile``,
    ``autogen_policy``, ``api_gateway_stage``). ``ui`` receives the config's
    and the validator's warnings and the packager's progress; without one
    nothing is reported. ``packager`` defaults to ``Packager`` (tests inject
    a fake). ``on_graph(config, models)`` runs once the graph is built,
    before any zip (deploy creates its AWS clients meanwhile). Raises the
    ``UserError`` subclasses of each stage: ``ConfigError``,
    ``AppLoadError``, ``ValidationError``, ``PackageError``...
    """
    from chalice.project import load_project

    warn = ui.warn if ui is not None else None
    from chalice.app._snapshot import snapshot

    config, live_app = load_project(project_dir, stage=stage, user_params=user_params, warn=warn)
    # The app is walked once: validation, the graph and the build read this.
    app = snapshot(live_app)
    if target.validates:
        for warning in _validate(app, config):
            if ui is not None:
                ui.warn(warning)
    application = _graph(app, config)
    if on_graph is not None:
        on_graph(config, application)
    if target is Target.PACKAGE_SAM:
        # Refuse what SAM cannot express before spending time on zips. What SAM
        # can express is the SAM generator's knowledge, so it is asked here
        # (imported on this path only: deploy never loads the generator).
        from chalice.package.sam import check_expressible

        check_expressible(application)
    if target.builds_artifacts:
        application = _artifacts(
            application, app=app, config=config, target=target, ui=ui, packager=packager
        )
    return DesiredApplication(config=config, application=application, target=target)


# The three calls below are the only places the front half touches the
# validator, the graph and the build stage: a change of what they take
# (e.g. an app snapshot instead of the live app) is a change here only.


def _validate(app: Any, config: Config) -> list[str]:
    from chalice.deploy.validate import validate_app

    return validate_app(app, config)


def _graph(app: Any, config: Config) -> models.Application:
    from chalice.deploy.graph import build_application

    return build_application(app, config)


def _artifacts(
    application: models.Application,
    *,
    app: Any,
    config: Config,
    target: Target,
    ui: UI | None,
    packager: PackageBuilder | None,
) -> models.Application:
    from chalice.build.artifacts import build_application_artifacts

    report = ui.info if ui is not None else None
    if packager is None:
        from chalice.build.packager import Packager

        packager = Packager(report=report)
    return build_application_artifacts(
        application,
        app=app,
        config=config,
        packager=packager,
        swagger=target.swagger_style(),
        out=report,
    )
