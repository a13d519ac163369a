"""Realistic examples of every variant in the official SDK's Realtime event unions.

The ``openai`` package types the Realtime protocol independently of this project,
so its models are an oracle for ours. This module walks the SDK's four event
unions (GA and beta, client and server) through pydantic field annotations, lists
every *variant* reachable from them, and builds one realistic event per variant.

A variant is either a model, or for a flat model whose ``type`` (or ``role``) is a
``Literal`` of several values, a (model, value) pair such as a user content part
of type ``input_image``; or a non-model member of a union, such as ``voice`` given
as a string next to the voice-id object. Its stable id names the SDK class by
module and qualified name: ``realtime_conversation_item_user_message.Content[type=input_image]``
or ``realtime_audio_config_output.RealtimeAudioConfigOutput.voice:string``.

Examples fill every field the variant has, with values from a small table keyed
by field name (``VALUES``), chosen inside the limits OpenAI enforces on client
input. ``VARIANT_FIELDS`` says which fields of a flat model belong to which
variant, so an ``input_text`` part carries ``text`` and never ``audio``.
"""

from __future__ import annotations

import base64
import math
import struct
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import openai.types.beta.realtime as sdk_beta
import openai.types.realtime as sdk_ga
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from openrealtime.protocol import ClientEventBase, ServerEventBase, beta, ga

__all__ = [
    "SURFACES",
    "Surface",
    "Variant",
    "build_example",
    "enumerate_variants",
    "variants_in",
]

Route = Mapping[str, str]
"""Choices steering an example to one variant: location -> union member or literal value.

A location is ``<model id>.<field>``. For a union-typed field the choice is the
member's label (a model id, or a JSON kind such as ``string``); for a flat model's
discriminator field it is the literal value.
"""


# -- the four unions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Surface:
    """One of the SDK's event unions and our counterpart, e.g. GA client events."""

    name: str
    sdk_union: Any
    ours: type[ClientEventBase] | type[ServerEventBase]
    ours_only: frozenset[str] = frozenset()
    """Wire types we define that the SDK lacks, each a documented exemption."""

    @property
    def is_client(self) -> bool:
        return issubclass(self.ours, ClientEventBase)

    def members(self) -> tuple[type[BaseModel], ...]:
        return tuple(_members(self.sdk_union))

    def sdk_types(self) -> dict[str, type[BaseModel]]:
        """The SDK event class of each wire type."""
        return {_literal_values(cls, "type")[0]: cls for cls in self.members()}

    def adapter(self) -> TypeAdapter[Any]:
        """A ``type``-discriminated adapter over the SDK's event classes."""
        return _discriminated_adapter(self.members())


@cache
def _discriminated_adapter(members: tuple[type[BaseModel], ...]) -> TypeAdapter[Any]:
    union: Any = Union.__getitem__(members)
    return TypeAdapter(Annotated[union, Field(discriminator="type")])


SURFACES: dict[str, Surface] = {
    surface.name: surface
    for surface in (
        Surface("ga.client", sdk_ga.RealtimeClientEvent, ga.ClientEvent),
        Surface("ga.server", sdk_ga.RealtimeServerEvent, ga.ServerEvent),
        Surface("beta.client", sdk_beta.RealtimeClientEvent, beta.ClientEvent),
        Surface(
            "beta.server",
            sdk_beta.RealtimeServerEvent,
            beta.ServerEvent,
            # The beta server sends it first on a transcription session, but the SDK never
            # typed it (its union has only transcription_session.updated).
            ours_only=frozenset({"transcription_session.created"}),
        ),
    )
}


@dataclass(frozen=True)
class Variant:
    """One variant of a surface, and the route from an event down to it."""

    surface: Surface
    key: str
    event_type: str
    route: Route

    @property
    def id(self) -> str:
        return f"{self.surface.name}:{self.key}"


# -- typing helpers --------------------------------------------------------------------------


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType)


