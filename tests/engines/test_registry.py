"""The model registry: which names are served, by which engines, from which file."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from openrealtime.engines import EngineSet, EngineState
from openrealtime.engines.pool import EnginePool
from openrealtime.engines.registry import (
    EngineStartError,
    MissingExtra,
    ModelEntry,
    ModelRegistry,
    RegistryError,
    RoleEngine,
    register_kind,
)
from openrealtime.engines.scripted import ScriptedResponder, ScriptedSynthesizer

from .kinds import CountingResponder, LifeLog, counting_kind, unique_kind

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


async def started(registry: ModelRegistry) -> ModelRegistry:
    await registry.start(EnginePool())
    return registry


async def test_openai_realtime_families_are_served_out_of_the_box() -> None:
    registry = await started(ModelRegistry.default(options={"pace": 0}))
    for model in SERVED:
        engines = registry.engines(model)
        assert isinstance(engines, EngineSet), model
        assert isinstance(engines.responder, ScriptedResponder)


@pytest.mark.parametrize("model", NOT_SERVED)
def test_other_names_are_not_served(model: str | None) -> None:
    assert ModelRegistry.default().find(model) is None


async def test_engines_are_a_lookup_after_start_and_an_error_before() -> None:
    registry = ModelRegistry.default(options={"pace": 0})
    assert not registry.started
    with pytest.raises(RuntimeError, match="not started"):
        registry.engines("gpt-realtime")
    assert registry.engines("gpt-4o") is None  # an unserved name needs no engines
    await registry.start(EnginePool())
    assert registry.started
    assert registry.engines("gpt-realtime") is registry.engines("gpt-4o-realtime-preview")


async def test_models_share_the_engines_whose_options_they_share() -> None:
    """Pace changes only the synthesizer, so the two models share every other engine."""
    registry = ModelRegistry(
        [
            ModelEntry("fast", options={"pace": 0}),
            ModelEntry("paced", options={"pace": 1.0}),
            ModelEntry("again", options={"pace": 0}),
        ]
    )
    await started(registry)
    fast, paced, again = (registry.engines(name) for name in ("fast", "paced", "again"))
    assert fast is not None
    assert paced is not None
    assert again is not None
    assert fast.responder is paced.responder
    assert fast.transcriber is paced.transcriber
    assert fast.synthesizer is not paced.synthesizer
    assert fast.synthesizer is again.synthesizer
    assert isinstance(paced.synthesizer, ScriptedSynthesizer)
    assert paced.synthesizer.pace == 1.0


async def test_a_role_override_uses_its_own_kind_and_options() -> None:
    log = LifeLog()
    kind = counting_kind(log)
    entry = ModelEntry(
        "m", options={"pace": 0}, roles={"responder": RoleEngine(kind, {"reply": "hi"})}
    )
    registry = await started(ModelRegistry([entry]))
    engines = registry.engines("m")
    assert engines is not None
    assert isinstance(engines.responder, CountingResponder)
    assert engines.responder.options == {"reply": "hi"}
    assert isinstance(engines.synthesizer, ScriptedSynthesizer)
    assert log.events == ["built", "started"]


async def test_start_reports_progress_and_states() -> None:
    heard: list[tuple[str, str]] = []
    registry = ModelRegistry.default(options={"pace": 0})
    pool = EnginePool()
    await registry.start(pool, progress=lambda name, state: heard.append((name, state.status)))
    names = ["scripted.responder", "scripted.synthesizer", "scripted.transcriber", "scripted.vad"]
    for name in names:
        assert heard.index((name, "starting")) < heard.index((name, "ready"))
    assert set(registry.states().values()) == {EngineState("ready")}
    await registry.start(pool)  # again: nothing to do
    assert len(heard) == 2 * len(registry.states())
    await pool.aclose()
    assert set(registry.states().values()) == {EngineState("closed")}


async def test_ready_made_engines_are_started_and_never_closed_by_the_pool() -> None:
    log = LifeLog()
    responder = CountingResponder({}, log)
    base = (await started(ModelRegistry.default(options={"pace": 0}))).engines("gpt-realtime")
    assert base is not None
    engines = EngineSet(responder, base.synthesizer, base.transcriber, base.vad)
    registry = ModelRegistry.with_engines(engines)
    pool = EnginePool()
    await registry.start(pool)
    assert registry.engines("gpt-realtime") is engines
    assert registry.states()["gpt-realtime.responder"] == EngineState("ready")
    await pool.aclose()
    assert (responder.started, responder.closed) == (1, 0)


def test_aliases_route_to_their_target_and_are_listed() -> None:
    registry = ModelRegistry.default()
    registry.add_alias("my-agent", "gpt-realtime")
    assert registry.find("my-agent") is registry.find("gpt-realtime")
    assert registry.model_names() == ["gpt-realtime", "my-agent"]


def test_an_alias_to_an_unserved_model_is_refused() -> None:
    with pytest.raises(RegistryError, match="alias my-agent: no model serves 'gpt-4o'"):
        ModelRegistry.default().add_alias("my-agent", "gpt-4o")


async def test_a_yaml_file_configures_models_overrides_aliases_and_relative_paths(
    tmp_path: Path,
) -> None:
    (tmp_path / "replies.yaml").write_text("rules:\n  - match: hi\n    reply: hello\n")
    (tmp_path / "other.yaml").write_text("rules:\n  - match: hi\n    reply: hey\n")
    config = tmp_path / "models.yaml"
    config.write_text(
        "models:\n"
        "  - name: house-model\n"
        "    match: ['house-v*']\n"
        "    engine: scripted\n"
        "    options: {script: replies.yaml, pace: 0}\n"
        "  - name: other-model\n"
        "    options: {pace: 0}\n"
        "    responder: {engine: scripted, options: {script: other.yaml}}\n"
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
    other = registry.find("other-model")
    assert other is not None
    assert other.role_engine("responder").options == {"script": str(tmp_path / "other.yaml")}
    assert other.role_engine("synthesizer") == RoleEngine("scripted", {"pace": 0})
    await started(registry)
    house, custom = registry.engines("house-v2"), registry.engines("other-model")
    assert house is not None
    assert custom is not None
    assert house.responder is not custom.responder
    assert house.vad is custom.vad


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
        ('{"models": [{"name": "m", "vad": "x"}]}', ".json", "'vad' needs an 'engine'"),
        (
            '{"models": [{"name": "m", "vad": {"engine": "x", "size": 1}}]}',
            ".json",
            "models[0].vad: unknown field 'size'",
        ),
        ('{"models": [{"name": "m", "options": [1]}]}', ".json", "'options' must be an object"),
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
    registry = ModelRegistry([ModelEntry("m", engine="quantum")])
    with pytest.raises(
        RegistryError, match=r"model m: unknown engine 'quantum' \(known: .*scripted"
    ):
        registry.check()


def test_a_kind_without_a_needed_role_is_named() -> None:
    kind = unique_kind("half")
    register_kind(kind, roles={"responder": lambda options: CountingResponder(options, LifeLog())})
    registry = ModelRegistry([ModelEntry("m", engine=kind)])
    with pytest.raises(RegistryError, match=f"model m: engine kind '{kind}' has no synthesizer"):
        registry.check()
    fixed = ModelEntry(
        "m",
        engine=kind,
        roles={role: RoleEngine("scripted") for role in ("synthesizer", "transcriber", "vad")},
    )
    ModelRegistry([fixed]).check()


async def test_a_missing_extra_stops_the_start_with_one_line() -> None:
    def needs_extra(options: Mapping[str, Any]) -> CountingResponder:
        raise MissingExtra("the local responder needs xllamacpp: pip install 'openrealtime[local]'")

    kind = unique_kind("absent")
    register_kind(kind, roles={"responder": needs_extra})
    entry = ModelEntry("m", roles={"responder": RoleEngine(kind)})
    registry = ModelRegistry([entry])
    with pytest.raises(EngineStartError) as caught:
        await registry.start(EnginePool())
    message = str(caught.value)
    assert message == (
        f"model m: {kind}.responder: "
        "the local responder needs xllamacpp: pip install 'openrealtime[local]'"
    )
    assert registry.states()[f"{kind}.responder"] == EngineState(
        "failed", "the local responder needs xllamacpp: pip install 'openrealtime[local]'"
    )
