"""Config: layered lookups (SPEC §3.1), merges, defaults and validation messages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import chalice
from chalice.config import Config, lambda_runtime_for
from chalice.errors import ConfigError

BASE: dict[str, Any] = {"version": "2.0", "app_name": "demo"}


def make(data: dict[str, Any], tmp_path: Path, **kw: Any) -> Config:
    return Config.from_dict({**BASE, **data}, project_dir=tmp_path, **kw)


def write_config(project: Path, text: str) -> None:
    (project / ".chalice").mkdir(parents=True, exist_ok=True)
    (project / ".chalice" / "config.json").write_text(text)


# -- precedence ---------------------------------------------------------------


def layered(tmp_path: Path, **present: bool) -> Config:
    """lambda_timeout set at the chosen layers, each layer with its own value."""
    data: dict[str, Any] = {"stages": {"dev": {"lambda_functions": {"fn": {}}}}}
    params: dict[str, Any] = {}
    if present.get("top"):
        data["lambda_timeout"] = 1
    if present.get("top_fn"):
        data["lambda_functions"] = {"fn": {"lambda_timeout": 2}}
    if present.get("stage"):
        data["stages"]["dev"]["lambda_timeout"] = 3
    if present.get("user"):
        params["lambda_timeout"] = 4
    if present.get("stage_fn"):
        data["stages"]["dev"]["lambda_functions"]["fn"]["lambda_timeout"] = 5
    return make(data, tmp_path, user_params=params).scope("fn")


@pytest.mark.parametrize(
    ("layers", "expected"),
    [
        ({}, 60),
        ({"top": True}, 1),
        ({"top": True, "top_fn": True}, 2),
        ({"top": True, "top_fn": True, "stage": True}, 3),  # stage beats top-level function
        ({"top": True, "top_fn": True, "stage": True, "user": True}, 4),
        ({"top": True, "top_fn": True, "stage": True, "user": True, "stage_fn": True}, 5),
        ({"stage_fn": True, "user": True}, 5),  # stage+function beats even the CLI
        ({"top_fn": True}, 2),
        ({"stage": True, "top_fn": True}, 3),
    ],
)
def test_lookup_precedence_every_layer(
    tmp_path: Path, layers: dict[str, bool], expected: int
) -> None:
    assert layered(tmp_path, **layers).lambda_timeout == expected


def test_null_means_not_set_at_every_layer(tmp_path: Path) -> None:
    cfg = make(
        {
            "lambda_timeout": 10,
            "stages": {
                "dev": {"lambda_timeout": None, "lambda_functions": {"f": {"lambda_timeout": None}}}
            },
        },
        tmp_path,
        user_params={"lambda_timeout": None},
    ).scope("f")
    assert cfg.lambda_timeout == 10


def test_stage_only_keys_ignore_function_sections(tmp_path: Path) -> None:
    warnings: list[str] = []
    cfg = Config.from_dict(
        {
            **BASE,
            "api_gateway_stage": "top",
            "stages": {"dev": {"lambda_functions": {"api_handler": {"api_gateway_stage": "fn"}}}},
        },
        project_dir=tmp_path,
        warn=warnings.append,
    )
    assert cfg.api_gateway_stage == "top"
    assert any("no effect in a function" in w and "api_gateway_stage" in w for w in warnings)


def test_cli_params(tmp_path: Path) -> None:
    cfg = make(
        {"autogen_policy": True, "stages": {"dev": {"api_gateway_stage": "s"}}, "profile": "p"},
        tmp_path,
        user_params={"autogen_policy": False, "api_gateway_stage": "cli", "profile": "q"},
    )
    assert cfg.autogen_policy is False
    assert cfg.api_gateway_stage == "cli"
    assert cfg.profile == "q"


def test_other_stage_not_used(tmp_path: Path) -> None:
    cfg = make({"stages": {"prod": {"lambda_memory_size": 512}}}, tmp_path, stage="dev")
    assert cfg.lambda_memory_size == 128
    prod = make({"stages": {"prod": {"lambda_memory_size": 512}}}, tmp_path, stage="prod")
    assert prod.lambda_memory_size == 512


def test_defaults(tmp_path: Path) -> None:
    cfg = make({}, tmp_path, stage="beta")
    assert cfg.function_name == "api_handler"
    assert cfg.api_gateway_stage == "api"
    assert cfg.api_gateway_endpoint_type == "EDGE"
    assert cfg.api_gateway_endpoint_vpce == ()
    assert cfg.api_gateway_policy_file is None
    assert cfg.api_gateway_custom_domain is None
    assert cfg.websocket_api_custom_domain is None
    assert cfg.minimum_compression_size is None
    assert cfg.xray is False
    assert cfg.automatic_layer is False
    assert cfg.environment_variables == {}
    assert cfg.lambda_timeout == 60
    assert cfg.lambda_memory_size == 128
    assert cfg.layers == ()
    assert cfg.subnet_ids == () and cfg.security_group_ids == ()
    assert cfg.reserved_concurrency is None
    assert cfg.manage_iam_role is True
    assert cfg.iam_role_arn is None
    assert cfg.autogen_policy is True
    assert cfg.iam_policy_file == "policy-beta.json"
    assert cfg.log_retention_in_days is None
    assert cfg.lambda_architecture == "x86_64"
    assert cfg.profile is None
    assert cfg.lambda_python_version.startswith("python3.")
    assert cfg.project_dir == tmp_path


def test_every_key_readable(tmp_path: Path) -> None:
    cfg = make(
        {
            "stages": {
                "dev": {
                    "api_gateway_endpoint_type": "PRIVATE",
                    "api_gateway_endpoint_vpce": "vpce-1",
                    "api_gateway_policy_file": "p.json",
                    "api_gateway_custom_domain": {
                        "domain_name": "api.example.com",
                        "certificate_arn": "arn:aws:acm:us-east-1:1:certificate/x",
                        "url_prefix": "v1",
                    },
                    "websocket_api_custom_domain": {
                        "domain_name": "ws.example.com",
                        "certificate_arn": "arn:c",
                        "tls_version": "TLS_1_0",
                    },
                    "minimum_compression_size": 100,
                    "xray": True,
                    "automatic_layer": True,
                    "layers": ["arn:l"],
                    "subnet_ids": ["s"],
                    "security_group_ids": ["g"],
                    "reserved_concurrency": 0,
                    "manage_iam_role": False,
                    "iam_role_arn": "arn:r",
                    "iam_policy_file": "x.json",
                    "log_retention_in_days": 14,
                    "lambda_architecture": "arm64",
                }
            }
        },
        tmp_path,
    )
    assert cfg.api_gateway_endpoint_type == "PRIVATE"
    assert cfg.api_gateway_endpoint_vpce == ("vpce-1",)
    assert cfg.api_gateway_policy_file == "p.json"
    assert cfg.api_gateway_custom_domain == {
        "domain_name": "api.example.com",
        "certificate_arn": "arn:aws:acm:us-east-1:1:certificate/x",
        "url_prefix": "v1",
        "tls_version": "TLS_1_2",
    }
    assert cfg.websocket_api_custom_domain is not None
    assert cfg.websocket_api_custom_domain["tls_version"] == "TLS_1_0"
    assert cfg.minimum_compression_size == 100
    assert cfg.xray and cfg.automatic_layer
    assert cfg.layers == ("arn:l",)
    assert cfg.subnet_ids == ("s",) and cfg.security_group_ids == ("g",)
    assert cfg.reserved_concurrency == 0
    assert cfg.manage_iam_role is False and cfg.iam_role_arn == "arn:r"
    assert cfg.iam_policy_file == "x.json"
    assert cfg.log_retention_in_days == 14
    assert cfg.lambda_architecture == "arm64"


def test_vpce_list(tmp_path: Path) -> None:
    cfg = make({"api_gateway_endpoint_vpce": ["a", "b"]}, tmp_path)
    assert cfg.api_gateway_endpoint_vpce == ("a", "b")


def test_scope_keeps_stage_and_params(tmp_path: Path) -> None:
    cfg = make({}, tmp_path, stage="prod", user_params={"profile": "x"})
    scoped = cfg.scope("worker")
    assert (scoped.stage, scoped.function_name, scoped.profile) == ("prod", "worker", "x")
    assert cfg.function_name == "api_handler"


def test_where_set(tmp_path: Path) -> None:
    cfg = make(
        {"xray": False, "stages": {"dev": {"lambda_functions": {"f": {"xray": True}}}}}, tmp_path
    )
    assert cfg.scope("f").where_set("xray") == "stages.dev.lambda_functions.f.xray"
    assert cfg.where_set("xray") == "xray"
    assert cfg.where_set("layers") is None


# -- merges -------------------------------------------------------------------


def test_environment_variables_merge_order(tmp_path: Path) -> None:
    cfg = make(
        {
            "environment_variables": {"A": "top", "B": "top", "C": "top", "D": "top", "E": "top"},
            "lambda_functions": {
                "f": {"environment_variables": {"B": "topfn", "C": "topfn", "F": "topfn"}}
            },
            "stages": {
                "dev": {
                    "environment_variables": {"C": "stage", "D": "stage"},
                    "lambda_functions": {"f": {"environment_variables": {"D": "stagefn"}}},
                }
            },
        },
        tmp_path,
        user_params={"environment_variables": {"E": "user"}},
    )
    assert cfg.scope("f").environment_variables == {
        "A": "top",
        "B": "topfn",  # quirk #7 fixed: top-level per-function values are merged
        "C": "stage",
        "D": "stagefn",
        "E": "user",
        "F": "topfn",
    }
    # Another function does not see f's sections.
    assert cfg.scope("g").environment_variables == {
        "A": "top",
        "B": "top",
        "C": "stage",
        "D": "stage",
        "E": "user",
    }


def test_tags_merge_and_chalice_tag_cannot_be_overridden(tmp_path: Path) -> None:
    cfg = make(
        {
            "tags": {"team": "a", "aws-chalice": "mine"},
            "lambda_functions": {"f": {"tags": {"fn": "yes"}}},
            "stages": {"prod": {"tags": {"team": "b", "aws-chalice": "stage"}}},
        },
        tmp_path,
        stage="prod",
    )
    tags = cfg.scope("f").tags
    assert tags["team"] == "b"
    assert tags["fn"] == "yes"
    assert tags["aws-chalice"] == f"version={chalice.__version__}:stage=prod:app=demo"
    assert list(tags)[-1] == "aws-chalice"


# -- runtime mapping ------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "runtime"),
    [
        ((3, 8, 0), "python3.10"),
        ((3, 9, 18), "python3.10"),
        ((3, 10, 0), "python3.10"),
        ((3, 11, 2), "python3.11"),
        ((3, 12, 0), "python3.12"),
        ((3, 13, 1), "python3.13"),
        ((3, 14, 0), "python3.14"),
        ((3, 15, 0), "python3.14"),
    ],
)
def test_lambda_runtime_for(version: tuple[int, int, int], runtime: str) -> None:
    assert lambda_runtime_for(version) == runtime


@given(st.integers(min_value=0, max_value=40))
def test_runtime_is_always_supported(minor: int) -> None:
    runtime = lambda_runtime_for((3, minor))
    assert runtime in {f"python3.{m}" for m in range(10, 15)}


# -- loading and validation -------------------------------------------------------


def test_load_from_disk(tmp_path: Path) -> None:
    write_config(tmp_path, json.dumps({**BASE, "stages": {"dev": {"api_gateway_stage": "v"}}}))
    cfg = Config.load(tmp_path)
    assert cfg.app_name == "demo"
    assert cfg.api_gateway_stage == "v"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        Config.load(tmp_path)
    msg = str(info.value)
    assert "Unable to load the project config file. Are you sure this is a chalice project?" in msg
    assert str(tmp_path / ".chalice" / "config.json") in msg
    assert "how to fix" in msg and "new-project" in msg


def test_invalid_json_names_file_line_and_column(tmp_path: Path) -> None:
    write_config(tmp_path, '{\n  "app_name": "x",\n  "version": "2.0"\n  "stages": {}\n}\n')
    with pytest.raises(ConfigError) as info:
        Config.load(tmp_path)
    msg = str(info.value)
    assert "invalid JSON" in msg
    assert "line 4" in msg and "column 3" in msg
    assert f"{tmp_path / '.chalice' / 'config.json'}:4:3" in msg


def test_missing_app_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no `app_name`") as info:
        Config.from_dict({"version": "2.0"}, project_dir=tmp_path)
    assert '"app_name": "myapp"' in str(info.value)


@pytest.mark.parametrize("version", ["3.0", "2.1", "abc", 3, True])
def test_unknown_version(tmp_path: Path, version: Any) -> None:
    with pytest.raises(ConfigError, match="Unknown version") as info:
        Config.from_dict({"version": version, "app_name": "x"}, project_dir=tmp_path)
    assert "`version`" in str(info.value)


@pytest.mark.parametrize("version", ["1.0", "2.0", 2, 1.0])
def test_known_versions(tmp_path: Path, version: Any) -> None:
    Config.from_dict({"version": version, "app_name": "x"}, project_dir=tmp_path)


def test_wrong_type_says_where_and_how(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        make({"stages": {"dev": {"lambda_timeout": "60"}}}, tmp_path)
    msg = str(info.value)
    assert "`lambda_timeout`" in msg and "whole number" in msg and '"60"' in msg
    assert "stages.dev.lambda_timeout" in msg
    assert "config.json" in msg
    assert 'Remove the quotes: "lambda_timeout": 60.' in msg


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"xray": "true"}, "xray"),
        ({"layers": "arn:x"}, "layers"),
        ({"subnet_ids": [1]}, "subnet_ids"),
        ({"lambda_memory_size": 1.5}, "lambda_memory_size"),
        (
            {"lambda_functions": {"f": {"reserved_concurrency": True}}},
            "lambda_functions.f.reserved_concurrency",
        ),
        ({"stages": []}, "stages"),
        ({"stages": {"dev": 3}}, "stages.dev"),
        ({"app_name": 5}, "app_name"),
        ({"api_gateway_endpoint_type": "edge"}, "api_gateway_endpoint_type"),
        ({"lambda_architecture": "arm"}, "lambda_architecture"),
        ({"api_gateway_custom_domain": "api.example.com"}, "api_gateway_custom_domain"),
        (
            {"api_gateway_custom_domain": {"domain_name": "d"}},
            "api_gateway_custom_domain.certificate_arn",
        ),
        (
            {
                "api_gateway_custom_domain": {
                    "domain_name": "d",
                    "certificate_arn": "c",
                    "tls_version": "1.2",
                }
            },
            "api_gateway_custom_domain.tls_version",
        ),
        ({"minimum_compression_size": 10485761}, "minimum_compression_size"),
        ({"lambda_timeout": 0}, "lambda_timeout"),
        ({"log_retention_in_days": 2}, "log_retention_in_days"),
        ({"tags": {"a": 1}}, "tags.a"),
    ],
)
def test_invalid_values(tmp_path: Path, data: dict[str, Any], path: str) -> None:
    with pytest.raises(ConfigError) as info:
        make(data, tmp_path)
    assert f"key `{path}`" in str(info.value)
    assert "how to fix" in str(info.value)


def test_env_var_values_must_be_strings(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        make({"stages": {"dev": {"environment_variables": {"RETRIES": 3}}}}, tmp_path)
    msg = str(info.value)
    assert "RETRIES" in msg and "must be a string" in msg
    assert "stages.dev.environment_variables.RETRIES" in msg
    assert 'Quote the value: "RETRIES": "3"' in msg


def test_endpoint_type_case_hint(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Did you mean `REGIONAL`"):
        make({"api_gateway_endpoint_type": "regional"}, tmp_path)


def test_top_level_must_be_object(tmp_path: Path) -> None:
    write_config(tmp_path, "[]")
    with pytest.raises(ConfigError, match="JSON object"):
        Config.load(tmp_path)


def test_unknown_keys_warn_with_suggestion(tmp_path: Path) -> None:
    write_config(
        tmp_path,
        json.dumps(
            {
                **BASE,
                "lamda_timeout": 5,
                "stages": {
                    "dev": {"enviroment_variables": {}, "lambda_functions": {"f": {"xrya": True}}}
                },
                "api_gateway_custom_domain": {
                    "domain_name": "d",
                    "certificate_arn": "c",
                    "url_prefx": "v",
                },
            }
        ),
    )
    seen: list[str] = []
    cfg = Config.load(tmp_path, warn=seen.append)
    assert cfg.warnings == tuple(seen)
    text = "\n".join(seen)
    assert "Unknown key `lamda_timeout`" in text and "Did you mean `lambda_timeout`?" in text
    assert "`stages.dev.enviroment_variables`" in text and "`environment_variables`" in text
    assert "`stages.dev.lambda_functions.f.xrya`" in text and "Did you mean `xray`?" in text
    assert "`url_prefx`" in text and "Did you mean `url_prefix`?" in text
    assert cfg.lambda_timeout == 60  # ignored


def test_misplaced_keys_warn(tmp_path: Path) -> None:
    seen: list[str] = []
    cfg = Config.from_dict(
        {
            **BASE,
            "stages": {
                "dev": {"app_name": "other", "lambda_functions": {"f": {"automatic_layer": True}}}
            },
        },
        project_dir=tmp_path,
        warn=seen.append,
    )
    assert cfg.app_name == "demo"
    assert cfg.scope("f").automatic_layer is False
    assert any("`app_name` has no effect in a stage" in w for w in seen)
    assert any("`automatic_layer` has no effect in a function" in w for w in seen)


def test_bad_user_params(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="autogen_policy"):
        make({}, tmp_path, user_params={"autogen_policy": "no"})


def test_function_sections(tmp_path: Path) -> None:
    cfg = make(
        {"lambda_functions": {"a": {}}, "stages": {"dev": {"lambda_functions": {"b": {}}}}},
        tmp_path,
    )
    assert cfg.function_sections() == {"a": "lambda_functions", "b": "stages.dev.lambda_functions"}


def test_from_dict_does_not_alias_input(tmp_path: Path) -> None:
    data = {**BASE, "tags": {"a": "b"}}
    cfg = Config.from_dict(data, project_dir=tmp_path)
    data["tags"]["a"] = "changed"
    assert cfg.tags["a"] == "b"


_LAYERS = ["top", "top_fn", "stage", "user", "stage_fn"]  # lowest to highest


@given(st.fixed_dictionaries({name: st.booleans() for name in _LAYERS}))
def test_precedence_property(present: dict[str, bool]) -> None:
    # The highest layer that sets the key wins; 60 (the default) when none does.
    cfg = layered(Path("/nonexistent-project"), **present)
    winners = [i + 1 for i, name in enumerate(_LAYERS) if present[name]]
    assert cfg.lambda_timeout == (max(winners) if winners else 60)


def test_null_domain_fields_are_unset(tmp_path: Path) -> None:
    cfg = make(
        {
            "api_gateway_custom_domain": {
                "domain_name": "d",
                "certificate_arn": "c",
                "tls_version": None,
                "url_prefix": None,
                "tags": None,
            }
        },
        tmp_path,
    )
    assert cfg.api_gateway_custom_domain is not None
    assert cfg.api_gateway_custom_domain["tls_version"] == "TLS_1_2"