def _members(annotation: Any) -> list[Any]:
    """The members of a union (flattened, without ``None``), or the annotation itself."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if not _is_union(annotation):
        return [annotation]
    return [m for arg in get_args(annotation) if arg is not type(None) for m in _members(arg)]


def _kind(annotation: Any) -> str:
    """The JSON kind of a non-model annotation."""
    origin = get_origin(annotation)
    if origin is Literal:
        return _kind(type(get_args(annotation)[0]))
    if origin is list:
        return "array"
    if origin is dict:
        return "object"
    kinds = {bool: "boolean", int: "integer", float: "number", str: "string", object: "any"}
    return kinds[annotation]


def _value_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    kinds = {int: "integer", float: "number", str: "string", list: "array", dict: "object"}
    return kinds[type(value)]


def model_id(cls: type[BaseModel]) -> str:
    """A stable, unique name for an SDK class: last module component and qualified name."""
    return f"{cls.__module__.rsplit('.', 1)[-1]}.{cls.__qualname__}"


def _location(cls: type[BaseModel], field: str) -> str:
    return f"{model_id(cls)}.{field}"


def _groups(annotation: Any) -> dict[str, Any]:
    """The choices an annotation offers: model members by id, other members by JSON kind.

    ``str`` and ``Literal["alloy", ...]`` are one choice (both are JSON strings).
    """
    groups: dict[str, Any] = {}
    for member in _members(annotation):
        label = model_id(member) if _is_model(member) else _kind(member)
        groups.setdefault(label, member)
    return groups


def _is_plain(annotation: Any) -> bool:
    """Whether an annotation is plain data: no models and no choice between kinds."""
    groups = _groups(annotation)
    if len(groups) > 1:
        return False
    (member,) = groups.values()
    if _is_model(member):
        return False
    return all(_is_plain(arg) for arg in get_args(member) if get_origin(member) in (list, dict))


def _literal_values(cls: type[BaseModel], field: str) -> tuple[Any, ...]:
    info = cls.model_fields.get(field)
    if info is None:
        return ()
    members = _members(info.annotation)
    if len(members) == 1 and get_origin(members[0]) is Literal:
        return get_args(members[0])
    return ()


DISCRIMINATORS = ("type", "role")


def _discriminators(cls: type[BaseModel]) -> dict[str, tuple[str, ...]]:
    """The fields of a flat model whose ``Literal`` of several values selects a variant."""
    found = {}
    for field in DISCRIMINATORS:
        values = _literal_values(cls, field)
        if len(values) > 1:
            found[field] = values
    return found


# -- realistic values ------------------------------------------------------------------------


def _pcm16_base64(milliseconds: int = 20, rate: int = 24000, hz: float = 440.0) -> str:
    samples = rate * milliseconds // 1000
    wave = (round(3000 * math.sin(2 * math.pi * hz * n / rate)) for n in range(samples))
    return base64.b64encode(struct.pack(f"<{samples}h", *wave)).decode("ascii")


AUDIO_B64 = _pcm16_base64()
PNG_DATA_URI = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4"
    "2mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
USER_TEXT = "What's the weather like in Paris today?"
ASSISTANT_TEXT = "It is sunny in Paris today, around twenty-two degrees."
ITEM_ID = "item_C4IHTez0STfDDIteKgMyW"
RESPONSE_ID = "resp_C4IHUwJBbjVbxTiYIbcJ9"
CALL_ID = "call_vSO0vG5dLKbNmUc4"
WEATHER_SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}},
    "required": ["city"],
}

VALUES: dict[str, Any] = {
    # Identifiers, in OpenAI's formats. Item ids stay within the 32-character limit.
    "event_id": "event_C4IHUmtSoY8IgTrjSkW0p",
    "item_id": ITEM_ID,
    "previous_item_id": "item_C4IHSbI1EVOvKrDyYRwWs",
    "response_id": RESPONSE_ID,
    "conversation_id": "conv_C4IHTwAcQSFRN5KdMiUrI",
    "call_id": CALL_ID,
    "approval_request_id": "mcpr_68b5c1f2a3e48190",
    "id": ITEM_ID,
    "Conversation.id": "conv_C4IHTwAcQSFRN5KdMiUrI",
    "RealtimeResponse.id": RESPONSE_ID,
    "Session.id": "sess_C4IHTyy1DqVJM3Pz2bGEL",
    "VoiceID.id": "voice_1234567890abcdef",
    "OutputVoiceID.id": "voice_1234567890abcdef",
    "ResponsePrompt.id": "pmpt_68b5c1f2a3e4819097",
    "RealtimeMcpApprovalRequest.id": "mcpr_68b5c1f2a3e48190",
    "RealtimeMcpApprovalResponse.id": "mcpa_68b5c1f2a3e48191",
    "RealtimeMcpToolCall.id": "mcp_68b5c1f2a3e48192",
    "RealtimeMcpListTools.id": "mcpl_68b5c1f2a3e48193",
    "ConversationItemInputAudioTranscriptionSegment.id": "seg_0001",
    # Content: the user asks, the assistant answers.
    "text": USER_TEXT,
    "transcript": ASSISTANT_TEXT,
    "output_text.text": ASSISTANT_TEXT,
    "text.text": ASSISTANT_TEXT,
    "ResponseTextDoneEvent.text": ASSISTANT_TEXT,
    "input_audio.transcript": USER_TEXT,
    "realtime_conversation_item_system_message.Content.text": "Answer in Celsius.",
    "ConversationItemInputAudioTranscriptionCompletedEvent.transcript": USER_TEXT,
    "ConversationItemInputAudioTranscriptionSegment.text": USER_TEXT,
    "audio": AUDIO_B64,
    "image_url": PNG_DATA_URI,
    "detail": "high",
    "instructions": "You are a concise, friendly weather assistant.",
    "delta": "It is sunny",
    "ResponseAudioDeltaEvent.delta": AUDIO_B64,
    "ResponseFunctionCallArgumentsDeltaEvent.delta": '{"city":',
    "ResponseMcpCallArgumentsDelta.delta": '{"query":',
    "ConversationItemInputAudioTranscriptionDeltaEvent.delta": "What's the",
    "obfuscation": "k3Xq9",
    "arguments": '{"city":"Paris"}',
    "RealtimeMcpToolCall.arguments": '{"query":"realtime"}',
    "RealtimeMcpApprovalRequest.arguments": '{"query":"realtime"}',
    "ResponseMcpCallArgumentsDone.arguments": '{"query":"realtime"}',
    "output": '{"temperature_c":22,"sky":"sunny"}',
    "name": "get_weather",
    "RealtimeMcpToolCall.name": "search_docs",
    "RealtimeMcpApprovalRequest.name": "search_docs",
    "realtime_mcp_list_tools.Tool.name": "search_docs",
    "realtime_mcp_list_tools.Tool.description": "Search the product documentation.",
    "RealtimeMcpToolCall.output": "Found 3 matching pages.",
    "TranscriptionLanguage.code": "en",
    "ToolChoiceMcp.name": "search_docs",
    "RateLimit.name": "tokens",
    "description": "Get the current weather for a city.",
    "parameters": WEATHER_SCHEMA,
    "input_schema": {"type": "object", "properties": {"query": {"type": "string"}}},
    "annotations": {"readOnlyHint": True},
    # Sessions.
    "model": "gpt-realtime",
    "AudioTranscription.model": "gpt-4o-transcribe",
    "InputAudioTranscription.model": "gpt-4o-transcribe",
    "SessionInputAudioTranscription.model": "gpt-4o-transcribe",
    "voice": "alloy",
    "speed": 1.1,
    "temperature": 0.8,
    "max_output_tokens": (1024, "inf"),
    "max_response_output_tokens": (1024, "inf"),
    "output_modalities": ["audio"],
    "modalities": ["text", "audio"],
    "input_audio_format": "pcm16",
    "output_audio_format": "pcm16",
    "include": ["item.input_audio_transcription.logprobs"],
    "language": "en",
    "languages": ["en", "fr"],
    "prompt": "Weather, forecasts, Celsius.",
    "keywords": ["Paris", "Celsius"],
    "delay": "low",
    "strength": 0.6,
    "threshold": 0.5,
    "prefix_padding_ms": 300,
    "silence_duration_ms": 500,
    "idle_timeout_ms": 6000,
    "eagerness": "auto",
    "tool_choice": "auto",
    "tracing": "auto",
    "truncation": "auto",
    "retention_ratio": 0.8,
    "post_instructions": 1000,
    "workflow_name": "weather-assistant",
    "group_id": "user_8421",
    "metadata": {"topic": "weather"},
    "TracingConfiguration.metadata": {"app": "weather-demo"},
    "SessionTracingTracingConfiguration.metadata": {"app": "weather-demo"},
    "TracingTracingConfiguration.metadata": {"app": "weather-demo"},
    "effort": "low",
    "version": "3",
    "ResponsePrompt.variables": "Paris",
    "file_id": "file-6F2ksmvXxt4VdoqmHRw6kL",
    "filename": "forecast.pdf",
    "anchor": "created_at",
    "seconds": (2.4, 600),
    "expires_at": 1756310470,
    "value": "ek_68af296e8e408191a1120ab6383263c2",
    "conversation": "auto",
    "parallel_tool_calls": True,
    # MCP.
    "server_label": "docs",
    "server_url": "https://mcp.example.com/sse",
    "server_description": "Searches the product documentation.",
    "authorization": "mcp_token_5f1c2e",
    "headers": {"X-Tenant": "acme"},
    "tunnel_id": "tun_68b5c1f2",
    "allowed_tools": ["search_docs"],
    "tool_names": ["search_docs"],
    "require_approval": "never",
    "allowed_callers": ["direct"],
    "defer_loading": False,
    "reason": "Search is read-only.",
    "message": "Invalid value: 'pcm32'. Supported values are: 'pcm16' and 'g711_ulaw'.",
    "RealtimeMcpProtocolError.code": -32602,
    "RealtimeMcphttpError.code": 502,
    "RealtimeMcpProtocolError.message": "Invalid params",
    "RealtimeMcphttpError.message": "Bad Gateway",
    "RealtimeMcpToolExecutionError.message": "Search index unavailable",
    # Errors and statuses.
    "type": "invalid_request_error",
    "TurnDetection.type": "server_vad",
    "code": "invalid_value",
    "param": "session.input_audio_format",
    "status": "completed",
    "realtime_response_status.Error.type": "server_error",
    "realtime_response_status.Error.code": "server_error",
    "realtime_response_status.Error.message": "The server had an error processing your request.",
    "RealtimeResponseStatus.reason": "turn_detected",
    # Indexes, times and counts.
    "content_index": 0,
    "output_index": 0,
    "audio_start_ms": 1000,
    "audio_end_ms": 2340,
    "received_at": 1756310471,
    "event": "5",
    "start": 0.0,
    "end": 1.84,
    "speaker": "A",
    "token": "Hello",
    "bytes": [72, 101, 108, 108, 111],
    "logprob": -0.0123,
    "limit": 40000,
    "remaining": 39000,
    "reset_seconds": 0.09,
    "total_tokens": 144,
    "input_tokens": 120,
    "output_tokens": 24,
    "text_tokens": 20,
    "audio_tokens": 100,
    "image_tokens": 0,
    "cached_tokens": 64,
    "RealtimeResponseUsageOutputTokenDetails.text_tokens": 8,
    "RealtimeResponseUsageOutputTokenDetails.audio_tokens": 16,
    "OutputTokenDetails.text_tokens": 8,
    "OutputTokenDetails.audio_tokens": 16,
    "CachedTokensDetails.text_tokens": 16,
    "CachedTokensDetails.audio_tokens": 48,
}
"""Realistic values by field name.

