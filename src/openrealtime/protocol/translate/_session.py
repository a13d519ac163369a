"""Session translation: the flat beta session and the nested GA session.

Realtime sessions (``beta.Session`` and ``ga.RealtimeSession``):

=====================================  ==========================================
beta                                   GA
=====================================  ==========================================
``modalities``                         ``output_modalities`` (see below)
``voice``                              ``audio.output.voice``
``speed``                              ``audio.output.speed``
``input_audio_format``                 ``audio.input.format`` (see below)
``output_audio_format``                ``audio.output.format``
``input_audio_transcription``          ``audio.input.transcription``
``input_audio_noise_reduction``        ``audio.input.noise_reduction``
``turn_detection``                     ``audio.input.turn_detection``
``max_response_output_tokens``         ``max_output_tokens``
``temperature``                        ``temperature`` (GA's ``beta_only`` field)
``id``, ``object``, ``model``,         the same names
``expires_at``, ``instructions``,
``tools``, ``tool_choice``,
``tracing``, ``prompt``, ``include``
``client_secret``                      nothing: it only means something to the
                                       REST endpoints; never set going to beta
(none)                                 ``truncation``, ``reasoning``,
                                       ``parallel_tool_calls``
=====================================  ==========================================

Values:

- ``modalities``: ``["audio", "text"]`` and ``["audio"]`` become GA ``["audio"]``
  (GA audio output always carries its transcript); ``["text"]`` stays. GA
  ``["audio"]`` becomes beta ``["audio", "text"]``.
- Formats: ``"pcm16"`` is ``{"type": "audio/pcm", "rate": 24000}``, ``"g711_ulaw"``
  is ``{"type": "audio/pcmu"}``, ``"g711_alaw"`` is ``{"type": "audio/pcma"}``. A
  GA ``audio/pcm`` without ``rate`` is 24 kHz.
- ``turn_detection``: the same objects. Beta may leave ``type`` out (it means
  ``server_vad``); the GA object always carries it. GA's ``idle_timeout_ms`` has
  no beta equivalent.

Transcription sessions (``beta.TranscriptionSession`` and
``ga.TranscriptionSession``) map ``input_audio_format``,
``input_audio_transcription``, ``input_audio_noise_reduction`` and
``turn_detection`` as above, under ``audio.input``; ``id``, ``object``,
``expires_at`` and ``include`` keep their names. Beta's ``modalities`` (no effect
on transcription) and ``client_secret`` map to nothing.

Only the fields set on the source are translated, explicit ``null`` included:
``turn_detection: null`` (detection off) stays ``audio.input.turn_detection:
null``. A GA ``audio``, ``audio.input`` or ``audio.output`` that is itself
``null`` carries no setting and translates to nothing. Unknown extra fields are
dropped: their place in the other dialect is unknown.

Beta to GA always succeeds. GA to beta meets what beta cannot express: the
GA-only fields above, a custom voice ``{"id": ...}``, MCP tools or an MCP
``tool_choice``, ``audio/pcm`` at a rate other than 24000, and a non-null
``idle_timeout_ms``. By default these raise :class:`TranslationError` (a client
asked a beta server for something it cannot do); an explicit ``null`` of a
GA-only field, and ``truncation: "auto"`` (what beta always does), are dropped
instead. With ``drop_unsupported=True`` (a server resource going to a beta
client: the internal session always carries GA settings such as ``truncation``)
they are all dropped silently; MCP tools leave the ``tools`` list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, Literal

from .. import beta, ga
from ._common import (
    Fields,
    TranslationError,
    at,
    child,
    index,
    rebuild,
    unsupported_parameter,
    unsupported_value,
)

__all__ = [
    "format_to_beta",
    "format_to_ga",
    "ga_only",
    "modalities_to_beta",
    "modalities_to_ga",
    "session_to_beta",
    "session_to_ga",
    "tool_choice_to_beta",
    "tool_choice_to_ga",
    "tools_to_beta",
    "tools_to_ga",
    "transcription_session_to_beta",
    "transcription_session_to_ga",
    "voice_to_beta",
]

PCM_RATE: Final = 24000
Modalities = list[Literal["text", "audio"]]

# Same name, same shape. Tools and tool_choice also keep their names, but going
# to beta they may hold MCP entries, so they are handled apart.
_DIRECT: Final = (
    "id",
    "object",
    "model",
    "expires_at",
    "instructions",
    "tracing",
    "prompt",
    "include",
    "temperature",
)
_TRANSCRIPTION_DIRECT: Final = ("id", "object", "expires_at", "include")
# GA settings with no beta field, and the values beta's fixed behaviour matches.
_GA_ONLY: Final[dict[str, tuple[object, ...]]] = {
    "truncation": ("auto",),
    "parallel_tool_calls": (),
    "reasoning": (),
}
_BETA_TOOL_TYPES: Final = ("function",)


def modalities_to_ga(modalities: Modalities | None) -> Modalities | None:
    """Beta ``modalities`` as GA ``output_modalities``."""
    if modalities is None:
        return None
    return ["audio"] if "audio" in modalities else list(modalities)


def modalities_to_beta(modalities: Modalities | None) -> Modalities | None:
    """GA ``output_modalities`` as beta ``modalities``."""
    if modalities is None:
        return None
    return ["audio", "text"] if "audio" in modalities else list(modalities)


def format_to_ga(value: beta.AudioFormat | None) -> ga.AudioFormat | None:
    """A beta format name as a GA format object."""
    if value is None:
        return None
    if value == "pcm16":
        return ga.AudioPCM(rate=PCM_RATE)
    if value == "g711_ulaw":
        return ga.AudioPCMU()
    return ga.AudioPCMA()


def format_to_beta(value: ga.AudioFormat | None, param: str) -> beta.AudioFormat | None:
    """A GA format object as a beta format name; raises for PCM not at 24 kHz."""
    if value is None:
        return None
    if isinstance(value, ga.AudioPCMU):
        return "g711_ulaw"
    if isinstance(value, ga.AudioPCMA):
        return "g711_alaw"
    if value.rate is not None and value.rate != PCM_RATE:
        raise unsupported_value(
            value.rate,
            (str(PCM_RATE),),
            param=at(param, "rate"),
            hint="The beta Realtime API only supports 24 kHz PCM ('pcm16').",
        )
    return "pcm16"


def voice_to_beta(value: ga.Voice | None, param: str) -> str | None:
    """A GA voice as a beta voice name; raises for a custom voice ``{"id": ...}``."""
    if isinstance(value, ga.VoiceId):
        raise TranslationError(
            "invalid_value",
            f"Invalid value for '{param}': the beta Realtime API has no custom voices "
            '({"id": ...}); use a built-in voice name.',
            param=param,
        )
    return value


def tools_to_beta(
    tools: Sequence[ga.Tool] | None, param: str, *, lenient: bool
) -> list[ga.FunctionTool] | None:
    """GA tools as beta tools: function tools only (MCP tools raise, or leave)."""
    if tools is None:
        return None
    kept: list[ga.FunctionTool] = []
    for position, tool in enumerate(tools):
        if isinstance(tool, ga.FunctionTool):
            kept.append(tool)
        elif not lenient:
            raise unsupported_value(
                tool.type, _BETA_TOOL_TYPES, param=at(index(param, position), "type")
            )
    return kept


def tools_to_ga(tools: Sequence[ga.FunctionTool] | None) -> list[ga.Tool] | None:
    """Beta tools as GA ones: ``type`` may be absent in beta, GA tells tools apart by it."""
    if tools is None:
        return None
    return [tool.model_copy(update={"type": "function"}) for tool in tools]


def tool_choice_to_ga(value: beta.ToolChoice | None) -> ga.ToolChoice | None:
    """A beta ``tool_choice`` as GA's: a function choice states its ``type``, as GA needs."""
    if isinstance(value, ga.ToolChoiceFunction):
        return value.model_copy(update={"type": "function"})
    return value


