"""The official ``openai`` SDK's types as an oracle for our wire models.

For every variant of the SDK's four Realtime event unions (see ``sdk_examples``):
the SDK serializes a realistic example; we parse it (client events strictly, as
OpenAI's server does; server events leniently, but into the concrete class) and
serialize it back unchanged; and the SDK's own models, behind a ``type``
discriminator, accept our output as the same class, still holding the variant.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import pytest
from pydantic import BaseModel

from openrealtime.protocol import WireModel, ga

from .sdk_examples import SURFACES, Surface, Variant, build_example, enumerate_variants, variants_in

SDK_UNION_SIZES = {"ga.client": 11, "ga.server": 46, "beta.client": 12, "beta.server": 34}
"""The SDK's union sizes as documented for ``openai`` 3.57; a newer SDK may change them."""


@cache
def variants(surface_name: str) -> tuple[Variant, ...]:
    return tuple(enumerate_variants(SURFACES[surface_name]))


ALL_VARIANTS = [variant for name in SURFACES for variant in variants(name)]


def extra_fields(model: WireModel, path: str = "") -> list[str]:
    """Dotted paths of fields our models kept as unknown extras, anywhere inside ``model``."""
    found = [f"{path}{key}" for key in model.model_extra or {}]
    for name in type(model).model_fields:
        found += _extras_below(getattr(model, name), f"{path}{name}.")
    return found


def _extras_below(value: Any, path: str) -> list[str]:
    if isinstance(value, WireModel):
        return extra_fields(value, path)
    if isinstance(value, list):
        return [x for i, item in enumerate(value) for x in _extras_below(item, f"{path}{i}.")]
    return []


def round_trip(variant: Variant) -> BaseModel:
    """SDK example -> SDK JSON -> our model -> our JSON -> SDK model, checking each step.

    Returns the SDK's reading of our JSON.
    """
    surface = variant.surface
    sdk_class = surface.sdk_types()[variant.event_type]
    example = build_example(variant)
    sdk_event = sdk_class.model_validate(example)
    assert sdk_event.model_dump(mode="json", exclude_unset=True, by_alias=True) == example

    sdk_text = sdk_event.to_json()
    ours = surface.ours.parse(sdk_text)
    assert type(ours) is surface.ours.event_class(variant.event_type)
    assert extra_fields(ours) == [], "fields our model lacks"

    ours_text = ours.to_text()
    assert json.loads(ours_text) == json.loads(sdk_text)

    back = surface.adapter().validate_json(ours_text)
    assert type(back) is sdk_class
    return back


@pytest.mark.parametrize("variant", ALL_VARIANTS, ids=lambda variant: variant.id)
def test_variant_round_trips_through_our_models(variant: Variant) -> None:
    assert variant.key in variants_in(round_trip(variant))


@pytest.mark.parametrize("surface", SURFACES.values(), ids=lambda surface: surface.name)
def test_every_sdk_variant_is_exercised(surface: Surface) -> None:
    enumerated = {variant.key for variant in variants(surface.name)}
    exercised: set[str] = set()
    for variant in variants(surface.name):
        exercised |= variants_in(round_trip(variant))
    assert exercised == enumerated


@pytest.mark.parametrize(
    ("surface_name", "key"),
    [
        ("ga.client", "realtime_conversation_item_user_message.Content[type=input_image]"),
        ("ga.client", "realtime_audio_input_turn_detection.SemanticVad"),
        ("ga.client", "realtime_audio_config_output.VoiceID"),
        ("ga.client", "realtime_audio_config_output.RealtimeAudioConfigOutput.voice:string"),
        ("ga.client", "realtime_audio_formats.AudioPCMA"),
        ("ga.client", "tool_choice_mcp.ToolChoiceMcp"),
        ("ga.client", "realtime_truncation_retention_ratio.RealtimeTruncationRetentionRatio"),
        ("ga.server", "realtime_mcphttp_error.RealtimeMcphttpError"),
        ("ga.server", "realtime_response_status.RealtimeResponseStatus[type=failed]"),
        (
            "ga.server",
            "conversation_item_input_audio_transcription_completed_event."
            "UsageTranscriptTextUsageDuration",
        ),
        ("beta.client", "conversation_item_content.ConversationItemContent[type=item_reference]"),
        ("beta.client", "session_update_event.SessionTurnDetection[type=semantic_vad]"),
        ("beta.server", "conversation_item.ConversationItem[role=system]"),
        ("beta.server", "response_content_part_done_event.Part[type=audio]"),
    ],
)
def test_enumeration_reaches_nested_variants(surface_name: str, key: str) -> None:
    assert key in {variant.key for variant in variants(surface_name)}


@pytest.mark.parametrize("surface", SURFACES.values(), ids=lambda surface: surface.name)
def test_event_types_match_the_sdk(surface: Surface) -> None:
    sdk_types = set(surface.sdk_types())
    ours = set(surface.ours.event_types())
    assert len(surface.members()) == SDK_UNION_SIZES[surface.name]
    assert ours - sdk_types == surface.ours_only
    assert sdk_types - ours == set()


def class_name_for(wire_type: str) -> str:
    """``response.output_audio.delta`` -> ``ResponseOutputAudioDeltaEvent``."""
    return "".join(word.capitalize() for word in re.split(r"[._]", wire_type)) + "Event"


def test_class_name_rule() -> None:
    assert class_name_for("response.output_audio.delta") == "ResponseOutputAudioDeltaEvent"
    assert class_name_for("error") == "ErrorEvent"


@pytest.mark.parametrize("wire_type", ga.ServerEvent.event_types())
def test_ga_server_class_names_derive_from_the_wire_type(wire_type: str) -> None:
    event_class = ga.ServerEvent.event_class(wire_type)
    assert event_class is not None
    assert event_class.__name__ == class_name_for(wire_type)