More specific keys win: ``module.Model.field``, then ``Model.field``, then
``<variant>.field`` for a flat model's variant (``input_audio.transcript``),
then ``field``. A tuple lists candidates: the first that fits the field's type is used.
"""

DICT_KEYS = {"variables": "city"}
"""The key of the one entry built for a map whose values are models."""

DEFAULT_ROLES = {
    "conversation_item_create_event.ConversationItemCreateEvent.item": "user",
    "realtime_response_create_params.RealtimeResponseCreateParams.input": "user",
    "conversation_item_created_event.ConversationItemCreatedEvent.item": "user",
    "conversation_item_added.ConversationItemAdded.item": "user",
    "conversation_item_done.ConversationItemDone.item": "user",
    "realtime_server_event.ConversationItemRetrieved.item": "user",
    "realtime_response.RealtimeResponse.output": "assistant",
    "response_output_item_added_event.ResponseOutputItemAddedEvent.item": "assistant",
    "response_output_item_done_event.ResponseOutputItemDoneEvent.item": "assistant",
}
"""The role of the message an example puts where an item goes, unless routed elsewhere.

GA picks the message class of that role from the item union; beta sets the flat
item's ``role``. Model output is the assistant's; anything else defaults to the user.
"""

_ITEM_FIELDS = frozenset({"id", "object", "status"})
VARIANT_FIELDS: dict[str, frozenset[str]] = {
    # Content parts, in both dialects.
    "input_text": frozenset({"text"}),
    "input_audio": frozenset({"audio", "transcript"}),
    "input_image": frozenset({"image_url", "detail"}),
    "output_text": frozenset({"text"}),
    "output_audio": frozenset({"audio", "transcript"}),
    "text": frozenset({"text"}),
    "audio": frozenset({"audio", "transcript"}),
    "item_reference": frozenset({"id"}),
    # Beta's flat conversation item.
    "message": _ITEM_FIELDS | {"role", "content"},
    "function_call": _ITEM_FIELDS | {"call_id", "name", "arguments"},
    "function_call_output": _ITEM_FIELDS | {"call_id", "output"},
    # Beta's flat turn detection.
    "server_vad": frozenset(
        {
            "threshold",
            "prefix_padding_ms",
            "silence_duration_ms",
            "idle_timeout_ms",
            "create_response",
            "interrupt_response",
        }
    ),
    "semantic_vad": frozenset({"eagerness", "create_response", "interrupt_response"}),
    # status_details: a reason for cancelled and incomplete, an error for failed.
    "completed": frozenset(),
    "cancelled": frozenset({"reason"}),
    "incomplete": frozenset({"reason"}),
    "failed": frozenset({"error"}),
}
"""The fields (besides the discriminators) that each value of a flat model's ``type`` has."""

