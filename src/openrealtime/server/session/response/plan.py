"""A response's effective settings, and the response resource they describe.

One rule makes them: the event's overrides where it sets a field, the session's
settings elsewhere (:meth:`ResponsePlan.of`). The engine request's other parts
(instructions, tools, tool choice) follow the same rule (:class:`RequestParts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ....audio.formats import AudioFormat, audio_format_from_wire
from ....engines import FunctionChoice, ToolChoice, ToolSpec
from ....protocol import ga
from ..view import SessionView, voice_name

__all__ = ["RequestParts", "ResponsePlan", "ResponseStatus"]

ResponseStatus = Literal["in_progress", "completed", "cancelled", "incomplete", "failed"]


def _given(params: ga.ResponseCreateParams, field: str) -> bool:
    """Whether the event sets ``field`` (an explicit ``null`` included)."""
    return field in params.model_fields_set


@dataclass
class ResponsePlan:
    """The effective settings of one response: session defaults plus overrides."""

    output_modalities: list[Literal["text", "audio"]]
    voice: str
    output_format: AudioFormat
    max_output_tokens: int | Literal["inf"]
    conversation_id: str | None
    metadata: dict[str, str] | None = None
    temperature: float | None = None
    input_text_tokens: int = 0
    input_audio_tokens: int = 0

    @classmethod
    def of(
        cls, params: ga.ResponseCreateParams, view: SessionView, conversation_id: str | None
    ) -> ResponsePlan:
        """The plan of a response with ``params`` in a session configured as ``view``."""
        output = params.audio.output if params.audio is not None else None
        voice = output.voice if output is not None else None
        fmt = output.format if output is not None else None
        limit = params.max_output_tokens
        return cls(
            output_modalities=list(params.output_modalities or view.output_modalities),
            voice=voice_name(voice) if voice is not None else view.voice,
            output_format=audio_format_from_wire(fmt) if fmt is not None else view.output_format,
            max_output_tokens=_token_limit(limit, view.max_output_tokens),
            conversation_id=conversation_id,
            metadata=params.metadata,
            temperature=params.temperature if _given(params, "temperature") else view.temperature,
        )

    @property
    def audio(self) -> bool:
        """Whether the response speaks."""
        return "audio" in self.output_modalities

    @property
    def token_limit(self) -> int | None:
        """The output token limit, or ``None`` for ``inf``."""
        return None if self.max_output_tokens == "inf" else self.max_output_tokens

    def resource(
        self,
        response_id: str,
        status: ResponseStatus,
        details: ga.ResponseStatusDetails | None,
        output: list[ga.Item],
        usage: ga.Usage | None,
    ) -> ga.RealtimeResponse:
        """The ``response`` object of ``response.created`` and ``response.done``."""
        return ga.RealtimeResponse(
            object="realtime.response",
            id=response_id,
            status=status,
            status_details=details,
            output=output,
            conversation_id=self.conversation_id,
            output_modalities=list(self.output_modalities),
            max_output_tokens=self.max_output_tokens,
            audio=ga.ResponseAudio(
                output=ga.ResponseAudioOutput(format=self.format_model(), voice=self.voice)
            ),
            usage=usage,
            metadata=self.metadata,
            temperature=self.temperature,
        )

    def format_model(self) -> ga.AudioPCM | ga.AudioPCMU | ga.AudioPCMA:
        """The output format as a GA object, complete: PCM always states its rate."""
        fmt = self.output_format
        if fmt.ga_type == "audio/pcm":
            return ga.AudioPCM(rate=fmt.sample_rate)
        return ga.AudioPCMU() if fmt.ga_type == "audio/pcmu" else ga.AudioPCMA()


@dataclass(frozen=True)
class RequestParts:
    """What the engine is asked with, besides the context: instructions, tools, temperature.

    ``temperature`` is the one a client chose (beta ``temperature`` in the event or in a
    session update), else ``None``: the engine samples as suits its model. The session
    still reports OpenAI's default 0.8 (docs/behaviour.md, 11.3).
    """

    instructions: str
    tools: list[ToolSpec]
    tool_choice: ToolChoice
    temperature: float | None = None

    @classmethod
    def of(
        cls, params: ga.ResponseCreateParams, view: SessionView, *, temperature_set: bool = False
    ) -> RequestParts:
        """The event's settings where it sets them, else the session's.

        ``temperature_set`` says a client set the session's temperature.
        """
        instructions = params.instructions if _given(params, "instructions") else view.instructions
        tools = params.tools if _given(params, "tools") else view.tools
        choice = params.tool_choice if _given(params, "tool_choice") else view.tool_choice
        if _given(params, "temperature"):
            temperature = params.temperature
        else:
            temperature = view.temperature if temperature_set else None
        return cls(
            instructions=instructions or "",
            tools=[_tool_spec(tool) for tool in tools or [] if isinstance(tool, ga.FunctionTool)],
            tool_choice=_tool_choice(choice),
            temperature=temperature,
        )


def _token_limit(limit: int | str | None, session: int | Literal["inf"]) -> int | Literal["inf"]:
    """``max_output_tokens``: the event's when it sets one, else the session's."""
    if isinstance(limit, int):
        return limit
    return "inf" if limit == "inf" else session


def _tool_spec(tool: ga.FunctionTool) -> ToolSpec:
    return ToolSpec(name=tool.name, description=tool.description, parameters=tool.parameters)


def _tool_choice(choice: ga.ToolChoice | None) -> ToolChoice:
    """The engine's tool choice: a function by name, or a mode (``auto`` when unset)."""
    if isinstance(choice, ga.ToolChoiceFunction):
        return FunctionChoice(choice.name)
    if choice == "none":
        return "none"
    return "required" if choice == "required" else "auto"
