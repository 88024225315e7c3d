"""``ConfigLayers``: where a key's raw value comes from, for one stage and function.

A config document has several places that may set a key. Looked up for one
stage and one function, the layers are, highest first:

1. ``stages.<stage>.lambda_functions.<fn>.<key>`` (per-function keys);
2. the user's command line parameters (``--profile``, ``--autogen-policy``,
   ``--api-gateway-stage``);
3. ``stages.<stage>.<key>`` (keys that may vary per stage);
4. top-level ``lambda_functions.<fn>.<key>`` (per-function keys);
5. the top-level ``<key>``;
6. the defaults.

Which layers a key may come from is its ``Level`` in ``chalice.configkeys``.
``null`` counts as "not set" at every layer. ``environment_variables`` and
``tags`` are merged instead (later wins): top level, top-level function
section, stage, stage function section, command line. Upstream leaves the
top-level function section out of the merge (quirk #7); we merge it at its
place in the order above.

This module answers with raw values only: naming, typing and defaulting them
is ``chalice.config.Config``'s job, and so are reading and validating the
file. It never imports the app and never calls AWS.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chalice.configkeys import KEYS, Level


class ConfigLayers:
    """The layers of one config document as one stage and one function see them.

    ``chalice.config.Config`` builds on it; instances never change.
    """

    __slots__ = (
        "project_dir",
        "stage",
        "function_name",
        "_data",
        "_user_params",
        "_defaults",
        "_source",
    )

    def __init__(
        self,
        data: Mapping[str, Any],
        *,
        project_dir: Path,
        stage: str,
        function_name: str,
        user_params: Mapping[str, Any],
        defaults: Mapping[str, Any],
        source: str,
    ) -> None:
        self.project_dir = project_dir
        self.stage = stage
        self.function_name = function_name
        self._data: Mapping[str, Any] = data
        self._user_params: Mapping[str, Any] = user_params
        self._defaults: Mapping[str, Any] = defaults
        self._source = source

    @property
    def source(self) -> str:
        """The config file's path as shown in messages."""
        return self._source

    def _stage_data(self) -> Mapping[str, Any]:
        stages = self._data.get("stages") or {}
        return stages.get(self.stage) or {}

    def _function_data(self, parent: Mapping[str, Any]) -> Mapping[str, Any]:
        functions = parent.get("lambda_functions") or {}
        return functions.get(self.function_name) or {}

    def _layers(self, key: str) -> list[tuple[str, Mapping[str, Any]]]:
        """The (name, section) layers that may hold ``key``, highest first."""
        levels = KEYS[key].levels
        stage = self._stage_data()
        layers: list[tuple[str, Mapping[str, Any]]] = []
        if levels & Level.FUNCTION:
            layers.append(("stage function", self._function_data(stage)))
        layers.append(("user params", self._user_params))
        if levels & Level.STAGE:
            layers.append(("stage", stage))
        if levels & Level.FUNCTION:
            layers.append(("top function", self._function_data(self._data)))
        layers.append(("top", self._data))
        layers.append(("defaults", self._defaults))
        return layers

    def lookup(self, key: str) -> Any:
        """The raw value of ``key`` from the highest layer that sets it, else ``None``."""
        for _, layer in self._layers(key):
            value = layer.get(key)
            if value is not None:
                return value
        return None

    def where_set(self, key: str) -> str | None:
        """The key path that provides ``key``'s value (for messages), or ``None``."""
        paths = {
            "stage function": f"stages.{self.stage}.lambda_functions.{self.function_name}.{key}",
            "user params": f"--{key.replace('_', '-')} (command line)",
            "stage": f"stages.{self.stage}.{key}",
            "top function": f"lambda_functions.{self.function_name}.{key}",
            "top": key,
            "defaults": f"{key} (default_params)",
        }
        for name, layer in self._layers(key):
            if layer.get(key) is not None:
                return paths[name]
        return None

    def _merged(self, key: str) -> dict[str, str]:
        stage = self._stage_data()
        merged: dict[str, str] = {}
        for layer in (
            self._defaults,
            self._data,
            self._function_data(self._data),
            stage,
            self._function_data(stage),
            self._user_params,
        ):
            merged.update(layer.get(key) or {})
        return merged

    def function_sections(self) -> dict[str, str]:
        """Function names that have a config section, with where the section is."""
        found = {name: "lambda_functions" for name in self._data.get("lambda_functions") or {}}
        stage_fns = self._stage_data().get("lambda_functions") or {}
        for name in stage_fns:
            found[name] = f"stages.{self.stage}.lambda_functions"
        return found

    def raw(self) -> dict[str, Any]:
        """A deep copy of the whole document."""
        return copy.deepcopy(dict(self._data))
