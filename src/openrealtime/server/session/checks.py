"""The checks that ``session.update``, a client secret and ``response.create`` share.

Each raises the one :class:`~openrealtime.protocol.ProtocolError` a bad value gets,
naming it by ``param`` under the event's prefix (``session`` or ``response``).
"""

from __future__ import annotations

from collections.abc import Sequence

from ...engines import EngineSet
from ...protocol import ga
from . import errors

__all__ = ["check_language", "check_output_modalities", "check_tools", "check_voice"]


def check_output_modalities(
    modalities: Sequence[str] | None, prefix: str, event_id: str | None
) -> None:
    """GA takes one output modality at a time."""
    if modalities is not None and len(set(modalities)) > 1:
        raise errors.output_modalities(modalities, f"{prefix}.output_modalities", event_id)


def check_tools(
    tools: Sequence[ga.FunctionTool | ga.McpTool] | None,
    choice: ga.ToolChoice | None,
    prefix: str,
    event_id: str | None,
) -> None:
    """Only function tools, and a ``tool_choice`` that is a mode or a function."""
    for index, tool in enumerate(tools or []):
        if not isinstance(tool, ga.FunctionTool):
            raise errors.unsupported_value(
                tool.type, ["function"], f"{prefix}.tools[{index}].type", event_id
            )
    if isinstance(choice, ga.ToolChoiceMcp):
        raise errors.unsupported_value(
            choice.type, ["function"], f"{prefix}.tool_choice.type", event_id
        )


def check_voice(voice: str, engines: EngineSet, param: str, event_id: str | None) -> None:
    """``invalid_value`` naming the voices when the synthesizer lacks ``voice``."""
    voices = engines.synthesizer.capabilities.voices
    if voices is not None and voice not in voices:
        raise errors.unsupported_value(voice, voices, param, event_id)


def check_language(language: str, engines: EngineSet, param: str, event_id: str | None) -> None:
    """``invalid_value`` naming the languages when the transcriber lacks ``language``."""
    languages = engines.transcriber.capabilities.languages
    if languages is not None and language not in languages:
        raise errors.unsupported_value(language, languages, param, event_id)
