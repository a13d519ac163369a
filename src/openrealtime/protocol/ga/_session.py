"""GA session configuration: the ``session`` of ``session.update`` and ``session.created``.

One model serves both directions. Fields only a server reports (``id``,
``object``, ``expires_at``) are refused in client input; ``temperature`` is the
one beta field kept here so a beta session translates without loss.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from .._base import WireModel
from .._fields import beta_only, max_length, one_of, server_only, value_range

__all__ = [
    "GA_VOICES",
    "AudioFormat",
    "AudioInput",
    "AudioOutput",
    "AudioPCM",
    "AudioPCMA",
    "AudioPCMU",
    "AudioTranscription",
    "FunctionTool",
    "MaxOutputTokens",
    "McpApprovalFilter",
    "McpTool",
    "McpToolFilter",
    "NoiseReduction",
    "Prompt",
    "RealtimeSession",
    "Reasoning",
    "SemanticVad",
    "ServerVad",
    "Session",
    "SessionAudio",
    "Tool",
    "ToolChoice",
    "ToolChoiceFunction",
    "ToolChoiceMcp",
    "Tracing",
    "TracingConfiguration",
    "TranscriptionAudio",
    "TranscriptionSession",
    "Truncation",
    "TruncationRetentionRatio",
    "TruncationTokenLimits",
    "TurnDetection",
    "Voice",
    "VoiceId",
]

GA_VOICES = (
    "alloy",
    "ash",
    "ballad",
    "coral",
    "echo",
    "sage",
    "shimmer",
    "verse",
    "marin",
    "cedar",
)
"""The built-in GA voices, in the order OpenAI lists them."""


class AudioPCM(WireModel):
    """16-bit little-endian mono PCM; GA accepts only ``rate: 24000``."""

    type: Literal["audio/pcm"] = "audio/pcm"
    rate: Annotated[int | None, value_range(24000, 24000)] = None


class AudioPCMU(WireModel):
    """G.711 μ-law at 8 kHz."""

    type: Literal["audio/pcmu"] = "audio/pcmu"


class AudioPCMA(WireModel):
    """G.711 A-law at 8 kHz."""

    type: Literal["audio/pcma"] = "audio/pcma"


AudioFormat = Annotated[AudioPCM | AudioPCMU | AudioPCMA, Field(discriminator="type")]


class NoiseReduction(WireModel):
    """Input noise reduction, applied before turn detection."""

    type: Literal["near_field", "far_field"]
    strength: float | None = None


class AudioTranscription(WireModel):
    """Input audio transcription settings."""

    model: str | None = None
    language: str | None = None
    prompt: str | None = None
    delay: Literal["minimal", "low", "medium", "high", "xhigh"] | None = None
    keywords: list[str] | None = None
    languages: list[str] | None = None


class ServerVad(WireModel):
    """Energy/probability based turn detection with a silence timeout."""

    type: Literal["server_vad"] = "server_vad"
    threshold: Annotated[float | None, value_range(0.0, 1.0)] = None
    prefix_padding_ms: Annotated[int | None, value_range(0)] = None
    silence_duration_ms: Annotated[int | None, value_range(0)] = None
    idle_timeout_ms: Annotated[int | None, value_range(5000, 30000)] = None
    create_response: bool | None = None
    interrupt_response: bool | None = None


class SemanticVad(WireModel):
    """Turn detection that waits for the end of a thought."""

    type: Literal["semantic_vad"] = "semantic_vad"
    eagerness: Literal["low", "medium", "high", "auto"] | None = None
    create_response: bool | None = None
    interrupt_response: bool | None = None


TurnDetection = Annotated[ServerVad | SemanticVad, Field(discriminator="type")]


class VoiceId(WireModel):
    """A custom voice, by id."""

    id: str


Voice = Annotated[str, one_of(*GA_VOICES)] | VoiceId


class AudioInput(WireModel):
    """``session.audio.input``."""

    format: AudioFormat | None = None
    transcription: AudioTranscription | None = None
    noise_reduction: NoiseReduction | None = None
    turn_detection: TurnDetection | None = None


class AudioOutput(WireModel):
    """``session.audio.output``."""

    format: AudioFormat | None = None
    voice: Voice | None = None
    speed: Annotated[float | None, value_range(0.25, 1.5)] = None


class SessionAudio(WireModel):
    """``session.audio`` of a realtime session."""

    input: AudioInput | None = None
    output: AudioOutput | None = None


class FunctionTool(WireModel):
    """A function the model may call."""

    type: Literal["function"] = "function"
    name: Annotated[str, max_length(64)]
    description: str | None = None
    parameters: dict[str, Any] | None = None


class McpToolFilter(WireModel):
    """Which MCP tools a filter selects."""

    read_only: bool | None = None
    tool_names: list[str] | None = None


class McpApprovalFilter(WireModel):
    """Which MCP tools need approval, and which never do."""

    always: McpToolFilter | None = None
    never: McpToolFilter | None = None


class McpTool(WireModel):
    """A remote MCP server's tools."""

    type: Literal["mcp"] = "mcp"
    server_label: str
    server_url: str | None = None
    connector_id: str | None = None
    authorization: str | None = None
    headers: dict[str, str] | None = None
    allowed_tools: list[str] | McpToolFilter | None = None
    require_approval: Literal["always", "never"] | McpApprovalFilter | None = None
    server_description: str | None = None
    allowed_callers: list[Literal["direct", "programmatic"]] | None = None
    defer_loading: bool | None = None
    tunnel_id: str | None = None


