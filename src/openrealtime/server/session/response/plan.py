"""A response's effective settings, and the response resource they describe."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ....audio.formats import audio_format_from_wire
from ....protocol import ga

__all__ = ["ResponsePlan", "ResponseStatus"]

ResponseStatus = Literal["in_progress", "completed", "cancelled", "incomplete", "failed"]


@dataclass
class ResponsePlan:
    """The effective settings of one response: session defaults plus overrides."""

    output_modalities: list[Literal["text", "audio"]]
    voice: str
    output_format: dict[str, Any]
    max_output_tokens: int | Literal["inf"]
    conversation_id: str | None
    metadata: dict[str, str] | None = None
    temperature: float | None = None
    input_text_tokens: int = 0
    input_audio_tokens: int = 0

    @property
    def audio(self) -> bool:
        """Whether the response speaks."""
        return "audio" in self.output_modalities

    @property
    def token_limit(self) -> int | None:
        """The output token limit, or ``None`` for ``inf``."""
        return None if self.max_output_tokens == "inf" else int(self.max_output_tokens)

    def resource(
        self,
        response_id: str,
        status: ResponseStatus,
        details: ga.ResponseStatusDetails | None,
        output: list[Any],
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
        fmt = audio_format_from_wire(self.output_format)
        if fmt.ga_type == "audio/pcm":
            return ga.AudioPCM(rate=fmt.sample_rate)
        return ga.AudioPCMU() if fmt.ga_type == "audio/pcmu" else ga.AudioPCMA()
