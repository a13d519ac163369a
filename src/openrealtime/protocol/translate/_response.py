"""Response translation: ``response.create`` parameters and the response resource.

``response.create``'s ``response`` (``beta.ResponseCreateParams`` and
``ga.ResponseCreateParams``):

================================  ==========================================
beta                              GA
================================  ==========================================
``modalities``                    ``output_modalities`` (as for sessions)
``voice``                         ``audio.output.voice``
``output_audio_format``           ``audio.output.format``
``max_response_output_tokens``    ``max_output_tokens``
``temperature``                   ``temperature`` (GA's ``beta_only`` field)
``input``                         ``input``, entry by entry (see ``_items``)
``instructions``, ``tools``,      the same names
``tool_choice``, ``conversation``,
``metadata``
(none)                            ``prompt``, ``parallel_tool_calls``,
                                  ``reasoning``
================================  ==========================================

The response resource of ``response.created`` and ``response.done``
(``beta.RealtimeResponse`` and ``ga.RealtimeResponse``) maps ``modalities``,
``voice``, ``output_audio_format`` and ``temperature`` the same way;
``output`` items are translated, with ``object: "realtime.item"`` going to beta.
``id``, ``object``, ``status``, ``status_details``, ``conversation_id``,
``max_output_tokens``, ``usage`` and ``metadata`` keep their names; going to beta,
``usage`` loses GA's ``image_tokens``, which beta never reported.

Parameters translate only from a client event, so GA to beta raises
:class:`TranslationError` for what beta cannot express (as for sessions). The
resource translates only from a server event, so GA to beta drops it instead:
a custom voice, a format beta lacks, and output items beta cannot hold (MCP
items) are left out.
"""

from __future__ import annotations

from typing import Any

from .. import beta, ga
from ._common import Fields, TranslationError, at, child, index
from ._items import input_item_to_beta, input_item_to_ga, item_to_beta, item_to_ga
from ._session import (
    format_to_beta,
    format_to_ga,
    ga_only,
    modalities_to_beta,
    modalities_to_ga,
    tool_choice_to_beta,
    tool_choice_to_ga,
    tools_to_beta,
    tools_to_ga,
    voice_to_beta,
)

__all__ = [
    "response_params_to_beta",
    "response_params_to_ga",
    "response_to_beta",
    "response_to_ga",
]

# Tools and tool_choice also keep their names, but are checked going to beta.
_PARAMS_DIRECT = ("instructions", "conversation", "metadata", "temperature")
_PARAMS_GA_ONLY = ("prompt", "parallel_tool_calls", "reasoning")
_RESOURCE_DIRECT = (
    "object",
    "id",
    "status",
    "status_details",
    "conversation_id",
    "max_output_tokens",
    "usage",
    "metadata",
    "temperature",
)


def _audio_to_ga(voice: dict[str, Any]) -> ga.ResponseAudio:
    return ga.ResponseAudio(output=ga.ResponseAudioOutput(**voice))


def response_params_to_ga(
    params: beta.ResponseCreateParams, *, param: str = "response"
) -> ga.ResponseCreateParams:
    """Beta ``response.create`` parameters as GA ones.

    Raises :class:`TranslationError` for an ``item_reference`` inside message content.
    """
    shown = params.model_fields_set
    fields: dict[str, Any] = {
        name: getattr(params, name) for name in _PARAMS_DIRECT if name in shown
    }
    if "tools" in shown:
        fields["tools"] = tools_to_ga(params.tools)
    if "tool_choice" in shown:
        fields["tool_choice"] = tool_choice_to_ga(params.tool_choice)
    if "modalities" in shown:
        fields["output_modalities"] = modalities_to_ga(params.modalities)
    if "max_response_output_tokens" in shown:
        fields["max_output_tokens"] = params.max_response_output_tokens
    output: dict[str, Any] = {}
    if "output_audio_format" in shown:
        output["format"] = format_to_ga(params.output_audio_format)
    if "voice" in shown:
        output["voice"] = params.voice
    if output:
        fields["audio"] = _audio_to_ga(output)
    if "input" in shown:
        fields["input"] = (
            None
            if params.input is None
            else [
                input_item_to_ga(item, param=index(at(param, "input"), position))
                for position, item in enumerate(params.input)
            ]
        )
    return ga.ResponseCreateParams(**fields)