ROLE_CONTENT = {
    "user": ("input_text", "input_audio", "item_reference"),
    "assistant": ("text", "audio"),
    "system": ("input_text",),
}
"""Content types each role of beta's flat message carries."""

ALTERNATIVES = {
    # An MCP tool names its server by URL or by connector, never both.
    "Mcp": frozenset({"connector_id"}),
    "RealtimeResponseCreateMcpTool": frozenset({"connector_id"}),
    # Prompt variables: an image by URL, a file by id.
    "ResponseInputImage": frozenset({"file_id"}),
    "ResponseInputFile": frozenset({"file_data", "file_url"}),
}
"""Fields left out because the API takes them instead of another, filled, field."""

EVENT_OVERRIDES: dict[str, dict[str, Any]] = {
    # A response just created has no output, usage or status details yet.
    "response.created": {
        "response": {"status": "in_progress", "status_details": None, "output": [], "usage": None}
    },
}
"""Constant values that realism requires for some fields of some events."""

SERVER_EXTRAS: dict[str, dict[str, Any]] = {
    "RealtimeSessionCreateRequest": {
        "id": "sess_C4IHTyy1DqVJM3Pz2bGEL",
        "object": "realtime.session",
        "expires_at": 1756310470,
    },
    "RealtimeTranscriptionSessionCreateRequest": {
        "id": "sess_C4IHTyy1DqVJM3Pz2bGEL",
        "object": "realtime.transcription_session",
        "expires_at": 1756310470,
    },
}
"""Fields a server always reports on a GA session that the SDK leaves untyped."""


