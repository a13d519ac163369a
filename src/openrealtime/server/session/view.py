"""Typed read access to the effective session, and the holder the session's parts read it from.

The effective session is a GA model (:class:`~openrealtime.protocol.ga.RealtimeSession`
or :class:`~openrealtime.protocol.ga.TranscriptionSession`) with every field the server
reports filled in (:mod:`.defaults`). :class:`SessionView` reads it with the defaults a
field left unset stands for; :class:`EffectiveSession` is what the parts hold, since an
update replaces the model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from ...audio.formats import AudioFormat, audio_format_from_wire
from ...engines import EngineSet
from ...protocol import ga

__all__ = ["AnySession", "EffectiveSession", "SessionView", "TurnDetection"]

AnySession = ga.RealtimeSession | ga.TranscriptionSession
TurnDetection = ga.ServerVad | ga.SemanticVad

_PCM: ga.AudioPCM = ga.AudioPCM(rate=24000)
_LOGPROBS = "item.input_audio_transcription.logprobs"


class SessionView:
    """One configuration of a session, whichever its kind, read with its defaults."""

    def __init__(self, session: AnySession) -> None:
        self.session = session
        audio = session.audio
        self._input: ga.AudioInput | None = audio.input if audio is not None else None
        self._output: ga.AudioOutput | None = (
            audio.output if isinstance(audio, ga.SessionAudio) else None
        )
        self._realtime = session if isinstance(session, ga.RealtimeSession) else None

    @property
    def is_transcription(self) -> bool:
        """Whether this is a transcription-only session."""
        return self._realtime is None

    @property
    def input_format(self) -> AudioFormat:
        """``audio.input.format``."""
        fmt = self._input.format if self._input is not None else None
        return audio_format_from_wire(fmt or _PCM)

    @property
    def output_format(self) -> AudioFormat:
        """``audio.output.format``."""
        fmt = self._output.format if self._output is not None else None
        return audio_format_from_wire(fmt or _PCM)

    @property
    def voice(self) -> str:
        """The voice name (a custom voice's id)."""
        voice = self._output.voice if self._output is not None else None
        return voice_name(voice) if voice is not None else "alloy"

    @property
    def speed(self) -> float:
        """``audio.output.speed``."""
        speed = self._output.speed if self._output is not None else None
        return speed or 1.0

    @property
    def turn_detection(self) -> TurnDetection | None:
        """``audio.input.turn_detection``, or ``None`` when off."""
        return self._input.turn_detection if self._input is not None else None

    @property
    def transcription(self) -> ga.AudioTranscription | None:
        """``audio.input.transcription``, or ``None`` when off."""
        return self._input.transcription if self._input is not None else None

    @property
    def logprobs(self) -> bool:
        """Whether transcription events carry log probabilities."""
        return _LOGPROBS in (self.session.include or [])

    @property
    def model(self) -> str | None:
        """The session's model (a transcription session has none)."""
        return self._realtime.model if self._realtime is not None else None

    @property
    def instructions(self) -> str:
        """The system instructions."""
        return (self._realtime.instructions if self._realtime is not None else None) or ""

    @property
    def output_modalities(self) -> list[Literal["text", "audio"]]:
        """``output_modalities``."""
        modalities = self._realtime.output_modalities if self._realtime is not None else None
        return list(modalities or ["audio"])

    @property
    def tools(self) -> list[ga.FunctionTool]:
        """The session's function tools (the only kind an update may set)."""
        tools = (self._realtime.tools if self._realtime is not None else None) or []
        return [tool for tool in tools if isinstance(tool, ga.FunctionTool)]

    @property
    def tool_choice(self) -> ga.ToolChoice:
        """``tool_choice``: a mode or a function."""
        choice = self._realtime.tool_choice if self._realtime is not None else None
        return choice or "auto"

    @property
    def max_output_tokens(self) -> int | Literal["inf"]:
        """An integer limit or ``"inf"``."""
        limit = self._realtime.max_output_tokens if self._realtime is not None else None
        return limit if isinstance(limit, int) else "inf"

    @property
    def temperature(self) -> float | None:
        """The beta-only temperature."""
        return self._realtime.temperature if self._realtime is not None else None

    @property
    def truncation(self) -> ga.Truncation | None:
        """``truncation``."""
        return self._realtime.truncation if self._realtime is not None else None


def voice_name(voice: str | ga.VoiceId) -> str:
    """A voice's name: a built-in name, or a custom voice's id."""
    return voice.id if isinstance(voice, ga.VoiceId) else voice


class EffectiveSession:
    """The session's current configuration and its model's engines, read live by its parts.

    ``temperature_set`` says whether a client chose the (beta) temperature, rather than
    leaving OpenAI's reported default: only a chosen one goes to the engines.
    """

    def __init__(
        self, session: AnySession, engines_for: Callable[[str | None], EngineSet | None]
    ) -> None:
        self.view = SessionView(session)
        self.engines_for = engines_for
        self.temperature_set = False

    @property
    def session(self) -> AnySession:
        """The effective session model."""
        return self.view.session

    def replace(self, session: AnySession, update: AnySession | None = None) -> None:
        """The session after an accepted ``update`` (what the client sent)."""
        self.view = SessionView(session)
        if update is not None and "temperature" in update.model_fields_set:
            self.temperature_set = self.view.temperature is not None

    def engines(self) -> EngineSet:
        """The engines of the session's current model."""
        engines = self.engines_for(self.view.model)
        assert engines is not None, "a session's model always has engines"
        return engines
