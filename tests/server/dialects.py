"""Client events written in either dialect, for tests that run in both.

Only what differs between the dialects is built here (session settings, response
overrides); events that are the same on both wires are written inline in tests.
"""

from __future__ import annotations

from typing import Any, Literal

__all__ = ["Dialect", "configure", "overrides", "user_text"]

Dialect = Literal["ga", "beta"]

_GA_FORMATS: dict[str, dict[str, Any]] = {
    "pcm16": {"type": "audio/pcm", "rate": 24000},
    "g711_ulaw": {"type": "audio/pcmu"},
    "g711_alaw": {"type": "audio/pcma"},
}


def configure(
    dialect: Dialect,
    *,
    text: bool = False,
    vad: bool = False,
    output_format: str | None = None,
    instructions: str | None = None,
    tools: list[dict[str, Any]] | None = None,
    tool_choice: Any = None,
    max_tokens: int | None = None,
) -> dict[str, Any]:
    """A ``session.update``: text or audio output, turn detection on or off, and more.

    ``output_format`` is a beta name (``pcm16``, ``g711_ulaw``, ``g711_alaw``).
    """
    ga: dict[str, Any] = {"type": "realtime", "output_modalities": ["text" if text else "audio"]}
    beta: dict[str, Any] = {"modalities": ["text"] if text else ["audio", "text"]}
    audio: dict[str, Any] = {"input": {} if vad else {"turn_detection": None}}
    if not vad:
        beta["turn_detection"] = None
    if output_format is not None:
        audio["output"] = {"format": _GA_FORMATS[output_format]}
        beta["output_audio_format"] = output_format
    ga["audio"] = audio
    for key, value in (("instructions", instructions), ("tools", tools)):
        if value is not None:
            ga[key] = beta[key] = value
    if tool_choice is not None:
        ga["tool_choice"] = beta["tool_choice"] = tool_choice
    if max_tokens is not None:
        ga["max_output_tokens"] = max_tokens
        beta["max_response_output_tokens"] = max_tokens
    return {"type": "session.update", "session": ga if dialect == "ga" else beta}


def overrides(
    dialect: Dialect,
    *,
    text: bool | None = None,
    voice: str | None = None,
    output_format: str | None = None,
    max_tokens: int | None = None,
    **same: Any,
) -> dict[str, Any]:
    """``response.create``'s ``response``: the dialect's names for what differs, ``same`` as is."""
    params: dict[str, Any] = dict(same)
    if dialect == "ga":
        if text is not None:
            params["output_modalities"] = ["text" if text else "audio"]
        output: dict[str, Any] = {}
        if voice is not None:
            output["voice"] = voice
        if output_format is not None:
            output["format"] = _GA_FORMATS[output_format]
        if output:
            params["audio"] = {"output": output}
        if max_tokens is not None:
            params["max_output_tokens"] = max_tokens
    else:
        if text is not None:
            params["modalities"] = ["text"] if text else ["audio", "text"]
        if voice is not None:
            params["voice"] = voice
        if output_format is not None:
            params["output_audio_format"] = output_format
        if max_tokens is not None:
            params["max_response_output_tokens"] = max_tokens
    return params


def user_text(text: str, *, item_id: str | None = None, **fields: Any) -> dict[str, Any]:
    """A ``conversation.item.create`` of a user text message (the same in both dialects)."""
    item: dict[str, Any] = {
        "type": "message",
        "role": "user",
        "content": [{"type": "input_text", "text": text}],
    }
    if item_id is not None:
        item["id"] = item_id
    return {"type": "conversation.item.create", "item": item, **fields}