def _mirror_status(response: dict[str, Any]) -> None:
    details = response.get("status_details")
    if details:
        response["status"] = details["type"]


def _reason_for_status(details: dict[str, Any]) -> None:
    if details.get("type") == "incomplete":
        details["reason"] = "max_output_tokens"


FIXUPS: dict[str, Callable[[dict[str, Any]], None]] = {
    "RealtimeResponse": _mirror_status,
    "RealtimeResponseStatus": _reason_for_status,
}
"""Consistency rules between fields of one object."""


# -- enumeration -----------------------------------------------------------------------------


def enumerate_variants(surface: Surface) -> list[Variant]:
    """Every variant reachable from a surface's events, each with the first route to it."""
    found: dict[str, Variant] = {}
    for event_type, event_cls in surface.sdk_types().items():

        def record(key: str, route: Route, event_type: str = event_type) -> None:
            found.setdefault(key, Variant(surface, key, event_type, dict(route)))

        _visit_model(event_cls, {}, EVENT_OVERRIDES.get(event_type, {}), (), record)
    return list(found.values())


Recorder = Callable[[str, Route], None]


def _visit_model(
    cls: type[BaseModel],
    route: Route,
    overrides: Mapping[str, Any],
    stack: tuple[type[BaseModel], ...],
    record: Recorder,
) -> None:
    if cls in stack:
        return
    stack = (*stack, cls)
    discriminators = _discriminators(cls)
    if not discriminators:
        record(model_id(cls), route)
        _visit_fields(cls, route, overrides, stack, record)
    for field, values in discriminators.items():
        for value in values:
            steered = {**route, _location(cls, field): value}
            record(f"{model_id(cls)}[{field}={value}]", steered)
            _visit_fields(cls, steered, overrides, stack, record)


