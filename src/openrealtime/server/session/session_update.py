"""``session.update``: checking an update, then merging it into the effective session.

Merging recurses into ``audio``, ``audio.input`` and ``audio.output``; every
other field, ``format``, ``turn_detection``, ``transcription``,
``noise_reduction``, ``tools``, ``tracing`` and ``truncation`` included, is
replaced whole. An explicit ``null`` clears a field. A rejected update is
discarded whole: checks run before anything changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...engines import EngineSet
from ...protocol import ga
from . import errors
from .defaults import complete_format, complete_transcription, complete_turn_detection

__all__ = [
    "SessionView",
    "UpdateRules",
    "check_language",
    "check_update",
    "check_voice",
    "merge_session",
]

AnySession = ga.RealtimeSession | ga.TranscriptionSession


@dataclass(frozen=True)
class UpdateRules:
    """What the server accepts in an update.

    ``engines_for`` gives a model's started engines (``None`` for a model the server
    does not serve); their capabilities bound the voices and languages accepted.
    """

    engines_for: Callable[[str | None], EngineSet | None]
    transcription_models: tuple[str, ...]


class SessionView:
    """Typed read access to the effective session, whichever its kind."""

    def __init__(self, session: AnySession) -> None:
        self.session = session
        self._data = session.to_dict()
        audio = self._data.get("audio") or {}
        self._input: dict[str, Any] = audio.get("input") or {}
        self._output: dict[str, Any] = audio.get("output") or {}

    @property
    def is_transcription(self) -> bool:
        """Whether this is a transcription-only session."""
        return isinstance(self.session, ga.TranscriptionSession)

    @property
    def input_format(self) -> dict[str, Any]:
        """``audio.input.format``."""
        return self._input.get("format") or {"type": "audio/pcm", "rate": 24000}

    @property
    def output_format(self) -> dict[str, Any]:
        """``audio.output.format``."""
        return self._output.get("format") or {"type": "audio/pcm", "rate": 24000}

    @property
    def voice(self) -> str:
        """The voice name (a custom voice's id)."""
        voice = self._output.get("voice") or "alloy"
        return str(voice["id"]) if isinstance(voice, dict) else str(voice)

    @property
    def speed(self) -> float:
        """``audio.output.speed``."""
        return float(self._output.get("speed") or 1.0)

    @property
    def turn_detection(self) -> dict[str, Any] | None:
        """``audio.input.turn_detection``, complete, or ``None`` when off."""
        value = self._input.get("turn_detection")
        return value if isinstance(value, dict) else None

    @property
    def transcription(self) -> dict[str, Any] | None:
        """``audio.input.transcription``, or ``None`` when off."""
        value = self._input.get("transcription")
        return value if isinstance(value, dict) else None

    @property
    def logprobs(self) -> bool:
        """Whether transcription events carry log probabilities."""
        return "item.input_audio_transcription.logprobs" in (self._data.get("include") or [])

    @property
    def model(self) -> str | None:
        """The session's model."""
        value = self._data.get("model")
        return value if isinstance(value, str) else None

    @property
    def instructions(self) -> str:
        """The system instructions."""
        return str(self._data.get("instructions") or "")

    @property
    def output_modalities(self) -> list[str]:
        """``output_modalities``."""
        return list(self._data.get("output_modalities") or ["audio"])

    @property
    def tools(self) -> list[dict[str, Any]]:
        """The session's tools, as wire objects."""
        return list(self._data.get("tools") or [])

    @property
    def tool_choice(self) -> Any:
        """``tool_choice``: a mode string or a function object."""
        return self._data.get("tool_choice") or "auto"

    @property
    def truncation(self) -> ga.Truncation | None:
        """``truncation`` of a realtime session."""
        session = self.session
        return session.truncation if isinstance(session, ga.RealtimeSession) else None

    @property
    def max_output_tokens(self) -> int | str:
        """An integer limit or ``"inf"``."""
        value = self._data.get("max_output_tokens")
        return value if isinstance(value, int) else "inf"

    @property
    def temperature(self) -> float | None:
        """The beta-only temperature."""
        value = self._data.get("temperature")
        return float(value) if isinstance(value, int | float) else None


def check_update(
    current: SessionView,
    update: AnySession,
    rules: UpdateRules,
    *,
    voice_locked: bool,
    event_id: str | None,
) -> None:
    """Raise the first :class:`ProtocolError` the update deserves, before any change."""
    if isinstance(update, ga.TranscriptionSession) != current.is_transcription:
        raise errors.session_type_mismatch(not current.is_transcription, event_id)
    data = update.to_dict()
    model = data.get("model")
    if isinstance(model, str) and rules.engines_for(model) is None:
        raise errors.invalid_model(model, "session.model", event_id)
    modalities = data.get("output_modalities")
    if isinstance(modalities, list) and len(set(modalities)) > 1:
        raise errors.output_modalities(modalities, "session.output_modalities", event_id)
    _check_tools(data, event_id)
    audio = data.get("audio") or {}
    output = audio.get("output") or {}
    if "voice" in output and voice_locked and _voice_name(output["voice"]) != current.voice:
        raise errors.cannot_update_voice(event_id)
    transcription = (audio.get("input") or {}).get("transcription")
    if isinstance(transcription, dict):
        model_name = transcription.get("model")
        if isinstance(model_name, str) and model_name not in rules.transcription_models:
            raise errors.unsupported_value(
                model_name,
                rules.transcription_models,
                "session.audio.input.transcription.model",
                event_id,
            )
    engines = rules.engines_for(model if isinstance(model, str) else current.model)
    if engines is not None:
        voice = output.get("voice")
        if voice is not None:
            check_voice(_voice_name(voice), engines, "session.audio.output.voice", event_id)
        language = transcription.get("language") if isinstance(transcription, dict) else None
        if isinstance(language, str):
            check_language(
                language, engines, "session.audio.input.transcription.language", event_id
            )


def check_voice(voice: str, engines: EngineSet, param: str, event_id: str | None) -> None:
    """Raise ``invalid_value`` naming the voices when the synthesizer lacks ``voice``."""
    voices = engines.synthesizer.capabilities.voices
    if voices is not None and voice not in voices:
        raise errors.unsupported_value(voice, voices, param, event_id)


def check_language(language: str, engines: EngineSet, param: str, event_id: str | None) -> None:
    """Raise ``invalid_value`` naming the languages when the transcriber lacks ``language``."""
    languages = engines.transcriber.capabilities.languages
    if languages is not None and language not in languages:
        raise errors.unsupported_value(language, languages, param, event_id)


def _voice_name(voice: object) -> str:
    """A wire voice: a name, or a custom voice's ``{"id": ...}``."""
    return str(voice["id"]) if isinstance(voice, dict) else str(voice)


def _check_tools(data: dict[str, Any], event_id: str | None) -> None:
    for index, tool in enumerate(data.get("tools") or []):
        if tool.get("type") != "function":
            raise errors.unsupported_value(
                str(tool.get("type")), ["function"], f"session.tools[{index}].type", event_id
            )
    choice = data.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") != "function":
        raise errors.unsupported_value(
            str(choice.get("type")), ["function"], "session.tool_choice.type", event_id
        )


def merge_session(current: AnySession, update: AnySession) -> AnySession:
    """The effective session after ``update``: set fields replace, ``audio`` merges."""
    merged = current.to_dict()
    for key, value in update.to_dict().items():
        if key == "audio":
            if isinstance(value, dict):
                merged["audio"] = _merge_audio(merged.get("audio") or {}, value)
        elif key not in ("id", "object", "expires_at", "type"):
            merged[key] = value
    _complete(merged, transcription=isinstance(current, ga.TranscriptionSession))
    return type(current).model_validate(merged)


def _merge_audio(current: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    audio = dict(current)
    for side, value in update.items():
        if isinstance(value, dict) and isinstance(audio.get(side), dict):
            audio[side] = {**audio[side], **value}
        elif value is not None:
            audio[side] = value
    return audio


def _complete(session: dict[str, Any], *, transcription: bool) -> None:
    audio = session.get("audio") or {}
    for side in ("input", "output"):
        settings = audio.get(side)
        if isinstance(settings, dict) and "format" in settings:
            settings["format"] = complete_format(settings["format"])
    settings = audio.get("input")
    if isinstance(settings, dict):
        if "turn_detection" in settings:
            settings["turn_detection"] = complete_turn_detection(
                settings["turn_detection"], transcription=transcription
            )
        if "transcription" in settings:
            settings["transcription"] = complete_transcription(settings["transcription"])