def response_params_to_beta(
    params: ga.ResponseCreateParams, *, param: str = "response"
) -> beta.ResponseCreateParams:
    """GA ``response.create`` parameters as beta ones.

    Raises :class:`TranslationError` for what beta cannot express: ``prompt``,
    ``parallel_tool_calls``, ``reasoning``, a custom voice, MCP tools or items,
    ``input_image`` content, and PCM not at 24 kHz.
    """
    shown = params.model_fields_set
    fields: dict[str, Any] = {
        name: getattr(params, name) for name in _PARAMS_DIRECT if name in shown
    }
    for name in _PARAMS_GA_ONLY:
        if name in shown:
            ga_only(name, getattr(params, name), at(param, name))
    if "tools" in shown:
        fields["tools"] = tools_to_beta(params.tools, at(param, "tools"), lenient=False)
    if "tool_choice" in shown:
        fields["tool_choice"] = tool_choice_to_beta(params.tool_choice, at(param, "tool_choice"))
    if "output_modalities" in shown:
        fields["modalities"] = modalities_to_beta(params.output_modalities)
    if "max_output_tokens" in shown:
        fields["max_response_output_tokens"] = params.max_output_tokens
    output: ga.ResponseAudioOutput | None = child(child(params, "audio"), "output")
    if output is not None:
        output_param = at(param, "audio.output")
        if "format" in output.model_fields_set:
            fields["output_audio_format"] = format_to_beta(
                output.format, at(output_param, "format")
            )
        if "voice" in output.model_fields_set:
            fields["voice"] = voice_to_beta(output.voice, at(output_param, "voice"))
    if "input" in shown:
        fields["input"] = (
            None
            if params.input is None
            else [
                input_item_to_beta(item, param=index(at(param, "input"), position))
                for position, item in enumerate(params.input)
            ]
        )
    return beta.ResponseCreateParams(**fields)


def response_to_ga(response: beta.RealtimeResponse) -> ga.RealtimeResponse:
    """A beta response resource as a GA one; output items lose ``object``.

    Raises :class:`TranslationError` for an output item GA cannot hold.
    """
    shown = response.model_fields_set
    fields: dict[str, Any] = {
        name: getattr(response, name) for name in _RESOURCE_DIRECT if name in shown
    }
    fields["output"] = [
        item_to_ga(item, param=index("response.output", position))
        for position, item in enumerate(response.output)
    ]
    if "modalities" in shown:
        fields["output_modalities"] = modalities_to_ga(response.modalities)
    output: dict[str, Any] = {}
    if "output_audio_format" in shown:
        output["format"] = format_to_ga(response.output_audio_format)
    if "voice" in shown:
        output["voice"] = response.voice
    if output:
        fields["audio"] = _audio_to_ga(output)
    return ga.RealtimeResponse(**fields)


def _usage_to_beta(usage: ga.Usage) -> ga.Usage:
    """Usage without ``image_tokens``, which beta never reported."""
    details = usage.input_token_details
    if details is None:
        return usage
    cached = details.cached_tokens_details
    drop = {"image_tokens"}
    update: dict[str, Any] = {}
    if cached is not None and "image_tokens" in cached.model_fields_set:
        update["cached_tokens_details"] = ga.CachedTokensDetails.model_validate(
            cached.model_dump(exclude_unset=True, exclude=drop)
        )
    if "image_tokens" in details.model_fields_set or update:
        data = details.model_dump(exclude_unset=True, exclude=drop | set(update))
        data.update(update)
        details = ga.InputTokenDetails.model_validate(data)
        return usage.model_copy(update={"input_token_details": details})
    return usage


def response_to_beta(response: ga.RealtimeResponse) -> beta.RealtimeResponse:
    """A GA response resource as a beta one, items with ``object: "realtime.item"``.

    What beta cannot express is left out: this is a server resource.
    """
    shown = response.model_fields_set
    fields = Fields(lenient=True)
    for name in _RESOURCE_DIRECT:
        if name in shown:
            fields.values[name] = getattr(response, name)
    output: list[beta.Item] = []
    for item in response.output:
        try:
            output.append(item_to_beta(item, with_object=True))
        except TranslationError:
            continue
    fields.values["output"] = output
    if response.usage is not None:
        fields.values["usage"] = _usage_to_beta(response.usage)
    if "output_modalities" in shown:
        fields.values["modalities"] = modalities_to_beta(response.output_modalities)
    audio_output: ga.ResponseAudioOutput | None = child(child(response, "audio"), "output")
    if audio_output is not None:
        out_shown = audio_output.model_fields_set
        if "format" in out_shown:
            fields.put("output_audio_format", format_to_beta, audio_output.format, "")
        if "voice" in out_shown:
            fields.put("voice", voice_to_beta, audio_output.voice, "")
    return beta.RealtimeResponse(**fields.values)