def tool_choice_to_beta(value: ga.ToolChoice | None, param: str) -> beta.ToolChoice | None:
    """A GA ``tool_choice`` as beta's; raises for an MCP choice."""
    if isinstance(value, ga.ToolChoiceMcp):
        raise unsupported_value(value.type, _BETA_TOOL_TYPES, param=at(param, "type"))
    return value


def ga_only(name: str, value: object, param: str) -> None:
    """Raise for a GA-only setting, unless it asks for nothing beta lacks."""
    if value is not None and value not in _GA_ONLY.get(name, ()):
        raise unsupported_parameter(param)


def _turn_detection_to_ga(value: beta.TurnDetection | None) -> ga.TurnDetection | None:
    # Rebuilding marks ``type`` as set, so the GA object always carries it.
    if value is None or "type" in value.model_fields_set:
        return value
    return rebuild(type(value), value)


def _turn_detection_to_beta(
    value: ga.TurnDetection | None, param: str, *, lenient: bool
) -> beta.TurnDetection | None:
    if not isinstance(value, ga.ServerVad) or "idle_timeout_ms" not in value.model_fields_set:
        return value
    if value.idle_timeout_ms is not None and not lenient:
        raise unsupported_parameter(at(param, "idle_timeout_ms"))
    return rebuild(ga.ServerVad, value, drop=("idle_timeout_ms",))


def _audio_input_to_ga(source: beta.Session | beta.TranscriptionSession) -> dict[str, Any]:
    shown = source.model_fields_set
    fields: dict[str, Any] = {}
    if "input_audio_format" in shown:
        fields["format"] = format_to_ga(source.input_audio_format)
    if "input_audio_transcription" in shown:
        fields["transcription"] = source.input_audio_transcription
    if "input_audio_noise_reduction" in shown:
        fields["noise_reduction"] = source.input_audio_noise_reduction
    if "turn_detection" in shown:
        fields["turn_detection"] = _turn_detection_to_ga(source.turn_detection)
    return fields