Tool = Annotated[FunctionTool | McpTool, Field(discriminator="type")]


class ToolChoiceFunction(WireModel):
    """Force a call of the named function."""

    type: Literal["function"] = "function"
    name: str


class ToolChoiceMcp(WireModel):
    """Force a call of an MCP server's tool."""

    type: Literal["mcp"] = "mcp"
    server_label: str
    name: str | None = None


ToolChoice = (
    Annotated[str, one_of("none", "auto", "required")]
    | Annotated[ToolChoiceFunction | ToolChoiceMcp, Field(discriminator="type")]
)


class TracingConfiguration(WireModel):
    """Tracing with explicit names."""

    workflow_name: str | None = None
    group_id: str | None = None
    metadata: dict[str, Any] | None = None


Tracing = Annotated[str, one_of("auto")] | TracingConfiguration


class TruncationTokenLimits(WireModel):
    """Token limits for retention-ratio truncation."""

    post_instructions: int | None = None


class TruncationRetentionRatio(WireModel):
    """Drop the oldest context down to a ratio of the window."""

    type: Literal["retention_ratio"] = "retention_ratio"
    retention_ratio: Annotated[float, value_range(0.0, 1.0)]
    token_limits: TruncationTokenLimits | None = None


Truncation = (
    Annotated[str, one_of("auto", "disabled")]
    | Annotated[TruncationRetentionRatio, Field(discriminator="type")]
)


class Prompt(WireModel):
    """A stored prompt template and its variables."""

    id: str
    version: str | None = None
    variables: dict[str, Any] | None = None


class Reasoning(WireModel):
    """Reasoning effort, for reasoning models."""

    effort: Literal["minimal", "low", "medium", "high", "xhigh"] | None = None


MaxOutputTokens = Annotated[int, value_range(1, 4096)] | Annotated[str, one_of("inf")]


class RealtimeSession(WireModel):
    """A speech-to-speech session (``session.type: "realtime"``)."""

    type: Literal["realtime"] = "realtime"
    object: Annotated[Literal["realtime.session"] | None, server_only] = None
    id: Annotated[str | None, server_only] = None
    model: str | None = None
    output_modalities: list[Literal["text", "audio"]] | None = None
    instructions: str | None = None
    tools: list[Tool] | None = None
    tool_choice: ToolChoice | None = None
    max_output_tokens: MaxOutputTokens | None = None
    tracing: Tracing | None = None
    truncation: Truncation | None = None
    prompt: Prompt | None = None
    expires_at: Annotated[int | None, server_only] = None
    audio: SessionAudio | None = None
    include: list[Literal["item.input_audio_transcription.logprobs"]] | None = None
    parallel_tool_calls: bool | None = None
    reasoning: Reasoning | None = None
    temperature: Annotated[float | None, beta_only] = None


class TranscriptionAudio(WireModel):
    """``session.audio`` of a transcription session."""

    input: AudioInput | None = None


class TranscriptionSession(WireModel):
    """A transcription-only session (``session.type: "transcription"``)."""

    type: Literal["transcription"] = "transcription"
    object: Annotated[Literal["realtime.transcription_session"] | None, server_only] = None
    id: Annotated[str | None, server_only] = None
    expires_at: Annotated[int | None, server_only] = None
    audio: TranscriptionAudio | None = None
    include: list[Literal["item.input_audio_transcription.logprobs"]] | None = None


Session = Annotated[RealtimeSession | TranscriptionSession, Field(discriminator="type")]