def _visit_fields(
    cls: type[BaseModel],
    route: Route,
    overrides: Mapping[str, Any],
    stack: tuple[type[BaseModel], ...],
    record: Recorder,
) -> None:
    for name in _fields_of(cls, _choose(cls, route, None)):
        override = overrides.get(name, {})
        if isinstance(override, dict):
            annotation = cls.model_fields[name].annotation
            _visit_annotation(annotation, _location(cls, name), route, override, stack, record)


def _visit_annotation(
    annotation: Any,
    location: str,
    route: Route,
    overrides: Mapping[str, Any],
    stack: tuple[type[BaseModel], ...],
    record: Recorder,
) -> None:
    groups = _groups(annotation)
    for label, member in groups.items():
        steered = {**route, location: label} if len(groups) > 1 else route
        if _is_model(member):
            _visit_model(member, steered, overrides, stack, record)
            continue
        if len(groups) > 1:
            record(f"{location}:{label}", steered)
        origin = get_origin(member)
        if origin in (list, dict):
            inner = get_args(member)[-1]
            _visit_annotation(inner, location, steered, overrides, stack, record)


# -- the example builder ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    server: bool
    role: str | None = None
    content_types: tuple[str, ...] | None = None


def build_example(variant: Variant) -> dict[str, Any]:
    """A realistic event, as a JSON object, that contains ``variant``."""
    surface = variant.surface
    event_cls = surface.sdk_types()[variant.event_type]
    overrides = EVENT_OVERRIDES.get(variant.event_type, {})
    return _build_model(event_cls, variant.route, overrides, _Context(not surface.is_client))


def _choose(cls: type[BaseModel], route: Route, context: _Context | None) -> dict[str, str]:
    """The discriminator values of a flat model: routed, else consistent defaults."""
    chosen: dict[str, str] = {}
    routed = {
        field: route[_location(cls, field)]
        for field in _discriminators(cls)
        if _location(cls, field) in route
    }
    for field, values in _discriminators(cls).items():
        if any(field not in VARIANT_FIELDS.get(value, {field}) for value in chosen.values()):
            continue
        if field in routed:
            chosen[field] = routed[field]
            continue
        options = [
            value
            for value in values
            if all(other in VARIANT_FIELDS.get(value, {other}) for other in routed)
        ]
        if field == "role":
            options = _roles_for_content(cls, route) or options
            if context is not None and context.role in options:
                options = [context.role]
        if context is not None and context.content_types is not None:
            options = [value for value in options if value in context.content_types] or options
        chosen[field] = options[0]
    return chosen


def _roles_for_content(cls: type[BaseModel], route: Route) -> list[str]:
    """The roles that carry the content type routed inside this message, if any."""
    info = cls.model_fields.get("content")
    if info is None:
        return []
    (content_list,) = _members(info.annotation)
    (content_cls,) = _members(get_args(content_list)[0])
    wanted = route.get(_location(content_cls, "type"))
    return [role for role, kinds in ROLE_CONTENT.items() if wanted in kinds]


def _fields_of(cls: type[BaseModel], chosen: Mapping[str, str]) -> list[str]:
    names = [name for name in cls.model_fields if name not in ALTERNATIVES.get(cls.__name__, ())]
    for value in chosen.values():
        allowed = VARIANT_FIELDS.get(value)
        if allowed is not None:
            names = [name for name in names if name in allowed or name in chosen]
    return names


def _build_model(
    cls: type[BaseModel], route: Route, overrides: Mapping[str, Any], context: _Context
) -> dict[str, Any]:
    chosen = _choose(cls, route, context)
    role = chosen.get("role")
    inner = _Context(context.server, content_types=ROLE_CONTENT.get(role) if role else None)
    built: dict[str, Any] = {}
    for name in _fields_of(cls, chosen):
        info = cls.model_fields[name]
        key = info.alias or name
        override = overrides.get(name, {})
        if name in chosen:
            built[key] = chosen[name]
        elif not isinstance(override, dict):
            built[key] = override
        else:
            built[key] = _build_value(info.annotation, cls, name, chosen, route, override, inner)
    if context.server:
        built.update(SERVER_EXTRAS.get(cls.__name__, {}))
    if cls.__name__ in FIXUPS:
        FIXUPS[cls.__name__](built)
    return built


