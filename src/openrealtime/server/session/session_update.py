"""``session.update``: checking an update, then merging it into the effective session.

Merging recurses into ``audio``, ``audio.input`` and ``audio.output``; every
other field, ``format``, ``turn_detection``, ``transcription``,
``noise_reduction``, ``tools``, ``tracing`` and ``truncation`` included, is
replaced whole. An explicit ``null`` clears a field. A rejected update is
discarded whole: checks run before anything changes.

The merge works on the sessions' wire form (``to_dict()``), because "set" and
"explicitly null" are wire notions: :func:`merge_session` and its helpers are the
JSON boundary of the session core.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...engines import EngineSet
from ...protocol import ga
from . import errors
from .checks import check_language, check_output_modalities, check_tools, check_voice
from .defaults import complete_format, complete_transcription, complete_turn_detection
from .view import AnySession, SessionView, voice_name

__all__ = ["UpdateRules", "check_update", "merge_session"]


@dataclass(frozen=True)
class UpdateRules:
    """What the server accepts in an update.

    ``engines_for`` gives a model's started engines (``None`` for a model the server
    does not serve); their capabilities bound the voices and languages accepted.
    """

    engines_for: Callable[[str | None], EngineSet | None]
    transcription_models: tuple[str, ...]


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
    model = update.model if isinstance(update, ga.RealtimeSession) else None
    if model is not None and rules.engines_for(model) is None:
        raise errors.invalid_model(model, "session.model", event_id)
    if isinstance(update, ga.RealtimeSession):
        check_output_modalities(update.output_modalities, "session", event_id)
        check_tools(update.tools, update.tool_choice, "session", event_id)
    audio = update.audio
    output = audio.output if isinstance(audio, ga.SessionAudio) else None
    voice_set = output is not None and "voice" in output.model_fields_set
    voice = output.voice if output is not None else None
    new_voice = voice_name(voice) if voice is not None else None
    if voice_set and voice_locked and new_voice != current.voice:
        raise errors.cannot_update_voice(event_id)
    transcription = audio.input.transcription if audio and audio.input else None
    model_name = transcription.model if transcription is not None else None
    if model_name is not None and model_name not in rules.transcription_models:
        raise errors.unsupported_value(
            model_name,
            rules.transcription_models,
            "session.audio.input.transcription.model",
            event_id,
        )
    engines = rules.engines_for(model if model is not None else current.model)
    if engines is None:
        return
    if new_voice is not None:
        check_voice(new_voice, engines, "session.audio.output.voice", event_id)
    if transcription is not None and transcription.language is not None:
        param = "session.audio.input.transcription.language"
        check_language(transcription.language, engines, param, event_id)


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