def _audio_input_to_beta(audio_input: ga.AudioInput | None, param: str, fields: Fields) -> None:
    if audio_input is None:
        return
    shown = audio_input.model_fields_set
    if "format" in shown:
        fields.put("input_audio_format", format_to_beta, audio_input.format, at(param, "format"))
    if "transcription" in shown:
        fields.values["input_audio_transcription"] = audio_input.transcription
    if "noise_reduction" in shown:
        fields.values["input_audio_noise_reduction"] = audio_input.noise_reduction
    if "turn_detection" in shown:
        fields.values["turn_detection"] = _turn_detection_to_beta(
            audio_input.turn_detection, at(param, "turn_detection"), lenient=fields.lenient
        )


def session_to_ga(session: beta.Session) -> ga.RealtimeSession:
    """A beta session (update or resource) as a GA realtime session.

    ``client_secret`` maps to nothing: it only concerns the REST endpoints.
    """
    shown = session.model_fields_set
    fields: dict[str, Any] = {name: getattr(session, name) for name in _DIRECT if name in shown}
    if "tools" in shown:
        fields["tools"] = tools_to_ga(session.tools)
    if "tool_choice" in shown:
        fields["tool_choice"] = tool_choice_to_ga(session.tool_choice)
    if "modalities" in shown:
        fields["output_modalities"] = modalities_to_ga(session.modalities)
    if "max_response_output_tokens" in shown:
        fields["max_output_tokens"] = session.max_response_output_tokens
    audio_input = _audio_input_to_ga(session)
    audio_output: dict[str, Any] = {}
    if "output_audio_format" in shown:
        audio_output["format"] = format_to_ga(session.output_audio_format)
    if "voice" in shown:
        audio_output["voice"] = session.voice
    if "speed" in shown:
        audio_output["speed"] = session.speed
    audio: dict[str, Any] = {}
    if audio_input:
        audio["input"] = ga.AudioInput(**audio_input)
    if audio_output:
        audio["output"] = ga.AudioOutput(**audio_output)
    if audio:
        fields["audio"] = ga.SessionAudio(**audio)
    return ga.RealtimeSession(**fields)


def session_to_beta(
    session: ga.RealtimeSession, *, drop_unsupported: bool = False, param: str = "session"
) -> beta.Session:
    """A GA realtime session as a beta session.

    What beta cannot express raises :class:`TranslationError` (``param`` under
    ``param``), or is dropped with ``drop_unsupported`` (for server resources).
    ``client_secret`` is left unset.
    """
    shown = session.model_fields_set
    fields = Fields(lenient=drop_unsupported)
    for name in _DIRECT:
        if name in shown:
            fields.values[name] = getattr(session, name)
    if "tools" in shown:
        fields.values["tools"] = tools_to_beta(
            session.tools, at(param, "tools"), lenient=drop_unsupported
        )
    if "tool_choice" in shown:
        fields.put(
            "tool_choice", tool_choice_to_beta, session.tool_choice, at(param, "tool_choice")
        )
    if "output_modalities" in shown:
        fields.values["modalities"] = modalities_to_beta(session.output_modalities)
    if "max_output_tokens" in shown:
        fields.values["max_response_output_tokens"] = session.max_output_tokens
    for name in _GA_ONLY:
        if name in shown and not drop_unsupported:
            ga_only(name, getattr(session, name), at(param, name))
    audio = child(session, "audio")
    if audio is not None:
        audio_param = at(param, "audio")
        _audio_input_to_beta(child(audio, "input"), at(audio_param, "input"), fields)
        output: ga.AudioOutput | None = child(audio, "output")
        if output is not None:
            output_param = at(audio_param, "output")
            out_shown = output.model_fields_set
            if "format" in out_shown:
                fields.put(
                    "output_audio_format", format_to_beta, output.format, at(output_param, "format")
                )
            if "voice" in out_shown:
                fields.put("voice", voice_to_beta, output.voice, at(output_param, "voice"))
            if "speed" in out_shown:
                fields.values["speed"] = output.speed
    return beta.Session(**fields.values)


def transcription_session_to_ga(session: beta.TranscriptionSession) -> ga.TranscriptionSession:
    """A beta transcription session as a GA one (``session.type: "transcription"``).

    ``modalities`` and ``client_secret`` map to nothing.
    """
    shown = session.model_fields_set
    fields: dict[str, Any] = {
        name: getattr(session, name) for name in _TRANSCRIPTION_DIRECT if name in shown
    }
    audio_input = _audio_input_to_ga(session)
    if audio_input:
        fields["audio"] = ga.TranscriptionAudio(input=ga.AudioInput(**audio_input))
    return ga.TranscriptionSession(**fields)


def transcription_session_to_beta(
    session: ga.TranscriptionSession, *, drop_unsupported: bool = False, param: str = "session"
) -> beta.TranscriptionSession:
    """A GA transcription session as a beta one.

    Unsupported values raise or are dropped as in :func:`session_to_beta`.
    """
    shown = session.model_fields_set
    fields = Fields(lenient=drop_unsupported)
    for name in _TRANSCRIPTION_DIRECT:
        if name in shown:
            fields.values[name] = getattr(session, name)
    _audio_input_to_beta(child(child(session, "audio"), "input"), at(param, "audio.input"), fields)
    return beta.TranscriptionSession(**fields.values)
