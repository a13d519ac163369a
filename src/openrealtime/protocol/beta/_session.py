"""Beta session configuration: the flat ``session`` of ``OpenAI-Beta: realtime=v1``.

Shapes that beta and GA share field for field (tools, turn detection,
transcription, tracing) are the GA classes.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Tag

from .._base import WireModel
from .._fields import one_of, server_only, value_range
from ..ga._session import (
    GA_VOICES,
    AudioTranscription,
    FunctionTool,
    MaxOutputTokens,
    NoiseReduction,
    Prompt,
    SemanticVad,
    ServerVad,
    ToolChoiceFunction,
    Tracing,
)

__all__ = [
    "BETA_VOICES",
    "AudioFormat",
    "ClientSecret",
    "ClientSecretExpiry",
    "Session",
    "ToolChoice",
    "TranscriptionSession",
    "TurnDetection",
    "Voice",
]

BETA_VOICES = (*GA_VOICES, "fable", "onyx", "nova")
"""Beta voices: the GA set plus fable, onyx and nova."""

AudioFormat = Literal["pcm16", "g711_ulaw", "g711_alaw"]
Voice = Annotated[str, one_of(*BETA_VOICES)]
ToolChoice = Annotated[str, one_of("auto", "none", "required")] | ToolChoiceFunction


def _vad_kind(value: Any) -> str:
    # Beta servers default an absent turn_detection.type to server_vad.
    if isinstance(value, dict):
        return str(value.get("type", "server_vad"))
    return str(getattr(value, "type", "server_vad"))


TurnDetection = Annotated[
    Annotated[ServerVad, Tag("server_vad")] | Annotated[SemanticVad, Tag("semantic_vad")],
    Discriminator(_vad_kind),
]


class ClientSecretExpiry(WireModel):
    """How long a requested ephemeral key lives: ``seconds`` after the ``anchor``."""

    anchor: Literal["created_at"] | None = None
    seconds: int | None = None


class ClientSecret(WireModel):
    """An ephemeral key.

    A session minted over REST reports the key's ``value`` and its ``expires_at``
    time. A client's update asks for a lifetime instead: ``expires_after`` in a
    realtime session, ``expires_at`` as an object in a transcription session.
    """

    value: str | None = None
    expires_at: int | ClientSecretExpiry | None = None
    expires_after: ClientSecretExpiry | None = None


class Session(WireModel):
    """A beta speech-to-speech session: every setting is a top-level field."""

    id: Annotated[str | None, server_only] = None
    object: Annotated[Literal["realtime.session"] | None, server_only] = None
    model: str | None = None
    expires_at: Annotated[int | None, server_only] = None
    modalities: list[Literal["text", "audio"]] | None = None
    instructions: str | None = None
    voice: Voice | None = None
    input_audio_format: AudioFormat | None = None
    output_audio_format: AudioFormat | None = None
    input_audio_transcription: AudioTranscription | None = None
    input_audio_noise_reduction: NoiseReduction | None = None
    turn_detection: TurnDetection | None = None
    tools: list[FunctionTool] | None = None
    tool_choice: ToolChoice | None = None
    temperature: Annotated[float | None, value_range(0.6, 1.2)] = None
    max_response_output_tokens: MaxOutputTokens | None = None
    speed: Annotated[float | None, value_range(0.25, 1.5)] = None
    tracing: Tracing | None = None
    prompt: Prompt | None = None
    client_secret: ClientSecret | None = None
    include: list[Literal["item.input_audio_transcription.logprobs"]] | None = None


class TranscriptionSession(WireModel):
    """A beta transcription session (``transcription_session.*``)."""

    id: Annotated[str | None, server_only] = None
    object: Annotated[Literal["realtime.transcription_session"] | None, server_only] = None
    expires_at: Annotated[int | None, server_only] = None
    modalities: list[Literal["text", "audio"]] | None = None
    input_audio_format: AudioFormat | None = None
    input_audio_transcription: AudioTranscription | None = None
    turn_detection: TurnDetection | None = None
    input_audio_noise_reduction: NoiseReduction | None = None
    include: list[Literal["item.input_audio_transcription.logprobs"]] | None = None
    client_secret: ClientSecret | None = None