def _build_value(
    annotation: Any,
    owner: type[BaseModel],
    field: str,
    chosen: Mapping[str, str],
    route: Route,
    overrides: Mapping[str, Any],
    context: _Context,
) -> Any:
    if _is_plain(annotation):
        return _leaf(owner, field, annotation, chosen)
    location = _location(owner, field)
    role = DEFAULT_ROLES.get(location)
    groups = _groups(annotation)
    label = route.get(location) if len(groups) > 1 else None
    if label is None:
        label = next(
            (
                label
                for label, m in groups.items()
                if role and _is_model(m) and _literal_values(m, "role") == (role,)
            ),
            next(iter(groups)),
        )
    member = groups[label]
    if _is_plain(member):
        return _leaf(owner, field, member, chosen)
    if _is_model(member):
        return _build_model(
            member, route, overrides, _Context(context.server, role, None) if role else context
        )
    args = (owner, field, chosen, route, overrides, context)
    origin = get_origin(member)
    if origin is list:
        return [_build_value(get_args(member)[0], *args)]
    if origin is dict:
        return {DICT_KEYS[field]: _build_value(get_args(member)[1], *args)}
    raise TypeError(f"cannot build {owner.__name__}.{field}: {member}")


def _leaf(owner: type[BaseModel], field: str, annotation: Any, chosen: Mapping[str, str]) -> Any:
    """A realistic value for a plain field, from ``VALUES`` or the type's obvious default."""
    variants = [f"{value}.{field}" for value in chosen.values()]
    for key in (f"{model_id(owner)}.{field}", f"{owner.__name__}.{field}", *variants, field):
        if key in VALUES:
            entry = VALUES[key]
            candidates = entry if isinstance(entry, tuple) else (entry,)
            for candidate in candidates:
                if _fits(candidate, annotation):
                    return candidate
    members = _members(annotation)
    if len(members) == 1 and get_origin(members[0]) is Literal:
        return get_args(members[0])[0]
    if members == [bool]:
        return True
    if len(members) == 1 and get_origin(members[0]) is list:
        return [_leaf(owner, field, get_args(members[0])[0], chosen)]
    raise LookupError(f"no realistic value for {owner.__name__}.{field}: {annotation}")


_PLAIN_ADAPTERS: dict[str, TypeAdapter[Any]] = {}


def _fits(value: Any, annotation: Any) -> bool:
    """Whether ``value`` is, strictly, of the plain type ``annotation``."""
    key = repr(annotation)
    if key not in _PLAIN_ADAPTERS:
        _PLAIN_ADAPTERS[key] = TypeAdapter(annotation)
    try:
        _PLAIN_ADAPTERS[key].validate_python(value, strict=True)
    except ValidationError:
        return False
    return True


# -- what an SDK object contains -------------------------------------------------------------


def variants_in(event: BaseModel) -> set[str]:
    """The variant keys present in a validated SDK object, as the SDK typed them."""
    found: set[str] = set()
    _collect_model(event, found)
    return found


def _collect_model(obj: BaseModel, found: set[str]) -> None:
    cls = type(obj)
    discriminators = _discriminators(cls)
    if not discriminators:
        found.add(model_id(cls))
    for field in discriminators:
        value = getattr(obj, field)
        if value is not None:
            found.add(f"{model_id(cls)}[{field}={value}]")
    for name, info in cls.model_fields.items():
        _collect(getattr(obj, name), info.annotation, _location(cls, name), found)


def _collect(value: Any, annotation: Any, location: str, found: set[str]) -> None:
    if value is None:
        return
    groups = _groups(annotation)
    if isinstance(value, BaseModel):
        _collect_model(value, found)
        return
    label = _value_kind(value)
    member = groups.get(label, groups.get("any"))
    if len(groups) > 1:
        found.add(f"{location}:{label}")
    origin = get_origin(member)
    if origin is list:
        for item in value:
            _collect(item, get_args(member)[0], location, found)
    elif origin is dict:
        for item in value.values():
            _collect(item, get_args(member)[1], location, found)
