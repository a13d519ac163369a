"""The model registry: which names are served, by which engines, from which file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openrealtime.engines import EngineSet
from openrealtime.engines.scripted import ScriptedResponder
from openrealtime.server import ModelEntry, ModelRegistry, RegistryError

SERVED = [
    "gpt-realtime",
    "gpt-realtime-2025-08-28",
    "gpt-realtime-mini",
    "gpt-realtime-mini-2025-10-06",
    "gpt-realtime-1.5",
    "gpt-realtime-2.1",
    "gpt-4o-realtime-preview",
    "gpt-4o-realtime-preview-2024-10-01",
    "gpt-4o-realtime-preview-2024-12-17",
    "gpt-4o-realtime-preview-2025-06-03",
    "gpt-4o-mini-realtime-preview",
    "gpt-4o-mini-realtime-preview-2024-12-17",
]
NOT_SERVED = ["gpt-4o", "whisper-1", "gpt-4o-transcribe", "realtime", "gpt-realtimex", "", None]


@pytest.mark.parametrize("model", SERVED)
def test_openai_realtime_families_are_served_out_of_the_box(model: str) -> None:
    registry = ModelRegistry.default(options={"pace": 0})
    engines = registry.engines(model)
    assert isinstance(engines, EngineSet)
    assert isinstance(engines.responder, ScriptedResponder)


@pytest.mark.parametrize("model", NOT_SERVED)
def test_other_names_are_not_served(model: str | None) -> None:
    assert ModelRegistry.default().find(model) is None


def test_engines_are_built_once_and_shared() -> None:
    registry = ModelRegistry.default(options={"pace": 0})
    assert registry.engines("gpt-realtime") is registry.engines("gpt-4o-realtime-preview")


def test_aliases_route_to_their_target_and_are_listed() -> None:
    registry = ModelRegistry.default()
    registry.add_alias("my-agent", "gpt-realtime")
    assert registry.find("my-agent") is registry.find("gpt-realtime")
    assert registry.model_names() == ["gpt-realtime", "my-agent"]


def test_an_alias_to_an_unserved_model_is_refused() -> None:
    with pytest.raises(RegistryError, match="alias my-agent: no model serves 'gpt-4o'"):
        ModelRegistry.default().add_alias("my-agent", "gpt-4o")


def test_a_yaml_file_configures_models_aliases_and_relative_script_paths(tmp_path: Path) -> None:
    (tmp_path / "replies.yaml").write_text("rules:\n  - match: hi\n    reply: hello\n")
    config = tmp_path / "models.yaml"
    config.write_text(
        "models:\n"
        "  - name: house-model\n"
        "    match: ['house-v*']\n"
        "    engine: scripted\n"
        "    options: {script: replies.yaml, pace: 0}\n"
        "aliases:\n"
        "  gpt-realtime: house-model\n"
    )
    registry = ModelRegistry.from_file(config)
    entry = registry.find("house-v2")
    assert entry is not None
    assert entry.options["script"] == str(tmp_path / "replies.yaml")
    assert registry.find("gpt-realtime") is entry
    assert registry.find("house-model") is entry
    assert registry.find("house-x") is None
    assert isinstance(registry.engines("house-v2"), EngineSet)


def test_a_json_file_works_too(tmp_path: Path) -> None:
    config = tmp_path / "models.json"
    config.write_text(json.dumps({"models": [{"name": "m1", "options": {"pace": 0}}]}))
    assert ModelRegistry.from_file(config).model_names() == ["m1"]


@pytest.mark.parametrize(
    ("text", "suffix", "message"),
    [
        ("models: [", ".yaml", "not valid YAML"),
        ("{", ".json", "not valid JSON"),
        ("[]", ".json", "expected an object with a 'models' list"),
        ('{"models": [{"engine": "scripted"}]}', ".json", "models[0]: each model needs a 'name'"),
        ('{"models": [{"name": "m", "colour": 1}]}', ".json", "models[0]: unknown field 'colour'"),
        ('{"models": [], "aliases": [1]}', ".json", "'aliases' must map names to model names"),
    ],
)
def test_bad_files_give_one_line_errors_naming_the_problem(
    tmp_path: Path, text: str, suffix: str, message: str
) -> None:
    path = tmp_path / f"models{suffix}"
    path.write_text(text)
    with pytest.raises(RegistryError) as caught:
        ModelRegistry.from_file(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_missing_file_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="No such file"):
        ModelRegistry.from_file(tmp_path / "absent.yaml")


def test_an_unknown_engine_kind_is_named() -> None:
    entry = ModelEntry("m", engine="quantum")
    with pytest.raises(RegistryError, match=r"model m: unknown engine 'quantum' \(known: scripted"):
        entry.engine_set()
